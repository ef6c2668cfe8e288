"""What the guards cost: the η trial (once per new η) and the loss jump's probe (once per slice of Play).

Usage: .venv/bin/python scripts/bench_guards.py [--repeats N]

For each example network, times (CPU time of this process, median of
``--repeats``) one η trial (``core.loss_jump.trial_update`` on the next batch)
and one probe loss (``LossJump.probe_loss``), and a slice of fast training of
``SLICE`` seconds with the loss jump watched and not.  Prints a Markdown table.

Target: the probe costs at most 5 % of a minimal training slice (4 ms), and
an η trial at most 50 ms (it runs before one update, once per η).
BLAS runs one thread, as in the app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neuroviz.blas import limit_blas_threads
from neuroviz.core.loss_jump import trial_update
from neuroviz.model import AppModel
from neuroviz.ui.training_loop import MIN_BUDGET

SLICE = 0.008


def cpu_ms(run: Callable[[], object], repeats: int) -> float:
    """Median CPU milliseconds of ``run()``."""
    times = []
    for _ in range(repeats):
        t = time.process_time()
        run()
        times.append(1e3 * (time.process_time() - t))
    return statistics.median(times)


def updates_per_cpu_second(model: AppModel, seconds: float) -> float:
    """Fast updates per CPU second over ``seconds`` of slices of ``SLICE``."""
    model.train_for(0.05)
    n0, t0 = model.trainer.step_count, time.process_time()
    while time.process_time() - t0 < seconds:
        model.train_for(SLICE)
    return (model.trainer.step_count - n0) / (time.process_time() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=50, help="timings per number (default 50)")
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU seconds of training per rate")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    print("| network | η trial (ms) | probe (ms) | probe / 4 ms slice | updates/s unwatched | updates/s watched |")
    print("|---|---:|---:|---:|---:|---:|")
    ok = True
    for name in ("circles-squares", "digits", "paper-figure-4"):
        model = AppModel(name)
        trainer = model.trainer
        x, y = trainer.next_batch()
        trial = cpu_ms(partial(trial_update, model.network, x, y, 1e5, trainer.optimizer), args.repeats)
        probe = cpu_ms(model.loss_jump.probe_loss, args.repeats)
        share = probe / (1e3 * MIN_BUDGET)
        model.loss_jump.set_factor(None)
        plain = updates_per_cpu_second(model, args.seconds)
        model.loss_jump.set_factor(10.0)
        watched = updates_per_cpu_second(model, args.seconds)
        ok = ok and share <= 0.05 and trial <= 50
        sizes = "-".join(map(str, model.network.sizes))
        print(f"| {sizes} | {trial:.2f} | {probe:.3f} | {100 * share:.1f} % | {plain:,.0f} | {watched:,.0f} |")
    print(f"\ntarget (probe ≤ 5 % of a {1e3 * MIN_BUDGET:.0f} ms slice, trial ≤ 50 ms): {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
