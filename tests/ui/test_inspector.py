"""The backprop inspector: the paper's numbers, the phase walk, linked selection, checks and export."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from neuroviz.core.numbers import parse
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import BIAS, CSV_HEADER, WEIGHT
from neuroviz.model import AppModel
from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.inspector_tables import Col, NCol

PAPER_ROWS = {
    # (kind, layer, m, n): (old, gradient, new) as the paper prints them
    (WEIGHT, 1, 0, 0): ("0.8", "−0.12", "0.8012"),
    (WEIGHT, 1, 1, 0): ("0.22", "0.12", "0.2188"),
    (WEIGHT, 0, 0, 0): ("0.5", "−0.174", "0.50174"),
    (BIAS, 1, 0, -1): ("0.2", "−0.4", "0.204"),
    (BIAS, 1, 1, -1): ("−0.1", "0.4", "−0.104"),
    (BIAS, 0, 0, -1): ("0.15", "−0.232", "0.15232"),
}


@pytest.fixture
def panel(show, model):
    return show(InspectorPanel(model), (900, 900))


@pytest.fixture
def fig4(qtbot, model, panel):
    model.load_example("paper-figure-4")
    model.show("sample", 0, "before")  # the paper's worked example: its sample, before the update
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    assert panel.trace is not None
    return panel


def wait_shown(qtbot, panel: InspectorPanel, trace_of) -> None:
    """Wait until the panel has refreshed to ``trace_of()`` (the model's pending or last trace)."""
    qtbot.waitUntil(lambda: panel.trace is trace_of() and not panel._refresh_timer.isActive())


def equation_texts(panel: InspectorPanel) -> list[str]:
    """The one-line text of every equation the panel shows."""
    return [eq.text() for _, eqs in panel.equations.sections for eq in eqs]


def cell(panel: InspectorPanel, view_row: int, col: int) -> str:
    return panel.table_model.data(panel.table_model.index(view_row, col))


def view_row(panel: InspectorPanel, kind: int, layer: int, m: int, n: int = -1) -> int:
    return panel.table_model.view_row(panel.table.find(kind, layer, m, n))


def click_row(qtbot, view, row: int, col: int = 0) -> None:
    index = view.model().index(row, col)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_visible(view, row: int) -> bool:
    rect = view.visualRect(view.model().index(row, 0))
    return rect.isValid() and view.viewport().rect().contains(rect.center())


def test_figure_4_rows_show_the_papers_numbers(fig4):
    assert fig4.table_model.rowCount() == 4 * 3 + 3 + 3 * 2 + 2
    for key, (old, grad, new) in PAPER_ROWS.items():
        r = view_row(fig4, *key)
        assert (cell(fig4, r, Col.OLD), cell(fig4, r, Col.GRAD), cell(fig4, r, Col.NEW)) == (old, grad, new)
        assert cell(fig4, r, Col.ETA) == "0.01"
    r = view_row(fig4, WEIGHT, 1, 0, 0)
    assert cell(fig4, r, Col.PARAM) == "θᶜᵇ₁₁"
    assert cell(fig4, r, Col.PRODUCT) == "δᶜ₁ · b₁ = (−0.4)(0.3) = −0.12"
    assert cell(fig4, r, Col.DELTA) == "0.0012"
    # the neurons: b_1 = 0.3 with δ^b_1 = −0.232; the dead b_3 has δ = 0
    nm = fig4.neuron_model
    b1 = nm.row_of(1, 0)
    assert [nm.data(nm.index(b1, c)) for c in (NCol.RAW, NCol.VALUE, NCol.DELTA)] == ["0.3", "0.3", "−0.232"]
    b3 = nm.row_of(1, 2)
    assert [nm.data(nm.index(b3, c)) for c in (NCol.RAW, NCol.VALUE, NCol.DELTA)] == ["−0.1", "0", "0"]
    c1 = nm.row_of(2, 0)
    assert [nm.data(nm.index(c1, c)) for c in (NCol.PROB, NCol.TARGET)] == ["0.6", "1"]


def test_clicking_the_weight_row_shows_its_product(qtbot, fig4, model):
    r = view_row(fig4, WEIGHT, 1, 0, 0)
    click_row(qtbot, fig4.view, r)
    assert model.selection == Selection("weight", 1, 0, 0)
    texts = equation_texts(fig4)
    assert "∂L/∂θ^{cb}_{11} = δ^c_1 · b_1 = (−0.4)(0.3) = −0.12" in texts
    assert "θ^{cb}_{11} := θ^{cb}_{11} − η ∂L/∂θ^{cb}_{11} = 0.8 − 0.01(−0.12) = 0.8012" in texts
    shown = fig4.equations.toPlainText()
    assert "(−0.4)(0.3)" in shown and "0.8 − 0.01(−0.12)" in shown
    # the paper's erratum 2: θ^{cb}_{21} is δ^c_2 · b_1
    click_row(qtbot, fig4.view, view_row(fig4, WEIGHT, 1, 1, 0))
    assert "∂L/∂θ^{cb}_{21} = δ^c_2 · b_1 = (0.4)(0.3) = 0.12" in equation_texts(fig4)


def test_copy_equations_as_latex_with_the_shortcut(qtbot, fig4, model):
    model.select(Selection("weight", 1, 0, 0))
    QApplication.clipboard().clear()
    fig4.equations.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(fig4.equations, Qt.Key.Key_C, ctrl_shift)
    text = QApplication.clipboard().text()
    assert text.startswith("% Gradient and update of θ^{cb}_{11}\n\\begin{aligned}")
    assert "\\delta ^c_1 \\cdot b_1 \\\\\n&= (-0.4)(0.3)" in text and text.endswith("\\end{aligned}")


def test_loss_row_notes_the_base_10_logarithm(fig4):
    text = fig4.loss_label.text()
    assert "0.510826" in text and "0.22" in text and "base 10" in text and "0.5108" in text
    assert "base-10 logarithm" in fig4.loss_label.toolTip()


def test_neuron_selection_shows_forward_and_delta_equations(qtbot, fig4, model):
    fig4.tabs.setCurrentIndex(1)
    click_row(qtbot, fig4.neuron_view, fig4.neuron_model.row_of(1, 0))
    assert model.selection == Selection("neuron", 1, 0)
    texts = equation_texts(fig4)
    assert ("b_1 = max{0, Σ_j a_j θ^{ba}_{1j} + β^b_1} = "
            "max{0, (0.75)(0.5) + (0.5)(−0.3) + (0.25)(0.1) + (1)(−0.1) + 0.15} = max{0, 0.3} = 0.3") in texts
    assert ("δ^b_1 = (Σ_m δ^c_m θ^{cb}_{m1}) · 1[b_1^raw > 0] = ((−0.4)(0.8) + (0.4)(0.22)) · 1[0.3 > 0] "
            "= (−0.232)(1) = −0.232") in texts
    assert "∂L/∂β^b_1 = δ^b_1 = −0.232" in texts


def test_phase_walk_with_keys_visits_every_phase_and_finish_equals_a_step(qtbot, model, panel):
    direct = AppModel()
    for s in (model, direct):
        s.set_batch_size(4)
        s.step()  # not the first batch
    wait_shown(qtbot, panel, lambda: model.last_trace)
    qtbot.mouseClick(panel.header, Qt.MouseButton.LeftButton)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_W)
    assert model.pending_trace is not None
    visited = [model.phase]
    seen_blank_new = False
    while model.phase != model.phases[-1]:
        wait_shown(qtbot, panel, lambda: model.pending_trace)
        if model.phase.kind == "forward":
            # nothing of the backward pass is shown yet
            assert cell(panel, 0, Col.GRAD) == "" and cell(panel, 0, Col.NEW) == ""
            assert cell(panel, 0, Col.OLD) != ""
            seen_blank_new = True
        qtbot.keyClick(panel, Qt.Key.Key_N)
        visited.append(model.phase)
    assert visited == model.phases and seen_blank_new
    assert panel.tabs.currentIndex() == 0  # the update phase shows the parameters
    qtbot.waitUntil(lambda: cell(panel, 0, Col.NEW) != "")
    assert model.network.weights[0] is not None and model.trainer.step_count == 1
    qtbot.keyClick(panel, Qt.Key.Key_F)
    assert model.phase is None and model.pending_trace is None
    direct.step()
    for a, b in zip(model.network.weights + model.network.biases, direct.network.weights + direct.network.biases):
        assert np.array_equal(a, b)
    assert model.trainer.step_count == direct.trainer.step_count == 2
    np.testing.assert_array_equal(model.trainer.history.values, direct.trainer.history.values)
    wait_shown(qtbot, panel, lambda: model.last_trace)
    assert "walking" not in panel.header.text() and panel.progress is None


