"""Snapshots of trained networks for the io tests (no Qt), and a bit-exact comparison."""

from __future__ import annotations

import numpy as np

from neuroviz.core.datasets import builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.trainer import Trainer
from neuroviz.io.snapshot import Snapshot


def trained_snapshot(config: NetworkConfig, dataset_name: str = "circles-squares", steps: int = 37,
                     lr: float = 0.05, batch_size: int = 8) -> tuple[Snapshot, Trainer]:
    """A network trained ``steps`` fast updates plus one traced update, and its trainer."""
    dataset = builtin_dataset(dataset_name)
    trainer = Trainer(Network(config), dataset, lr, batch_size)
    trainer.train_steps(steps)
    trace = trainer.step()
    snap = Snapshot(trainer.network.copy(), dataset, trainer.state_dict(), dataset.X[5].copy(),
                    int(dataset.y[5]), trace, "trained")
    return snap, trainer


def paper_snapshot() -> Snapshot:
    """The paper's Figure 4 network after one update (an embedded one-sample data set)."""
    preset = paper_figure_4()
    dataset = preset.dataset()
    trainer = Trainer(preset.network, dataset, preset.lr, 1)
    trace = trainer.step()
    return Snapshot(preset.network.copy(), dataset, trainer.state_dict(), preset.inputs.copy(), preset.label,
                    trace, "Paper, Figure 4")


def small_trained_snapshot() -> Snapshot:
    """A 64-5-2 network after 301 updates (past one epoch end) on circles vs squares."""
    return trained_snapshot(NetworkConfig(sizes=(64, 5, 2), seed=3), steps=300)[0]


def arrays_identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, dtype and bits (so -0.0 differs from 0.0 and NaNs compare)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
