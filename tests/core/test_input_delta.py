"""δ^a = ∂L/∂a, the input's own error term, is exact: central finite differences of the loss in the pixels."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.input_delta import input_delta_equation, input_deltas
from neuroviz.core.network import LOSSES, Network
from neuroviz.core.presets import paper_figure_4
from tests.core.test_gradients import random_case

COMBINATIONS = list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES))
H = 1e-6


def numeric_input_deltas(net: Network, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Shape (B, n_0): ∂L[s]/∂a[s] by central differences of each sample's own loss."""
    out = np.zeros_like(x)
    for s, n in np.ndindex(*x.shape):
        up, down = x[s:s + 1].copy(), x[s:s + 1].copy()
        up[0, n] += H
        down[0, n] -= H
        out[s, n] = (net.loss(up, labels[s:s + 1]) - net.loss(down, labels[s:s + 1])) / (2 * H)
    return out


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_input_deltas_match_finite_differences(hidden, output, loss, batch):
    net, x, labels = random_case(hidden, output, loss, batch, COMBINATIONS.index((hidden, output, loss)))
    trace = net.compute_step(x, labels, 0.1)
    analytic = input_deltas(trace)
    assert analytic.shape == (batch, 5)
    np.testing.assert_allclose(analytic, numeric_input_deltas(net, x, labels), rtol=1e-5, atol=1e-8)
    assert np.abs(analytic).max() > 1e-4  # not vacuous


def test_batch_mean_is_the_slope_of_the_batch_loss_along_a_pixel_of_every_sample():
    net, x, labels = random_case("relu", "none", "cross_entropy", 6, 3)
    mean = input_deltas(net.compute_step(x, labels, 0.1)).mean(axis=0)
    for n in range(x.shape[1]):
        step = np.zeros_like(x)
        step[:, n] = H
        slope = (net.loss(x + step, labels) - net.loss(x - step, labels)) / (2 * H)
        assert mean[n] == pytest.approx(slope, rel=1e-5, abs=1e-9)


def test_a_step_against_delta_lowers_the_loss():
    """What the pixel editor's overlay promises: moving the pixels by −δ^a lowers the loss."""
    net, x, labels = random_case("sigmoid", "none", "cross_entropy", 1, 5)
    delta = input_deltas(net.compute_step(x, labels, 0.1))
    assert net.loss(x - 0.01 * delta, labels) < net.loss(x, labels) < net.loss(x + 0.01 * delta, labels)


def test_equation_writes_out_the_sum_of_the_first_hidden_layer():
    preset = paper_figure_4()
    net = preset.network
    trace = net.compute_step(preset.inputs, np.array([preset.label]), 0.1)
    eq = input_delta_equation(trace, 1)
    deltas_b, theta = trace.deltas[0][0], trace.weights_before[0][:, 1]
    assert eq.lhs == "δ^a_2"
    assert eq.rhs[0] == "Σ_m δ^b_m θ^{ba}_{m2}"
    assert eq.rhs[1].count(")(") == net.sizes[1]  # one product per neuron of b
    assert float(eq.rhs[-1].replace("−", "-")) == pytest.approx(float(deltas_b @ theta), rel=1e-5)
    assert any("no activation" in note for note in eq.notes)


def test_equation_of_a_wide_layer_lists_the_largest_terms_and_names_the_sample():
    net = Network.create((3, 12, 2), seed=1)
    rng = np.random.default_rng(0)
    trace = net.compute_step(rng.uniform(size=(3, 3)), np.array([0, 1, 0]), 0.1)
    eq = input_delta_equation(trace, 0, sample=2, max_terms=4)
    assert "more:" in eq.rhs[1]
    assert "Sample 3 of the batch of 3." in eq.notes
    with pytest.raises(IndexError):
        input_delta_equation(trace, 3)
    with pytest.raises(IndexError):
        input_delta_equation(trace, 0, sample=3)


def test_matches_torch_autograd():
    """δ^a against PyTorch's gradient of the loss in the input (skipped without PyTorch)."""
    torch = pytest.importorskip("torch")
    net, x, labels = random_case("tanh", "none", "cross_entropy", 3, 11)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = xt
    for w, b in zip(net.weights[:-1], net.biases[:-1]):
        h = torch.tanh(h @ torch.tensor(w).T + torch.tensor(b))
    logits = h @ torch.tensor(net.weights[-1]).T + torch.tensor(net.biases[-1])
    # the sum of the per-sample losses: its gradient in a[s] is each sample's own ∂L[s]/∂a[s]
    torch.nn.functional.cross_entropy(logits, torch.tensor(labels), reduction="sum").backward()
    np.testing.assert_allclose(input_deltas(net.compute_step(x, labels, 0.1)), xt.grad.numpy(), rtol=1e-10)
