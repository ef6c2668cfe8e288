"""Qt's console messages, less those that say nothing to a user."""

from __future__ import annotations

import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

QUIET_MESSAGES = ("does not support propagateSizeHints",)
"""Qt's messages that say nothing to a user (the offscreen and some X11 platforms print them for every window)."""


def quiet_qt_messages() -> None:
    """Print Qt's messages as Qt would, less ``QUIET_MESSAGES`` (for the app and the command line, not tests)."""

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if not any(quiet in message for quiet in QUIET_MESSAGES):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
