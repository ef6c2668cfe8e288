"""A progress dialog for a long import that runs on the GUI thread: the window keeps answering, Cancel stops it."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from neuroviz.core.numbers import count

REFRESH_SECONDS = 0.03
"""Events are processed (and the bar moved) at most this often."""
SHOW_AFTER_MS = 400
"""Imports that end sooner never show the dialog."""


class ImportProgress:
    """``progress(done, total)`` for ``neuroviz.io.dataset_import``: a window-modal bar with Cancel.

    Returns False once the user has pressed Cancel.  ``cancelled`` tells
    afterwards whether the import was stopped that way.
    """

    def __init__(self, parent: QWidget, text: str = "Reading images…") -> None:
        self._parent = parent
        self._text = text
        self.dialog: QProgressDialog | None = None
        self._last = 0.0
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled or (self.dialog is not None and self.dialog.wasCanceled())

    def __call__(self, done: int, total: int) -> bool:
        if self.dialog is None:
            self.dialog = QProgressDialog(self._text, "Cancel", 0, total, self._parent)
            self.dialog.setObjectName("importProgress")
            self.dialog.setWindowTitle("Import")
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)
            self.dialog.setValue(0)
        now = time.perf_counter()
        if now - self._last >= REFRESH_SECONDS:
            self._last = now
            self.dialog.setLabelText(f"{self._text} {count(done)} of {count(total)}")
            self.dialog.setValue(done)  # also shows the dialog once the import has taken SHOW_AFTER_MS
            QCoreApplication.processEvents()
        return not self.dialog.wasCanceled()

    def close(self) -> None:
        """Take the dialog down (after the import ended, however it ended); closing twice is harmless."""
        if self.dialog is not None:
            self._cancelled = self.dialog.wasCanceled()  # reset() forgets it
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
