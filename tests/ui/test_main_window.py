"""The main window: docks, menus, shortcuts, saved layout, status bar, screenshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget

from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.theme import DARK, LIGHT


def test_window_builds_with_the_diagram_in_the_centre(main_window, model):
    assert main_window.centralWidget() is main_window.diagram
    assert main_window.docks, "the panels of panel_specs() are docked"
    names = [d.objectName() for d in main_window.docks.values()]
    assert len(set(names)) == len(names)
    assert "circles" in main_window.windowTitle().lower()


def test_every_dock_toggles_from_the_view_menu(main_window, qtbot):
    view_actions = main_window.view_menu.actions()
    for dock in [*main_window.docks.values()]:
        toggle = dock.toggleViewAction()
        assert toggle in view_actions
        shown = dock.isVisible()
        assert shown == (dock.objectName() != "lessonsDock")  # the Lessons panel opens from the View menu
        toggle.trigger()
        qtbot.waitUntil(lambda d=dock, s=shown: d.isVisible() != s)
        toggle.trigger()
        qtbot.waitUntil(lambda d=dock, s=shown: d.isVisible() == s)
    toolbar = main_window.diagram_toolbar.toggleViewAction()
    toolbar.trigger()
    assert not main_window.diagram_toolbar.isVisible()


def test_layout_survives_a_restart_and_reset_restores_it(qtbot, settings_path):
    first = build_window(AppModel(), QSettings())
    qtbot.addWidget(first)
    with qtbot.waitExposed(first):
        first.show()
    name, dock = next(iter(first.docks.items()))
    dock.toggleViewAction().trigger()
    first.apply_theme("dark")
    first.set_receptive_fields(True)
    geometry = first.saveGeometry()
    first.close()
    assert any(settings_path.rglob("*.ini"))
    assert QSettings().value("mainWindow/geometry") == geometry

    second = build_window(AppModel(), QSettings())
    qtbot.addWidget(second)
    with qtbot.waitExposed(second):
        second.show()
    assert not second.docks[name].isVisible()
    assert all(d.isVisible() != (n == "lessonsDock") for n, d in second.docks.items() if n != name)
    assert second.theme_choice == "dark" and second.diagram.theme is DARK
    assert second.receptive_fields_action.isChecked() and second.diagram.receptive_fields

    second.reset_layout_action.trigger()
    qtbot.waitUntil(lambda: second.docks[name].isVisible())
    second.apply_theme("light")


def test_theme_actions_switch_the_diagram(main_window):
    main_window.theme_actions["dark"].trigger()
    assert main_window.diagram.theme is DARK
    image = main_window.diagram.render_image()
    assert image.pixelColor(3, 3).name() == DARK.background
    main_window.theme_actions["light"].trigger()
    assert main_window.diagram.theme is LIGHT
    assert main_window.diagram.render_image().pixelColor(3, 3).name() == LIGHT.background


def test_view_mode_shortcuts_and_menu_stay_in_sync(main_window, model, qtbot):
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    main_window.diagram.setFocus()
    qtbot.keyClick(main_window.diagram, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert model.edge_mode == "gradients"
    qtbot.keyClick(main_window.diagram, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert model.node_mode == "deltas"
    model.set_view(edge_mode="updates", node_mode="activations")
    assert main_window.edge_actions["updates"].isChecked()
    assert main_window.node_actions["activations"].isChecked()
    assert "Ctrl+1" in main_window.edge_actions["weights"].toolTip()


def test_examples_menu_opens_the_paper_example(main_window, model):
    main_window.example_actions["paper-figure-4"].trigger()
    assert model.network.sizes == (4, 3, 2)
    assert "Figure 4" in main_window.windowTitle()
    assert main_window.diagram.layout_.sizes == (4, 3, 2)
    from neuroviz.model import EXAMPLE_TITLES

    assert set(main_window.example_actions) == set(EXAMPLE_TITLES)  # the ones `step --preset` is tested on


def test_status_bar_shows_step_loss_and_rate(main_window, model, qtbot):
    labels = main_window.status_labels
    assert labels["step"].text() == "step 0" and labels["loss"].text() == "loss —"
    trace = model.step()
    assert trace is not None
    qtbot.waitUntil(lambda: labels["step"].text() == "step 1")
    assert labels["loss"].text() == f"loss {trace.loss:.4g}"
    model.trainer.run_epoch()
    model.step()
    qtbot.waitUntil(lambda: labels["accuracy"].text().endswith("(test)"))
    assert labels["epoch"].text() == "epoch 1"
    model.set_updates_per_second(1234.0)
    qtbot.waitUntil(lambda: labels["rate"].text() == "1,234 updates/s")


def test_undo_and_redo_name_what_they_undo(main_window, model):
    assert main_window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert main_window.redo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert not main_window.undo_action.isEnabled()
    old = model.input.copy()
    model.edit_input(np.zeros_like(model.input), "Clear drawing")
    assert main_window.undo_action.isEnabled()
    assert main_window.undo_action.text() == "&Undo Clear drawing"
    main_window.undo_action.trigger()
    assert np.array_equal(model.input, old)
    assert main_window.redo_action.text() == "&Redo Clear drawing"


def test_file_actions_go_above_quit(main_window):
    actions = main_window.file_menu.actions()
    for group in main_window.file_actions.menu_groups():
        assert all(actions.index(a) < actions.index(main_window.quit_action) for a in group)
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    assert main_window.quit_action.shortcut() == (standard[0] if standard else QKeySequence("Ctrl+Q"))


def test_a_closed_shortcuts_dialog_is_deleted(main_window, qtbot):
    # Every Help ▸ Keyboard shortcuts used to leave its closed dialog (and its table) alive.
    def alive() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Keyboard shortcuts"]

    for _ in range(3):
        main_window.shortcuts_action.trigger()
        qtbot.waitUntil(main_window.shortcuts_dialog.isVisible)
        main_window.shortcuts_dialog.reject()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert alive() == []


def test_shortcuts_dialog_lists_menu_shortcuts(main_window, qtbot):
    main_window.shortcuts_action.trigger()
    dialog = main_window.shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible)
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Gradients ∂L/∂θ"] == "Ctrl+2"
    assert rows["Fit to view"] == "Ctrl+0"
    assert rows["Paste Image as Input"] == "Ctrl+V"
    assert "Wheel" in rows.values()
    # The keys that act inside one panel are listed too, from the panels themselves.
    assert rows["Train on this drawing: one update (Input image panel)"] == "Ctrl+Return"
    assert rows["Walk through the update on this drawing, phase by phase (Input image panel)"] == "Ctrl+Shift+Return"
    assert rows["Replace each value v by 1 − v (input grid)"] == "I"
    assert rows["Cancel the stroke being drawn (input grid)"] == "Esc"
    assert rows["Show the next phase (starts a walk if none)"] == "N"  # the walk's keys act anywhere
    assert rows["Complete the update: apply it, exactly as a direct step"] == "F"
    assert rows["Drop the walked update: nothing is applied"] == "C"
    assert rows["Clear the selection (on the diagram)"] == "Esc"
    assert rows["Presentation"] == "F11"
    assert rows["Load the next sample (Data panel)"] == "PgDown"
    assert rows["Train continuously; press again to pause"] == "Space"  # a panel's key that acts anywhere
    dialog.close()


def test_screenshot_command_writes_a_png(tmp_path):
    out = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "neuroviz", "--screenshot", str(out), "--size", "1400x900",
                             "--example", "paper-figure-4"], capture_output=True, text=True, timeout=60, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


def test_view_toggles_for_the_input_grid_and_receptive_fields(main_window):
    diagram = main_window.diagram
    assert diagram.layout_.grid is not None
    main_window.input_grid_action.trigger()
    assert diagram.layout_.grid is None and not main_window.input_grid_action.isChecked()
    main_window.receptive_fields_action.trigger()
    assert diagram.layout_.rf_rects.shape == (16, 4)
    main_window.fit_action.trigger()
    assert main_window.receptive_fields_action.toolTip().endswith("(Ctrl+Shift+R)")


def test_ctrl_q_quits_and_the_title_names_the_saved_file(main_window, qtbot, tmp_path):
    model = main_window.model
    model.document.mark_saved(str(tmp_path / "lesson.neuroviz.json"))
    assert main_window.windowTitle().startswith("lesson.neuroviz.json")
    assert main_window.quit_action.shortcut().toString() == "Ctrl+Q"
    qtbot.keyClick(main_window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not main_window.isVisible())


def test_a_single_step_brings_the_inspector_tab_forward(main_window, qtbot):
    inspector, loss = main_window.docks["inspectorDock"], main_window.docks["lossCurvesDock"]
    loss.raise_()
    qtbot.waitUntil(lambda: inspector.visibleRegion().isEmpty())
    qtbot.keyClick(main_window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: not inspector.visibleRegion().isEmpty())
    assert loss.visibleRegion().isEmpty()
    assert main_window.model.trainer.step_count == 1
    inspector.toggleViewAction().trigger()  # closed by the user: a step leaves it closed
    qtbot.keyClick(main_window, Qt.Key.Key_Right)
    assert main_window.model.trainer.step_count == 2 and not inspector.isVisible()


def test_first_start_takes_most_of_the_screen(qtbot, model):
    from neuroviz.ui.main_window import DEFAULT_SIZE

    window = build_window(model, QSettings())
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    expected_w = min(area.width(), max(DEFAULT_SIZE[0], round(area.width() * 0.9)))
    expected_h = min(area.height(), max(DEFAULT_SIZE[1], round(area.height() * 0.9)))
    assert (window.width(), window.height()) == (expected_w, expected_h)
    assert area.contains(window.geometry())


def test_on_a_small_screen_the_bottom_row_takes_at_most_half_the_height(show, model, settings_path, qtbot):
    window = show(build_window(model, QSettings()), (1280, 720))  # no saved layout: the default one
    bottom = window.docks["lossCurvesDock"]  # the front tab of the bottom row

    def small_bottom_row() -> bool:  # half the height (the inspector's 8 rows), or as little as its tabs allow
        least = max(d.minimumSizeHint().height() for d in window.docks.values()
                    if window.dockWidgetArea(d) == window.dockWidgetArea(bottom))
        return bottom.height() <= max(0.5 * window.height(), least) + 8

    qtbot.waitUntil(small_bottom_row)
    assert window.diagram.height() >= 220
    assert window.minimumSizeHint().width() <= 1024  # the panels wrap their texts to fit a 1024-wide screen
    # Reset layout gives the same split.
    window.resizeDocks([bottom], [450], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: window.diagram.height() < bottom.height())
    window.reset_layout_action.trigger()
    qtbot.waitUntil(small_bottom_row)
