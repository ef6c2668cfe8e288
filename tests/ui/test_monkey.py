"""The monkey test: seeded random moves over the main window on each example find no fault.

Each example gets ``--monkey-actions`` random moves (menus, keys, mouse
gestures on every panel, resizes, docks, presentation mode, themes, dialogs
answered at random; see ``monkey.py``).  A Python exception or warning, or a
Qt warning, fails the test with the seed and the last moves; so does memory
that still grows in the second half of the run (``check_memory``; the
timeline's own share, bounded by its budget, is left out) or more live
widgets than ``WIDGET_SLACK`` above the warm-up's.  One more run ends its
window as a crash would and goes on over the restored autosave.
``scripts/monkey`` runs them longer (``--monkey-actions``, ``--monkey-seed``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from monkey import Monkey, MonkeyReport
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from neuroviz.core.presets import PRESETS
from neuroviz.io import recovery
from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.main_window import MainWindow
from neuroviz.ui.recovery_prompt import offer_recovery

SUITE_ACTIONS = 600
"""Moves per example in the suite's run (``--monkey-actions`` for more)."""
CRASH_ACTIONS = 200
"""Moves before and after the crash of ``test_the_monkey_goes_on_after_a_crash``."""
MEMORY_SLACK_MIB = 32.0
"""Growth (MiB) allowed in the second half: well above the few MiB caches still take there."""
WIDGET_SLACK = 40
"""More live widgets allowed at the end than after the warm-up (a dialog or popup may be open)."""


def check_memory(report: MonkeyReport) -> None:
    """Memory stops growing.

    From the middle of the samples after the warm-up (or, if later, the first
    sample after the last module was imported: the app imports onnx and
    nbformat on first use, tens of MiB at once) to the end, memory less the
    timeline grows less than ``MEMORY_SLACK_MIB``: caches fill up early, a
    leak grows with the moves.  The live widgets number at most
    ``WIDGET_SLACK`` more at the end than after the warm-up.
    """
    samples = report.samples
    end = samples[-1]
    first_with_all_modules = next(i for i, s in enumerate(samples) if s.modules == end.modules)
    since = samples[max(len(samples) // 2, first_with_all_modules)]
    assert end.other_mib - since.other_mib < MEMORY_SLACK_MIB, report.trend()
    assert end.widgets - samples[0].widgets < WIDGET_SLACK, (samples, end.grown(samples[0]))


@pytest.fixture(autouse=True)
def application_as_it_was(qapp, qtbot):
    """The monkey leaves a theme's palette on the application, and floated docks open: put back the palette
    and the font, and delete the monkey's windows (and their floating docks) before the next test."""
    palette, font = QPalette(qapp.palette()), QFont(qapp.font())
    yield
    for widget in qapp.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.setPalette(palette)
    qapp.setFont(font)


def open_window(qtbot, example: str, data: Path) -> MainWindow:
    """The window on ``example`` as the app opens it (autosaving to ``data``), shown at 1280×720."""
    window = build_window(AppModel(example), QSettings(), data_folder=data)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    return window


@pytest.mark.parametrize("example", list(PRESETS))
def test_the_monkey(example, qtbot, tmp_path, request):
    actions = request.config.getoption("--monkey-actions") or SUITE_ACTIONS
    seed = request.config.getoption("--monkey-seed")
    window = open_window(qtbot, example, tmp_path / "data")
    offer_recovery(window, window.autosave)  # as the app starts (nothing to restore here): autosave runs
    report = Monkey(window, seed, tmp_path / "files", example).run(actions)
    print(f"\n{MonkeyReport.HEADER}\n{report.row()}\n{report.trend()}")
    check_memory(report)


def test_the_monkey_goes_on_after_a_crash(qtbot, tmp_path, request):
    """A window that ends without closing leaves its autosave; the next start offers it (answered at random)
    and the monkey goes on over what it restored."""
    seed = request.config.getoption("--monkey-seed")
    window = open_window(qtbot, "circles-squares", tmp_path / "data")
    offer_recovery(window, window.autosave)
    Monkey(window, seed, tmp_path / "files", "circles-squares").run(CRASH_ACTIONS)
    assert window.autosave is not None
    window.autosave.timer.stop()
    window.model.stop()
    window.autosave.policy.save_now()  # its last autosave
    window.hide()  # gone without closing, as after a kill: the recovery file stays
    assert recovery.read(tmp_path / "data") is not None
    again = open_window(qtbot, "circles-squares", tmp_path / "data")
    monkey = Monkey(again, seed + 1, tmp_path / "files", "circles-squares")
    monkey.call("offer the recovery file", lambda: offer_recovery(again, again.autosave))
    report = monkey.run(CRASH_ACTIONS)
    check_memory(report)
