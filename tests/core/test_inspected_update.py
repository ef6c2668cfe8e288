"""What the inspector shows of one update, computed in the core: row selections, outcomes, phase names, check order."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.explain_sections import row_of
from neuroviz.core.network import Network
from neuroviz.core.phases import Phase, phases_for
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.selection import Selection
from neuroviz.core.update_check import CheckQueue, UpdateCheck
from neuroviz.core.update_table import BIAS, WEIGHT, Outcome, UpdateTable


@pytest.fixture(scope="module")
def fig4():
    preset = paper_figure_4()
    return UpdateTable.from_trace(preset.network.step(preset.inputs, preset.label, 0.01)), preset.network.config


def batch_table(batch=6, seed=2):
    net = Network.create((5, 4, 3), hidden_activation="tanh", seed=seed, init="gaussian")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, batch)
    return UpdateTable.from_trace(net.step(rng.random((batch, 5)), labels, 0.1)), net.config, labels


def test_every_row_selects_its_own_parameter(fig4):
    t, _ = fig4
    assert t.selection(t.find(WEIGHT, 1, 1, 0)) == Selection("weight", 1, 1, 0)  # θ^{cb}_{21}
    assert t.selection(t.find(BIAS, 0, 2)) == Selection("bias", 0, 2)  # β^b_3
    for row in range(len(t)):
        sel = t.selection(row)
        assert row_of(t, sel) == row and sel.label() == t.label(row)


def test_outcome_of_each_sample():
    t, _, labels = batch_table()
    probs = t.trace.probs
    for s in range(t.trace.batch_size):
        out = t.outcome(s)
        assert out == Outcome(int(labels[s]), int(np.argmax(probs[s])))
        assert out.correct == (labels[s] == np.argmax(probs[s]))
    # Figure 4: the true class is c_1 and p = (0.6, 0.4): predicted right
    preset = paper_figure_4()
    fig = UpdateTable.from_trace(preset.network.step(preset.inputs, preset.label, 0.01))
    assert fig.outcome(0) == Outcome(0, 0) and fig.outcome(0).correct


def test_short_titles_of_the_phases():
    assert [p.short_title() for p in phases_for(4)] == ["b", "c", "d", "L", "δ^d", "δ^c", "δ^b", "update"]
    assert Phase("update").short_title() == "update" and Phase("loss").short_title() == "L"


def test_check_queue_runs_the_first_rows_first_then_the_rest(fig4):
    t, config = fig4
    check = UpdateCheck(t, config)
    first = np.array([20, 3, 7])
    queue = CheckQueue(check, first)
    assert queue.order[:3].tolist() == [20, 3, 7]
    assert sorted(queue.order.tolist()) == list(range(len(t)))  # every row once
    assert (queue.done, queue.percent, queue.finished) == (0, 0, False)
    queue.run(2)
    assert queue.done == 2 and check.checked == 2
    assert np.isfinite(check.numeric[[20, 3]]).all() and not np.isfinite(check.numeric[7])
    assert queue.percent == 100 * 2 // len(t)
    while not queue.finished:
        queue.run(5)
    assert queue.done == len(t) and queue.percent == 100 and check.complete
    np.testing.assert_allclose(check.numeric, t.grad, atol=1e-6)
    with pytest.raises(ValueError, match="at least 1"):
        queue.run(0)


def test_a_new_queue_over_a_partly_done_check_counts_from_zero(fig4):
    t, config = fig4
    check = UpdateCheck(t, config)
    check.run(np.arange(10))
    queue = CheckQueue(check, np.arange(len(t))[::-1])
    assert queue.done == 0 and check.checked == 10
    queue.run(len(t) - 10)  # the last rows of the table, not checked yet
    assert queue.percent == 100 * (len(t) - 10) // len(t) and check.complete


def test_progress_knows_the_values_of_the_layers_the_walk_has_reached():
    from neuroviz.core.explain import Progress
    from neuroviz.core.phases import phases_for

    n_layers = 4
    forward = [p for p in phases_for(n_layers) if p.kind == "forward"]
    for phase in forward:
        known = Progress.at(phase, n_layers)
        assert [known.knows_values(layer) for layer in range(n_layers)] == [
            layer <= phase.layer for layer in range(n_layers)]
    assert all(Progress.complete(n_layers).knows_values(layer) for layer in range(n_layers))
