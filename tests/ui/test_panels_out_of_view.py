"""Panels behind another tab skip their refreshes while training and catch up when they come into view."""

from __future__ import annotations

from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.loss_plot import LossPlot
from neuroviz.ui.on_screen import on_screen


def test_a_tab_behind_another_is_not_on_screen(qtbot, main_window):
    docks = main_window.docks
    docks["lossCurvesDock"].raise_()
    qtbot.waitUntil(lambda: on_screen(docks["lossCurvesDock"].widget()))
    assert not on_screen(docks["inspectorDock"].widget())
    assert docks["inspectorDock"].isVisible()  # Qt keeps it "visible", off the window
    docks["inspectorDock"].raise_()
    qtbot.waitUntil(lambda: on_screen(docks["inspectorDock"].widget()))
    assert not on_screen(docks["lossCurvesDock"].widget())


def test_the_loss_curves_behind_the_inspector_wait_and_then_catch_up(qtbot, main_window):
    model, docks = main_window.model, main_window.docks
    plot = docks["lossCurvesDock"].widget()
    assert isinstance(plot, LossPlot)
    docks["inspectorDock"].raise_()
    qtbot.waitUntil(lambda: not on_screen(plot))
    model.train_for(0.05)
    model.step()
    steps = model.trainer.step_count
    assert steps > 1
    qtbot.wait(400)  # longer than the plot's refresh delay
    assert plot.n_points == 0 and plot.now_line.value() != steps  # nothing drawn behind the tab
    docks["lossCurvesDock"].raise_()
    qtbot.waitUntil(lambda: plot.n_points == steps)
    assert plot.now_line.value() == steps
    steps_drawn, y = plot.raw_curve.getData()
    assert len(steps_drawn) == len(y) == steps and y[-1] == model.trainer.history.values[-1]


def test_a_closed_inspector_shows_the_last_update_when_opened_again(qtbot, main_window):
    model, docks = main_window.model, main_window.docks
    inspector = docks["inspectorDock"].widget()
    assert isinstance(inspector, InspectorPanel)
    docks["inspectorDock"].close()
    trace = model.step()
    qtbot.wait(50)
    assert trace is not None and inspector.trace is not trace
    docks["inspectorDock"].show()
    docks["inspectorDock"].raise_()
    qtbot.waitUntil(lambda: inspector.trace is trace)
