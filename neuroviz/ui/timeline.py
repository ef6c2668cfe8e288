"""The timeline strip: step back through training and jump to any recorded update.

A row over the model's ``history``: ◀ (step back, ←), a slider over every
recorded moment, ▶ (the training controls' Step, →: the next recorded update,
or a new one at the newest), the readout "update 63 of 100" and a menu of
the kept branches.  Dragging the slider shows each moment as it passes: the
diagram, the inspector, the loss curve's marker, the prediction and the
status bar follow the model's ``time.changed``/``network_changed`` signals.
The drawing stays the user's: scrubbing shows its prediction at each moment
(the update's batch is shown through the showing control instead).

Training or stepping from a past moment follows the model's fork policy (in
the window: ``fork_dialog.ask_fork`` asks whether to discard the later
updates or keep them as a branch); the History menu's Branches entries
return to a kept one.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from neuroviz.core.history import Branch
from neuroviz.core.numbers import count, fixed, plural
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.theme import mute
from neuroviz.ui.training_loop import TrainingLoop
from neuroviz.ui.window_shortcuts import WindowShortcuts, with_shortcut

MIB = 2**20
GROOVE_HEIGHT = 4
"""Pixels of the slider's groove (the part not reached yet) and of its filled part."""


def slider_style(palette: QPalette) -> str:
    """The timeline slider drawn in ``palette``'s colours: the groove in the quiet text colour and the part
    up to the handle in the highlight, both at 4.5:1 or more against the panel in either theme (the style's
    own groove was a shade of the panel's colour, nearly invisible in the dark theme)."""
    groove = palette.color(QPalette.ColorRole.PlaceholderText).name()
    filled = palette.color(QPalette.ColorRole.Highlight).name()
    handle = palette.color(QPalette.ColorRole.Button).name()
    edge = palette.color(QPalette.ColorRole.WindowText).name()
    r = GROOVE_HEIGHT // 2
    return (f"QSlider::groove:horizontal {{ height: {GROOVE_HEIGHT}px; background: {groove}; border-radius: {r}px; }}"
            f"QSlider::sub-page:horizontal {{ background: {filled}; border-radius: {r}px; }}"
            f"QSlider::handle:horizontal {{ width: 12px; margin: -6px 0; border-radius: 7px; background: {handle};"
            f" border: 1px solid {edge}; }}")



def branch_text(model: AppModel, branch: Branch) -> str:
    """``From update 63: 37 later moments (to update 100)``, a Branches menu entry."""
    n = branch.n_events
    on_timeline = model.time.history.can_switch(branch)
    if on_timeline:
        start = f"update {count(model.time.update_number(branch.fork))}"
    else:
        start = f"update {count(int(branch.hist_steps[0]) - 1)}" if len(branch.hist_steps) else "an earlier timeline"
    text = f"From {start}: {plural(n, 'later moment')}"
    if len(branch.hist_steps):
        text += f" (to update {count(int(branch.hist_steps[-1]))})"
    return text if on_timeline else text + " — not on this timeline"


