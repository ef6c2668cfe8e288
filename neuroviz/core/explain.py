"""One update's arithmetic written out in the paper's notation, with its numbers.

An ``Explainer`` wraps a ``StepTrace`` and the ``NetworkConfig`` it was made
with, and writes each quantity as a chain of equal forms, from the general
formula to the value, e.g. ::

    b_1 = max{0, Σ_j a_j θ^{ba}_{1j} + β^b_1}
        = max{0, (0.75)(0.5) + (0.5)(−0.3) + (0.25)(0.1) + (1)(−0.1) + 0.15}
        = max{0, 0.3}
        = 0.3

Texts use the ``plain`` style of ``neuroviz.core.notation`` (``θ^{cb}_{11}``,
``b_1^raw``); a view may turn the scripts into real super- and subscripts.
Indices are 0-based in the API and 1-based in the text.  Sums with more than
``max_terms`` terms list the largest terms (by magnitude) and the sum of the
rest, so a 64-input neuron stays readable.  The values at the end of each
chain are the trace's own numbers (never recomputed); the intermediate numbers
are the factors the trace holds.

The paper's own slips are noted only where it prints them: an update of a
preset's example gets that preset's ``PaperRemarks`` (see
``neuroviz.core.presets`` and docs/paper-notes.md, "Errata").
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from neuroviz.core.activations import FORMULAS, LEAKY_SLOPE, apply
from neuroviz.core.equation import Equation
from neuroviz.core.network import NetworkConfig
from neuroviz.core.notation import bias_label, delta_label, indexed, layer_letter, neuron_label
from neuroviz.core.numbers import agreeing, fmt, needed_digits
from neuroviz.core.optimiser_explain import update_lines
from neuroviz.core.phases import Phase
from neuroviz.core.presets import PaperRemarks, remarks_for
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import WEIGHT, UpdateTable

DEFAULT_MAX_TERMS = 6
"""Sums with more terms than this list only the largest ones."""

PAPER_LOG_NOTE_SHORT = "ln, the natural logarithm: the paper's −log(0.6) ≈ 0.22 is base 10; −ln 0.6 = 0.5108"
"""``PAPER_LOG_NOTE`` in short, for a one-line header (docs/paper-notes.md, the errata)."""
PAPER_LOG_NOTE = (
    "ln is the natural logarithm: the paper's “−log(0.6) ≈ 0.22” is the base-10 logarithm "
    "(−log₁₀ 0.6 = 0.2218); δ = p − r holds only for ln, so its loss is −ln 0.6 = 0.5108."
)
"""The erratum on the paper's loss value (docs/paper-notes.md, erratum 1), noted on every cross-entropy loss."""

_WRAPPERS: dict[str, str] = {"relu": "max{{0, {}}}", "leaky_relu": "LReLU({})", "sigmoid": "σ({})", "tanh": "tanh({})"}
"""How each activation is written around its argument (identity/none: bare)."""

_ACTIVATION_NOTES: dict[str, str] = {
    "leaky_relu": f"LReLU(z) = {FORMULAS['leaky_relu']}",
    "sigmoid": f"σ(z) = {FORMULAS['sigmoid']}",
}


def _added(x: float, text: str) -> str:
    """``text``, the printed ``x``, as an added term: in parentheses when negative."""
    return f"({text})" if x < 0 else text


class Terms(NamedTuple):
    """A sum written out: its ``text`` and a ``note`` on what it leaves out ("" when every term is listed)."""

    text: str
    note: str


class Derivative(NamedTuple):
    """``f'`` of a neuron's raw value: its ``formula``, the formula with ``numbers``, and its ``value``."""

    formula: str
    numbers: str
    value: float


