"""The pixel editor, driven with real mouse and key events."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QHelpEvent,
    QImage,
    QKeySequence,
    QMouseEvent,
)
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from neuroviz.ui.pixel_editor import PixelEditor
from neuroviz.ui.pixel_grid import shifted, stroke_cells


@pytest.fixture
def editor(show, model):
    return show(PixelEditor(model), (340, 640))


def _centre(grid, cell) -> QPoint:
    return grid.cell_rect(*cell).center()


def _move(grid, pos: QPoint, buttons) -> None:
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(grid.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(grid, event)


def drag(qtbot, grid, cells, button=Qt.MouseButton.LeftButton) -> None:
    """Press on the first cell, move through the others with ``button`` held, release."""
    qtbot.mousePress(grid, button, pos=_centre(grid, cells[0]))
    for cell in cells[1:]:
        _move(grid, _centre(grid, cell), button)
    qtbot.mouseRelease(grid, button, pos=_centre(grid, cells[-1]))


def image(model) -> np.ndarray:
    return model.input.reshape(model.image_shape).copy()


def clear(qtbot, editor) -> None:
    qtbot.mouseClick(editor.tool_buttons["clear"], Qt.MouseButton.LeftButton)


def test_helpers():
    assert stroke_cells((2, 1), (2, 4)) == [(2, 1), (2, 2), (2, 3), (2, 4)]
    assert stroke_cells((0, 0), (3, 3)) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    img = np.arange(9.0).reshape(3, 3)
    assert shifted(img, 0, 1).tolist() == [[0, 0, 1], [0, 3, 4], [0, 6, 7]]
    assert shifted(img, -1, 0).tolist() == [[3, 4, 5], [6, 7, 8], [0, 0, 0]]


def test_grid_follows_input_size(editor, model):
    assert model.image_shape == (8, 8)
    model.load_example("paper-figure-4")
    assert editor.grid.shape == (2, 2)
    assert editor.grid.cell_at(_centre(editor.grid, (1, 0))) == (1, 0)
    assert editor.target_box.count() == 2


def test_drag_paints_exactly_the_dragged_cells(qtbot, editor, model):
    clear(qtbot, editor)
    # press at (2, 1), jump to (2, 5): the cells in between are painted too
    drag(qtbot, editor.grid, [(2, 1), (2, 5), (5, 5)])
    expected = np.zeros((8, 8))
    expected[2, 1:6] = 1.0
    expected[2:6, 5] = 1.0
    assert np.array_equal(image(model), expected)


def test_brush_value_and_rendered_pixels(qtbot, editor, model):
    clear(qtbot, editor)
    editor.brush_spin.setValue(0.5)
    drag(qtbot, editor.grid, [(0, 0), (0, 1)])
    assert image(model)[0, :3].tolist() == [0.5, 0.5, 0.0]
    editor.brush_spin.setValue(1.0)
    drag(qtbot, editor.grid, [(4, 4)])
    grab = editor.grid.grab().toImage()
    assert QColor(grab.pixel(_centre(editor.grid, (4, 4)))).lightness() == 255
    assert QColor(grab.pixel(_centre(editor.grid, (0, 0)))).lightness() == 128
    assert QColor(grab.pixel(_centre(editor.grid, (7, 7)))).lightness() == 0


def test_soft_brush_paints_neighbours_partly(qtbot, editor, model):
    clear(qtbot, editor)
    qtbot.mouseClick(editor.soft_box, Qt.MouseButton.LeftButton)
    assert editor.grid.soft
    drag(qtbot, editor.grid, [(3, 3)])
    img = image(model)
    assert img[2:5, 2:5].tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    assert img.sum() == pytest.approx(4.0)


def test_right_drag_erases(qtbot, editor, model):
    qtbot.mouseClick(editor.tool_buttons["fill"], Qt.MouseButton.LeftButton)
    assert (image(model) == 1.0).all()
    drag(qtbot, editor.grid, [(1, 1), (1, 3)], Qt.MouseButton.RightButton)
    expected = np.ones((8, 8))
    expected[1, 1:4] = 0.0
    assert np.array_equal(image(model), expected)


def test_undo_redo_restore_the_image_one_stroke_at_a_time(qtbot, editor, model):
    original = image(model)
    drag(qtbot, editor.grid, [(0, 0), (0, 7)])
    after_first = image(model)
    drag(qtbot, editor.grid, [(0, 0), (7, 0)], Qt.MouseButton.RightButton)
    after_second = image(model)
    stack = model.drawing.undo_stack
    assert len(stack) == 2 and stack.undo_text == "Erase stroke"
    stack.undo()
    assert np.array_equal(image(model), after_first)
    stack.undo()
    assert np.array_equal(image(model), original)
    stack.redo()
    assert np.array_equal(image(model), after_first)
    stack.redo()
    assert np.array_equal(image(model), after_second)


def test_an_edit_changes_probabilities_and_the_bars(qtbot, editor, model):
    p_before = model.probabilities().copy()
    bars_before = editor.bars.grab().toImage()
    assert np.array_equal(editor.bars.values, p_before)
    clear(qtbot, editor)
    drag(qtbot, editor.grid, [(1, 1), (1, 6), (6, 6), (6, 1), (1, 1)])
    p_after = model.probabilities()
    assert not np.allclose(p_after, p_before)
    assert np.array_equal(editor.bars.values, p_after)
    assert editor.bars.argmax == int(np.argmax(p_after))
    assert editor.bars.grab().toImage() != bars_before


def test_tools_are_each_one_undo_command(qtbot, editor, model):
    clear(qtbot, editor)
    drag(qtbot, editor.grid, [(0, 0)])
    buttons = editor.tool_buttons
    qtbot.mouseClick(buttons["right"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons["down"], Qt.MouseButton.LeftButton)
    expected = np.zeros((8, 8))
    expected[1, 1] = 1.0
    assert np.array_equal(image(model), expected)
    qtbot.mouseClick(buttons["invert"], Qt.MouseButton.LeftButton)
    assert np.array_equal(image(model), 1.0 - expected)
    qtbot.mouseClick(buttons["noise"], Qt.MouseButton.LeftButton)
    noisy = image(model)
    assert not np.array_equal(noisy, 1.0 - expected)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    texts = [model.drawing.undo_stack.text(i) for i in range(len(model.drawing.undo_stack))]
    assert texts == ["Clear", "Paint stroke", "Shift right", "Shift down", "Invert", "Add noise"]
    from neuroviz.ui.pixel_grid import stroke_name
    assert [stroke_name(v) for v in (1.0, 0.5, 0.0)] == ["Paint stroke", "Paint stroke of 0.5", "Erase stroke"]
    model.drawing.undo_stack.undo()
    assert np.array_equal(image(model), 1.0 - expected)


def test_keyboard_shortcuts_on_the_grid(qtbot, editor, model):
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert not image(model).any()
    qtbot.keyClick(editor.grid, Qt.Key.Key_A)
    assert (image(model) == 1.0).all()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert not image(model)[:, -1].any() and image(model)[:, :-1].all()


def test_hover_shows_the_value(qtbot, editor, model):
    model.set_input(np.linspace(0, 1, 64))
    _move(editor.grid, _centre(editor.grid, (1, 2)), Qt.MouseButton.NoButton)
    assert editor.grid.hover == 10
    assert editor.readout.text().startswith("a₁₁ = 0.1587")
    assert "row 2, column 3" in editor.readout.text()
    assert image(model)[1, 2] == pytest.approx(10 / 63)


def test_target_and_train_on_drawing(qtbot, editor, model):
    editor.target_box.setFocus()
    qtbot.keyClick(editor.target_box, Qt.Key.Key_Down)
    assert model.target == 1
    weights = model.network.weights[0].copy()
    qtbot.mouseClick(editor.train_button, Qt.MouseButton.LeftButton)
    trace = model.last_trace
    assert trace is not None and trace.labels.tolist() == [1]
    assert np.array_equal(trace.forward.act[0][0], model.input)
    assert not np.array_equal(model.network.weights[0], weights)
    model.set_target(0)
    assert editor.target_box.currentIndex() == 0


def _png(path, array):
    Image.fromarray((np.asarray(array) * 255).astype(np.uint8)).save(path)


def drop_file(widget, path) -> bool:
    """Drag ``path`` onto ``widget`` and drop it (enter, then drop, as a real drag does)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *args)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    return QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), *args))


