"""A whole timeline as one value: what ``History.export`` gives and ``History.restored`` takes back.

A ``TimelineRecord`` holds the checkpoint at ``first``, the events after it
(``main``, laid out as a ``Branch`` forked at ``first``) and the kept
``branches``, with the trainer's loss-history and epoch counts before
``first`` (``hist_base``, ``ep_base``: those entries stay in the trainer).
Checkpoints, recorded inputs and branches are shared with the history, not
copied: none of them is ever changed in place, so a record can be written
out on another thread while training goes on.

Serial numbers tell timelines apart only within one history; ``renumbered``
gives a record fresh ones, so that a restored timeline never mistakes new
events for the ones a branch forked from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from neuroviz.core.history_store import Branch, Checkpoint

__all__ = ["TimelineRecord", "renumbered"]


@dataclass(frozen=True, eq=False)
class TimelineRecord:
    """A history's timeline and branches (positions ``first`` .. ``main.last``; ``position`` is the moment shown)."""

    checkpoint_every: int
    first: int
    position: int
    hist_base: int
    """Loss-history entries before ``first`` (the same at every moment, kept in the trainer)."""
    ep_base: int
    """Epoch metrics before ``first``."""
    start: Checkpoint
    """The checkpoint at ``first``."""
    main: Branch
    """The events after ``first`` (``fork`` is ``first``, ``fork_serial`` the serial number there)."""
    branches: tuple[Branch, ...]

    @property
    def last(self) -> int:
        return self.main.last

    @property
    def segments(self) -> tuple[Branch, ...]:
        """The current timeline's events, then each branch's."""
        return (self.main, *self.branches)

    @property
    def n_updates(self) -> int:
        """Events of the current timeline (updates, updates on a drawing and edits) after ``first``."""
        return self.main.n_events


def renumbered(record: TimelineRecord, fresh: Callable[[int], np.ndarray]) -> TimelineRecord:
    """``record`` with its serial numbers replaced by ``fresh(k)`` (k new, increasing), equal ones staying equal."""
    parts = [np.array([b.fork_serial for b in record.segments], dtype=np.int64)]
    parts += [b.columns["serial"] for b in record.segments]
    old = np.unique(np.concatenate(parts))
    new = fresh(len(old))

    def mapped(values: np.ndarray) -> np.ndarray:
        out: np.ndarray = new[np.searchsorted(old, values)]
        return out

    def segment(b: Branch) -> Branch:
        columns = {**b.columns, "serial": mapped(b.columns["serial"])}
        return replace(b, fork_serial=int(mapped(np.array([b.fork_serial]))[0]), columns=columns)

    return replace(record, main=segment(record.main), branches=tuple(segment(b) for b in record.branches))
