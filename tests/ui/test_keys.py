"""No key means two things: every shortcut of the window, where it acts, and the README and Help that list them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTableWidget

from neuroviz.core.selection import Selection
from neuroviz.ui.help_dialogs import shortcut_rows
from neuroviz.ui.key_map import KeyUse, conflicts, portable

README = Path(__file__).resolve().parents[2] / "README.md"


def test_no_key_sequence_means_two_commands_in_overlapping_contexts(main_window):
    uses = main_window.key_uses()
    assert len(uses) > 40
    assert conflicts(uses) == []
    keys = {u.keys for u in uses}
    # the walk, fitting and cancelling each have a key of their own
    assert {"W", "N", "B", "F", "C", "Home", "Esc", "F11", "F1", "Space", "Right", "Left"} <= keys
    by_keys: dict[str, set[str]] = {}
    for use in uses:
        by_keys.setdefault(use.keys, set()).add(use.command)
    assert by_keys["F"] == {"Complete the update: apply it, exactly as a direct step"}
    assert len(by_keys["Right"]) == 1 and len(by_keys["N"]) == 1  # Step, Next: the grid shifts with Shift+→


def test_the_rule_finds_a_clash_in_overlapping_contexts_only():
    window_f = KeyUse("F", "Finish", ("window",))
    assert conflicts([window_f, KeyUse("F", "Fit", ("window", "diagram"))]) != []  # the clash there was
    assert conflicts([window_f, KeyUse("F", "Finish", ("window", "inspectorDock"))]) == []  # one command
    assert conflicts([KeyUse("Esc", "Clear the selection", ("window", "diagram")),
                      KeyUse("Esc", "Cancel the stroke", ("window", "pixelEditorDock"))]) == []  # apart


def test_f_finishes_a_walk_even_on_the_diagram_and_esc_there_only_clears_the_selection(qtbot, main_window, model):
    diagram = main_window.diagram
    diagram.zoom_by(1.25)
    scale = diagram.scale
    model.begin_phased_step()
    model.select(Selection("neuron", 1, 0))
    diagram.setFocus()
    qtbot.keyClick(diagram, Qt.Key.Key_Escape)
    assert model.selection is None and model.pending_trace is not None  # the walk goes on
    qtbot.keyClick(diagram, Qt.Key.Key_N)
    assert model.phase == model.phases[1]
    qtbot.keyClick(diagram, Qt.Key.Key_F)
    assert model.pending_trace is None and model.trainer.step_count == 1  # finished, not fitted
    assert diagram.scale == pytest.approx(scale)
    qtbot.keyClick(diagram, Qt.Key.Key_Home)
    assert diagram.scale != pytest.approx(scale)
    editor = main_window.panels["pixelEditorDock"]
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_W)  # a walk starts from the input panel's focus too
    assert model.pending_trace is not None
    before = model.input.copy()
    qtbot.keyClick(editor.grid, Qt.Key.Key_N)  # Next, not Noise
    assert np.array_equal(model.input, before) and model.phase == model.phases[1]
    qtbot.keyClick(editor.grid, Qt.Key.Key_C)
    assert model.pending_trace is None and model.trainer.step_count == 1


def test_tooltips_help_and_readme_name_the_same_keys(main_window):
    uses = main_window.key_uses()
    for action in main_window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and action.associatedObjects() and action.toolTip():
            assert action.toolTip().endswith(f"({keys})"), action.text()
    main_window.shortcuts_action.trigger()  # Help ▸ Keyboard shortcuts lists every key of the map
    table = main_window.shortcuts_dialog.findChild(QTableWidget, "shortcutsTable")
    listed = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert {QKeySequence(u.keys).toString(QKeySequence.SequenceFormat.NativeText) for u in uses} <= listed
    assert [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(len(shortcut_rows(uses)))] == \
        shortcut_rows(uses)
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Keys"):]
    section = section[:section.index("\n## ", 1)]
    in_readme = {portable(k) for row in section.splitlines() if row.startswith("| `")
                 for k in re.findall(r"`([^`]+)`", row.split("|")[1])}
    in_window = {u.keys for u in uses}
    assert in_readme == in_window, (in_readme - in_window, in_window - in_readme)
