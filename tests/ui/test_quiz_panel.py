"""Predict, then reveal, in the inspector: a whole exchange with the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.model.quiz import shown_answer
from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.inspector_tables import NCol
from tests.ui.test_inspector import wait_shown


def delta_cell(panel: InspectorPanel, layer: int, m: int) -> str:
    nm = panel.neuron_model
    return nm.data(nm.index(nm.row_of(layer, m), NCol.DELTA))


def test_a_whole_exchange_wrong_then_right_with_the_keyboard(qtbot, show):
    model = AppModel("paper-figure-4")
    panel = show(InspectorPanel(model), (1000, 800))
    quiz_panel = panel.quiz_panel
    combo, edit = quiz_panel.level_combo, quiz_panel.answer_edit
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # off → signs only
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # → values
    assert model.quiz.level == "values"
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_W)
    qtbot.keyClick(panel, Qt.Key.Key_N)  # c
    qtbot.keyClick(panel, Qt.Key.Key_N)  # L
    wait_shown(qtbot, panel, lambda: model.pending_trace)
    qtbot.keyClick(panel, Qt.Key.Key_N)  # to δ^c: asked first
    q = model.quiz.question
    assert q is not None and q.quantity.startswith("δ^c") and model.phase == Phase("loss")
    qtbot.waitUntil(lambda: not panel._refresh_timer.isActive())
    assert "δ<sub>" in quiz_panel.prompt.text() or "δ<sup>c</sup>" in quiz_panel.prompt.text()
    assert edit.hasFocus() and edit.isVisible()
    assert model.selection == q.target  # the neuron asked about is ringed
    assert delta_cell(panel, 2, q.target.m) == ""  # not shown before it is answered

    qtbot.keyClicks(edit, "9.99")  # wrong (and "n" typed here would not walk on)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    feedback = quiz_panel.feedback.text()
    assert "Not quite" in feedback and "9.99" in feedback and shown_answer(q).replace("−", "−") in feedback
    assert "p<sub>" in feedback  # the worked arithmetic of δ^c: p − r with its numbers
    assert quiz_panel.score_label.text() == "Score: 0 of 1 right"
    assert model.phase == Phase("loss") and model.quiz.question.quantity.startswith("∂L/∂θ")  # next question
    assert edit.text() == ""

    grad = model.quiz.question
    qtbot.keyClicks(edit, shown_answer(grad))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "Right" in quiz_panel.feedback.text()
    assert quiz_panel.score_label.text() == "Score: 1 of 2 right"
    assert model.phase == Phase("backward", 2)  # revealed: the walk went on to δ^c
    wait_shown(qtbot, panel, lambda: model.pending_trace)
    qtbot.waitUntil(lambda: delta_cell(panel, 2, q.target.m) != "")

    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter in the empty field: the next phase, asked first
    assert model.quiz.held == Phase("backward", 1) and model.phase == Phase("backward", 2)
    qtbot.keyClicks(edit, "plenty")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "not a number" in quiz_panel.feedback.text() and model.quiz.score.asked == 2
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # skip
    assert model.quiz.score.skipped == 1 and model.quiz.remaining == 1


def test_off_hides_the_field_and_the_walk_is_as_before(qtbot, show):
    model = AppModel("paper-figure-4")
    panel = show(InspectorPanel(model), (1000, 800))
    model.begin_phased_step()
    QApplication.processEvents()
    assert not panel.quiz_panel.answer_edit.isVisible() and panel.quiz_panel.score_label.text() == ""
    model.select(Selection("neuron", 1, 0))
    model.next_phase()
    assert model.phase == Phase("forward", 2)


def test_a_question_about_a_sample_shows_that_sample_not_the_batch_mean(qtbot, show):
    model = AppModel("circles-squares")
    panel = show(InspectorPanel(model), (1000, 800))
    model.quiz.set_level("values")
    model.begin_phased_step()
    model.show("mean")
    while model.quiz.question is None:
        model.next_phase()
    q = model.quiz.question
    assert q.sample == 0 and model.shown().showing.input == "sample" and model.shown().row == 0
    assert "sample 1 of" in panel.quiz_panel.prompt.text()
    qtbot.keyClicks(panel.quiz_panel.answer_edit, "7")
    qtbot.keyClick(panel.quiz_panel.answer_edit, Qt.Key.Key_Return)
    assert "sample 1 of" in panel.quiz_panel.feedback.text()


def test_while_asked_the_diagram_and_tables_leave_the_asked_values_blank(qtbot, show):
    from neuroviz.ui.diagram import NetworkDiagram
    from neuroviz.ui.inspector_tables import Col
    from neuroviz.ui.theme import LIGHT

    model = AppModel("paper-figure-4")
    diagram = show(NetworkDiagram(model, LIGHT), (900, 600))
    panel = show(InspectorPanel(model), (1000, 800))
    model.quiz.set_level("values")
    model.set_view(node_mode="deltas", edge_mode="gradients")
    model.begin_phased_step()
    while model.quiz.question is None:
        model.next_phase()
    delta_q = model.quiz.question  # about δ^c, asked at the loss phase
    diagram.refresh()
    assert diagram.values.nodes[2] is None  # no δ of layer c drawn
    assert all(e is None for e in diagram.values.edges)  # no gradient yet
    assert f"{delta_q.quantity} = not computed yet" in diagram.describe(delta_q.target)
    model.quiz.answer("0")
    grad_q = model.quiz.question
    t = grad_q.target
    assert "∂L/∂θ = not computed yet" in diagram.describe(t)
    wait_shown(qtbot, panel, lambda: model.pending_trace)
    row = panel.table_model.view_row(panel.table.find(0, t.layer, t.m, t.n))
    assert panel.table_model.data(panel.table_model.index(row, Col.GRAD)) == ""
    model.quiz.skip()
    diagram.refresh()
    assert diagram.values.nodes[2] is not None and diagram.values.edges[1] is not None


def test_the_level_is_kept_in_the_windows_settings(qtbot, show):
    from PySide6.QtCore import QSettings

    settings = QSettings()
    first = show(InspectorPanel(AppModel("paper-figure-4"), settings), (1000, 800))
    first.quiz_panel.level_combo.setFocus()
    qtbot.keyClick(first.quiz_panel.level_combo, Qt.Key.Key_End)  # everything
    assert first.model.quiz.level == "everything"
    again = show(InspectorPanel(AppModel("paper-figure-4"), settings), (1000, 800))
    assert again.model.quiz.level == "everything" and again.quiz_panel.level_combo.currentText() == "Everything"