def test_dropping_an_image_file_loads_it(qtbot, editor, model, tmp_path):
    big = np.zeros((32, 32))
    big[:16, 16:] = 1.0  # top-right quadrant white
    _png(tmp_path / "quad.png", big)
    assert drop_file(editor, tmp_path / "quad.png")
    expected = np.zeros((8, 8))
    expected[:4, 4:] = 1.0
    assert np.array_equal(image(model), expected)
    assert model.drawing.undo_stack.undo_text == "Load image quad.png"
    assert "area-averaged to 8×8" in editor.message.text()


def test_other_files_are_not_accepted_for_dropping(editor, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert not drop_file(editor, tmp_path / "notes.txt")


def test_dropping_a_broken_file_changes_nothing(qtbot, editor, model, tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    before = image(model)
    drop_file(editor, tmp_path / "bad.png")
    assert np.array_equal(image(model), before)
    assert "bad.png: not a readable PNG or JPEG" in editor.message.text()
    assert len(model.drawing.undo_stack) == 0


def copy_image(white: np.ndarray) -> None:
    """Put a picture on the clipboard: white where ``white`` (shape (H, W) bool), black elsewhere."""
    gray = np.ascontiguousarray(np.where(white, 255, 0).astype(np.uint8))
    h, w = gray.shape
    QGuiApplication.clipboard().setImage(QImage(gray.tobytes(), w, h, w, QImage.Format.Format_Grayscale8).copy())


def halves(rows: slice, cols: slice) -> np.ndarray:
    """Shape (16, 16) bool: True in ``[rows, cols]``."""
    mask = np.zeros((16, 16), dtype=bool)
    mask[rows, cols] = True
    return mask


def test_paste_an_image_with_ctrl_v(qtbot, editor, model):
    copy_image(halves(slice(None), slice(0, 8)))  # left half white
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = np.zeros((8, 8))
    expected[:, :4] = 1.0
    qtbot.waitUntil(lambda: np.array_equal(image(model), expected))
    assert model.drawing.undo_stack.undo_text == "Load image from the clipboard"


def test_in_the_main_window_shift_arrows_on_the_grid_shift_and_plain_arrows_step(qtbot, main_window, model):
    editor = main_window.docks["pixelEditorDock"].widget()
    editor.clear()
    model.set_input(np.eye(8).reshape(-1))
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert np.array_equal(image(model), shifted(np.eye(8), 0, 1))
    assert model.last_trace is None
    qtbot.keyClick(editor.grid, Qt.Key.Key_Right)  # → is Step everywhere, the grid too
    assert model.trainer.step_count == 1
    assert np.array_equal(image(model), shifted(np.eye(8), 0, 1))
    # a stroke in the dock repaints the main window's diagram with the new input
    diagram = main_window.diagram
    before = diagram.grab().toImage()
    drag(qtbot, editor.grid, [(0, 7), (7, 0)])
    qtbot.waitUntil(lambda: np.array_equal(diagram.values.nodes[0], model.input))
    assert diagram.grab().toImage() != before


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise the tooltip window
def test_tooltip_shows_the_hovered_value(qtbot, editor, model):
    model.set_input(np.linspace(0, 1, 64))
    pos = _centre(editor.grid, (7, 7))
    QApplication.sendEvent(editor.grid, QHelpEvent(QEvent.Type.ToolTip, pos, editor.grid.mapToGlobal(pos)))
    qtbot.waitUntil(lambda: QToolTip.text().startswith("a₆₄ = 1"))
    assert "row 8, column 8" in QToolTip.text()


def test_escape_cancels_a_stroke_in_progress(qtbot, editor, model):
    before = image(model)
    grid = editor.grid
    grid.setFocus()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=_centre(grid, (3, 3)))
    _move(grid, _centre(grid, (3, 6)), Qt.MouseButton.LeftButton)
    assert image(model)[3, 3:7].tolist() == [1.0] * 4
    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert np.array_equal(image(model), before)
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=_centre(grid, (3, 6)))
    assert np.array_equal(image(model), before) and len(model.drawing.undo_stack) == 0


