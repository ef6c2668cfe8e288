"""A parameter's optimiser state and its update written out, from the trace's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.explain import Explainer
from neuroviz.core.numbers import fmt
from neuroviz.core.optimiser_explain import flat_index, parameter_state, update_lines
from neuroviz.core.optimisers import Optimizer, OptimizerConfig, Penalty
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.trainer import Trainer
from neuroviz.core.update_table import UpdateTable, paren


def _trace(name: str, penalty: Penalty | None = None, steps: int = 2):
    p = paper_figure_4()
    t = Trainer(p.network.copy(), p.dataset(), 0.01, 1)
    t.set_optimizer(Optimizer(OptimizerConfig.make(name), penalty or Penalty()))
    for _ in range(steps - 1):
        t.step()
    return t.step(), t


def test_adam_update_written_out_with_the_traces_numbers():
    trace, _ = _trace("adam", Penalty(0.0, 0.1))
    before = trace.optimizer.state
    after = trace.optimizer_after
    i = flat_index((4, 3, 2), "weight", 1, 0, 0)
    g = float(trace.grad_weights[1][0, 0]) + float(trace.penalty_weights[1][0, 0])
    lines = update_lines(trace, "weight", 1, 0, 0)
    assert lines[0].startswith("g = ∂L/∂θ^{cb}_{11} + λ₁·sign(θ^{cb}_{11}) + λ₂·θ^{cb}_{11} = ")
    assert lines[0].split("  (")[0].endswith(f"= {fmt(g)}")
    assert lines[1] == (f"m = β₁·m + (1 − β₁)·g = 0.9·{paren(float(before.buffers['m'][i]))} + "
                        f"{fmt(1 - 0.9)}·{paren(g)} = {fmt(float(after.buffers['m'][i]))}")
    assert lines[2].startswith("v = β₂·v + (1 − β₂)·g² = 0.999·")
    assert lines[3].startswith("m̂ = m/(1 − β₁^2) = ") and lines[4].startswith("v̂ = v/(1 − β₂^2) = ")
    assert lines[5].startswith("θ^{cb}_{11} := θ^{cb}_{11} − η·m̂/(√v̂ + ε) = 0.8")
    assert lines[5].endswith(f"= {fmt(float(trace.weights_after[1][0, 0]))}")


@pytest.mark.parametrize("name,first", [
    ("momentum", "v = μ·v + g = 0.9·"), ("nesterov", "v = μ·v + g = 0.9·"), ("adagrad", "G = G + g² = "),
    ("rmsprop", "v = α·v + (1 − α)·g² = 0.99·"), ("adamw", "β^b_2′ = β^b_2·(1 − η·λ)"),
])
def test_each_optimiser_writes_its_rule(name, first):
    trace, _ = _trace(name)
    kind, layer, m = ("bias", 0, 1)
    lines = update_lines(trace, kind, layer, m)
    assert lines[0] == f"g = ∂L/∂β^b_2 = {fmt(float(trace.grad_biases[0][1]))}"
    if name == "adamw":
        assert not any(line.startswith(first) for line in lines)  # biases are not decayed
        lines = update_lines(trace, "weight", 0, 1, 0)
        first = "θ^{ba}_{21}′ = θ^{ba}_{21}·(1 − η·λ) = "
    assert lines[1].startswith(first)
    results = (fmt(float(trace.biases_after[0][1])), fmt(float(trace.weights_after[0][1, 0])))
    assert lines[-1].split(" = ")[-1] in results


def test_first_momentum_update_takes_the_gradient():
    trace, _ = _trace("momentum", steps=1)
    assert update_lines(trace, "weight", 1, 0, 0)[1].startswith("v = g = ")


def test_parameter_state_reads_the_flat_vectors():
    _, trainer = _trace("rmsprop", steps=3)
    state = trainer.optimizer.state
    assert parameter_state(state, (4, 3, 2), "weight", 0, 2, 3) == {"v": float(state.buffers["v"][11])}
    assert parameter_state(state, (4, 3, 2), "bias", 1, 1) == {"v": float(state.buffers["v"][22])}
    with pytest.raises(ValueError):
        parameter_state(state, (4, 3, 2), "weight", 0, 3, 0)


def test_the_explainer_uses_the_optimisers_rule():
    trace, _ = _trace("adam")
    table = UpdateTable.from_trace(trace)
    ex = Explainer(trace, paper_figure_4().network.config)
    rows = np.flatnonzero((table.kind == 0) & (table.layer == 1) & (table.m == 0) & (table.n == 0))
    eq = ex.update(table, int(rows[0]))
    assert eq.lhs == "θ^{cb}_{11} :=" and eq.rhs[0] == "θ^{cb}_{11} − η·m̂/(√v̂ + ε)"
    assert eq.rhs[-1] == fmt(float(trace.weights_after[1][0, 0])) and eq.notes[1].startswith("m = ")
    sgd, _ = _trace("sgd")
    assert Explainer(sgd, paper_figure_4().network.config).update(
        UpdateTable.from_trace(sgd), int(rows[0])).rhs[0] == "θ^{cb}_{11} − η ∂L/∂θ^{cb}_{11}"
