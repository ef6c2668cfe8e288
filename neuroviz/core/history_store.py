"""What a ``History`` stores: its events, checkpoints, recorded inputs and kept branches.

A timeline holds the positions ``first`` .. ``last``.  Each event after
``first`` is one row of ``EventColumns`` (its kind, η, batch size, a serial
number that tells timelines apart, and the lengths of the trainer's loss
history and epoch metrics after it).  A ``Checkpoint`` keeps the parameters
and the trainer's place at some positions; the epoch order it refers to is
shared by the checkpoints of an epoch and counted once.  The loss history
and the epoch metrics from ``first`` on are kept here too, so that any
moment, and the whole curve, can be put back.  A ``Branch`` is the same
record for the events after a fork point.

``TimelineStore`` is this storage and its bookkeeping (bytes, forgetting the
oldest events, cutting at a fork, taking a branch back); ``History`` adds the
trainer that makes the events and the travelling between them.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroviz.core.trainer import EpochMetrics, Trainer, TrainerPosition

UPDATE, INPUT, EDIT = 0, 1, 2
"""The kinds of event (see ``neuroviz.core.history``)."""
KIND_NAMES = {UPDATE: "update", INPUT: "input", EDIT: "edit"}
CHECKPOINT_OVERHEAD = 1024
"""Bytes counted for a checkpoint's Python objects besides its arrays."""
EPOCH_BYTES = 200
"""Bytes counted per kept EpochMetrics."""


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """The state at a position: parameters (P,) and the trainer's place."""

    params: np.ndarray
    trainer: TrainerPosition

    @property
    def nbytes(self) -> int:
        """Its own bytes (the optimiser's state included); the epoch order is shared by the checkpoints of an
        epoch and counted apart."""
        return int(self.params.nbytes) + self.trainer.optimizer.state.nbytes + CHECKPOINT_OVERHEAD


def checkpoint_bytes(checkpoints: Collection[Checkpoint]) -> int:
    """Bytes of some checkpoints, each distinct epoch order counted once."""
    orders = {id(c.trainer.order): c.trainer.order.nbytes for c in checkpoints}
    return sum(c.nbytes for c in checkpoints) + sum(orders.values())


class EventColumns:
    """Per-event columns for positions ``base + 1 .. base + n`` (growable arrays)."""

    FIELDS = (("kind", np.int8), ("lr", np.float64), ("batch", np.int32), ("serial", np.int64),
              ("n_hist", np.int64), ("n_ep", np.int32))

    def __init__(self, base: int, capacity: int = 256) -> None:
        self.base = base
        self.n = 0
        self.cols = {name: np.zeros(capacity, dtype=dt) for name, dt in self.FIELDS}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]

    def value(self, name: str, position: int) -> Any:
        return self.cols[name][position - self.base - 1]

    def extend(self, **values: Any) -> None:
        m = max(np.size(v) for v in values.values())
        need = self.n + m
        if need > self.cols["kind"].size:
            size = max(need, 2 * self.cols["kind"].size)
            for name, dt in self.FIELDS:
                grown = np.zeros(size, dtype=dt)
                grown[: self.n] = self.cols[name][: self.n]
                self.cols[name] = grown
        for name, v in values.items():
            self.cols[name][self.n : need] = v
        self.n = need

    def truncate(self, last: int) -> None:
        """Keep the events up to position ``last``."""
        self.n = max(0, min(self.n, last - self.base))

    def drop_before(self, first: int) -> None:
        """Forget the events up to position ``first`` (it becomes the base)."""
        k = first - self.base
        for name, _ in self.FIELDS:
            self.cols[name] = self.cols[name][k : self.n].copy()
        self.n -= k
        self.base = first

    def tail(self, after: int) -> dict[str, np.ndarray]:
        """Copies of the events after position ``after``."""
        k = after - self.base
        return {name: self.cols[name][k : self.n].copy() for name, _ in self.FIELDS}

    @property
    def nbytes(self) -> int:
        return sum(int(c.nbytes) for c in self.cols.values())


@dataclass(eq=False)
class Branch:
    """Events that were kept when the timeline forked at ``fork`` (positions ``fork + 1 .. last``)."""

    fork: int
    fork_serial: int
    last: int
    columns: dict[str, np.ndarray]
    checkpoints: dict[int, Checkpoint]
    inputs: dict[int, tuple[np.ndarray, np.ndarray]]
    hist_steps: np.ndarray
    hist_values: np.ndarray
    hist_penalties: np.ndarray
    epochs: list[EpochMetrics]

    @property
    def n_events(self) -> int:
        return self.last - self.fork

    @functools.cached_property
    def nbytes(self) -> int:
        return (sum(int(c.nbytes) for c in self.columns.values())
                + checkpoint_bytes(self.checkpoints.values())
                + sum(int(x.nbytes + t.nbytes) for x, t in self.inputs.values())
                + int(self.hist_steps.nbytes + self.hist_values.nbytes + self.hist_penalties.nbytes)
                + EPOCH_BYTES * len(self.epochs))


