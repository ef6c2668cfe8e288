"""Snapshots of trained networks for the io tests (no Qt), and a bit-exact comparison."""

from __future__ import annotations

import json
from pathlib import Path

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


BLAS_RTOL = 1e-12
"""How far a recomputation may differ from a file made on another CPU: OpenBLAS picks its kernels by CPU,
and their order of summation changes the last bits of a matrix product (seen: 2.8×10⁻¹⁷ on a gradient)."""


def arrays_close(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape and dtype, equal to within ``BLAS_RTOL`` (relative, with the same absolute floor; NaN = NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(
        np.allclose(a, b, rtol=BLAS_RTOL, atol=BLAS_RTOL, equal_nan=True))


def file_params(path: Path) -> np.ndarray:
    """The parameters (P,) written in a snapshot file's JSON, read without the loader: θ₀, β₀, θ₁, β₁, …"""
    net = json.loads(Path(path).read_text())["network"]
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel()
                           for pair in zip(net["weights"], net["biases"], strict=True) for a in pair])


def states_close(a: object, b: object) -> bool:
    """Two trainer states (nested dicts, lists and numbers) equal, floats to within ``BLAS_RTOL`` (NaN = NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(states_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(states_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=BLAS_RTOL, atol=BLAS_RTOL, equal_nan=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return arrays_close(np.asarray(a), np.asarray(b))
    return a == b