def test_back_and_cancel_apply_nothing(qtbot, model, panel):
    before = [w.copy() for w in model.network.weights]
    qtbot.mouseClick(panel.buttons["next"], Qt.MouseButton.LeftButton)  # starts a walk
    qtbot.mouseClick(panel.buttons["next"], Qt.MouseButton.LeftButton)
    assert model.phase == model.phases[1]
    qtbot.mouseClick(panel.buttons["back"], Qt.MouseButton.LeftButton)
    assert model.phase == model.phases[0]
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_C)
    assert model.phase is None and model.trainer.step_count == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, model.network.weights))


def test_linked_selection_both_ways(qtbot, model, panel):
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    # diagram → table: a weight deep in the table is selected and scrolled to
    model.select(Selection("weight", 0, 15, 60))
    r = view_row(panel, WEIGHT, 0, 15, 60)
    assert panel.view.selectionModel().isRowSelected(r) and row_visible(panel.view, r)
    # a neuron selects all its rows: 64 incoming weights, its bias, 16 outgoing weights
    model.select(Selection("neuron", 1, 3))
    selected = {i.row() for i in panel.view.selectionModel().selectedRows()}
    expected = {panel.table_model.view_row(int(t)) for t in np.flatnonzero(panel.table.touching(1, 3))}
    assert selected == expected and len(selected) == 64 + 1 + 16
    assert panel.touch_check.isEnabled() and "b₄" in panel.touch_check.text()
    # table → model (and so the diagram)
    bias_row = view_row(panel, BIAS, 2, 1)
    click_row(qtbot, panel.view, bias_row)
    assert model.selection == Selection("bias", 2, 1)
    panel.tabs.setCurrentIndex(1)
    click_row(qtbot, panel.neuron_view, panel.neuron_model.row_of(2, 5))
    assert model.selection == Selection("neuron", 2, 5)


