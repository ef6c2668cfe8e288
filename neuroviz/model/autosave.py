"""Autosave: when the open session is written to the recovery file, and how it comes back.

``Autosave(model, folder)`` watches the model once ``start`` is called.
After a change, while the document has unsaved changes, ``poll`` writes the
session to ``folder``'s recovery file (``neuroviz.io.recovery``) at most
once per ``interval`` seconds; nothing is written while nothing changes.
A save that takes long spaces the next ones (a save may use at most
``max_share`` of the time).  ``save_now`` writes at once; a window takes the
session with ``begin`` (cheap), ``write``-s it on a worker thread and
``finish``-es on its own thread, so a large timeline never holds it up.
Saving the document, opening another one or a clean quit (``discard``)
removes the recovery file; autosaving never touches the document's own file
or its unsaved flag.  While a lesson runs (``hold``) the recovery file keeps
the session as it was before the lesson, not the lesson's network.  The
clocks are injectable: ``clock`` measures
intervals, ``now`` stamps the file.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from psygnal import Signal

from neuroviz.io import recovery
from neuroviz.io.recovery import Recovered
from neuroviz.io.snapshot import Snapshot
from neuroviz.io.validate import SnapshotError
from neuroviz.model.app_model import AppModel

INTERVAL_SECONDS = 5.0
"""The longest a change waits before it is autosaved (unless saves are slow)."""
MAX_SHARE = 0.02
"""At most this share of the time goes to autosaving: a save of d seconds waits d / MAX_SHARE before the next."""


@dataclass(frozen=True, eq=False)
class PendingAutosave:
    """A session taken for autosaving: the snapshot, its time stamp and file, and when the save began."""

    snapshot: Snapshot
    saved_at: float
    file_path: str | None
    started: float
    generation: int


class Autosave:
    """The autosave policy of one model over the recovery file in ``folder``."""

    saved = Signal(object)
    """The recovery file was written; the argument is the ``Snapshot`` it holds."""

    def __init__(self, model: AppModel, folder: str | os.PathLike[str], interval: float = INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], float] = time.time,
                 max_share: float = MAX_SHARE) -> None:
        self.model = model
        self.folder = os.fspath(folder)
        self.interval = interval
        self.max_share = max_share
        self._clock, self._now = clock, now
        self._changed = False
        self._next_at = -math.inf
        self.last_error = ""
        """Why the last autosave failed ("" if it worked)."""
        self.last_duration = 0.0
        """How long the last autosave took, in seconds of ``clock``."""
        self.started = False
        self._held = False
        self._lock = threading.Lock()
        """Serialises writing and removing the file (a write may run on a worker thread)."""
        self._generation = 0
        """Counts holds and discards: a write taken before one of them is stale and skipped."""

    def hold(self, snapshot: Snapshot | None, file_path: str | None = None, modified: bool = False) -> None:
        """Keep ``snapshot`` (the session before a lesson, its file and whether it had unsaved changes) as what
        a crash brings back, instead of the live session; ``None`` lets go (the live one is autosaved again)."""
        self._held = snapshot is not None
        self._changed = not self._held
        if snapshot is None:
            return
        if not modified:
            self.discard()
            return
        try:
            with self._lock:
                self._generation += 1
                recovery.write(self.folder, snapshot, self._now(), file_path)
        except (OSError, SnapshotError) as exc:
            self.last_error = getattr(exc, "strerror", None) or str(exc)
        else:
            self.last_error = ""

    def start(self) -> None:
        """Begin watching the model (call once any recovery file has been offered)."""
        if self.started:
            return
        self.started = True
        doc = self.model.document
        for signal in (doc.network_changed, doc.dataset_changed, doc.architecture_changed,
                       self.model.drawing.changed):
            signal.connect(self._note_change)
        doc.file_changed.connect(self._file_changed)

    @property
    def path(self) -> str:
        """The recovery file."""
        return os.fspath(recovery.recovery_path(self.folder))

    def _note_change(self, *_: object) -> None:
        self._changed = True

    def _file_changed(self) -> None:
        if self._held:  # a lesson opened its own network: the file keeps the session before it
            return
        if not self.model.document.modified:  # saved, or another document opened: nothing to recover
            self.discard()
        else:
            self._changed = True

    def due(self) -> bool:
        """True if there are unsaved changes not yet autosaved and the interval has passed."""
        return not self._held and self._changed and self.model.document.modified and self._clock() >= self._next_at

    def poll(self) -> bool:
        """Autosave if it is due; True if the file was written."""
        return self.due() and self.save_now()

    def save_now(self) -> bool:
        """Write the recovery file now; True if it worked (else ``last_error`` says why)."""
        pending = self.begin()
        return self.finish(pending, self.write(pending))

    def begin(self) -> PendingAutosave:
        """Take the session to autosave now (cheap; on the model's thread); ``write`` it, then ``finish``."""
        started = self._clock()
        pending = PendingAutosave(self.model.snapshot_state(), self._now(), self.model.document.file_path, started,
                                  self._generation)
        self._changed = False
        return pending

    def write(self, pending: PendingAutosave) -> OSError | SnapshotError | None:
        """Write ``pending`` to the recovery file (any thread: it touches only the file); the error or ``None``."""
        try:
            with self._lock:
                if pending.generation == self._generation:  # else held or discarded since it was taken
                    recovery.write(self.folder, pending.snapshot, pending.saved_at, pending.file_path)
        except (OSError, SnapshotError) as exc:
            return exc
        return None

    def finish(self, pending: PendingAutosave, error: OSError | SnapshotError | None) -> bool:
        """Note how the write of ``pending`` went (on the model's thread); True if it worked."""
        if error is not None:
            self.last_error = getattr(error, "strerror", None) or str(error)
            self._changed = True  # try again after the interval
        else:
            self.last_error = ""
        self.last_duration = self._clock() - pending.started
        self._next_at = pending.started + max(self.interval, self.last_duration / self.max_share)
        if error is None:
            self.saved.emit(pending.snapshot)
        return error is None

    def discard(self) -> None:
        """Remove the recovery file (a clean quit, a save, another document)."""
        self._changed = False
        with self._lock:
            self._generation += 1
            recovery.remove(self.folder)

    def restore(self, found: Recovered) -> None:
        """Open the autosaved session ``found`` as unsaved changes (to its own file, if it had one)."""
        self.model.restore(found.snapshot, found.file_path)
        self.model.document.mark_modified()
        self.save_now()
