"""What every panel shows: which input (the drawing, a sample of the update's batch, or the batch mean) at
which moment (before or after the update shown), and the numbers of it.

``ShowingState`` holds the user's choice, a ``Showing``; ``shown(...)`` makes
it concrete as a ``Shown``: the forward pass (and δ) of the shown input with
the shown moment's parameters, and the update's own trace for its gradients
and Δ.  The diagram, its tooltips, the inspector, the prediction bars and the
status bar all read the one ``Shown`` the model keeps, so their numbers cannot
disagree, and each says what it shows with ``Shown.words``.

Every number comes from ``neuroviz.core``: a sample of the batch before the
update is the update's own trace; anything else is a ``Network.compute_step``
of that input (never applied) with the moment's parameters; a batch mean is
the mean over the batch of those.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from psygnal import Signal

from neuroviz.core.equation import Equation
from neuroviz.core.explain import Explainer, NeuronTable, Progress, sum_of_terms
from neuroviz.core.explain_sections import Section, SectionBuilder
from neuroviz.core.input_delta import input_delta_equation, input_deltas
from neuroviz.core.network import DEFAULT_LR, DivergenceError, Network
from neuroviz.core.notation import delta_label, neuron_label
from neuroviz.core.numbers import count, fmt
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.core.trace import ForwardTrace, StepTrace
from neuroviz.core.update_table import UpdateTable

ShownInput = Literal["drawing", "sample", "mean"]
ShownMoment = Literal["before", "after"]
SHOWN_INPUTS: tuple[ShownInput, ...] = ("drawing", "sample", "mean")
YOUR_DRAWING = "your drawing"
YOUR_POINT = "your point"
"""``Shown.yours``: the user's own input in words, a drawing or (on the plane) a point."""
SHOWN_MOMENTS: tuple[ShownMoment, ...] = ("before", "after")
MEAN_TERMS = 8
"""A batch mean lists its terms while there are at most this many."""


@dataclass(frozen=True)
class Showing:
    """The user's choice: ``input`` (``drawing``, ``sample`` — sample ``sample``, 0-based, of the update's
    batch — or ``mean``, the batch mean) and ``moment`` (``before`` or ``after`` the update shown)."""

    input: ShownInput = "drawing"
    sample: int = 0
    moment: ShownMoment = "after"


class ShowingState:
    """The ``Showing`` chosen (``choice``); the numbers are ``AppModel.shown()``."""

    changed = Signal()
    """The choice changed."""

    def __init__(self) -> None:
        self.choice = Showing()

    def choose(self, input: ShownInput | None = None, sample: int | None = None,
               moment: ShownMoment | None = None) -> None:
        """Change part of the choice (``ValueError`` for an unknown input or moment, or a negative sample)."""
        if input is not None and input not in SHOWN_INPUTS:
            raise ValueError(f"unknown input {input!r}; choose one of {', '.join(SHOWN_INPUTS)}")
        if moment is not None and moment not in SHOWN_MOMENTS:
            raise ValueError(f"unknown moment {moment!r}; choose before or after")
        if sample is not None and int(sample) < 0:
            raise ValueError(f"samples are counted from 1; got {int(sample) + 1}")
        new = Showing(input or self.choice.input, self.choice.sample if sample is None else int(sample),
                      moment or self.choice.moment)
        if new != self.choice:
            self.choice = new
            self.changed.emit()


