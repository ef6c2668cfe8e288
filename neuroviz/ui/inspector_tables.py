"""Table models of the inspector: one row per parameter, one row per neuron.

``UpdateTableModel`` shows an ``UpdateTable`` through an index array of the
rows to show, so filtering, sorting and top-k of 26k rows are a few NumPy
operations (``UpdateTable.select``) and only the visible cells are ever
formatted.  Both models hide what a phase walk has not computed yet
(``Progress``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication

from neuroviz.core.explain import NeuronTable, Progress
from neuroviz.core.notation import bias_label, layer_letter, neuron_label, weight_label
from neuroviz.core.numbers import fmt
from neuroviz.core.update_check import UpdateCheck
from neuroviz.core.update_table import WEIGHT, UpdateTable
from neuroviz.ui.inspector_optimiser import state_columns
from neuroviz.ui.theme import DARK, LIGHT

NEGATIVE = QColor("#1f63b5")
POSITIVE = QColor("#c8321f")
NEGATIVE_ON_DARK = QColor("#4ea1ff")
POSITIVE_ON_DARK = QColor("#ff6a4d")
GOOD = QColor("#2f7d4f")
Index = QModelIndex | QPersistentModelIndex

DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
USER = int(Qt.ItemDataRole.UserRole.value)
HANDLED_ROLES = frozenset((DISPLAY, ALIGNMENT, FONT, FOREGROUND, TOOLTIP, USER))
NEURON_ROLES = frozenset((DISPLAY, ALIGNMENT, FONT, FOREGROUND, BACKGROUND))
ALIGN_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
ALIGN_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)


def mono_font() -> QFont:
    """The fixed-width font numbers are shown in, scaled as the application's font is (presentation mode)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    general = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSizeF()
    now = QGuiApplication.font().pointSizeF()
    if general > 0 and now > 0 and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * now / general)
    return font


class SignColours:
    """Blue for negative, red for positive (as the diagram's edges), lighter on a dark background."""

    def __init__(self) -> None:
        self.negative, self.positive = NEGATIVE, POSITIVE
        self.muted = LIGHT.qcolor("muted")
        """Quiet text (the η column): the theme's hint colour, 4.5:1 or more on its background."""

    def set_dark(self, dark: bool) -> None:
        self.negative, self.positive = (NEGATIVE_ON_DARK, POSITIVE_ON_DARK) if dark else (NEGATIVE, POSITIVE)
        self.muted = (DARK if dark else LIGHT).qcolor("muted")

    def of(self, x: float) -> QColor | None:
        """The colour of ``x``'s sign; None for 0."""
        if x < 0:
            return self.negative
        return self.positive if x > 0 else None


class Col(IntEnum):
    """Columns of the parameter table."""

    PARAM = 0
    OLD = 1
    GRAD = 2
    ETA = 3
    DELTA = 4
    NEW = 5
    PRODUCT = 6
    NUMERIC = 7
    REL_ERROR = 8


HEADERS = {
    Col.PARAM: ("Parameter", "θ^{ba}_{mn}: the weight from a_n to b_m; β^b_m: the bias of b_m"),
    Col.OLD: ("Old", "The value before the update"),
    Col.GRAD: ("∂L/∂·", "The gradient of the loss with respect to the parameter"),
    Col.PRODUCT: ("Written out", "The gradient as the paper writes it: δ · input (∂L/∂β = δ)"),
    Col.ETA: ("η", "The learning rate"),
    Col.DELTA: ("Δ = −η ∂L/∂·", "The change: new − old"),
    Col.NEW: ("New", "The value after θ := θ − η ∂L/∂θ"),
    Col.NUMERIC: ("Numeric ∂L/∂·", "Central finite difference (L(θ + h) − L(θ − h)) / 2h (Gradient check)"),
    Col.REL_ERROR: ("Rel. error", "|analytic − numeric| / (|analytic| + |numeric|)"),
}
NUMERIC_COLUMNS = frozenset(int(c) for c in (Col.OLD, Col.GRAD, Col.ETA, Col.DELTA, Col.NEW, Col.NUMERIC,
                                             Col.REL_ERROR))
SORT_KEYS = {Col.PARAM: "parameter", Col.OLD: "old", Col.GRAD: "grad", Col.PRODUCT: "abs_grad",
             Col.ETA: "parameter", Col.DELTA: "delta", Col.NEW: "new"}


