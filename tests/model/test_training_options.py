"""Choosing the optimiser, penalty and schedule through the model, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.selection import Selection
from neuroviz.model import KEEP_BRANCH, AppModel
from neuroviz.model.time_travel import always


def test_set_optimizer_checks_values_and_keeps_the_old_on_error():
    model = AppModel("circles-squares")
    seen = []
    model.optimizer_changed.connect(seen.append)
    model.set_optimizer("adam", beta1=0.8)
    assert model.optimizer.name == "adam" and model.optimizer.config.get("beta1") == 0.8
    assert model.optimizer.config.get("beta2") == 0.999 and len(seen) == 1
    for bad in ({"name": "adam", "beta2": 1.5}, {"name": "adam", "momentum": 0.9}, {"name": "lbfgs"}):
        with pytest.raises(ValueError):
            model.set_optimizer(**bad)
    assert model.optimizer.config.get("beta1") == 0.8 and len(seen) == 1
    with pytest.raises(ValueError):
        model.set_penalty(l2=-1.0)
    with pytest.raises(ValueError):
        model.set_schedule("step", step_size=0)
    with pytest.raises(ValueError):
        model.set_schedule("step", warmup=3)
    assert not model.optimizer.penalty.active and model.optimizer.schedule.name == "constant"
    model.set_penalty(l1=0.001)
    model.set_penalty(l2=0.01)
    model.set_schedule("cosine", t_max=50)
    assert (model.optimizer.penalty.l1, model.optimizer.penalty.l2) == (0.001, 0.01)
    assert model.optimizer.schedule.t_max == 50 and len(seen) == 4


def test_changes_are_edits_on_the_timeline():
    model = AppModel("circles-squares")
    model.train_for(10.0, max_steps=5)
    model.set_optimizer("momentum", momentum=0.5)
    assert model.time.history.kind(model.time.history.last) == "edit"
    model.set_optimizer("momentum", momentum=0.5)  # the same again: nothing recorded
    assert model.time.history.last == 6


def test_race_sgd_against_adam_from_the_same_start_on_two_branches():
    model = AppModel("circles-squares", fork_policy=KEEP_BRANCH)
    model.train_for(10.0, max_steps=4)
    model.train_for(10.0, max_steps=20)  # SGD
    sgd_params = model.network.flat_params().copy()
    model.go_to(4)
    model.set_optimizer("adam")  # at a past moment: the SGD run is kept as a branch
    assert len(model.time.history.branches) == 1
    model.train_for(10.0, max_steps=20)
    adam_params = model.network.flat_params().copy()
    assert model.optimizer.name == "adam" and model.optimizer.state.t == 20
    assert not np.array_equal(sgd_params, adam_params)
    model.go_to(model.time.history.branches[0])
    assert model.optimizer.name == "sgd" and np.array_equal(model.network.flat_params(), sgd_params)


def test_a_cancelled_fork_changes_nothing():
    model = AppModel("circles-squares", fork_policy=always("cancel"))
    model.train_for(10.0, max_steps=6)
    model.go_to(2)
    model.set_optimizer("rmsprop")
    assert model.optimizer.name == "sgd" and model.time.history.last == 6


def test_optimiser_state_and_the_update_written_out_per_parameter():
    model = AppModel("paper-figure-4")
    model.set_optimizer("adam")
    model.step_on_input()
    trace = model.step_on_input()
    assert trace is not None
    w = Selection("weight", 1, 0, 0)
    state = model.optimizer_state(w)
    assert set(state) == {"m", "v"}
    assert state["m"] == trace.optimizer_after.buffers["m"][model.network.n_params - 8]
    lines = model.update_text(w)
    assert lines[1].startswith("m = β₁·m + (1 − β₁)·g = 0.9·") and lines[-1].startswith("θ^{cb}_{11} := ")
    assert lines[-1].endswith(f"= {float(trace.weights_after[1][0, 0]):.6g}")
    assert model.optimizer_state(Selection("bias", 0, 1)) == {
        "m": float(model.optimizer.state.buffers["m"][13]), "v": float(model.optimizer.state.buffers["v"][13])}
    with pytest.raises(ValueError):
        model.optimizer_state(Selection("neuron", 1, 0))


def test_the_loss_curve_keeps_data_loss_and_penalty_apart():
    model = AppModel("circles-squares")
    model.train_for(10.0, max_steps=3)
    model.set_penalty(l2=0.5)
    model.train_for(10.0, max_steps=4)
    _, losses = model.time.loss_curve()
    penalties = model.time.penalty_curve()
    assert len(penalties) == len(losses) == 7
    assert (penalties[:3] == 0).all() and (penalties[3:] > 0).all()
    model.go_to(2)
    assert model.time.penalty_curve().tolist() == penalties.tolist()
