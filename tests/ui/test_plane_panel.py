"""The Plane panel and the diagram's neuron maps, driven with real mouse events, checked on state and pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from neuroviz.core.features import FEATURE_LABELS
from neuroviz.core.notation import neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.io.plane_picture import BACKGROUND_STRENGTH, NEGATIVE, POSITIVE, map_rgb
from neuroviz.model import AppModel
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.diagram_maps import thumb_side
from neuroviz.ui.pixel_editor import PixelEditor
from neuroviz.ui.plane_panel import PlanePanel
from neuroviz.ui.showing_control import ShowingControl


@pytest.fixture
def plane_model(qtbot) -> AppModel:
    m = AppModel("plane-spiral")
    m.time.fork_policy = lambda question: "keep"
    return m


@pytest.fixture
def panel(show, plane_model) -> PlanePanel:
    return show(PlanePanel(plane_model), (420, 640))


def at(view, x1: float, x2: float) -> QPoint:
    return view.to_screen(x1, x2).toPoint()


def grab(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).copy()  # a copy: the QImage goes away


def pixel(widget, pos: QPoint) -> np.ndarray:
    return grab(widget)[pos.y(), pos.x()].astype(int)


def test_a_click_moves_your_point_and_undo_brings_it_back(qtbot, panel, plane_model):
    view = panel.view
    start = plane_model.plane.point
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=at(view, 3.0, -2.0))
    x1, x2 = plane_model.plane.point
    assert abs(x1 - 3.0) < 0.1 and abs(x2 + 2.0) < 0.1
    np.testing.assert_array_equal(plane_model.input, plane_model.plane.features_of((x1, x2)))
    assert "your point" in panel.readout.text()
    plane_model.drawing.undo_stack.undo()
    assert plane_model.plane.point == start


def test_points_are_added_with_a_class_removed_and_undone(qtbot, panel, plane_model):
    view = panel.view
    n = len(plane_model.dataset)
    qtbot.mouseClick(panel.mode_buttons["add"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=at(view, 5.5, 5.5))
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=at(view, -5.5, -5.5))
    assert len(plane_model.dataset) == n + 2
    assert plane_model.dataset.y[-2:].tolist() == [0, 1]
    # The added class-2 point is drawn in class 2's colour.
    colour = pixel(view, at(view, -5.5, -5.5))
    assert np.abs(colour - np.array(POSITIVE)).sum() < 40
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=at(view, 5.5, 5.5))
    assert len(plane_model.dataset) == n + 1 and plane_model.dataset.y[-1] == 1
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert len(plane_model.dataset) == 1
    stack = plane_model.drawing.undo_stack
    stack.undo()
    stack.undo()
    stack.undo()
    assert len(plane_model.dataset) == n + 1
    stack.undo()
    assert len(plane_model.dataset) == n


def test_clear_without_points_of_your_own_says_why(qtbot, panel, plane_model):
    n = len(plane_model.dataset)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert len(plane_model.dataset) == n and "add some" in panel.message.text()


def test_the_decision_map_is_drawn_behind_the_points_and_follows_training(qtbot, panel, plane_model):
    view = panel.view
    corner = at(view, 5.8, -5.8)  # no data there
    expected = map_rgb(np.array([[plane_model.plane.value_at((5.8, -5.8))]]), 1.0, BACKGROUND_STRENGTH)[0, 0]
    assert np.abs(pixel(view, corner) - expected).sum() < 12
    before = grab(view).copy()
    plane_model.train_for(0.3)
    qtbot.waitUntil(lambda: not np.array_equal(grab(view), before))
    assert "p₂ − p₁" in panel.caption.text()


def test_the_legend_shows_both_ends_of_the_scale(panel):
    img = grab(panel.legend)
    row = img[8, 8: panel.legend.width() - 8].astype(int)
    assert np.abs(row[0] - np.array(NEGATIVE)).sum() < 30 and np.abs(row[-1] - np.array(POSITIVE)).sum() < 30
    assert panel.legend.texts()[0].startswith("−1")


def test_a_selected_neuron_is_shown_large(qtbot, panel, plane_model):
    plane_model.select(Selection("neuron", 1, 3))
    values, _, caption = panel.view.shown_map()
    np.testing.assert_array_equal(values, plane_model.plane.maps(100, 100)[1][3])
    assert caption.startswith(neuron_label(1, 3, "unicode"))


def test_train_on_this_point_steps_on_your_point(qtbot, panel, plane_model):
    plane_model.plane.set_point((1.0, 1.0))
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    trace = plane_model.last_trace
    assert trace is not None and trace.batch_size == 1
    np.testing.assert_array_equal(trace.inputs[0], plane_model.plane.features_of((1.0, 1.0)))


def test_regression_shows_the_value_at_your_point_as_the_target(qtbot, show):
    m = AppModel("plane-multi-gauss")
    p = show(PlanePanel(m), (420, 640))
    assert p.target_box.isHidden() and "value at your point" in p.target_label.text()
    assert p.legend.texts()[0].startswith("−")


def test_every_neuron_is_drawn_as_its_map_in_the_diagram(qtbot, show, plane_model):
    diagram = show(NetworkDiagram(plane_model), (1200, 700))
    lay = diagram.layout_
    image = grab(diagram)
    maps = plane_model.plane.maps(40, 40)
    for layer in range(len(lay.sizes)):
        side = thumb_side(lay, diagram.scale, layer)
        assert side >= 10
        for i in range(lay.sizes[layer]):
            c = diagram.neuron_screen_pos(layer, i)
            # The thumbnail's top-left quarter shows the map's top-left: compare with the map's colour there.
            q = int(side / 4)
            got = image[int(c.y()) - q, int(c.x()) - q].astype(int)
            values = maps[layer][i]
            limit = float(np.abs(maps[layer]).max()) or 1.0
            want = map_rgb(values[10:11, 10:11], limit)[0, 0].astype(int)
            assert np.abs(got - want).sum() < 60, (layer, i, got, want)


def test_edges_stop_under_the_thumbnails_and_the_picture_stays(qtbot, show, plane_model, monkeypatch):
    diagram = show(NetworkDiagram(plane_model), (1200, 700))
    lay, edges = diagram.layout_, diagram.edges
    covered = diagram.maps.covered(lay, diagram.scale, plane_model)
    full = edges.screen_segments(lay, diagram.view)
    on_plane = edges.drawn_segments(lay, diagram.view, 1.0, covered)
    circles = edges.drawn_segments(lay, diagram.view, 1.0)
    for l in range(1, len(lay.sizes) - 1):  # hidden to hidden: squares larger than the circles
        rows = slice(lay.offsets[l], lay.offsets[l] + lay.sizes[l] * lay.sizes[l + 1])
        gap = np.hypot(*(on_plane[rows, :2] - full[rows, :2]).T)
        assert np.all(gap > np.hypot(*(circles[rows, :2] - full[rows, :2]).T))  # shorter than at the circles
        assert np.all(gap < covered[l] - 1.5)  # still under the square
    image = grab(diagram)
    monkeypatch.setattr(edges, "drawn_segments", lambda lay, view, *_: edges.screen_segments(lay, view))
    diagram.update()
    whole = grab(diagram)
    # The same picture: the antialiasing of a shortened line rounds a few levels differently, no more.
    assert np.any(image != whole) and np.abs(image.astype(int) - whole).max() <= 6


def test_neurons_hidden_under_their_thumbnails_are_not_drawn_beneath(qtbot, show, plane_model):
    from neuroviz.ui.diagram_labels import LabelLog

    diagram = show(NetworkDiagram(plane_model), (1200, 700))
    lay = diagram.layout_
    diagram.label_log = LabelLog()
    grab(diagram)
    texts = [(kind, text, rect) for kind, text, rect in diagram.label_log.rects if kind in ("name", "value")]
    squares = [thumb_side(lay, diagram.scale, l) / 2 for l in range(len(lay.sizes))]
    hidden = [l for l in range(len(lay.sizes)) if squares[l] >= lay.radius[l] * diagram.scale + 1.5]
    assert hidden == list(range(len(lay.sizes) - 1))  # the inputs and hidden layers; the output keeps its circles
    for kind, text, rect in texts:  # only the outputs' names and values are written
        layer = min(range(len(lay.sizes)), key=lambda l: abs(diagram.neuron_screen_pos(l, 0).x() - rect.center().x()))
        assert layer == len(lay.sizes) - 1, (kind, text)
    assert any(kind == "value" for kind, _, _ in texts)  # the outputs' p


def test_hovering_a_neuron_enlarges_its_map(qtbot, show, plane_model):
    diagram = show(NetworkDiagram(plane_model), (1200, 700))
    c = diagram.neuron_screen_pos(2, 0).toPoint()
    before = grab(diagram).copy()
    qtbot.mouseMove(diagram, c)
    qtbot.waitUntil(lambda: diagram.hover == Selection("neuron", 2, 0))
    after = grab(diagram)
    changed = np.any(before != after, axis=2)
    ys, xs = np.nonzero(changed)
    assert xs.max() - xs.min() > 120 and ys.max() - ys.min() > 120


def test_regression_loss_curves_have_no_accuracy(qtbot, show):
    from neuroviz.ui.loss_plot import LossPlot

    m = AppModel("plane-multi-gauss")
    plot = show(LossPlot(m), (600, 300))
    m.trainer.run_epoch()
    m.trainer.run_epoch()
    m.trained.emit(1)
    plot.refresh()
    assert len(plot.test_loss_curve.getData()[0]) == 2
    assert plot.train_acc_curve.getData()[0] is None or len(plot.train_acc_curve.getData()[0]) == 0
    assert not plot.loss_plot.getAxis("right").isVisible() and "accuracy" not in plot.key.text()
    m.load_example("plane-spiral")  # classes again: the accuracy axis comes back
    plot.refresh()
    assert plot.loss_plot.getAxis("right").isVisible() and "accuracy" in plot.key.text()


def test_the_readout_says_the_value_at_the_moment_shown(qtbot, panel, plane_model):
    plane_model.step()
    after = panel.readout.text()
    plane_model.show(input="sample", moment="before")
    value = plane_model.plane.value_at(plane_model.plane.point)
    assert panel.readout.text() != after and panel.readout.text().endswith(fmt(value, 3))


def test_import_reads_a_csv_through_the_dialog_and_undo_brings_the_old_points_back(qtbot, panel, plane_model,
                                                                                     tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    path.write_text("x1,x2,label,test\n1,2,0,0\n-3,4,1,0\n5,-5,1,1\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    before = plane_model.dataset
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    points, labels, is_test = plane_model.plane.points()
    np.testing.assert_array_equal(points, [[1.0, 2.0], [-3.0, 4.0], [5.0, -5.0]])
    np.testing.assert_array_equal(labels, [0, 1, 1])
    np.testing.assert_array_equal(is_test, [False, False, True])
    assert "Imported 3 points from mine.csv" in panel.message.text()
    # The view draws the imported point: class 1's colour at (1, 2).
    assert np.abs(pixel(panel.view, at(panel.view, 1.0, 2.0)) - np.array(NEGATIVE)).sum() < 60
    plane_model.drawing.undo_stack.undo()
    assert plane_model.dataset is before


def test_a_bad_csv_names_the_line_and_changes_nothing(qtbot, panel, plane_model, tmp_path, monkeypatch):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,0\n3,4,7\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    before = plane_model.dataset
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    assert plane_model.dataset is before
    assert "bad.csv, line 2: the label '7' is not a class 0 or 1" in panel.message.text()
    assert not plane_model.drawing.undo_stack.can_undo


def test_regression_clicks_add_the_value_typed_in_the_value_box(qtbot, show):
    m = AppModel("plane-multi-gauss")
    p = show(PlanePanel(m), (420, 640))
    assert p.value_box.isVisible()
    p.value_box.clear()
    qtbot.keyClicks(p.value_box, "0.35")
    qtbot.keyClick(p.value_box, Qt.Key.Key_Enter)
    qtbot.mouseClick(p.mode_buttons["add"], Qt.MouseButton.LeftButton)
    n = len(m.dataset)
    qtbot.mouseClick(p.view, Qt.MouseButton.LeftButton, pos=at(p.view, 2.0, 1.0))
    qtbot.mouseClick(p.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, at(p.view, -2.0, 1.0))
    points, values, _ = m.plane.points()
    assert len(points) == n + 2
    np.testing.assert_allclose(values[-2:], [0.35, -0.35])


def test_the_input_panel_lists_your_points_features_instead_of_a_strip(qtbot, show):
    m = AppModel("plane-spiral")
    editor = show(PixelEditor(m), (360, 640))
    assert editor.point_features.isVisible() and not editor.grid.isVisible()
    m.plane.set_point((0.5, -2.0))
    x = m.plane.features_of((0.5, -2.0))
    lines = editor.point_features.lines()
    assert [label for label, _ in lines] == [FEATURE_LABELS[f] for f in m.dataset.plane.features]
    assert [value for _, value in lines] == [fmt(float(v), 4) for v in x]
    text = editor.point_features.text()
    assert "(0.5, −2)" in text and "x₁" in text and "Plane" in text
    assert editor.train_button.text() == "Train on this point"


def test_the_showing_words_say_your_point_on_the_plane(qtbot, show):
    m = AppModel("plane-spiral")
    control = show(ShowingControl(m), (600, 60))
    m.step_on_input()
    assert m.shown().words().endswith("your point")
    assert control.input_combo.itemText(0) == "Your point"
    assert "your point" in control.toolTip()
    assert AppModel().shown().words().endswith("your drawing")
