"""The autosave timer: asks the autosave policy, on the GUI thread, whether a save is due."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from neuroviz.model.autosave import Autosave

POLL_MS = 500
"""How often the policy is asked (asking is cheap; it saves at most once per its interval)."""


class AutosaveTimer(QObject):
    """Polls ``policy`` every ``POLL_MS`` once started; a save runs between training slices."""

    def __init__(self, policy: Autosave, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy = policy
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(policy.poll)

    def start(self) -> None:
        """Watch the model and autosave from now on."""
        self.policy.start()
        self.timer.start()

    def clean_quit(self) -> None:
        """The window closed on purpose: stop, and remove the recovery file."""
        self.timer.stop()
        self.policy.discard()
