"""The input's own δ^a in the views: the pixel editor's −δ^a tint and the diagram's input-layer mode."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette

from neuroviz.core.input_delta import input_deltas
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.pixel_editor import PixelEditor
from neuroviz.ui.theme import LIGHT


@pytest.fixture
def editor(show, model):
    return show(PixelEditor(model), (340, 640))


def cell_colour(grid, index: int):
    image = grid.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    centre = grid.cell_rect(*divmod(index, grid.shape[1])).center()
    c = image.pixelColor(centre)
    return np.array([c.red(), c.green(), c.blue()], dtype=int)


def test_the_tint_marks_the_pixels_that_would_lower_the_loss(qtbot, editor, model):
    model.step()
    delta = model.shown().input_delta()
    brighter, darker = int(np.argmin(delta)), int(np.argmax(delta))  # δ^a < 0: brighter lowers L
    plain = [cell_colour(editor.grid, i) for i in (brighter, darker)]
    assert not editor.overlay_caption.isVisible()
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_D)
    assert model.view.input_overlay and editor.overlay_action.isChecked()
    tinted = [cell_colour(editor.grid, i) for i in (brighter, darker)]
    blue = editor.grid.palette().color(QPalette.ColorRole.Highlight)
    red = editor.grid.palette().color(QPalette.ColorRole.BrightText)
    for before, after, toward in zip(plain, tinted, (blue, red)):
        target = np.array([toward.red(), toward.green(), toward.blue()])
        assert np.abs(after - target).sum() < np.abs(before - target).sum()  # pulled toward its colour
    assert "update 1 · after · your drawing" in editor.overlay_caption.text().replace("&nbsp;", " ")
    assert "δᵃ" in editor.grid.describe(brighter) and "brighter lowers the loss" in editor.grid.describe(brighter)
    qtbot.mouseClick(editor.tool_buttons["overlay"], Qt.MouseButton.LeftButton)
    assert not model.view.input_overlay and not editor.overlay_caption.isVisible()


def test_the_tint_follows_the_showing_state_and_waits_for_the_walk(qtbot, editor, model):
    model.view.set_input_overlay(True)
    trace = model.begin_phased_step()
    assert editor.grid.input_delta() is None and editor.grid.overlay_image() is None
    assert "not known yet" in editor.overlay_caption.text()
    model.walk.show(Phase("backward", 1))
    model.show("sample", 2)
    assert np.array_equal(editor.grid.input_delta(), input_deltas(trace)[2])
    assert editor.grid.overlay_image() is not None and "sample 3 of" in editor.overlay_caption.text()


def test_the_diagram_input_layer_shows_its_delta_on_the_diverging_scale(show, model):
    diagram = show(NetworkDiagram(model, LIGHT), (900, 600))
    model.step()
    diagram.refresh()
    values_rgb = diagram.neurons.rgb[0].copy()
    model.view.set_modes(input_mode="deltas")
    diagram.refresh()
    assert np.array_equal(diagram.values.nodes[0], model.shown().input_delta())
    assert not np.array_equal(diagram.neurons.rgb[0], values_rgb) and "δᵃ" in diagram.values.note
    assert "δ^a_1 = " in diagram.describe(Selection("neuron", 0, 0))


def test_the_view_menu_switches_the_input_layer(main_window, model):
    action = main_window.input_delta_action
    action.trigger()
    assert model.view.input_mode == "deltas"
    editor_entry = [a for a in main_window.view_menu.actions() if a.text() == "Input −δᵃ tint"]
    assert editor_entry
    editor_entry[0].trigger()
    assert model.view.input_overlay


def test_the_caption_says_when_the_tint_is_of_another_input_than_the_drawing(editor, model):
    model.view.set_input_overlay(True)
    trace = model.step()
    assert "another input" not in editor.overlay_caption.text()
    model.show("sample", 1, "before")
    assert np.array_equal(editor.grid.input_delta(), input_deltas(trace)[1])
    assert "another input than this drawing" in editor.overlay_caption.text()
