"""Edit ▸ Undo and Redo over a model's ``UndoStack``: named for what they undo, enabled when they can."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from neuroviz.model import UndoStack
from neuroviz.ui.binding import subscribe


def undo_redo_actions(stack: UndoStack, parent: QWidget, undo_prefix: str = "&Undo",
                      redo_prefix: str = "&Redo") -> tuple[QAction, QAction]:
    """Two actions that undo and redo on ``stack``; their texts read "Undo Brush stroke"."""
    undo, redo = QAction(undo_prefix, parent), QAction(redo_prefix, parent)
    undo.triggered.connect(stack.undo)
    redo.triggered.connect(stack.redo)

    def sync() -> None:
        undo.setText(f"{undo_prefix} {stack.undo_text}".rstrip())
        redo.setText(f"{redo_prefix} {stack.redo_text}".rstrip())
        undo.setEnabled(stack.can_undo)
        redo.setEnabled(stack.can_redo)

    subscribe(parent, stack.changed, sync)
    sync()
    return undo, redo
