"""The fast path (no traces) gives bit-for-bit the parameters of the traced path; seeds reproduce."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.datasets import circles_vs_squares, digits
from neuroviz.core.network import INITS, LOSSES, Network, NetworkConfig
from neuroviz.core.trainer import Trainer


def params_bytes(net: Network) -> list[bytes]:
    return [a.tobytes() for a in (*net.weights, *net.biases)]


@pytest.mark.parametrize(("hidden", "output", "loss"),
                         list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES)))
@pytest.mark.parametrize("batch", [1, 7])
def test_train_batch_equals_step_bit_for_bit(hidden, output, loss, batch):
    traced = Network.create((6, 5, 4, 3), hidden_activation=hidden, output_activation=output, loss=loss, seed=3)
    fast = traced.copy()
    rng = np.random.default_rng(batch)
    for _ in range(25):
        x = rng.random((batch, 6))
        y = rng.integers(0, 3, batch)
        trace = traced.step(x, y, 0.05)
        loss_value = fast.train_batch(x, y, 0.05)
        assert loss_value == trace.loss
        assert params_bytes(fast) == params_bytes(traced)
    assert params_bytes(traced) != params_bytes(Network.create((6, 5, 4, 3), hidden_activation=hidden,
                                                               output_activation=output, loss=loss, seed=3))


def test_trainer_fast_path_equals_traced_steps_across_epochs():
    data = circles_vs_squares(120)
    traced = Trainer(Network.create((64, 16, 16, 2), seed=5), data, lr=0.1, batch_size=7, seed=2)
    fast = Trainer(Network.create((64, 16, 16, 2), seed=5), data, lr=0.1, batch_size=7, seed=2)
    n = 40  # 90 training samples in batches of 7: crosses three epoch boundaries (13 updates each)
    traces = [traced.step() for _ in range(n)]
    assert fast.train_steps(n) == n
    assert params_bytes(fast.network) == params_bytes(traced.network)
    np.testing.assert_array_equal(fast.history.values, traced.history.values)
    np.testing.assert_array_equal(fast.history.values, [t.loss for t in traces])
    assert (fast.epoch, fast.step_count, fast.cursor) == (traced.epoch, traced.step_count, traced.cursor)
    assert (fast.epoch, fast.step_count, fast.cursor) == (3, n, 7)
    assert [e.test_loss for e in fast.epochs] == [e.test_loss for e in traced.epochs]
    # The traced path's "after" is the next update's "before".
    for a, b in itertools.pairwise(traces):
        for wa, wb in zip(a.weights_after, b.weights_before):
            assert wa.tobytes() == wb.tobytes()


def test_mixing_paths_and_external_edits_stays_identical():
    a = Network.create((8, 4, 3), seed=1)
    b = a.copy()
    rng = np.random.default_rng(0)
    for i in range(30):
        x, y = rng.random((3, 8)), rng.integers(0, 3, 3)
        a.step(x, y, 0.1)
        if i % 3 == 0:
            b.step(x, y, 0.1)
        else:
            b.train_batch(x, y, 0.1)
        if i == 10:  # edits in place and by replacing arrays are both seen by the fast path
            a.set_weight(0, 1, 2, 0.25)
            b.weights[0][1, 2] = 0.25
        if i == 20:
            a.set_params([w * 0.5 for w in a.weights], a.biases)
            b.weights = [w * 0.5 for w in b.weights]
        assert params_bytes(a) == params_bytes(b)


def test_arrays_taken_before_an_update_keep_their_values():
    net = Network.create((4, 3, 2), seed=0)
    held_w, held_b = net.weights[0], net.biases[1]
    copy_w, copy_b = held_w.copy(), held_b.copy()
    net.train_batch(np.ones((1, 4)), np.array([1]), 0.5)
    np.testing.assert_array_equal(held_w, copy_w)
    np.testing.assert_array_equal(held_b, copy_b)
    assert not np.array_equal(net.weights[0], copy_w)


def test_flat_params_orders_weights_then_biases_per_layer():
    net = Network.create((3, 2, 2), seed=0)
    expected = np.concatenate([net.weights[0].ravel(), net.biases[0], net.weights[1].ravel(), net.biases[1]])
    np.testing.assert_array_equal(net.flat_params(), expected)
    assert net.flat_params().size == net.n_params == 3 * 2 + 2 + 2 * 2 + 2


@pytest.mark.parametrize("init", INITS)
def test_same_seed_same_network_other_seed_other_network(init):
    a = Network.create((64, 16, 16, 2), init=init, seed=7)
    b = Network(NetworkConfig(sizes=(64, 16, 16, 2), init=init, seed=7))
    c = Network.create((64, 16, 16, 2), init=init, seed=8)
    assert params_bytes(a) == params_bytes(b)
    assert params_bytes(a) != params_bytes(c)
    assert all(not b.any() for b in a.biases)  # biases start at zero
    a.train_batch(np.ones((1, 64)), np.array([0]), 0.1)
    a.reinitialise()
    assert params_bytes(a) == params_bytes(b)


def test_initialisation_scales():
    he = Network.create((400, 300), init="he", seed=0).weights[0]
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    xavier = Network.create((400, 300), init="xavier", seed=0).weights[0]
    limit = np.sqrt(6 / 700)
    assert np.abs(xavier).max() <= limit and np.abs(xavier).max() > 0.99 * limit
    uniform = Network.create((400, 300), init="uniform", seed=0).weights[0]
    assert uniform.min() >= -0.5 and uniform.max() < 0.5 and uniform.max() > 0.49
    gaussian = Network.create((400, 300), init="gaussian", seed=0).weights[0]
    assert gaussian.std() == pytest.approx(0.1, rel=0.02)


def test_same_seed_same_training():
    data = digits()

    def run() -> Trainer:
        trainer = Trainer(Network.create((64, 12, 10), seed=4), data, lr=0.05, batch_size=16, seed=9)
        trainer.train_steps(150)
        trainer.step()
        return trainer

    one, two = run(), run()
    assert params_bytes(one.network) == params_bytes(two.network)
    np.testing.assert_array_equal(one.history.values, two.history.values)
    other = Trainer(Network.create((64, 12, 10), seed=4), data, lr=0.05, batch_size=16, seed=10)
    other.train_steps(151)
    assert params_bytes(other.network) != params_bytes(one.network)
