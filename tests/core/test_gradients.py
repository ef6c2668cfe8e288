"""Backpropagation is exact: analytic gradients equal central finite differences.

Every hidden activation × output activation × loss, at batch 1 and batch 5,
on small random networks, with class labels and with target vectors.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.gradcheck import gradient_check, numeric_gradients, relative_error
from neuroviz.core.network import LOSSES, Network

COMBINATIONS = list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES))
RTOL, ATOL = 1e-5, 1e-7


def random_case(hidden: str, output: str, loss: str, batch: int, seed: int):
    """A 5-4-3-3 network with non-trivial parameters, inputs and labels."""
    net = Network.create((5, 4, 3, 3), hidden_activation=hidden, output_activation=output, loss=loss,
                         init="xavier", seed=seed)
    rng = np.random.default_rng(seed + 100)
    # Non-zero biases so that no raw value sits exactly on a ReLU kink; the
    # output biases are positive so that an output ReLU is not dead everywhere.
    biases = [rng.uniform(0.05, 0.3, b.shape) * rng.choice([-1, 1], b.shape) for b in net.biases]
    biases[-1] = rng.uniform(0.5, 1.0, biases[-1].shape)
    net.set_params(net.weights, biases)
    x = rng.uniform(0.0, 1.0, size=(batch, 5))
    labels = rng.integers(0, 3, size=batch)
    return net, x, labels


def assert_gradients_match(net: Network, x: np.ndarray, targets) -> None:
    check = gradient_check(net, x, targets)
    for a, n in zip(check.analytic_weights + check.analytic_biases, check.numeric_weights + check.numeric_biases):
        np.testing.assert_allclose(a, n, rtol=RTOL, atol=ATOL)
    # The check is not vacuous: some gradient is clearly non-zero.
    assert max(float(np.abs(a).max()) for a in check.analytic_weights) > 1e-4


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_gradients_match_finite_differences(hidden, output, loss, batch):
    seed = COMBINATIONS.index((hidden, output, loss))
    net, x, labels = random_case(hidden, output, loss, batch, seed)
    assert_gradients_match(net, x, labels)


@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_gradients_with_target_vectors(hidden, output, loss):
    """Soft targets r (not one-hot), e.g. a textbook squared-error example."""
    net, x, _ = random_case(hidden, output, loss, 3, 7)
    rng = np.random.default_rng(3)
    r = rng.dirichlet(np.ones(3), size=3)
    assert_gradients_match(net, x, r)


def test_deeper_network_and_the_paper_orientation():
    net = Network.create((6, 5, 4, 4, 2), hidden_activation="tanh", seed=11, init="gaussian")
    rng = np.random.default_rng(0)
    x = rng.random((4, 6))
    g = net.backward(x, np.array([0, 1, 1, 0]))
    for l, (gw, gb) in enumerate(zip(g.grad_weights, g.grad_biases)):
        assert gw.shape == (net.sizes[l + 1], net.sizes[l])
        assert gb.shape == (net.sizes[l + 1],)
        assert g.deltas[l].shape == (4, net.sizes[l + 1])
    assert_gradients_match(net, x, np.array([0, 1, 1, 0]))


def test_gradient_is_the_batch_mean_of_per_sample_gradients():
    net, x, labels = random_case("relu", "none", "cross_entropy", 4, 1)
    whole = net.backward(x, labels)
    singles = [net.backward(x[i], labels[i : i + 1]) for i in range(4)]
    for l in range(len(net.weights)):
        np.testing.assert_allclose(whole.grad_weights[l], np.mean([s.grad_weights[l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(whole.grad_biases[l], np.mean([s.grad_biases[l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(whole.deltas[l], np.vstack([s.deltas[l] for s in singles]), rtol=1e-13,
                                   atol=1e-16)
    assert whole.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-13)


def test_output_relu_masks_the_output_error():
    """Erratum 3: with an output ReLU, δ^c = (p − r) ⊙ 1[c^raw > 0]."""
    net = Network.create((2, 3), output_activation="relu", seed=0)
    net.set_params([np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]])], [np.array([0.1, -0.2, 0.3])])
    x = np.array([0.5, 0.25])
    g = net.backward(x, 0)
    raw = g.forward.raw[1][0]
    assert raw[1] < 0 < raw[0]
    expected = (g.forward.probs[0] - np.array([1.0, 0.0, 0.0])) * (raw > 0)
    np.testing.assert_array_equal(g.deltas[0][0], expected)
    assert g.deltas[0][0, 1] == 0.0
    assert_gradients_match(net, x, np.array([0]))


def test_gradient_check_reports_relative_errors():
    net, x, labels = random_case("sigmoid", "none", "cross_entropy", 2, 4)
    check = gradient_check(net, x, labels)
    assert check.max_relative_error() < 1e-6
    errors_w, errors_b = check.relative_errors()
    assert [e.shape for e in errors_w] == [w.shape for w in net.weights]
    assert [e.shape for e in errors_b] == [b.shape for b in net.biases]
    # A wrong gradient is caught.
    assert float(relative_error(np.array([1.0]), np.array([1.1]))[0]) > 0.04


def test_numeric_gradients_leave_the_network_unchanged():
    net, x, labels = random_case("tanh", "sigmoid", "squared_error", 2, 5)
    before = net.flat_params().copy()
    numeric_gradients(net, x, labels)
    assert net.flat_params().tobytes() == before.tobytes()


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    hidden=st.sampled_from(HIDDEN_ACTIVATIONS),
    output=st.sampled_from(OUTPUT_ACTIVATIONS),
    loss=st.sampled_from(LOSSES),
    batch=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_gradients_of_random_architectures(sizes, hidden, output, loss, batch, seed):
    net = Network.create(sizes, hidden_activation=hidden, output_activation=output, loss=loss, init="xavier",
                         seed=seed)
    rng = np.random.default_rng(seed)
    # Random non-zero biases: with zero biases behind a dead ReLU a raw value is exactly 0,
    # the ReLU's kink, where no derivative exists for finite differences to find.
    net.set_params(net.weights, [rng.uniform(0.05, 0.5, b.shape) * rng.choice([-1, 1], b.shape)
                                 for b in net.biases])
    x = rng.uniform(0.0, 1.0, size=(batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=batch)
    g = net.backward(x, labels)
    num_w, num_b = numeric_gradients(net, x, labels)
    for a, n in zip(g.grad_weights + g.grad_biases, num_w + num_b):
        np.testing.assert_allclose(a, n, rtol=RTOL, atol=ATOL)
