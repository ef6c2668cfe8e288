"""Presentation mode: for a projector, the diagram and the inspector large, everything else tucked away.

``Presentation(window, docks, toolbars, settings)`` toggles the mode of a
main window.  Entering it remembers the dock layout, the docks' sizes, the
toolbars and the application's font; hides every dock but the inspector
and the toolbars; then scales the font by the chosen UI scale (the diagram,
the tables and the equations follow the application's font) and gives the
inspector about ``INSPECTOR_SHARE`` of the height.  Leaving puts back
exactly what it remembered.  The scale (125 % to 200 %) is kept in QSettings.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

SCALES = (125, 150, 175, 200)
"""The UI scales offered, in percent."""
DEFAULT_SCALE = 150
SCALE_KEY = "view/presentationScale"
"""QSettings key of the chosen scale (percent)."""
KEPT_DOCKS = ("inspectorDock",)
"""Docks that stay in presentation mode (object names); the others are hidden."""
INSPECTOR_SHARE = 0.45
"""The inspector's share of the window's height in presentation mode."""
STATE_VERSION = 7001
"""Version tag of the saved layout (only this module reads it)."""


def saved_scale(settings: QSettings) -> int:
    """The scale chosen before (percent), ``DEFAULT_SCALE`` if none or not one of ``SCALES``."""
    try:
        value = int(str(settings.value(SCALE_KEY, DEFAULT_SCALE)))
    except ValueError:
        return DEFAULT_SCALE
    return value if value in SCALES else DEFAULT_SCALE


class Presentation(QObject):
    """The presentation mode of ``window``; ``toggled(bool)`` when it is entered or left."""

    toggled = Signal(bool)

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], toolbars: list[QWidget],
                 settings: QSettings) -> None:
        super().__init__(window)
        self._window = window
        self._docks = docks
        self._toolbars = toolbars
        self._settings = settings
        self.scale = saved_scale(settings)
        self._saved: tuple[QByteArray, QFont, list[bool], QSize, dict[QDockWidget, QSize]] | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def set_active(self, on: bool) -> None:
        """Enter (``on``) or leave presentation mode; nothing if it already is so."""
        if on == self.active:
            return
        self.enter() if on else self.leave()

    def set_scale(self, percent: int) -> None:
        """Use ``percent`` (one of ``SCALES``) from now on; applied at once while presenting."""
        if percent not in SCALES:
            raise ValueError(f"the presentation scale must be one of {SCALES}, not {percent}")
        self.scale = percent
        self._settings.setValue(SCALE_KEY, percent)
        if self._saved is not None:
            self._apply_font(self._saved[1])

    def enter(self) -> None:
        w = self._window
        app_font = QFont(QApplication.font())
        sizes = {d: d.size() for d in self._docks.values() if d.isVisible() and not d.isFloating()
                 and not d.visibleRegion().isEmpty()}
        self._saved = (w.saveState(STATE_VERSION), app_font, [t.isVisible() for t in self._toolbars], w.size(), sizes)
        for name, dock in self._docks.items():
            if name in KEPT_DOCKS:
                dock.setFloating(False)
                dock.show()
                dock.raise_()
            else:
                dock.hide()
        for bar in self._toolbars:
            bar.hide()
        self._apply_font(app_font)  # after hiding: the larger texts of the hidden docks must not grow the window
        QTimer.singleShot(0, self._size_inspector)  # dock sizes take once the hidden docks are gone
        self.toggled.emit(True)

    def leave(self) -> None:
        if self._saved is None:
            return
        state, font, bars, size, sizes = self._saved
        self._saved = None
        QApplication.setFont(font)
        QApplication.sendPostedEvents()  # the widgets take the font now: the sizes restored fit it
        if not (self._window.isMaximized() or self._window.isFullScreen()):
            self._window.resize(size)
        self._window.restoreState(state, STATE_VERSION)
        # The docks shown again lay their smaller texts out only now: then their sizes as they were.
        QTimer.singleShot(0, lambda: self._resize_docks(sizes))
        for bar, visible in zip(self._toolbars, bars, strict=True):
            bar.setVisible(visible)
        self.toggled.emit(False)

    def _resize_docks(self, sizes: dict[QDockWidget, QSize]) -> None:
        """Give the docks shown their remembered sizes (``restoreState`` alone lands a few pixels off)."""
        w = self._window
        if self.active:
            return
        docks = [d for d in sizes if d.isVisible()]
        for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
            horizontal = orientation == Qt.Orientation.Horizontal
            want = [sizes[d].width() if horizontal else sizes[d].height() for d in docks]
            w.resizeDocks(docks, want, orientation)
            QApplication.sendPostedEvents()
            # a size asked for a row of tabs counts the tab bar: ask again by what each one missed
            # (at least a pixel: a dock that now needs more than twice its old size cannot be asked for less)
            got = [d.width() if horizontal else d.height() for d in docks]
            if got != want:
                w.resizeDocks(docks, [max(1, 2 * a - b) for a, b in zip(want, got, strict=True)], orientation)

    def _apply_font(self, base: QFont) -> None:
        font = QFont(base)
        font.setPointSizeF(base.pointSizeF() * self.scale / 100)
        QApplication.setFont(font)
        QApplication.sendPostedEvents()

    def _size_inspector(self) -> None:
        dock = self._docks.get(KEPT_DOCKS[0])
        if self.active and dock is not None:
            area = self._window.dockWidgetArea(dock)
            vertical = area in (Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
            size = self._window.height() if vertical else self._window.width()
            orientation = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
            self._window.resizeDocks([dock], [round(INSPECTOR_SHARE * size)], orientation)


__all__ = ["DEFAULT_SCALE", "SCALES", "Presentation", "saved_scale"]
