"""Exports for other tools: parameters as ``.npz``, loss curves and update tables as CSV.

Every writer here is atomic (``neuroviz.io.atomic``) and writes numbers with
``repr`` so that they read back exactly.  No pickles: the ``.npz`` holds only
float64, int64 and text arrays, so ``np.load(path)`` (``allow_pickle=False``,
NumPy's default) opens it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence

import numpy as np

from neuroviz.core.network import Network
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import EpochMetrics
from neuroviz.core.update_table import UpdateTable
from neuroviz.io.atomic import atomic_write_bytes, atomic_write_text

LOSS_CSV_HEADER: tuple[str, ...] = (
    "step", "loss", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
)
"""Columns of ``loss_curves_csv``: one row per update; the epoch columns are
filled on the rows of the updates that ended an epoch."""


# -------------------------------------------------------------------- npz
def parameters_npz_bytes(network: Network) -> bytes:
    """The network's parameters as an uncompressed ``.npz`` archive.

    Members: ``weights_0 .. weights_{L-1}`` (n_{l+1}, n_l) — θ between layer
    l and l+1 in the paper's orientation —, ``biases_0 ..`` (n_{l+1},),
    ``sizes`` (L+1,) int64 and ``config`` (the options as JSON text).
    """
    arrays: dict[str, np.ndarray] = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        arrays[f"weights_{l}"] = np.ascontiguousarray(w, dtype=np.float64)
        arrays[f"biases_{l}"] = np.ascontiguousarray(b, dtype=np.float64)
    arrays["sizes"] = np.asarray(network.sizes, dtype=np.int64)
    arrays["config"] = np.array(json.dumps(network.config.to_dict()))
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def export_parameters_npz(path: str | os.PathLike[str], network: Network) -> None:
    """Write ``parameters_npz_bytes(network)`` to ``path`` atomically."""
    atomic_write_bytes(path, parameters_npz_bytes(network))


# -------------------------------------------------------------------- CSV
def _num(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))


def loss_curves_csv(steps: Sequence[int] | np.ndarray, losses: Sequence[float] | np.ndarray,
                    epochs: Sequence[EpochMetrics] = ()) -> str:
    """The loss of every update (``steps``, ``losses`` of shape (n,)) and the epoch metrics, as CSV.

    Columns ``LOSS_CSV_HEADER``; an epoch whose step has no loss row (it
    cannot happen in training, but the history may be cut) gets a row of its own.
    """
    by_step = {int(m.step): m for m in epochs}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LOSS_CSV_HEADER)

    def epoch_cells(m: EpochMetrics | None) -> list[str]:
        if m is None:
            return ["", "", "", "", ""]
        return [str(m.epoch), _num(m.train_loss), _num(m.test_loss), _num(m.train_accuracy), _num(m.test_accuracy)]

    seen: set[int] = set()
    for s, v in zip(np.asarray(steps).tolist(), np.asarray(losses, dtype=np.float64).tolist()):
        seen.add(s)
        writer.writerow([str(s), repr(v), *epoch_cells(by_step.get(s))])
    for s, m in sorted(by_step.items()):
        if s not in seen:
            writer.writerow([str(s), "", *epoch_cells(m)])
    return out.getvalue()


def export_loss_curves_csv(path: str | os.PathLike[str], steps: Sequence[int] | np.ndarray,
                           losses: Sequence[float] | np.ndarray, epochs: Sequence[EpochMetrics] = ()) -> None:
    """Write ``loss_curves_csv`` to ``path`` atomically (UTF-8)."""
    atomic_write_text(path, loss_curves_csv(steps, losses, epochs))


def update_table_csv(trace: StepTrace) -> str:
    """Every parameter of one update (old, gradient, η, Δ, new, the product written out) as CSV."""
    return UpdateTable.from_trace(trace).csv_text()


def export_update_table_csv(path: str | os.PathLike[str], trace: StepTrace) -> None:
    """Write ``update_table_csv(trace)`` to ``path`` atomically (UTF-8)."""
    atomic_write_text(path, update_table_csv(trace))
