"""Trainer: epochs of shuffled mini-batches, metrics, and a state that continues bit for bit."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from neuroviz.core.datasets import circles_vs_squares
from neuroviz.core.network import Network
from neuroviz.core.trainer import LossHistory, Trainer, accuracy


@pytest.fixture(scope="module")
def data():
    return circles_vs_squares(100)


def make(data, **kw) -> Trainer:
    options = {"lr": 0.1, "batch_size": 8, "seed": 3} | kw
    return Trainer(Network.create((64, 8, 2), seed=1), data, **options)


def params_bytes(net: Network) -> list[bytes]:
    return [a.tobytes() for a in (*net.weights, *net.biases)]


def next_indices(trainer: Trainer) -> np.ndarray:
    """Indices into the training split of the trainer's next mini-batch, read from its epoch order and cursor."""
    return trainer.order[trainer.cursor : trainer.cursor + trainer.batch_size]


def test_an_epoch_visits_every_training_sample_once_in_batches(data):
    trainer = make(data, batch_size=8)
    n_train = len(data.train_indices)
    assert n_train == 76  # 12 of each class's 50 are test samples: nine batches of 8, one of 4
    seen = []
    sizes = []
    while trainer.epoch == 0:
        seen.extend(next_indices(trainer).tolist())
        x, y = trainer.next_batch()
        sizes.append(len(y))
        np.testing.assert_array_equal(x, data.X_train[next_indices(trainer)])
        trainer.step()
    assert sorted(seen) == list(range(n_train))
    assert sizes == [8] * 9 + [4]
    assert trainer.step_count == 10 and trainer.cursor == 0 and trainer.epoch_progress == 0.0
    first_order = seen
    trainer.run_epoch()
    assert trainer.order.tolist() != first_order  # a new shuffle each epoch


def test_no_shuffle_keeps_the_data_order(data):
    trainer = make(data, shuffle=False, batch_size=5)
    np.testing.assert_array_equal(next_indices(trainer), np.arange(5))
    trainer.train_steps(2)
    np.testing.assert_array_equal(next_indices(trainer), np.arange(10, 15))
    assert trainer.epoch_progress == pytest.approx(10 / 76)


def test_epoch_metrics(data):
    trainer = make(data)
    metrics = trainer.run_epoch()
    assert metrics is trainer.epochs[-1]
    assert (metrics.epoch, metrics.step) == (1, 10)
    net = trainer.network
    assert metrics.train_loss == net.loss(data.X_train, data.y_train)
    assert metrics.test_loss == net.loss(data.X_test, data.y_test)
    assert metrics.test_accuracy == accuracy(net.forward(data.X_test).probs, data.y_test)
    assert 0.0 <= metrics.train_accuracy <= 1.0
    assert len(trainer.history) == 10
    np.testing.assert_array_equal(trainer.history.steps, np.arange(1, 11))


def test_step_on_a_drawing_counts_but_keeps_the_epoch_position(data):
    trainer = make(data)
    trainer.train_steps(3)
    cursor, order = trainer.cursor, trainer.order.copy()
    trace = trainer.step_on(data.X_test[0], int(data.y_test[0]))
    assert trainer.step_count == 4 and trainer.history.values[-1] == trace.loss
    assert trainer.cursor == cursor and np.array_equal(trainer.order, order)


def test_state_dict_round_trip_continues_bit_for_bit(data):
    a = make(data)
    a.train_steps(23)  # mid-epoch, after two epoch boundaries
    a.step()
    state = json.loads(json.dumps(a.state_dict()))  # as a file would hold it
    params = [w.copy() for w in a.network.weights], [b.copy() for b in a.network.biases]

    b = Trainer(Network.create((64, 8, 2), seed=99), data, lr=0.5, batch_size=3, seed=0)
    b.network.set_params(*params)
    b.load_state_dict(state)
    assert (b.lr, b.batch_size, b.seed, b.epoch, b.step_count, b.cursor) == (
        a.lr, a.batch_size, a.seed, a.epoch, a.step_count, a.cursor)
    assert b.epochs == a.epochs
    a.train_steps(17)
    b.train_steps(17)
    a.step()
    b.step()
    assert params_bytes(a.network) == params_bytes(b.network)
    np.testing.assert_array_equal(a.history.values, b.history.values)
    np.testing.assert_array_equal(a.order, b.order)
    assert a.epochs == b.epochs


def test_load_state_dict_rejects_a_foreign_order(data):
    trainer = make(data)
    state = trainer.state_dict()
    state["order"] = list(range(10))
    with pytest.raises(ValueError, match="epoch order does not match"):
        trainer.load_state_dict(state)
    state = trainer.state_dict()
    state["cursor"] = 1000
    with pytest.raises(ValueError, match="outside the epoch"):
        trainer.load_state_dict(state)


def test_reset_forgets_training_and_restarts_the_same_way(data):
    trainer = make(data)
    first = trainer.network.copy()
    trainer.train_steps(12)
    losses = trainer.history.values.copy()
    trainer.reset()
    assert params_bytes(trainer.network) == params_bytes(first)
    assert (trainer.step_count, trainer.epoch, len(trainer.history), trainer.epochs) == (0, 0, 0, [])
    trainer.train_steps(12)
    np.testing.assert_array_equal(trainer.history.values, losses)


def test_train_for_respects_max_steps(data):
    trainer = make(data)
    assert trainer.train_for(10.0, max_steps=7) == 7
    assert trainer.step_count == 7
    assert trainer.train_for(0.0) == 0


def test_loss_history_grows_and_truncates():
    history = LossHistory(capacity=2)
    for i in range(5):
        history.append(i + 1, float(i))
    np.testing.assert_array_equal(history.values, [0, 1, 2, 3, 4])
    history.truncate(3)
    np.testing.assert_array_equal(history.steps, [1, 2, 3])
    history.clear()
    assert len(history) == 0


def test_accuracy_of_nothing_is_nan():
    assert math.isnan(accuracy(np.zeros((0, 2)), np.zeros(0, dtype=int)))
    assert accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0])) == 0.5
