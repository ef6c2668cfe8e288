"""During a phase walk, a value the walk has not computed yet is blank everywhere: the diagram's output labels,
its tooltips, the prediction bars, the inspector's Neurons table and the status bar (rendered state)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from neuroviz.core.selection import Selection
from neuroviz.ui.diagram_labels import LabelLog
from neuroviz.ui.inspector_tables import NCol
from neuroviz.ui.prediction_bars import PredictionBars


def settle(qtbot, window) -> None:
    qtbot.wait(10)
    window.refresh_status()


def bar_pixels(bars: PredictionBars) -> int:
    """How many pixels of the bars are drawn in the highlight colour (the argmax's filled bar)."""
    image = bars.grab().toImage()
    highlight = bars.palette().color(QPalette.ColorRole.Highlight)
    return sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if QColor(image.pixel(x, y)) == highlight)


def test_p_appears_in_every_view_only_once_the_walk_reaches_the_loss(main_window, qtbot):
    window, model = main_window, main_window.model
    model.step()
    inspector = window.docks["inspectorDock"].widget()
    qtbot.mouseClick(inspector.buttons["walk"], Qt.MouseButton.LeftButton)
    assert model.walk.active
    bars = window.findChild(PredictionBars)
    diagram = window.diagram
    output = len(model.network.sizes) - 1
    names = model.class_names
    walked = model.pending_trace
    seen = []
    while model.walk.active:
        phase = model.phase
        known = phase.kind in ("loss", "backward", "update")
        settle(qtbot, window)
        # the diagram's output labels, as drawn
        diagram.label_log = LabelLog()
        diagram.render_image()
        outputs = [text for kind, text, _ in diagram.label_log.rects if kind == "output" and " = " in text]
        assert len(outputs) == len(names), outputs
        assert all(("p = —" in text) != known for text in outputs), (phase, outputs)
        # its tooltip of an output neuron
        tip = diagram.describe(Selection("neuron", output, 0))
        assert ("p = not computed yet" in tip) != known, (phase, tip)
        # the prediction bars: "—" and no filled bar, then the values
        assert np.isnan(bars.values).all() != known
        assert (bar_pixels(bars) > 0) == known, phase
        assert ("not computed yet" in bars.toolTip()) != known
        # the inspector's Neurons table: the p column of the output rows
        table = inspector.neuron_model
        p_cells = [table.index(r, NCol.PROB).data() for r in range(table.rowCount())
                   if table.index(r, NCol.NEURON).data().startswith("d")]
        assert len(p_cells) == len(names) and all(bool(c) == known for c in p_cells), (phase, p_cells)
        # the status bar's loss is the walked update's, once computed
        loss = window.status_labels["loss"].text()
        assert loss == (f"loss {walked.loss:.4g}" if known else "loss —"), (phase, loss)
        if known:
            assert np.allclose(bars.values, model.shown().probs)
        seen.append(known)
        model.next_phase()
    assert seen[0] is False and seen[-1] is True and False in seen and True in seen
