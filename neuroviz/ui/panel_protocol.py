"""What every dock panel declares to the window, and what the window hands every panel.

A panel is built from a ``PanelContext`` (the model and the training loop,
made once by the composition root).  It tells the window which keys act
inside it (``key_help``, for Help ▸ Keyboard shortcuts) and which of its
actions belong in the window's menus (``menu_entries``); the window reads
nothing else of a panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from neuroviz.model import AppModel
    from neuroviz.ui.training_loop import TrainingLoop


@dataclass(frozen=True)
class MenuEntry:
    """An action or a sub-menu a panel offers for the window's menu ``menu`` ("Edit", "History").

    Entries of one menu are placed by ``order``; ``separator_before`` starts a
    group.  ``window_wide`` makes the action's shortcut work anywhere in the
    window (text fields keep their own keys), and triggering it brings the
    panel forward.
    """

    menu: str
    order: int
    action: QAction | None = None
    submenu: QMenu | None = None
    separator_before: bool = False
    window_wide: bool = False


@runtime_checkable
class Panel(Protocol):
    """What the window may ask of a dock panel."""

    def key_help(self) -> list[tuple[str, str]]:
        """(what, keys) rows of the keys that act inside the panel."""
        ...

    def menu_entries(self) -> list[MenuEntry]:
        """The panel's actions for the window's menus."""
        ...


@dataclass(frozen=True)
class PanelContext:
    """What the composition root hands each panel: the one model, the one training loop, and the window's
    settings (where a panel keeps its preferences)."""

    model: AppModel
    loop: TrainingLoop
    settings: QSettings