class Timeline(QWidget):
    """The timeline strip over ``model.time.history`` (see the module docstring)."""

    def __init__(self, model: AppModel, loop: TrainingLoop, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.model = model
        self.loop = loop
        self._make_actions()
        self._build()
        subscribe(self, model.time.changed, self.sync)
        subscribe(self, model.document.architecture_changed, self.sync)
        self.sync()

    # ---------------------------------------------------------------- actions
    def _make_actions(self) -> None:
        icon = self.style().standardIcon
        px = QStyle.StandardPixmap
        self.back_action = QAction(icon(px.SP_MediaSkipBackward), "Step &back", self)
        self.back_action.setObjectName("stepBackAction")
        self.back_action.setShortcut(QKeySequence(Qt.Key.Key_Left))
        self.back_action.setToolTip(with_shortcut(
            "Go back one update: the network and its numbers as they were (your drawing stays)", self.back_action))
        self.back_action.triggered.connect(self.model.step_back)
        self.start_action = QAction("Go to the &start", self)
        self.start_action.setObjectName("goToStartAction")
        self.start_action.setShortcut(QKeySequence("Ctrl+Home"))
        self.start_action.setToolTip(with_shortcut("Go to the oldest recorded moment", self.start_action))
        self.start_action.triggered.connect(lambda: self.model.go_to(self.model.time.history.first))
        self.newest_action = QAction("Go to the &newest", self)
        self.newest_action.setObjectName("goToNewestAction")
        self.newest_action.setShortcut(QKeySequence("Ctrl+End"))
        self.newest_action.setToolTip(with_shortcut("Go to the newest update, where training goes on",
                                                    self.newest_action))
        self.newest_action.triggered.connect(lambda: self.model.go_to(self.model.time.history.last))
        self.shortcut_actions = (self.back_action, self.start_action, self.newest_action)
        for action in self.shortcut_actions:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.branch_menu = QMenu("&Branches", self)
        self.branch_menu.setObjectName("branchMenu")
        self.branch_menu.setToolTipsVisible(True)
        self.branch_menu.aboutToShow.connect(self._fill_branch_menu)
        # ←, Ctrl+Home and Ctrl+End work anywhere in the main window, even with the strip hidden.
        self.window_shortcuts = WindowShortcuts(self, self.shortcut_actions)

    def menu_entries(self) -> list[MenuEntry]:
        """The History menu's commands: ◀ first, the training controls' Step (order 1) after it."""
        return [MenuEntry("History", 0, self.back_action), MenuEntry("History", 2, self.start_action),
                MenuEntry("History", 3, self.newest_action),
                MenuEntry("History", 4, submenu=self.branch_menu, separator_before=True)]

    def key_help(self) -> list[tuple[str, str]]:
        """The timeline's keys are window shortcuts, listed with the History menu."""
        return []

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        # Text arrows: they take the palette's text colour, in the dark theme too.
        self.back_button = QToolButton(self)
        self.back_button.setObjectName("timelineBackButton")
        self.back_button.setText("◀")
        self.back_button.setToolTip(self.back_action.toolTip())
        self.back_button.clicked.connect(self.back_action.trigger)
        self.back_action.changed.connect(lambda: self.back_button.setEnabled(self.back_action.isEnabled()))
        self.forward_button = QToolButton(self)
        self.forward_button.setObjectName("timelineForwardButton")
        self.forward_button.setText("▶")
        self.forward_button.setToolTip("Go to the next recorded update; at the newest, make a new one (→)")
        self.forward_button.clicked.connect(self.loop.step_once)
        for button in (self.back_button, self.forward_button):
            button.setAutoRaise(True)
            button.setMinimumWidth(28)

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timelineSlider")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← and → are the window's keys
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setToolTip("Drag to any recorded update: everything shows that moment")
        self.slider.valueChanged.connect(self._on_slider)
        self._style_slider()

        self.readout = QLabel(self)
        self.readout.setObjectName("timelineReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.memory_label = QLabel(self)
        self.memory_label.setObjectName("timelineMemory")
        mute(self.memory_label)

        self.branch_button = QToolButton(self)
        self.branch_button.setObjectName("branchButton")
        self.branch_button.setMenu(self.branch_menu)
        self.branch_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.branch_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.branch_button.setToolTip("Return to updates kept as a branch when training went on from the past")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(self.back_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.forward_button)
        layout.addSpacing(6)
        layout.addWidget(self.readout)
        layout.addWidget(self.branch_button)
        layout.addSpacing(6)
        layout.addWidget(self.memory_label)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.sync()  # the readout's HTML names the quiet colour
            self._style_slider()
        super().changeEvent(event)

    # ---------------------------------------------------------------- syncing
    def sync(self) -> None:
        """Show the model's place on its timeline."""
        s = self.model
        h = s.time.history
        with QSignalBlocker(self.slider):
            self.slider.setRange(h.first, h.last)
            self.slider.setValue(h.position)
            self.slider.setPageStep(max(1, (h.last - h.first) // 20))
        now = s.trainer.step_count
        if h.last == h.first == 0:  # nothing recorded yet
            text = (f"update <b>0</b> <span style='color:{self._muted()}'>· nothing recorded yet: "
                    "Step (→) or Play (Space) adds updates here</span>")
        elif h.at_end:
            text = f"update <b>{count(now)}</b> <span style='color:{self._muted()}'>· newest</span>"
        else:
            newest = s.time.newest_update
            text = (f"update <b>{count(now)}</b> of {count(newest)} "
                    f"<span style='color:{self._muted()}'>· back {count(newest - now)}</span>")
        kind = h.moment.kind if h.moment.position == h.position else h.kind(h.position)
        if kind == "edit":
            text += f" <span style='color:{self._muted()}'>(an edit)</span>"
        self.readout.setText(text)
        widest = f"{count(max(now, s.time.newest_update if not h.at_end else now))}"
        self.readout.setMinimumWidth(  # steady while scrubbing: room for the widest numbers
            self.fontMetrics().horizontalAdvance(f"update {widest} of {widest} · back {widest} (an edit)"))
        first = "" if h.first == 0 else " The oldest updates were forgotten to stay within the memory budget."
        self.readout.setToolTip(f"Moment {count(h.position - h.first)} of {count(h.last - h.first)} recorded.{first}")
        self.back_action.setEnabled(h.position > h.first)
        self.start_action.setEnabled(h.position > h.first)
        self.newest_action.setEnabled(not h.at_end)
        n = len(h.branches)
        self.branch_button.setText(f"Branches ({n})" if n else "No branches")
        self.branch_button.setEnabled(n > 0)
        self.branch_menu.setEnabled(n > 0)
        self.memory_label.setText(f"{fixed(h.memory_bytes / MIB, 1)} of {fixed(h.budget_bytes / MIB, 0)} MiB")
        self.memory_label.setToolTip("Memory the timeline holds, of its budget (Edit ▸ Preferences…)")

    def _style_slider(self) -> None:
        sheet = slider_style(self.palette())
        if sheet != self.slider.styleSheet():
            self.slider.setStyleSheet(sheet)

    def _muted(self) -> str:
        return self.palette().color(QPalette.ColorRole.PlaceholderText).name()

    def _on_slider(self, value: int) -> None:
        self.model.go_to(value)

    def _fill_branch_menu(self) -> None:
        self.branch_menu.clear()
        s = self.model
        for branch in s.time.history.branches:
            action = self.branch_menu.addAction(branch_text(s, branch))
            action.setEnabled(s.time.history.can_switch(branch))
            action.setToolTip("Make these updates the timeline again (the ones they replace become a branch)")
            action.triggered.connect(lambda _=False, b=branch: self.model.go_to(b))
        if not s.time.history.branches:
            none = self.branch_menu.addAction("No branches kept")
            none.setEnabled(False)
