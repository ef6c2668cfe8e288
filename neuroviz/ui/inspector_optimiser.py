"""The inspector's optimiser sections for a selected weight or bias: its update by the rule, its state, the penalty.

``optimiser_sections`` turns what the core computed for one parameter in a
``StepTrace`` into equations the ``EquationsView`` shows: the update written
out with numbers (``neuroviz.core.optimiser_explain.update_lines``), each of
the optimiser's state entries before and after the update (``m`` and ``v``
for Adam, ``v`` for momentum …), and the penalty's share of the gradient g.
Nothing here computes the update; the numbers are the trace's.  With the
paper's SGD and no penalty there is nothing more to say than the explainer's
θ := θ − η ∂L/∂θ, so there are no sections.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from neuroviz.core.equation import Equation
from neuroviz.core.explain_sections import Section
from neuroviz.core.flat_params import split
from neuroviz.core.notation import bias_label, weight_label
from neuroviz.core.numbers import agreeing, fmt
from neuroviz.core.optimiser_explain import Kind, parameter_state, update_lines
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace

RULE_NAMES: dict[str, str] = {
    "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "Adagrad", "rmsprop": "RMSprop",
    "adam": "Adam", "adamw": "AdamW",
}
BUFFER_MEANINGS: dict[str, str] = {
    "m": "m: the running mean of the gradients g (first moment)",
    "v": "v: the running mean of g² (second moment)",
    "G": "G: the sum of every g² so far",
}
VELOCITY = "v: the velocity, μ v + g summed over the updates"


def as_equation(line: str) -> Equation:
    """One line of ``update_lines`` (``lhs = … = value  (note)``) as an ``Equation``."""
    text, _, note = line.partition("  (")
    notes = (note.removesuffix(")"),) if note else ()
    if " := " in text:
        lhs, rest = text.split(" := ", 1)
        lhs += " :="
    else:
        lhs, rest = text.split(" = ", 1)
    return Equation(lhs, tuple(rest.split(" = ")), notes)


def _kind(selection: Selection | None) -> Kind | None:
    if selection is None or selection.kind == "neuron":
        return None
    return "weight" if selection.kind == "weight" else "bias"


def optimiser_sections(trace: StepTrace, selection: Selection | None) -> list[Section]:
    """The update, the state before and after, and the penalty's share, of the selected parameter in ``trace``.

    Empty for a neuron, no selection, or the paper's SGD without a penalty.
    """
    kind = _kind(selection)
    opt = trace.optimizer
    if kind is None or selection is None or opt is None or opt.plain:
        return []
    layer, m, n = selection.layer, selection.m, selection.n if kind == "weight" else 0
    label = weight_label(layer, m, n) if kind == "weight" else bias_label(layer, m)
    rule = RULE_NAMES[opt.name]
    sections: list[Section] = [(f"{rule}'s update of {label}",
                                [as_equation(line) for line in update_lines(trace, kind, layer, m, n)])]
    state: list[Equation] = []
    after = trace.optimizer_after
    if after is not None and after.buffers:
        sizes = tuple(a.shape[1] for a in trace.forward.act)
        old = parameter_state(opt.state, sizes, kind, layer, m, n) if opt.state.buffers else {}
        new = parameter_state(after, sizes, kind, layer, m, n)
        for name, value in new.items():
            meaning = VELOCITY if opt.name in ("momentum", "nesterov") else BUFFER_MEANINGS[name]
            state.append(Equation(f"{name} before", (fmt(old.get(name, 0.0)),), (meaning,)))
            state.append(Equation(f"{name} after", (fmt(value),)))
        state.append(Equation("t", (f"{opt.state.t} → {after.t}",), ("the updates the optimiser has made",)))
    if trace.penalty_weights and kind == "weight":
        data = float(trace.grad_weights[layer][m, n])
        pen = float(trace.penalty_weights[layer][m, n])
        share = abs(pen) / (abs(data) + abs(pen)) if pen else 0.0
        (p, d), shown = agreeing((pen, data), 100 * share, lambda p, d: 100 * abs(p) / (abs(d) + abs(p)),
                                 result_digits=3)
        state.append(Equation("penalty's share of g", (f"|{p}| / (|{d}| + |{p}|)", f"{shown}%"),
            (f"|λ₁·sign({label}) + λ₂·{label}| / (|∂L/∂{label}| + |λ₁·sign({label}) + λ₂·{label}|), with "
             f"λ₁ = {fmt(opt.penalty.l1)}, λ₂ = {fmt(opt.penalty.l2)}; the biases are never penalised",)))
    if state:
        sections.append((f"{rule}'s state for {label}" if after is not None and after.buffers
                         else f"The penalty on {label}", state))
    return sections


def state_columns(trace: StepTrace) -> list[tuple[str, str, np.ndarray]]:
    """The optimiser's state in ``UpdateTable`` row order: (title, tooltip, values (P,)) per buffer, before then after.

    Empty for an optimiser without state (SGD).
    """
    opt, after = trace.optimizer, trace.optimizer_after
    if opt is None or after is None or not after.buffers:
        return []
    sizes = tuple(a.shape[1] for a in trace.forward.act)

    def rows(flat: np.ndarray) -> np.ndarray:
        weights, biases = split(flat, sizes)
        return np.concatenate([w.ravel() for w in weights] + list(biases))

    columns = []
    for name, new in after.buffers.items():
        meaning = VELOCITY if opt.name in ("momentum", "nesterov") else BUFFER_MEANINGS[name]
        old = opt.state.buffers.get(name)
        columns.append((f"{name} before", f"{meaning}, before this update",
                        rows(np.zeros_like(new) if old is None else old)))
        columns.append((f"{name} after", f"{meaning}, after this update", rows(new)))
    return columns


def without_repeats(sections: list[Section], extra: list[Section]) -> list[Section]:
    """``sections`` with the notes that ``extra``'s equations write out in full left out."""
    written = {eq.text() for _title, eqs in extra for eq in eqs}
    written |= {line for _title, eqs in extra for eq in eqs for line in (eq.text() + f"  ({n})" for n in eq.notes)}
    return [(title, [replace(eq, notes=tuple(n for n in eq.notes if n not in written)) for eq in eqs])
            for title, eqs in sections]
