"""The update written out: the paper's Figure 4 equations, every activation and loss, batches."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from neuroviz.core.equation import Equation, to_latex
from neuroviz.core.explain import PAPER_LOG_NOTE, Explainer, NeuronTable, sum_of_products
from neuroviz.core.gradcheck import gradient_check
from neuroviz.core.network import Network
from neuroviz.core.numbers import parse
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.update_check import UpdateCheck
from neuroviz.core.update_table import BIAS, CSV_HEADER, WEIGHT, UpdateTable


@pytest.fixture(scope="module")
def fig4():
    preset = paper_figure_4()
    trace = preset.network.step(preset.inputs, preset.label, 0.01)
    return Explainer(trace, preset.network.config), UpdateTable.from_trace(trace)


def random_step(hidden="relu", output="none", loss="cross_entropy", sizes=(5, 4, 3), batch=1, seed=0):
    net = Network.create(sizes, hidden_activation=hidden, output_activation=output, loss=loss, seed=seed,
                         init="gaussian")
    rng = np.random.default_rng(seed)
    x = rng.random((batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], batch)
    before = net.copy()
    trace = net.step(x, labels, 0.1)
    return before, x, labels, trace


def test_equation_text_and_lines():
    eq = Equation("b_1", ("max{0, z}", "max{0, 0.3}", "0.3"))
    assert eq.text() == "b_1 = max{0, z} = max{0, 0.3} = 0.3"
    assert eq.lines() == ["b_1 = max{0, z}", "    = max{0, 0.3}", "    = 0.3"]
    upd = Equation("θ :=", ("θ − η g", "0.8"))
    assert upd.text() == "θ := θ − η g = 0.8"


def test_forward_equation_lists_every_term(fig4):
    ex, _ = fig4
    eq = ex.forward(1, 0)
    assert eq.text() == (
        "b_1 = max{0, Σ_j a_j θ^{ba}_{1j} + β^b_1} = "
        "max{0, (0.75)(0.5) + (0.5)(−0.3) + (0.25)(0.1) + (1)(−0.1) + 0.15} = max{0, 0.3} = 0.3"
    )
    dead = ex.forward(1, 2)
    assert dead.rhs[-2:] == ("max{0, −0.1}", "0")
    assert ex.forward(0, 3).rhs == ("1",)
    # the output layer (ReLU in the paper's Section 3), a negative bias in parentheses
    assert ex.forward(2, 1).rhs[1].endswith("+ (−0.1)}")


def test_softmax_and_loss_with_the_base_10_note(fig4):
    ex, _ = fig4
    p = ex.probability(0)
    assert p.rhs[0] == "e^{c_1} / Σ_j e^{c_j}"
    assert p.rhs[-1] == "0.6"
    loss = ex.loss()
    assert loss.rhs == ("−Σ_j r_j ln p_j", "−(1·ln 0.6 + 0·ln 0.4)", "−ln 0.6", "0.510826")
    assert PAPER_LOG_NOTE in loss.notes
    assert "0.22" in loss.note and "base-10" in loss.note and "0.5108" in loss.note


def test_output_delta_writes_the_relu_mask(fig4):
    ex, _ = fig4
    d1 = ex.delta(2, 0)
    assert d1.text() == "δ^c_1 = (p_1 − r_1) · 1[c_1^raw > 0] = (0.6 − 1) · 1[0.506465 > 0] = (−0.4)(1) = −0.4"
    assert any("mask" in n for n in d1.notes)
    assert ex.delta(2, 1).rhs[-1] == "0.4"


def test_hidden_delta_is_the_recursive_sum(fig4):
    ex, _ = fig4
    d = ex.delta(1, 0)
    assert d.rhs == (
        "(Σ_m δ^c_m θ^{cb}_{m1}) · 1[b_1^raw > 0]",
        "((−0.4)(0.8) + (0.4)(0.22)) · 1[0.3 > 0]",
        "(−0.232)(1)",
        "−0.232",
    )
    dead = ex.delta(1, 2)
    assert dead.rhs[1].endswith("1[−0.1 > 0]") and dead.rhs[-1] == "0"


def test_gradient_and_update_equations_match_the_paper(fig4):
    ex, t = fig4
    cases = {
        (WEIGHT, 1, 0, 0): ("∂L/∂θ^{cb}_{11} = δ^c_1 · b_1 = (−0.4)(0.3) = −0.12", "0.8 − 0.01(−0.12)", "0.8012"),
        (WEIGHT, 1, 1, 0): ("∂L/∂θ^{cb}_{21} = δ^c_2 · b_1 = (0.4)(0.3) = 0.12", "0.22 − 0.01(0.12)", "0.2188"),
        (WEIGHT, 0, 0, 0): ("∂L/∂θ^{ba}_{11} = δ^b_1 · a_1 = (−0.232)(0.75) = −0.174", "0.5 − 0.01(−0.174)",
                            "0.50174"),
        (BIAS, 1, 0, -1): ("∂L/∂β^c_1 = δ^c_1 = −0.4", "0.2 − 0.01(−0.4)", "0.204"),
        (BIAS, 1, 1, -1): ("∂L/∂β^c_2 = δ^c_2 = 0.4", "−0.1 − 0.01(0.4)", "−0.104"),
        (BIAS, 0, 0, -1): ("∂L/∂β^b_1 = δ^b_1 = −0.232", "0.15 − 0.01(−0.232)", "0.15232"),
    }
    for key, (grad_text, update_numbers, new) in cases.items():
        row = t.find(*key)
        assert ex.gradient(t, row).text() == grad_text
        upd = ex.update(t, row)
        assert upd.lhs == f"{t.label(row)} :=" and upd.rhs[1:] == (update_numbers, new)


@pytest.mark.parametrize("hidden", ["relu", "leaky_relu", "sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("output,loss", [("none", "cross_entropy"), ("relu", "cross_entropy"),
                                          ("sigmoid", "cross_entropy"), ("none", "squared_error"),
                                          ("sigmoid", "squared_error")])
def test_every_option_explains_the_trace_values(hidden, output, loss):
    before, _, _, trace = random_step(hidden, output, loss)
    ex = Explainer(trace, before.config)
    for layer in range(1, 3):
        for i in range(before.sizes[layer]):
            fwd = ex.forward(layer, i)
            assert parse(fwd.rhs[-1]) == pytest.approx(trace.forward.act[layer][0, i], rel=1e-5,
                                                                             abs=1e-9)
            d = ex.delta(layer, i)
            assert parse(d.rhs[-1]) == pytest.approx(
                trace.deltas[layer - 1][0, i], rel=1e-5, abs=1e-12)
    out_delta = ex.delta(2, 0).rhs[0]
    base = "p_1 − r_1" if loss == "cross_entropy" else "c_1 − r_1"
    assert base in out_delta
    assert ("1[c_1^raw > 0]" in out_delta) == (output == "relu")
    assert ("c_1(1 − c_1)" in out_delta) == (output == "sigmoid")
    hidden_delta = ex.delta(1, 0).rhs[0]
    expected = {"relu": "1[b_1^raw > 0]", "leaky_relu": "LReLU'(b_1^raw)", "sigmoid": "b_1(1 − b_1)",
                "tanh": "(1 − b_1²)", "identity": "Σ_m δ^c_m θ^{cb}_{m1}"}[hidden]
    assert expected in hidden_delta
    loss_eq = ex.loss()
    assert loss_eq.rhs[0] == ("−Σ_j r_j ln p_j" if loss == "cross_entropy" else "½ Σ_j (c_j − r_j)²")
    assert float(loss_eq.rhs[-1]) == pytest.approx(trace.loss, rel=1e-5)


def test_large_fan_in_lists_the_largest_terms():
    a = np.arange(64, dtype=float) / 64
    w = np.linspace(-1, 1, 64)
    text, note = sum_of_products(a, w, 6)
    assert text.count(")(") == 6 and "⟨58 more:" in text
    assert note.startswith("The largest 6 of 64 terms are listed")
    first = text.split(" + ")[0]
    assert first == "(0.984375)(1)"  # the largest |a_j θ_j| comes first
    before, _, _, trace = random_step(sizes=(64, 32, 10), batch=3)
    ex = Explainer(trace, before.config)
    eq = ex.forward(1, 4, sample=2)
    assert "⟨58 more:" in eq.rhs[1] and any("Sample 3 of the batch of 3" in n for n in eq.notes)
    assert "⟨4 more:" in ex.delta(1, 0).rhs[1]  # δ^b sums over the 10 neurons of c
    loss = ex.loss(1)
    assert loss.lhs == "L[2]" and "Terms with r_j = 0 vanish." in loss.notes


def test_batch_gradient_is_the_mean_of_the_samples():
    before, _, _, trace = random_step(batch=3)
    ex = Explainer(trace, before.config)
    t = UpdateTable.from_trace(trace)
    row = t.find(WEIGHT, 1, 2, 1)
    eq = ex.gradient(t, row, sample=1)
    assert eq.rhs[0] == "(1/3) Σ_s δ^c_3[s] · b_2[s]"
    assert eq.rhs[1].startswith("(1/3)((") and eq.rhs[1].count(")(") == 1 + 3  # "(1/3)(" and three products
    assert any("mean over the batch of 3" in n for n in eq.notes)
    d, b = trace.deltas[1][1, 2], trace.forward.act[1][1, 1]
    assert any(n.startswith("Sample 2:") and n.endswith(f"= {ex_fmt(d * b)}.") for n in eq.notes)
    bias = ex.gradient(t, t.find(BIAS, 0, 1), sample=0)
    assert bias.rhs[0] == "(1/3) Σ_s δ^b_2[s]"
    assert ex.batch_loss().rhs[0] == "(1/3) Σ_s L[s]"


def ex_fmt(x):
    from neuroviz.core.numbers import fmt

    return fmt(x)


def test_neuron_table_columns(fig4):
    ex, _ = fig4
    nt = NeuronTable.from_trace(ex.trace)
    assert len(nt) == 9
    row = nt.find(1, 0)
    assert (nt.raw[row], nt.act[row], nt.delta[row]) == pytest.approx((0.3, 0.3, -0.232))
    out = nt.find(2, 0)
    assert (nt.prob[out], nt.target[out]) == pytest.approx((0.6, 1.0))
    assert np.isnan(nt.delta[nt.find(0, 0)])


def test_select_filters_sorts_and_takes_top_k():
    _, _, _, trace = random_step(sizes=(6, 5, 4), batch=2)
    t = UpdateTable.from_trace(trace)
    assert np.array_equal(t.select(), np.arange(len(t)))
    layer1 = t.select(layer=1)
    assert set(t.layer[layer1]) == {1} and layer1.size == 5 * 4 + 4
    top = t.select(top_k=5, sort="abs_grad", descending=True)
    assert np.array_equal(np.abs(t.grad[top]), np.sort(np.abs(t.grad))[::-1][:5])
    by_new = t.select(sort="new")
    assert np.all(np.diff(t.new[by_new]) >= 0)
    touching = t.select(mask=t.touching(1, 2))
    # b_3: 6 incoming weights, its bias, 4 outgoing weights
    assert touching.size == 6 + 1 + 4
    assert t.touching(0, 0).sum() == 5  # a_1 only has outgoing weights
    with pytest.raises(ValueError, match="unknown sort key"):
        t.select(sort="colour")


def test_csv_parses_back_to_the_same_numbers(fig4):
    _, t = fig4
    check = UpdateCheck(t, paper_figure_4().network.config)
    check.run(np.arange(len(t)))
    text = t.csv_text(numeric=check.numeric, relative_error=check.relative_error)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == len(t) + 1
    for i, r in enumerate(rows[1:]):
        rec = dict(zip(CSV_HEADER, r))
        assert rec["parameter"] == t.label(i)
        assert float(rec["old"]) == t.old[i] and float(rec["gradient"]) == t.grad[i]
        assert float(rec["new"]) == t.new[i] and float(rec["delta"]) == t.delta[i]
        assert float(rec["numeric_gradient"]) == check.numeric[i]
    first = dict(zip(CSV_HEADER, rows[1]))
    assert first["gradient_formula"] == "δ^b_1 · a_1 = (−0.232)(0.75) = −0.174"


@pytest.mark.parametrize("output,loss", [("relu", "cross_entropy"), ("sigmoid", "squared_error")])
def test_update_check_agrees_with_the_full_gradient_check(output, loss):
    before, x, labels, trace = random_step("tanh", output, loss, batch=2, seed=3)
    t = UpdateTable.from_trace(trace)
    check = UpdateCheck(t, before.config)
    check.run(np.arange(0, len(t), 2))
    assert 0 < check.checked < len(t) and not check.complete
    check.run(np.arange(len(t)))
    assert check.complete
    full = gradient_check(before, x, labels)
    numeric = np.concatenate([w.ravel() for w in full.numeric_weights] + list(full.numeric_biases))
    # the same central differences as a whole forward pass per parameter (up to rounding)
    np.testing.assert_allclose(check.numeric, numeric, rtol=0, atol=1e-9)
    np.testing.assert_allclose(check.numeric, t.grad, atol=1e-6)
    assert check.max_relative_error() < 1e-5


def test_the_papers_printed_slips_are_noted_only_for_its_example(fig4):
    ex, t = fig4
    assert ex.remarks is not None
    g21 = ex.gradient(t, t.find(WEIGHT, 1, 1, 0))
    assert any("δ^c_1 · b_1 = (0.4)(0.3)" in n and "δ^c_2 · b_1" in n for n in g21.notes)
    upd = ex.update(t, t.find(WEIGHT, 0, 0, 0))
    assert any("0.5 − 0.01(0.174)" in n for n in upd.notes)
    assert any("∂L/∂β^b_m = δ^b_m" in n for n in ex.gradient(t, t.find(BIAS, 0, 0)).notes)
    assert ex.gradient(t, t.find(WEIGHT, 1, 0, 0)).notes == ()
    preset = paper_figure_4()
    preset.network.set_weight(0, 2, 3, -0.25)
    other = preset.network.step(preset.inputs, preset.label, 0.01)
    ex2 = Explainer(other, preset.network.config)
    assert ex2.remarks is None
    t2 = UpdateTable.from_trace(other)
    assert ex2.gradient(t2, t2.find(WEIGHT, 1, 1, 0)).notes == ()


def test_latex_of_an_equation(fig4):
    ex, t = fig4
    tex = ex.gradient(t, t.find(WEIGHT, 1, 0, 0)).latex()
    assert tex == ("\\partial L/\\partial \\theta ^{cb}_{11} &= \\delta ^c_1 \\cdot b_1 \\\\\n"
                   "&= (-0.4)(0.3) \\\\\n&= -0.12")
    fwd = ex.forward(1, 2).latex()
    assert fwd.startswith("b_3 &= \\max\\{0, \\sum_j a_j \\theta ^{ba}_{3j} + \\beta ^b_3\\}")
    assert "\\max\\{0, -0.1\\}" in fwd
    assert "\\mathbf{1}[b_1^{\\mathrm{raw}} > 0]" in ex.delta(1, 0).latex()
    assert to_latex("1.5×10⁻⁷ + ½(c_1 − r_1)² + ⟨3 more: 0.1⟩") == (
        "1.5 \\times 10^{-7} + \\tfrac{1}{2}(c_1 - r_1)^2 + \\langle 3\\text{ more: }0.1\\rangle "
    )
    assert to_latex("e^{2×10¹²} = 12,345.6, θ^{cb}_{12,3}") == (
        "e^{2 \\times 10^{12}} = 12{,}345.6, \\theta ^{cb}_{12{,}3}")
    # every brace is balanced, so the text compiles as math
    for eq in (ex.loss(), ex.probability(1), ex.delta(2, 1), ex.update(t, 0)):
        tex = eq.latex().replace("\\{", "").replace("\\}", "")
        assert tex.count("{") == tex.count("}")


@pytest.mark.parametrize(("output", "loss"), [("none", "cross_entropy"), ("sigmoid", "squared_error")])
def test_two_digit_indices_are_whole_subscripts(output, loss):
    # With ten outputs p_10 must read p_{10} (else it shows as p₁0), in the text and in LaTeX.
    _, _, _, trace = random_step(output=output, loss=loss, sizes=(4, 3, 10))
    explainer = Explainer(trace, Network.create((4, 3, 10), output_activation=output, loss=loss).config)
    delta = explainer.delta(2, 9).text()
    assert "r_{10}" in delta and "r_10" not in delta
    assert "c_{10}" in delta if loss == "squared_error" else "p_{10} − r_{10}" in delta
    assert "r_{10}" in to_latex(delta)
    if loss == "cross_entropy":
        softmax = explainer.probability(9).text()
        assert softmax.startswith("p_{10} = e^{c_{10}} / Σ_j e^{c_j}")
        assert explainer.delta(2, 0).text().startswith("δ^c_1 = p_1 − r_1")
