"""Time travel: the timeline of updates over the trainer, its branches, and the one fork rule.

Every change made at a past moment (an update, training, an edited
parameter, another data set, seed or shuffle option) first goes through
``make_newest``: the ``fork_policy`` says whether the later updates are kept
as a branch or discarded, or cancels the change.  The policy is a plain
value (a function of a ``ForkQuestion``): a script passes ``KEEP_BRANCH``, the
window passes one that asks the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from psygnal import Signal

from neuroviz.core.history import DEFAULT_BUDGET, Branch, History, Moment, TimelineRecord, minimum_budget
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import Trainer

ForkChoice = Literal["discard", "keep"]
"""The answer to "record at a past moment?": discard the later updates, or keep them as a branch."""


@dataclass(frozen=True)
class ForkQuestion:
    """Asked before recording at a past moment: ``now`` is this moment's update number, ``newest``
    the newest one's, ``later`` how many moments (updates and edits) come after this one."""

    now: int
    newest: int
    later: int


ForkPolicy = Callable[[ForkQuestion], ForkChoice | None]
"""Answers a ``ForkQuestion`` with "keep", "discard" or ``None`` (cancel the change)."""


def always(choice: ForkChoice | None) -> ForkPolicy:
    """A policy that always answers ``choice``."""
    return lambda _question: choice


KEEP_BRANCH: ForkPolicy = always("keep")
DISCARD_LATER: ForkPolicy = always("discard")


