"""The loss jump guard: an update that multiplies the loss by more than ``factor`` pauses training.

Around every recorded update (a Step, a walked update, each slice of Play)
the loss of a fixed probe set (the first ``PROBE_SAMPLES`` samples of the
training split) is measured before and after
(``neuroviz.core.loss_jump.jumped`` is the rule).  The loss after one slice
is the loss before the next unless the network or the timeline changed in
between, so Play measures once per slice.  A jump stops training
and emits ``loss_jumped(LossJumpReport)``; ``back_before_jump()`` then goes
back, through time travel, to the moment before it.  The offer lapses
(``withdrawn``) as soon as the timeline moves or grows again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from psygnal import Signal, SignalInstance

from neuroviz.core.datasets import Dataset
from neuroviz.core.loss_jump import JUMP_FACTOR, jumped
from neuroviz.core.numbers import count, fmt
from neuroviz.model.time_travel import TimeTravel

PROBE_SAMPLES = 64
"""The loss is measured on at most this many samples of the training split."""


@dataclass(frozen=True)
class LossJumpReport:
    """The loss of the probe set went from ``before`` to ``after`` between updates ``first`` and ``last``
    (``Trainer.step_count``), at timeline positions ``from_position`` and ``to_position``."""

    before: float
    after: float
    first: int
    last: int
    from_position: int
    to_position: int

    def words(self, factor: float) -> str:
        """The banner's text."""
        last = count(self.last)
        what = f"update {last}" if self.last == self.first + 1 else f"updates {count(self.first + 1)}–{last}"
        after = fmt(self.after, 3) if math.isfinite(self.after) else "not a finite number"
        return (f"The loss jumped from {fmt(self.before, 3)} to {after} with {what} (more than {fmt(factor)}×). "
                "Training is paused here; a smaller learning rate η may help.")


class LossJump:
    """Watches the loss around updates made on ``time``'s trainer; ``stop`` pauses training and ``go_to``
    moves in time (the model's own methods).  ``factor`` ``None`` watches nothing."""

    loss_jumped = Signal(object)
    """An update multiplied the loss by more than ``factor``: the ``LossJumpReport``."""
    withdrawn = Signal()
    """The last jump can no longer be stepped back from here (the timeline moved or grew)."""

    def __init__(self, time: TimeTravel, stop: Callable[[], None], go_to: Callable[[int], None],
                 network_changed: SignalInstance, factor: float | None = JUMP_FACTOR) -> None:
        self._time, self._stop, self._go_to = time, stop, go_to
        self.factor = factor
        self.jump: LossJumpReport | None = None
        """The jump that can be stepped back from now (``None``: none)."""
        self._probe: tuple[Dataset, np.ndarray, np.ndarray] | None = None
        self._known: float | None = None
        """The probe loss now, if measured since the network last changed."""
        time.changed.connect(self._withdraw)
        network_changed.connect(self._forget)

    def set_factor(self, factor: float | None) -> None:
        """Pause when an update multiplies the loss by more than ``factor`` (> 1), or never (``None``)."""
        if factor is not None and not (math.isfinite(factor) and factor > 1):
            raise ValueError(f"the loss jump factor must be a number above 1; got {factor!r}")
        self.factor = None if factor is None else float(factor)

    def probe_loss(self) -> float:
        """The data loss L of the probe set with the parameters now (``inf`` if not finite)."""
        trainer = self._time.trainer
        if self._probe is None or self._probe[0] is not trainer.dataset:
            ds = trainer.dataset
            self._probe = (ds, ds.X_train[:PROBE_SAMPLES], ds.y_train[:PROBE_SAMPLES])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = trainer.network.loss(self._probe[1], self._probe[2])
        return loss if math.isfinite(loss) else math.inf

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Around updates: measure before and after; a jump pauses training and emits ``loss_jumped``."""
        factor = self.factor
        if factor is None:
            yield
            return
        h, trainer = self._time.history, self._time.trainer
        position, first = h.position, trainer.step_count
        before = self.probe_loss() if self._known is None else self._known
        yield
        if self._time.history is not h or h.position == position or trainer.step_count == first:
            return
        after = self._known = self.probe_loss()
        if jumped(before, after, factor):
            self._stop()
            self.jump = LossJumpReport(before, after, first, trainer.step_count, position, h.position)
            self.loss_jumped.emit(self.jump)

    def back_before_jump(self) -> bool:
        """Go to the moment before the last jump (False, and nothing moves, if that offer has lapsed)."""
        jump = self.jump
        h = self._time.history
        if jump is None or h.position != jump.to_position or jump.from_position < h.first:
            return False
        self._go_to(jump.from_position)
        return True

    def _forget(self) -> None:
        self._known = None

    def _withdraw(self) -> None:
        self._known = None
        if self.jump is not None and self._time.history.position != self.jump.to_position:
            self.jump = None
            self.withdrawn.emit()
