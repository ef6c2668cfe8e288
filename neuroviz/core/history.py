"""Time travel: a timeline of every update, and exact return to any of them.

A ``History`` drives a ``Trainer`` and records each event.  It keeps a full
checkpoint (all parameters and the trainer's place in the data) every
``checkpoint_every`` updates and recomputes any other moment from the nearest
earlier checkpoint.  Training is deterministic and the fast path gives the
same bits as the traced path, so a recomputed moment is bit for bit the
moment that was lived: the same parameters, the same ``StepTrace``, the same
input.  Memory stays within ``budget_bytes``; when the timeline outgrows it,
branches are dropped first (oldest first), then the oldest updates are
forgotten (``first`` moves up).

Positions
---------
Position 0 is the state when the ``History`` was made; position ``i`` the
state after the ``i``-th event.  ``first`` .. ``last`` can be reached;
``position`` is where the network and the trainer are now.  Each event is

``UPDATE``
    ``Trainer.step``/``train_steps``: a mini-batch of the training split in
    the trainer's epoch order, with the η and batch size of that moment.
``INPUT``
    ``Trainer.step_on(x, targets)``: an update on a given input (a drawing);
    ``x`` and the targets are kept, so replay is exact.
``EDIT``
    Any other change of the network or trainer (a parameter typed in, a new
    data set, seed or shuffle option): never replayed; a checkpoint holds
    the state after it.  ``record_edit()`` logs one; a change made behind the
    history's back is noticed and logged before the next update.

API
---
``History(trainer, checkpoint_every=64, budget_bytes=DEFAULT_BUDGET)``

Recording (only at the newest moment; at a past moment ``fork`` first):
    ``step() -> StepTrace``, ``commit(trace, batch)`` (a ``Trainer.compute_next``
    update walked through phase by phase), ``step_on(x, targets) -> StepTrace``,
    ``train_steps(n) -> int``, ``train_for(seconds, max_steps=None) -> int``,
    ``run_epoch() -> int``, ``record_edit()``.
Moving (network, trainer, loss history and epoch metrics follow):
    ``go_to(i) -> Moment``, ``back(n=1)``, ``forward(n=1)``; a ``Moment``
    holds the position, the event kind and the ``StepTrace`` of that update
    (``None`` for position ``first`` and for edits).  ``moment`` is the
    current one.
At a past moment:
    ``fork(keep)``: ``keep=True`` keeps the later events as a ``Branch``
    (``branches``), ``False`` discards them.  ``switch_to(branch)`` returns
    to a branch (the events it replaces become a branch in turn);
    ``can_switch(branch)`` says whether its fork point is on the current
    timeline.
Reading:
    ``first``, ``last``, ``position``, ``at_end``, ``kind(i)``, ``lr(i)``, ``updates_at(i)``,
    ``batch_size(i)``, ``input_of(i)`` (INPUT events), ``loss_curve()``
    (update numbers and losses of the whole timeline, the future included),
    ``memory_bytes``, ``checkpoint_positions``.
Budget:
    ``set_budget(bytes)``; ``minimum_budget(trainer)`` is the least accepted.
As a value (saving and opening a session):
    ``export() -> TimelineRecord`` (``neuroviz.core.history_record``) and
    ``History.restored(trainer, record, budget)``, which gives the same
    timeline, branches and moment back, every position bit for bit.

The trainer's loss history must only grow through recorded updates: if it
is cut (``Trainer.reset``) or filled outside, the timeline starts over from there.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.history_record import TimelineRecord, renumbered
from neuroviz.core.history_store import (
    EDIT,
    INPUT,
    KIND_NAMES,
    UPDATE,
    Branch,
    Checkpoint,
    TimelineStore,
    grow_append,
    minimum_budget,
)
from neuroviz.core.network import DivergenceError
from neuroviz.core.numbers import count
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import Trainer

__all__ = ["DEFAULT_BUDGET", "DEFAULT_CHECKPOINT_EVERY", "Branch", "History", "Moment", "TimelineRecord",
           "minimum_budget"]

DEFAULT_CHECKPOINT_EVERY = 64
DEFAULT_BUDGET = 128 * 1024 * 1024

_next_serial = [1]
"""The next serial number to hand out (a one-item list: module state changed in place)."""


def _fresh_serials(n: int) -> np.ndarray:
    """``n`` serial numbers (n,) never handed out before in this process, increasing."""
    start = _next_serial[0]
    _next_serial[0] = start + n
    return np.arange(start, start + n, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Moment:
    """One moment of the timeline: ``position``, the event ``kind`` that led to it
    ("start", "update", "input" or "edit") and that update's ``trace`` (or ``None``)."""

    position: int
    kind: str
    trace: StepTrace | None


