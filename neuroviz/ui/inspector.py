"""The backprop inspector: one update, every number, in the paper's notation.

The panel follows the model's showing state (``AppModel.shown()``): the
update shown (the last traced one, or the one walked through in phases) and
the input and moment shown (the drawing, a sample of the batch or the batch
mean; before or after the update), says which in words, and shows

* the equations with numbers (``neuroviz.core.explain``) for the selected
  neuron or parameter, or for what the current phase computes;
* the loss, with the note on the paper's base-10 logarithm;
* every neuron's raw value, value, δ, p and r of the input and moment shown (``Neurons`` tab);
* one row per parameter: old value, gradient written out, η, Δ, new value and
  the gradient check (``Parameters`` tab) — sortable, filtered by layer, by
  "touches the selected neuron" and top k by |gradient|, exported as CSV.

Selecting a row selects that parameter in the model (the diagram
highlights it); selecting a neuron or parameter anywhere selects and scrolls
to its rows here.

This module is the only part of the inspector that reads the model or
listens to it; the parts it composes are given plain data: the phase walk's
buttons and phase list (``phase_bar``), the walk's questions (``quiz_panel``, over the
model's ``Quiz``), the equations
(``inspector_equations``), the two tables (``inspector_tabs``), the
gradient check's runner (``gradient_check_runner``) and the header and loss
texts (``inspector_texts``).  Every number they show comes from the core.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from neuroviz.core.explain import Explainer, Progress
from neuroviz.core.numbers import count
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_check import CheckQueue, UpdateCheck
from neuroviz.core.update_table import Outcome, UpdateTable
from neuroviz.model import AppModel, Shown
from neuroviz.model.quiz_questions import Question
from neuroviz.ui.binding import subscribe
from neuroviz.ui.gradient_check_runner import GradientCheckRunner
from neuroviz.ui.inspector_equations import EquationsView
from neuroviz.ui.inspector_optimiser import optimiser_sections, without_repeats
from neuroviz.ui.inspector_tabs import NeuronView, ParameterTab
from neuroviz.ui.inspector_texts import header_html, loss_html, outcome_text
from neuroviz.ui.math_text import to_html
from neuroviz.ui.on_screen import ComesIntoView, on_screen
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.phase_bar import PhaseBar, PhaseTrack
from neuroviz.ui.quiz_panel import QuizPanel
from neuroviz.ui.window_shortcuts import PanelKeys, WindowShortcuts, with_shortcut

WIDE_RATIO = 1.6
"""A panel wider than this times its height puts the equations beside the tables."""
EQUATIONS_SHARE_WIDE = 0.36
"""The equations' share of the width beside the tables (the tables show the written-out column whole)."""


