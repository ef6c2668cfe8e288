"""The inspector's two tables: one row per parameter (with its filters, check and export), one row per neuron.

``ParameterTab`` shows an ``UpdateTable`` (filtered by layer, by "touching
the selected neuron" and top k by |∂L/∂·|), runs nothing itself but offers the
gradient check, and exports the rows shown as CSV.  ``NeuronView`` shows a
``NeuronTable``.  Both are given plain data (the tables, ``Progress``, the
selection) and tell which row the user picked with ``rowPicked(Selection)``.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    QSignalBlocker,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QKeySequence, QPainter, QPaintEvent, QPalette, QResizeEvent
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
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.explain import NeuronTable, Progress
from neuroviz.core.explain_sections import row_of
from neuroviz.core.notation import layer_letter, matrix_label, neuron_label
from neuroviz.core.numbers import count, fmt
from neuroviz.core.selection import Selection
from neuroviz.core.update_check import UpdateCheck
from neuroviz.core.update_table import UpdateTable
from neuroviz.io.atomic import atomic_open
from neuroviz.ui.inspector_tables import Col, NeuronTableModel, UpdateTableModel, mono_font

ROW_HEIGHT_PAD = 4
BASE_LINE_HEIGHT = 15
"""The line height (pixels) the fixed column widths were chosen for; larger fonts widen them."""
PRODUCT_SAMPLE_ROWS = 40
"""The written-out column is fitted to the texts of this many first rows."""
PRODUCT_MIN_WIDTH = 160
EXPORT_DIR_KEY = "inspector/exportFolder"
"""QSettings key: the folder of the last CSV export."""
CORNER_TEXTS = {"check": ("Gradient check", "∂ check"), "export": ("Export CSV…", "CSV…")}
"""The corner buttons' full and short texts (short while the tabs' titles would not fit beside the full ones)."""
NEURON_COLUMN_WIDTHS = (64, None, None, None, None, 40)
"""Widths of the neuron table's columns; None: a number column (``number_width``)."""


