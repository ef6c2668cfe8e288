"""Time travel at scale: record many updates, then jump to random moments and time each jump.

Usage: .venv/bin/python scripts/bench_history.py [--updates N] [--jumps J] [--every K] [--budget MB]

Trains the default network (64-16-16-2, ReLU, batch 8, η 0.01) on circles vs
squares through a ``History``, keeping copies of the parameters at a few
hundred random moments.  Then jumps to random moments (and to those), checks
that each one comes back bit for bit, and prints a Markdown table of jump
times and memory.  BLAS runs one thread, as in the app.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neuroviz.blas import limit_blas_threads
from neuroviz.core.datasets import circles_vs_squares
from neuroviz.core.history import DEFAULT_BUDGET, DEFAULT_CHECKPOINT_EVERY, History
from neuroviz.core.network import Network
from neuroviz.core.trainer import Trainer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=100_000, help="updates to record (default 100,000)")
    parser.add_argument("--jumps", type=int, default=300, help="random jumps to time (default 300)")
    parser.add_argument("--every", type=int, default=DEFAULT_CHECKPOINT_EVERY,
                        help=f"updates between checkpoints (default {DEFAULT_CHECKPOINT_EVERY})")
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET / 2**20,
                        help=f"memory budget in MiB (default {DEFAULT_BUDGET / 2**20:.0f})")
    parser.add_argument("--sizes", default="64-16-16-2", help="layer sizes (default 64-16-16-2)")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    sizes = tuple(int(s) for s in args.sizes.split("-"))
    trainer = Trainer(Network.create(sizes, seed=0), circles_vs_squares(), lr=0.01, batch_size=8, seed=0)
    history = History(trainer, checkpoint_every=args.every, budget_bytes=int(args.budget * 2**20))
    rng = np.random.default_rng(1)
    keep = set(rng.integers(1, args.updates + 1, size=200).tolist())
    kept: dict[int, bytes] = {}

    t0 = time.perf_counter()
    done = 0
    for position in sorted(keep):
        history.train_steps(position - done)
        done = position
        kept[position] = trainer.network.flat_params().tobytes()
    history.train_steps(args.updates - done)
    record_s = time.perf_counter() - t0

    reachable = [p for p in kept if p > history.first]
    targets = list(rng.integers(history.first, history.last + 1, size=args.jumps)) + reachable
    rng.shuffle(targets)
    times = []
    wrong = 0
    for position in targets:
        t0 = time.perf_counter()
        history.go_to(int(position))
        times.append(time.perf_counter() - t0)
        if position in kept and trainer.network.flat_params().tobytes() != kept[position]:
            wrong += 1
    back = []
    history.go_to(history.last)
    for _ in range(50):
        t0 = time.perf_counter()
        history.back()
        back.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000

    print(f"{'-'.join(map(str, sizes))}, batch 8; checkpoint every {args.every} updates; "
          f"budget {args.budget:.0f} MiB; BLAS 1 thread\n")
    print("| quantity | value |")
    print("|---|---:|")
    print(f"| updates recorded | {history.last:,} (in {record_s:.1f} s, {history.last / record_s:,.0f}/s) |")
    print(f"| reachable | {history.first:,} – {history.last:,} ({history.last - history.first:,} updates) |")
    print(f"| memory used | {history.memory_bytes / 2**20:.1f} MiB ({len(history.checkpoint_positions):,} "
          f"checkpoints) |")
    print(f"| jumps to random moments | {len(ms)} |")
    print(f"| jump time median / 95th pct / max | {np.median(ms):.1f} / {np.percentile(ms, 95):.1f} / "
          f"{ms.max():.1f} ms |")
    print(f"| step back one update (median / max) | {np.median(back) * 1000:.1f} / {max(back) * 1000:.1f} ms |")
    print(f"| moments checked bit for bit | {len(reachable)}, {wrong} wrong |")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
