"""A computed-then-committed update equals ``Trainer.step`` bit for bit."""

import numpy as np

from neuroviz.core.datasets import circles_vs_squares
from neuroviz.core.network import Network
from neuroviz.core.trainer import Trainer


def test_compute_next_then_commit_equals_step():
    data = circles_vs_squares()
    direct = Trainer(Network.create((64, 8, 2), seed=4), data, lr=0.05, batch_size=5, seed=2)
    walked = Trainer(Network.create((64, 8, 2), seed=4), data, lr=0.05, batch_size=5, seed=2)
    for _ in range(len(data.train_indices) // 5 + 3):  # across an epoch boundary
        a = direct.step()
        before = [w.copy() for w in walked.network.weights]
        b, batch = walked.compute_next()
        assert all(np.array_equal(w, v) for w, v in zip(before, walked.network.weights))  # nothing applied yet
        walked.commit(b, batch)
        assert a.loss == b.loss
    for wa, wb in zip(direct.network.weights + direct.network.biases, walked.network.weights + walked.network.biases):
        assert np.array_equal(wa, wb)
    assert direct.step_count == walked.step_count and direct.epoch == walked.epoch >= 1
    np.testing.assert_array_equal(direct.history.values, walked.history.values)
    assert direct.cursor == walked.cursor and np.array_equal(direct.order, walked.order)


def test_compute_on_then_commit_on_equals_one_network_step_on_that_input():
    data = circles_vs_squares()
    reference = Network.create((64, 8, 2), seed=4)
    walked = Trainer(Network.create((64, 8, 2), seed=4), data, lr=0.05, batch_size=5, seed=2)
    rng = np.random.default_rng(1)
    for _ in range(4):
        x, label = rng.random(64), int(rng.integers(0, 2))
        expected = reference.step(x, label, 0.05)
        before = [w.copy() for w in walked.network.weights + walked.network.biases]
        cursor, count = walked.cursor, walked.step_count
        trace = walked.compute_on(x, label)
        assert all(np.array_equal(a, b) for a, b in zip(before, walked.network.weights + walked.network.biases))
        assert walked.step_count == count  # nothing applied yet
        walked.commit_on(trace)
        assert trace.loss == expected.loss and np.array_equal(trace.inputs, x[None])
        assert walked.step_count == count + 1 and walked.cursor == cursor  # outside the epoch order
    for a, b in zip(reference.weights + reference.biases, walked.network.weights + walked.network.biases):
        assert np.array_equal(a, b)
