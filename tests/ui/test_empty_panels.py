"""A fresh window: every panel with nothing to show yet says what to do, and names the key that does it."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from neuroviz.ui.composition import build_window


def test_every_empty_panel_says_what_to_do(show, qtbot, model):
    window = show(build_window(model, QSettings()), (1280, 720))
    qtbot.wait(20)
    panels = window.panels
    inspector = panels["inspectorDock"]
    window.docks["inspectorDock"].raise_()
    qtbot.waitUntil(lambda: "No update yet" in inspector.equations.toPlainText())
    timeline = panels["timelineDock"].readout
    hints = {
        "inspector header": (inspector.header.text(), "(<b>W</b>)"),
        "inspector equations": (inspector.equations.toPlainText(), "Step (→), or Walk (W)"),
        "timeline": (timeline.text(), "Step (→) or Play (Space) adds updates here"),
        "loss curves": (panels["lossCurvesDock"].readout.text(), "Play (Space) trains, Step (→)"),
        "input": (panels["pixelEditorDock"].readout.text(), "left-drag paints"),
    }
    for name, (text, says) in hints.items():
        assert says in text, (name, text)
    window.docks["lossCurvesDock"].raise_()  # it shares a tab row with the inspector
    qtbot.waitUntil(lambda: not panels["lossCurvesDock"].readout.visibleRegion().isEmpty())
    window.docks["inspectorDock"].raise_()
    assert inspector.table_model.rowCount() == 0  # nothing else pretends to be there
    # once there is an update, the hints give way to it
    model.step()
    qtbot.waitUntil(lambda: "No update yet" not in inspector.equations.toPlainText())
    assert "nothing recorded" not in timeline.text()
    window.docks["lossCurvesDock"].raise_()
    qtbot.waitUntil(lambda: "No updates yet" not in panels["lossCurvesDock"].readout.text())
