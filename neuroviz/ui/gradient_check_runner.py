"""The gradient check of an update, run in time slices of the event loop so the window stays responsive.

The core's ``CheckQueue`` holds the order of the rows and how far the check
is; ``GradientCheckRunner`` only decides when to run the next rows: a slice of
at most ``CHECK_BUDGET_S`` per event-loop tick.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from neuroviz.core.update_check import CheckQueue

CHECK_BUDGET_S = 0.02
"""Time per event-loop tick the gradient check may take."""
CHECK_CHUNK = 128
"""Rows the gradient check does between two looks at the clock."""


class GradientCheckRunner(QObject):
    """Runs a ``CheckQueue`` to its end, a time slice per tick; ``progressed`` follows every slice."""

    progressed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue: CheckQueue | None = None
        """The queue being run (or last run)."""
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, queue: CheckQueue) -> None:
        """Run ``queue``: its first slice at once, the others on the next ticks."""
        self.queue = queue
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        queue = self.queue
        assert queue is not None, "the timer runs only after start()"
        deadline = time.perf_counter() + CHECK_BUDGET_S
        while not queue.finished and time.perf_counter() < deadline:
            queue.run(CHECK_CHUNK)
        if queue.finished:
            self.stop()
        self.progressed.emit()


__all__ = ["GradientCheckRunner"]