def test_selected_row_is_painted_highlighted(qtbot, fig4, model):
    r = view_row(fig4, BIAS, 0, 0)
    fig4.view.scrollTo(fig4.table_model.index(r, 0))
    before = fig4.view.viewport().grab().toImage()
    model.select(Selection("bias", 0, 0))
    qtbot.waitUntil(lambda: fig4.view.selectionModel().isRowSelected(r))
    rect = fig4.view.visualRect(fig4.table_model.index(r, Col.OLD))
    after = fig4.view.viewport().grab().toImage()
    p = QPoint(rect.left() + 3, rect.center().y())
    highlight = fig4.view.palette().color(fig4.view.palette().ColorRole.Highlight)
    assert before.pixelColor(p).rgb() != highlight.rgb()
    assert after.pixelColor(p).rgb() == highlight.rgb()


def test_filters_sorting_and_top_k(qtbot, model, panel):
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    total = len(panel.table)
    assert panel.table_model.rowCount() == total == 64 * 16 + 16 * 16 + 16 * 2 + 16 + 16 + 2
    panel.layer_combo.setCurrentIndex(3)  # Θ^{dc}, β^d
    assert panel.table_model.rowCount() == 16 * 2 + 2
    assert set(panel.table.layer[panel.table_model.rows]) == {2}
    panel.layer_combo.setCurrentIndex(0)
    model.select(Selection("neuron", 2, 0))
    qtbot.mouseClick(panel.touch_check, Qt.MouseButton.LeftButton)
    assert panel.touch_check.isChecked() and panel.table_model.rowCount() == 16 + 1 + 2
    qtbot.mouseClick(panel.touch_check, Qt.MouseButton.LeftButton)
    panel.top_spin.setFocus()
    panel.top_spin.selectAll()
    qtbot.keyClicks(panel.top_spin, "5")
    assert panel.table_model.rowCount() == 5
    top = np.sort(np.abs(panel.table.grad))[::-1][:5]
    np.testing.assert_array_equal(np.sort(np.abs(panel.table.grad[panel.table_model.rows]))[::-1], top)
    assert panel.count_label.text().startswith("5 of ")
    # sort by clicking the ∂L/∂· header: ascending, then descending
    header = panel.view.horizontalHeader()
    x = header.sectionViewportPosition(Col.GRAD) + header.sectionSize(Col.GRAD) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    g = panel.table.grad[panel.table_model.rows]
    assert np.all(np.diff(g) >= 0) or np.all(np.diff(g) <= 0)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    g2 = panel.table.grad[panel.table_model.rows]
    np.testing.assert_array_equal(g2, g[::-1])


