"""The phase walk's controls: its buttons, and the list of an update's phases with the current one marked.

``PhaseBar`` lays out the walk's actions (Walk, ◀ Back, Next ▶, Finish,
Cancel) as buttons and enables them as the walk allows; ``PhaseTrack`` lists
the phases (``b → c → L → δ^c → δ^b → update``), the current one
highlighted, the others links while walking.  Both are shown a walk as plain
data: the phases, the current phase and whether an update is being walked.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from neuroviz.core.phases import Phase
from neuroviz.ui.math_text import to_html

BUTTONS = ("walk", "back", "next", "finish", "cancel")
"""The names of the walk's actions, in the order of their buttons."""
Walk = tuple[list[Phase], Phase | None, bool]
"""The phases of one update, the current phase and whether an update is being walked."""


class PhaseBar(QWidget):
    """One button per walk action (``actions``: name in ``BUTTONS`` → action)."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions_by_name = actions
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.buttons: dict[str, QToolButton] = {}
        for name in BUTTONS:
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setObjectName(f"inspector_{name}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            layout.addWidget(button)
            self.buttons[name] = button

    def show_walk(self, phases: list[Phase], phase: Phase | None, walking: bool, can_start: bool = True) -> None:
        """Enable what the walk allows; Next reads Apply at the last phase.

        ``can_start``: a new walk can begin (there are training samples to take a mini-batch from);
        Walk, and Next outside a walk, are disabled when not.
        """
        a = self.actions_by_name
        a["back"].setEnabled(walking and phase != phases[0])
        a["finish"].setEnabled(walking)
        a["cancel"].setEnabled(walking)
        a["walk"].setEnabled(not walking and can_start)
        a["next"].setEnabled(walking or can_start)
        a["next"].setText("Apply ▶" if walking and phase == phases[-1] else "Next ▶")


class PhaseTrack(QLabel):
    """``Phases: b → c → L → …``; while walking, the current phase highlighted and the others links.

    ``phasePicked(i)`` is emitted when the user clicks phase ``i``.
    """

    phasePicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPhases")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)  # deep networks have many phases
        self.setToolTip("The phases of one update: forward layer by layer, the loss, "
                        "δ layer by layer from the output, the update. While walking, "
                        "click a phase to go there")
        self._walk: Walk = ([], None, False)
        self.linkActivated.connect(self._on_link)

    def show_walk(self, phases: list[Phase], phase: Phase | None, walking: bool) -> None:
        self._walk = (phases, phase, walking)
        palette = self.palette()
        hl = palette.color(QPalette.ColorRole.Highlight).name()
        hl_text = palette.color(QPalette.ColorRole.HighlightedText).name()
        fg = palette.color(QPalette.ColorRole.WindowText).name()
        items = []
        for i, p in enumerate(phases):
            text = to_html(p.short_title())
            if walking and p == phase:
                text = f"<span style='background:{hl}; color:{hl_text}'>&nbsp;<b>{text}</b>&nbsp;</span>"
            elif walking:
                text = f"<a href='{i}' style='color:{fg}; text-decoration:none'>{text}</a>"
            items.append(text)
        title = f"<b>{to_html(phase.title())}</b>" if walking and phase is not None else "Phases"
        self.setText(f"{title}: " + " → ".join(items))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.show_walk(*self._walk)  # the colours are the palette's

    def _on_link(self, link: str) -> None:
        if link.isdigit() and int(link) < len(self._walk[0]):
            self.phasePicked.emit(int(link))


__all__ = ["BUTTONS", "PhaseBar", "PhaseTrack"]
