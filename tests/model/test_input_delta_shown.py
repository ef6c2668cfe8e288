"""The input's own δ^a follows the showing state: the input and moment shown, and what a walk has computed."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.input_delta import input_deltas
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel


def test_the_drawings_delta_at_the_moment_shown_and_a_samples_and_the_batch_mean():
    model = AppModel("circles-squares")
    own = model.network.compute_step(model.input, np.array([model.target]), 0.1)
    assert np.array_equal(model.shown().input_delta(), input_deltas(own)[0])  # before any update
    trace = model.step()
    after = model.network.compute_step(model.input, np.array([model.target]), 0.1)
    assert np.array_equal(model.shown().input_delta(), input_deltas(after)[0])
    model.show("sample", 2, "before")
    assert np.array_equal(model.shown().input_delta(), input_deltas(trace)[2])
    model.show("mean")
    assert np.allclose(model.shown().input_delta(), input_deltas(trace).mean(axis=0))


def test_the_inspector_writes_out_a_selected_input_neurons_delta():
    model = AppModel("paper-figure-4")
    model.step()
    selection = Selection("neuron", 0, 1)
    sections = model.shown().sections(model.network, selection, None)
    titles = [t for t, _ in sections]
    assert any("a_2" in t and "Error term" in t for t in titles)
    eq = next(eqs for t, eqs in sections if t.startswith("Error term"))[0]
    assert eq.lhs == "δ^a_2" and eq.rhs[0] == "Σ_m δ^b_m θ^{ba}_{m2}"
    model.show("sample", 0, "before")  # the update's own trace: the core's section builder
    sections = model.shown().sections(model.network, selection, None)
    assert any(eqs[0].lhs == "δ^a_2" for _, eqs in sections)


def test_a_walk_writes_it_out_with_the_first_hidden_layers_delta():
    model = AppModel("circles-squares")
    model.begin_phased_step()
    model.walk.show(Phase("backward", 1))
    model.show("sample", 1)
    sel = Selection("neuron", 0, 5)
    assert any(eqs[0].lhs == "δ^a_6" for _, eqs in model.shown().sections(model.network, sel, Phase("backward", 1)))
    assert not any(eqs[0].lhs == "δ^a_6" for _, eqs in model.shown().sections(model.network, sel, Phase("loss")))
    model.show("mean")
    mean = [eqs[0] for _, eqs in model.shown().sections(model.network, sel, None) if eqs[0].lhs.startswith("mean δ")]
    assert mean and mean[0].lhs == "mean δ^a_6"


def test_view_state_holds_the_input_layers_mode_and_the_editors_overlay():
    model = AppModel("circles-squares")
    calls = []
    model.view.changed.connect(lambda: calls.append(1))
    model.view.set_modes(input_mode="deltas")
    model.view.set_input_overlay(True)
    model.view.set_input_overlay(True)  # no change, no signal
    assert model.view.input_mode == "deltas" and model.view.input_overlay and len(calls) == 2
    with pytest.raises(ValueError, match="input mode"):
        model.view.set_modes(input_mode="gradients")
    assert model.view.input_mode == "deltas"
