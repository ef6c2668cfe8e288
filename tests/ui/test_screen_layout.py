"""The default layout at laptop and projector sizes: the inspector reads, the Run buttons stay in sight."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.inspector_tables import Col


def shown_window(show, qtbot, model, size):
    window = show(build_window(model, QSettings()), size)
    qtbot.wait(20)  # the default dock sizes take after the first show
    return window


def test_at_1280x720_the_inspector_shows_eight_rows_the_written_out_column_and_every_delta(show, qtbot):
    model = AppModel("circles-squares")  # 64-16-16-2: 1,346 parameters, batch 8
    window = shown_window(show, qtbot, model, (1280, 720))
    model.step()
    panel = window.panels["inspectorDock"]
    qtbot.waitUntil(lambda: panel.isVisible() and not panel.visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: panel.trace is model.last_trace)
    view = panel.view
    rows = view.viewport().height() // view.rowHeight(0)
    assert rows >= 8
    # the written-out column ends inside the unscrolled view, and its texts fit it
    assert view.horizontalScrollBar().value() == 0
    left = view.columnViewportPosition(Col.PRODUCT)
    width = view.columnWidth(Col.PRODUCT)
    assert left >= 0 and left + width <= view.viewport().width()
    fm = view.fontMetrics()
    for r in range(rows):
        text = view.model().index(r, Col.PRODUCT).data()
        assert " = " in text and fm.horizontalAdvance(text) <= width - 6, text
    assert view.visualRect(view.model().index(0, Col.PRODUCT)).intersects(view.viewport().rect())
    # with nothing selected the equations list every layer's δ, from the output back
    titles = [title for title, _ in panel.equations.sections]
    assert titles[:3] == ["Error terms δ of the output layer d",
                          "Error terms δ of layer c (3 of 16 neurons: the largest; select one to see it)",
                          "Error terms δ of layer b (3 of 16 neurons: the largest; select one to see it)"]
    assert [len(eqs) for _, eqs in panel.equations.sections[:3]] == [2, 3, 3]
    # and the Neurons table has a δ for every neuron of layers b, c and d
    table = panel.neuron_view.neuron_model
    deltas = [table.index(r, 3).data() for r in range(table.rowCount())]
    assert sum(1 for d in deltas if d) == 16 + 16 + 2
