"""The dock panels around the diagram, declared in one place.

Each entry makes one dock of the main window; the main window builds them in
this order, gives each dock its unique object name (so QSettings can save the
layout) and a View-menu toggle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from neuroviz.ui.session import Session


@dataclass(frozen=True)
class PanelSpec:
    """How to build one dock: ``factory(session)`` makes its widget."""

    object_name: str
    title: str
    factory: Callable[[Session], QWidget]
    area: Qt.DockWidgetArea
    shortcut: str = ""


def panel_specs() -> list[PanelSpec]:
    """All panels, imported here so that each panel module stays independent."""
    specs: list[PanelSpec] = []
    from neuroviz.ui.pixel_editor import PixelEditor
    specs.append(PanelSpec("pixelEditorDock", "Input image", PixelEditor, Qt.DockWidgetArea.LeftDockWidgetArea))
    from neuroviz.ui.data_browser import DataBrowser
    specs.append(PanelSpec("dataBrowserDock", "Data", DataBrowser, Qt.DockWidgetArea.LeftDockWidgetArea))
    from neuroviz.ui.training_controls import TrainingControls
    specs.append(PanelSpec("trainingControlsDock", "Training", TrainingControls, Qt.DockWidgetArea.RightDockWidgetArea))
    from neuroviz.ui.loss_plot import LossPlot
    specs.append(PanelSpec("lossCurvesDock", "Loss curves", LossPlot, Qt.DockWidgetArea.BottomDockWidgetArea))
    from neuroviz.ui.inspector import InspectorPanel
    specs.append(PanelSpec("inspectorDock", "Inspector", InspectorPanel, Qt.DockWidgetArea.RightDockWidgetArea))
    from neuroviz.ui.timeline import Timeline
    specs.append(PanelSpec("timelineDock", "Timeline", Timeline, Qt.DockWidgetArea.TopDockWidgetArea))
    return specs