def test_bars_heading_follows_the_loss(editor, model):
    from neuroviz.core.network import NetworkConfig

    assert editor.bars_heading.text() == "Prediction p (softmax)"
    model.new_network(NetworkConfig(sizes=(64, 8, 2), loss="squared_error"))
    assert editor.bars_heading.text().startswith("Prediction: outputs")
    assert np.array_equal(editor.bars.values, model.forward().act[-1][0])


def test_ten_classes_get_compact_bars_that_fit(qtbot, editor, model):
    from neuroviz.ui.prediction_bars import COMPACT_ROW_HEIGHT, ROW_HEIGHT

    caption = editor.bars.caption_height()  # the line saying what the bars show
    assert editor.bars.height() == caption + 2 * ROW_HEIGHT + 2
    model.load_example("digits")
    assert editor.bars.height() == caption + 10 * COMPACT_ROW_HEIGHT + 2
    image = editor.bars.grab().toImage()
    best = editor.bars.argmax
    # The argmax row's bar is drawn in the highlight colour inside its compact row.
    y = caption + 1 + best * COMPACT_ROW_HEIGHT + COMPACT_ROW_HEIGHT // 2
    highlight = editor.bars.palette().color(editor.bars.palette().ColorRole.Highlight)
    row_colours = {image.pixelColor(x, y).name() for x in range(image.width())}
    assert highlight.name() in row_colours