class UpdateTableModel(QAbstractTableModel):
    """The rows of an ``UpdateTable`` (filtered, sorted) as a Qt table."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: UpdateTable | None = None
        self.check: UpdateCheck | None = None
        self.progress: Progress | None = None
        self.sample = 0
        self.rows = np.empty(0, dtype=np.int64)
        self._inverse = np.empty(0, dtype=np.int64)
        self._layer: int | None = None
        self._mask: np.ndarray | None = None
        self._top_k: int | None = None
        self._sort_col: int = Col.PARAM
        self._descending = False
        self._mono = mono_font()
        self._texts: dict[tuple[int, int], str] = {}  # (table row, column) → shown text
        self.colours = SignColours()
        self.state: list[tuple[str, str, np.ndarray]] = []
        """The optimiser's state columns after ``Col``'s: (title, tooltip, values by table row); none for SGD."""

    # ------------------------------------------------------------------ state
    def set_table(self, table: UpdateTable | None, progress: Progress | None, check: UpdateCheck | None = None,
                  sample: int = 0, layer: int | None = None, mask: np.ndarray | None = None,
                  top_k: int | None = None) -> None:
        """Show ``table`` (None: empty) as far as ``progress`` has computed it, filtered as ``set_filter``."""
        self.beginResetModel()
        self.table, self.progress, self.check, self.sample = table, progress, check, sample
        self.state = [] if table is None else state_columns(table.trace)
        self._texts.clear()
        self._layer, self._mask, self._top_k = layer, mask, top_k
        self._select()
        self.endResetModel()

    def set_font(self) -> None:
        """Numbers in ``mono_font()`` again (the application's font changed)."""
        self._mono = mono_font()
        self._all_changed()

    def set_progress(self, progress: Progress | None, sample: int | None = None) -> None:
        """Reveal more (or less) of the same update; cells repaint."""
        self.progress = progress
        if sample is not None:
            self.sample = sample
        self._texts.clear()
        self._all_changed()

    def set_check(self, check: UpdateCheck | None) -> None:
        self.check = check
        self.check_changed()

    def check_changed(self) -> None:
        """The gradient check filled more rows."""
        self._texts.clear()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, Col.NUMERIC), self.index(self.rowCount() - 1, Col.REL_ERROR))

    def set_filter(self, layer: int | None = None, mask: np.ndarray | None = None, top_k: int | None = None) -> None:
        """Keep one layer's parameters, the rows of ``mask`` (P,), the ``top_k`` largest |∂L/∂·|."""
        self.beginResetModel()
        self._layer, self._mask, self._top_k = layer, mask, top_k
        self._select()
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        return self._layer is not None or self._mask is not None or self._top_k is not None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort_col = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._select()
        self.layoutChanged.emit()

    def _select(self) -> None:
        t = self.table
        if t is None:
            self.rows = np.empty(0, dtype=np.int64)
            self._inverse = np.empty(0, dtype=np.int64)
            return
        key: str | np.ndarray = SORT_KEYS.get(self._sort_col, "parameter")
        if self._sort_col in (Col.NUMERIC, Col.REL_ERROR):
            key = "parameter" if self.check is None else (
                self.check.numeric if self._sort_col == Col.NUMERIC else self.check.relative_error)
        elif self._sort_col >= len(Col) and self._sort_col - len(Col) < len(self.state):
            key = self.state[self._sort_col - len(Col)][2]
        self.rows = t.select(layer=self._layer, mask=self._mask, sort=key, descending=self._descending,
                             top_k=self._top_k)
        self._inverse = np.full(len(t), -1, dtype=np.int64)
        self._inverse[self.rows] = np.arange(self.rows.size)

    def _all_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    # ------------------------------------------------------------- row maps
    def table_row(self, view_row: int) -> int:
        """Table row shown at ``view_row``."""
        return int(self.rows[view_row])

    def view_row(self, table_row: int) -> int:
        """View row of table row ``table_row``, or −1 if filtered out."""
        if self.table is None or not 0 <= table_row < self._inverse.size:
            return -1
        return int(self._inverse[table_row])

    def view_rows(self, mask: np.ndarray) -> list[int]:
        """The view rows, in order, of the table rows where ``mask`` (P,) is true and that are shown."""
        view_rows = self._inverse[np.flatnonzero(mask)]
        return sorted(int(r) for r in view_rows if r >= 0)

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self.rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col) + len(self.state)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section >= len(Col):
            title, tip, _values = self.state[section - len(Col)]
            if role == Qt.ItemDataRole.DisplayRole:
                return title
            return tip if role == Qt.ItemDataRole.ToolTipRole else None
        title, tip = HEADERS[Col(section)]
        if section == Col.DELTA and self.state and role == Qt.ItemDataRole.ToolTipRole:
            return "The change new − old: the optimiser's step, not −η ∂L/∂·"
        if role == Qt.ItemDataRole.DisplayRole:
            t = self.table
            if t is not None and t.trace.batch_size > 1:
                if section in (Col.GRAD, Col.NUMERIC):
                    return f"{title} (mean)"
                if section == Col.PRODUCT:
                    return f"Sample {self.sample + 1}: δ · input"
            return title
        if role == Qt.ItemDataRole.ToolTipRole and self.table is not None and self.table.trace.batch_size > 1:
            if section in (Col.GRAD, Col.NUMERIC):
                return f"{tip}: the mean over the batch of {self.table.trace.batch_size}"
            if section == Col.PRODUCT:
                return f"The term of sample {self.sample + 1}; ∂L/∂· is the mean of these over the batch"
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        return None

    def _known(self, t: UpdateTable, row: int) -> tuple[bool, bool]:
        """(gradient known, new value known) for row ``row`` of ``t``."""
        p = self.progress
        if p is None:
            return True, True
        return p.knows_gradient(int(t.layer[row])), p.updated

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every role of every visible cell on each paint: ints only, roles first.
        t = self.table
        if t is None or role not in HANDLED_ROLES:
            return None
        col = index.column()
        if role == ALIGNMENT:
            return ALIGN_RIGHT if col in NUMERIC_COLUMNS or col >= len(Col) else ALIGN_LEFT
        if role == FONT:
            return self._mono if col in NUMERIC_COLUMNS or col >= len(Col) else None
        row = int(self.rows[index.row()])
        if role == DISPLAY:
            key = (row, col)
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = self._state_text(row, col) if col >= len(Col) else self._text(t, row,
                                                                                                         Col(col))
            return text
        if role == FOREGROUND:
            if col == Col.ETA:
                return self.colours.muted
            if col not in (Col.GRAD, Col.DELTA, Col.REL_ERROR):
                return None
            grad_known, new_known = self._known(t, row)
            if col == Col.GRAD and grad_known:
                return self.colours.of(float(t.grad[row]))
            if col == Col.DELTA and new_known:
                return self.colours.of(float(t.delta[row]))
            if col == Col.REL_ERROR and self.check is not None and np.isfinite(self.check.relative_error[row]):
                return self.colours.positive if self.check.relative_error[row] > 1e-5 else GOOD
            return None
        if role == TOOLTIP:
            return self.state[col - len(Col)][1] if col >= len(Col) else self._tooltip(t, row, Col(col))
        return row  # UserRole: the table row

    def _state_text(self, row: int, col: int) -> str:
        """A state entry; an "after" one only once the walk has applied the update."""
        title, _tip, values = self.state[col - len(Col)]
        if title.endswith("after") and self.progress is not None and not self.progress.updated:
            return ""
        return fmt(float(values[row]))

    def _text(self, t: UpdateTable, row: int, col: Col) -> str:
        if col == Col.PARAM:
            return t.label(row, "unicode")
        if col == Col.OLD:
            return fmt(float(t.old[row]))
        if col == Col.ETA:
            return fmt(t.lr)
        grad_known, new_known = self._known(t, row)
        if col == Col.GRAD:
            return fmt(float(t.grad[row])) if grad_known else ""
        if col == Col.PRODUCT:
            if not grad_known:
                return ""
            return t.product_formula(row, self.sample, "unicode")
        if col == Col.DELTA:
            return fmt(float(t.delta[row])) if new_known else ""
        if col == Col.NEW:
            return fmt(float(t.new[row])) if new_known else ""
        if self.check is None or not grad_known:
            return ""
        value = self.check.numeric[row] if col == Col.NUMERIC else self.check.relative_error[row]
        if not np.isfinite(value):
            return "…"
        return fmt(float(value), 6 if col == Col.NUMERIC else 2)

    def _tooltip(self, t: UpdateTable, row: int, col: Col) -> str:
        layer, m, n = int(t.layer[row]), int(t.m[row]), int(t.n[row])
        if col == Col.PARAM:
            if t.kind[row] == WEIGHT:
                return (f"{weight_label(layer, m, n, 'unicode')}: the weight from "
                        f"{neuron_label(layer, n, 'unicode')} to {neuron_label(layer + 1, m, 'unicode')}")
            return f"{bias_label(layer, m, 'unicode')}: the bias of {neuron_label(layer + 1, m, 'unicode')}"
        grad_known, new_known = self._known(t, row)
        if col in (Col.NEW, Col.DELTA) and new_known:
            return f"{t.label(row, 'unicode')} := {t.update_formula(row)}"
        if col in (Col.GRAD, Col.PRODUCT) and grad_known:
            return t.gradient_formula(row, self.sample, "unicode")
        if not grad_known:
            return f"Not computed yet: needs δ of layer {layer_letter(layer + 1)}"
        return HEADERS[col][1]


