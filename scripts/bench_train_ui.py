"""Benchmark training with the real main window live and painting (offscreen).

Prints a table: updates per second of the headless fast path
(``Trainer.train_for``, no window) beside the rate reached by the app's
training loop while the whole main window is shown and repainting; frames per
second and the gaps between frames (median and worst); and the latency of
input events (a background thread posts an event every ~20 ms and the GUI
thread records how long it waited).  Also: the same with a million updates in
the loss curve, and the paced mode (10 traced updates per second).

Target: live rate ≥ ½ × headless, at ≥ 30 frames per second, input ≤ 50 ms.

Run: .venv/bin/python scripts/bench_train_ui.py [--seconds S] [--example NAME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import Network
from neuroviz.core.trainer import Trainer
from neuroviz.model import EXAMPLE_TITLES, AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.main_window import MainWindow
from neuroviz.ui.training_loop import TrainingLoop

PROBE_EVENT = QEvent.Type(QEvent.registerEventType())
PROBE_INTERVAL = 0.02
MILLION = 1_000_000


class TimedMainWindow(MainWindow):
    """The app's main window, noting when each frame (an ``UpdateRequest``) starts and how long it paints."""

    def __init__(self, model: AppModel, settings: QSettings, loop: TrainingLoop) -> None:
        super().__init__(model, settings, loop)
        self.frame_starts: list[float] = []
        self.frame_costs: list[float] = []

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        start = time.perf_counter()
        handled = super().event(event)
        self.frame_starts.append(start)
        self.frame_costs.append(time.perf_counter() - start)
        return handled


class ProbeEvent(QEvent):
    def __init__(self) -> None:
        super().__init__(PROBE_EVENT)
        self.sent = time.perf_counter()


class LatencyProbe(QObject):
    """A thread posts an event every ``PROBE_INTERVAL``; the GUI thread notes the delay."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._post, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _post(self) -> None:
        while not self._stop.wait(PROBE_INTERVAL):
            QCoreApplication.postEvent(self, ProbeEvent())

    def event(self, event: QEvent) -> bool:
        if event.type() == PROBE_EVENT:
            self.delays.append(time.perf_counter() - event.sent)  # type: ignore[attr-defined]
            return True
        return super().event(event)


def headless_rate(model: AppModel, seconds: float) -> float:
    """Updates per second of ``Trainer.train_for`` on a copy of the model's network and data."""
    trainer = model.trainer
    copy = Trainer(Network(model.network.config), model.dataset, trainer.lr, trainer.batch_size)
    t0 = time.perf_counter()
    n = copy.train_for(seconds)
    return n / (time.perf_counter() - t0)


def run_live(app: QApplication, window: TimedMainWindow, model: AppModel, seconds: float) -> dict[str, float]:
    """Train with the window live for ``seconds``; returns rate, fps, gaps (ms) and input delays (ms)."""
    window.frame_starts.clear()
    window.frame_costs.clear()
    train_costs: list[float] = []
    fast_path = model.train_for

    def timed_train_for(seconds: float, max_steps: int | None = None) -> int:
        start = time.perf_counter()
        n = fast_path(seconds, max_steps)
        train_costs.append(time.perf_counter() - start)
        return n

    model.train_for = timed_train_for  # type: ignore[method-assign]
    probe = LatencyProbe()
    loop = window.loop
    trainer = model.trainer
    waiter = QEventLoop()
    QTimer.singleShot(round(1000 * seconds), waiter.quit)
    probe.start()
    steps0, t0 = trainer.step_count, time.perf_counter()
    model.start()
    waiter.exec()
    shown_rate = model.updates_per_second
    model.stop()
    elapsed = time.perf_counter() - t0
    steps = trainer.step_count - steps0
    probe.stop()
    del model.train_for
    app.processEvents()
    gaps = np.diff([t for t in window.frame_starts if t >= t0]) * 1000
    delays = np.array(probe.delays) * 1000
    return {
        "rate": steps / elapsed,
        "fps": len(gaps) / elapsed,
        "gap_median": float(np.median(gaps)) if gaps.size else float("nan"),
        "gap_worst": float(gaps.max()) if gaps.size else float("nan"),
        "gap_p95": float(np.percentile(gaps, 95)) if gaps.size else float("nan"),
        "input_median": float(np.median(delays)) if delays.size else float("nan"),
        "input_worst": float(delays.max()) if delays.size else float("nan"),
        "input_p95": float(np.percentile(delays, 95)) if delays.size else float("nan"),
        "budget": loop.budget * 1000,
        "paint_median": 1000 * statistics.median(window.frame_costs) if window.frame_costs else float("nan"),
        "train_share": sum(train_costs) / elapsed,
        "shown_rate": shown_rate,
    }