def test_gradient_check_column_agrees(qtbot, fig4):
    qtbot.mouseClick(fig4.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not fig4.checking and fig4.check is not None and fig4.check.complete)
    check = fig4.check
    assert np.all(np.abs(check.numeric - fig4.table.grad) <= 1e-6)
    r = view_row(fig4, WEIGHT, 1, 0, 0)
    assert float(cell(fig4, r, Col.NUMERIC).replace("−", "-")) == pytest.approx(-0.12, abs=1e-6)
    assert cell(fig4, r, Col.REL_ERROR) != "…"
    assert "max rel. error" in fig4.count_label.text()


def test_csv_export_parses_back(qtbot, fig4, tmp_path, monkeypatch):
    path = tmp_path / "update.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "CSV files (*.csv)"))
    fig4.check = None
    qtbot.mouseClick(fig4.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not fig4.checking)
    qtbot.mouseClick(fig4.export_button, Qt.MouseButton.LeftButton)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0].keys()) == list(CSV_HEADER)
    t = fig4.table
    assert len(rows) == len(t)
    for rec, i in zip(rows, fig4.table_model.rows):
        assert rec["parameter"] == t.label(int(i))
        for name, col in (("old", t.old), ("gradient", t.grad), ("delta", t.delta), ("new", t.new),
                          ("numeric_gradient", fig4.check.numeric)):
            assert float(rec[name]) == col[i]
    first = rows[0]
    assert (first["parameter"], first["old"], first["eta"]) == ("θ^{ba}_{11}", "0.5", "0.01")
    assert float(first["gradient"]) == pytest.approx(-0.174, abs=1e-12)
    assert float(first["new"]) == pytest.approx(0.50174, abs=1e-12)


def test_export_to_a_bad_folder_says_so_and_the_next_dialog_opens_in_the_last_folder(qtbot, fig4, tmp_path,
                                                                                      monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text)))
    bad = tmp_path / "missing" / "update.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bad), ""))
    qtbot.mouseClick(fig4.export_button, Qt.MouseButton.LeftButton)
    assert warnings and warnings[0][0] == "Export failed" and str(bad) in warnings[0][1]
    assert not bad.parent.exists()
    good = tmp_path / "out" / "first.csv"
    good.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(good), ""))
    qtbot.mouseClick(fig4.export_button, Qt.MouseButton.LeftButton)
    assert good.exists() and len(warnings) == 1
    suggested = []

    def cancelled_dialog(_parent, _title, path, _filter):
        suggested.append(path)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled_dialog)
    qtbot.mouseClick(fig4.export_button, Qt.MouseButton.LeftButton)
    assert suggested == [str(good.parent / "update-1.csv")]


def test_batch_shows_a_sample_and_says_gradients_are_means(qtbot, model, panel):
    model.set_batch_size(8)
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    assert panel.showing_label.text() == "Showing <b>update 1 · after · your drawing</b>"
    assert "batch of 8" in panel.header.text() and "batch means" in panel.header.text()
    h = Qt.Orientation.Horizontal
    assert panel.table_model.headerData(Col.GRAD, h) == "∂L/∂· (mean)"
    assert "mean over the batch of 8" in panel.table_model.headerData(Col.GRAD, h, Qt.ItemDataRole.ToolTipRole)
    assert "mean of 8" in panel.count_label.text()
    assert "mean over the batch of 8" in panel.count_label.toolTip()
    model.show("sample", 1, "before")
    qtbot.waitUntil(lambda: panel.sample == 1 and "sample 2 of 8" in panel.showing_label.text())
    assert panel.showing_label.text() == "Showing <b>update 1 · before · sample 2 of 8</b>"
    assert panel.table_model.headerData(Col.PRODUCT, h) == "Sample 2: δ · input"
    true, guess = np.argmax(panel.trace.targets[1]), np.argmax(panel.trace.probs[1])
    names = model.class_names
    assert panel.sample_info.text().startswith(f"r: {names[true]} · predicted: {names[guess]}")
    r = view_row(panel, WEIGHT, 1, 0, 2)
    assert cell(panel, r, Col.PRODUCT) == panel.table.product_formula(panel.table.find(WEIGHT, 1, 0, 2), 1, "unicode")
    nm = panel.neuron_model
    r = nm.row_of(1, 0)
    expected = panel.trace.deltas[0][1, 0]
    assert parse(nm.data(nm.index(r, NCol.DELTA))) == pytest.approx(expected, rel=1e-5, abs=1e-12)
    model.select(Selection("weight", 2, 1, 3))
    grad = next(t for t in equation_texts(panel) if t.startswith("∂L/∂θ^{dc}_{24}"))
    assert grad.startswith("∂L/∂θ^{dc}_{24} = (1/8) Σ_s δ^d_2[s] · c_4[s]")


