"""The autosave timer: asks the autosave policy, on the GUI thread, whether a save is due, and writes it
on a worker thread (a session with a long timeline takes a while to pack and compress)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from neuroviz.io.validate import SnapshotError
from neuroviz.model.autosave import Autosave, PendingAutosave

POLL_MS = 500
"""How often the policy is asked (asking is cheap; it saves at most once per its interval)."""


class AutosaveTimer(QObject):
    """Polls ``policy`` every ``POLL_MS`` once started; a due save is taken on the GUI thread and written beside it."""

    written = Signal(object, object)
    """A worker finished writing: the ``PendingAutosave`` and its error (or ``None``); delivered on the GUI thread."""

    def __init__(self, policy: Autosave, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy = policy
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.written.connect(self._written, Qt.ConnectionType.QueuedConnection)
        self.worker: threading.Thread | None = None

    def start(self) -> None:
        """Watch the model and autosave from now on."""
        self.policy.start()
        self.timer.start()

    @property
    def busy(self) -> bool:
        """A recovery file is being written."""
        return self.worker is not None

    def poll(self) -> None:
        """Begin an autosave if one is due and none is being written."""
        if self.busy or not self.policy.due():
            return
        pending = self.policy.begin()

        def work() -> None:
            self.written.emit(pending, self.policy.write(pending))

        self.worker = threading.Thread(target=work, name="neuroviz-autosave", daemon=True)
        self.worker.start()

    def _written(self, pending: PendingAutosave, error: OSError | SnapshotError | None) -> None:
        if self.worker is not None:
            self.worker.join()
            self.worker = None
        self.policy.finish(pending, error)

    def wait(self) -> None:
        """Wait for an autosave being written to end."""
        if self.worker is not None:
            self.worker.join()

    def clean_quit(self) -> None:
        """The window closed on purpose: stop, let a running write end, and remove the recovery file."""
        self.timer.stop()
        self.wait()
        self.policy.discard()