def fill_history(model: AppModel, n: int) -> None:
    """Put ``n`` realistic-looking losses in the history, as if ``n`` updates had been made."""
    trainer = model.trainer
    rng = np.random.default_rng(0)
    steps = np.arange(1, n + 1)
    values = 0.7 * np.exp(-steps / (n / 5)) + 0.05 + 0.1 * rng.random(n)
    for step, value in zip(steps.tolist(), values.tolist()):
        trainer.history.append(step, value)
    trainer._step = n  # the benchmark's shortcut: the history now ends at update n


def loss_refresh_ms(window: MainWindow, repeats: int = 10) -> tuple[float, float]:
    """Median ms of a loss-curve refresh after one more update, and of repainting the dock."""
    from neuroviz.ui.loss_plot import LossPlot

    plot = window.findChild(LossPlot)
    if plot is None:
        return float("nan"), float("nan")
    model = plot.model
    refresh, paint = [], []
    for _ in range(repeats):
        model.trainer.train_steps(1)
        t0 = time.perf_counter()
        plot.refresh()
        t1 = time.perf_counter()
        plot.graphics.grab()
        t2 = time.perf_counter()
        refresh.append(t1 - t0)
        paint.append(t2 - t1)
    return 1000 * statistics.median(refresh), 1000 * statistics.median(paint)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each live run (default 5)")
    parser.add_argument("--example", default="circles-squares", choices=sorted(EXAMPLE_TITLES))
    args = parser.parse_args(argv)

    limit_blas_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    model = AppModel()
    model.load_example(args.example)
    window = build_window(model, QSettings(), TimedMainWindow)
    window.resize(1400, 900)
    window.show()
    app.processEvents()

    config = model.network.config
    print(
        f"network {'-'.join(map(str, config.sizes))} on {model.dataset.name}, batch {model.trainer.batch_size}, "
        f"window {window.width()}×{window.height()} offscreen, {args.seconds:g} s per run"
    )
    before = headless_rate(model, args.seconds / 2)
    live = run_live(app, window, model, args.seconds)
    after = headless_rate(model, args.seconds / 2)
    headless = (before + after) / 2

    model.reset_weights()
    fill_history(model, MILLION)
    app.processEvents()
    refresh_ms, paint_ms = loss_refresh_ms(window)
    live_million = run_live(app, window, model, args.seconds)

    model.reset_weights()
    window.loop.set_rate(10)
    paced = run_live(app, window, model, min(args.seconds, 3.0))
    window.loop.set_rate(None)

    header = (
        f"{'run':44s} {'updates/s':>10s} {'× headless':>10s} {'fps':>6s} "
        f"{'frame gap ms: med':>17s} {'p95':>6s} {'max':>6s}   {'input ms: med':>13s} {'p95':>6s} {'max':>6s}"
    )
    print()
    print(header)
    print("-" * len(header))
    print(
        f"{'headless fast path (no window; before/after)':44s} {headless:10,.0f} {1:10.2f}"
        f"   ({before:,.0f} / {after:,.0f})"
    )
    for name, r in (
        ("window live, full speed", live),
        ("window live, 1,000,000 points in the curve", live_million),
        ("window live, paced at 10 updates/s (traced)", paced),
    ):
        print(
            f"{name:44s} {r['rate']:10,.0f} {r['rate'] / headless:10.2f} {r['fps']:6.1f} "
            f"{r['gap_median']:17.1f} {r['gap_p95']:6.1f} {r['gap_worst']:6.1f}   "
            f"{r['input_median']:13.1f} {r['input_p95']:6.1f} {r['input_worst']:6.1f}"
        )
    print()
    print(
        f"full speed: training slice per tick {live['budget']:.1f} ms at the end, "
        f"training {100 * live['train_share']:.0f}%"
        f" of the time, painting a frame {live['paint_median']:.1f} ms (median); "
        f"rate shown in the status bar {live['shown_rate']:,.0f} updates/s"
    )
    print(
        f"loss curve with {MILLION:,} points: refresh {refresh_ms:.1f} ms, repaint of the dock {paint_ms:.1f} ms "
        "(medians)"
    )
    print("targets at full speed:")
    for what, ok in (
        ("live rate ≥ ½ headless", live["rate"] >= 0.5 * headless),
        ("≥ 30 frames per second", live["fps"] >= 30),
        ("input answered within 50 ms (95% of events)", live["input_p95"] <= 50),
        ("input answered within 50 ms (every event)", live["input_worst"] <= 50),
    ):
        print(f"  {what:46s} {'met' if ok else 'NOT met'}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