def test_architecture_change_clears_the_panel(qtbot, fig4, model):
    model.load_example("circles-squares")
    qtbot.waitUntil(lambda: fig4.trace is None)
    assert fig4.table_model.rowCount() == 0 and "No update yet" in fig4.header.text()


def test_opening_another_architecture_with_a_neuron_selected_shows_the_new_network(qtbot, show):
    # The cleared selection used to write the old update's equations for the new network (a ValueError).
    model = AppModel("digits")
    panel = show(InspectorPanel(model), (900, 900))
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    model.select(Selection("neuron", 1, 0))
    model.load_example("paper-figure-4")
    assert model.selection is None
    qtbot.waitUntil(lambda: panel.trace is None)
    assert panel.table_model.rowCount() == 0 and "No update yet" in panel.header.text()


def test_a_hidden_panel_waits_until_shown(qtbot, fig4, model):
    fig4.hide()
    model.load_example("circles-squares")
    model.step()
    for _ in range(3):
        QApplication.processEvents()  # the refresh timer fires
    assert not fig4._refresh_timer.isActive()
    assert fig4.trace is not model.last_trace  # no work while hidden
    model.select(Selection("weight", 1, 2, 3))
    fig4.show()
    wait_shown(qtbot, fig4, lambda: model.last_trace)
    assert fig4.view.selectionModel().isRowSelected(view_row(fig4, WEIGHT, 1, 2, 3))


def test_a_wide_panel_puts_the_equations_beside_the_tables(qtbot, panel):
    assert panel.splitter.orientation() == Qt.Orientation.Vertical  # 900×900
    panel.resize(1400, 380)
    qtbot.waitUntil(lambda: panel.splitter.orientation() == Qt.Orientation.Horizontal)
    assert panel.equations.geometry().right() < panel.tabs.geometry().left()
    panel.resize(600, 900)
    qtbot.waitUntil(lambda: panel.splitter.orientation() == Qt.Orientation.Vertical)


def test_panel_is_registered_as_a_dock(main_window):
    dock = main_window.docks["inspectorDock"]
    assert isinstance(dock.widget(), InspectorPanel)


def test_sign_colours_follow_a_dark_palette(qtbot, fig4):
    from PySide6.QtGui import QColor, QPalette

    from neuroviz.ui.inspector_tables import NEGATIVE, NEGATIVE_ON_DARK

    r = view_row(fig4, WEIGHT, 1, 0, 0)  # ∂L/∂θ^{cb}_{11} = −0.12 < 0
    fg = Qt.ItemDataRole.ForegroundRole
    assert fig4.table_model.data(fig4.table_model.index(r, Col.GRAD), fg) == NEGATIVE
    dark = QPalette(fig4.palette())
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        dark.setColor(role, QColor("#15171c"))
    fig4.setPalette(dark)
    qtbot.waitUntil(lambda: fig4.table_model.data(fig4.table_model.index(r, Col.GRAD), fg) == NEGATIVE_ON_DARK)


def test_number_columns_show_the_widest_numbers_in_full(qtbot, model, panel):
    model.step()
    wait_shown(qtbot, panel, lambda: model.last_trace)
    fm = panel.view.fontMetrics()
    shown = [cell(panel, row, Col.DELTA) for row in range(panel.table_model.rowCount())]
    powers = [text for text in shown if "×10" in text]
    assert powers  # some updates are small enough to be written with a power of ten
    widest = max(fm.horizontalAdvance(text) for text in [*powers, "−4.07587×10⁻¹⁰"])
    for col in (Col.OLD, Col.GRAD, Col.DELTA, Col.NEW):
        assert panel.view.columnWidth(col) >= widest + 8
    numbers = panel.neuron_view.fontMetrics()
    for col in (NCol.RAW, NCol.VALUE, NCol.DELTA):
        assert panel.neuron_view.columnWidth(col) >= numbers.horizontalAdvance("−4.07587×10⁻¹⁰") + 8