class ParameterTab(QWidget):
    """The Parameters tab: filters with a count of the rows shown, the table; Gradient check and Export CSV…

    The two buttons are in ``corner``, a widget the panel places (beside the tabs); ``fit_corner``
    gives them short texts where the full ones would cut the tabs' titles short.

    ``rowPicked(Selection)``: the user made a row current; ``filtered()``:
    the filters changed the rows shown; ``checkClicked()``: the Gradient check
    button was pressed (the panel runs the check).
    """

    rowPicked = Signal(object)
    filtered = Signal()
    checkClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: UpdateTable | None = None
        self.anchor: tuple[int, int] | None = None  # the neuron "touching" filters on
        self.update_number = 0
        """The number of the update shown (names the exported file)."""
        box = QVBoxLayout(self)
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
        self.count_label = ElidedLabel(self)  # one line: a narrow panel cuts it short (its tooltip has it all)
        self.count_label.setObjectName("inspectorCount")
        filters.addWidget(self.count_label, 1)
        self.check_button = QToolButton()
        self.check_button.setObjectName("inspectorGradCheck")
        self.corner_compact = False
        """True while the corner buttons show their short texts (``CORNER_TEXTS``)."""
        self._check_percent: int | None = None
        self.check_button.setText(CORNER_TEXTS["check"][0])
        self.check_button.setToolTip("Compute every gradient again by central finite differences and show "
                                     "the numeric gradient and relative error per row (Ctrl+G)")
        self.check_button.setShortcut(QKeySequence("Ctrl+G"))
        self.check_button.clicked.connect(self.checkClicked)
        self.export_button = QToolButton()
        self.export_button.setObjectName("inspectorExport")
        self.export_button.setText(CORNER_TEXTS["export"][0])
        self.export_button.setToolTip("Save the rows shown (filtered and sorted) as CSV, full precision")
        self.export_button.clicked.connect(self._export_clicked)
        # Gradient check and Export beside the tabs (``corner``): the filters keep the row to themselves
        self.corner = QWidget(self)
        corner = QHBoxLayout(self.corner)
        corner.setContentsMargins(0, 0, 0, 2)
        corner.setSpacing(4)
        corner.addWidget(self.check_button)
        corner.addWidget(self.export_button)
        box.addLayout(filters)

        self.table_model = UpdateTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("inspectorParameters")
        self.view.setModel(self.table_model)
        setup_view(self.view)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(Col.PARAM, Qt.SortOrder.AscendingOrder)
        fit_font(self.view, self._widths())
        # the column that teaches comes first after the parameter (it ends in the gradient it writes out),
        # in sight without scrolling
        header = self.view.horizontalHeader()
        header.moveSection(header.visualIndex(Col.PRODUCT), header.visualIndex(Col.PARAM) + 1)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row)
        box.addWidget(self.view, 1)

    def _widths(self) -> dict[int, int]:
        """Column widths for the view's font (the written-out column is fitted to its texts)."""
        number = number_width(self.view)
        scale = self.view.fontMetrics().height() / BASE_LINE_HEIGHT
        return {Col.PARAM: round(84 * scale), Col.OLD: number, Col.GRAD: number, Col.ETA: round(44 * scale),
                Col.DELTA: number, Col.NEW: number, Col.PRODUCT: 250, Col.NUMERIC: number,
                Col.REL_ERROR: round(78 * scale)}

    # ------------------------------------------------------------------ state
    def show_table(self, table: UpdateTable | None, progress: Progress | None, sample: int) -> None:
        """Show ``table`` (None: nothing) as far as ``progress`` has computed it; no check yet."""
        self.table = table
        if table is None:
            self.table_model.set_table(None, None)
            self._fill_layer_combo(0)
            return
        self._fill_layer_combo(len(table.trace.weights_before))
        self.table_model.set_table(table, progress, None, sample, *self._filter_args())
        self.fit_product_column()

    def fit_product_column(self) -> None:
        """Make the written-out column as wide as its texts in the first rows (at least its title).

        It ends inside the view when unscrolled, if that leaves it ``PRODUCT_MIN_WIDTH``; the columns
        after it (η, Δ, new) are the ones that scroll.
        """
        view, col = self.view, int(Col.PRODUCT)
        fm = view.fontMetrics()
        texts = [str(self.table_model.index(r, col).data() or "")
                 for r in range(min(PRODUCT_SAMPLE_ROWS, self.table_model.rowCount()))]
        title = str(self.table_model.headerData(col, Qt.Orientation.Horizontal))
        width = max([fm.horizontalAdvance(t) for t in texts] + [fm.horizontalAdvance(title) + 16]) + 14
        room = view.viewport().width() - view.horizontalHeader().sectionPosition(col)
        view.setColumnWidth(col, max(PRODUCT_MIN_WIDTH, min(width, room)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_product_column()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "view"):
            self.table_model.set_font()
            fit_font(self.view, self._widths())
            self.fit_product_column()

    def set_progress(self, progress: Progress | None, sample: int | None = None) -> None:
        """Reveal more (or less) of the same update, or show another sample's products."""
        self.table_model.set_progress(progress, sample)
        self.fit_product_column()

    def set_check(self, check: UpdateCheck | None) -> None:
        """Show the numeric gradients of ``check`` (of the table shown)."""
        self.table_model.set_check(check)

    def check_changed(self) -> None:
        """The check shown has checked more rows."""
        self.table_model.check_changed()

    def set_walking(self, walking: bool) -> None:
        """A walked update can be checked, not exported (it is not applied yet)."""
        self.export_button.setEnabled(self.table is not None and not walking)
        self.check_button.setEnabled(self.table is not None)

    def set_dark(self, dark: bool) -> None:
        """Sign colours that read on a dark (or a light) background."""
        self.table_model.colours.set_dark(dark)

    def show_check_progress(self, percent: int | None) -> None:
        """``Checking 42%… (stop)`` while a check runs (``percent``; ``42%… (stop)`` when short), else
        ``Gradient check``."""
        self._check_percent = percent
        full, short = CORNER_TEXTS["check"]
        if percent is None:
            self.check_button.setText(short if self.corner_compact else full)
        else:
            self.check_button.setText(f"{percent}%… (stop)" if self.corner_compact else f"Checking {percent}%… (stop)")
        self.check_button.setShortcut(QKeySequence("Ctrl+G"))  # a new text resets a button's shortcut

    def fit_corner(self, room: int) -> None:
        """Full texts on the corner buttons if they fit in ``room`` pixels (what the tabs leave), else short ones."""
        width = self.corner.sizeHint().width()
        if self.corner_compact:
            for button, (full, short) in ((self.check_button, CORNER_TEXTS["check"]),
                                          (self.export_button, CORNER_TEXTS["export"])):
                fm = button.fontMetrics()
                width += fm.horizontalAdvance(full) - fm.horizontalAdvance(short)
        compact = width > room
        if compact != self.corner_compact:
            self.corner_compact = compact
            self.export_button.setText(CORNER_TEXTS["export"][int(compact)])
            self.show_check_progress(self._check_percent)

    def update_count(self) -> None:
        """``n of P parameters``, that gradients are batch means, the check's largest error."""
        t, check = self.table, self.table_model.check
        if t is None:
            self.count_label.setText("")
            return
        text = f"{count(self.table_model.rowCount())} of {count(len(t))}"
        tip = f"{count(self.table_model.rowCount())} of the {count(len(t))} parameters shown"
        if t.trace.batch_size > 1:
            text += f" · mean of {t.trace.batch_size}"
            tip += f"; every ∂L/∂· is the mean over the batch of {t.trace.batch_size} samples"
        if check is not None and check.checked:
            worst = fmt(check.max_relative_error(), 2)
            text += f" · max rel. error {worst}"
            tip += f"; the gradient check's largest relative error of the {count(check.checked)} rows checked"
        self.count_label.setText(text)
        self.count_label.setToolTip(tip)

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

    # -------------------------------------------------------------- filters
    def set_anchor(self, layer: int, index: int) -> None:
        """The neuron "Touching" filters on (the selected neuron)."""
        self.anchor = (layer, index)
        if self.touch_check.isChecked():
            self._apply_filter()
        else:
            self.touch_check.setEnabled(True)
            self.touch_check.setText(f"Touching {neuron_label(layer, index, 'unicode')}")

    def clear_anchor(self) -> None:
        """No neuron to filter on (the network changed): "Touching" off and disabled."""
        self.anchor = None
        with QSignalBlocker(self.touch_check):
            self.touch_check.setChecked(False)
        self.touch_check.setEnabled(False)
        self.touch_check.setText("Touching —")

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
        self.table_model.set_filter(*self._filter_args())
        self.update_count()
        self.filtered.emit()

    def clear_filters(self) -> None:
        """Show every row again."""
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.touch_check), QSignalBlocker(self.top_spin):
            self.layer_combo.setCurrentIndex(0)
            self.touch_check.setChecked(False)
            self.top_spin.setValue(0)
        self._apply_filter()

    # ------------------------------------------------------------ selection
    def select_rows(self, sel: Selection | None, scroll: bool) -> None:
        """Select the row of a selected weight or bias (clearing filters that hide it), or a neuron's rows."""
        t = self.table
        if t is None:
            return
        rows: list[int] = []
        if sel is not None and sel.kind in ("weight", "bias"):
            try:
                row = row_of(t, sel)
            except KeyError:
                row = -1
            if row >= 0 and self.table_model.view_row(row) < 0 and self.table_model.filtered:
                self.clear_filters()
            if row >= 0 and self.table_model.view_row(row) >= 0:
                rows = [self.table_model.view_row(row)]
        elif sel is not None and sel.kind == "neuron":
            rows = self.table_model.view_rows(t.touching(sel.layer, sel.m))
        select_view_rows(self.view, rows, scroll)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.table is not None:
            self.rowPicked.emit(self.table.selection(self.table_model.table_row(current.row())))

    # ---------------------------------------------------------------- export
    def _export_clicked(self) -> None:
        if self.table is None:
            return
        settings = QSettings()
        folder = str(settings.value(EXPORT_DIR_KEY, "") or "")
        name = f"update-{self.update_number}.csv"
        suggested = os.path.join(folder, name) if folder else name
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
        check = self.table_model.check
        text = self.table.csv_text(self.table_model.rows, None if check is None else check.numeric,
                                   None if check is None else check.relative_error)
        with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


