"""Every key the main window answers, where it acts and what it does: for Help and for the one-meaning rule.

A key acts in a *context*, a path from the window inward: ``("window",)``
for the window's shortcuts (menus, Play, Step, the walk), ``("window",
"inspectorDock")`` for the keys a panel answers while it has focus (its
``Panel.key_help`` rows) and ``("window", "diagram")`` for the diagram's own
keys.  Two contexts overlap when one path starts the other: a window
shortcut overlaps every panel.  ``conflicts`` lists the keys that mean two
commands in overlapping contexts; the window has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMenu, QWidget

from neuroviz.ui.diagram import DIAGRAM_KEYS
from neuroviz.ui.panel_protocol import Panel

WINDOW = ("window",)
_PLACE = re.compile(r"\s*\(([^()]*)\)$")


@dataclass(frozen=True)
class KeyUse:
    """One key sequence (``keys``, portable text such as ``Ctrl+Shift+P``), what it does and where."""

    keys: str
    command: str
    context: tuple[str, ...]
    label: str = ""
    """How Help ▸ Keyboard shortcuts names it (a menu entry's text; a panel's row with its place)."""


def portable(keys: str | QKeySequence) -> str:
    """A key sequence in Qt's portable text (``Esc``, ``Ctrl+Shift+P``), the same whichever way it was written."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.PortableText)


def action_command(action: QAction) -> str:
    """What an action does, in words: its tooltip without the ``(keys)`` it names, else its text."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = action.toolTip().removesuffix(f" ({keys})")
    return tip or action.text().replace("&", "").rstrip("…")


def window_key_uses(window: QWidget, panels: Mapping[str, Panel], menus: Iterable[QMenu] = ()) -> list[KeyUse]:
    """Every key of ``window``: its window-wide actions (and the actions of ``menus``), buttons, panels, diagram.

    Actions that act only inside a panel are listed by the panel's
    ``key_help`` (their place in parentheses ends each row's text).
    """
    uses: list[KeyUse] = []
    actions = [a for a in window.findChildren(QAction)
               if a.shortcutContext() in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)]
    in_menus = [a for menu in menus for a in _menu_actions(menu)]
    seen: set[int] = set()
    for action in [*in_menus, *actions]:
        if id(action) in seen or not action.associatedObjects():
            continue
        seen.add(id(action))
        label = action.text().replace("&", "").rstrip("…") if action in in_menus else action_command(action)
        uses += [KeyUse(portable(k), action_command(action), WINDOW, label)
                 for k in action.shortcuts() if not k.isEmpty()]
    for button in window.findChildren(QAbstractButton):
        keys = button.shortcut()
        if not keys.isEmpty():  # a button's own shortcut acts anywhere in its window
            tip = _PLACE.sub("", button.toolTip())
            uses.append(KeyUse(portable(keys), tip or button.text(), WINDOW, tip or button.text()))
    for name, panel in panels.items():
        for what, keys in panel.key_help():
            match = _PLACE.search(what)
            command = what[:match.start()] if match else what
            uses.append(KeyUse(portable(keys), command, (*WINDOW, name), what))
    uses += [KeyUse(portable(keys), what, (*WINDOW, "diagram"), f"{what} (on the diagram)")
             for keys, what in DIAGRAM_KEYS]
    return uses


def _menu_actions(menu: QMenu) -> list[QAction]:
    out: list[QAction] = []
    for action in menu.actions():
        out += _menu_actions(action.menu()) if action.menu() is not None else [action]
    return out


def overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether keys of context ``a`` and context ``b`` can both act at once (one path starts the other)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def conflicts(uses: Iterable[KeyUse]) -> list[tuple[KeyUse, KeyUse]]:
    """Pairs of uses of one key sequence with different commands in overlapping contexts."""
    by_keys: dict[str, list[KeyUse]] = {}
    for use in uses:
        by_keys.setdefault(use.keys, []).append(use)
    return [(a, b) for group in by_keys.values() for i, a in enumerate(group) for b in group[i + 1:]
            if a.command != b.command and overlap(a.context, b.context)]


__all__ = ["KeyUse", "action_command", "conflicts", "overlap", "portable", "window_key_uses"]
