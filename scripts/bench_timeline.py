"""Time travel in the window: from ``AppModel.go_to`` to a painted frame, with 100,000 updates recorded.

Usage: .venv/bin/python scripts/bench_timeline.py [--updates N] [--jumps J]

Opens the real main window offscreen on the default example (64-16-16-2,
batch 8), records ``--updates`` updates through the model, then jumps to
random moments.  Each jump is timed in two parts: ``AppModel.go_to`` with
every signal handler it runs (network, trace, input, timeline), and the
frame: the panels that refresh on a timer (loss curves, inspector, status
bar) refreshed at once, then one pass of the event loop paints every widget
that changed (diagram, input, loss curve, inspector, timeline).  Also
← and → (one update back / forward) the same way.  Prints a Markdown table;
target: a jump to any update ≤ 50 ms (``go_to``; the core's part alone is in
``bench_history.py``).  The frame is what any repaint of these panels costs
(as during training) and is shown beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.main_window import MainWindow

TARGET_MS = 50.0


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def paint_frame(window: MainWindow) -> None:
    """Refresh the timer-driven panels now, then let Qt paint what changed (one pass of the event loop)."""
    window.docks["lossCurvesDock"].widget().refresh()
    window.docks["inspectorDock"].widget().refresh()
    window.refresh_status()
    QApplication.processEvents()


def timed(window: MainWindow, move) -> tuple[float, float]:
    """Milliseconds of ``move()`` (the model and its signals) and of the frame after it."""
    t0 = time.perf_counter()
    move()
    t1 = time.perf_counter()
    paint_frame(window)
    t2 = time.perf_counter()
    return 1000 * (t1 - t0), 1000 * (t2 - t1)


def row(name: str, parts: list[tuple[float, float]]) -> str:
    a = np.array(parts)
    total = a.sum(axis=1)
    cells = [f"{np.median(x):.1f} / {np.percentile(x, 95):.1f} / {x.max():.1f}" for x in (a[:, 0], a[:, 1], total)]
    verdict = "ok" if np.percentile(a[:, 0], 95) <= TARGET_MS else "over"
    return f"| {name} | {len(a)} | {' | '.join(cells)} | {verdict} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=100_000, help="updates to record (default 100,000)")
    parser.add_argument("--jumps", type=int, default=100, help="random jumps to time (default 100)")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    app = QApplication.instance() or QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "/tmp/neuroviz-bench-timeline")
    model = AppModel()
    window = build_window(model, QSettings())
    window.resize(1400, 900)
    window.show()
    window.docks["inspectorDock"].raise_()
    settle(app)

    t0 = time.perf_counter()
    while model.trainer.step_count < args.updates:
        model.train_for(1.0, args.updates - model.trainer.step_count)
    model.step()  # the newest moment has a trace, as after a Step
    record_s = time.perf_counter() - t0
    settle(app)
    h = model.time.history

    rng = np.random.default_rng(0)
    jumps = [timed(window, lambda p=int(p): model.go_to(p)) for p in rng.integers(h.first, h.last, args.jumps)]
    model.go_to(h.last)
    settle(app)
    backs = [timed(window, model.step_back) for _ in range(min(args.jumps, 64))]
    forwards = [timed(window, model.step_forward) for _ in range(min(args.jumps, 64))]

    print(f"Main window 1400×900 offscreen, 64-16-16-2, batch 8; {h.last - h.first:,} updates reachable "
          f"(recorded in {record_s:.1f} s); timeline memory {h.memory_bytes / 2**20:.1f} MiB of "
          f"{h.budget_bytes / 2**20:.0f} MiB; BLAS 1 thread\n")
    print("| move | n | go_to + signals, ms (median / 95th / max) | refresh + paint, ms | total, ms | "
          f"go_to ≤ {TARGET_MS:.0f} ms (95th) |")
    print("|---|---:|---:|---:|---:|:---:|")
    print(row("jump to a random update", jumps))
    print(row("← one update back", backs))
    print(row("→ one update forward", forwards))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
