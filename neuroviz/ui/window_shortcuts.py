"""A panel's keyboard actions installed on its main window, and the names of keys for tooltips and help.

A dock's actions only fire while the dock has focus; installed on the main
window they work anywhere in it, even with the dock closed.  The panel may be
created before it is docked, so the actions move whenever its parent changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget


def key_name(key: str) -> str:
    """A key as the platform writes it ("Ctrl+Return", "Del")."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def with_shortcut(text: str, action: QAction) -> str:
    """A tooltip that names the action's shortcut, if any: ``"Fit to view (F)"``."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{text} ({keys})" if keys else text


class WindowShortcuts(QObject):
    """Keeps ``actions`` of ``owner`` added to the QMainWindow that holds ``owner``."""

    def __init__(self, owner: QWidget, actions: Sequence[QAction]) -> None:
        super().__init__(owner)
        self._owner = owner
        self.actions = tuple(actions)
        self._window: QWidget | None = None
        owner.installEventFilter(self)
        self.install()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._owner and event.type() == QEvent.Type.ParentChange:
            self.install()
        return False

    def install(self) -> None:
        """Move the actions to the owner's current main window (if it has one)."""
        window = self._owner.parentWidget()
        while window is not None and not isinstance(window, QMainWindow):
            window = window.parentWidget()
        if window is None or window is self._window:
            return
        if self._window is not None:
            for action in self.actions:
                self._window.removeAction(action)
        window.addActions(list(self.actions))
        self._window = window


class PanelKeys:
    """The keys a panel answers itself, and what each does, for Help ▸ Keyboard shortcuts.

    ``place`` names where they act, e.g. "Data panel"; it follows each description.
    """

    def __init__(self, panel: QWidget, place: str) -> None:
        self._panel = panel
        self._place = place
        self.help: list[tuple[str, str]] = []
        """(what, key) of every key listed, in the order added."""

    def add(self, key: str, slot: Callable[[], None], what: str) -> QShortcut:
        """A shortcut that acts anywhere in the panel (while it or a child has focus)."""
        shortcut = QShortcut(QKeySequence(key), self._panel, slot)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.note(key, what)
        return shortcut

    def note(self, key: str, what: str, place: str = "") -> None:
        """List a key the panel handles some other way (``place``: where, if not the whole panel)."""
        self.help.append((f"{what} ({place or self._place})", key_name(key)))