class NCol(IntEnum):
    """Columns of the neuron table."""

    NEURON = 0
    RAW = 1
    VALUE = 2
    DELTA = 3
    PROB = 4
    TARGET = 5


NEURON_HEADERS = {
    NCol.NEURON: ("Neuron", "b_m: neuron m of layer b (the input layer is a)"),
    NCol.RAW: ("Raw", "b^raw = Σ_j a_j θ^{ba}_{mj} + β^b_m, before the activation"),
    NCol.VALUE: ("Value", "b = f(b^raw), after the activation (the input value for layer a)"),
    NCol.DELTA: ("δ", "The error term ∂L/∂b^raw (for the input layer a, its own δ^a = ∂L/∂a = Σ_m δ^b_m θ^{ba}_{mn})"),
    NCol.PROB: ("p", "The softmax probability (or the output, for squared error)"),
    NCol.TARGET: ("r", "The true probability (the target)"),
}


class NeuronTableModel(QAbstractTableModel):
    """Every neuron of one sample: raw value, activated value, δ, p and r."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: NeuronTable | None = None
        self.progress: Progress | None = None
        self.highlight_layer = -1
        self.band = QColor(255, 241, 204)  # the layer a phase computes
        self.colours = SignColours()
        self._mono = mono_font()

    def set_table(self, table: NeuronTable | None, progress: Progress | None, highlight_layer: int = -1) -> None:
        same_shape = table is not None and self.table is not None and len(table) == len(self.table)
        if same_shape:
            self.table, self.progress, self.highlight_layer = table, progress, highlight_layer
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(NCol) - 1))
            return
        self.beginResetModel()
        self.table, self.progress, self.highlight_layer = table, progress, highlight_layer
        self.endResetModel()

    def set_font(self) -> None:
        """Numbers in ``mono_font()`` again (the application's font changed)."""
        self._mono = mono_font()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(NCol) - 1))

    def row_of(self, layer: int, index: int) -> int:
        if self.table is None:
            return -1
        try:
            return self.table.find(layer, index)
        except KeyError:
            return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(NCol)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(NCol):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return NEURON_HEADERS[NCol(section)][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return NEURON_HEADERS[NCol(section)][1]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        nt = self.table
        if nt is None or role not in NEURON_ROLES:
            return None
        row, col = index.row(), index.column()
        if role == ALIGNMENT:
            return ALIGN_LEFT if col == NCol.NEURON else ALIGN_RIGHT
        if role == FONT:
            return None if col == NCol.NEURON else self._mono
        layer = int(nt.layer[row])
        if role == DISPLAY:
            return self._text(nt, row, NCol(col), layer)
        if role == FOREGROUND:
            if col == NCol.DELTA and self._text(nt, row, NCol.DELTA, layer):
                return self.colours.of(float(nt.delta[row]))
            return None
        return self.band if layer == self.highlight_layer else None  # BackgroundRole

    def _text(self, nt: NeuronTable, row: int, col: NCol, layer: int) -> str:
        p = self.progress
        if col == NCol.NEURON:
            return neuron_label(layer, int(nt.index[row]), "unicode")
        if col == NCol.TARGET:
            return "" if np.isnan(nt.target[row]) else fmt(float(nt.target[row]))
        known = p is None or p.knows_values(layer)
        if col == NCol.RAW:
            return fmt(float(nt.raw[row])) if known and layer > 0 else ""
        if col == NCol.VALUE:
            return fmt(float(nt.act[row])) if known else ""
        if col == NCol.PROB:
            return "" if np.isnan(nt.prob[row]) or not (p is None or p.loss) else fmt(float(nt.prob[row]))
        if np.isnan(nt.delta[row]) or (p is not None and not p.knows_delta(max(layer, 1))):
            return ""  # δ^a of the input is known with δ^b
        return fmt(float(nt.delta[row]))