class InspectorPanel(QWidget):
    """The inspector dock's widget, over one ``AppModel``."""

    def __init__(self, model: AppModel, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.settings = settings
        """Where the quiz's level is kept (the window's settings; ``None``: not kept)."""
        self.model = model
        self.keys = PanelKeys(self, "inspector")
        self.trace: StepTrace | None = None
        self.table: UpdateTable | None = None
        self.explainer: Explainer | None = None
        self.progress: Progress | None = None
        self.check: UpdateCheck | None = None
        self.shown: Shown | None = None
        """The numbers shown (the model's ``shown()`` at the last refresh)."""
        self.sample = 0
        """The sample of the batch whose products the Parameters tab writes out (0-based)."""
        self._stale = False
        self._last_phase: Phase | None = None
        self._syncing = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        ComesIntoView(self, self._schedule_refresh)
        self._checker = GradientCheckRunner(self)
        self._checker.progressed.connect(self._on_check_progress)
        self._build()
        self._palette_colours()
        subscribe(self, model.walk.changed, self._on_walk_changed)
        for signal in (model.stepped, model.document.network_changed, model.drawing.changed, model.time.changed,
                       model.showing.changed):
            subscribe(self, signal, self._schedule_refresh)
        subscribe(self, model.document.dataset_changed, self._show_walk)  # Walk needs training samples
        subscribe(self, model.document.architecture_changed, self._on_architecture_changed)
        subscribe(self, model.view.selection_changed, self._on_selection)
        self.refresh()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)

        self.header = QLabel()
        self.header.setObjectName("inspectorHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()  # the header, then the batch's sample shown
        top.addWidget(self.header, 1)
        layout.addLayout(top)

        s = self.model
        bar = QHBoxLayout()
        bar.setSpacing(3)
        self.phase_bar = PhaseBar({
            "walk": self._action("Walk", "W", "Walk through the next update phase by phase", self._walk),
            "back": self._action("◀ Back", "B", "Show the previous phase", s.previous_phase),
            "next": self._action("Next ▶", "N", "Show the next phase (starts a walk if none)", self._next),
            "finish": self._action("Finish", "F", "Complete the update: apply it, exactly as a direct step",
                                   s.finish_phased_step),
            "cancel": self._action("Cancel", "C", "Drop the walked update: nothing is applied",
                                   s.cancel_phased_step),
        })
        # The walk's keys work anywhere in the window (a walk also starts from the Input image panel).
        self.window_shortcuts = WindowShortcuts(self, list(self.phase_bar.actions_by_name.values()))
        self.buttons = self.phase_bar.buttons
        bar.addWidget(self.phase_bar)
        self.phase_track = PhaseTrack()  # beside the buttons: the tables keep the height
        self.phase_track.phasePicked.connect(self._on_phase_picked)
        bar.addWidget(self.phase_track, 1)
        self.quiz_panel = QuizPanel(s.quiz, s.next_phase, self._on_question, self.settings)  # predict, then reveal
        bar.addWidget(self.quiz_panel.level_box)
        self.showing_label = QLabel()
        self.showing_label.setObjectName("inspectorShowing")
        self.showing_label.setWordWrap(True)
        self.showing_label.setToolTip("Which input at which moment the values, δ and equations are of "
                                      "(switched in the Showing bar); gradients and Δ are always the update's")
        self.sample_info = QLabel()
        self.sample_info.setObjectName("inspectorSampleInfo")
        self.sample_info.setToolTip("The input's true class r and the class the network predicts for it (largest p)")
        top.addWidget(self.showing_label, 1)
        top.addWidget(self.sample_info)
        layout.addLayout(bar)
        layout.addWidget(self.quiz_panel)
        self.keys.note("Return", "Check the prediction; in the empty field, the next phase", "answer field")
        self.keys.note("Esc", "Skip the question", "answer field")

        self.loss_label = QLabel()
        self.loss_label.setObjectName("inspectorLoss")
        self.loss_label.setTextFormat(Qt.TextFormat.RichText)
        self.loss_label.setWordWrap(True)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        # the loss heads the equations (not the whole panel), so the tables keep the height
        explained = QWidget()
        explained_layout = QVBoxLayout(explained)
        explained_layout.setContentsMargins(0, 0, 0, 0)
        explained_layout.setSpacing(2)
        explained_layout.addWidget(self.loss_label)
        self.equations = EquationsView()
        explained_layout.addWidget(self.equations, 1)
        self.latex_action = self._action("Copy equations as LaTeX", "Ctrl+Shift+C",
                                         "Copy the equations shown as a LaTeX aligned environment",
                                         self.equations.copy_latex, window_wide=False)
        self.equations.menu_actions.append(self.latex_action)
        splitter.addWidget(explained)

        self.parameters = ParameterTab()
        self.parameters.rowPicked.connect(self._on_parameter_picked)
        self.parameters.filtered.connect(self._on_filtered)
        self.parameters.checkClicked.connect(self._toggle_check)
        self.neuron_view = NeuronView()
        self.neuron_view.rowPicked.connect(self._on_neuron_picked)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(False)  # a narrow panel shortens the tab titles instead
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.addTab(self.parameters, "Parameters")
        self.tabs.addTab(self.neuron_view, "Neurons")
        self.tabs.setCornerWidget(self.parameters.corner)  # beside the tabs: the rows keep the height
        self.tabs.installEventFilter(self)  # short corner texts where the full ones would cut the tabs' titles
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        # the parts' widgets, as the panel has always named them
        p = self.parameters
        self.table_model, self.view, self.count_label = p.table_model, p.view, p.count_label
        self.layer_combo, self.touch_check, self.top_spin = p.layer_combo, p.touch_check, p.top_spin
        self.check_button, self.export_button = p.check_button, p.export_button
        self.neuron_model = self.neuron_view.neuron_model

    def key_help(self) -> list[tuple[str, str]]:
        """(what, key) of the keys that act inside the panel; the walk's keys are window shortcuts."""
        return list(self.keys.help)

    def menu_entries(self) -> list[MenuEntry]:
        """The panel adds nothing to the window's menus."""
        return []

    def _action(self, text: str, key: str, tip: str, slot: Callable[[], object], window_wide: bool = True) -> QAction:
        """An action of the panel: its key acts in the whole window, or (not ``window_wide``) in the panel, listed."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut if window_wide
                                  else Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(with_shortcut(tip, action))
        if not window_wide:
            self.keys.note(key, tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # --------------------------------------------------------------- refresh
    def _schedule_refresh(self, *_args: object) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "parameters"):
            self._palette_colours()

    def _palette_colours(self) -> None:
        """Sign and band colours that read on this palette (light or dark)."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        self.parameters.set_dark(dark)
        self.neuron_view.set_dark(dark)
        self._update_loss()  # its note is in the quiet colour

    def _on_walk_changed(self) -> None:
        self._show_walk()  # the buttons follow the phase at once; the tables on the next tick
        phase, last = self.model.phase, self._last_phase
        if phase is not None and (last is None or (phase.kind == "update") != (last.kind == "update")):
            # forward, loss and δ are about neurons, the update about parameters: switch when that
            # changes, so a tab the user picks stays while walking through the layers
            self.tabs.setCurrentIndex(0 if phase.kind == "update" else 1)
        self._last_phase = phase
        self._schedule_refresh()

    def _on_architecture_changed(self) -> None:
        self.parameters.clear_anchor()
        self.shown = None  # the old network's numbers: a selection cleared before the refresh must not read them
        self._schedule_refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Equations above the tables in a tall dock, beside them in a wide one (e.g. docked at the bottom)."""
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() > WIDE_RATIO * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            total = size.width() if wide else size.height()
            share = EQUATIONS_SHARE_WIDE if wide else 0.45
            self.splitter.setSizes([int(total * share), int(total * (1 - share))])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tabs and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            bar = self.tabs.tabBar()
            self.parameters.fit_corner(self.tabs.width() - sum(bar.tabSizeHint(i).width() for i in range(bar.count())))
        return super().eventFilter(watched, event)

    def _current(self) -> tuple[Shown | None, Progress | None]:
        s = self.model
        shown = s.shown()
        trace = shown.update
        if trace is not None and tuple(w.shape for w in trace.weights_before) != tuple(
                w.shape for w in s.network.weights):
            return None, None
        return shown, shown.progress(s.phase)

    def refresh(self) -> None:
        """Show the model's pending or last update (cheap if it is the one already shown).

        A panel that cannot be seen (a closed dock, or a tab behind another)
        does nothing until it comes into view.
        """
        self._refresh_timer.stop()
        if not on_screen(self):
            self._stale = True
            return
        shown, progress = self._current()
        trace = None if shown is None else shown.update
        self.shown = shown
        sample = shown.showing.sample if shown is not None and shown.showing.input == "sample" else 0
        if trace is not self.trace:
            self.sample = sample
            self._show_trace(trace, progress)
        else:
            if progress != self.progress or sample != self.sample:
                self.progress, self.sample = progress, sample
                self.parameters.set_progress(progress, sample)
            if self._stale:
                self._on_selection(self.model.selection, render=False)
        self._update_neurons()
        self._stale = False
        self._update_texts()

    def _show_trace(self, trace: StepTrace | None, progress: Progress | None) -> None:
        self._stop_check()
        self.trace, self.progress, self.check = trace, progress, None
        s = self.model
        if trace is None or self.shown is None:
            self.table = self.explainer = None
            self.parameters.show_table(None, None, 0)
            return
        self.table = self.shown.update_table
        self.explainer = Explainer(trace, s.config)
        self.parameters.update_number = self.shown.number
        self.parameters.show_table(self.table, progress, self.sample)
        self._on_selection(s.selection, render=False)

    def _update_neurons(self) -> None:
        if self.trace is None or self.shown is None:
            self.neuron_view.clear_neurons()
            return
        phase = self.model.phase if self.progress is not None else None
        self.neuron_view.show_neurons(self.shown.neuron_table(), self.progress, -1 if phase is None else phase.layer)

    # ------------------------------------------------------------ the texts
    def _update_texts(self) -> None:
        self._update_header()
        self._show_walk()
        self._update_loss()
        self.parameters.update_count()
        self._render_equations()

    def _update_header(self) -> None:
        t, shown = self.trace, self.shown
        if shown is None:
            self.header.setText(header_html(None, 0, False))
            self.showing_label.setText("")
            self.sample_info.setText("")
            return
        if t is None and shown.number:
            self.header.setText(f"<b>Update {count(shown.number)}</b> came without a trace (fast training or an edit "
                                "since the last traced update). Step, or walk through one (<b>W</b>), to see every "
                                "number of it.")
        else:
            self.header.setText(header_html(t, shown.number, shown.walking))
        self.showing_label.setText(f"Showing <b>{to_html(shown.words())}</b>")
        outcome = Outcome(shown.target_class, int(np.argmax(shown.probs)))
        one = shown.row is not None  # a batch mean has no one true class
        self.sample_info.setText(outcome_text(outcome, self.model.class_names) if one else "")

    def _show_walk(self) -> None:
        s = self.model
        walking = s.pending_trace is not None
        self.phase_bar.show_walk(s.phases, s.phase, walking, can_start=len(s.dataset.train_indices) > 0)
        self.phase_track.show_walk(s.phases, s.phase, walking)
        self.parameters.set_walking(walking)

    def _update_loss(self) -> None:
        shown = self.shown
        if self.explainer is None or shown is None or shown.trace is None:
            self.loss_label.setText("")
            return
        text, tip = loss_html(Explainer(shown.trace, self.model.config), self.progress, shown.row,
                              self.palette().color(QPalette.ColorRole.PlaceholderText).name())
        self.loss_label.setText(text)
        if tip is not None:
            self.loss_label.setToolTip(tip)

    def _render_equations(self) -> None:
        phase = self.model.phase if self.progress is not None else None
        shown, selection = self.shown, self.model.selection
        sections = [] if shown is None or self.trace is None else shown.sections(self.model.network, selection, phase)
        if sections and self.trace is not None and (phase is None or phase.kind == "update"):
            extra = optimiser_sections(self.trace, selection)  # the selected parameter's, also in a walk
            sections = [*without_repeats(sections[:1], extra), *extra, *sections[1:]]
        self.equations.show_sections(sections, self.trace is not None, selection)

    # ------------------------------------------------------ linked selection
    def _on_selection(self, sel: Selection | None, render: bool = True) -> None:
        if not on_screen(self):
            self._stale = True
            return
        if sel is not None and sel.kind == "neuron":
            self.parameters.set_anchor(sel.layer, sel.m)
        self._select_rows_of(sel, scroll=True)
        if render:
            self._render_equations()

    def _select_rows_of(self, sel: Selection | None, scroll: bool) -> None:
        if self.table is None or self._syncing:
            return
        self._syncing = True  # the tables' selections change: not picks by the user
        try:
            self.parameters.select_rows(sel, scroll)
            self.neuron_view.select_rows(sel, scroll)
        finally:
            self._syncing = False

    def _on_filtered(self) -> None:
        self._select_rows_of(self.model.selection, scroll=True)

    def _on_parameter_picked(self, sel: Selection) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.model.select(sel)  # the equations follow through selectionChanged
        finally:
            self._syncing = False

    def _on_neuron_picked(self, sel: Selection) -> None:
        if not self._syncing:
            self.model.select(sel)

    # ------------------------------------------------------------ phase walk
    def _on_phase_picked(self, index: int) -> None:
        s = self.model
        if s.pending_trace is not None and index < len(s.phases):
            s.walk.show(s.phases[index])

    def _on_question(self, question: Question) -> None:
        """A new question: ring the element asked about and show the sample it is of (not the batch mean)."""
        if question.target is not None:
            self.model.select(question.target)
        if question.sample is not None and self.model.shown().row != question.sample:
            self.model.show("sample", question.sample)

    def _walk(self) -> None:
        if self.model.pending_trace is None:
            self.model.begin_phased_step()

    def _next(self) -> None:
        if self.model.pending_trace is None:
            self.model.begin_phased_step()
        else:
            self.model.next_phase()

    # ------------------------------------------------------- gradient check
    def _toggle_check(self) -> None:
        if self.checking:
            self._stop_check()
            self.parameters.update_count()
            return
        self.start_check()

    def start_check(self) -> None:
        """Check every row (those shown first), a time slice per event-loop tick."""
        if self.table is None:
            return
        if self.check is None:
            self.check = UpdateCheck(self.table, self.model.config)
            self.parameters.set_check(self.check)
        self._checker.start(CheckQueue(self.check, self.table_model.rows))

    def _on_check_progress(self) -> None:
        queue = self._checker.queue
        self.parameters.check_changed()
        self.parameters.show_check_progress(queue.percent if queue is not None and self.checking else None)
        self.parameters.update_count()

    def _stop_check(self) -> None:
        self._checker.stop()
        self.parameters.show_check_progress(None)

    @property
    def checking(self) -> bool:
        """A gradient check is running."""
        return self._checker.running


__all__ = ["InspectorPanel"]
