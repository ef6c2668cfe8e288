"""What a lesson's pending task costs while the app trains, and how long each shipped lesson's check takes.

Usage: .venv/bin/python scripts/bench_lessons.py [--ticks N] [--repeats R]

The first table trains the default network (64-16-16-2 on circles and
squares) in ticks of 8 ms, as the window's training loop does, while a
lesson step waits for a condition that never holds, so that it is evaluated
after every change the tick makes: nothing (no lesson), a number of the
drawing, the training loss (the whole training split), both splits.  It
reports the updates and the evaluations per tick and the milliseconds a tick
takes (best of R runs of N ticks).  The second table times
``check_lesson`` for every shipped lesson.  BLAS runs one thread, as in the app.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neuroviz.blas import limit_blas_threads
from neuroviz.model import AppModel
from neuroviz.model.lesson import LessonRun, check_lesson, shipped_lessons
from neuroviz.model.lesson_format import parse_lesson

TICK_SECONDS = 0.008
CONDITIONS = {
    "no lesson": None,
    "p(circle) > 2": "p(circle) > 2",
    "train_loss < 0": "train_loss < 0",
    "train_loss < 0 and test_loss < 0": "train_loss < 0 and test_loss < 0",
}


def tick_cost(condition: str | None, ticks: int) -> tuple[float, float, float]:
    """(updates per tick, evaluations per tick, ms per tick) of training with ``condition`` pending."""
    model = AppModel()
    evaluations = 0
    if condition is not None:
        source = f"# Bench\n## Wait\n@task Train.\n@until {condition}\n@solve train 1\n"
        run = LessonRun(model, (parse_lesson(source, "bench"),))
        run.start("bench")

        def counted() -> None:
            nonlocal evaluations
            evaluations += 1

        run.changed.connect(counted)
    updates = 0
    start = time.perf_counter()
    for _ in range(ticks):
        updates += model.train_for(TICK_SECONDS)
    elapsed = time.perf_counter() - start
    return updates / ticks, evaluations / ticks, 1000 * elapsed / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    limit_blas_threads(1)
    print("| pending condition | updates per tick | evaluations per tick | ms per tick |")
    print("|---|---:|---:|---:|")
    for name, condition in CONDITIONS.items():
        runs = [tick_cost(condition, args.ticks) for _ in range(args.repeats)]
        updates, evaluations, ms = min(runs, key=lambda r: r[2])
        print(f"| {name} | {updates:.0f} | {evaluations:.1f} | {ms:.2f} |")
    print()
    print("| lesson | steps | check (s) | result |")
    print("|---|---:|---:|---|")
    for lesson in shipped_lessons():
        start = time.perf_counter()
        result = check_lesson(lesson)
        print(f"| {lesson.id} | {len(lesson.steps)} | {time.perf_counter() - start:.2f} | "
              f"{'pass' if result.passed else 'FAIL'} |")


if __name__ == "__main__":
    main()
