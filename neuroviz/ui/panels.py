"""The dock panels around the diagram, declared in one place.

Each entry makes one dock of the main window; the main window builds them in
this order, gives each dock its unique object name (so QSettings can save the
layout) and a View-menu toggle.  A factory gets the ``PanelContext`` and hands
each panel what it needs: the model, and the training loop where it drives training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from neuroviz.ui.panel_protocol import PanelContext


@dataclass(frozen=True)
class PanelSpec:
    """How to build one dock: ``factory(context)`` makes its widget (a ``Panel``)."""

    object_name: str
    title: str
    factory: Callable[[PanelContext], QWidget]
    area: Qt.DockWidgetArea
    shortcut: str = ""
    visible: bool = True
    """Shown in the default layout (a hidden one is opened from the View menu)."""


def panel_specs() -> list[PanelSpec]:
    """All panels, imported here so that each panel module stays independent."""
    from neuroviz.ui.data_browser import DataBrowser
    from neuroviz.ui.inspector import InspectorPanel
    from neuroviz.ui.lessons_panel import LessonsPanel
    from neuroviz.ui.loss_plot import LossPlot
    from neuroviz.ui.pixel_editor import PixelEditor
    from neuroviz.ui.plane_panel import PlanePanel
    from neuroviz.ui.timeline import Timeline
    from neuroviz.ui.training_controls import TrainingControls

    left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
    return [
        PanelSpec("pixelEditorDock", "Input image", lambda c: PixelEditor(c.model), left),
        PanelSpec("planeDock", "Plane", lambda c: PlanePanel(c.model), Qt.DockWidgetArea.BottomDockWidgetArea),
        PanelSpec("dataBrowserDock", "Data", lambda c: DataBrowser(c.model), left),
        PanelSpec("trainingControlsDock", "Training", lambda c: TrainingControls(c.model, c.loop, c.settings), right),
        PanelSpec("lossCurvesDock", "Loss curves", lambda c: LossPlot(c.model), Qt.DockWidgetArea.BottomDockWidgetArea),
        PanelSpec("inspectorDock", "Inspector", lambda c: InspectorPanel(c.model, c.settings), right),
        PanelSpec("timelineDock", "Timeline", lambda c: Timeline(c.model, c.loop), Qt.DockWidgetArea.TopDockWidgetArea),
        PanelSpec("lessonsDock", "Lessons", lambda c: LessonsPanel(c.model, c.settings), right, "Ctrl+L",
                  visible=False),
    ]
