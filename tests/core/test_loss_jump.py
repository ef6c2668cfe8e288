"""The rule of a loss jump and the trial update that tells whether an η would wreck a network."""

from __future__ import annotations

import math

import numpy as np

from neuroviz.core.loss_jump import LOSS_FLOOR, jumped, saturated, trial_update
from neuroviz.core.network import Network
from neuroviz.core.optimisers import Optimizer


def test_a_jump_is_more_than_factor_times_the_loss_before_and_tiny_losses_count_as_the_floor():
    assert jumped(0.5, 5.1, 10) and not jumped(0.5, 4.9, 10)
    assert jumped(0.5, math.inf, 10) and jumped(0.5, math.nan, 10)
    # a trained network's loss moving from 1e-8 to 1e-6 is noise, not a jump
    assert not jumped(1e-8, 1e-6, 10) and jumped(1e-8, 10 * LOSS_FLOOR * 1.01, 10)


def test_saturated_means_every_p_within_a_millionth_of_zero_or_one():
    assert saturated(np.array([[1.0, 0.0], [5e-7, 1 - 5e-7]]))
    assert not saturated(np.array([[1.0, 0.0], [2e-6, 1 - 2e-6]]))
    assert not saturated(np.zeros((0, 2)))


def batch(net: Network, n: int = 8, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, net.config.n_inputs)), rng.integers(0, net.config.n_outputs, n)


def test_a_huge_eta_wrecks_and_the_trial_changes_nothing():
    net = Network.create((16, 12, 3), seed=4)
    x, y = batch(net)
    before = net.flat_params().copy()
    trial = trial_update(net, x, y, 1e5, Optimizer().fitted(net.n_params))
    assert np.array_equal(net.flat_params(), before)
    assert trial.wrecks() and not trial.diverged
    assert trial.loss_before == net.loss(x, y)
    assert trial.saturated or trial.loss_after > 10 * trial.loss_before
    assert "probability" in trial.reason() or "times" in trial.reason()


def test_a_usual_eta_does_not_wreck_and_its_loss_after_is_the_loss_of_the_updated_network():
    net = Network.create((16, 12, 3), seed=4)
    x, y = batch(net)
    trial = trial_update(net, x, y, 0.05)
    assert not trial.wrecks() and not trial.saturated
    stepped = net.copy()
    stepped.step(x, y, 0.05)
    assert trial.loss_after == stepped.loss(x, y)


def test_a_network_saturated_already_is_not_wrecked_by_staying_so():
    net = Network.create((4, 3), seed=0)
    net.set_params([np.zeros((3, 4))], [np.array([500.0, 0.0, 0.0])])  # p = (1, 0, 0) for every input
    x = np.random.default_rng(0).random((5, 4))
    trial = trial_update(net, x, np.zeros(5, dtype=int), 0.01)
    assert not trial.saturated and not trial.wrecks()
