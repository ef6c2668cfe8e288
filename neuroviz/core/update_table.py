"""One row per parameter of an update, in columns, with its arithmetic as text.

``UpdateTable.from_trace(trace)`` lays every weight and bias of a
``StepTrace`` out in NumPy columns (old value, gradient, η, Δ, new value), so
a table of tens of thousands of rows costs a few array operations; the labels
and the written-out products (``δ^c_1 · b_1 = (−0.4)(0.3) = −0.12``) are made
on demand for the rows being shown, each operand with the digits that keep
its equation true (``neuroviz.core.numbers.agreeing``).
"""

from __future__ import annotations

import csv
import io
import operator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from neuroviz.core.notation import Style, bias_label, delta_label, neuron_label, weight_label
from neuroviz.core.numbers import agreeing, fmt
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace

WEIGHT = 0
BIAS = 1

SORT_KEYS: tuple[str, ...] = ("parameter", "old", "grad", "abs_grad", "delta", "new")
"""Columns ``UpdateTable.select`` can order by (``parameter``: weights, then biases, layer by layer)."""

CSV_HEADER: tuple[str, ...] = (
    "parameter", "kind", "layer", "m", "n", "old", "gradient", "eta", "delta", "new",
    "numeric_gradient", "relative_error", "gradient_formula",
)
"""Columns of ``UpdateTable.csv_text``; ``m``, ``n`` and ``layer`` are 1-based as in the labels."""


class Outcome(NamedTuple):
    """How the network did on one sample of an update's batch."""

    true: int
    """The true class: the index of the largest r."""
    predicted: int
    """The predicted class: the index of the largest p."""

    @property
    def correct(self) -> bool:
        return self.true == self.predicted


def paren(x: float, digits: int = 6) -> str:
    """``fmt(x)`` in parentheses, as the paper writes factors: ``(−0.4)``."""
    return f"({fmt(x, digits)})"


