"""At start-up: offer to restore the session autosaved before the app was killed.

``offer_recovery(window, autosave)`` reads the recovery file (before the
autosave timer starts, so nothing overwrites it first).  If there is one, a
box says what it holds (title, update number, time of the autosave) and
offers Restore / Discard; a damaged file is reported, set aside and ignored.
"""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QMessageBox, QWidget

from neuroviz.core.numbers import count
from neuroviz.io import recovery
from neuroviz.io.recovery import Recovered, RecoveryError
from neuroviz.ui.autosave_timer import AutosaveTimer


def describe(found: Recovered) -> str:
    """What the recovery file holds, in words: its title, update number, autosave time and file."""
    stamp = time.strftime("%d %b %Y, %H:%M:%S", time.localtime(found.saved_at))
    where = f"<br>Its file: {html.escape(found.file_path)}" if found.file_path else "<br>It was never saved to a file."
    return f"<b>{html.escape(found.title or 'untitled')}</b> at update {count(found.step)}, autosaved {stamp}.{where}"


class RecoveryPrompt(QMessageBox):
    """Restore / Discard for ``found`` (object name ``recoveryBox``; buttons ``restoreButton``, ``discardButton``)."""

    def __init__(self, found: Recovered, parent: QWidget | None) -> None:
        super().__init__(QMessageBox.Icon.Question, "Restore the last session?",
                         "<b>neuroviz did not close properly last time.</b> The session was autosaved:",
                         QMessageBox.StandardButton.NoButton, parent)
        self.setObjectName("recoveryBox")
        self.setInformativeText(describe(found) + "<br><br><b>Restore</b> opens it as unsaved changes; "
                                "<b>Discard</b> deletes it.")
        self.restore_button = self.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("restoreButton")
        self.discard_button = self.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("discardButton")
        self.setDefaultButton(self.restore_button)
        self.setEscapeButton(self.restore_button)  # closing the box loses nothing: only Discard deletes


def report_damaged(parent: QWidget | None, problem: str, aside: str) -> None:
    """Say that the recovery file could not be read (modal; object name ``recoveryErrorBox``)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Cannot restore the last session",
                      "The autosaved session could not be read, so it is not offered.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("recoveryErrorBox")
    box.setInformativeText(f"{problem}<br><br>The file was set aside as {aside}.")
    box.exec()
    box.deleteLater()


def offer_recovery(window: QWidget, autosave: AutosaveTimer) -> bool:
    """Offer the recovery file in ``autosave``'s folder, if any, then start autosaving; True if restored."""
    policy = autosave.policy
    restored = False
    try:
        found = recovery.read(policy.folder)
    except RecoveryError as exc:
        report_damaged(window, str(exc), str(recovery.set_aside(policy.folder)))
        found = None
    if found is not None:
        prompt = RecoveryPrompt(found, window)
        prompt.exec()
        restored = prompt.clickedButton() is not prompt.discard_button
        prompt.deleteLater()
        if restored:
            policy.restore(found)
        else:
            policy.discard()
    autosave.start()
    return restored
