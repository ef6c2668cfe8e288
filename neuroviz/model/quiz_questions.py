"""Which numbers a walk asks the student to predict before a phase shows them, and how each is worked out.

``questions_for(phase, trace, config, level, sample, rng)`` picks, for one
phase of an update being walked through, the ``Question``s of a level:

``signs``
    the sign of one δ of each backward phase, the sign of one Δθ at the update;
``values``
    one δ and one gradient ∂L/∂θ of each backward phase, one new weight θ at
    the update;
``everything``
    both, and a value of each forward phase after the first, the loss L, and
    "which of these weights changes most?" at the update.

Each question holds its exact answer (the trace's own number), the element
it is about, and the worked arithmetic that the core writes out
(``neuroviz.core.explain``), shown beside a wrong answer.  The element is
drawn with ``rng`` among those that are not zero, so a session does not ask
about the same neuron every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from neuroviz.core.equation import Equation
from neuroviz.core.explain import Explainer
from neuroviz.core.network import NetworkConfig
from neuroviz.core.notation import delta_label, neuron_label, weight_label
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import WEIGHT, UpdateTable

QuizLevel = Literal["off", "signs", "values", "everything"]
QUIZ_LEVELS: tuple[QuizLevel, ...] = ("off", "signs", "values", "everything")
LEVEL_TITLES: dict[QuizLevel, str] = {"off": "Off", "signs": "Signs only", "values": "Values",
                                      "everything": "Everything"}
AnswerKind = Literal["number", "sign", "choice"]
CHOICES = 4
"""Weights offered in a "which changes most?" question."""


@dataclass(frozen=True)
class Question:
    """One number to predict before ``phase`` shows it.

    Attributes
    ----------
    phase:
        The phase whose values it is about (held back until it is answered).
    quantity:
        What is asked, in the paper's notation (plain style): ``δ^c_1``, ``∂L/∂θ^{cb}_{21}``,
        ``sign of Δθ^{cb}_{21}``, ``θ^{cb}_{21} after``; for a choice, the question itself.
    kind:
        ``number`` (typed to the shown precision), ``sign`` (+, − or 0) or ``choice`` (1 … len(choices)).
    answer:
        The exact number (``number``), the sign −1, 0 or 1 (``sign``), the 1-based choice (``choice``).
    working:
        The arithmetic that gives the answer, as the core writes it.
    target:
        The element asked about (the views may select it), ``None`` for the loss.
    choices:
        The labels offered (``choice`` questions), in the order they are numbered.
    right_choices:
        Every 1-based choice that is right (ties share the largest change).
    of:
        Whose number it is, in words (``sample 2 of 4``; empty for one sample or a batch's number).
    sample:
        The sample (0-based) a per-sample number is of; ``None`` for the batch's numbers (gradients,
        updates, the loss).
    """

    phase: Phase
    quantity: str
    kind: AnswerKind
    answer: float
    working: tuple[Equation, ...]
    target: Selection | None = None
    choices: tuple[str, ...] = ()
    right_choices: tuple[int, ...] = ()
    of: str = ""
    sample: int | None = None


def questions_for(phase: Phase, trace: StepTrace, config: NetworkConfig, level: QuizLevel, sample: int,
                  rng: np.random.Generator) -> list[Question]:
    """The questions of ``level`` to ask before ``phase`` of ``trace`` is shown, about ``sample`` (0-based)
    where a value is per sample (δ, forward values); gradients, updates and the loss are the batch's."""
    if level == "off":
        return []
    ask = _Asker(phase, trace, config, sample, rng)
    signs, values = level in ("signs", "everything"), level in ("values", "everything")
    out: list[Question] = []
    if phase.kind == "forward" and level == "everything" and phase.layer >= 2:
        out.append(ask.forward(phase.layer))
    elif phase.kind == "loss" and level == "everything":
        out.append(ask.loss())
    elif phase.kind == "backward":
        l = phase.layer
        if values:
            out.append(ask.delta(l, sign=False))
        if signs:
            out.append(ask.delta(l, sign=True))
        if values:
            out.append(ask.gradient(l - 1))
    elif phase.kind == "update":
        layer = int(rng.integers(len(trace.weights_before)))
        if values:
            out.append(ask.new_weight(layer))
        if signs:
            out.append(ask.change_sign(layer))
        if level == "everything":
            out.append(ask.largest_change(layer))
    return out


