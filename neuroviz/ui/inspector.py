"""The backprop inspector: one update, every number, in the paper's notation.

The panel follows the session's last traced update (``stepped`` /
``last_trace``) or, while an update is walked through in phases, the pending
one (``phase`` / ``pending_trace``), and shows

* the equations with numbers (``neuroviz.core.explain``) for the selected
  neuron or parameter, or for what the current phase computes;
* the loss, with the note on the paper's base-10 logarithm;
* every neuron's raw value, value, δ, p and r (``Neurons`` tab);
* one row per parameter: old value, gradient written out, η, Δ, new value and
  the gradient check (``Parameters`` tab) — sortable, filtered by layer, by
  "touches the selected neuron" and top k by |gradient|, exported as CSV.

Selecting a row selects that parameter in the session (the diagram
highlights it); selecting a neuron or parameter anywhere selects and scrolls
to its rows here.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    QSignalBlocker,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.explain import Equation, Explainer, NeuronTable, Progress
from neuroviz.core.explain_sections import Section, SectionBuilder, row_of
from neuroviz.core.notation import layer_letter, matrix_label, neuron_label
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_check import UpdateCheck
from neuroviz.core.update_table import WEIGHT, UpdateTable, fmt
from neuroviz.io.atomic import atomic_open
from neuroviz.ui.inspector_tables import Col, NeuronTableModel, UpdateTableModel
from neuroviz.ui.math_text import HangingIndent, equation_html, to_html, unicode_exponent
from neuroviz.ui.session import Session
from neuroviz.ui.window_shortcuts import PanelKeys

CHECK_BUDGET_S = 0.02
"""Time per event-loop tick the gradient check may take."""
CHECK_CHUNK = 128
"""Rows the gradient check does between two looks at the clock."""
ROW_HEIGHT_PAD = 6
EXPORT_DIR_KEY = "inspector/exportFolder"
"""QSettings key: the folder of the last CSV export."""
WIDE_RATIO = 1.6
"""A panel wider than this times its height puts the equations beside the tables."""


def _phase_short(phase: Phase) -> str:
    if phase.kind == "forward":
        return layer_letter(phase.layer)
    if phase.kind == "backward":
        return f"δ^{layer_letter(phase.layer)}"
    return "L" if phase.kind == "loss" else "update"


class InspectorPanel(QWidget):
    """The inspector dock's widget, over one ``Session``."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.session = session
        self.keys = PanelKeys(self, "inspector")
        self.trace: StepTrace | None = None
        self.table: UpdateTable | None = None
        self.explainer: Explainer | None = None
        self.neurons: NeuronTable | None = None
        self.progress: Progress | None = None
        self.check: UpdateCheck | None = None
        self.sample = 0
        self.anchor: tuple[int, int] | None = None  # the neuron "touching" filters on
        self._update_number = 0
        self._numbered: tuple[StepTrace | None, int] = (None, 0)  # the last stepped trace and its number
        self._steps_since = 0
        self._stale = False
        self._last_phase: Phase | None = None
        self._syncing = False
        self._check_order = np.empty(0, dtype=np.int64)
        self._check_pos = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._check_timer = QTimer(self)
        self._check_timer.setInterval(0)
        self._check_timer.timeout.connect(self._check_tick)
        self._build()
        self._palette_colours()
        session.stepped.connect(self._on_stepped)
        session.viewChanged.connect(self._on_view_changed)
        session.networkChanged.connect(self._schedule_refresh)
        session.architectureChanged.connect(self._on_architecture_changed)
        session.trained.connect(self._on_trained)
        session.selectionChanged.connect(self._on_selection)
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
        layout.addWidget(self.header)

        bar = QHBoxLayout()
        bar.setSpacing(3)
        self.walk_action = self._action("Walk", "W", "Walk through the next update phase by phase", self._walk)
        self.back_action = self._action("◀ Back", "B", "Show the previous phase", self.session.previous_phase)
        self.next_action = self._action("Next ▶", "N", "Show the next phase (starts a walk if none)", self._next)
        self.finish_action = self._action("Finish", "F", "Complete the update: apply it, exactly as a direct step",
                                          self.session.finish_phased_step)
        self.cancel_action = self._action("Cancel", "Esc", "Drop the walked update: nothing is applied",
                                          self.session.cancel_phased_step)
        self.buttons: dict[str, QToolButton] = {}
        for name, action in (("walk", self.walk_action), ("back", self.back_action), ("next", self.next_action),
                             ("finish", self.finish_action), ("cancel", self.cancel_action)):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setObjectName(f"inspector_{name}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
            self.buttons[name] = button
        bar.addStretch(1)
        self.sample_label = QLabel("Sample")
        self.sample_spin = QSpinBox()
        self.sample_spin.setObjectName("inspectorSample")
        self.sample_spin.setMinimum(1)
        self.sample_spin.setToolTip("The sample of the batch whose values and δ are shown; "
                                    "gradients are always the batch mean")
        self.sample_spin.valueChanged.connect(self._on_sample)
        self.sample_info = QLabel()
        self.sample_info.setObjectName("inspectorSampleInfo")
        self.sample_info.setToolTip("The sample's true class r and the class the network predicted (largest p)")
        bar.addWidget(self.sample_label)
        bar.addWidget(self.sample_spin)
        bar.addWidget(self.sample_info)
        layout.addLayout(bar)

        self.phase_label = QLabel()
        self.phase_label.setObjectName("inspectorPhases")
        self.phase_label.setTextFormat(Qt.TextFormat.RichText)
        self.phase_label.setWordWrap(True)  # deep networks have many phases
        self.phase_label.setToolTip("The phases of one update: forward layer by layer, the loss, "
                                    "δ layer by layer from the output, the update. While walking, "
                                    "click a phase to go there")
        self.phase_label.linkActivated.connect(self._on_phase_link)
        layout.addWidget(self.phase_label)

        self.loss_label = QLabel()
        self.loss_label.setObjectName("inspectorLoss")
        self.loss_label.setTextFormat(Qt.TextFormat.RichText)
        self.loss_label.setWordWrap(True)
        layout.addWidget(self.loss_label)

        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        self.equations = QTextBrowser()
        self.equations.setObjectName("inspectorEquations")
        self.equations.setOpenLinks(False)
        font = self.equations.font()
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.equations.document().setDefaultFont(font)
        self.equations.document().setUndoRedoEnabled(False)
        self._indent = HangingIndent(font)
        self.equations.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.equations.customContextMenuRequested.connect(self._equations_menu)
        self.latex_action = self._action("Copy equations as LaTeX", "Ctrl+Shift+C",
                                         "Copy the equations shown as a LaTeX aligned environment",
                                         self.copy_latex)
        splitter.addWidget(self.equations)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_parameters(), "Parameters")
        self.tabs.addTab(self._build_neurons(), "Neurons")
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

    def key_help(self) -> list[tuple[str, str]]:
        """(what, key) of the phase-walk keys (listed in Help ▸ Keyboard shortcuts)."""
        return list(self.keys.help)

    def _action(self, text: str, key: str, tip: str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{tip} ({key})")
        self.keys.note(key, tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        self.addAction(action)
        return action

    def _build_parameters(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(4)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("inspectorLayer")
        self.layer_combo.setToolTip("Show the parameters between two layers only")
        self.layer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_combo.currentIndexChanged.connect(self._apply_filter)
        filters.addWidget(self.layer_combo)
        self.touch_check = QCheckBox("Touching —")
        self.touch_check.setObjectName("inspectorTouching")
        self.touch_check.setToolTip("Show only the weights and bias attached to the selected neuron")
        self.touch_check.toggled.connect(self._apply_filter)
        filters.addWidget(self.touch_check)
        filters.addWidget(QLabel("Top"))
        self.top_spin = QSpinBox()
        self.top_spin.setObjectName("inspectorTopK")
        self.top_spin.setRange(0, 10_000_000)
        self.top_spin.setSpecialValueText("all")
        self.top_spin.setToolTip("Keep the k parameters with the largest |∂L/∂·| (0: all)")
        self.top_spin.valueChanged.connect(self._apply_filter)
        filters.addWidget(self.top_spin)
        filters.addStretch(1)
        self.check_button = QToolButton()
        self.check_button.setObjectName("inspectorGradCheck")
        self.check_button.setText("Gradient check")
        self.check_button.setToolTip("Compute every gradient again by central finite differences and show "
                                     "the numeric gradient and relative error per row (Ctrl+G)")
        self.check_button.setShortcut(QKeySequence("Ctrl+G"))
        self.check_button.clicked.connect(self._toggle_check)
        filters.addWidget(self.check_button)
        self.export_button = QToolButton()
        self.export_button.setObjectName("inspectorExport")
        self.export_button.setText("Export CSV…")
        self.export_button.setToolTip("Save the rows shown (filtered and sorted) as CSV, full precision")
        self.export_button.clicked.connect(self._export_clicked)
        filters.addWidget(self.export_button)
        box.addLayout(filters)

        self.model = UpdateTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("inspectorParameters")
        self.view.setModel(self.model)
        self._setup_view(self.view)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(Col.PARAM, Qt.SortOrder.AscendingOrder)
        number = self._number_width(self.view)
        widths = {Col.PARAM: 76, Col.OLD: number, Col.GRAD: number, Col.ETA: 44, Col.DELTA: number,
                  Col.NEW: number, Col.PRODUCT: 250, Col.NUMERIC: number, Col.REL_ERROR: 78}
        for col, w in widths.items():
            self.view.setColumnWidth(col, w)
        self.view.selectionModel().currentRowChanged.connect(self._on_parameter_row)
        box.addWidget(self.view, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("inspectorCount")
        self.count_label.setWordWrap(True)
        box.addWidget(self.count_label)
        return page

    def _build_neurons(self) -> QWidget:
        self.neuron_model = NeuronTableModel(self)
        self.neuron_view = QTableView()
        self.neuron_view.setObjectName("inspectorNeurons")
        self.neuron_view.setModel(self.neuron_model)
        self._setup_view(self.neuron_view)
        number = self._number_width(self.neuron_view)
        for col, w in enumerate((64, number, number, number, number, 40)):
            self.neuron_view.setColumnWidth(col, w)
        self.neuron_view.selectionModel().currentRowChanged.connect(self._on_neuron_row)
        return self.neuron_view

    @staticmethod
    def _number_width(view: QTableView) -> int:
        """A column width that shows the widest numbers in full: six digits, sign and a power of ten."""
        fm = view.fontMetrics()
        return max(fm.horizontalAdvance(text) for text in ("−4.07587×10⁻¹⁰", "−0.000243072")) + 14

    def _setup_view(self, view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = view.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(view.fontMetrics().height() + ROW_HEIGHT_PAD)
        hh = view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setHighlightSections(False)
        hh.setStretchLastSection(True)

    # --------------------------------------------------------------- refresh
    def _schedule_refresh(self, *_args: object) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "neuron_model"):
            self._palette_colours()
            self._update_phase_bar()

    def _palette_colours(self) -> None:
        """Sign and band colours that read on this palette (light or dark)."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        self.neuron_model.band = QColor("#4a4020") if dark else QColor(255, 241, 204)
        self.model.colours.set_dark(dark)
        self.neuron_model.colours.set_dark(dark)

    def _on_view_changed(self) -> None:
        self._update_phase_bar()  # the buttons follow the phase at once; the tables on the next tick
        phase, last = self.session.phase, self._last_phase
        if phase is not None and (last is None or (phase.kind == "update") != (last.kind == "update")):
            # forward, loss and δ are about neurons, the update about parameters: switch when that
            # changes, so a tab the user picks stays while walking through the layers
            self.tabs.setCurrentIndex(0 if phase.kind == "update" else 1)
        self._last_phase = phase
        self._schedule_refresh()

    def _on_architecture_changed(self) -> None:
        self.anchor = None
        with QSignalBlocker(self.touch_check):
            self.touch_check.setChecked(False)
        self.touch_check.setEnabled(False)
        self.touch_check.setText("Touching —")
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
            self.splitter.setSizes([int(total * 0.45), int(total * 0.55)])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._schedule_refresh()

    def _current(self) -> tuple[StepTrace | None, Progress | None]:
        s = self.session
        trace, progress = (s.pending_trace, Progress.at(s.phase, s.network.n_layers)) if s.pending_trace is not None \
            else (s.last_trace, None)
        if trace is not None and tuple(w.shape for w in trace.weights_before) != tuple(
                w.shape for w in s.network.weights):
            return None, None
        return trace, progress

    def refresh(self) -> None:
        """Show the session's pending or last update (cheap if it is the one already shown).

        A hidden panel (a closed dock, or a tab behind another) does nothing
        until it is shown again.
        """
        self._refresh_timer.stop()
        if not self.isVisible():
            self._stale = True
            return
        trace, progress = self._current()
        if trace is not self.trace:
            self._show_trace(trace, progress)
        else:
            if progress != self.progress:
                self.progress = progress
                self.model.set_progress(progress)
                self._update_neurons()
            if self._stale:
                self._on_selection(self.session.selection, render=False)
        self._stale = False
        self._update_texts()

    def _show_trace(self, trace: StepTrace | None, progress: Progress | None) -> None:
        self._stop_check()
        self.trace, self.progress, self.check = trace, progress, None
        s = self.session
        if trace is None:
            self.table = self.explainer = self.neurons = None
            self.model.set_table(None, None)
            self.neuron_model.set_table(None, None)
            self._fill_layer_combo(0)
            return
        if self._numbered[0] is trace:
            self._update_number = self._numbered[1]
        else:
            self._update_number = s.trainer.step_count + (1 if s.pending_trace is trace else 0)
        self._steps_since = 0
        self.table = UpdateTable.from_trace(trace)
        self.explainer = Explainer(trace, s.config)
        self.sample = min(self.sample, trace.batch_size - 1)
        self._fill_layer_combo(len(trace.weights_before))
        with QSignalBlocker(self.sample_spin):
            self.sample_spin.setMaximum(trace.batch_size)
            self.sample_spin.setValue(self.sample + 1)
        self.model.set_table(self.table, progress, None, self.sample, *self._filter_args())
        self._update_neurons()
        self._on_selection(s.selection, render=False)

    def _fill_layer_combo(self, n_matrices: int) -> None:
        if self.layer_combo.count() == n_matrices + 1:
            return
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            self.layer_combo.addItem("All layers", None)
            for l in range(n_matrices):
                self.layer_combo.addItem(
                    f"{matrix_label(l, 'unicode')}, β{_sup(layer_letter(l + 1))}  "
                    f"({layer_letter(l)} → {layer_letter(l + 1)})", l)

    def _update_neurons(self) -> None:
        if self.trace is None:
            return
        self.neurons = NeuronTable.from_trace(self.trace, self.sample)
        phase = self.session.phase if self.progress is not None else None
        highlight = phase.layer if phase is not None and phase.kind in ("forward", "backward") else -1
        moved = highlight != self.neuron_model.highlight_layer
        self.neuron_model.set_table(self.neurons, self.progress, highlight)
        if moved and highlight >= 0:  # the walk moved on: show the layer it computes
            first = self.neuron_model.index(self.neuron_model.row_of(highlight, 0), 0)
            self.neuron_view.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtTop)

    def _on_stepped(self, trace: StepTrace) -> None:
        self._numbered = (trace, self.session.trainer.step_count)
        self._schedule_refresh()

    def _on_trained(self, n: int) -> None:
        self._steps_since += n
        self._update_header()

    def _on_sample(self, value: int) -> None:
        self.sample = value - 1
        self.model.set_progress(self.progress, self.sample)
        self._update_neurons()
        self._update_texts()

    # ------------------------------------------------------------ the texts
    def _update_texts(self) -> None:
        self._update_header()
        self._update_phase_bar()
        self._update_loss()
        self._update_count()
        self.render_equations()

    def _update_header(self) -> None:
        s = self.session
        t = self.trace
        batched = t is not None and t.batch_size > 1
        self.sample_label.setVisible(batched)
        self.sample_spin.setVisible(batched)
        self.sample_info.setVisible(batched)
        if batched:
            self.sample_info.setText(self._sample_text())
        if t is None:
            self.header.setText("<b>No update yet.</b> Take a step, or walk through one in phases "
                                "(<b>W</b>), to see every number of it.")
            return
        parts = []
        if s.pending_trace is t:
            parts.append(f"<b>Update {self._update_number}</b> — walking through it, not applied yet")
        else:
            parts.append(f"<b>Update {self._update_number}</b>")
        parts.append(f"batch of {t.batch_size}" if batched else "one sample")
        parts.append(f"η = {fmt(t.lr)}")
        if batched:
            parts.append("gradients are batch means")
        if self._steps_since and s.pending_trace is not t:
            parts.append(f"<span style='color:#8a919c'>{self._steps_since:,} faster updates since</span>")
        self.header.setText(" · ".join(parts))

    def _sample_text(self) -> str:
        """``r: circle · predicted: square`` for the shown sample."""
        t = self.trace
        assert t is not None
        names = self.session.class_names
        true = int(np.argmax(t.targets[self.sample]))
        guess = int(np.argmax(t.probs[self.sample]))

        def name(k: int) -> str:
            return names[k] if k < len(names) else str(k)

        mark = "✓" if true == guess else "✗"
        return f"r: {name(true)} · predicted: {name(guess)} {mark}"

    def _update_phase_bar(self) -> None:
        s = self.session
        walking = s.pending_trace is not None
        self.back_action.setEnabled(walking and s.phase != s.phases[0])
        self.finish_action.setEnabled(walking)
        self.cancel_action.setEnabled(walking)
        self.walk_action.setEnabled(not walking)
        self.next_action.setText("Apply ▶" if walking and s.phase == s.phases[-1] else "Next ▶")
        self.export_button.setEnabled(self.table is not None and not walking)
        self.check_button.setEnabled(self.table is not None)
        hl = self.palette().color(QPalette.ColorRole.Highlight).name()
        hl_text = self.palette().color(QPalette.ColorRole.HighlightedText).name()
        fg = self.palette().color(QPalette.ColorRole.WindowText).name()
        items = []
        for i, phase in enumerate(s.phases):
            text = to_html(_phase_short(phase))
            if walking and phase == s.phase:
                text = f"<span style='background:{hl}; color:{hl_text}'>&nbsp;<b>{text}</b>&nbsp;</span>"
            elif walking:
                text = f"<a href='{i}' style='color:{fg}; text-decoration:none'>{text}</a>"
            items.append(text)
        title = f"<b>{to_html(s.phase.title())}</b>" if walking and s.phase is not None else "Phases"
        self.phase_label.setText(f"{title}: " + " → ".join(items))

    def _update_loss(self) -> None:
        ex, p = self.explainer, self.progress
        if ex is None:
            self.loss_label.setText("")
            return
        if p is not None and not p.loss:
            self.loss_label.setText("<b>Loss</b>: not computed yet")
            return
        eq = ex.loss(self.sample)
        text = f"<b>Loss</b> &nbsp;{to_html(eq.text())}"
        if ex.batch_size > 1:
            text += f" &nbsp;·&nbsp; batch mean L = {to_html(fmt(self.trace.loss))}"  # type: ignore[union-attr]
        if self.session.config.loss == "cross_entropy":
            text += ("<br><span style='color:#8a919c'>ln, the natural logarithm: the paper's −log(0.6) ≈ 0.22 "
                     "is base 10; −ln 0.6 = 0.5108</span>")
        self.loss_label.setText(text)
        self.loss_label.setToolTip(eq.note)

    def _update_count(self) -> None:
        if self.table is None:
            self.count_label.setText("")
            return
        shown, total = self.model.rowCount(), len(self.table)
        text = f"{shown:,} of {total:,} parameters"
        if self.trace is not None and self.trace.batch_size > 1:
            text += f" · ∂L/∂· is the mean over the batch of {self.trace.batch_size}"
        if self.check is not None:
            done = self.check.checked
            if done:
                worst = unicode_exponent(fmt(self.check.max_relative_error(), 2))
                text += f" · checked {done:,}: max rel. error {worst}"
        self.count_label.setText(text)

    # -------------------------------------------------------------- equations
    def equation_texts(self) -> list[str]:
        """The one-line text of every equation shown (for tests and copying)."""
        return [eq.text() for _, eqs in self._sections() for eq in eqs]

    def render_equations(self) -> None:
        sections = self._sections()
        if self.explainer is None:
            self.equations.setHtml("<p style='color:#8a919c'>The equations of the update appear here, "
                                   "in the paper's notation, with every number.</p>")
            return
        muted = "#8a919c"
        body = []
        for title, eqs in sections:
            body.append(f"<p style='margin:8px 0 2px 0'><b>{to_html(title)}</b></p>")
            shared = _shared_notes(eqs)
            body += [equation_html(replace(eq, notes=tuple(n for n in eq.notes if n not in shared)),
                                   muted_colour=muted, indent=self._indent) for eq in eqs]
            body += [f"<p style='margin:0 0 0 14px; color:{muted}; font-size:small'>{to_html(n)}</p>"
                     for n in shared]
        hint = self._hint()
        if hint:
            body.append(f"<p style='color:{muted}'>{to_html(hint)}</p>")
        bar = self.equations.verticalScrollBar().value()
        self.equations.setHtml("".join(body))
        self.equations.verticalScrollBar().setValue(bar)

    def equations_latex(self) -> str:
        """The equations shown, one ``aligned`` environment per section (titles as comments)."""
        parts = []
        for title, eqs in self._sections():
            rows = " \\\\[4pt]\n".join(eq.latex() for eq in eqs)
            parts.append(f"% {title}\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}")
        return "\n\n".join(parts)

    def copy_latex(self) -> None:
        """Put ``equations_latex()`` on the clipboard."""
        text = self.equations_latex()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _equations_menu(self, pos: QPoint) -> None:
        menu = self.equations.createStandardContextMenu()
        menu.addSeparator()
        menu.addAction(self.latex_action)
        menu.exec(self.equations.mapToGlobal(pos))
        menu.deleteLater()

    def _hint(self) -> str:
        sel = self.session.selection
        if sel is None:
            return "Select a neuron or a parameter (in the diagram or the tables) to see its equations."
        return ""

    def _sections(self) -> list[Section]:
        if self.explainer is None or self.table is None:
            return []
        phase = self.session.phase if self.progress is not None else None
        return SectionBuilder(self.explainer, self.table, self.sample).sections(self.session.selection, phase)

    # -------------------------------------------------------------- filters
    def _filter_args(self) -> tuple[int | None, np.ndarray | None, int | None]:
        """(layer, mask, top k) of the filter widgets, for ``self.table``."""
        self.touch_check.setEnabled(self.anchor is not None)
        if self.anchor is not None:
            self.touch_check.setText(f"Touching {neuron_label(*self.anchor, 'unicode')}")
        mask = None
        if self.touch_check.isChecked() and self.anchor is not None and self.table is not None:
            mask = self.table.touching(*self.anchor)
        return self.layer_combo.currentData(), mask, self.top_spin.value() or None

    def _apply_filter(self, *_args: object) -> None:
        if self.table is None:
            return
        self.model.set_filter(*self._filter_args())
        self._update_count()
        self._select_rows_of(self.session.selection, scroll=True)

    def clear_filters(self) -> None:
        """Show every row again."""
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.touch_check), QSignalBlocker(self.top_spin):
            self.layer_combo.setCurrentIndex(0)
            self.touch_check.setChecked(False)
            self.top_spin.setValue(0)
        self._apply_filter()

    # ------------------------------------------------------ linked selection
    def _on_selection(self, sel: Selection | None, render: bool = True) -> None:
        if not self.isVisible():
            self._stale = True
            return
        if sel is not None and sel.kind == "neuron":
            self.anchor = (sel.layer, sel.m)
            if self.touch_check.isChecked():
                self._apply_filter()
            else:
                self.touch_check.setEnabled(True)
                self.touch_check.setText(f"Touching {neuron_label(sel.layer, sel.m, 'unicode')}")
        self._select_rows_of(sel, scroll=True)
        if render:
            self.render_equations()

    def _select_rows_of(self, sel: Selection | None, scroll: bool) -> None:
        if self.table is None or self._syncing:
            return
        self._syncing = True
        try:
            rows: list[int] = []
            if sel is not None and sel.kind in ("weight", "bias"):
                try:
                    row = row_of(self.table, sel)
                except KeyError:
                    row = -1
                if row >= 0 and self.model.view_row(row) < 0 and self.model.filtered:
                    self.clear_filters()
                if row >= 0 and self.model.view_row(row) >= 0:
                    rows = [self.model.view_row(row)]
            elif sel is not None and sel.kind == "neuron":
                rows = self.model.view_rows(self.table.touching(sel.layer, sel.m))
            _select_view_rows(self.view, rows, scroll)
            neuron = None
            if sel is not None:
                neuron = (sel.layer, sel.m) if sel.kind == "neuron" else (sel.layer + 1, sel.m)
            n_row = self.neuron_model.row_of(*neuron) if neuron is not None else -1
            _select_view_rows(self.neuron_view, [n_row] if n_row >= 0 else [], scroll)
        finally:
            self._syncing = False

    def _on_parameter_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid() or self.table is None:
            return
        row = self.model.table_row(current.row())
        t = self.table
        layer, m, n = int(t.layer[row]), int(t.m[row]), int(t.n[row])
        sel = Selection("weight", layer, m, n) if t.kind[row] == WEIGHT else Selection("bias", layer, m)
        self._syncing = True
        try:
            self.session.select(sel)  # the equations follow through selectionChanged
        finally:
            self._syncing = False

    def _on_neuron_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid() or self.neurons is None:
            return
        r = current.row()
        sel = Selection("neuron", int(self.neurons.layer[r]), int(self.neurons.index[r]))
        self.session.select(sel)

    # ------------------------------------------------------------ phase walk
    def _on_phase_link(self, link: str) -> None:
        s = self.session
        if s.pending_trace is not None and link.isdigit() and int(link) < len(s.phases):
            s.set_phase(s.phases[int(link)], s.pending_trace)

    def _walk(self) -> None:
        if self.session.pending_trace is None:
            self.session.begin_phased_step()

    def _next(self) -> None:
        if self.session.pending_trace is None:
            self.session.begin_phased_step()
        else:
            self.session.next_phase()

    # ------------------------------------------------------- gradient check
    def _toggle_check(self) -> None:
        if self._check_timer.isActive():
            self._stop_check()
            self._update_count()
            return
        self.start_check()

    def start_check(self) -> None:
        """Check every row (those shown first), a time slice per event-loop tick."""
        if self.table is None:
            return
        if self.check is None:
            self.check = UpdateCheck(self.table, self.session.config)
            self.model.set_check(self.check)
        shown = self.model.rows
        rest = np.setdiff1d(np.arange(len(self.table)), shown, assume_unique=True)
        self._check_order = np.concatenate([shown, rest])
        self._check_pos = 0
        self._check_timer.start()
        self._check_tick()

    def _check_tick(self) -> None:
        check = self.check
        if check is None:
            self._stop_check()
            return
        deadline = time.perf_counter() + CHECK_BUDGET_S
        order = self._check_order
        while self._check_pos < order.size and time.perf_counter() < deadline:
            check.run(order[self._check_pos:self._check_pos + CHECK_CHUNK])
            self._check_pos += CHECK_CHUNK
        self.model.check_changed()
        done = min(self._check_pos, order.size)
        if done >= order.size:
            self._stop_check()
        else:
            self.check_button.setText(f"Checking {100 * done // order.size}%… (stop)")
        self._update_count()

    def _stop_check(self) -> None:
        self._check_timer.stop()
        self.check_button.setText("Gradient check")

    @property
    def checking(self) -> bool:
        return self._check_timer.isActive()

    # ---------------------------------------------------------------- export
    def _export_clicked(self) -> None:
        if self.table is None:
            return
        settings = QSettings()
        folder = str(settings.value(EXPORT_DIR_KEY, "") or "")
        suggested = os.path.join(folder, f"update-{self._update_number}.csv") if folder else \
            f"update-{self._update_number}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export the update as CSV", suggested, "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed",
                                f"Could not write {path}:\n{exc.strerror or exc}\n\nNothing was changed.")
            return
        settings.setValue(EXPORT_DIR_KEY, os.path.dirname(os.path.abspath(path)))

    def export_csv(self, path: str) -> None:
        """Write the rows shown (in their order) to ``path`` as CSV, atomically."""
        if self.table is None:
            raise ValueError("there is no update to export")
        check = self.check
        text = self.table.csv_text(self.model.rows, None if check is None else check.numeric,
                                   None if check is None else check.relative_error)
        with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def _shared_notes(eqs: list[Equation]) -> list[str]:
    """Notes that more than one equation of a section carries (shown once, after them), in order."""
    if len(eqs) < 2:
        return []
    counts: dict[str, int] = {}
    for eq in eqs:
        for n in eq.notes:
            counts[n] = counts.get(n, 0) + 1
    return [n for n, c in counts.items() if c > 1]


def _sup(letter: str) -> str:
    """The unicode superscript of a layer letter (as in the β labels)."""
    return _SUPERS.get(letter, letter)


_SUPERS = dict(zip("abcdefghijklmnop", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ"))


def _select_view_rows(view: QTableView, rows: list[int], scroll: bool) -> None:
    """Select whole rows (merging runs) of ``view`` and scroll to the first."""
    model = view.model()
    sm = view.selectionModel()
    if not rows:
        sm.clearSelection()
        return
    selection = QItemSelection()
    last_col = model.columnCount() - 1
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        selection.select(model.index(start, 0), model.index(prev, last_col))
        if r is not None:
            start = prev = r
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    sm.select(selection, flags)
    sm.setCurrentIndex(model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    if scroll:
        view.scrollTo(model.index(rows[0], 0), QAbstractItemView.ScrollHint.PositionAtCenter)


__all__ = ["InspectorPanel"]
