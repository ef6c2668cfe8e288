"""Which equations to write out for what the user looks at.

``sections(...)`` picks, for a selection (a neuron, a weight, a bias or
nothing) or for a phase of an update being walked through, the titled groups
of ``Equation``s a view shows: a neuron's forward equation, its δ and its
bias; a parameter's gradient and update with the δ and input they come
from; with nothing selected, every layer's δ and the largest gradients;
a phase's layer of forward values or δ, the softmax and loss, or the largest
updates.  Large layers show the selected neuron, else the few largest.
"""

from __future__ import annotations

import numpy as np

from neuroviz.core.equation import Equation
from neuroviz.core.explain import Explainer
from neuroviz.core.input_delta import input_delta_equation
from neuroviz.core.notation import bias_label, layer_letter, neuron_label
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import BIAS, WEIGHT, UpdateTable

Section = tuple[str, list[Equation]]
"""A title and its equations."""

FOCUS_NEURONS = 3
"""Neurons written out per layer when none of them is selected and the layer is large."""
FOCUS_PARAMETERS = 2
"""Parameters written out (largest |∂L/∂·|) when none is selected."""


def row_of(table: UpdateTable, selection: Selection) -> int:
    """The table row of a selected weight or bias (``KeyError`` if there is none)."""
    if selection.kind == "weight":
        return table.find(WEIGHT, selection.layer, selection.m, selection.n)
    return table.find(BIAS, selection.layer, selection.m)


class SectionBuilder:
    """Builds the sections of one explained update for one sample."""

    def __init__(self, explainer: Explainer, table: UpdateTable, sample: int = 0) -> None:
        self.ex = explainer
        self.table = table
        self.sample = sample

    def sections(self, selection: Selection | None, phase: Phase | None = None) -> list[Section]:
        """The sections for ``phase`` (of a walk) if given, else for ``selection``.

        Selections that do not fit the network (after it changed) give none.
        """
        try:
            if phase is not None:
                return self._phase(phase, selection)
            return self._selection(selection)
        except (IndexError, KeyError):
            return []

    def _focus(self, layer: int, values: np.ndarray, selection: Selection | None) -> list[int]:
        """Neurons of ``layer`` to write out: the selected one, all if few, else the largest |values|."""
        if selection is not None and selection.kind == "neuron" and selection.layer == layer:
            return [selection.m]
        if values.size <= FOCUS_NEURONS + 1:
            return list(range(values.size))
        return sorted(np.argsort(-np.abs(values), kind="stable")[:FOCUS_NEURONS].tolist())

    def _title(self, what: str, layer: int, shown: list[int], selection: Selection | None) -> str:
        n = self.ex.config.sizes[layer]
        title = f"{what} layer {layer_letter(layer)}"
        if selection is not None and selection.kind == "neuron" and selection.layer == layer:
            return f"{title}: the selected {neuron_label(layer, selection.m)}"
        if len(shown) < n:
            title += f" ({len(shown)} of {n} neurons: the largest; select one to see it)"
        return title

    def _focus_rows(self, selection: Selection | None) -> list[int]:
        if selection is not None and selection.kind in ("weight", "bias"):
            return [row_of(self.table, selection)]
        rows: list[int] = self.table.select(top_k=FOCUS_PARAMETERS, sort="abs_grad", descending=True).tolist()
        return rows

    def _updates(self, rows: list[int]) -> list[Equation]:
        ex, t, s = self.ex, self.table, self.sample
        return [eq for r in rows for eq in (ex.gradient(t, r, s), ex.update(t, r))]

    def _phase(self, phase: Phase, selection: Selection | None) -> list[Section]:
        ex, s = self.ex, self.sample
        tr = ex.trace
        L = ex.output_layer
        if phase.kind == "forward":
            l = phase.layer
            idx = self._focus(l, np.asarray(tr.forward.act[l][s]), selection)
            return [(self._title("Forward", l, idx, selection), [ex.forward(l, i, s) for i in idx])]
        if phase.kind == "loss":
            out: list[Section] = []
            if ex.config.loss == "cross_entropy":
                idx = self._focus(L, np.asarray(tr.probs[s]), selection)
                out.append(("Softmax", [ex.probability(k, s) for k in idx]))
            out.append(("Loss", [ex.loss(s)] + ([ex.batch_loss()] if ex.batch_size > 1 else [])))
            return out
        if phase.kind == "backward":
            l = phase.layer
            idx = self._focus(l, np.asarray(tr.deltas[l - 1][s]), selection)
            out = [(self._title("Error terms δ of", l, idx, selection), [ex.delta(l, i, s) for i in idx])]
            if l == 1 and selection is not None and selection.kind == "neuron" and selection.layer == 0:
                out.append(self._input_delta(selection.m))  # the recursion one layer further, to the input
            return out
        return [("Update", self._updates(self._focus_rows(selection)))]

    def _input_delta(self, n: int) -> Section:
        """The input neuron's own error term δ^a_n = Σ_m δ^b_m θ^{ba}_{mn}, written out."""
        return (f"Error term of {neuron_label(0, n)}",
                [input_delta_equation(self.ex.trace, n, self.sample, self.ex.max_terms)])

    def _selection(self, selection: Selection | None) -> list[Section]:
        ex, t, s = self.ex, self.table, self.sample
        L = ex.output_layer
        if selection is None:  # every layer's δ, from the output back, then the largest gradients
            deltas: list[Section] = []
            for l in range(L, 0, -1):
                idx = self._focus(l, np.asarray(ex.trace.deltas[l - 1][s]), None)
                what = "Error terms δ of the output" if l == L else "Error terms δ of"
                deltas.append((self._title(what, l, idx, None), [ex.delta(l, i, s) for i in idx]))
            return [*deltas, ("Largest gradients", self._updates(self._focus_rows(None)))]
        if selection.kind == "neuron":
            l, i = selection.layer, selection.m
            forward = [ex.forward(l, i, s)]
            if l == L and ex.config.loss == "cross_entropy":
                forward.append(ex.probability(i, s))
            out: list[Section] = [(f"Forward: {neuron_label(l, i)}", forward)]
            if l >= 1:
                out.append((f"Error term of {neuron_label(l, i)}", [ex.delta(l, i, s)]))
                out.append((f"Its bias {bias_label(l - 1, i)}", self._updates([t.find(BIAS, l - 1, i)])))
            else:  # an input neuron acts only through its outgoing weights
                out.append(self._input_delta(i))
                rows = t.select(mask=(t.kind == WEIGHT) & (t.layer == 0) & (t.n == i), top_k=FOCUS_PARAMETERS,
                                sort="abs_grad", descending=True).tolist()
                out.append((f"The largest gradients of its weights to layer {layer_letter(1)}", self._updates(rows)))
            return out
        row = row_of(t, selection)
        where = [ex.delta(selection.layer + 1, selection.m, s)]
        if selection.kind == "weight":
            where.append(ex.forward(selection.layer, selection.n, s))
        return [(f"Gradient and update of {t.label(row)}", self._updates([row])), ("where", where)]
