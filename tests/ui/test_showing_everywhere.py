"""One showing state: the diagram, its tooltips, the inspector, the prediction and the status bar agree.

In the main window, through the Showing control (real clicks and keys), in
every state — your drawing, a sample, the batch mean; before and after the
update; during a phase walk — on Figure 4 and on the default example, the
same neuron and the same weight read from the diagram (its values and its
tooltip) and from the inspector's tables are the same number, and every panel
says the same words.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import WEIGHT
from neuroviz.ui.inspector_tables import Col, NCol

NEURON = (1, 0)
WEIGHT_AT = (0, 0, 0)


@pytest.fixture
def window(main_window):
    main_window.docks["inspectorDock"].raise_()  # a hidden inspector does not refresh
    return main_window


def pick_input(qtbot, window, index: int) -> None:
    """Choose item ``index`` of the Showing combo with the keyboard."""
    combo = window.showing_control.input_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)  # the first item that can be picked
    for _ in range(index):
        if combo.currentIndex() < index:
            qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == index


def settle(qtbot, window) -> None:
    inspector = window.docks["inspectorDock"].widget()
    model = window.model
    qtbot.waitUntil(lambda: inspector.shown is model.shown() and not inspector._refresh_timer.isActive())
    window.refresh_status()


def hovered_tooltip(qtbot, diagram, pos: QPoint) -> str:
    qtbot.mouseMove(diagram, QPoint(2, 2))
    qtbot.mouseMove(diagram, pos)
    qtbot.waitUntil(lambda: diagram.hover is not None)
    return diagram.toolTip()


def check_agreement(qtbot, window, neuron_column: NCol) -> str:
    """The neuron's value (or δ) and the weight agree in the diagram, its tooltip and the inspector."""
    model, diagram = window.model, window.diagram
    inspector = window.docks["inspectorDock"].widget()
    shown = model.shown()
    settle(qtbot, window)
    diagram.refresh()
    layer, index = NEURON
    value = float(diagram.values.nodes[layer][index])
    nm = inspector.neuron_model
    row = nm.row_of(layer, index)
    table_values = nm.table.delta if neuron_column == NCol.DELTA else nm.table.act
    assert table_values[row] == value  # the same float
    assert nm.data(nm.index(row, neuron_column)) == fmt(value)  # the same text
    tip = hovered_tooltip(qtbot, diagram, diagram.neuron_screen_pos(layer, index).toPoint())
    symbol = "δ^b_1" if neuron_column == NCol.DELTA else "b_1"
    assert f"{symbol} = {fmt(value, 4)}" in tip and tip.endswith(shown.words())

    l, m, n = WEIGHT_AT
    if diagram.values.edge_mode == "weights":
        w = diagram.edge_value(l, m, n)
        table = inspector.table
        view_row = inspector.table_model.view_row(table.find(WEIGHT, l, m, n))
        column = Col.OLD if shown.showing.moment == "before" else Col.NEW
        cell = inspector.table_model.data(inspector.table_model.index(view_row, column))
        assert cell == fmt(w)
        assert (table.old if column == Col.OLD else table.new)[table.find(WEIGHT, l, m, n)] == w
        # a point of the edge where it is the nearest one (dense fans cross one another)
        point = next(p for t in (0.3, 0.2, 0.4, 0.15, 0.5, 0.6, 0.7) for p in [diagram.edge_screen_pos(l, m, n, t)]
                     if diagram.hit(QPointF(p.toPoint())) == Selection("weight", l, m, n)).toPoint()
        tip = hovered_tooltip(qtbot, diagram, point)
        assert tip.startswith(f"θ^{{ba}}_{{11}} = {fmt(w, 4)}") and tip.endswith(shown.words())
    # every panel says the same words
    words = shown.words()
    assert inspector.showing_label.text() == f"Showing <b>{words}</b>"
    assert window.status_labels["showing"].text() == f"showing {words}"
    bars = window.panels["pixelEditorDock"].bars if "pixelEditorDock" in window.panels else None
    if bars is not None:
        known = shown.known_probs(model.phase)  # a walk before the loss has no p yet: "—"
        assert bars.words == words
        assert np.isnan(bars.values).all() if known is None else np.array_equal(bars.values, known)
    assert words in diagram.values.note
    return words


