"""Worksheets: one update of a small network to work out by hand, and its answer key.

An ``Exercise`` is what a sheet gives: a network whose numbers are "nice"
(weights and biases of one or two decimals, inputs in quarters), an input,
its class and η.  ``exercises(...)`` makes the sheet of a network's own
numbers (rounded to ``GIVEN_DECIMALS``) or, with ``variants``, that many
sheets of fresh numbers drawn from a seed, so that neighbours cannot copy.
``worksheet(exercise)`` takes the update with the core (``Network.step``)
on exactly the numbers the sheet shows and lays out the questions: the
forward values, the softmax and the loss, every δ, and the gradients and
new values of a few parameters (the two of largest |∂L/∂θ| per weight
matrix and one bias per layer).  Each ``Question`` carries its answers and
the ``Explainer``'s worked arithmetic for the key; a renderer of the blank
sheet prints only the labels.

This module holds what a sheet says, never how it is drawn: the PDF
(``neuroviz.ui.worksheet_pdf``) and the LaTeX source
(``neuroviz.io.worksheet_tex``) both render a ``Worksheet``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroviz.core.activations import FORMULAS
from neuroviz.core.equation import Equation
from neuroviz.core.explain import Explainer
from neuroviz.core.network import Network
from neuroviz.core.notation import delta_label, indexed, layer_letter, neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import BIAS, WEIGHT, UpdateTable

MAX_PARAMETERS = 40
"""The largest network (weights and biases) a worksheet takes: a page of hand computation."""
MAX_VARIANTS = 200
"""The most sheets one worksheet makes."""
GIVEN_DECIMALS = 2
"""A network's own numbers are rounded to this many decimals on its sheet."""
ANSWER_DIGITS = 4
"""Significant digits the sheet asks for."""
GRADIENTS_PER_LAYER = 2
"""Weights per weight matrix whose gradient and new value the sheet asks for."""
SHORT_LABEL = 8
"""Labels of at most this many characters (``b_1^raw``) leave room for two questions of two blanks a row."""
_TRIES = 200
"""Draws of a variant's numbers before the last one is taken even if it is dull."""

_SHEET_FORMULAS = {"sigmoid": "1/(1 + e^{−z})"}
"""Activations written for the sheet where ``FORMULAS``' text form would set its exponent badly."""
_ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "sigmoid", "tanh": "tanh",
                     "identity": "identity", "none": "none"}


Prose = str
"""Text with formulas between ``$`` signs in the plain style of ``neuroviz.core.notation``:
``"Layer $b$ (hidden): ReLU, $b_m = max{0, b_m^raw}$"``; ``prose_parts`` splits it."""


def prose_parts(text: Prose) -> list[tuple[str, bool]]:
    """``text`` as ``(piece, is_formula)`` pairs, in order (empty pieces left out)."""
    return [(piece, i % 2 == 1) for i, piece in enumerate(text.split("$")) if piece]


class WorksheetError(ValueError):
    """The network cannot be made into a worksheet (too large, or a bad option)."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """The numbers one sheet gives.

    ``network`` holds the weights and biases as printed; ``inputs`` has
    shape (n_0,) (the values a_j); ``label`` is the target class (r is its
    one-hot vector); ``variant`` counts from 1 to ``variants``; ``seed`` is
    the seed the numbers were drawn from (``None``: the network's own
    numbers, rounded).
    """

    network: Network
    inputs: np.ndarray
    label: int
    class_names: tuple[str, ...]
    lr: float
    title: str
    variant: int = 1
    variants: int = 1
    seed: int | None = None

    def trace(self) -> StepTrace:
        """The update, computed by the core from exactly the printed numbers (the network is not changed)."""
        return self.network.copy().step(self.inputs[None, :], np.array([self.label]), self.lr)

    @property
    def subtitle(self) -> str:
        """The network's title, and whether the numbers are new: ``Paper, Figure 4 (4-3-2), with new numbers``."""
        title = self.title or "A small network"
        return title if self.seed is None else f"{title}, with new numbers"

    @property
    def caption(self) -> str:
        """``Variant 2 of 30 (seed 7)``, or ``""`` for the one sheet of the network's own numbers."""
        if self.seed is None:
            return ""
        return f"Variant {self.variant} of {self.variants} (seed {self.seed})"


