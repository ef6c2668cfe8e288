"""The inspector's optimiser sections: a weight's update by the rule, its state before and after, the penalty."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from test_inspector import cell, click_row, equation_texts, view_row, wait_shown
from test_optimiser_controls import choose, expand, type_into

from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import WEIGHT
from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.inspector_tables import Col
from neuroviz.ui.training_controls import TrainingControls

LEFT = Qt.MouseButton.LeftButton


def parts(qtbot, main_window, model):
    model.load_example("paper-figure-4")
    controls = main_window.findChild(TrainingControls)
    panel = main_window.findChild(InspectorPanel)
    expand(qtbot, controls)
    return controls, panel


def test_adam_chosen_in_the_dock_shows_m_and_v_before_and_after_and_the_written_out_update(qtbot, main_window,
                                                                                           model):
    controls, panel = parts(qtbot, main_window, model)
    choose(qtbot, controls.optimiser_group.optimizer_combo, "adam")
    sel = Selection("weight", 1, 0, 0)
    qtbot.mouseClick(controls.step_button, LEFT)
    first = model.optimizer_state(sel)  # after the first update: the state the second starts from
    qtbot.mouseClick(controls.step_button, LEFT)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    click_row(qtbot, panel.view, view_row(panel, WEIGHT, 1, 0, 0))
    assert model.selection == sel
    texts = equation_texts(panel)
    titles = [t for t, _ in panel.equations.sections]
    assert "Adam's update of θ^{cb}_{11}" in titles and "Adam's state for θ^{cb}_{11}" in titles
    now = model.optimizer_state(sel)
    for name in ("m", "v"):
        assert f"{name} after = {fmt(now[name])}" in texts
        assert f"{name} before = {fmt(first[name])}" in texts
    for line in model.update_text(sel):
        assert line.partition("  (")[0] in texts
    assert "t = 1 → 2" in texts
    shown = panel.equations.toPlainText()
    assert "m̂" in shown and "v̂" in shown and fmt(now["m"]) in shown
    # the explainer's notes are not repeated under the written-out update
    update_eq = next(eq for _t, eqs in panel.equations.sections for eq in eqs if eq.lhs.endswith(":="))
    assert not any(n.startswith("m = ") for n in update_eq.notes)


def test_sgd_shows_what_it_showed_and_a_penalty_shows_its_share_of_the_gradient(qtbot, main_window, model):
    controls, panel = parts(qtbot, main_window, model)
    qtbot.mouseClick(controls.step_button, LEFT)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    click_row(qtbot, panel.view, view_row(panel, WEIGHT, 1, 0, 0))
    assert [t for t, _ in panel.equations.sections] == ["Gradient and update of θ^{cb}_{11}", "where"]
    type_into(qtbot, controls.optimiser_group.l2_edit, "0.1")
    qtbot.mouseClick(controls.step_button, LEFT)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    trace = model.last_trace
    pen, data = float(trace.penalty_weights[1][0, 0]), float(trace.grad_weights[1][0, 0])
    share = [eq for _t, eqs in panel.equations.sections for eq in eqs if eq.lhs == "penalty's share of g"]
    assert share and share[0].rhs[-1] == f"{fmt(100 * abs(pen) / (abs(pen) + abs(data)), 3)}%"
    assert "The penalty on θ^{cb}_{11}" in [t for t, _ in panel.equations.sections]


def header(panel, col: int, role=Qt.ItemDataRole.DisplayRole):
    return panel.table_model.headerData(col, Qt.Orientation.Horizontal, role)


def test_the_parameters_table_gains_the_state_columns_only_when_the_optimiser_has_state(qtbot, main_window, model):
    controls, panel = parts(qtbot, main_window, model)
    qtbot.mouseClick(controls.step_button, LEFT)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    assert panel.table_model.columnCount() == len(Col)  # the paper's SGD: the table as it always was
    choose(qtbot, controls.optimiser_group.optimizer_combo, "adam")
    qtbot.mouseClick(controls.step_button, LEFT)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    tm = panel.table_model
    titles = [header(panel, c) for c in range(len(Col), tm.columnCount())]
    assert titles == ["m before", "m after", "v before", "v after"]
    assert "optimiser's step" in header(panel, Col.DELTA, Qt.ItemDataRole.ToolTipRole)
    r = view_row(panel, WEIGHT, 1, 0, 0)
    now = model.optimizer_state(Selection("weight", 1, 0, 0))
    assert cell(panel, r, len(Col) + 1) == fmt(now["m"]) and cell(panel, r, len(Col) + 3) == fmt(now["v"])
    assert cell(panel, r, len(Col)) == "0"  # Adam's first update starts from m = 0
    # a click on "v after" sorts by it
    view = panel.view
    view.scrollTo(tm.index(0, len(Col) + 3))
    hh = view.horizontalHeader()
    x = hh.sectionViewportPosition(len(Col) + 3) + hh.sectionSize(len(Col) + 3) // 2
    qtbot.mouseClick(hh.viewport(), LEFT, pos=QPoint(x, hh.height() // 2))
    shown = [float(tm.state[3][2][tm.table_row(i)]) for i in range(tm.rowCount())]
    assert shown == sorted(shown) or shown == sorted(shown, reverse=True)
    assert len(set(shown)) > 1


def test_powers_of_ten_in_the_equations_are_raised():
    from neuroviz.ui.math_text import to_html

    assert to_html("(√0.0155 + 1×10⁻⁸)") == "(√0.0155 + 1×10⁻⁸)"  # the formatter raised it already


def test_hatted_letters_are_set_in_a_font_that_places_the_hat():
    from neuroviz.ui.math_text import HAT_FONT, to_html

    out = to_html("θ := θ − η·m̂/(√v̂ + ε)")
    assert out.count(f'<span style="font-family:{HAT_FONT}">') == 2 and "m̂</span>" in out and "v̂</span>" in out