class TimelineStore:
    """The storage of one timeline and its bookkeeping (see the module docstring).

    ``History`` sets these attributes up (``_clear_store``) and adds the
    trainer that fills them.
    """

    first: int
    last: int
    _cols: EventColumns
    _checkpoints: dict[int, Checkpoint]
    _ckpt_positions: list[int]
    _ckpt_bytes: int
    _orders: dict[int, list[Any]]  # id → [order, number of checkpoints using it]
    _inputs: dict[int, tuple[np.ndarray, np.ndarray]]
    _input_bytes: int
    # The trainer's loss history and epoch metrics from ``first`` on (before
    # that they are the same at every reachable moment and stay in the trainer).
    _hist_base: int
    _ep_base: int
    _hist_steps: np.ndarray
    _hist_values: np.ndarray
    _hist_penalties: np.ndarray
    _epochs: list[EpochMetrics]
    _n_hist0: int
    _n_ep0: int
    _serial0: int

    def _clear_store(self, position: int, n_hist: int, n_ep: int, serial: int) -> None:
        """An empty timeline at ``position``, where the trainer has ``n_hist`` losses and ``n_ep`` epoch metrics."""
        self._cols = EventColumns(position)
        self._checkpoints = {}
        self._ckpt_positions = []
        self._ckpt_bytes = 0
        self._orders = {}
        self._inputs = {}
        self._input_bytes = 0
        self._hist_base, self._ep_base = n_hist, n_ep
        self._hist_steps = np.zeros(0, dtype=np.int64)
        self._hist_values = np.zeros(0)
        self._hist_penalties = np.zeros(0)
        self._epochs = []
        self._n_hist0, self._n_ep0 = self._hist_base, self._ep_base
        self._serial0 = serial
        self.first = self.last = position

    @property
    def _stored_bytes(self) -> int:
        """Bytes of this timeline (branches apart), counted as the budget counts them."""
        return (self._ckpt_bytes + self._cols.nbytes + self._input_bytes
                + int(self._hist_steps.nbytes + self._hist_values.nbytes + self._hist_penalties.nbytes)
                + EPOCH_BYTES * len(self._epochs))

    def _count(self, ck: Checkpoint, sign: int) -> None:
        """Add (+1) or remove (−1) a checkpoint's bytes, its epoch order counted once per order."""
        self._ckpt_bytes += sign * ck.nbytes
        order = ck.trainer.order
        ref = self._orders.setdefault(id(order), [order, 0])
        if ref[1] == 0 and sign > 0:
            self._ckpt_bytes += order.nbytes
        ref[1] += sign
        if ref[1] == 0:
            self._ckpt_bytes -= order.nbytes
            del self._orders[id(order)]

    def _drop_checkpoint(self, position: int) -> None:
        self._count(self._checkpoints.pop(position), -1)
        self._ckpt_positions.remove(position)

    def _forget_before(self, first: int) -> None:
        """Drop every event and checkpoint before position ``first``."""
        while self._ckpt_positions and self._ckpt_positions[0] < first:
            self._drop_checkpoint(self._ckpt_positions[0])
        for pos in [p for p in self._inputs if p <= first]:
            x, t = self._inputs.pop(pos)
            self._input_bytes -= int(x.nbytes + t.nbytes)
        self._serial0 = self._serial_at(first)
        self._n_hist0, self._n_ep0 = self._n_hist_at(first), self._n_ep_at(first)
        cut_hist, cut_ep = self._n_hist0 - self._hist_base, self._n_ep0 - self._ep_base
        self._hist_steps = self._hist_steps[cut_hist:].copy()
        self._hist_values = self._hist_values[cut_hist:].copy()
        self._hist_penalties = self._hist_penalties[cut_hist:].copy()
        del self._epochs[:cut_ep]
        self._hist_base, self._ep_base = self._n_hist0, self._n_ep0
        self._cols.drop_before(first)
        self.first = first

    def _serial_at(self, position: int) -> int:
        return self._serial0 if position == self._cols.base else int(self._cols.value("serial", position))

    def _n_hist_at(self, position: int) -> int:
        return self._n_hist0 if position == self._cols.base else int(self._cols.value("n_hist", position))

    def _n_ep_at(self, position: int) -> int:
        return self._n_ep0 if position == self._cols.base else int(self._cols.value("n_ep", position))

    def _branch_after(self, p: int) -> Branch:
        n_hist, n_ep = self._n_hist_at(p) - self._hist_base, self._n_ep_at(p) - self._ep_base
        last = self._n_hist_at(self.last) - self._hist_base
        return Branch(
            fork=p,
            fork_serial=self._serial_at(p),
            last=self.last,
            columns=self._cols.tail(p),
            checkpoints={q: c for q, c in self._checkpoints.items() if q > p},
            inputs={q: v for q, v in self._inputs.items() if q > p},
            hist_steps=self._hist_steps[n_hist:last].copy(),
            hist_values=self._hist_values[n_hist:last].copy(),
            hist_penalties=self._hist_penalties[n_hist:last].copy(),
            epochs=self._epochs[n_ep:],
        )

    def _truncate(self, p: int) -> None:
        for q in [q for q in self._ckpt_positions if q > p]:
            self._drop_checkpoint(q)
        for q in [q for q in self._inputs if q > p]:
            x, t = self._inputs.pop(q)
            self._input_bytes -= int(x.nbytes + t.nbytes)
        n_hist, n_ep = self._n_hist_at(p) - self._hist_base, self._n_ep_at(p) - self._ep_base
        self._hist_steps = self._hist_steps[:n_hist].copy()
        self._hist_values = self._hist_values[:n_hist].copy()
        self._hist_penalties = self._hist_penalties[:n_hist].copy()
        del self._epochs[n_ep:]
        self._cols.truncate(p)
        self.last = p

    def can_switch(self, branch: Branch) -> bool:
        """True if ``branch`` forked from a moment that is on the current timeline."""
        return self.first <= branch.fork <= self.last and self._serial_at(branch.fork) == branch.fork_serial

    def kind(self, position: int) -> str:
        """The event that led to ``position``: "start", "update", "input" or "edit"."""
        if position == self.first:
            return "start"
        self._check(position)
        return KIND_NAMES[int(self._cols.value("kind", position))]

    def lr(self, position: int) -> float:
        """η of the update that led to ``position``."""
        self._check(position, events_only=True)
        return float(self._cols.value("lr", position))

    def batch_size(self, position: int) -> int:
        """Batch size in force for the update that led to ``position``."""
        self._check(position, events_only=True)
        return int(self._cols.value("batch", position))

    def input_of(self, position: int) -> tuple[np.ndarray, np.ndarray] | None:
        """For an INPUT event: its inputs (B, n_0) and its labels (B,) or target vectors (B, n_L)."""
        self._check(position, events_only=True)
        return self._inputs.get(position)

    def updates_at(self, position: int) -> int:
        """Loss-history entries (updates made) at ``position``: ``len(trainer.history)`` there."""
        self._check(position)
        return self._n_hist_at(position)

    @property
    def checkpoint_positions(self) -> tuple[int, ...]:
        return tuple(self._ckpt_positions)

    def _check(self, position: int, events_only: bool = False) -> None:
        low = self.first + 1 if events_only else self.first
        if not low <= position <= self.last:
            raise ValueError(f"no event at {position}: the timeline holds {low}–{self.last}")

    def _attach(self, branch: Branch) -> None:
        """Append ``branch``'s events after its fork point, which must be ``last`` now."""
        self._cols.extend(**branch.columns)
        for q, ck in sorted(branch.checkpoints.items()):
            self._checkpoints[q] = ck
            self._ckpt_positions.append(q)
            self._count(ck, +1)
        self._inputs.update(branch.inputs)
        self._input_bytes = sum(int(x.nbytes + t.nbytes) for x, t in self._inputs.values())
        self._hist_steps = np.concatenate([self._hist_steps, branch.hist_steps])
        self._hist_values = np.concatenate([self._hist_values, branch.hist_values])
        self._hist_penalties = np.concatenate([self._hist_penalties, branch.hist_penalties])
        self._epochs.extend(branch.epochs)
        self.last = branch.last


def minimum_budget(trainer: Trainer) -> int:
    """The smallest memory budget (bytes) a ``History`` over ``trainer`` accepts: room for four checkpoints."""
    return 4 * (trainer.network.n_params * 8 + trainer.optimizer.state.nbytes + len(trainer.order) * 8
                + CHECKPOINT_OVERHEAD)


def grow_append(array: np.ndarray, values: np.ndarray, end: int) -> np.ndarray:
    """``array[: end - len(values)]`` followed by ``values`` (a new array only when it must grow)."""
    start = end - len(values)
    if array.size < end:
        grown = np.empty(max(end, 2 * array.size), dtype=array.dtype)
        grown[:start] = array[:start]
        array = grown
    array[start:end] = values
    return array
