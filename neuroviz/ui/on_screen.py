"""Whether a panel can be seen, and a call when it comes into view.

A closed dock cannot be seen, and neither can a dock whose tab is behind
another: Qt keeps that one "visible" but places it off the window.  A panel
whose refresh costs something skips it while it cannot be seen (training at
full speed keeps the time for the panels in view) and catches up when it
comes into view.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget


def on_screen(widget: QWidget) -> bool:
    """``widget`` is shown and some of it is in view (not a dock's tab behind another)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class ComesIntoView(QObject):
    """Calls ``callback()`` (soon after, from the event loop) whenever ``widget`` is shown or the dock it
    sits in comes to the front of its tabs."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        self._dock: QDockWidget | None = None
        widget.installEventFilter(self)
        self._watch(widget.parentWidget())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange and isinstance(watched, QWidget):
            self._watch(watched.parentWidget())
        elif event.type() == QEvent.Type.Show:
            self._soon()
        return False

    def _watch(self, parent: QWidget | None) -> None:
        if self._dock is not None:
            self._dock.visibilityChanged.disconnect(self._on_visibility)
        self._dock = parent if isinstance(parent, QDockWidget) else None
        if self._dock is not None:
            self._dock.visibilityChanged.connect(self._on_visibility)

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self._soon()

    def _soon(self) -> None:
        # The dock is placed in view after it says so: ask once the layout is applied.
        QTimer.singleShot(0, self, self._callback)
