"""Saving a session on a worker thread, with its progress in the status bar.

A large timeline takes a while to pack and compress (``neuroviz.io.session``);
``SessionSaver.save`` runs that on a Python thread (the compression and the
array work release the interpreter lock) while the window goes on
processing events, and shows a progress bar in the status bar.  ``save``
returns once the file is written or the write failed; the file on disk is
then whole, or as it was (``neuroviz.io.atomic``).  The state saved is taken
when the save starts; changes made while it runs stay unsaved.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QProgressBar

from neuroviz.io import session
from neuroviz.io.snapshot import Snapshot

PROGRESS_STEPS = 1000


class SessionSaver(QObject):
    """Writes sessions for ``window`` one at a time, off the GUI thread."""

    progressed = Signal(float)
    """The fraction of the current save written (emitted on the worker thread, delivered on the GUI thread)."""
    finished = Signal(object)
    """The save ended: ``None`` if it worked, else the exception that stopped it."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.bar = QProgressBar(window)
        self.bar.setObjectName("saveProgress")
        self.bar.setRange(0, PROGRESS_STEPS)
        self.bar.setMaximumWidth(180)
        self.bar.setFormat("Saving %p%")
        self.bar.setTextVisible(True)
        self.bar.hide()
        window.statusBar().addPermanentWidget(self.bar)
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.busy = False
        """A save is running."""

    def _show_progress(self, fraction: float) -> None:
        self.bar.setValue(round(PROGRESS_STEPS * max(0.0, min(1.0, fraction))))

    def save(self, path: str, snap: Snapshot) -> BaseException | None:
        """Write ``snap`` to ``path`` on a worker thread, processing events until it is done.

        Returns ``None`` on success, else the error (``SnapshotError``,
        ``OSError`` …); ``RuntimeError`` at once if a save is already running.
        """
        if self.busy:
            return RuntimeError("a save is still under way")
        self.busy = True
        self.bar.setValue(0)
        self.bar.setToolTip(f"Saving {Path(path).name}")
        self.bar.show()
        outcome: list[BaseException | None] = []
        loop = QEventLoop()
        self.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

        def work() -> None:
            try:
                session.save(path, snap, self.progressed.emit)
                outcome.append(None)
            except Exception as exc:  # reported to the user by the caller
                outcome.append(exc)
            self.finished.emit(outcome[-1])

        worker = threading.Thread(target=work, name="neuroviz-save", daemon=True)
        worker.start()
        loop.exec()  # returns once the worker's ``finished`` arrives (also if it came before this line)
        worker.join()
        self.finished.disconnect(loop.quit)
        self.bar.hide()
        self.busy = False
        return outcome[0]
