"""The Lessons panel, driven by a student with real clicks and keys: lesson 1 start to finish, and lesson 2's
painting detected from real mouse strokes on the pixel editor."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QRadioButton

from neuroviz.core.datasets import builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.ui.lessons_panel import PROGRESS_KEY, ChoiceLabel, LessonsPanel


def click(qtbot, widget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos if pos is not None else widget.rect().center())


def open_lessons(qtbot, window, hidden: bool = True) -> LessonsPanel:
    """Ctrl+L shows the Lessons dock (``hidden``: as in the default layout)."""
    dock = window.docks["lessonsDock"]
    assert dock.isHidden() == hidden
    if hidden:
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(dock.isVisible)
    panel = window.panels["lessonsDock"]
    assert isinstance(panel, LessonsPanel)
    return panel


def start(qtbot, panel: LessonsPanel, row: int) -> None:
    item = panel.lesson_list.item(row)
    click(qtbot, panel.lesson_list.viewport(), panel.lesson_list.visualItemRect(item).center())
    assert panel.lesson_list.currentRow() == row
    click(qtbot, panel.start_button)
    assert panel.run.active and panel.pages.currentIndex() == 1


def choose(qtbot, panel: LessonsPanel, number: int) -> None:
    """Click the text of choice ``number`` (from 1) and then Check."""
    row = panel.choice_rows[number - 1]
    click(qtbot, row.findChild(ChoiceLabel))
    assert row.findChild(QRadioButton).isChecked()
    click(qtbot, panel.check_button)


def type_answer(qtbot, panel: LessonsPanel, text: str) -> None:
    panel.answer_field.setFocus()
    qtbot.keyClicks(panel.answer_field, text)
    qtbot.keyClick(panel.answer_field, Qt.Key.Key_Return)


def next_step(qtbot, panel: LessonsPanel, title: str) -> None:
    assert panel.next_button.isEnabled(), panel.run.state
    click(qtbot, panel.next_button)
    assert panel.run.step is not None and panel.run.step.title == title
    assert title in panel.header.text()


def test_a_student_does_lesson_1_start_to_finish(qtbot, main_window, model):
    own = Network(NetworkConfig((64, 8, 2), seed=3))
    model.open(own, builtin_dataset("circles-squares"), title="mine")
    model.step()  # the student's own network has unsaved changes
    panel = open_lessons(qtbot, main_window)
    start(qtbot, panel, 0)
    assert model.network.sizes == (4, 3, 2)
    assert "Figure 4" in panel.header.text() and not panel.back_button.isEnabled()
    body = QImage(panel.body.viewport().size(), QImage.Format.Format_RGB32)
    panel.body.viewport().render(body)
    assert len({body.pixel(x, y) for x in range(0, body.width(), 3) for y in range(0, 60, 3)}) > 2  # text drawn

    next_step(qtbot, panel, "The input encoding")
    assert "a = (0.75, 0.5, 0.25, 1)" in panel.run.state.text
    assert not panel.question.isVisible() and not panel.next_button.isEnabled()
    diagram = main_window.diagram
    click(qtbot, diagram, diagram.neuron_screen_pos(0, 3).toPoint())  # the task: click a_4
    qtbot.waitUntil(lambda: panel.question.isVisible())
    assert "✓ Done." in panel.body.toPlainText()
    choose(qtbot, panel, 2)  # wrong: a_2
    assert "Not this one" in panel.feedback.text() and not panel.next_button.isEnabled()
    choose(qtbot, panel, 4)
    assert panel.feedback.text().endswith("Right.</span>") and "a_4 = 1" in panel.run.state.done_text

    next_step(qtbot, panel, "The forward pass")
    assert panel.answer_field.isVisible()
    type_answer(qtbot, panel, "0.5")
    assert "off by more than" in panel.feedback.text()
    panel.answer_field.clear()
    type_answer(qtbot, panel, "0.45")
    assert panel.run.state.complete

    next_step(qtbot, panel, "Softmax")
    type_answer(qtbot, panel, "0.400")

    next_step(qtbot, panel, "The loss")
    assert "0.5108" in panel.run.state.text and "0.2218" in panel.run.state.text
    assert panel.choice_rows[0].findChild(QRadioButton).accessibleName().startswith("0.5108")
    choose(qtbot, panel, 1)

    next_step(qtbot, panel, "The output error δ")
    assert not panel.question.isVisible()
    qtbot.keyClick(main_window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # View ▸ Neurons ▸ Errors δ
    assert model.node_mode == "deltas"
    qtbot.waitUntil(lambda: panel.question.isVisible())
    type_answer(qtbot, panel, "0.12")

    next_step(qtbot, panel, "The δ recursion and its indicator")
    assert model.selection is not None and model.selection.label() == "b_3"
    choose(qtbot, panel, 2)

    next_step(qtbot, panel, "The update")
    diagram.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_Right)  # Step (→)
    qtbot.waitUntil(lambda: panel.question.isVisible())
    assert abs(model.network.weights[1][0, 0] - 0.8012) < 1e-12
    type_answer(qtbot, panel, "0.505")
    assert "0.8012" in panel.run.state.done_text

    next_step(qtbot, panel, "Mini-batch means")
    assert model.trainer.batch_size == 8
    diagram.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: panel.question.isVisible())
    choose(qtbot, panel, 1)
    assert panel.next_button.text() == "Finish"
    click(qtbot, panel.next_button)

    # Left: the student's own network is back, still unsaved, and the progress is kept.
    assert not panel.run.active and panel.pages.currentIndex() == 0
    assert model.network.sizes == (64, 8, 2) and model.trainer.step_count == 1 and model.document.modified
    assert int(QSettings().value(PROGRESS_KEY + "01-paper")) == 9
    assert panel.lesson_list.item(0).text().startswith("✓ 1. The paper")


def _drag(qtbot, grid, cells) -> None:
    """A stroke with the left button held from the first cell through the others."""
    centre = [grid.cell_rect(*c).center() for c in cells]
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=centre[0])
    for pos in centre[1:]:
        QApplication.sendEvent(grid, QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(grid.mapToGlobal(pos)),
                                                 Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                                                 Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=centre[-1])


def test_lesson_2_sees_the_painting_done_by_mouse_strokes(qtbot, main_window, model):
    panel = open_lessons(qtbot, main_window)
    start(qtbot, panel, 1)
    assert model.trainer.step_count == 3000 and model.probabilities()[1] > 0.9  # a square, says the network
    assert not panel.run.state.task_done
    editor = main_window.panels["pixelEditorDock"]
    click(qtbot, editor.tool_buttons["clear"])
    assert not panel.run.state.task_done
    ring = [(1, c) for c in range(2, 6)] + [(r, 6) for r in range(2, 6)] + [(6, c) for c in range(5, 1, -1)] \
        + [(r, 1) for r in range(5, 1, -1)]
    _drag(qtbot, editor.grid, ring[:8])
    _drag(qtbot, editor.grid, ring[8:])
    drawn = model.input.reshape(8, 8)
    assert drawn[1, 2:6].tolist() == [1, 1, 1, 1] and drawn[0].sum() == 0 and drawn[3, 3] == 0
    qtbot.waitUntil(lambda: panel.run.state.task_done)
    assert model.probabilities()[0] > 0.8 and panel.run.state.complete
    assert "✓ Done." in panel.body.toPlainText() and "Persuaded" in panel.body.toPlainText()

    next_step(qtbot, panel, "Train one step on it")
    assert model.target == 0  # the step made the drawing's target "circle"
    p_before = model.probabilities()[0]
    click(qtbot, editor.train_button)  # Train on this drawing
    qtbot.waitUntil(lambda: panel.question.isVisible())
    assert model.probabilities()[0] > p_before
    choose(qtbot, panel, 1)
    assert f"{p_before:.4f}"[:5] in panel.run.state.done_text
    click(qtbot, panel.next_button)  # Finish
    assert not panel.run.active and model.network.sizes == (64, 16, 16, 2) and model.trainer.step_count == 0
    assert np.all(model.input == model.dataset.X[0])


def test_leaving_mid_lesson_and_quitting_bring_the_own_network_back(qtbot, main_window, model):
    panel = open_lessons(qtbot, main_window)
    start(qtbot, panel, 3)
    assert model.network.sizes == (4, 3, 2)
    click(qtbot, panel.leave_button)
    assert not panel.run.active and model.network.sizes == (64, 16, 16, 2)
    start(qtbot, panel, 3)
    assert main_window.confirm_discard()  # File ▸ Open, New, Quit first leave the lesson
    assert not panel.run.active and model.network.sizes == (64, 16, 16, 2)


def test_progress_is_kept_between_runs_and_continue_replays_the_steps_done(qtbot, show):
    from neuroviz.model import AppModel
    from neuroviz.ui.composition import build_window

    first = show(build_window(AppModel(), QSettings()), (1280, 720))
    panel = open_lessons(qtbot, first)
    start(qtbot, panel, 0)
    click(qtbot, panel.next_button)
    assert panel.run.play_solution() == ""  # the input encoding, done
    click(qtbot, panel.leave_button)
    first.close()

    model = AppModel()
    second = show(build_window(model, QSettings()), (1280, 720))
    panel = open_lessons(qtbot, second, hidden=False)  # the layout kept it open
    assert panel.lesson_list.item(0).text() == "1. The paper, section by section  ·  2 of 9 steps"
    item = panel.lesson_list.item(0)
    click(qtbot, panel.lesson_list.viewport(), panel.lesson_list.visualItemRect(item).center())
    assert panel.continue_button.isEnabled()
    click(qtbot, panel.continue_button)
    assert panel.run.state is not None and panel.run.state.index == 2 and panel.run.state.error == ""
    assert "Step 3 of 9: The forward pass" in panel.header.text() and model.network.sizes == (4, 3, 2)


def test_the_recovery_file_keeps_the_session_before_the_lesson(tmp_path):
    from neuroviz.io import recovery
    from neuroviz.model import AppModel
    from neuroviz.model.autosave import Autosave
    from neuroviz.model.lesson import LessonRun, shipped_lessons
    from neuroviz.ui.composition import keep_recovery_during_lessons

    model = AppModel()
    clock = [0.0]
    autosave = Autosave(model, tmp_path, 1.0, clock=lambda: clock[0], now=lambda: 1_765_000_000.0)
    autosave.start()
    run = LessonRun(model, shipped_lessons()[:1])
    keep_recovery_during_lessons(run, autosave)
    run.start("01-paper")
    model.step()
    clock[0] += 10
    assert not autosave.poll() and recovery.read(tmp_path) is None  # nothing unsaved before: nothing to recover
    run.leave()

    model.step()  # the user's unsaved change
    run.start("01-paper")
    found = recovery.read(tmp_path)
    assert found is not None and found.snapshot.network.sizes == (64, 16, 16, 2)  # written as the lesson began
    model.step()
    clock[0] += 10
    assert model.document.modified and not autosave.poll()  # the lesson's network is never autosaved
    assert recovery.read(tmp_path).snapshot.network.sizes == (64, 16, 16, 2)
    run.leave()
    clock[0] += 10
    assert autosave.poll() and recovery.read(tmp_path).snapshot.trainer_state["step"] == 1


def test_lesson_7_sees_the_receptive_fields_turned_on_by_their_shortcut(qtbot, main_window, model):
    panel = open_lessons(qtbot, main_window)
    start(qtbot, panel, 6)
    diagram = main_window.diagram
    assert "Receptive fields" in panel.run.state.task and not panel.next_button.isEnabled()
    assert diagram.layout_.rf_rects.shape == (0, 4) and not main_window.receptive_fields_action.isChecked()
    diagram.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: panel.run.state.task_done)
    assert model.view.receptive_fields and main_window.receptive_fields_action.isChecked()
    assert diagram.layout_.rf_rects.shape == (16, 4) and panel.next_button.isEnabled()
    next_step(qtbot, panel, "One neuron's weights")
    click(qtbot, diagram, diagram.neuron_screen_pos(1, 0).toPoint())  # the task: click b_1
    qtbot.waitUntil(lambda: panel.run.state.task_done)
    assert model.selection is not None and model.selection.label() == "b_1"
    click(qtbot, panel.back_button)  # the step begun again turns them off, and the menu follows
    assert not model.view.receptive_fields and not main_window.receptive_fields_action.isChecked()