@pytest.mark.parametrize("example", ["paper-figure-4", "circles-squares"])
def test_every_panel_shows_the_same_numbers_in_every_state(qtbot, window, example):
    model = window.model
    model.load_example(example)
    model.set_batch_size(1 if example == "paper-figure-4" else 4)
    x = np.random.default_rng(2).random(model.config.n_inputs)
    model.edit_input(x, "Paint stroke")
    model.step()
    model.step()
    control = window.showing_control
    batch = model.last_trace.batch_size
    inputs = [("drawing", 0), *(("sample", s) for s in range(batch))] + ([("mean", 0)] if batch > 1 else [])
    seen = set()
    for index, (kind, sample) in enumerate(inputs):
        pick_input(qtbot, window, index)
        for moment in ("before", "after"):
            qtbot.mouseClick(control.moment_buttons[moment], Qt.MouseButton.LeftButton)
            shown = model.shown()
            assert (shown.showing.input, shown.showing.sample, shown.showing.moment) == (
                kind if batch > 1 or kind == "drawing" else "sample", sample, moment)
            seen.add(check_agreement(qtbot, window, NCol.VALUE))
    assert "update 2 · before · your drawing" in seen and "update 2 · after · your drawing" in seen
    if batch > 1:
        assert f"update 2 · after · sample 2 of {batch}" in seen

    # during a phase walk: the walked batch, before its update, phase by phase
    qtbot.mouseClick(control.moment_buttons["after"], Qt.MouseButton.LeftButton)
    model.begin_phased_step()
    assert not control.moment_buttons["before"].isEnabled()
    check_agreement(qtbot, window, NCol.VALUE)  # forward, layer b
    while model.phase.kind != "backward" or model.phase.layer != 1:
        model.next_phase()
    check_agreement(qtbot, window, NCol.DELTA)  # δ of layer b
    assert not control.input_combo.model().item(0).isEnabled()  # your drawing is not in the walked batch
    pick_input(qtbot, window, 1)  # sample 1 of the walked batch
    words = check_agreement(qtbot, window, NCol.DELTA)
    assert words.startswith("update 3 · walking, before it")
    model.next_phase()
    assert model.phase.kind == "update"
    check_agreement(qtbot, window, NCol.VALUE)
    model.finish_phased_step()
    assert control.moment_buttons["before"].isEnabled()


def test_scrubbing_the_timeline_shows_the_drawings_prediction_at_each_moment(qtbot, window):
    model = window.model
    x = np.random.default_rng(4).random(model.config.n_inputs)
    model.edit_input(x, "Paint stroke")
    drawing = model.input.copy()
    for _ in range(6):
        model.step()
    timeline = window.docks["timelineDock"].widget()
    bars = window.panels["pixelEditorDock"].bars
    for position in (5, 3, 1, 4):
        timeline.slider.setValue(position)
        trace = model.last_trace
        assert np.array_equal(model.input, drawing)  # never replaced
        from neuroviz.core.network import Network

        after = Network(model.config, list(trace.weights_after), list(trace.biases_after)).forward(drawing)
        assert np.array_equal(bars.values, after.probs[0])
        assert bars.words == f"update {position} · after · your drawing"
        window.diagram.refresh()
        assert np.array_equal(window.diagram.values.nodes[2], after.act[2][0])
    model.drawing.undo_stack.undo()  # undo still brings back what was there before the stroke
    assert not np.array_equal(model.input, drawing)


def test_the_showing_control_has_keys_and_says_what_it_shows(qtbot, window):
    model = window.model
    control = window.showing_control
    assert not control.input_combo.isEnabled() and "start · your drawing" in control.toolTip()
    model.step()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window.diagram, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert model.showing.choice.moment == "before" and control.moment_buttons["before"].isChecked()
    assert control.toolTip() == "Every panel shows update 1 · before · your drawing"
    qtbot.keyClick(window.diagram, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert model.showing.choice.moment == "after"
    assert "(Ctrl+[)" in control.moment_buttons["before"].toolTip()
    shortcuts = {a.shortcut().toString() for a in window.view_menu.actions()}
    assert {"Ctrl+[", "Ctrl+]"} <= shortcuts