def test_in_the_main_window_ctrl_v_pastes_an_image_from_anywhere_but_a_text_field(qtbot, main_window, model):
    copy_image(halves(slice(8, None), slice(None)))  # top half black
    dock = main_window.docks["pixelEditorDock"]
    dock.hide()
    main_window.diagram.setFocus()
    qtbot.keyClick(main_window.diagram, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = np.zeros((8, 8))
    expected[4:, :] = 1.0
    qtbot.waitUntil(lambda: np.array_equal(image(model), expected))
    assert dock.isVisible()  # the panel comes forward to show what was pasted
    assert model.drawing.undo_stack.undo_text == "Load image from the clipboard"
    paste = main_window.panels["pixelEditorDock"].paste_action
    assert paste.shortcut().matches(QKeySequence(QKeySequence.StandardKey.Paste))
    # In a text field Ctrl+V pastes text, as everywhere: the drawing stays.
    QGuiApplication.clipboard().setText("0.5")
    field = main_window.findChild(QWidget, "lrSpin").lineEdit()
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "0.5"
    assert np.array_equal(image(model), expected)
    # The editor itself, focused, still pastes: one shortcut, no ambiguity.
    copy_image(halves(slice(0, 8), slice(None)))  # now the bottom half black
    editor = dock.widget()
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: np.array_equal(image(model), expected[::-1]))


def test_walk_through_the_update_on_a_drawing_phase_by_phase(qtbot, main_window, model):
    editor = main_window.docks["pixelEditorDock"].widget()
    inspector_dock = main_window.docks["inspectorDock"]
    inspector_dock.hide()
    editor.clear()
    drag(qtbot, editor.grid, [(2, 2), (2, 5), (5, 5)])
    drawing, target = model.input.copy(), model.target
    expected = model.network.compute_step(drawing, target, model.trainer.lr)
    cursor, before = model.trainer.cursor, model.time.history.last
    qtbot.mouseClick(editor.walk_button, Qt.MouseButton.LeftButton)
    assert model.phase == model.phases[0]
    assert np.array_equal(model.pending_trace.inputs, drawing[None])  # this drawing, not the next mini-batch
    qtbot.waitUntil(lambda: inspector_dock.isVisible())  # the inspector comes forward to explain the walk
    assert not editor.walk_button.isEnabled()  # one walk at a time
    inspector = inspector_dock.widget()
    while model.pending_trace is not None:
        qtbot.mouseClick(inspector.buttons["next"], Qt.MouseButton.LeftButton)
    assert editor.walk_button.isEnabled()
    for a, b in zip(model.network.weights + model.network.biases,
                    list(expected.weights_after) + list(expected.biases_after)):
        assert np.array_equal(a, b)
    assert model.trainer.cursor == cursor  # outside the epoch order, like "Train on this drawing"
    assert model.time.history.last == before + 1 and model.time.history.kind(before + 1) == "input"
    assert np.array_equal(model.time.history.input_of(before + 1)[0], drawing[None])
    # Ctrl+Shift+Return on the grid starts the same walk; cancelling it applies nothing.
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert model.pending_trace is not None and np.array_equal(model.pending_trace.inputs, drawing[None])
    model.cancel_phased_step()
    assert model.time.history.last == before + 1
