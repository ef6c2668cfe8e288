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

from neuroviz.ui.pixel_editor import PixelEditor, shifted, stroke_cells


@pytest.fixture
def editor(show, session):
    return show(PixelEditor(session), (340, 640))


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


def image(session) -> np.ndarray:
    return session.input.reshape(session.image_shape).copy()


def clear(qtbot, editor) -> None:
    qtbot.mouseClick(editor.tool_buttons["clear"], Qt.MouseButton.LeftButton)


def test_helpers():
    assert stroke_cells((2, 1), (2, 4)) == [(2, 1), (2, 2), (2, 3), (2, 4)]
    assert stroke_cells((0, 0), (3, 3)) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    img = np.arange(9.0).reshape(3, 3)
    assert shifted(img, 0, 1).tolist() == [[0, 0, 1], [0, 3, 4], [0, 6, 7]]
    assert shifted(img, -1, 0).tolist() == [[3, 4, 5], [6, 7, 8], [0, 0, 0]]


def test_grid_follows_input_size(editor, session):
    assert session.image_shape == (8, 8)
    session.load_example("paper-figure-4")
    assert editor.grid.shape == (2, 2)
    assert editor.grid.cell_at(_centre(editor.grid, (1, 0))) == (1, 0)
    assert editor.target_box.count() == 2


def test_drag_paints_exactly_the_dragged_cells(qtbot, editor, session):
    clear(qtbot, editor)
    # press at (2, 1), jump to (2, 5): the cells in between are painted too
    drag(qtbot, editor.grid, [(2, 1), (2, 5), (5, 5)])
    expected = np.zeros((8, 8))
    expected[2, 1:6] = 1.0
    expected[2:6, 5] = 1.0
    assert np.array_equal(image(session), expected)


def test_brush_value_and_rendered_pixels(qtbot, editor, session):
    clear(qtbot, editor)
    editor.brush_spin.setValue(0.5)
    drag(qtbot, editor.grid, [(0, 0), (0, 1)])
    assert image(session)[0, :3].tolist() == [0.5, 0.5, 0.0]
    editor.brush_spin.setValue(1.0)
    drag(qtbot, editor.grid, [(4, 4)])
    grab = editor.grid.grab().toImage()
    assert QColor(grab.pixel(_centre(editor.grid, (4, 4)))).lightness() == 255
    assert QColor(grab.pixel(_centre(editor.grid, (0, 0)))).lightness() == 128
    assert QColor(grab.pixel(_centre(editor.grid, (7, 7)))).lightness() == 0


def test_soft_brush_paints_neighbours_partly(qtbot, editor, session):
    clear(qtbot, editor)
    qtbot.mouseClick(editor.soft_box, Qt.MouseButton.LeftButton)
    assert editor.grid.soft
    drag(qtbot, editor.grid, [(3, 3)])
    img = image(session)
    assert img[2:5, 2:5].tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    assert img.sum() == pytest.approx(4.0)


def test_right_drag_erases(qtbot, editor, session):
    qtbot.mouseClick(editor.tool_buttons["fill"], Qt.MouseButton.LeftButton)
    assert (image(session) == 1.0).all()
    drag(qtbot, editor.grid, [(1, 1), (1, 3)], Qt.MouseButton.RightButton)
    expected = np.ones((8, 8))
    expected[1, 1:4] = 0.0
    assert np.array_equal(image(session), expected)


def test_undo_redo_restore_the_image_one_stroke_at_a_time(qtbot, editor, session):
    original = image(session)
    drag(qtbot, editor.grid, [(0, 0), (0, 7)])
    after_first = image(session)
    drag(qtbot, editor.grid, [(0, 0), (7, 0)], Qt.MouseButton.RightButton)
    after_second = image(session)
    stack = session.undo_stack
    assert stack.count() == 2 and stack.undoText() == "Erase stroke"
    stack.undo()
    assert np.array_equal(image(session), after_first)
    stack.undo()
    assert np.array_equal(image(session), original)
    stack.redo()
    assert np.array_equal(image(session), after_first)
    stack.redo()
    assert np.array_equal(image(session), after_second)


def test_an_edit_changes_probabilities_and_the_bars(qtbot, editor, session):
    p_before = session.probabilities().copy()
    bars_before = editor.bars.grab().toImage()
    assert np.array_equal(editor.bars.values, p_before)
    clear(qtbot, editor)
    drag(qtbot, editor.grid, [(1, 1), (1, 6), (6, 6), (6, 1), (1, 1)])
    p_after = session.probabilities()
    assert not np.allclose(p_after, p_before)
    assert np.array_equal(editor.bars.values, p_after)
    assert editor.bars.argmax == int(np.argmax(p_after))
    assert editor.bars.grab().toImage() != bars_before