@dataclass(frozen=True, eq=False)
class UpdateTable:
    """Every parameter of one update, one row each (P rows in all).

    Columns (shape (P,)): ``kind`` (WEIGHT or BIAS), ``layer`` (index of the
    weight matrix / bias vector), ``m`` (row: target neuron), ``n`` (column:
    source neuron, −1 for biases), ``old``, ``grad`` (batch-mean ∂L/∂·),
    ``delta`` (Δ = new − old) and ``new``.  Weights come first, layer by
    layer in row-major order, then biases layer by layer.
    """

    trace: StepTrace
    kind: np.ndarray
    layer: np.ndarray
    m: np.ndarray
    n: np.ndarray
    old: np.ndarray
    grad: np.ndarray
    delta: np.ndarray
    new: np.ndarray

    @classmethod
    def from_trace(cls, trace: StepTrace) -> UpdateTable:
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("kind", "layer", "m", "n", "old", "grad", "new")}
        for l, w in enumerate(trace.weights_before):
            rows, colsn = np.indices(w.shape)
            cols["kind"].append(np.full(w.size, WEIGHT))
            cols["layer"].append(np.full(w.size, l))
            cols["m"].append(rows.ravel())
            cols["n"].append(colsn.ravel())
            cols["old"].append(w.ravel())
            cols["grad"].append(trace.grad_weights[l].ravel())
            cols["new"].append(trace.weights_after[l].ravel())
        for l, b in enumerate(trace.biases_before):
            cols["kind"].append(np.full(b.size, BIAS))
            cols["layer"].append(np.full(b.size, l))
            cols["m"].append(np.arange(b.size))
            cols["n"].append(np.full(b.size, -1))
            cols["old"].append(b)
            cols["grad"].append(trace.grad_biases[l])
            cols["new"].append(trace.biases_after[l])
        c = {k: np.concatenate(v) for k, v in cols.items()}
        for k in ("kind", "layer", "m", "n"):
            c[k] = c[k].astype(np.int64)
        return cls(trace=trace, delta=c["new"] - c["old"], **c)

    def __len__(self) -> int:
        return int(self.old.size)

    @property
    def lr(self) -> float:
        return self.trace.lr

    def find(self, kind: int, layer: int, m: int, n: int = -1) -> int:
        """Row index of a parameter (0-based indices), or ``KeyError``."""
        hits = np.flatnonzero((self.kind == kind) & (self.layer == layer) & (self.m == m) & (self.n == n))
        if hits.size == 0:
            raise KeyError((kind, layer, m, n))
        return int(hits[0])

    def selection(self, row: int) -> Selection:
        """The weight or bias of row ``row`` as a ``Selection`` (what the diagram highlights)."""
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        return Selection("weight", layer, m, n) if self.kind[row] == WEIGHT else Selection("bias", layer, m)

    def outcome(self, sample: int) -> Outcome:
        """The true and the predicted class of sample ``sample`` (0-based) of the batch."""
        tr = self.trace
        return Outcome(int(np.argmax(tr.targets[sample])), int(np.argmax(tr.probs[sample])))

    def label(self, row: int, style: Style = "plain") -> str:
        """Paper label of row ``row``: θ^{cb}_{21} or β^b_1."""
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        if self.kind[row] == WEIGHT:
            return weight_label(layer, m, n, style)
        return bias_label(layer, m, style)

    def product_formula(self, row: int, sample: int = 0, style: Style = "plain") -> str:
        """One sample's term of the gradient, written out with numbers.

        ``δ^c_1 · b_1 = (−0.4)(0.3) = −0.12`` for a weight, ``δ^c_1 = −0.4``
        for a bias; with a batch of one this is the gradient itself.
        """
        tr = self.trace
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        d_name = delta_label(layer + 1, m, style)
        d_val = float(tr.deltas[layer][sample, m])
        if self.kind[row] != WEIGHT:
            return f"{d_name} = {fmt(d_val)}"
        a_val = float(tr.forward.act[layer][sample, n])
        (d_text, a_text), product = agreeing((d_val, a_val), d_val * a_val, operator.mul)
        return f"{d_name} · {neuron_label(layer, n, style)} = ({d_text})({a_text}) = {product}"

    def gradient_formula(self, row: int, sample: int | None = None, style: Style = "plain") -> str:
        """The gradient's product written out with numbers.

        Batch of one: ``δ^c_1 · b_1 = (−0.4)(0.3) = −0.12`` (weights) or
        ``δ^c_1 = −0.4`` (biases).  Larger batches: the mean over the batch,
        with the term of ``sample`` (default 0) as an example.
        """
        tr = self.trace
        s = 0 if sample is None else sample
        if tr.batch_size == 1:
            return self.product_formula(row, 0, style)
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        term = delta_label(layer + 1, m, style)
        if self.kind[row] == WEIGHT:
            term += f" · {neuron_label(layer, n, style)}"
        example = self.product_formula(row, s, style).split(" = ", 1)[1]
        return f"(1/{tr.batch_size}) Σ_s {term} = {fmt(float(self.grad[row]))};  sample {s + 1}: {example}"

    def update_formula(self, row: int) -> str:
        """The update written out: ``0.8 − 0.01(−0.12) = 0.8012``, with the digits that keep it true."""
        old, grad, new = float(self.old[row]), float(self.grad[row]), float(self.new[row])
        (o, lr, g), n = agreeing((old, self.lr, grad), new, lambda o, lr, g: o - lr * g)
        return f"{o} − {lr}({g}) = {n}"

    # ------------------------------------------------------------- selecting
    def touching(self, layer: int, index: int) -> np.ndarray:
        """Boolean mask (P,): rows attached to neuron ``index`` of ``layer`` (0 = input layer a).

        Its incoming weights and bias (layer ≥ 1) and its outgoing weights.
        """
        incoming = (self.layer == layer - 1) & (self.m == index)
        outgoing = (self.kind == WEIGHT) & (self.layer == layer) & (self.n == index)
        mask: np.ndarray = incoming | outgoing
        return mask

    def select(
        self,
        *,
        layer: int | None = None,
        mask: np.ndarray | None = None,
        sort: str | np.ndarray = "parameter",
        descending: bool = False,
        top_k: int | None = None,
    ) -> np.ndarray:
        """Row indices (int64) to show, in order.

        ``layer`` keeps the weights and biases between layer ``layer`` and
        ``layer + 1``; ``mask`` (P,) keeps only its true rows; ``top_k`` keeps
        the k rows of largest |gradient| (after filtering, before sorting);
        ``sort`` is one of ``SORT_KEYS`` or an array (P,) of keys (NaN last).
        Sorting is stable.
        """
        if isinstance(sort, str) and sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}; choose one of {', '.join(SORT_KEYS)}")
        keep = np.ones(len(self), dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
        if layer is not None:
            keep &= self.layer == layer
        rows = np.flatnonzero(keep)
        if top_k is not None and 0 <= top_k < rows.size:
            mag = np.abs(self.grad[rows])
            part = np.argpartition(-mag, top_k - 1)[:top_k] if top_k > 0 else np.empty(0, dtype=np.int64)
            rows = np.sort(rows[part])
        if isinstance(sort, np.ndarray) or sort != "parameter":
            if isinstance(sort, np.ndarray):
                key = np.asarray(sort, dtype=np.float64)[rows]
            else:
                key = {"old": self.old, "grad": self.grad, "abs_grad": np.abs(self.grad),
                       "delta": self.delta, "new": self.new}[sort][rows]
            rows = rows[np.argsort(-key if descending else key, kind="stable")]
        elif descending:
            rows = rows[::-1]
        return rows.astype(np.int64, copy=False)

    # ---------------------------------------------------------------- export
    def csv_text(
        self,
        rows: np.ndarray | None = None,
        numeric: np.ndarray | None = None,
        relative_error: np.ndarray | None = None,
        formulas: bool = True,
    ) -> str:
        """The rows (default all) as CSV with a header (``CSV_HEADER``).

        Numbers are written with ``repr`` so that they parse back exactly;
        ``numeric`` and ``relative_error`` (shape (P,), NaN where not checked)
        fill the gradient-check columns, which are empty otherwise.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        idx = np.arange(len(self)) if rows is None else np.asarray(rows)

        def num(col: np.ndarray | None, i: int) -> str:
            if col is None or not np.isfinite(col[i]):
                return ""
            return repr(float(col[i]))

        for i in idx.tolist():
            weight = self.kind[i] == WEIGHT
            writer.writerow((
                self.label(i), "weight" if weight else "bias", int(self.layer[i]) + 1, int(self.m[i]) + 1,
                int(self.n[i]) + 1 if weight else "", repr(float(self.old[i])), repr(float(self.grad[i])),
                repr(self.lr), repr(float(self.delta[i])), repr(float(self.new[i])),
                num(numeric, i), num(relative_error, i), self.gradient_formula(i) if formulas else "",
            ))
        return out.getvalue()