def sum_of_products(a: np.ndarray, b: np.ndarray, max_terms: int = DEFAULT_MAX_TERMS, *, plus: float | None = None,
                    divisor: int = 1, total: float | None = None, total_digits: int = 6) -> Terms:
    """``(a_1)(b_1) + (a_2)(b_2) + …`` for two vectors of shape (n,), then ``+ plus`` if given.

    Returns the ``Terms``.  With more than ``max_terms`` terms the
    ``max_terms`` largest products by magnitude are listed (largest first) and
    the rest are summed into one bracketed term; the note says so.  With
    ``total`` (what the sum, divided by ``divisor``, is set equal to, printed
    with ``total_digits``) every factor gets the digits that keep that
    equation true (``neuroviz.core.numbers.agreeing``).
    """
    prod = a * b
    n = prod.size
    order = np.argsort(-np.abs(prod), kind="stable")
    top = order[:max_terms]
    if n <= max_terms:
        shown, rest = np.arange(n), np.empty(0, dtype=np.int64)
    else:
        shown = top[prod[top] != 0.0] if np.any(prod[top] != 0.0) else top[:1]  # zeros go to the rest
        rest = np.setdiff1d(order, shown, assume_unique=True)
    operands = [float(v) for i in shown for v in (a[i], b[i])]
    rest_sum = float(prod[rest].sum())
    added = ([rest_sum] if rest.size else []) + ([plus] if plus is not None else [])
    k = 2 * shown.size

    def recompute(*v: float) -> float:
        return (sum(v[i] * v[i + 1] for i in range(0, k, 2)) + sum(v[k:])) / divisor

    need = (6,) * (k + len(added)) if total is None else \
        needed_digits([*operands, *added], total, recompute, result_digits=total_digits)
    texts = [fmt(v, d) for v, d in zip([*operands, *added], need)]
    text = " + ".join(f"({texts[i]})({texts[i + 1]})" for i in range(0, k, 2))
    if rest.size:
        text += f" + ⟨{rest.size} more: {texts[k]}⟩"
    if plus is not None:
        text += f" + {_added(plus, texts[-1])}"
    if not rest.size:
        return Terms(text, "")
    zeros = int(np.count_nonzero(prod[rest] == 0.0))
    if zeros == n - 1 and prod[shown[0]] == 0.0:
        return Terms(text, f"All {n} terms are 0.")
    listed = f"The largest {shown.size} of {n} terms are listed" if shown.size > 1 else \
        f"The largest of {n} terms is listed"
    note = f"{listed}; ⟨…⟩ is the sum of the other {rest.size}"
    if zeros:
        note += f" ({zeros} of them {'is' if zeros == 1 else 'are'} 0)"
    note += "."
    return Terms(text, note)


def sum_of_terms(values: np.ndarray, mean: float, max_terms: int) -> Terms:
    """``v_1 + v_2 + …`` of ``values`` (shape (B,)), whose sum divided by B is ``mean``.

    Every term is listed while there are at most ``max_terms``; beyond, the
    first ``max_terms`` are and the others are summed into one bracketed term
    (the note says so).  Each printed number gets the digits that keep
    ``(1/B)(v_1 + …) = mean`` true (``neuroviz.core.numbers.needed_digits``).
    """
    nb = values.size
    listed = [float(v) for v in values[:max_terms]]
    rest = [float(values[max_terms:].sum())] if nb > max_terms else []
    need = needed_digits([*listed, *rest], mean, lambda *v: sum(v) / nb)
    texts = [fmt(v, d) for v, d in zip([*listed, *rest], need)]
    text = " + ".join(_added(v, t) for v, t in zip(listed, texts))
    if not rest:
        return Terms(text, "")
    return Terms(f"{text} + ⟨{nb - max_terms} more: {texts[-1]}⟩",
                 f"The first {max_terms} of {nb} terms are listed; ⟨…⟩ is the sum of the other {nb - max_terms}.")


def indicator(z: float) -> int:
    """The paper's ``1[z > 0]``."""
    return 1 if z > 0 else 0


