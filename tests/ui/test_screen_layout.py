"""The default layout at laptop and projector sizes: the inspector reads, the Run buttons stay in sight."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt

from neuroviz.model import AppModel
from neuroviz.model.lr_guard import GO_AHEAD
from neuroviz.ui.composition import build_window
from neuroviz.ui.inspector_tables import Col
from neuroviz.ui.training_controls import CLASS_PACE, TrainingControls
from neuroviz.ui.training_loop import TrainingLoop


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
    # and the Neurons table has a δ for every neuron of layers b, c and d, and the input's own δ^a
    table = panel.neuron_view.neuron_model
    deltas = [table.index(r, 3).data() for r in range(table.rowCount())]
    assert sum(1 for d in deltas if d) == 64 + 16 + 16 + 2


@pytest.mark.parametrize("size", [(1280, 720), (1024, 700)])
def test_a_divergence_banner_never_pushes_the_run_buttons_out_of_sight(show, qtbot, size):
    model = AppModel("circles-squares")
    window = shown_window(show, qtbot, model, size)
    controls = window.panels["trainingControlsDock"]
    controls.scroll.verticalScrollBar().setValue(controls.scroll.verticalScrollBar().maximum())
    model.lr_guard.policy = GO_AHEAD  # past the η warning (its own tests answer its dialog)
    model.set_lr(1e6)
    for _ in range(50):
        qtbot.mouseClick(controls.step_button, Qt.MouseButton.LeftButton)
        if controls.banner.isVisible():
            break
    assert controls.banner.isVisible(), "η = 1e6 should make the parameters overflow"
    assert controls.jump_banner.isVisible()  # the first update multiplied the loss: both banners show
    qtbot.wait(10)
    for button in (controls.play_button, controls.step_button, controls.epoch_button, controls.class_pace_button):
        assert button.visibleRegion().boundingRect() == button.rect(), button.objectName()  # whole, not covered
        top_left = button.mapTo(controls, QPoint(0, 0))
        assert controls.rect().contains(QRect(top_left, button.size()))
    banner = controls.banner.geometry()
    assert banner.top() >= controls.step_button.mapTo(controls, QPoint(0, controls.step_button.height())).y()
    assert controls.scroll.verticalScrollBar().value() == 0  # the scrolled part is back at its top


def test_a_first_run_plays_at_the_class_pace_one_click_from_full_speed(show, qtbot, model):
    QSettings().remove("training/pace")  # a first run
    loop = TrainingLoop(model)
    controls = show(TrainingControls(model, loop), (420, 400))
    assert loop.rate == CLASS_PACE == 2
    assert controls.class_pace_button.isChecked()
    assert controls.speed_combo.currentText() == "2 updates/s"
    # the pace stands beside Play: in the same top bar, not in the scrolled options
    combo, play = controls.speed_combo, controls.play_button
    assert combo.parent() is play.parent() and not controls.scroll.isAncestorOf(combo)
    assert 0 < combo.y() - play.y() <= 2 * play.height()  # the row under Play
    qtbot.mouseClick(controls.class_pace_button, Qt.MouseButton.LeftButton)
    assert loop.rate is None and controls.speed_combo.currentText() == "Full speed"
    assert TrainingControls(model, TrainingLoop(model)).loop.rate is None  # the choice is kept
    qtbot.mouseClick(controls.class_pace_button, Qt.MouseButton.LeftButton)
    assert loop.rate == 2


@pytest.mark.parametrize("size", [(1280, 720), (1024, 700)])
def test_ten_classes_never_make_the_window_taller_than_the_screen_and_two_never_scroll(show, qtbot, size):
    model = AppModel("circles-squares")
    window = shown_window(show, qtbot, model, size)
    editor = window.panels["pixelEditorDock"]
    assert editor.scroll.verticalScrollBar().maximum() == 0  # two classes: the whole panel shows
    model.load_example("digits")
    qtbot.wait(20)
    assert window.minimumSizeHint().height() <= size[1] and window.size().toTuple() == size
    bar = editor.scroll.verticalScrollBar()
    content = editor.scroll.widget()
    qtbot.waitUntil(lambda: content.height() >= content.minimumSizeHint().height())
    assert bar.maximum() > 0 or editor.scroll.viewport().height() >= content.height()  # a scroll away, not cut off
    bar.setValue(bar.maximum())
    bars = editor.bars
    bottom = bars.mapTo(editor.scroll.viewport(), QPoint(0, bars.height())).y()
    assert bottom <= editor.scroll.viewport().height()


def test_with_the_lessons_open_at_1280x720_the_inspector_keeps_its_tab_titles_rows_and_written_out_column(show, qtbot):
    model = AppModel("circles-squares")
    window = shown_window(show, qtbot, model, (1280, 720))
    inspector = window.panels["inspectorDock"]
    bar = inspector.tabs.tabBar()
    model.step()  # brings the inspector forward
    qtbot.waitUntil(lambda: inspector.trace is model.last_trace and not inspector.visibleRegion().isEmpty())
    assert not inspector.parameters.corner_compact  # without the Lessons the full texts fit
    assert inspector.check_button.text() == "Gradient check"
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lessons = window.docks["lessonsDock"]
    qtbot.waitUntil(lessons.isVisible)
    qtbot.wait(20)
    assert lessons.width() <= 280 and window.centralWidget().width() >= 500
    # the tab titles are whole: the corner buttons took their short texts instead
    assert inspector.parameters.corner_compact and inspector.check_button.text() == "∂ check"
    for i in range(bar.count()):
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
    corner = inspector.parameters.corner
    assert corner.isVisible() and corner.width() >= corner.sizeHint().width()
    # six rows, and the parameter and written-out columns whole inside the unscrolled view
    view = inspector.view
    assert view.viewport().height() // view.rowHeight(0) >= 6, view.viewport().height() // view.rowHeight(0)
    right = view.columnViewportPosition(Col.PRODUCT) + view.columnWidth(Col.PRODUCT)
    assert view.columnViewportPosition(0) == 0 and right <= view.viewport().width()
    fm = view.fontMetrics()
    assert fm.horizontalAdvance(view.model().index(0, Col.PRODUCT).data()) <= view.columnWidth(Col.PRODUCT) - 6
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # closed again: the full texts
    qtbot.waitUntil(lambda: not inspector.parameters.corner_compact)
    assert inspector.export_button.text() == "Export CSV…"
    assert inspector.check_button.shortcut().toString() == "Ctrl+G"  # new texts keep the button's key
