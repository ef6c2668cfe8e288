"""Seeded networks learn the built-in tasks (settings chosen to hold for every seed 0-9)."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.blas import limit_blas_threads
from neuroviz.core.datasets import circles_vs_squares, digits
from neuroviz.core.network import Network
from neuroviz.core.trainer import Trainer


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with limit_blas_threads(1):
        yield


def train(sizes, dataset, lr, batch_size, epochs, seed=0) -> Trainer:
    trainer = Trainer(Network.create(sizes, seed=seed), dataset, lr=lr, batch_size=batch_size, seed=seed)
    for _ in range(epochs):
        trainer.run_epoch()
    return trainer


@pytest.mark.slow
def test_64_16_2_learns_circles_vs_squares():
    trainer = train((64, 16, 2), circles_vs_squares(), lr=0.05, batch_size=16, epochs=30)
    last = trainer.epochs[-1]
    assert last.test_accuracy >= 0.95
    assert last.epoch == 30 and len(trainer.epochs) == 30
    # Loss fell: the first epoch's train loss is well above the last one's.
    assert trainer.epochs[0].train_loss > 1.5 * last.train_loss
    assert trainer.history.values[:50].mean() > trainer.history.values[-50:].mean()


@pytest.mark.slow
def test_64_32_10_learns_the_digits():
    trainer = train((64, 32, 10), digits(), lr=0.05, batch_size=8, epochs=30)
    assert trainer.epochs[-1].test_accuracy >= 0.93
    # Every digit is learned, not just most of them.
    ds = trainer.dataset
    predicted = np.argmax(trainer.network.forward(ds.X_test).probs, axis=1)
    per_class = [np.mean(predicted[ds.y_test == k] == k) for k in range(10)]
    assert min(per_class) > 0.8