def check_network(network: Network) -> None:
    """Raise ``WorksheetError`` unless ``network`` is small enough to work out by hand."""
    if network.n_params > MAX_PARAMETERS:
        sizes = "-".join(map(str, network.sizes))
        raise WorksheetError(f"a worksheet is for a network of at most {MAX_PARAMETERS} weights and biases; "
                             f"this {sizes} network has {network.n_params} (try 4-3-2, the paper's Figure 4)")


def _given(network: Network, inputs: np.ndarray, label: int, class_names: tuple[str, ...], lr: float,
           title: str) -> Exercise:
    """The sheet of the network's own numbers, rounded to ``GIVEN_DECIMALS`` decimals."""
    weights = [np.round(w, GIVEN_DECIMALS) + 0.0 for w in network.weights]  # + 0.0: no −0
    biases = [np.round(b, GIVEN_DECIMALS) + 0.0 for b in network.biases]
    x = np.round(np.asarray(inputs, dtype=np.float64), GIVEN_DECIMALS) + 0.0
    return Exercise(Network(network.config, weights, biases), x, label, class_names, lr, title)


def _draw(base: Exercise, rng: np.random.Generator) -> Exercise:
    """New numbers for ``base``'s network: weights ±0.1 … ±0.9, biases in steps of 0.05 up to ±0.2,
    inputs ¼, ½, ¾ or 1, and a random target class."""
    net = base.network
    weights = [rng.integers(1, 10, w.shape) * rng.choice([-1, 1], w.shape) / 10.0 for w in net.weights]
    biases = [rng.integers(-4, 5, b.shape) * 5 / 100.0 for b in net.biases]
    x = rng.integers(1, 5, base.inputs.shape) / 4.0
    label = int(rng.integers(net.sizes[-1]))
    return Exercise(Network(net.config, weights, biases), x, label, base.class_names, base.lr, base.title)


def _worth_doing(exercise: Exercise) -> bool:
    """True if no raw value sits on a kink of ReLU (z = 0), a ReLU layer has at most one neuron off (none
    in the output layer, whose δ would vanish) and every weight matrix gets a gradient."""
    trace = exercise.trace()
    config = exercise.network.config
    last = len(config.sizes) - 1
    for layer in range(1, last + 1):
        raw = trace.forward.raw[layer][0]
        if config.activation_of(layer) in ("relu", "leaky_relu"):
            off = int(np.count_nonzero(raw < 0))
            if np.any(np.abs(raw) < 1e-9) or off > (0 if layer == last else 1):
                return False
    return all(np.any(g != 0.0) for g in trace.grad_weights)


def exercises(network: Network, inputs: np.ndarray, label: int, class_names: tuple[str, ...], lr: float,
              title: str = "", variants: int | None = None, seed: int = 0) -> list[Exercise]:
    """The sheets of a worksheet.

    Without ``variants``: one sheet of the network's own numbers (rounded to
    ``GIVEN_DECIMALS``), its input ``inputs`` (n_0,) and class ``label``.
    With ``variants`` = N: N sheets of fresh "nice" numbers drawn from
    ``seed`` (sheet k from its own stream, so sheet k is the same whatever
    N), each redrawn until its update is worth doing (see ``_worth_doing``).
    Raises ``WorksheetError`` for a network too large, N outside
    1…``MAX_VARIANTS`` or a bad class.
    """
    check_network(network)
    if not 0 <= label < network.sizes[-1]:
        raise WorksheetError(f"the class {label} is not one of the network's {network.sizes[-1]} outputs")
    if np.asarray(inputs).shape != (network.sizes[0],):
        raise WorksheetError(f"the input has shape {np.asarray(inputs).shape}; the network takes "
                             f"{network.sizes[0]} values")
    base = _given(network, inputs, label, class_names, lr, title)
    if variants is None:
        return [base]
    if not 1 <= variants <= MAX_VARIANTS:
        raise WorksheetError(f"the number of variants must be from 1 to {MAX_VARIANTS}; got {variants}")
    if seed < 0:
        raise WorksheetError(f"the seed must be a non-negative integer; got {seed}")
    out = []
    for k in range(1, variants + 1):
        rng = np.random.default_rng([seed, k])
        drawn = _draw(base, rng)
        for _ in range(_TRIES - 1):
            if _worth_doing(drawn):
                break
            drawn = _draw(base, rng)
        out.append(Exercise(drawn.network, drawn.inputs, drawn.label, drawn.class_names, drawn.lr, drawn.title,
                            k, variants, seed))
    return out


