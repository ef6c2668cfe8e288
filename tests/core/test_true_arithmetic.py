"""Written-out arithmetic stays true after rounding: each printed result follows from its printed operands.

Every equation the explainer, the update table and the optimisers write is
read back as arithmetic (``(0.3)(−0.4)`` → 0.3 × −0.4, ``−ln 0.9999999984``,
``max{0, …}``), and where a form is followed by a single number (or by the
same wrapper around one) the form recomputed from its printed numbers must
round to that number at the digits it shows.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from neuroviz.core.explain import Explainer
from neuroviz.core.network import Network
from neuroviz.core.numbers import fmt, parse
from neuroviz.core.optimiser_explain import update_lines
from neuroviz.core.optimisers import Optimizer, OptimizerConfig, Penalty
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.trainer import Trainer
from neuroviz.core.update_table import WEIGHT, UpdateTable

NUMBER = r"−?\d+(?:,\d{3})*(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
WRAPPER = re.compile(r"^(max\{0, |σ\(|tanh\(|LReLU\()(.*)([})])$")


def _value(text: str) -> str:
    return f"({parse(text)!r})"


def evaluate(form: str) -> float | None:
    """The arithmetic of a form of printed numbers, or None when it still holds symbols."""
    t = re.sub(r"⟨\d+ more: (" + NUMBER + ")⟩", r"(\1)", form)
    t = re.sub(r"1\[(" + NUMBER + r") > 0\]", lambda m: f"(1 if {_value(m[1])} > 0 else 0)", t)
    t = re.sub(r"LReLU'\((" + NUMBER + r")\)", lambda m: f"(1 if {_value(m[1])} > 0 else 0.01)", t)
    t = re.sub(r"e\^\{(" + NUMBER + r")\}", lambda m: f"exp{_value(m[1])}", t)
    t = t.replace("max{0, ", "max(0, ").replace("}", ")").replace("σ(", "sig(").replace("LReLU(", "lrelu(")
    t = re.sub(NUMBER, lambda m: _value(m[0]), t)
    t = t.replace("½(", "0.5*(").replace(")(", ")*(").replace("·", "*").replace("−", "-")
    t = t.replace("²", "**2").replace("√", "sqrt")
    t = re.sub(r"ln \(", "log(", t)
    t = re.sub(r"(\d)\(", r"\1*(", t).replace("log₁₀ (", "log10(")
    if re.search(r"[A-Za-zα-ωΣ_^]", re.sub(r"\b(max|exp|log10|log|sqrt|sig|lrelu|tanh|if|else)\b|e[-+]\d", "", t)):
        return None
    env = {"max": max, "exp": math.exp, "log": math.log, "log10": math.log10, "sqrt": math.sqrt, "tanh": math.tanh,
           "sig": lambda z: 1 / (1 + math.exp(-z)), "lrelu": lambda z: z if z > 0 else 0.01 * z}
    return float(eval(t, {"__builtins__": {}}, env))


def digits_shown(text: str, digits: int) -> int:
    """The significant digits ``text`` was printed with: ``digits``, or more if it shows more."""
    mantissa = text.split("×10")[0].replace("−", "").replace(",", "").replace(".", "").lstrip("0")
    return max(digits, len(mantissa))


def check_chain(forms: list[str], where: str, digits: int = 6) -> int:
    """Check every link ``form = number`` of a chain (results printed with ``digits``); returns how many."""
    checked = 0
    for form, nxt in itertools.pairwise(forms):
        if (a := WRAPPER.match(form)) and (b := WRAPPER.match(nxt)) and a[1] == b[1]:
            form, nxt = a[2], b[2]
        if not re.fullmatch(NUMBER, nxt) or (value := evaluate(form)) is None:
            continue
        shown = digits_shown(nxt, digits)
        assert fmt(value, shown) == fmt(parse(nxt), shown), f"{where}: {form} = {nxt}"
        checked += 1
    return checked


def every_chain(ex: Explainer, table: UpdateTable):
    sizes = ex.config.sizes
    for layer in range(len(sizes)):
        for i in range(sizes[layer]):
            for sample in range(ex.batch_size):
                yield ex.forward(layer, i, sample)
                if layer:
                    yield ex.delta(layer, i, sample)
    for sample in range(ex.batch_size):
        yield ex.loss(sample)
        if ex.config.loss == "cross_entropy":
            for k in range(sizes[-1]):
                yield ex.probability(k, sample)
    yield ex.batch_loss()
    for row in range(len(table)):
        yield ex.gradient(table, row)
        yield ex.update(table, row)


def check_all(ex: Explainer) -> int:
    table = UpdateTable.from_trace(ex.trace)
    checked = 0
    for eq in every_chain(ex, table):
        checked += check_chain(list(eq.rhs), eq.text())
        for note in eq.notes:  # "Sample 2: (a)(b) = c.", "−log₁₀ p = x."
            for kind, part in re.findall(r"(Sample \d+: |read )(.*?)\.?$", note):
                checked += check_chain(part.split(" = "), note, 4 if kind == "read " else 6)
    for row in range(len(table)):
        checked += check_chain(table.product_formula(row).split(" = ")[1:], table.label(row))
    return checked


def test_the_paper_figure_4_holds_and_keeps_its_digits():
    preset = paper_figure_4()
    config = preset.network.config
    ex = Explainer(preset.network.step(preset.inputs, preset.label, 0.01), config)
    assert check_all(ex) > 30
    assert ex.delta(2, 0).rhs[1].startswith("(0.6 − 1) · ")


def confident_step(output="none", loss="cross_entropy", hidden="relu"):
    """A network whose output for the true class is ≈ 1 − 1.6×10⁻⁹ (the loss ≈ 1.6×10⁻⁹)."""
    net = Network.create((3, 4, 2), hidden_activation=hidden, output_activation=output, loss=loss, seed=1)
    net.weights[1][:] = 0.0
    net.biases[1][:] = [math.log(1 / 1.6e-9), 0.0] if loss == "cross_entropy" else [1 - 1.6e-9, 0.0]
    return net, net.step(np.array([[0.2, 0.5, 0.9]]), np.array([0]), 0.1)


def test_one_minus_one_is_never_minus_a_small_number():
    net, trace = confident_step()
    ex = Explainer(trace, net.config)
    delta = ex.delta(2, 0)
    p_minus_r, value = delta.rhs[-2], delta.rhs[-1]
    assert value.startswith("−1.6") and "×10⁻⁹" in value
    p_text = p_minus_r.split(" − ")[0]
    assert p_text != "1" and p_text.startswith("0.999999998")
    loss = ex.loss()
    assert loss.rhs[-2].startswith("−ln 0.999999998") and loss.rhs[-1].startswith("1.6") and check_all(ex)


@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "sigmoid", "tanh", "identity"])
@pytest.mark.parametrize(("output", "loss"), [("none", "cross_entropy"), ("relu", "cross_entropy"),
                                              ("sigmoid", "cross_entropy"), ("none", "squared_error"),
                                              ("sigmoid", "squared_error")])
def test_every_option_writes_true_arithmetic(hidden, output, loss):
    net = Network.create((9, 8, 4), hidden_activation=hidden, output_activation=output, loss=loss, seed=3,
                         init="gaussian")
    rng = np.random.default_rng(3)
    before = net.copy()
    trace = net.step(rng.random((3, 9)), rng.integers(0, 4, 3), 0.1)
    assert check_all(Explainer(trace, before.config)) > 100


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_every_optimiser_writes_true_arithmetic(name):
    p = paper_figure_4()
    t = Trainer(p.network.copy(), p.dataset(), 0.01, 1)
    t.set_optimizer(Optimizer(OptimizerConfig.make(name), Penalty(l1=0.001, l2=0.01)))
    for _ in range(3):
        trace = t.step()
    checked = 0
    table = UpdateTable.from_trace(trace)
    for row in range(len(table)):
        weight = table.kind[row] == WEIGHT
        lines = update_lines(trace, "weight" if weight else "bias", int(table.layer[row]), int(table.m[row]),
                             int(table.n[row]) if weight else 0)
        for line in lines:
            checked += check_chain(line.split("  (")[0].split(" = ")[1:], line)
    assert checked >= len(table) + int(np.count_nonzero(table.kind == WEIGHT))  # the penalty line and the rule


def test_a_batch_longer_than_the_sums_lists_sums_its_other_terms_and_stays_true():
    net = Network.create((5, 4, 3), seed=5, init="gaussian")
    rng = np.random.default_rng(5)
    before = net.copy()
    trace = net.step(rng.random((13, 5)), rng.integers(0, 3, 13), 0.1)
    ex = Explainer(trace, before.config)
    loss = ex.batch_loss()
    assert f"⟨{13 - ex.max_terms} more: " in loss.rhs[1] and any("the other 7" in n for n in loss.notes)
    table = UpdateTable.from_trace(trace)
    bias = next(r for r in range(len(table)) if table.kind[r] != WEIGHT)
    assert "⟨7 more: " in ex.gradient(table, bias).rhs[1]
    assert check_all(ex) > 100