def _pick(values: np.ndarray, rng: np.random.Generator) -> tuple[int, ...]:
    """A random index of ``values`` (any shape) where it is not zero (anywhere if it is zero everywhere)."""
    nonzero = np.flatnonzero(values)
    flat = int(rng.choice(nonzero)) if nonzero.size else int(rng.integers(values.size))
    return tuple(int(i) for i in np.unravel_index(flat, values.shape))


class _Asker:
    """Makes the questions about one update for one sample."""

    def __init__(self, phase: Phase, trace: StepTrace, config: NetworkConfig, sample: int,
                 rng: np.random.Generator) -> None:
        self.phase, self.trace, self.sample, self.rng = phase, trace, sample, rng
        self.ex = Explainer(trace, config)
        self.table = UpdateTable.from_trace(trace)
        nb = trace.batch_size
        self.of = f"sample {sample + 1} of {nb}" if nb > 1 else ""

    def _question(self, quantity: str, kind: AnswerKind, answer: float, working: list[Equation],
                  target: Selection | None, of: str = "", choices: tuple[str, ...] = (),
                  right_choices: tuple[int, ...] = ()) -> Question:
        sample = self.sample if of else None
        return Question(self.phase, quantity, kind, float(answer), tuple(working), target, choices, right_choices,
                        of, sample)

    def forward(self, layer: int) -> Question:
        values = np.asarray(self.trace.forward.act[layer][self.sample])
        (m,) = _pick(values, self.rng)
        return self._question(neuron_label(layer, m), "number", values[m], [self.ex.forward(layer, m, self.sample)],
                              Selection("neuron", layer, m), self.of)

    def loss(self) -> Question:
        return self._question("L", "number", self.trace.loss, [self.ex.batch_loss()], None)

    def delta(self, layer: int, sign: bool) -> Question:
        values = np.asarray(self.trace.deltas[layer - 1][self.sample])
        (m,) = _pick(values, self.rng)
        name = delta_label(layer, m)
        working = [self.ex.delta(layer, m, self.sample)]
        target = Selection("neuron", layer, m)
        if sign:
            return self._question(f"the sign of {name}", "sign", np.sign(values[m]), working, target, self.of)
        return self._question(name, "number", values[m], working, target, self.of)

    def _weight(self, layer: int, values: np.ndarray) -> tuple[int, int, int]:
        """A weight of ``layer`` picked where ``values`` (its shape) is not zero: (m, n, table row)."""
        m, n = _pick(values, self.rng)
        return m, n, self.table.find(WEIGHT, layer, m, n)

    def gradient(self, layer: int) -> Question:
        m, n, row = self._weight(layer, np.asarray(self.trace.grad_weights[layer]))
        return self._question(f"∂L/∂{weight_label(layer, m, n)}", "number", self.table.grad[row],
                              [self.ex.gradient(self.table, row, self.sample)], Selection("weight", layer, m, n))

    def new_weight(self, layer: int) -> Question:
        m, n, row = self._weight(layer, np.asarray(self.trace.grad_weights[layer]))
        return self._question(f"{weight_label(layer, m, n)} after the update", "number", self.table.new[row],
                              [self.ex.update(self.table, row)], Selection("weight", layer, m, n))

    def change_sign(self, layer: int) -> Question:
        m, n, row = self._weight(layer, np.asarray(self.trace.weight_updates()[layer]))
        return self._question(f"the sign of Δ{weight_label(layer, m, n)}", "sign", np.sign(self.table.delta[row]),
                              [self.ex.update(self.table, row)], Selection("weight", layer, m, n))

    def largest_change(self, layer: int) -> Question:
        """Which of up to ``CHOICES`` weights of ``layer`` (the one changing most among them) changes most."""
        change = np.abs(np.asarray(self.trace.weight_updates()[layer]))
        n_offered = min(CHOICES, change.size)
        flat = self.rng.choice(change.size, size=n_offered, replace=False)
        if not np.any(change.reshape(-1)[flat] > 0) and np.any(change > 0):  # offer one that changes
            flat[0] = int(np.argmax(change))
        cells = [tuple(int(i) for i in np.unravel_index(int(f), change.shape)) for f in flat]
        sizes = np.array([change[c] for c in cells])
        right = tuple(int(i) + 1 for i in np.flatnonzero(sizes == sizes.max()))
        labels = tuple(weight_label(layer, m, n) for m, n in cells)
        rows = [self.table.find(WEIGHT, layer, m, n) for m, n in cells]
        m, n = cells[right[0] - 1]
        return self._question("which of these weights changes most (largest |Δθ|)", "choice", right[0],
                              [self.ex.update(self.table, r) for r in rows], Selection("weight", layer, m, n),
                              choices=labels, right_choices=right)