# ---------------------------------------------------------------- questions
@dataclass(frozen=True)
class Blank:
    """One number to fill in: ``label relation ____`` (``b_1^raw =``, ``θ^{ba}_{11} :=``) and its ``answer``."""

    label: str
    relation: str
    answer: float


@dataclass(frozen=True)
class Question:
    """One line of the sheet: its blanks, and the worked arithmetic of the answer key (the core's equations)."""

    blanks: tuple[Blank, ...]
    working: tuple[Equation, ...]


@dataclass(frozen=True)
class Part:
    """A numbered part of the sheet: its ``title``, a ``hint`` (the formula to use, ``Prose``) and its questions."""

    title: str
    hint: str
    questions: tuple[Question, ...]

    @property
    def per_row(self) -> int:
        """Questions set side by side on the sheet: 3 of one blank, 2 of two short ones, else 1."""
        if all(len(q.blanks) == 1 for q in self.questions):
            return 3
        return 2 if all(len(b.label) <= SHORT_LABEL for q in self.questions for b in q.blanks) else 1

    @property
    def notes(self) -> tuple[str, ...]:
        """The notes of the part's worked equations, each once, in order (for the answer key)."""
        return tuple(dict.fromkeys(n for q in self.questions for eq in q.working for n in eq.notes))


@dataclass(frozen=True, eq=False)
class Worksheet:
    """One sheet: its ``exercise``, the ``trace`` of its update and its ``parts``."""

    exercise: Exercise
    trace: StepTrace
    parts: tuple[Part, ...]

    @property
    def blanks(self) -> list[Blank]:
        """Every blank of the sheet, in order."""
        return [b for p in self.parts for q in p.questions for b in q.blanks]

    def setup(self) -> list[str]:
        """The sheet's givens beside the drawing, one ``Prose`` line each: activations, loss, target, η."""
        ex = self.exercise
        cfg = ex.network.config
        lines = []
        last = len(cfg.sizes) - 1
        for layer in range(1, last + 1):
            act = cfg.activation_of(layer)
            me = layer_letter(layer)
            role = "output" if layer == last else "hidden"
            formula = "" if act in ("identity", "none") else \
                f", ${me}_m = {_SHEET_FORMULAS.get(act, FORMULAS[act]).replace('z', me + '_m^raw')}$"
            lines.append(f"Layer ${me}$ ({role}): {_ACTIVATION_NAMES[act]}{formula}")
        target = ", ".join("1" if j == ex.label else "0" for j in range(cfg.sizes[-1]))
        name = f" ({ex.class_names[ex.label]})" if ex.label < len(ex.class_names) else ""
        if cfg.loss == "cross_entropy":
            lines.append(f"Loss: softmax $p_k = e^{{{layer_letter(last)}_k}} / Σ_j e^{{{layer_letter(last)}_j}}$, "
                         "$L = −Σ_j r_j ln p_j$ (ln: the natural logarithm)")
        else:
            lines.append(f"Loss: $L = ½ Σ_j ({layer_letter(last)}_j − r_j)²$")
        lines.append(f"Target $r = ({target})${name}, learning rate $η = {fmt(ex.lr)}$")
        lines.append(f"Update: $θ := θ − η ∂L/∂θ$.  Give each answer to {ANSWER_DIGITS} significant digits.")
        return lines