class Explainer:
    """Writes out the forward pass, loss, error terms and update of one trace.

    Parameters
    ----------
    trace:
        The update (any batch size B).
    config:
        The network's options (activations and loss) the trace was made with.
    max_terms:
        Longest sum written out in full.
    """

    def __init__(self, trace: StepTrace, config: NetworkConfig, max_terms: int = DEFAULT_MAX_TERMS) -> None:
        if len(trace.weights_before) != len(config.sizes) - 1:
            raise ValueError("the trace does not belong to a network of this architecture")
        self.trace = trace
        self.config = config
        self.max_terms = max_terms
        self.remarks: PaperRemarks | None = remarks_for(trace)
        """The paper's notes on its own printed arithmetic, when the trace is a preset's example (else None)."""

    def _slip(self, equation: str, table: UpdateTable, row: int) -> tuple[str, ...]:
        """The note on the paper's printed slip for this equation of the trace's example, if any."""
        if self.remarks is None:
            return ()
        return self.remarks.slip(equation, int(table.kind[row]), int(table.layer[row]), int(table.m[row]),
                                 int(table.n[row]))

    # ----------------------------------------------------------------- basics
    @property
    def n_layers(self) -> int:
        """Layers including the input layer."""
        return len(self.config.sizes)

    @property
    def output_layer(self) -> int:
        return self.n_layers - 1

    @property
    def batch_size(self) -> int:
        return self.trace.batch_size

    def _check(self, layer: int, index: int, sample: int, first: int = 0) -> None:
        if not first <= layer < self.n_layers:
            raise IndexError(f"layer {layer} is outside 0..{self.n_layers - 1}")
        if not 0 <= index < self.config.sizes[layer]:
            raise IndexError(f"layer {layer_letter(layer)} has no neuron {index + 1}")
        if not 0 <= sample < self.batch_size:
            raise IndexError(f"the batch has no sample {sample + 1}")

    def _sample_note(self, sample: int) -> str:
        return f"Sample {sample + 1} of the batch of {self.batch_size}." if self.batch_size > 1 else ""

    @staticmethod
    def _join(*notes: str | tuple[str, ...]) -> tuple[str, ...]:
        """The non-empty notes, flattened, as a tuple."""
        out: list[str] = []
        for n in notes:
            out.extend([n] if isinstance(n, str) else n)
        return tuple(n for n in out if n)

    # ---------------------------------------------------------------- forward
    def forward(self, layer: int, index: int, sample: int = 0) -> Equation:
        """The value of neuron ``index`` of ``layer`` for ``sample``.

        Hidden and output neurons: activation of the weighted sum, every term
        written out (``b_1 = max{0, Σ_j a_j θ^{ba}_{1j} + β^b_1} = …``).  Input
        neurons: the input value.
        """
        self._check(layer, index, sample)
        fwd = self.trace.forward
        name = neuron_label(layer, index)
        value = float(fwd.act[layer][sample, index])
        if layer == 0:
            return Equation(name, (fmt(value),), self._join("The input value.", self._sample_note(sample)))
        prev, me = layer_letter(layer - 1), layer_letter(layer)
        row = f"{index + 1}j" if index < 9 else f"{index + 1},j"
        general = f"Σ_j {prev}_j θ^{{{me}{prev}}}_{{{row}}} + {bias_label(layer - 1, index)}"
        inputs = np.asarray(fwd.act[layer - 1][sample])
        weights = np.asarray(self.trace.weights_before[layer - 1][index])
        raw = float(fwd.raw[layer][sample, index])
        act = self.config.activation_of(layer)
        wrap = _WRAPPERS.get(act)
        (raw_digits,) = (6,) if wrap is None else \
            needed_digits((raw,), value, lambda z: float(apply(act, np.array([z]))[0]))
        numbers, terms_note = sum_of_products(inputs, weights, self.max_terms, total=raw, total_digits=raw_digits,
                                              plus=float(self.trace.biases_before[layer - 1][index]))
        rhs: tuple[str, ...]
        if wrap is None:
            rhs = (general, numbers, fmt(raw))
        else:
            rhs = (wrap.format(general), wrap.format(numbers), wrap.format(fmt(raw, raw_digits)), fmt(value))
        return Equation(name, rhs, self._join(_ACTIVATION_NOTES.get(act, ""), terms_note, self._sample_note(sample)))

    def probability(self, k: int, sample: int = 0) -> Equation:
        """Softmax ``p_k = e^{c_k} / Σ_j e^{c_j}`` with numbers (cross-entropy only)."""
        if self.config.loss != "cross_entropy":
            raise ValueError("the squared-error loss uses the outputs directly; there is no softmax")
        L = self.output_layer
        self._check(L, k, sample)
        out = np.asarray(self.trace.forward.act[L][sample])
        c = layer_letter(L)
        p = float(self.trace.probs[sample, k])
        general = f"e^{{{neuron_label(L, k)}}} / Σ_j e^{{{c}_j}}"
        with np.errstate(over="ignore"):
            e = np.exp(out)
        if not np.isfinite(e).all():
            return Equation(indexed("p", k), (general, fmt(p)), ("The exponentials overflow; p is computed stably.",))
        if out.size <= self.max_terms:
            denom = " + ".join(f"e^{{{fmt(float(v))}}}" for v in out)
            numbers = f"e^{{{fmt(float(out[k]))}}} / ({denom})"
        else:
            numbers = f"e^{{{fmt(float(out[k]))}}} / Σ_j e^{{{c}_j}}"
        (ek, total), shown = agreeing((float(e[k]), float(e.sum())), p, operator.truediv)
        return Equation(indexed("p", k), (general, numbers, f"{ek} / {total}", shown),
                        self._join(self._sample_note(sample)))

    # ------------------------------------------------------------------- loss
    def loss(self, sample: int = 0) -> Equation:
        """The loss of ``sample``: ``−Σ_j r_j ln p_j`` (or ``½ Σ_j (c_j − r_j)²``) with numbers."""
        self._check(self.output_layer, 0, sample)
        r = np.asarray(self.trace.targets[sample])
        value = float(self.trace.losses[sample])
        lhs = "L" if self.batch_size == 1 else f"L[{sample + 1}]"
        note: str | tuple[str, ...] = self._sample_note(sample)
        if self.config.loss == "squared_error":
            c = layer_letter(self.output_layer)
            out = np.asarray(self.trace.forward.act[-1][sample])
            sq = (out - r) ** 2
            idx = np.arange(out.size) if out.size <= self.max_terms else np.argsort(-sq, kind="stable")
            listed, rest = idx[: self.max_terms], idx[self.max_terms:]
            operands = [float(v) for j in listed for v in (out[j], r[j])]
            operands += [float(sq[rest].sum())] if rest.size else []
            k = 2 * listed.size
            texts, shown = agreeing(operands, value, lambda *v: 0.5 * (sum(
                (v[i] - v[i + 1]) ** 2 for i in range(0, k, 2)) + sum(v[k:])))
            terms = " + ".join(f"({texts[i]} − {texts[i + 1]})²" for i in range(0, k, 2))
            if rest.size:
                terms += f" + ⟨{rest.size} more: {texts[k]}⟩"
                note = self._join(f"The {self.max_terms} largest of {out.size} squares are listed.", note)
            return Equation(lhs, (f"½ Σ_j ({c}_j − r_j)²", f"½({terms})", shown), self._join(note))
        p = np.asarray(self.trace.probs[sample])
        classes: list[int] = list(range(p.size)) if p.size <= 4 else np.flatnonzero(r).tolist()
        hot = np.flatnonzero(r)
        one_hot = hot.size == 1 and r[hot[0]] == 1.0
        operands = [float(v) for j in classes for v in (r[j], p[j])]
        if one_hot:  # −ln p of the true class decides the digits; the other terms vanish
            (ph_text,), shown = agreeing((float(p[hot[0]]),), value, lambda x: -math.log(x))
            cells: tuple[str, ...] = tuple(fmt(v) if i != 2 * classes.index(int(hot[0])) + 1 else ph_text
                                           for i, v in enumerate(operands))
        else:
            cells, shown = agreeing(operands, value, lambda *v: -sum(
                v[i] * math.log(v[i + 1]) for i in range(0, len(v), 2) if v[i] != 0))
        terms = " + ".join(f"{cells[i]}·ln {cells[i + 1]}" for i in range(0, len(cells), 2))
        rhs = ["−Σ_j r_j ln p_j", f"−({terms})"]
        notes: list[str] = []
        if one_hot:
            ph = float(p[hot[0]])
            rhs.append(f"−ln {ph_text}")
            if ph > 0 and f"−log₁₀ {fmt(ph, 4)} " not in PAPER_LOG_NOTE:  # unless the erratum gives it
                (p10,), log10 = agreeing((ph,), -math.log10(ph), lambda x: -math.log10(x), result_digits=4)
                notes.append(f"In base 10 this would read −log₁₀ {p10} = {log10}.")
        if p.size > 4:
            notes.insert(0, "Terms with r_j = 0 vanish.")
        rhs.append(shown)
        return Equation(lhs, tuple(rhs), self._join(*notes, PAPER_LOG_NOTE, note))

    def batch_loss(self) -> Equation:
        """The batch-mean loss ``L = (1/B) Σ_s L[s]``; for B = 1 the loss of the sample."""
        if self.batch_size == 1:
            return self.loss(0)
        losses = np.asarray(self.trace.losses)
        nb = self.batch_size
        listed = sum_of_terms(losses, self.trace.loss, self.max_terms)
        return Equation("L", (f"(1/{nb}) Σ_s L[s]", f"(1/{nb})({listed.text})", fmt(self.trace.loss)),
                        self._join(f"The mean over the batch of {nb}; the gradients are batch means too.",
                                   listed.note))

    # ------------------------------------------------------------- error term
    def delta(self, layer: int, index: int, sample: int = 0) -> Equation:
        """The error term δ of neuron ``index`` of ``layer`` (≥ 1) for ``sample``."""
        self._check(layer, index, sample, first=1)
        if layer == self.output_layer:
            return self._output_delta(index, sample)
        return self._hidden_delta(layer, index, sample)

    def _derivative(self, layer: int, index: int, sample: int, digits: int = 6) -> Derivative | None:
        """The ``Derivative`` f'(raw) of the layer's activation at this neuron, its numbers true for the value
        printed with ``digits``; None for the identity."""
        act = self.config.activation_of(layer)
        z = float(self.trace.forward.raw[layer][sample, index])
        f = float(self.trace.forward.act[layer][sample, index])
        me = neuron_label(layer, index)
        raw = neuron_label(layer, index, raw=True)
        if act == "relu":
            return Derivative(f"1[{raw} > 0]", f"1[{fmt(z)} > 0]", float(indicator(z)))
        if act == "leaky_relu":
            return Derivative(f"LReLU'({raw})", f"LReLU'({fmt(z)})", 1.0 if z > 0 else LEAKY_SLOPE)
        if act == "sigmoid":
            (t,), _ = agreeing((f,), f * (1.0 - f), lambda x: x * (1.0 - x), result_digits=digits)
            return Derivative(f"{me}(1 − {me})", f"{t}(1 − {t})", f * (1.0 - f))
        if act == "tanh":
            (t,), _ = agreeing((f,), 1.0 - f * f, lambda x: 1.0 - x * x, result_digits=digits)
            return Derivative(f"(1 − {me}²)", f"(1 − ({t})²)", 1.0 - f * f)
        return None

    def _times_derivative(self, layer: int, index: int, sample: int, upstream: float,
                          value: float) -> tuple[Derivative, int, str] | None:
        """δ = upstream · f'(raw) of this neuron: the ``Derivative``, the digits ``upstream`` needs and the
        product ``(upstream)(f')``, printed so that they give ``value``; None for the identity."""
        deriv = self._derivative(layer, index, sample)
        if deriv is None:
            return None
        up_digits, d_digits = needed_digits((upstream, deriv.value), value, operator.mul)
        if d_digits != 6:
            deriv = self._derivative(layer, index, sample, d_digits)
            assert deriv is not None
        return deriv, up_digits, f"({fmt(upstream, up_digits)})({fmt(deriv.value, d_digits)})"

    def _output_delta(self, m: int, sample: int) -> Equation:
        L = self.output_layer
        tr = self.trace
        r = np.asarray(tr.targets[sample])
        rm = float(r[m])
        value = float(tr.deltas[L - 1][sample, m])
        p_m, r_m, out_m = indexed("p", m), indexed("r", m), neuron_label(L, m)
        operands: tuple[float, ...]
        if self.config.loss == "cross_entropy":
            pm = float(tr.probs[sample, m])
            if abs(float(r.sum()) - 1.0) > 1e-12:
                base, operands, upstream = f"{p_m} Σ_j r_j − {r_m}", (pm, float(r.sum()), rm), pm * float(r.sum()) - rm
            else:
                base, operands, upstream = f"{p_m} − {r_m}", (pm, rm), pm - rm
            note = f"Softmax with cross-entropy: ∂L/∂{out_m} = {p_m} − {r_m}."
        else:
            out = float(tr.forward.act[L][sample, m])
            base, operands, upstream = f"{out_m} − {r_m}", (out, rm), out - rm
            note = f"Squared error: ∂L/∂{out_m} = {out_m} − {r_m}."

        def numbers_of(result: float, digits: int = 6) -> tuple[str, str]:
            """``p − r`` (or ``p·Σr − r``) with its digits for ``result``, and the printed result."""
            texts, shown = agreeing(operands, result, lambda *v: v[0] * v[1] - v[2] if len(v) == 3 else v[0] - v[1],
                                    result_digits=digits)
            return (f"{texts[0]}·{texts[1]} − {texts[2]}" if len(texts) == 3 else f"{texts[0]} − {texts[1]}"), shown

        times = self._times_derivative(L, m, sample, upstream, value)
        name = delta_label(L, m)
        if times is None:
            return Equation(name, (base, *numbers_of(value)), self._join(note, self._sample_note(sample)))
        (formula, numbers, _), up_digits, product = times
        nums, _ = numbers_of(upstream, up_digits)
        notes = self._join(note)
        c = layer_letter(L)
        if self.config.output_activation == "relu":
            notes += (f"The output ReLU's mask 1[{c}^raw > 0] is written in: the paper's δ^{c} = p − r "
                      f"leaves it out and is exact only where {c}^raw > 0.",)
        elif self.config.output_activation == "sigmoid":
            notes += (f"Times the sigmoid's derivative σ'(z) = σ(z)(1 − σ(z)) = {out_m}(1 − {out_m}).",)
        rhs = (f"({base}) · {formula}", f"({nums}) · {numbers}", product, fmt(value))
        return Equation(name, rhs, self._join(notes, self._sample_note(sample)))

    def _hidden_delta(self, layer: int, n: int, sample: int) -> Equation:
        tr = self.trace
        nxt = layer + 1
        me, up = layer_letter(layer), layer_letter(nxt)
        col = f"m{n + 1}" if n < 9 else f"m,{n + 1}"
        general = f"Σ_m δ^{up}_m θ^{{{up}{me}}}_{{{col}}}"
        deltas = np.asarray(tr.deltas[nxt - 1][sample])
        weights = np.asarray(tr.weights_before[layer][:, n])
        upstream = float(deltas @ weights)
        value = float(tr.deltas[layer - 1][sample, n])
        times = self._times_derivative(layer, n, sample, upstream, value)
        if times is None:
            terms, terms_note = sum_of_products(deltas, weights, self.max_terms, total=value)
            return Equation(delta_label(layer, n), (general, terms, fmt(value)),
                            self._join(terms_note, self._sample_note(sample)))
        (formula, numbers, _), up_digits, product = times
        terms, terms_note = sum_of_products(deltas, weights, self.max_terms, total=upstream, total_digits=up_digits)
        note = self._join(terms_note, self._sample_note(sample))
        rhs = (f"({general}) · {formula}", f"({terms}) · {numbers}", product, fmt(value))
        if self.config.activation_of(layer) == "relu":
            note = self._join(f"1[{me}^raw > 0] is the derivative of ReLU.", note)
        return Equation(delta_label(layer, n), rhs, note)

    # ----------------------------------------------------- gradient and update
    def gradient(self, table: UpdateTable, row: int, sample: int = 0) -> Equation:
        """``∂L/∂θ^{cb}_{11} = δ^c_1 · b_1 = (−0.4)(0.3) = −0.12`` for a row of ``table``.

        With a batch (B > 1) the gradient is the mean of the per-sample
        products, the terms listed; ``sample``'s own product is in the note.
        """
        label = table.label(row)
        lhs = f"∂L/∂{label}"
        nb = self.batch_size
        if nb == 1:
            return Equation(lhs, tuple(table.gradient_formula(row).split(" = ")), self._slip("gradient", table, row))
        layer, m, n = int(table.layer[row]), int(table.m[row]), int(table.n[row])
        d_name = delta_label(layer + 1, m)
        deltas = np.asarray(self.trace.deltas[layer][:, m])
        grad = fmt(float(table.grad[row]))
        if table.kind[row] == WEIGHT:
            a_name = neuron_label(layer, n)
            inputs = np.asarray(self.trace.forward.act[layer][:, n])
            terms, terms_note = sum_of_products(deltas, inputs, self.max_terms, divisor=nb,
                                                total=float(table.grad[row]))
            d_s, a_s = float(deltas[sample]), float(inputs[sample])
            (d_text, a_text), product = agreeing((d_s, a_s), d_s * a_s, operator.mul)
            mine = f"({d_text})({a_text}) = {product}"
            rhs = (f"(1/{nb}) Σ_s {d_name}[s] · {a_name}[s]", f"(1/{nb})({terms})", grad)
        else:
            terms, terms_note = sum_of_terms(deltas, float(table.grad[row]), self.max_terms)
            mine = fmt(float(deltas[sample]))
            rhs = (f"(1/{nb}) Σ_s {d_name}[s]", f"(1/{nb})({terms})", grad)
        note = self._join(f"The mean over the batch of {nb}.", terms_note, f"Sample {sample + 1}: {mine}.")
        return Equation(lhs, rhs, note)

    def update(self, table: UpdateTable, row: int) -> Equation:
        """``θ^{cb}_{11} := θ^{cb}_{11} − η ∂L/∂θ^{cb}_{11} = 0.8 − 0.01(−0.12) = 0.8012``.

        With another optimiser (or a penalty, or a schedule) its rule, e.g.
        ``θ := θ − η·m̂/(√v̂ + ε) = …``, with the steps before it (the
        penalised gradient, the state's new values) as the notes.
        """
        label = table.label(row)
        opt = self.trace.optimizer
        if opt is not None and not opt.plain:
            weight = table.kind[row] == WEIGHT
            lines = update_lines(self.trace, "weight" if weight else "bias", int(table.layer[row]),
                                 int(table.m[row]), int(table.n[row]) if weight else 0)
            return Equation(f"{label} :=", tuple(lines[-1].split(" := ", 1)[1].split(" = ")), lines[:-1])
        return Equation(f"{label} :=", (f"{label} − η ∂L/∂{label}", *table.update_formula(row).split(" = ")),
                        self._slip("update", table, row))