def test_tools_are_each_one_undo_command(qtbot, editor, session):
    clear(qtbot, editor)
    drag(qtbot, editor.grid, [(0, 0)])
    buttons = editor.tool_buttons
    qtbot.mouseClick(buttons["right"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons["down"], Qt.MouseButton.LeftButton)
    expected = np.zeros((8, 8))
    expected[1, 1] = 1.0
    assert np.array_equal(image(session), expected)
    qtbot.mouseClick(buttons["invert"], Qt.MouseButton.LeftButton)
    assert np.array_equal(image(session), 1.0 - expected)
    qtbot.mouseClick(buttons["noise"], Qt.MouseButton.LeftButton)
    noisy = image(session)
    assert not np.array_equal(noisy, 1.0 - expected)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    texts = [session.undo_stack.text(i) for i in range(session.undo_stack.count())]
    assert texts == ["Clear", "Paint stroke (1)", "Shift right", "Shift down", "Invert", "Add noise"]
    session.undo_stack.undo()
    assert np.array_equal(image(session), 1.0 - expected)


def test_keyboard_shortcuts_on_the_grid(qtbot, editor, session):
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert not image(session).any()
    qtbot.keyClick(editor.grid, Qt.Key.Key_F)
    assert (image(session) == 1.0).all()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Left)
    assert not image(session)[:, -1].any() and image(session)[:, :-1].all()


def test_hover_shows_the_value(qtbot, editor, session):
    session.set_input(np.linspace(0, 1, 64))
    _move(editor.grid, _centre(editor.grid, (1, 2)), Qt.MouseButton.NoButton)
    assert editor.grid.hover == 10
    assert editor.readout.text().startswith("a₁₁ = 0.1587")
    assert "row 2, column 3" in editor.readout.text()
    assert image(session)[1, 2] == pytest.approx(10 / 63)


def test_target_and_train_on_drawing(qtbot, editor, session):
    editor.target_box.setFocus()
    qtbot.keyClick(editor.target_box, Qt.Key.Key_Down)
    assert session.target == 1
    weights = session.network.weights[0].copy()
    qtbot.mouseClick(editor.train_button, Qt.MouseButton.LeftButton)
    trace = session.last_trace
    assert trace is not None and trace.labels.tolist() == [1]
    assert np.array_equal(trace.forward.act[0][0], session.input)
    assert not np.array_equal(session.network.weights[0], weights)
    session.set_target(0)
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


def test_dropping_an_image_file_loads_it(qtbot, editor, session, tmp_path):
    big = np.zeros((32, 32))
    big[:16, 16:] = 1.0  # top-right quadrant white
    _png(tmp_path / "quad.png", big)
    assert drop_file(editor, tmp_path / "quad.png")
    expected = np.zeros((8, 8))
    expected[:4, 4:] = 1.0
    assert np.array_equal(image(session), expected)
    assert session.undo_stack.undoText() == "Load image quad.png"
    assert "area-averaged to 8×8" in editor.message.text()


def test_other_files_are_not_accepted_for_dropping(editor, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    assert not drop_file(editor, tmp_path / "notes.txt")


def test_dropping_a_broken_file_changes_nothing(qtbot, editor, session, tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    before = image(session)
    drop_file(editor, tmp_path / "bad.png")
    assert np.array_equal(image(session), before)
    assert "bad.png: not a readable PNG or JPEG" in editor.message.text()
    assert session.undo_stack.count() == 0


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


def test_paste_an_image_with_ctrl_v(qtbot, editor, session):
    copy_image(halves(slice(None), slice(0, 8)))  # left half white
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = np.zeros((8, 8))
    expected[:, :4] = 1.0
    qtbot.waitUntil(lambda: np.array_equal(image(session), expected))
    assert session.undo_stack.undoText() == "Load image from the clipboard"


def test_in_the_main_window_arrow_keys_on_the_grid_shift_instead_of_stepping(qtbot, main_window, session):
    editor = main_window.docks["pixelEditorDock"].widget()
    editor.clear()
    session.set_input(np.eye(8).reshape(-1))
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Right)
    assert np.array_equal(image(session), shifted(np.eye(8), 0, 1))
    assert session.last_trace is None
    # a stroke in the dock repaints the main window's diagram with the new input
    diagram = main_window.diagram
    before = diagram.grab().toImage()
    drag(qtbot, editor.grid, [(0, 7), (7, 0)])
    qtbot.waitUntil(lambda: np.array_equal(diagram.values.nodes[0], session.input))
    assert diagram.grab().toImage() != before


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise the tooltip window
def test_tooltip_shows_the_hovered_value(qtbot, editor, session):
    session.set_input(np.linspace(0, 1, 64))
    pos = _centre(editor.grid, (7, 7))
    QApplication.sendEvent(editor.grid, QHelpEvent(QEvent.Type.ToolTip, pos, editor.grid.mapToGlobal(pos)))
    qtbot.waitUntil(lambda: QToolTip.text().startswith("a₆₄ = 1"))
    assert "row 8, column 8" in QToolTip.text()


def test_escape_cancels_a_stroke_in_progress(qtbot, editor, session):
    before = image(session)
    grid = editor.grid
    grid.setFocus()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=_centre(grid, (3, 3)))
    _move(grid, _centre(grid, (3, 6)), Qt.MouseButton.LeftButton)
    assert image(session)[3, 3:7].tolist() == [1.0] * 4
    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert np.array_equal(image(session), before)
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=_centre(grid, (3, 6)))
    assert np.array_equal(image(session), before) and session.undo_stack.count() == 0


