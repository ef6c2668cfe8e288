"""The small × button that closes an inline message or card (the training panel's banner, the tour)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QToolButton, QWidget


def close_button(parent: QWidget, name: str, tip: str, slot: Callable[[], object]) -> QToolButton:
    """A flat ``×`` button named ``name`` that calls ``slot`` when clicked."""
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText("×")
    button.setAutoRaise(True)
    button.setToolTip(tip)
    button.clicked.connect(lambda _=False: slot())
    return button