def chosen_rows(table: UpdateTable) -> list[int]:
    """The parameters the sheet asks about: per layer from the output down, the ``GRADIENTS_PER_LAYER``
    weights of largest |∂L/∂θ| and the bias of largest |∂L/∂β| (table rows)."""
    rows: list[int] = []
    for layer in range(int(table.layer.max()), -1, -1):
        for kind, k in ((WEIGHT, GRADIENTS_PER_LAYER), (BIAS, 1)):
            picked = table.select(layer=layer, mask=table.kind == kind, top_k=k)
            rows += picked.tolist()
    return rows


def worksheet(exercise: Exercise) -> Worksheet:
    """The questions of ``exercise`` with their answers and worked arithmetic (every sum written in full)."""
    trace = exercise.trace()
    cfg = exercise.network.config
    ex = Explainer(trace, cfg, max_terms=MAX_PARAMETERS)
    table = UpdateTable.from_trace(trace)
    last = len(cfg.sizes) - 1
    fwd = trace.forward
    forward = []
    for layer in range(1, last + 1):
        for i in range(cfg.sizes[layer]):
            value = Blank(neuron_label(layer, i), "=", float(fwd.act[layer][0, i]))
            if cfg.activation_of(layer) in ("identity", "none"):
                blanks: tuple[Blank, ...] = (value,)
            else:
                blanks = (Blank(neuron_label(layer, i, raw=True), "=", float(fwd.raw[layer][0, i])), value)
            forward.append(Question(blanks, (ex.forward(layer, i),)))
    loss_questions = []
    if cfg.loss == "cross_entropy":
        loss_questions += [Question((Blank(indexed("p", k), "=", float(trace.probs[0, k])),), (ex.probability(k),))
                           for k in range(cfg.sizes[-1])]
    loss_questions.append(Question((Blank("L", "=", float(trace.losses[0])),), (ex.loss(),)))
    deltas = [Question((Blank(delta_label(layer, i), "=", float(trace.deltas[layer - 1][0, i])),),
                       (ex.delta(layer, i),))
              for layer in range(last, 0, -1) for i in range(cfg.sizes[layer])]
    updates = [Question((Blank(f"∂L/∂{table.label(r)}", "=", float(table.grad[r])),
                         Blank(table.label(r), ":=", float(table.new[r]))),
                        (ex.gradient(table, r), ex.update(table, r)))
               for r in chosen_rows(table)]
    out = layer_letter(last)
    softmax = cfg.loss == "cross_entropy"
    parts = [
        Part("Forward pass", "$b_m^raw = Σ_j a_j θ^{ba}_{mj} + β^b_m$, then $b_m = f(b_m^raw)$, layer by layer",
             tuple(forward)),
        Part("Softmax and loss" if softmax else "Loss",
             f"$p_k = e^{{{out}_k}} / Σ_j e^{{{out}_j}}$ and $L = −Σ_j r_j ln p_j$ (natural logarithm)" if softmax
             else f"$L = ½ Σ_j ({out}_j − r_j)²$", tuple(loss_questions)),
        Part("Error terms δ", _delta_hint(cfg.loss, last), tuple(deltas)),
        Part("Gradients and new values",
             "$∂L/∂θ^{ba}_{mn} = δ^b_m · a_n$,  $∂L/∂β^b_m = δ^b_m$, then $θ := θ − η ∂L/∂θ$",
             tuple(updates)),
    ]
    return Worksheet(exercise, trace, tuple(parts))


def _delta_hint(loss: str, last: int) -> str:
    """The δ formulas: of the output layer ``last``, and (if there is a hidden layer) of the one below it."""
    out = layer_letter(last)
    error = "p_m − r_m" if loss == "cross_entropy" else f"{out}_m − r_m"
    hint = f"$δ^{out}_m = ({error}) · f'({out}_m^raw)$"
    if last > 1:
        prev = layer_letter(last - 1)
        hint += (f", then $δ^{prev}_n = (Σ_m δ^{out}_m θ^{{{out}{prev}}}_{{mn}}) · f'({prev}_n^raw)$, "
                 "layer by layer from the output down")
    return hint
