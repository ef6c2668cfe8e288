"""Data sets on the plane, input features, regression and the per-neuron maps."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.features import FEATURES, feature_map, parse_features
from neuroviz.core.gradcheck import gradient_check
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.optimisers import Optimizer, OptimizerConfig
from neuroviz.core.plane_data import (
    CLASSIFICATION_SETS,
    PLANE_DATASETS,
    REGRESSION_SETS,
    nearest_point,
    plane_dataset,
    point_values,
    with_features,
    with_point,
    without_points,
)
from neuroviz.core.plane_maps import decision_map, decision_values, grid_points, neuron_maps
from neuroviz.core.trainer import Trainer

ALL_FEATURES = tuple(FEATURES)


@pytest.mark.parametrize("name", PLANE_DATASETS)
def test_every_data_set_is_seeded(name):
    a = plane_dataset(name, noise=0.3, points=101, seed=4)
    b = plane_dataset(name, noise=0.3, points=101, seed=4)
    c = plane_dataset(name, noise=0.3, points=101, seed=5)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) and np.array_equal(a.is_test, b.is_test)
    assert np.array_equal(point_values(a), point_values(b))
    assert not np.array_equal(a.X, c.X)
    assert a.plane is not None and a.plane.points.shape == (101, 2)
    assert np.abs(a.plane.points).max() < 9.0


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
@pytest.mark.parametrize("n", [100, 101])
def test_classes_are_balanced_in_all_and_in_each_split(name, n):
    ds = plane_dataset(name, points=n, test_ratio=0.3, seed=2)
    counts = np.bincount(ds.y, minlength=2)
    assert abs(int(counts[0]) - int(counts[1])) <= 1
    test_counts = np.bincount(ds.y[ds.is_test], minlength=2)
    assert abs(int(test_counts[0]) - int(test_counts[1])) <= 1
    assert 0.25 <= ds.is_test.mean() <= 0.35


@pytest.mark.parametrize("name", REGRESSION_SETS)
def test_regression_sets_have_one_output_of_values(name):
    ds = plane_dataset(name, points=200, noise=0.0, seed=1)
    assert ds.is_regression and ds.n_classes == 1 and ds.targets is not None
    assert ds.targets.shape == (200, 1) and np.abs(ds.targets).max() <= 1.0 + 1e-12
    assert ds.targets.std() > 0.1
    assert not ds.y.any()


def test_noise_moves_the_same_clean_points():
    clean = plane_dataset("circle", noise=0.0, points=50, seed=3)
    noisy = plane_dataset("circle", noise=0.5, points=50, seed=3)
    assert np.array_equal(clean.y, noisy.y)
    shift = noisy.plane.points - clean.plane.points
    assert 0.3 < shift.std() < 0.7


def test_features_are_applied_before_the_network():
    pts = np.array([[1.0, -2.0], [0.5, 3.0]])
    x = feature_map(pts, ALL_FEATURES)
    expected = [[1.0, -2.0, 1.0, 4.0, -2.0, np.sin(1.0), np.sin(-2.0)],
                [0.5, 3.0, 0.25, 9.0, 1.5, np.sin(0.5), np.sin(3.0)]]
    np.testing.assert_array_equal(x, expected)
    ds = plane_dataset("xor", points=20, features=("x1x2", "x1"))
    np.testing.assert_array_equal(ds.X, feature_map(ds.plane.points, ("x1x2", "x1")))
    assert ds.image_shape == (1, 2)
    assert with_features(ds, ALL_FEATURES).X.shape == (20, 7)
    assert parse_features("x1, x2,sin_x1") == ("x1", "x2", "sin_x1")
    for bad in ("x3", "x1,x1", ""):
        with pytest.raises(ValueError):
            parse_features(bad)


def test_bad_parameters_are_refused_by_name():
    for kwargs, word in [({"name": "nope"}, "unknown"), ({"name": "circle", "points": 1}, "points"),
                         ({"name": "circle", "noise": -1}, "noise"), ({"name": "circle", "test_ratio": 1.0}, "test")]:
        with pytest.raises(ValueError, match=word):
            plane_dataset(**kwargs)


def test_points_are_added_and_removed():
    ds = plane_dataset("gauss", points=10, seed=0)
    more = with_point(ds, (1.5, -2.5), 1, test=True)
    assert len(more) == 11 and more.y[-1] == 1 and more.is_test[-1]
    np.testing.assert_array_equal(more.plane.points[-1], [1.5, -2.5])
    np.testing.assert_array_equal(more.X[-1], [1.5, -2.5])
    assert nearest_point(more, (1.6, -2.4), 0.5) == 10
    assert nearest_point(more, (100.0, 0.0), 0.5) is None
    fewer = without_points(more, [10, 0])
    assert len(fewer) == 9
    np.testing.assert_array_equal(fewer.plane.points, ds.plane.points[1:])
    reg = with_point(plane_dataset("plane", points=10), (0.0, 1.0), 0.25)
    assert reg.targets[-1, 0] == 0.25
    with pytest.raises(ValueError):
        with_point(ds, (0.0, 0.0), 2)
    with pytest.raises(ValueError):
        ds.with_added(np.zeros(2), 0)


def test_squared_error_regression_gradients_are_exact():
    """Identity output with ½(o − r)²: the exact gradient against finite differences, values as targets."""
    net = Network.create((3, 5, 4, 1), hidden_activation="tanh", output_activation="none",
                         loss="squared_error", init="xavier", seed=3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    r = rng.uniform(-1, 1, size=(6, 1))
    check = gradient_check(net, x, r)
    assert check.max_relative_error() < 1e-6
    grads = net.backward(x, r)
    np.testing.assert_allclose(grads.losses, 0.5 * (grads.forward.act[-1][:, 0] - r[:, 0]) ** 2)
    fast = net.copy()
    fast.train_batch(x, r, 0.1)
    net.step(x, r, 0.1)
    for a, b in zip(fast.weights, net.weights):
        np.testing.assert_array_equal(a, b)


def test_each_map_is_the_forward_pass_on_its_grid_points():
    net = Network.create((7, 5, 3, 2), hidden_activation="tanh", seed=1)
    maps = neuron_maps(net, ALL_FEATURES, 6, 9)
    pts = grid_points(6, 9)
    assert pts[0].tolist() == [-6 + 12 / 18, 6 - 12 / 12]  # top-left cell's centre
    acts = net.forward(feature_map(pts, ALL_FEATURES)).act
    assert [m.shape for m in maps] == [(7, 6, 9), (5, 6, 9), (3, 6, 9), (2, 6, 9)]
    for layer, m in enumerate(maps):
        for row in range(6):
            for col in range(9):
                np.testing.assert_array_equal(m[:, row, col], acts[layer][row * 9 + col])
    d = decision_map(net, ALL_FEATURES, 6, 9)
    p = net.forward(feature_map(pts, ALL_FEATURES)).probs
    np.testing.assert_allclose(d.ravel(), p[:, 1] - p[:, 0])
    reg = Network.create((2, 3, 1), loss="squared_error", seed=0)
    np.testing.assert_array_equal(decision_values(reg, np.array([[0.5], [-2.0]])), [0.5, -2.0])


def _trained(name: str, features: tuple[str, ...], hidden: tuple[int, ...], epochs: int) -> Trainer:
    ds = plane_dataset(name, noise=0.2, points=400, test_ratio=0.3, features=features, seed=0)
    net = Network.create((len(features), *hidden, ds.n_classes), hidden_activation="tanh", init="xavier", seed=0,
                         **({"loss": "squared_error"} if ds.is_regression else {}))
    trainer = Trainer(net, ds, 0.01, 10, seed=0)
    trainer.set_optimizer(Optimizer(OptimizerConfig.make("adam")))
    for _ in range(epochs):
        trainer.run_epoch()
    return trainer


@pytest.mark.parametrize(("name", "features", "hidden", "epochs", "least"), [
    # Adam, η = 0.01, batches of 10, tanh, Xavier; 400 points with σ = 0.2, 30 % for testing.
    ("circle", ("x1", "x2"), (8, 8), 30, 0.97),
    ("xor", ("x1", "x2"), (8, 8), 30, 0.97),
    ("gauss", ("x1", "x2"), (4,), 20, 0.97),
    # The spiral with all seven features and three hidden layers of 8.
    ("spiral", ALL_FEATURES, (8, 8, 8), 150, 0.90),
])
def test_seeded_networks_learn_the_plane(name, features, hidden, epochs, least):
    trainer = _trained(name, features, hidden, epochs)
    assert trainer.evaluate().test_accuracy >= least


def test_regression_loss_falls_and_has_no_accuracy():
    trainer = _trained("multi-gauss", ("x1", "x2"), (8, 8), 0)
    before = trainer.evaluate()
    for _ in range(40):
        trainer.run_epoch()
    after = trainer.evaluate()
    assert after.train_loss < 0.3 * before.train_loss and after.test_loss < 0.5 * before.test_loss
    assert np.isnan(after.test_accuracy)


def test_maps_of_grids_larger_than_one_batch_are_the_whole_forward_pass():
    """Grids above ``CHUNK`` points go through the network in batches: the numbers are the same bits."""
    from neuroviz.core.plane_maps import CHUNK

    net = Network.create((3, 8, 8, 2), hidden_activation="tanh", seed=2)
    features = ("x1", "x2", "x1x2")
    assert CHUNK < 40 * 40
    maps = neuron_maps(net, features, 40, 40)
    acts = net.forward(feature_map(grid_points(40, 40), features)).act
    for layer, m in enumerate(maps):
        np.testing.assert_array_equal(m.reshape(m.shape[0], -1).T, acts[layer])
    p = net.forward(feature_map(grid_points(40, 40), features)).probs
    np.testing.assert_array_equal(decision_map(net, features, 40, 40).ravel(), p[:, 1] - p[:, 0])


def test_outputs_are_the_forward_pass_output_bit_for_bit():
    net = Network(NetworkConfig(sizes=(3, 8, 8, 2), hidden_activation="tanh", init="xavier"))
    x = np.random.default_rng(4).normal(size=(700, 3))
    np.testing.assert_array_equal(net.outputs(x), net.forward(x).act[-1])
