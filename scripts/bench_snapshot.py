"""Time saving and opening snapshots and session files; print two tables.

Usage: .venv/bin/python scripts/bench_snapshot.py

First table, version 2 JSON snapshots of networks of several sizes: the
network, its parameters, the loss-history length, the file size, and the
best of a few runs of ``dumps``+atomic write (save) and of
read+parse+check+build (open).

Second table, session files (version 3) of the default network
(circles-squares, 64-16-16-2) after 1,000, 10,000 and 100,000 updates: the
file size, the save (``neuroviz.io.session.save``: pack, check, compress,
atomic write), the open (read, check, rebuild the timeline and recompute
the moment shown, then open it in an ``AppModel``) and the time to go to the
oldest update after opening, and to the moment furthest from a checkpoint
(the most a jump recomputes).  No assertions: tables to read.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from neuroviz.blas import limit_blas_threads
from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.trainer import Trainer
from neuroviz.io import session, snapshot
from neuroviz.io.snapshot import Snapshot
from neuroviz.model import AppModel

REPEATS = 3


def random_dataset(n: int, side: int, classes: int) -> Dataset:
    """An embedded data set of ``n`` random side×side images (the file must hold every pixel)."""
    rng = np.random.default_rng(0)
    return Dataset("random", rng.uniform(0, 1, (n, side * side)), rng.integers(0, classes, n),
                   tuple(str(k) for k in range(classes)), (side, side))


def case(sizes: tuple[int, ...], dataset: Dataset, steps: int) -> Snapshot:
    trainer = Trainer(Network(NetworkConfig(sizes=sizes)), dataset, 0.01, 8)
    trainer.train_steps(steps)
    trace = trainer.step()
    return Snapshot(trainer.network.copy(), dataset, trainer.state_dict(), dataset.X[0].copy(), int(dataset.y[0]),
                    trace, "bench")


def best(fn) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    limit_blas_threads(1)
    cases = [
        ("64-16-16-2 circles", case((64, 16, 16, 2), builtin_dataset("circles-squares"), 1_000)),
        ("64-16-16-2 circles, 100k updates", case((64, 16, 16, 2), builtin_dataset("circles-squares"), 100_000)),
        ("64-32-16-10 digits", case((64, 32, 16, 10), builtin_dataset("digits"), 1_000)),
        ("784-256-128-10 random 28×28 (embedded 2,000)", case((784, 256, 128, 10), random_dataset(2000, 28, 10), 200)),
    ]
    header = f"{'network':<46} {'params':>9} {'history':>8} {'file MB':>8} {'save ms':>8} {'open ms':>8}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for name, snap in cases:
            path = os.path.join(folder, "bench.nvz.json")
            save_s = best(lambda s=snap, p=path: snapshot.save(p, s))
            open_s = best(lambda p=path: snapshot.load(p).build())
            size_mb = os.path.getsize(path) / 2**20
            print(f"{name:<46} {snap.network.n_params:>9,} {len(snap.trainer_state['history_values']):>8,} "
                  f"{size_mb:>8.2f} {1000 * save_s:>8.1f} {1000 * open_s:>8.1f}")
    print()
    sessions()


def sessions() -> None:
    """The session table: the default network's timeline after 1k, 10k and 100k updates."""
    header = (f"{'session (64-16-16-2)':<22} {'file MB':>8} {'save s':>8} {'open s':>8} {'to oldest s':>12} "
              f"{'worst jump s':>13}")
    print(header)
    print("-" * len(header))
    model = AppModel("circles-squares")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.nvz")
        done = 0
        for updates in (1_000, 10_000, 100_000):
            model.time.history.train_steps(updates - done)
            done = updates
            snap = model.snapshot_state()
            save_s = best(lambda s=snap: session.save(path, s))
            opened = AppModel("paper-figure-4")
            open_s = best(lambda m=opened: m.restore(session.load(path), path))
            t0 = time.perf_counter()
            opened.go_to(opened.time.history.first)
            oldest_s = time.perf_counter() - t0
            h = opened.time.history
            t0 = time.perf_counter()
            opened.go_to(h.first + h.checkpoint_every - 1)  # the most updates a jump recomputes
            worst_s = time.perf_counter() - t0
            size_mb = os.path.getsize(path) / 2**20
            print(f"{updates:>10,} updates{'':<4} {size_mb:>8.2f} {save_s:>8.2f} {open_s:>8.2f} {oldest_s:>12.3f} "
                  f"{worst_s:>13.3f}")


if __name__ == "__main__":
    main()
