"""Softmax and log-sum-exp are stable: logits of ±1e4 give a finite loss and gradient."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from neuroviz.core.activations import apply
from neuroviz.core.gradcheck import gradient_check
from neuroviz.core.network import Network, softmax


def huge_logit_network(scale: float) -> Network:
    """A 2-2 network whose logits are (+scale, −scale) for the input (1, 0)."""
    net = Network.create((2, 2), seed=0)
    net.set_params([np.array([[scale, 0.0], [-scale, 0.0]])], [np.zeros(2)])
    return net


@pytest.mark.parametrize("label", [0, 1])
def test_logits_of_plus_minus_1e4_give_finite_loss_and_gradient(label):
    net = huge_logit_network(1e4)
    x = np.array([1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings either
        trace = net.step(x, label, 0.01)
    np.testing.assert_array_equal(trace.forward.raw[1][0], [1e4, -1e4])
    assert np.isfinite(trace.loss)
    assert all(np.isfinite(g).all() for g in trace.grad_weights + trace.grad_biases)
    np.testing.assert_array_equal(trace.probs[0], [1.0, 0.0])
    if label == 0:
        assert trace.loss == 0.0
        np.testing.assert_array_equal(trace.deltas[0][0], [0.0, 0.0])
    else:
        # −ln p_2 = ln(e^{1e4} + e^{−1e4}) + 1e4 = 2e4 exactly in float64.
        assert trace.loss == pytest.approx(2e4)
        np.testing.assert_array_equal(trace.deltas[0][0], [1.0, -1.0])


def test_softmax_of_huge_and_tiny_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1000.0, 1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=1e-15)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-15)


def test_moderately_large_logits_still_have_exact_gradients():
    net = huge_logit_network(30.0)
    net.set_params(net.weights, [np.array([0.5, -0.25])])
    check = gradient_check(net, np.array([0.7, 0.2]), [1])
    for a, n in zip(check.analytic_weights, check.numeric_weights):
        np.testing.assert_allclose(a, n, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_activations_do_not_overflow(name):
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply(name, z)
    assert np.isfinite(out).all()
    if name == "sigmoid":
        np.testing.assert_array_equal(out, [0.0, 0.0, 0.5, 1.0, 1.0])
