"""The paper's worked example (Figure 4) reproduces every number it prints."""

import math

import numpy as np
import pytest

from neuroviz.core.presets import paper_figure_4

TOL = 1e-9


@pytest.fixture(scope="module")
def trace():
    preset = paper_figure_4()
    return preset.network.step(preset.inputs, preset.label, 0.01)


def test_forward(trace):
    np.testing.assert_allclose(trace.forward.raw[1][0], [0.3, 0.45, -0.1], atol=TOL)
    np.testing.assert_allclose(trace.forward.act[1][0], [0.3, 0.45, 0.0], atol=TOL)
    np.testing.assert_allclose(trace.probs[0], [0.6, 0.4], atol=TOL)
    assert trace.loss == pytest.approx(math.log(1 / 0.6), abs=TOL)
    assert trace.loss == pytest.approx(0.5108, abs=1e-4)


def test_deltas_and_gradients(trace):
    np.testing.assert_allclose(trace.deltas[1][0], [-0.4, 0.4], atol=TOL)
    assert trace.deltas[0][0, 0] == pytest.approx(-0.232, abs=TOL)
    assert trace.grad_weights[1][0, 0] == pytest.approx(-0.12, abs=TOL)
    assert trace.grad_weights[1][1, 0] == pytest.approx(0.12, abs=TOL)
    assert trace.grad_weights[0][0, 0] == pytest.approx(-0.174, abs=TOL)
    np.testing.assert_allclose(trace.grad_biases[1], [-0.4, 0.4], atol=TOL)
    assert trace.grad_biases[0][0] == pytest.approx(-0.232, abs=TOL)


def test_updates(trace):
    assert trace.weights_after[1][0, 0] == pytest.approx(0.8012, abs=TOL)
    assert trace.weights_after[1][1, 0] == pytest.approx(0.2188, abs=TOL)
    assert trace.weights_after[0][0, 0] == pytest.approx(0.50174, abs=TOL)
    np.testing.assert_allclose(trace.biases_after[1], [0.204, -0.104], atol=TOL)
    assert trace.biases_after[0][0] == pytest.approx(0.15232, abs=TOL)


def test_dead_relu_has_zero_delta(trace):
    assert trace.forward.raw[1][0, 2] < 0
    assert trace.deltas[0][0, 2] == 0.0