@dataclass(frozen=True, eq=False)
class Shown:
    """The numbers every panel shows (see the module docstring).

    Attributes
    ----------
    showing:
        The choice as it applies: without an update only the drawing, now; while
        walking only the walked batch, before its update; a sample within the batch.
    update:
        The update shown (the walked one during a phase walk), or ``None``.
    number:
        Its update number n (without an update: the number of updates made so far).
    walking:
        ``update`` is being walked through, not applied.
    weights, biases:
        The shown moment's θ (shapes (n_{l+1}, n_l)) and β (shapes (n_{l+1},)).
    forward:
        The forward pass of the shown input(s), shapes (B, n_l): one row for the
        drawing, the update's batch for a sample or the mean.
    trace:
        The same input's whole computation (δ too), from ``Network.compute_step``
        or the update itself; ``None`` if its loss is not finite (then no δ).
    targets:
        Shape (B, n_L): the r of each row.
    row:
        The row of ``forward`` shown; ``None`` for the batch mean.
    yours:
        The user's own input in words: ``your drawing``, or ``your point`` for a network on the plane.
    """

    showing: Showing
    update: StepTrace | None
    number: int
    walking: bool
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    forward: ForwardTrace
    trace: StepTrace | None
    targets: np.ndarray
    row: int | None
    yours: str = YOUR_DRAWING

    # ------------------------------------------------------------ values
    def _pick(self, a: np.ndarray) -> np.ndarray:
        """Row ``row`` of a (B, n) array, or its mean over the batch: shape (n,)."""
        out: np.ndarray = a[self.row] if self.row is not None else a.mean(axis=0)
        return out

    def act(self, layer: int) -> np.ndarray:
        """Shape (n_l,): the values a, b, c … of ``layer`` (0: the input)."""
        return self._pick(self.forward.act[layer])

    def raw(self, layer: int) -> np.ndarray:
        """Shape (n_l,): b^raw, c^raw … of ``layer`` (0: the input)."""
        return self._pick(self.forward.raw[layer])

    def delta(self, layer: int) -> np.ndarray | None:
        """Shape (n_l,): δ of ``layer`` (≥ 1), or ``None`` when it cannot be computed."""
        return None if self.trace is None else self._pick(self.trace.deltas[layer - 1])

    @cached_property
    def _input_deltas(self) -> np.ndarray | None:
        return None if self.trace is None else input_deltas(self.trace)

    def input_delta(self) -> np.ndarray | None:
        """Shape (n_0,): the input's own δ^a = ∂L/∂a (``neuroviz.core.input_delta``; the batch mean: the mean),
        or ``None`` when it cannot be computed."""
        d = self._input_deltas
        return None if d is None else self._pick(d)

    @property
    def probs(self) -> np.ndarray:
        """Shape (n_L,): p (or the outputs for the squared error)."""
        return self._pick(self.forward.probs)

    @property
    def target(self) -> np.ndarray:
        """Shape (n_L,): r."""
        return self._pick(self.targets)

    @property
    def target_class(self) -> int:
        """The class of the largest r."""
        return int(np.argmax(self.target))

    @property
    def batch_size(self) -> int:
        """B of the update shown (0 without one)."""
        return 0 if self.update is None else self.update.batch_size

    @cached_property
    def update_table(self) -> UpdateTable | None:
        """Every parameter of the update shown (``None`` without one)."""
        return None if self.update is None else UpdateTable.from_trace(self.update)

    def neuron_table(self) -> NeuronTable:
        """Every neuron of the shown input (the batch mean: the means), in the inspector's columns; the input
        layer's δ is its own δ^a (``input_delta``)."""
        n_layers = len(self.forward.act)
        sizes = [a.shape[1] for a in self.forward.act]
        nan = np.full(sum(sizes[:-1]), np.nan)
        deltas = [self.delta(l) for l in range(1, n_layers)]
        return NeuronTable(
            layer=np.repeat(np.arange(n_layers), sizes),
            index=np.concatenate([np.arange(s) for s in sizes]),
            raw=np.concatenate([self.raw(l) for l in range(n_layers)]),
            act=np.concatenate([self.act(l) for l in range(n_layers)]),
            delta=np.concatenate([np.full(sizes[0], np.nan) if self._input_deltas is None else self.input_delta(),
                                  *(np.full(s, np.nan) if d is None else d for s, d in zip(sizes[1:], deltas))]),
            prob=np.concatenate([nan, self.probs]),
            target=np.concatenate([nan, self.target]),
        )

    def progress(self, phase: Phase | None) -> Progress | None:
        """What a walk has computed at ``phase`` (``None``: not walking, everything is known)."""
        return Progress.at(phase, len(self.weights) + 1) if self.walking else None

    def known_probs(self, phase: Phase | None) -> np.ndarray | None:
        """Shape (n_L,): p, once computed: ``None`` while a walk at ``phase`` has not reached the loss."""
        progress = self.progress(phase)
        return self.probs if progress is None or progress.loss else None

    # ------------------------------------------------------------ words
    def input_words(self) -> str:
        """``your drawing`` (``your point``), ``sample 3 of 8`` or ``mean of the batch of 8``."""
        s = self.showing
        if s.input == "drawing":
            return self.yours
        if s.input == "mean":
            return f"mean of the batch of {self.batch_size}"
        return f"sample {s.sample + 1} of {self.batch_size}" if self.batch_size > 1 else "the update's sample"

    def moment_words(self) -> str:
        """``update 12 · before``, ``update 12 · walking`` or, without an update, ``update 40``/``start``."""
        if self.update is None:
            return f"update {count(self.number)}" if self.number else "start"
        if self.walking:
            return f"update {count(self.number)} · walking, before it"
        return f"update {count(self.number)} · {self.showing.moment}"

    def words(self) -> str:
        """What is shown, in words: ``update 12 · before · your drawing``."""
        return f"{self.moment_words()} · {self.input_words()}"

    # ------------------------------------------------------------ equations
    def sections(self, network: Network, selection: Selection | None, phase: Phase | None) -> list[Section]:
        """The equations the inspector writes out for ``selection`` (or the walk's ``phase``), of the shown
        input and moment; a parameter's gradient and update are always the update's (``network``: the open
        one, for its options)."""
        table = self.update_table
        if self.update is None or table is None:
            return []
        config = network.config
        sample = self.row if self.showing.input == "sample" and self.row is not None else 0
        of_update = SectionBuilder(Explainer(self.update, config), table, sample)
        if self.trace is self.update and self.row is not None:  # a sample of the batch, before its update
            return of_update.sections(selection, phase)
        on_parameter = selection is not None and selection.kind in ("weight", "bias")
        if on_parameter or (phase is not None and phase.kind == "update"):
            return of_update.sections(selection, phase)
        mine = self._neuron_sections(network, selection, phase)
        if phase is not None and phase.kind == "loss" and self.row is None and self.trace is not None:
            return [*mine, ("Loss", [Explainer(self.trace, config).batch_loss()])]
        if selection is None and phase is None:
            largest = of_update.sections(None)[-1:]  # the update's largest gradients
            if self.row is not None and self.trace is not None:  # every layer's δ, of the input shown
                own = SectionBuilder(Explainer(self.trace, config), UpdateTable.from_trace(self.trace), self.row)
                return own.sections(None)[:-1] + largest
            return mine + of_update.sections(None)[1:]
        if selection is not None and selection.kind == "neuron" and selection.layer >= 1 and phase is None:
            return mine + of_update.sections(Selection("bias", selection.layer - 1, selection.m))[:1]
        return mine

    def _neuron_sections(self, network: Network, selection: Selection | None,
                         phase: Phase | None) -> list[Section]:
        """A neuron's value and δ for the shown input (the batch mean: written as means)."""
        output = len(self.weights)
        if selection is not None and selection.kind == "neuron":
            layer, index = selection.layer, selection.m
        else:
            layer = output if phase is None or phase.kind == "loss" else phase.layer
            values = self.delta(layer) if phase is None or phase.kind == "backward" else self.act(layer)
            index = int(np.argmax(np.abs(values))) if values is not None else 0
        want_value = phase is None or phase.kind in ("forward", "loss")
        want_delta = (phase is None or phase.kind == "backward") and (layer >= 1 or phase is None or phase.layer == 1)
        name = neuron_label(layer, index)
        out: list[Section] = []
        if self.row is None:
            if want_value:
                eq = self._mean(name, self.forward.act[layer][:, index], float(self.act(layer)[index]))
                out.append((f"Forward: {name}, the batch mean", [eq]))
            per_sample = None if self.trace is None or not want_delta else (
                self.trace.deltas[layer - 1] if layer >= 1 else self._input_deltas)
            if per_sample is not None:
                eq = self._mean(delta_label(layer, index), per_sample[:, index], float(self._pick(per_sample)[index]))
                out.append((f"Error term of {name}, the batch mean", [eq]))
            return out
        if self.trace is None:
            value = float(self.act(layer)[index])
            return [(f"Forward: {name}", [Equation(name, (fmt(value),), ("The loss is not finite: no δ.",))])]
        ex = Explainer(self.trace, network.config)
        if want_value:
            forward = [ex.forward(layer, index, self.row)]
            if layer == output and network.config.loss == "cross_entropy":
                forward.append(ex.probability(index, self.row))
            out.append((f"Forward: {name}", forward))
        if want_delta:
            eq = ex.delta(layer, index, self.row) if layer >= 1 else input_delta_equation(self.trace, index, self.row)
            out.append((f"Error term of {name}", [eq]))
        return out

    def _mean(self, name: str, values: np.ndarray, mean: float) -> Equation:
        """``mean name = (1/B) Σ_s name[s] = (1/B)(v₁ + …) = mean`` of ``values`` (shape (B,)), every term
        listed while there are at most ``MEAN_TERMS``, the equation true as printed."""
        nb = values.size
        terms = sum_of_terms(values, mean, MEAN_TERMS)
        notes = (f"The mean over the batch of {nb}.", *((terms.note,) if terms.note else ()))
        return Equation(f"mean {name}", (f"(1/{nb}) Σ_s {name}[s]", f"(1/{nb})({terms.text})", fmt(float(mean))),
                        notes)


