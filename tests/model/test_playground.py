"""The model's playground part: your point, point editing with undo, maps at the moment shown, snapshots."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.features import feature_map
from neuroviz.core.plane_data import multi_gauss_value
from neuroviz.core.plane_maps import decision_map, neuron_maps
from neuroviz.io import snapshot
from neuroviz.model import AppModel


@pytest.fixture
def model() -> AppModel:
    m = AppModel("plane-spiral")
    m.time.fork_policy = lambda question: "keep"
    return m


def test_a_plane_example_opens_with_your_point_as_the_input(model):
    assert model.plane.active and model.network.sizes == (7, 8, 8, 8, 2)
    np.testing.assert_array_equal(model.input, model.plane.features_of(model.plane.point))
    assert model.input.min() < 0 or model.input.max() > 1  # features are not pixels: nothing was clipped


def test_digits_are_not_on_the_plane():
    m = AppModel("digits")
    assert not m.plane.active and m.plane.saved_point() is None
    assert m.drawing.bounded


def test_moving_your_point_sets_the_input_and_undoes(model):
    start = model.plane.point
    model.plane.set_point((1.5, -2.0))
    np.testing.assert_allclose(model.input, feature_map(np.array([[1.5, -2.0]]), model.plane.info.features)[0])
    fwd = model.shown().forward
    np.testing.assert_array_equal(fwd.act[0][0], model.input)
    model.drawing.undo_stack.undo()
    assert model.plane.point == start
    np.testing.assert_array_equal(model.input, model.plane.features_of(start))
    model.drawing.undo_stack.redo()
    assert model.plane.point == (1.5, -2.0)


def test_adding_removing_and_clearing_points_undo(model):
    n = len(model.dataset)
    model.plane.add_point((5.8, -5.8), 1, test=True)  # a corner the spiral does not reach
    model.plane.add_point((-5.8, 5.8), 0)
    assert len(model.dataset) == n + 2 and model.dataset.y[-1] == 0 and model.dataset.is_test[-2]
    assert len(model.trainer.dataset) == n + 2
    assert model.plane.remove_near((5.75, -5.7))
    assert len(model.dataset) == n + 1
    assert not model.plane.remove_near((100.0, 100.0))
    model.plane.clear()
    assert len(model.dataset) == 1
    np.testing.assert_array_equal(model.plane.info.points, [[-5.8, 5.8]])
    stack = model.drawing.undo_stack
    assert stack.undo_text == "Clear the points"
    for _ in range(3):
        stack.undo()
    assert len(model.dataset) == n + 1
    stack.undo()
    assert len(model.dataset) == n
    with pytest.raises(ValueError, match="add some"):
        model.plane.clear()


def test_training_on_your_point_uses_it(model):
    model.plane.set_point((2.0, 2.0))
    model.set_target(1)
    trace = model.step_on_input()
    np.testing.assert_array_equal(trace.inputs[0], model.plane.features_of((2.0, 2.0)))
    assert trace.labels.tolist() == [1]


def test_regression_trains_your_point_on_the_value_there():
    m = AppModel("plane-multi-gauss")
    m.plane.set_point((-4.0, 2.5))
    r = m.plane.input_target()
    assert isinstance(r, np.ndarray) and r[0] == multi_gauss_value(np.array(-4.0), np.array(2.5)) > 0.9
    trace = m.step_on_input()
    np.testing.assert_array_equal(trace.targets, [[r[0]]])
    assert m.shown().targets[0, 0] == r[0]


def test_maps_are_those_of_the_moment_shown(model):
    before = [m.copy() for m in model.plane.maps(5, 6)]
    np.testing.assert_array_equal(before[-1], neuron_maps(model.network, model.plane.info.features, 5, 6)[-1])
    old = model.network.copy()
    model.step()
    after = model.plane.maps(5, 6)
    assert not np.array_equal(after[-1], before[-1])
    model.show(input="sample", moment="before")
    past = model.plane.maps(5, 6)
    for a, b in zip(past, before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.plane.decision(4, 4), decision_map(old, model.plane.info.features, 4, 4))


def test_a_snapshot_keeps_your_point_and_the_points(model, tmp_path):
    model.plane.add_point((0.25, -0.75), 1)
    model.plane.set_point((3.0, -1.0))
    path = tmp_path / "p.nvz.json"
    snapshot.save(path, model.snapshot_state())
    other = AppModel("digits")
    other.restore(snapshot.load(path))
    assert other.plane.active and other.plane.point == (3.0, -1.0)
    np.testing.assert_array_equal(other.input, model.input)
    np.testing.assert_array_equal(other.plane.info.points, model.plane.info.points)
