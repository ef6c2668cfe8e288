"""Time travel in the window: ← / → and the scrubber show any recorded update bit for bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton, QSlider, QSpinBox

from neuroviz.core.trace import StepTrace
from neuroviz.io import snapshot
from neuroviz.ui.preferences import BUDGET_KEY, MIB, PreferencesDialog

pytestmark = pytest.mark.usefixtures("settings_path")


def same_bits(a: object, b: object) -> bool:
    """True if two traces (or their parts) hold the very same bits."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(
            same_bits(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(same_bits, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return isinstance(b, float) and np.float64(a).tobytes() == np.float64(b).tobytes()
    return a == b


def params(model) -> bytes:
    return model.network.flat_params().tobytes()


def press(qtbot, window, key: Qt.Key, n: int = 1, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    for _ in range(n):
        qtbot.keyClick(window, key, modifier)


def answer_fork(qtbot, button: str, seen: list[str]) -> None:
    """Click ``button`` (an object name, or "cancel") in the fork question once it is shown."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "forkBox":
            QTimer.singleShot(10, poll)
            return
        seen.append(box.text())
        target = box.button(QMessageBox.StandardButton.Cancel) if button == "cancel" else \
            box.findChild(QPushButton, button)
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, poll)


def reactivate(qtbot, window) -> None:
    """Make the window active again after a question (offscreen, nothing else does)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


@pytest.fixture
def window(main_window):
    """The main window with the inspector in front (a hidden inspector does not refresh)."""
    main_window.docks["inspectorDock"].raise_()
    return main_window


def inspector(window):
    return window.docks["inspectorDock"].widget()


def test_back_37_of_100_and_forward_again_bit_for_bit(window, qtbot):
    s = window.model
    taken: list[tuple[bytes, StepTrace, np.ndarray]] = []
    for _ in range(100):
        press(qtbot, window, Qt.Key.Key_Right)  # at the newest, → is Step
        taken.append((params(s), s.last_trace, s.input.copy()))
    assert s.trainer.step_count == 100 and s.time.history.last == 100

    press(qtbot, window, Qt.Key.Key_Left, 37)
    p63, trace63, _ = taken[62]
    assert s.trainer.step_count == 63 and not s.at_newest
    assert params(s) == p63
    assert s.last_trace is not trace63 and same_bits(s.last_trace, trace63)  # recomputed, the same bits
    qtbot.waitUntil(lambda: inspector(window).trace is s.last_trace)
    assert same_bits(inspector(window).trace, trace63)
    drawing = taken[0][2]
    assert s.input.tobytes() == drawing.tobytes()  # the drawing stays the user's
    assert s.shown().words() == "update 63 · after · your drawing"
    s.show("sample", 0)  # the update's batch is shown through the showing state
    assert s.shown().act(0).tobytes() == trace63.inputs[0].tobytes()
    s.show("drawing")
    loss_plot = window.docks["lossCurvesDock"].widget()
    window.docks["lossCurvesDock"].raise_()  # a tab behind another catches up when it comes into view
    qtbot.waitUntil(lambda: loss_plot.now_line.value() == 63)
    assert loss_plot.n_points == 100  # the later updates stay on the curve
    qtbot.waitUntil(lambda: window.status_labels["step"].text() == "step 63 of 100 (back in time)")
    timeline = window.docks["timelineDock"].widget()
    assert timeline.readout.text().replace("<b>", "").startswith("update 63</b> of 100")
    assert timeline.slider.value() == 63 and timeline.slider.maximum() == 100

    press(qtbot, window, Qt.Key.Key_Right, 37)
    p100, trace100, _ = taken[99]
    assert s.trainer.step_count == 100 and s.at_newest
    assert params(s) == p100 and same_bits(s.last_trace, trace100)
    assert s.input.tobytes() == drawing.tobytes()
    assert np.array_equal(s.trainer.history.values, [t.loss for _, t, _ in taken])

    press(qtbot, window, Qt.Key.Key_Right)  # at the newest: a new update
    assert s.trainer.step_count == 101 and s.time.history.last == 101


def test_the_scrubber_and_the_buttons_move_through_time(window, qtbot):
    s = window.model
    seen = {}
    for _ in range(40):
        s.step()
        seen[s.trainer.step_count] = params(s)
    timeline = window.docks["timelineDock"].widget()
    press(qtbot, window, Qt.Key.Key_Home, modifier=Qt.KeyboardModifier.ControlModifier)
    assert s.trainer.step_count == 0 and timeline.slider.value() == 0
    slider: QSlider = timeline.slider
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() * 3 // 4, slider.height() // 2))
    qtbot.waitUntil(lambda: s.trainer.step_count > 0)
    assert slider.value() == s.time.history.position == s.trainer.step_count
    assert params(s) == seen[s.trainer.step_count]
    at = s.trainer.step_count
    qtbot.mouseClick(timeline.back_button, Qt.MouseButton.LeftButton)
    assert s.trainer.step_count == at - 1 and params(s) == seen[at - 1]
    qtbot.mouseClick(timeline.forward_button, Qt.MouseButton.LeftButton)
    assert s.trainer.step_count == at and params(s) == seen[at]
    press(qtbot, window, Qt.Key.Key_End, modifier=Qt.KeyboardModifier.ControlModifier)
    assert s.at_newest and params(s) == seen[40]


@pytest.mark.parametrize("answer", ["discardButton", "keepBranchButton", "cancel"])
def test_training_from_a_past_moment_asks(window, qtbot, answer):
    s = window.model
    for _ in range(10):
        s.step()
    p10 = params(s)
    press(qtbot, window, Qt.Key.Key_Left, 4)
    p6 = params(s)
    asked: list[str] = []
    answer_fork(qtbot, answer, asked)
    editor = window.docks["pixelEditorDock"].widget()
    qtbot.mouseClick(editor.findChild(QPushButton, "trainOnDrawing"), Qt.MouseButton.LeftButton)
    assert asked and "update 6 of 10" in asked[0]
    if answer == "cancel":
        assert (s.time.history.position, s.time.history.last, params(s)) == (6, 10, p6)
        assert not s.time.history.branches
        return
    assert s.at_newest and s.time.history.last == 7 and s.trainer.step_count == 7
    assert s.time.history.kind(7) == "input"
    if answer == "discardButton":
        assert not s.time.history.branches
        return
    # The kept updates 7–10 come back from History ▸ Branches.
    timeline = window.docks["timelineDock"].widget()
    assert timeline.branch_button.text() == "Branches (1)"
    timeline.branch_menu.aboutToShow.emit()
    entry = timeline.branch_menu.actions()[0]
    assert entry.text() == "From update 6: 4 later moments (to update 10)"
    entry.trigger()
    assert s.trainer.step_count == 10 and params(s) == p10 and s.at_newest
    assert len(s.time.history.branches) == 1  # the drawn update is the branch now


def test_playing_from_a_past_moment_asks_and_then_trains_on(window, qtbot):
    s = window.model
    for _ in range(5):
        s.step()
    press(qtbot, window, Qt.Key.Key_Left, 2)
    asked: list[str] = []
    answer_fork(qtbot, "discardButton", asked)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: s.trainer.step_count > 3)
    reactivate(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Space)
    assert asked and not s.running and s.at_newest and not s.time.history.branches


def test_arrow_keys_have_one_action_each_and_the_menus_name_them(window):
    def owners(key: str) -> list[str]:
        return [a.objectName() for a in window.findChildren(QAction) if a.shortcut() == QKeySequence(key)]

    assert owners("Right") == ["stepAction"]
    assert owners("Left") == ["stepBackAction"]
    texts = [a.text().replace("&", "") for a in window.history_menu.actions()]
    assert texts[:2] == ["Step back", "Step"]
    assert "Undo" in window.undo_action.text() and "drawing" in window.undo_action.toolTip()
    assert "Step back" in window.undo_action.toolTip()


def test_the_memory_budget_preference_holds(window, qtbot):
    s = window.model
    assert s.time.history.budget_bytes == 128 * MIB  # the default
    window.preferences_action.trigger()
    dialog = window.findChild(PreferencesDialog)
    qtbot.waitUntil(dialog.isVisible)
    spin = dialog.findChild(QSpinBox, "budgetSpin")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert s.time.history.budget_bytes == MIB and int(QSettings().value(BUDGET_KEY)) == 1

    while s.time.history.first == 0:  # many updates: the oldest are forgotten, the budget holds
        s.train_for(5.0, 2000)
        assert s.time.history.memory_bytes <= MIB
    newest = params(s)
    s.go_to(s.time.history.first)
    assert s.time.history.memory_bytes <= MIB
    s.go_to(s.time.history.last)
    assert params(s) == newest

    shown = PreferencesDialog(s, QSettings(), window)
    assert "older ones were forgotten" in shown.reach_label.text()
    assert shown.used_label.text().endswith("of 1 MiB")
    shown.deleteLater()


def test_the_saved_budget_applies_to_a_new_window(qtbot, model):
    from neuroviz.ui.composition import build_window

    QSettings().setValue(BUDGET_KEY, 3)
    window = build_window(model, QSettings())
    qtbot.addWidget(window)
    assert model.time.history.budget_bytes == 3 * MIB
    model.load_example("digits")  # a new network keeps the budget
    assert model.time.history.budget_bytes == 3 * MIB


def test_replay_after_reopening_a_snapshot_is_deterministic(window, qtbot, tmp_path):
    s = window.model
    for _ in range(12):
        s.step()
    trace12 = s.last_trace
    path = tmp_path / "run.nvz"
    snapshot.save(path, s.snapshot_state())
    for _ in range(20):
        s.step()
    expected = params(s), s.last_trace

    assert window.file_actions.open_path(str(path), ask=False)
    assert s.trainer.step_count == 12 and s.time.history.position == s.time.history.first == 0
    press(qtbot, window, Qt.Key.Key_Right, 20)
    assert params(s) == expected[0] and same_bits(s.last_trace, expected[1])
    trace32 = s.last_trace
    press(qtbot, window, Qt.Key.Key_Left, 20)
    assert s.trainer.step_count == 12 and s.time.history.position == 0  # the opened state starts the timeline
    assert same_bits(s.last_trace, trace12)  # with the snapshot's last update
    press(qtbot, window, Qt.Key.Key_Left)  # nothing before it
    assert s.time.history.position == 0
    press(qtbot, window, Qt.Key.Key_Right, 20)
    assert params(s) == expected[0] and same_bits(s.last_trace, trace32)


def test_an_update_walked_phase_by_phase_is_recorded_and_asks_in_the_past(window, qtbot):
    s = window.model
    for _ in range(3):
        s.step()
    trace = s.begin_phased_step()
    while s.phase is not None:
        s.next_phase()
    assert s.time.history.last == 4 and s.time.history.kind(4) == "update" and s.last_trace is trace
    p4 = params(s)
    press(qtbot, window, Qt.Key.Key_Left, 2)
    asked: list[str] = []
    answer_fork(qtbot, "cancel", asked)
    assert s.begin_phased_step() is None and s.phase is None
    assert asked and s.time.history.last == 4
    reactivate(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Right, 2)
    assert params(s) == p4 and same_bits(s.last_trace, trace)