@dataclass(frozen=True, eq=False)
class NeuronTable:
    """Every neuron of one sample of a trace, one row each (N rows in all).

    Columns, shape (N,): ``layer``, ``index`` (0-based), ``raw`` (``b^raw``;
    the input value for layer a), ``act`` (``b``), ``delta`` (δ; NaN for the
    input layer), ``prob`` (p or the output, NaN except the output layer) and
    ``target`` (r, NaN except the output layer).
    """

    layer: np.ndarray
    index: np.ndarray
    raw: np.ndarray
    act: np.ndarray
    delta: np.ndarray
    prob: np.ndarray
    target: np.ndarray

    @classmethod
    def from_trace(cls, trace: StepTrace, sample: int = 0) -> NeuronTable:
        fwd = trace.forward
        sizes = [a.shape[1] for a in fwd.act]
        nan = np.full(sum(sizes[:-1]), np.nan)
        return cls(
            layer=np.repeat(np.arange(len(sizes)), sizes),
            index=np.concatenate([np.arange(s) for s in sizes]),
            raw=np.concatenate([r[sample] for r in fwd.raw]),
            act=np.concatenate([a[sample] for a in fwd.act]),
            delta=np.concatenate([np.full(sizes[0], np.nan), *(d[sample] for d in trace.deltas)]),
            prob=np.concatenate([nan, fwd.probs[sample]]),
            target=np.concatenate([nan, trace.targets[sample]]),
        )

    def __len__(self) -> int:
        return int(self.layer.size)

    def find(self, layer: int, index: int) -> int:
        """Row of neuron ``index`` of ``layer`` (0-based), or ``KeyError``."""
        hits = np.flatnonzero((self.layer == layer) & (self.index == index))
        if hits.size == 0:
            raise KeyError((layer, index))
        return int(hits[0])


