"""An undo stack of commands, without Qt.

A command is anything with a ``text`` (what the Edit menu names: "Brush
stroke") and ``redo()`` / ``undo()`` methods.  ``push`` runs the command's
``redo`` and drops whatever had been undone; ``undo`` and ``redo`` walk the
stack.  ``changed`` is emitted after every change of the stack, so that a
view can update its Undo and Redo actions (their text and whether they are
enabled).
"""

from __future__ import annotations

from typing import Protocol

from psygnal import Signal


class Command(Protocol):
    """One undoable change."""

    @property
    def text(self) -> str: ...

    def redo(self) -> None: ...

    def undo(self) -> None: ...


class UndoStack:
    """Commands done (``index`` of them) and undone (the rest), oldest first."""

    changed = Signal()
    """The stack changed: a push, an undo, a redo or a clear."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0

    def push(self, command: Command) -> None:
        """Do ``command`` and put it on top (the commands undone before are dropped)."""
        command.redo()
        del self._commands[self._index :]
        self._commands.append(command)
        self._index = len(self._commands)
        self.changed.emit()

    def undo(self) -> None:
        """Undo the last command done (nothing if there is none)."""
        if self._index:
            self._index -= 1
            self._commands[self._index].undo()
            self.changed.emit()

    def redo(self) -> None:
        """Redo the last command undone (nothing if there is none)."""
        if self._index < len(self._commands):
            self._commands[self._index].redo()
            self._index += 1
            self.changed.emit()

    def clear(self) -> None:
        """Forget every command."""
        if self._commands:
            self._commands.clear()
            self._index = 0
            self.changed.emit()

    @property
    def index(self) -> int:
        """How many commands are done (the rest are undone)."""
        return self._index

    def __len__(self) -> int:
        return len(self._commands)

    def text(self, i: int) -> str:
        """The name of command ``i`` (0 is the oldest)."""
        return self._commands[i].text

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_text(self) -> str:
        """The name of the command ``undo`` would undo ("" if none)."""
        return self._commands[self._index - 1].text if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        """The name of the command ``redo`` would redo ("" if none)."""
        return self._commands[self._index].text if self.can_redo else ""