class ElidedLabel(QLabel):
    """A one-line label that ends in … when it is narrower than its text (and may be made as narrow as that)."""

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("1,346 …"), super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


class NeuronView(QTableView):
    """The Neurons tab: every neuron of one sample, the layer a phase computes banded.

    ``rowPicked(Selection)``: the user made a neuron's row current.
    """

    rowPicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorNeurons")
        self.neuron_model = NeuronTableModel(self)
        self.setModel(self.neuron_model)
        setup_view(self)
        fit_font(self, self._widths())
        self.selectionModel().currentRowChanged.connect(self._on_current_row)

    def _widths(self) -> dict[int, int]:
        number = number_width(self)
        scale = self.fontMetrics().height() / BASE_LINE_HEIGHT
        return {col: number if w is None else round(w * scale) for col, w in enumerate(NEURON_COLUMN_WIDTHS)}

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "neuron_model"):
            self.neuron_model.set_font()
            fit_font(self, self._widths())

    def show_neurons(self, neurons: NeuronTable, progress: Progress | None, highlight: int) -> None:
        """Show ``neurons`` as far as ``progress`` has computed them, layer ``highlight`` banded (−1: none)."""
        model = self.neuron_model
        moved = highlight != model.highlight_layer
        model.set_table(neurons, progress, highlight)
        if moved and highlight >= 0:  # the walk moved on: show the layer it computes
            self.scrollTo(model.index(model.row_of(highlight, 0), 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def clear_neurons(self) -> None:
        self.neuron_model.set_table(None, None)

    def set_dark(self, dark: bool) -> None:
        """Sign and band colours that read on a dark (or a light) background."""
        self.neuron_model.band = QColor("#4a4020") if dark else QColor(255, 241, 204)
        self.neuron_model.colours.set_dark(dark)

    def select_rows(self, sel: Selection | None, scroll: bool) -> None:
        """Select the selected neuron, or the neuron a selected weight or bias feeds."""
        row = -1
        if sel is not None:
            layer = sel.layer if sel.kind == "neuron" else sel.layer + 1
            row = self.neuron_model.row_of(layer, sel.m)
        select_view_rows(self, [row] if row >= 0 else [], scroll)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        nt = self.neuron_model.table
        if current.isValid() and nt is not None:
            r = current.row()
            self.rowPicked.emit(Selection("neuron", int(nt.layer[r]), int(nt.index[r])))


def fit_font(view: QTableView, widths: dict[int, int]) -> None:
    """Row heights and column ``widths`` for the view's font (set again when the font changes)."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + ROW_HEIGHT_PAD)
    for col, w in widths.items():
        view.setColumnWidth(col, w)


def number_width(view: QTableView) -> int:
    """A column width that shows the widest numbers in full: six digits, sign and a power of ten."""
    fm = QFontMetrics(mono_font())
    return max(fm.horizontalAdvance(text) for text in ("−4.07587×10⁻¹⁰", "−0.000243072")) + 14


def setup_view(view: QTableView) -> None:
    """Whole rows selected, alternating colours, fixed row heights, columns the user can resize."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vh = view.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    hh.setHighlightSections(False)
    hh.setStretchLastSection(True)


def select_view_rows(view: QTableView, rows: list[int], scroll: bool) -> None:
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


def _sup(letter: str) -> str:
    """The unicode superscript of a layer letter (as in the β labels)."""
    return _SUPERS.get(letter, letter)


_SUPERS = dict(zip("abcdefghijklmnop", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ"))


__all__ = ["NeuronView", "ParameterTab", "number_width", "select_view_rows", "setup_view"]
