"""The monkey test: seeded random moves over the main window on each example find no fault.

Each example gets ``--monkey-actions`` random moves (menus, keys, mouse
gestures on every panel, resizes, docks, presentation mode, themes, dialogs
answered at random; see ``monkey.py``).  A Python exception or warning, or a
Qt warning, fails the test with the seed and the last moves; so does memory
that grows after the warm-up beyond ``MEMORY_SLACK_MIB`` (the timeline's own
share, bounded by its budget, is left out) or more live widgets than
``WIDGET_SLACK`` above the warm-up's.  ``scripts/monkey`` runs it longer.
"""

from __future__ import annotations

import pytest
from monkey import Monkey, MonkeyReport
from PySide6.QtCore import QSettings

from neuroviz.core.presets import PRESETS
from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.recovery_prompt import offer_recovery

SUITE_ACTIONS = 700
"""Moves per example in the suite's run (``--monkey-actions`` for more)."""
MEMORY_SLACK_MIB = 32.0
WIDGET_SLACK = 40


def check_memory(report: MonkeyReport) -> None:
    """Memory stops growing: over the second half of the run after the warm-up it grows less than
    ``MEMORY_SLACK_MIB`` (caches fill up early; a leak grows with the moves), and the live widgets
    number at most ``WIDGET_SLACK`` more at the end than after the warm-up."""
    warm, middle, end = report.samples[0], report.samples[len(report.samples) // 2], report.samples[-1]
    assert end.other_mib - middle.other_mib < MEMORY_SLACK_MIB, report.samples
    assert end.widgets - warm.widgets < WIDGET_SLACK, (report.samples, end.grown(warm))


@pytest.mark.parametrize("example", list(PRESETS))
def test_the_monkey(example, qtbot, tmp_path, request):
    actions = request.config.getoption("--monkey-actions") or SUITE_ACTIONS
    seed = request.config.getoption("--monkey-seed")
    model = AppModel(example)
    window = build_window(model, QSettings(), data_folder=tmp_path / "data")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    offer_recovery(window, window.autosave)  # as the app starts (nothing to restore here): autosave runs
    report = Monkey(window, seed, tmp_path / "files", example).run(actions)
    print(f"\n{MonkeyReport.HEADER}\n{report.row()}")
    check_memory(report)
