"""The paper's worked example (Figure 4) reproduces every number docs/paper-notes.md gives, to 1e-9."""

import math

import numpy as np
import pytest

from neuroviz.core.notation import bias_label, delta_label, weight_label
from neuroviz.core.presets import PAPER_T, get_preset, paper_figure_4
from neuroviz.core.update_table import BIAS, WEIGHT, UpdateTable

TOL = 1e-9


@pytest.fixture(scope="module")
def trace():
    preset = paper_figure_4()
    return preset.network.step(preset.inputs, preset.label, 0.01)


def test_the_preset_is_the_network_of_notes():
    preset = get_preset("paper-figure-4")
    net = preset.network
    assert net.sizes == (4, 3, 2)
    assert (net.config.hidden_activation, net.config.output_activation, net.config.loss) == (
        "relu", "relu", "cross_entropy")
    np.testing.assert_array_equal(preset.inputs, [0.75, 0.5, 0.25, 1.0])
    assert preset.label == 0  # r = (1, 0), class 1 "circle"
    assert preset.class_names[0] == "circle"
    assert preset.lr == 0.01
    np.testing.assert_array_equal(net.weights[0], [[0.5, -0.3, 0.1, -0.1], [0.2, 0.4, -0.2, 0.1],
                                                   [-0.4, 0.3, 0.6, -0.2]])
    np.testing.assert_array_equal(net.biases[0], [0.15, 0.05, 0.1])
    assert abs(PAPER_T - 0.147700240240365) < 1e-15
    np.testing.assert_array_equal(net.weights[1], [[0.8, PAPER_T, 0.5], [0.22, 0.3, -0.3]])
    np.testing.assert_array_equal(net.biases[1], [0.2, -0.1])


def test_forward(trace):
    np.testing.assert_allclose(trace.forward.raw[1][0], [0.3, 0.45, -0.1], atol=TOL)
    np.testing.assert_allclose(trace.forward.act[1][0], [0.3, 0.45, 0.0], atol=TOL)
    # c^raw = (0.101 + ln 1.5, 0.101) ≈ (0.506465, 0.101)
    np.testing.assert_allclose(trace.forward.raw[2][0], [0.101 + math.log(1.5), 0.101], atol=TOL)
    np.testing.assert_allclose(trace.forward.raw[2][0], [0.506465, 0.101], atol=1e-6)
    np.testing.assert_allclose(trace.forward.act[2][0], trace.forward.raw[2][0], atol=0)  # both positive
    np.testing.assert_allclose(trace.probs[0], [0.6, 0.4], atol=TOL)
    np.testing.assert_array_equal(trace.targets[0], [1.0, 0.0])


def test_loss_uses_the_natural_log(trace):
    """Erratum 1: −ln 0.6 = 0.5108, not the paper's base-10 0.22."""
    assert trace.loss == pytest.approx(math.log(1 / 0.6), abs=TOL)
    assert trace.loss == pytest.approx(0.5108, abs=1e-4)
    assert abs(trace.loss - (-math.log10(0.6))) > 0.2


def test_deltas_and_gradients(trace):
    np.testing.assert_allclose(trace.deltas[1][0], [-0.4, 0.4], atol=TOL)
    assert trace.deltas[0][0, 0] == pytest.approx(-0.232, abs=TOL)
    assert trace.grad_weights[1][0, 0] == pytest.approx(-0.12, abs=TOL)  # ∂L/∂θ^{cb}_{11}
    # Erratum 2: ∂L/∂θ^{cb}_{21} = δ^c_2 · b_1 = (0.4)(0.3)
    assert trace.grad_weights[1][1, 0] == pytest.approx(0.12, abs=TOL)
    assert trace.grad_weights[1][1, 0] == pytest.approx(trace.deltas[1][0, 1] * trace.forward.act[1][0, 0], abs=TOL)
    assert trace.grad_weights[0][0, 0] == pytest.approx(-0.174, abs=TOL)  # ∂L/∂θ^{ba}_{11}
    np.testing.assert_allclose(trace.grad_biases[1], [-0.4, 0.4], atol=TOL)
    # Erratum 4: ∂L/∂β^b_1 = δ^b_1
    assert trace.grad_biases[0][0] == pytest.approx(-0.232, abs=TOL)


def test_updates(trace):
    assert trace.lr == 0.01
    assert trace.weights_after[1][0, 0] == pytest.approx(0.8012, abs=TOL)
    assert trace.weights_after[1][1, 0] == pytest.approx(0.2188, abs=TOL)
    assert trace.weights_after[0][0, 0] == pytest.approx(0.50174, abs=TOL)
    np.testing.assert_allclose(trace.biases_after[1], [0.204, -0.104], atol=TOL)
    assert trace.biases_after[0][0] == pytest.approx(0.15232, abs=TOL)
    # Every parameter moved by exactly −η times its gradient.
    for before, grad, after in zip(trace.weights_before + trace.biases_before,
                                   trace.grad_weights + trace.grad_biases,
                                   trace.weights_after + trace.biases_after):
        np.testing.assert_allclose(after, before - 0.01 * grad, atol=1e-15)


def test_dead_relu_has_zero_delta(trace):
    assert trace.forward.raw[1][0, 2] < 0
    assert trace.deltas[0][0, 2] == 0.0
    np.testing.assert_array_equal(trace.grad_weights[0][2], 0.0)
    np.testing.assert_array_equal(trace.weights_after[0][2], trace.weights_before[0][2])


def test_update_table_rows_carry_the_paper_labels(trace):
    table = UpdateTable.from_trace(trace)
    row = table.find(WEIGHT, 1, 1, 0)
    assert table.label(row) == weight_label(1, 1, 0) == "θ^{cb}_{21}"
    assert table.grad[row] == pytest.approx(0.12, abs=TOL)
    assert table.new[row] == pytest.approx(0.2188, abs=TOL)
    assert table.gradient_formula(row) == f"{delta_label(2, 1)} · b_1 = (0.4)(0.3) = 0.12"
    brow = table.find(BIAS, 0, 0)
    assert table.label(brow) == bias_label(0, 0) == "β^b_1"
    assert table.update_formula(brow) == "0.15 − 0.01(−0.232) = 0.15232"