def test_bars_heading_follows_the_loss(editor, session):
    from neuroviz.core.network import NetworkConfig

    assert editor.bars_heading.text() == "Prediction p (softmax)"
    session.new_network(NetworkConfig(sizes=(64, 8, 2), loss="squared_error"))
    assert editor.bars_heading.text().startswith("Prediction: outputs")
    assert np.array_equal(editor.bars.values, session.forward().act[-1][0])


def test_ten_classes_get_compact_bars_that_fit(qtbot, editor, session):
    from neuroviz.ui.prediction_bars import COMPACT_ROW_HEIGHT, ROW_HEIGHT

    assert editor.bars.height() == 2 * ROW_HEIGHT + 2
    session.load_example("digits")
    assert editor.bars.height() == 10 * COMPACT_ROW_HEIGHT + 2
    image = editor.bars.grab().toImage()
    best = editor.bars.argmax
    # The argmax row's bar is drawn in the highlight colour inside its compact row.
    y = 1 + best * COMPACT_ROW_HEIGHT + COMPACT_ROW_HEIGHT // 2
    highlight = editor.bars.palette().color(editor.bars.palette().ColorRole.Highlight)
    row_colours = {image.pixelColor(x, y).name() for x in range(image.width())}
    assert highlight.name() in row_colours


def test_in_the_main_window_ctrl_v_pastes_an_image_from_anywhere_but_a_text_field(qtbot, main_window, session):
    copy_image(halves(slice(8, None), slice(None)))  # top half black
    dock = main_window.docks["pixelEditorDock"]
    dock.hide()
    main_window.diagram.setFocus()
    qtbot.keyClick(main_window.diagram, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = np.zeros((8, 8))
    expected[4:, :] = 1.0
    qtbot.waitUntil(lambda: np.array_equal(image(session), expected))
    assert dock.isVisible()  # the panel comes forward to show what was pasted
    assert session.undo_stack.undoText() == "Load image from the clipboard"
    assert main_window.paste_image_action.shortcut().matches(QKeySequence(QKeySequence.StandardKey.Paste))
    # In a text field Ctrl+V pastes text, as everywhere: the drawing stays.
    QGuiApplication.clipboard().setText("0.5")
    field = main_window.findChild(QWidget, "lrSpin").lineEdit()
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "0.5"
    assert np.array_equal(image(session), expected)
    # The editor itself, focused, still pastes: one shortcut, no ambiguity.
    copy_image(halves(slice(0, 8), slice(None)))  # now the bottom half black
    editor = dock.widget()
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: np.array_equal(image(session), expected[::-1]))


def test_walk_through_the_update_on_a_drawing_phase_by_phase(qtbot, main_window, session):
    editor = main_window.docks["pixelEditorDock"].widget()
    inspector_dock = main_window.docks["inspectorDock"]
    inspector_dock.hide()
    editor.clear()
    drag(qtbot, editor.grid, [(2, 2), (2, 5), (5, 5)])
    drawing, target = session.input.copy(), session.target
    expected = session.network.compute_step(drawing, target, session.trainer.lr)
    cursor, before = session.trainer.cursor, session.history.last
    qtbot.mouseClick(editor.walk_button, Qt.MouseButton.LeftButton)
    assert session.phase == session.phases[0]
    assert np.array_equal(session.pending_trace.inputs, drawing[None])  # this drawing, not the next mini-batch
    qtbot.waitUntil(lambda: inspector_dock.isVisible())  # the inspector comes forward to explain the walk
    assert not editor.walk_button.isEnabled()  # one walk at a time
    inspector = inspector_dock.widget()
    while session.pending_trace is not None:
        qtbot.mouseClick(inspector.buttons["next"], Qt.MouseButton.LeftButton)
    assert editor.walk_button.isEnabled()
    for a, b in zip(session.network.weights + session.network.biases,
                    list(expected.weights_after) + list(expected.biases_after)):
        assert np.array_equal(a, b)
    assert session.trainer.cursor == cursor  # outside the epoch order, like "Train on this drawing"
    assert session.history.last == before + 1 and session.history.kind(before + 1) == "input"
    assert np.array_equal(session.history.input_of(before + 1)[0], drawing[None])
    # Ctrl+Shift+Return on the grid starts the same walk; cancelling it applies nothing.
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert session.pending_trace is not None and np.array_equal(session.pending_trace.inputs, drawing[None])
    session.cancel_phased_step()
    assert session.history.last == before + 1