@dataclass(frozen=True)
class Progress:
    """What is known of an update at some phase of walking through it.

    ``forward_upto``: the highest layer whose values are computed (0 = only
    the input); ``loss``: whether the loss is computed; ``delta_from``: the
    lowest layer whose δ is computed (``n_layers`` = none yet); ``updated``:
    whether the new parameters are computed.
    """

    forward_upto: int
    loss: bool
    delta_from: int
    updated: bool

    @classmethod
    def complete(cls, n_layers: int) -> Progress:
        """Everything known: a finished update."""
        return cls(n_layers - 1, True, 1, True)

    @classmethod
    def at(cls, phase: Phase | None, n_layers: int) -> Progress:
        """What is known once ``phase`` is computed (``None``: the whole update)."""
        last = n_layers - 1
        if phase is None or phase.kind == "update":
            return cls.complete(n_layers)
        if phase.kind == "forward":
            return cls(phase.layer, False, n_layers, False)
        if phase.kind == "loss":
            return cls(last, True, n_layers, False)
        return cls(last, True, phase.layer, False)

    def knows_values(self, layer: int) -> bool:
        """The values z and a of layer ``layer`` (0 = the input) are known."""
        return layer <= self.forward_upto

    def knows_delta(self, layer: int) -> bool:
        """δ of layer ``layer`` (≥ 1) is known."""
        return layer >= self.delta_from

    def knows_gradient(self, param_layer: int) -> bool:
        """The gradients of ``weights[param_layer]`` / ``biases[param_layer]`` are known."""
        return self.knows_delta(param_layer + 1)
