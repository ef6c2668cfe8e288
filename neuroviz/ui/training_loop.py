"""The driver of continuous training: trains in small time slices on the GUI thread.

While the model is running, a zero-interval ``QTimer`` calls ``_tick``.  At
full speed each tick trains through the fast path (``AppModel.train_for``) for
a time budget and returns to the event loop, which paints the frame and
handles input before the next tick.  The budget adapts so that one tick plus
the painting that follows it takes about ``FRAME_SECONDS``: the more the
window costs to paint, the shorter the slice (never below ``MIN_BUDGET``).

At a chosen rate (``set_rate(n)``: n updates per second) each update is a
traced ``AppModel.step`` so that the diagram and the inspector show every one.

A run of epochs (``run_epochs(n)``) trains until the trainer's epoch count
reaches its target, reports ``progressChanged(done, total)`` in updates and
stops on its own.  Pausing cancels it.  The measured rate of updates is put in
``AppModel.updates_per_second`` about once a second.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QObject, QTimer, Signal

from neuroviz.core.numbers import plural
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe

FRAME_SECONDS = 1 / 34
"""Target time for one tick plus the frame that follows it (34 fps: ≥ 30 with some jitter)."""
MIN_BUDGET = 0.004
"""Shortest training slice per tick (seconds), however slow the painting."""
MAX_BUDGET = 0.028
"""Longest training slice per tick: keeps input answered within about 30 ms."""
RATE_WINDOW = 1.0
"""Seconds over which ``updates_per_second`` is measured."""
MAX_TRACED_PER_TICK = 4
"""At a chosen rate, at most this many traced updates per tick (catch-up)."""
SPEEDS: tuple[float | None, ...] = (None, 100, 50, 20, 10, 5, 2, 1)
"""Selectable speeds in updates per second; None is full speed."""


def speed_text(rate: float | None) -> str:
    """``Full speed`` or ``5 updates/s``."""
    if rate is None:
        return "Full speed"
    return f"{plural(rate, 'update')}/s"


class TrainingLoop(QObject):
    """Runs training while ``model.running``; one per model, made by the composition root.

    Signals
    -------
    progressChanged(int, int):
        Updates done and planned of a run of epochs; (0, 0) when none runs.
    rateChanged(object):
        The chosen speed changed (None = full speed, else updates per second).
    runFinished(bool):
        A run of epochs ended: True if it reached its target, False if it was
        paused, cancelled or stopped by a divergence.
    """

    progressChanged = Signal(int, int)
    rateChanged = Signal(object)
    runFinished = Signal(bool)

    def __init__(self, model: AppModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingLoop")
        self.model = model
        self._rate: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._budget = 0.008
        self._last_tick_end: float | None = None
        self._overhead = 0.0
        # A run of epochs: target epoch, first and planned update counts.
        self._target_epoch: int | None = None
        self._run_start = 0
        self._run_total = 0
        self._run_full_speed = False
        # Rate measurement and traced-rate pacing.
        self._window_start: float | None = None  # set after the first tick
        self._window_steps = 0
        self._paced_start = 0.0
        self._paced_done = 0
        subscribe(self, model.running_changed, self._on_running_changed)

    # ------------------------------------------------------------------ speed
    @property
    def rate(self) -> float | None:
        """Updates per second, or None for full speed."""
        return self._rate

    def set_rate(self, rate: float | None) -> None:
        """Full speed (None) or ``rate`` traced updates per second (≥ 1)."""
        if rate is not None and not (math.isfinite(rate) and rate >= 1):
            raise ValueError(f"the speed must be at least 1 update per second; got {rate!r}")
        if rate == self._rate:
            return
        self._rate = None if rate is None else float(rate)
        self._restart_pacing()
        self.rateChanged.emit(self._rate)

    @property
    def budget(self) -> float:
        """Seconds of training per full-speed tick (adapted to the paint cost)."""
        return self._budget

    # --------------------------------------------------------------- commands
    def play(self) -> None:
        self.model.start()

    def pause(self) -> None:
        self.model.stop()

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.model.running:
            self.pause()
        else:
            self.play()

    def step_once(self) -> None:
        """Pause, then make one traced update (at a past moment: go to the next recorded one)."""
        self.pause()
        self.model.step_forward()

    def run_epochs(self, n: int, full_speed: bool = False) -> None:
        """Train until ``n`` more epochs are complete (the current one counts if begun).

        The run goes at the chosen speed, or at full speed if ``full_speed``.
        """
        if n < 1:
            raise ValueError(f"the number of epochs must be at least 1; got {n}")
        self.pause()
        trainer = self.model.trainer
        self._run_full_speed = full_speed
        self._target_epoch = trainer.epoch + n
        self._run_start = trainer.step_count
        self._run_total = self._updates_to_target()
        self.progressChanged.emit(0, self._run_total)
        self.play()

    @property
    def running_epochs(self) -> bool:
        """True while a run of epochs is in progress."""
        return self._target_epoch is not None

    def _updates_to_target(self) -> int:
        """Updates left until the trainer completes ``_target_epoch``."""
        assert self._target_epoch is not None
        trainer = self.model.trainer
        batch = trainer.batch_size
        n_train = len(trainer.order)
        per_epoch = math.ceil(n_train / batch)
        in_this_epoch = math.ceil((n_train - trainer.cursor) / batch)
        return in_this_epoch + (self._target_epoch - trainer.epoch - 1) * per_epoch

    # ------------------------------------------------------------------ ticks
    def _on_running_changed(self, running: bool) -> None:
        if running:
            self._last_tick_end = None
            self._window_start = None
            self._restart_pacing()
            self._timer.start()
        else:
            self._timer.stop()
            self.model.set_updates_per_second(0.0)
            if self._target_epoch is not None:
                completed = self.model.trainer.epoch >= self._target_epoch
                self._target_epoch = None
                self.progressChanged.emit(0, 0)
                self.runFinished.emit(completed)

    @property
    def _effective_rate(self) -> float | None:
        """The rate the current ticks go at (None: full speed)."""
        return None if self._target_epoch is not None and self._run_full_speed else self._rate

    def _restart_pacing(self) -> None:
        self._paced_start = time.perf_counter()
        self._paced_done = 0
        rate = self._effective_rate
        # Poll at about twice the chosen rate (10 .. 100 ms) so updates land on time.
        self._timer.setInterval(0 if rate is None else max(10, min(100, round(500 / rate))))

    def _tick(self) -> None:
        model = self.model
        if not model.running:
            self._timer.stop()
            return
        start = time.perf_counter()
        if self._last_tick_end is not None:
            # Time spent outside the tick: painting and input since the last one.
            outside = start - self._last_tick_end
            self._overhead = 0.8 * self._overhead + 0.2 * outside
            self._budget = min(MAX_BUDGET, max(MIN_BUDGET, FRAME_SECONDS - self._overhead))
        limit = self._updates_to_target() if self._target_epoch is not None else None
        if self._effective_rate is None:
            model.train_for(self._budget, limit)
        else:
            self._paced_steps(limit)
        if model.running and self._target_epoch is not None:
            done = model.trainer.step_count - self._run_start
            # Re-planned each tick: the batch size may change during the run.
            self._run_total = done + self._updates_to_target()
            self.progressChanged.emit(done, self._run_total)
            if model.trainer.epoch >= self._target_epoch:
                model.stop()
        if model.running:  # not paused by a divergence or the end of a run during this tick
            self._measure()
        self._last_tick_end = time.perf_counter()

    def _paced_steps(self, limit: int | None) -> None:
        """Traced updates so that ``rate`` per second are made on average."""
        rate = self._effective_rate
        assert rate is not None
        now = time.perf_counter()
        due = int((now - self._paced_start) * rate) + 1 - self._paced_done
        n = min(due, MAX_TRACED_PER_TICK)
        if limit is not None:
            n = min(n, limit)
        for _ in range(n):
            if self.model.step() is None:
                return
            self._paced_done += 1
        if due > MAX_TRACED_PER_TICK:  # fell behind after a slow frame: carry on from now
            self._paced_start = now
            self._paced_done = 1

    def _measure(self) -> None:
        """Updates per second between the ends of two ticks about ``RATE_WINDOW`` apart."""
        now = time.perf_counter()
        if self._window_start is None:
            self._window_start = now
            self._window_steps = self.model.trainer.step_count
            return
        elapsed = now - self._window_start
        if elapsed >= RATE_WINDOW:
            steps = self.model.trainer.step_count
            self.model.set_updates_per_second(max(0, steps - self._window_steps) / elapsed)
            self._window_start = now
            self._window_steps = steps
