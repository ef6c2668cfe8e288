"""The Lessons panel's answer field and predict-then-reveal's, both open at once: letters typed into either
are text (the walk's single-letter keys stay quiet), and Enter and Esc act on the field that has the focus."""

from __future__ import annotations

from PySide6.QtCore import Qt

from neuroviz.core.phases import Phase
from tests.ui.test_lessons_panel import open_lessons, start

WALK_KEYS = "wbnfc"  # Walk, Back, Next, Finish, Cancel


def test_walk_keys_are_text_and_enter_and_esc_act_on_the_focused_answer_field(qtbot, main_window, model):
    lessons = open_lessons(qtbot, main_window)
    start(qtbot, lessons, 0)
    for _ in range(2):  # to "The forward pass", which asks for a number
        assert lessons.run.play_solution() == ""
        qtbot.mouseClick(lessons.next_button, Qt.MouseButton.LeftButton)
    assert lessons.run.step.title == "The forward pass" and lessons.answer_field.isVisible()

    inspector = main_window.panels["inspectorDock"]
    quiz, edit = model.quiz, inspector.quiz_panel.answer_edit
    quiz.set_level("values")
    main_window.diagram.setFocus()
    for key in (Qt.Key.Key_W, Qt.Key.Key_N, Qt.Key.Key_N, Qt.Key.Key_N):  # walk to δ^c: asked first
        qtbot.keyClick(main_window.diagram, key)
    qtbot.waitUntil(lambda: quiz.question is not None and edit.isVisible())
    question, phase = quiz.question, model.phase
    assert phase == Phase("loss")

    # In the lesson's field: letters are text, Esc does not skip the prediction, Enter checks the lesson.
    field = lessons.answer_field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, WALK_KEYS)
    assert field.text() == WALK_KEYS and edit.text() == ""
    assert model.phase == phase and model.pending_trace is not None and quiz.question is question
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert quiz.question is question and quiz.score.skipped == 0 and model.phase == phase
    field.clear()
    qtbot.keyClicks(field, "0.45")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert lessons.run.state.complete and quiz.score.asked == 0 and quiz.question is question

    # In the prediction's field: letters are text, Enter checks the prediction, Esc skips it; the lesson stays.
    lesson_feedback = lessons.feedback.text()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, WALK_KEYS)
    assert edit.text() == WALK_KEYS and model.phase == phase and model.pending_trace is not None
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "“wbnfc” is not a number" in inspector.quiz_panel.feedback.text() and quiz.question is question
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert quiz.score.skipped == 1 and quiz.question is not question
    assert lessons.feedback.text() == lesson_feedback and lessons.run.state.complete and field.text() == "0.45"