class TimeTravel:
    """The ``history`` of the open trainer, where it stands, and ``last_trace`` (the update shown).

    Positions run from ``history.first`` to ``history.last``; at ``history.last``
    (``at_newest``) new updates are recorded.
    """

    changed = Signal()
    """The timeline moved or grew: an update or edit was recorded, another moment was gone to,
    or the later updates were discarded or kept as a branch."""

    def __init__(self, trainer: Trainer, fork_policy: ForkPolicy = KEEP_BRANCH,
                 budget_bytes: int = DEFAULT_BUDGET) -> None:
        self.fork_policy = fork_policy
        self.budget_bytes = int(budget_bytes)
        """Memory (bytes) the timeline may use; see ``set_budget``."""
        self.last_trace: StepTrace | None = None
        """The traced update that led to the moment shown (``None`` if there is none)."""
        self._start_trace: StepTrace | None = None
        self.history = self._history(trainer)
        self._trace_position = 0

    def _history(self, trainer: Trainer) -> History:
        return History(trainer, budget_bytes=max(self.budget_bytes, minimum_budget(trainer)))

    def restart(self, trainer: Trainer, last_trace: StepTrace | None = None) -> None:
        """A fresh timeline starting at ``trainer``'s state now; ``last_trace`` is shown again at its start
        (an opened snapshot's last update)."""
        self.history = self._history(trainer)
        self._start_trace = last_trace
        self.set_trace(last_trace)
        self.changed.emit()

    def restore(self, trainer: Trainer, record: TimelineRecord, start_trace: StepTrace | None,
                last_trace: StepTrace | None) -> None:
        """The timeline ``record`` (an opened session's) over ``trainer``, at its moment, exactly as it was.

        ``start_trace`` is shown at position 0 if the timeline began with one; the moment's own update is
        recomputed (``last_trace``, the one saved, stays shown if that moment has none, e.g. an edit).
        """
        lr, batch = trainer.lr, trainer.batch_size
        self.history = History.restored(trainer, record, max(self.budget_bytes, minimum_budget(trainer)))
        trainer.lr, trainer.batch_size = lr, batch
        self._start_trace = start_trace
        moment = self.history.moment
        shown = self._start_trace if moment.kind == "start" and self.history.first == 0 else moment.trace
        self.set_trace(shown if shown is not None else last_trace)
        self.changed.emit()

    @property
    def start_trace(self) -> StepTrace | None:
        """The update shown at position 0 (an opened version 2 snapshot's last update), or ``None``."""
        return self._start_trace

    def set_trace(self, trace: StepTrace | None) -> None:
        """``trace`` is the update that led to the moment now shown."""
        self.last_trace = trace
        self._trace_position = self.history.position

    @property
    def trace_is_current(self) -> bool:
        """``last_trace`` led to this very moment (no fast update or edit since)."""
        return self.last_trace is not None and self._trace_position == self.history.position

    @property
    def trainer(self) -> Trainer:
        return self.history.trainer

    # ------------------------------------------------------------- reading
    @property
    def at_newest(self) -> bool:
        """True at the newest moment of the timeline, where updates are recorded."""
        return self.history.at_end

    @property
    def newest_update(self) -> int:
        """The update number (``Trainer.step_count``) at the newest moment of the timeline."""
        return self.update_number(self.history.last)

    def update_number(self, position: int) -> int:
        """The update number (``Trainer.step_count``) at timeline ``position``."""
        h = self.history
        if position == h.position:
            return self.trainer.step_count
        n = h.updates_at(position)
        steps, _ = self.loss_curve()
        return int(steps[n - 1]) if n else 0

    def loss_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """Update numbers and losses, each of shape (n,), of the whole timeline: at a past moment the later ones too."""
        if self.history.at_end:
            return self.trainer.history.steps, self.trainer.history.values
        return self.history.loss_curve()

    def penalty_curve(self) -> np.ndarray:
        """The weight penalty (n,) of each update of ``loss_curve()`` (zeros without a penalty): the loss
        minimised is the data loss plus this."""
        if self.history.at_end:
            return self.trainer.history.penalties
        return self.history.penalty_curve()

    def question(self) -> ForkQuestion:
        """The fork question at the moment shown."""
        h = self.history
        return ForkQuestion(self.trainer.step_count, self.newest_update, h.last - h.position)

    # ------------------------------------------------------------- changing
    def set_budget(self, budget_bytes: int) -> None:
        """Memory the timeline may keep; a smaller budget forgets the oldest updates at once.

        Raises ``ValueError`` (keeping the old budget) below the least the open network needs.
        """
        self.history.set_budget(budget_bytes)
        self.budget_bytes = int(budget_bytes)
        self.changed.emit()

    def set_budget_for_next(self, budget_bytes: int) -> None:
        """The budget the next network's timeline starts with (the open one keeps its own)."""
        self.budget_bytes = int(budget_bytes)

    def make_newest(self) -> bool:
        """The fork rule: before recording at a past moment, keep or discard the later moments
        as ``fork_policy`` answers.  False if it cancelled (nothing changes then)."""
        if self.history.at_end:
            return True
        choice = self.fork_policy(self.question())
        if choice not in ("discard", "keep"):
            return False
        self.history.fork(keep=choice == "keep")
        self.changed.emit()
        return True

    def record_edit(self) -> None:
        """Log a change of the network or trainer (at the newest moment: ``make_newest`` first)."""
        self.history.record_edit()
        self.changed.emit()

    def recorded(self, trace: StepTrace | None) -> None:
        """Updates were just recorded; ``trace`` is the last one's if it was traced."""
        if trace is not None:
            self.set_trace(trace)
        self.changed.emit()

    def go_to(self, where: int | Branch) -> Moment | None:
        """Show timeline position ``where``, or return to the kept branch ``where``, exactly as it was.

        The network and the trainer follow; η and the batch size stay as chosen.
        Returns the moment now shown (``None`` if it is the one shown already).
        """
        h = self.history
        if isinstance(where, int | np.integer) and int(where) == h.position:
            return None
        t = self.trainer
        lr, batch = t.lr, t.batch_size
        if isinstance(where, Branch):
            moment = h.switch_to(where)
            trace = moment.trace
        else:
            moment = h.go_to(int(where))
            trace = self._start_trace if moment.kind == "start" and h.first == 0 else moment.trace
        t.lr = lr
        t.batch_size = min(batch, len(t.dataset.train_indices))
        if t.network.config.seed != t.seed:  # the seed is the trainer's at that moment, in both places
            t.network.config = replace(t.network.config, seed=t.seed)
        self.set_trace(trace)
        return moment