class _TrainerState(NamedTuple):
    """What the trainer looked like at the moment recorded last (see ``History._changed_outside``)."""

    dataset: Dataset
    order: np.ndarray
    cursor: int
    step_count: int
    shuffle: bool
    seed: int
    n_history: int
    n_epochs: int
    optimizer: Any

    def differs_from(self, other: _TrainerState) -> bool:
        """Another data set, epoch order or optimiser object, or any other value different."""
        return (self.dataset is not other.dataset or self.order is not other.order
                or self.optimizer is not other.optimizer or self[2:-1] != other[2:-1])


class History(TimelineStore):
    """A timeline of a trainer's updates with exact time travel (see the module docstring).

    Parameters
    ----------
    trainer:
        Trained through this object from now on; its state now is position 0.
    checkpoint_every:
        Updates between two checkpoints: a jump recomputes at most this many.
    budget_bytes:
        Memory the timeline may use (checkpoints, events, inputs, branches).
    """

    def __init__(self, trainer: Trainer, checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
                 budget_bytes: int = DEFAULT_BUDGET) -> None:
        if not isinstance(checkpoint_every, (int, np.integer)) or checkpoint_every < 1:
            raise ValueError(f"checkpoints must be at least 1 update apart; got {checkpoint_every!r}")
        self.trainer = trainer
        self.network = trainer.network
        self.checkpoint_every = int(checkpoint_every)
        self.budget_bytes = self._checked_budget(budget_bytes)
        self.branches: list[Branch] = []
        self._start(0)

    def _checked_budget(self, budget_bytes: int) -> int:
        need = minimum_budget(self.trainer)
        if not isinstance(budget_bytes, (int, np.integer)) or budget_bytes < need:
            raise ValueError(f"the memory budget must be at least {count(need)} bytes for this network; "
                             f"got {budget_bytes!r}")
        return int(budget_bytes)

    def set_budget(self, budget_bytes: int) -> None:
        """Change the memory budget; a smaller one forgets branches, then the oldest updates, at once."""
        self.budget_bytes = self._checked_budget(budget_bytes)
        self._enforce_budget()

    # ------------------------------------------------------------ bookkeeping
    def _start(self, position: int) -> None:
        """Begin the timeline at ``position`` with the trainer's state now."""
        t = self.trainer
        self._clear_store(position, len(t.history), len(t.epochs), int(_fresh_serials(1)[0]))
        self.position = position
        self._add_checkpoint(position)
        self.moment = Moment(position, "start", None)
        self._remember_state()

    def _state_key(self) -> _TrainerState:
        t = self.trainer
        return _TrainerState(t.dataset, t.order, t.cursor, t.step_count, t.shuffle, t.seed, len(t.history),
                             len(t.epochs), t.optimizer)

    def _remember_state(self) -> None:
        """What the network and trainer look like now, to notice changes made behind our back."""
        self._expect = self._state_key()
        self._expect_params = self.network.flat_params().copy()

    def _changed_outside(self) -> bool:
        return (self._state_key().differs_from(self._expect)
                or not np.array_equal(self.network.flat_params(), self._expect_params))

    def _add_checkpoint(self, position: int) -> None:
        ck = Checkpoint(self.network.flat_params().copy(), self.trainer.position())
        self._checkpoints[position] = ck
        bisect.insort(self._ckpt_positions, position)
        self._count(ck, +1)
        self._enforce_budget()

    @property
    def memory_bytes(self) -> int:
        """Bytes the timeline holds now (counted as the budget counts them)."""
        return self._stored_bytes + sum(b.nbytes for b in self.branches)

    def _enforce_budget(self) -> None:
        while self.memory_bytes > self.budget_bytes:
            if self.branches:
                self.branches.pop(0)
                continue
            if len(self._ckpt_positions) < 2 or self._ckpt_positions[1] > self.position:
                return  # nothing more can go: the budget check at construction keeps this rare
            self._forget_before(self._ckpt_positions[1])

    # -------------------------------------------------------------- recording
    @property
    def at_end(self) -> bool:
        """True at the newest moment, where new updates can be recorded."""
        return self.position == self.last

    def _before_recording(self) -> None:
        if self.trainer.network is not self.network:
            raise ValueError("the trainer has another network now; start a new History for it")
        if not self.at_end:
            raise ValueError(
                f"this is update {self.position} of {self.last}: fork(keep=True) keeps updates "
                f"{self.position + 1}–{self.last} as a branch, fork(keep=False) discards them"
            )
        t = self.trainer
        if len(t.history) != self._expect.n_history or len(t.epochs) != self._expect.n_epochs:
            self.branches.clear()
            self._start(self.position)  # the loss history was cut or filled outside: begin again from here
        elif self._changed_outside():
            self._append(EDIT, 1)
            self._add_checkpoint(self.last)
            self._remember_state()

    def _append(self, kind: int, n: int, new_epoch_steps: np.ndarray | None = None) -> None:
        """Log ``n`` events of ``kind`` that just happened (the trainer is after them)."""
        t = self.trainer
        n_hist = len(t.history)
        if kind == EDIT:
            hist = np.array([n_hist])
            epochs = np.array([len(t.epochs)])
        else:
            hist = np.arange(n_hist - n + 1, n_hist + 1)
            steps = np.asarray(t.history.steps[n_hist - n :])
            ep_steps = np.zeros(0) if new_epoch_steps is None else new_epoch_steps
            epochs = len(t.epochs) - len(ep_steps) + np.searchsorted(ep_steps, steps, side="right")
            end = n_hist - self._hist_base
            self._hist_steps = grow_append(self._hist_steps, steps, end)
            self._hist_values = grow_append(self._hist_values, t.history.values[n_hist - n :], end)
            self._hist_penalties = grow_append(self._hist_penalties, t.history.penalties[n_hist - n :], end)
            first_new = len(t.epochs) - len(ep_steps)
            self._epochs[first_new - self._ep_base :] = t.epochs[first_new:]
        self._cols.extend(kind=kind, lr=t.lr, batch=t.batch_size, serial=_fresh_serials(n), n_hist=hist, n_ep=epochs)
        self.last += n
        self.position = self.last

    def _after_updates(self, kind: int, n: int, ep_before: int, trace: StepTrace | None) -> None:
        if n == 0:
            return
        new_epochs = np.array([m.step for m in self.trainer.epochs[ep_before:]], dtype=np.int64)
        self._append(kind, n, new_epochs)
        if self.last - self._ckpt_positions[-1] >= self.checkpoint_every:
            self._add_checkpoint(self.last)
        self.moment = Moment(self.last, KIND_NAMES[kind], trace)
        self._remember_state()
        self._enforce_budget()

    def _until_checkpoint(self) -> int:
        return self._ckpt_positions[-1] + self.checkpoint_every - self.last

    def step(self) -> StepTrace:
        """One traced update on the next mini-batch (``Trainer.step``), recorded."""
        self._before_recording()
        ep = len(self.trainer.epochs)
        trace = self.trainer.step()
        self._after_updates(UPDATE, 1, ep, trace)
        return trace

    def commit(self, trace: StepTrace, batch: int) -> None:
        """Apply and record an update from ``Trainer.compute_next()`` made at this moment (as ``step``)."""
        self._before_recording()
        ep = len(self.trainer.epochs)
        self.trainer.commit(trace, batch)
        self._after_updates(UPDATE, 1, ep, trace)

    def step_on(self, x: np.ndarray, targets: Any) -> StepTrace:
        """One traced update on a given input (``Trainer.step_on``), recorded with that input."""
        trace = self.trainer.compute_on(x, targets)
        self.commit_on(trace)
        return trace

    def commit_on(self, trace: StepTrace) -> None:
        """Apply and record an update from ``Trainer.compute_on`` made at this moment (as ``step_on``)."""
        self._before_recording()
        ep = len(self.trainer.epochs)
        self.trainer.commit_on(trace)
        kept = (trace.inputs, trace.labels if trace.labels is not None else trace.targets)
        self._after_updates(INPUT, 1, ep, trace)
        self._inputs[self.last] = kept
        self._input_bytes += int(kept[0].nbytes + kept[1].nbytes)
        self._enforce_budget()

    def train_steps(self, n: int) -> int:
        """``n`` fast updates (``Trainer.train_steps``), recorded; returns the number made.

        On ``DivergenceError`` the updates made before it are recorded and
        the error is raised again.
        """
        self._before_recording()
        done = 0
        while done < n:
            chunk = min(n - done, self._until_checkpoint())
            made, error = self._fast(lambda m=chunk: self.trainer.train_steps(m))
            done += made
            if error is not None:
                raise error
        return done

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Fast updates for about ``seconds`` (``Trainer.train_for``), recorded; returns the number made."""
        self._before_recording()
        deadline = time.perf_counter() + seconds
        done = 0
        while (max_steps is None or done < max_steps) and time.perf_counter() < deadline:
            room = self._until_checkpoint() if max_steps is None else min(self._until_checkpoint(), max_steps - done)
            made, error = self._fast(lambda r=room: self.trainer.train_for(deadline - time.perf_counter(), r))
            done += made
            if error is not None:
                raise error
            if made == 0:
                break
        return done

    def run_epoch(self) -> int:
        """Fast updates to the end of the current epoch; returns the number made."""
        t = self.trainer
        return self.train_steps(math.ceil((len(t.order) - t.cursor) / t.batch_size))

    def _fast(self, run: Any) -> tuple[int, DivergenceError | None]:
        t = self.trainer
        before, ep = t.step_count, len(t.epochs)
        error = None
        try:
            run()
        except DivergenceError as exc:
            error = exc
        made = t.step_count - before
        self._after_updates(UPDATE, made, ep, None)
        return made, error

    def record_edit(self) -> None:
        """Log a change made to the network or trainer outside the history (at the newest moment)."""
        if not self.at_end:
            raise ValueError(f"this is update {self.position} of {self.last}: fork before changing the past")
        self._append(EDIT, 1)
        self._add_checkpoint(self.last)
        self.moment = Moment(self.last, "edit", None)
        self._remember_state()

    # ----------------------------------------------------------------- moving
    def go_to(self, position: int) -> Moment:
        """Put the network and trainer at ``position`` exactly as they were; returns that moment."""
        position = int(position)
        if not self.first <= position <= self.last:
            raise ValueError(f"update {position} is not on the timeline ({self.first}–{self.last})")
        if position == self.first:
            self._restore(self.first)
            self.moment = Moment(position, "start", None)
        else:
            kind = int(self._cols.value("kind", position))
            if kind == EDIT:
                self._restore(position)
                self.moment = Moment(position, "edit", None)
            else:
                start = self._ckpt_positions[bisect.bisect_right(self._ckpt_positions, position - 1) - 1]
                if not (start <= self.position < position and not self._changed_outside()):
                    self._restore(start)
                trace = self._replay(position)
                self.moment = Moment(position, KIND_NAMES[kind], trace)
        self.position = position
        self._remember_state()
        return self.moment

    def back(self, n: int = 1) -> Moment:
        """Go ``n`` moments back (not before ``first``)."""
        return self.go_to(max(self.first, self.position - n))

    def forward(self, n: int = 1) -> Moment:
        """Go ``n`` moments forward along the timeline (not past ``last``)."""
        return self.go_to(min(self.last, self.position + n))

    def _restore(self, position: int) -> None:
        ck = self._checkpoints[position]
        self.network.set_flat_params(ck.params)
        t = self.trainer
        t.restore(ck.trainer)
        n_hist, n_ep = ck.trainer.n_history - self._hist_base, ck.trainer.n_epochs - self._ep_base
        t.history.truncate(self._hist_base)
        t.history.extend(self._hist_steps[:n_hist], self._hist_values[:n_hist], self._hist_penalties[:n_hist])
        del t.epochs[self._ep_base :]
        t.epochs.extend(self._epochs[:n_ep])
        self.position = position
        self._remember_state()

    def _replay(self, target: int) -> StepTrace:
        """Recompute the events after ``self.position`` up to ``target`` (the last one traced)."""
        t = self.trainer
        pos = self.position
        kinds, lrs, batches = self._cols["kind"], self._cols["lr"], self._cols["batch"]
        base = self._cols.base
        while pos < target - 1:
            i = pos - base  # index of event pos + 1
            lr, batch = float(lrs[i]), int(batches[i])
            t.lr = lr
            if kinds[i] == INPUT:
                t.step_on(*self._inputs[pos + 1])
                pos += 1
                continue
            run = 1
            while (pos + run < target - 1 and kinds[i + run] == UPDATE and lrs[i + run] == lr
                   and batches[i + run] == batch):
                run += 1
            t.batch_size = batch
            t.train_steps(run)
            pos += run
        i = target - 1 - base
        t.lr = float(lrs[i])
        if kinds[i] == INPUT:
            trace = t.step_on(*self._inputs[target])
        else:
            t.batch_size = int(batches[i])
            trace = t.step()
        self.position = target
        return trace

    # ------------------------------------------------------------- branching
    def fork(self, keep: bool) -> Branch | None:
        """At a past moment: keep the later events as a branch (returned) or discard them.

        Afterwards this moment is the newest and new updates can be recorded.
        """
        p = self.position
        if p == self.last:
            return None
        branch = None
        if keep:
            branch = self._branch_after(p)
            self.branches.append(branch)
        self._truncate(p)
        self._enforce_budget()
        return branch

    def switch_to(self, branch: Branch) -> Moment:
        """Make ``branch`` the timeline after its fork point and go to its newest moment.

        The events it replaces (if any) are kept as a branch in turn.
        """
        if branch not in self.branches:
            raise ValueError("that branch is not (or no longer) kept")
        if not self.can_switch(branch):
            raise ValueError(f"that branch forked at update {branch.fork}, which is not on this timeline")
        self.branches.remove(branch)
        p = branch.fork
        if self.last > p:
            self.branches.append(self._branch_after(p))
        self._truncate(p)
        self._attach(branch)
        if self.position > p:  # the state now belongs to the replaced events
            self._restore(self._ckpt_positions[bisect.bisect_right(self._ckpt_positions, p) - 1])
        moment = self.go_to(self.last)
        self._enforce_budget()
        return moment

    # ------------------------------------------------------------ as a value
    def export(self) -> TimelineRecord:
        """The whole timeline and its branches as a ``TimelineRecord`` (shared, immutable parts; cheap).

        At the newest moment a change made behind the history's back is
        logged first, as the next update would log it.  Raises ``ValueError``
        if the network or trainer was changed at a past moment.
        """
        if self.at_end:
            self._before_recording()
        elif self._changed_outside():
            raise ValueError(f"update {self.position} was changed without forking; the timeline no longer fits it")
        return TimelineRecord(self.checkpoint_every, self.first, self.position, self._hist_base, self._ep_base,
                              self._checkpoints[self.first], self._branch_after(self.first), tuple(self.branches))

    @classmethod
    def restored(cls, trainer: Trainer, record: TimelineRecord, budget_bytes: int = DEFAULT_BUDGET) -> History:
        """A history over ``trainer`` holding ``record``'s timeline, at ``record.position``.

        ``trainer`` must hold the loss history and epoch metrics before
        ``record.first`` (``hist_base`` and ``ep_base`` entries); the network
        and trainer are put at ``record.position`` exactly as they were there
        (its update recomputed from the nearest checkpoint).  The budget is
        raised to what the record holds if that is more.
        """
        history = cls(trainer, record.checkpoint_every, budget_bytes)
        record = renumbered(record, _fresh_serials)
        main = record.main
        history._clear_store(record.first, record.hist_base, record.ep_base, main.fork_serial)
        history._checkpoints[record.first] = record.start
        history._ckpt_positions.append(record.first)
        history._count(record.start, +1)
        history._attach(main)
        history.branches = list(record.branches)
        history.budget_bytes = max(history.budget_bytes, history.memory_bytes)
        p = record.position
        history._restore(history._ckpt_positions[bisect.bisect_right(history._ckpt_positions, p) - 1])
        history.go_to(p)
        return history

    # ---------------------------------------------------------------- reading
    def loss_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """Update numbers and losses (n,) of the whole timeline up to ``last``, later moments included."""
        n = self._n_hist_at(self.last) - self._hist_base
        h = self.trainer.history
        steps = np.concatenate([h.steps[: self._hist_base], self._hist_steps[:n]])
        values = np.concatenate([h.values[: self._hist_base], self._hist_values[:n]])
        return steps, values

    def penalty_curve(self) -> np.ndarray:
        """The weight penalty (n,) of each update of ``loss_curve()`` (0 where there was none)."""
        n = self._n_hist_at(self.last) - self._hist_base
        return np.concatenate([self.trainer.history.penalties[: self._hist_base], self._hist_penalties[:n]])
