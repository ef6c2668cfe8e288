"""One row per parameter of an update, in columns, with its arithmetic as text.

``UpdateTable.from_trace(trace)`` lays every weight and bias of a
``StepTrace`` out in NumPy columns (old value, gradient, η, Δ, new value), so
a table of tens of thousands of rows costs a few array operations; the labels
and the written-out products (``δ^c_1 · b_1 = (−0.4)(0.3) = −0.12``) are made
on demand for the rows being shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroviz.core.notation import Style, bias_label, delta_label, neuron_label, weight_label
from neuroviz.core.trace import StepTrace

WEIGHT = 0
BIAS = 1


def fmt(x: float, digits: int = 6) -> str:
    """A number for reading: up to ``digits`` significant digits, a real minus sign."""
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}×10^{int(exp)}"
    return text.replace("-", "−")


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

    def label(self, row: int, style: Style = "plain") -> str:
        """Paper label of row ``row``: θ^{cb}_{21} or β^b_1."""
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        if self.kind[row] == WEIGHT:
            return weight_label(layer, m, n, style)
        return bias_label(layer, m, style)

    def gradient_formula(self, row: int, sample: int | None = None) -> str:
        """The gradient's product written out with numbers.

        Batch of one: ``δ^c_1 · b_1 = (−0.4)(0.3) = −0.12`` (weights) or
        ``δ^c_1 = −0.4`` (biases).  Larger batches: the mean over the batch,
        with the factors of ``sample`` (default 0) shown as an example term.
        """
        tr = self.trace
        layer, m, n = int(self.layer[row]), int(self.m[row]), int(self.n[row])
        d_name = delta_label(layer + 1, m)
        grad = float(self.grad[row])
        s = 0 if sample is None else sample
        d_val = float(tr.deltas[layer][s, m])
        if self.kind[row] == WEIGHT:
            a_name = neuron_label(layer, n)
            a_val = float(tr.forward.act[layer][s, n])
            term = f"{d_name} · {a_name}"
            if tr.batch_size == 1:
                return f"{term} = {paren(d_val)}{paren(a_val)} = {fmt(grad)}"
            return (
                f"(1/{tr.batch_size}) Σ_s {term} = {fmt(grad)};  "
                f"sample {s + 1}: {paren(d_val)}{paren(a_val)} = {fmt(d_val * a_val)}"
            )
        if tr.batch_size == 1:
            return f"{d_name} = {fmt(grad)}"
        return f"(1/{tr.batch_size}) Σ_s {d_name} = {fmt(grad)};  sample {s + 1}: {fmt(d_val)}"

    def update_formula(self, row: int) -> str:
        """The update written out: ``0.8 − 0.01(−0.12) = 0.8012``."""
        old, grad, new = float(self.old[row]), float(self.grad[row]), float(self.new[row])
        return f"{fmt(old)} − {fmt(self.lr)}{paren(grad)} = {fmt(new)}"