def shown(choice: Showing, network: Network, image: np.ndarray, target: int | np.ndarray,
          update: StepTrace | None, number: int, walking: bool, yours: str = YOUR_DRAWING) -> Shown:
    """Make ``choice`` concrete for the open ``network`` (its parameters are the moment after ``update``,
    or, while ``walking``, before it), the drawing ``image`` (n_0,) with class ``target`` (or target
    values r (n_L,) for regression), and ``update``
    (``None``: nothing traced leads to this moment) with its update ``number``; ``yours`` names the user's
    own input (``Shown.yours``)."""
    if update is None:
        choice = Showing("drawing", 0, "after")
    else:
        mean_ok = update.batch_size > 1
        kind = choice.input
        if walking:
            kind = "sample" if kind == "drawing" and not mean_ok else ("mean" if kind == "drawing" else kind)
        if kind == "mean" and not mean_ok:
            kind = "sample"
        choice = Showing(kind, min(choice.sample, update.batch_size - 1), "before" if walking else choice.moment)
    before = update is not None and choice.moment == "before"
    if before and update is not None:
        weights, biases = update.weights_before, update.biases_before
        net = network if walking else Network(network.config, list(weights), list(biases))
    else:  # the open network is the moment after the update (the same bits as the update's θ_after)
        weights, biases = tuple(network.weights), tuple(network.biases)
        net = network
    if choice.input == "drawing" or update is None:
        x = image.reshape(1, -1)
        given = isinstance(target, np.ndarray)
        labels: np.ndarray | None = None if given else np.array([target])
        row: int | None = 0
        targets_given: np.ndarray | None = np.asarray(target, dtype=np.float64).reshape(1, -1) if given else None
    else:
        x, labels, targets_given = update.inputs, update.labels, update.targets
        row = choice.sample if choice.input == "sample" else None
    trace: StepTrace | None
    if before and update is not None and choice.input != "drawing":
        trace = update
    else:
        try:
            lr = update.lr if update is not None else DEFAULT_LR
            trace = net.compute_step(x, labels if labels is not None else targets_given, lr)
        except DivergenceError:
            trace = None
    fwd = trace.forward if trace is not None else net.forward(x)
    targets = trace.targets if trace is not None else _one_hot(labels, targets_given, fwd.probs.shape[1])
    return Shown(choice, update, number, walking, tuple(weights), tuple(biases), fwd, trace, targets, row, yours)


def _one_hot(labels: np.ndarray | None, r: np.ndarray | None, n_classes: int) -> np.ndarray:
    """Shape (B, n_L): the target vectors of ``labels`` (or ``r`` itself)."""
    if r is not None:
        return r
    assert labels is not None
    out: np.ndarray = np.eye(n_classes)[labels]
    return out
