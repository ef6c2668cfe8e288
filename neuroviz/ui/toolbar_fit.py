"""A toolbar that fits its window: short button texts when the full ones would overflow behind ».

``CompactWhenNarrow(bar, short)`` watches a horizontal toolbar.  While the
toolbar is wide enough for every action's full text it shows them; when it
is not (a 1024-pixel laptop screen), each action in ``short`` shows its short
text instead (the paper's symbol: θ, ∂L/∂θ, Δθ, δ), its tooltip and its menu
entry keep the full words.  The width the full texts need is the toolbar's
size hint plus what the short texts save, measured in the buttons' fonts, so
the choice does not flicker as the texts change.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar


def full_text(action: QAction) -> str:
    """The action's text as a button shows it (without the mnemonic's &)."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


class CompactWhenNarrow(QObject):
    """Short texts on ``bar``'s buttons for the actions of ``short`` whenever the full ones do not fit."""

    def __init__(self, bar: QToolBar, short: dict[QAction, str]) -> None:
        super().__init__(bar)
        self._bar = bar
        self._short = dict(short)
        self.compact = False
        """True while the short texts are shown."""
        bar.installEventFilter(self)

    def full_width(self) -> int:
        """Pixels the toolbar needs to show every action with its full text."""
        width = self._bar.sizeHint().width()
        if not self.compact:
            return width
        for action, short in self._short.items():
            button = self._bar.widgetForAction(action)
            if button is not None:
                metrics = button.fontMetrics()
                width += metrics.horizontalAdvance(full_text(action)) - metrics.horizontalAdvance(short)
        return width

    def fit(self) -> None:
        """Show the full texts if they fit the toolbar's width, else the short ones."""
        bar = self._bar
        compact = bar.orientation() == Qt.Orientation.Horizontal and self.full_width() > bar.width()
        if compact == self.compact:
            return
        self.compact = compact
        for action, short in self._short.items():
            action.setIconText(short if compact else full_text(action))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._bar and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.fit()
        return False
