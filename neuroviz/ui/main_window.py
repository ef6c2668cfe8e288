"""The main window: the network diagram in the centre, panels docked around it.

Menus
    File (``file_menu``): New network…, Examples ▸, Quit.  More file actions
    (Open, Save, Export …) go in with ``set_file_actions``, above Quit.
    Edit: Undo / Redo of the model's undo stack (edits of the input
    drawing, named: "Undo Brush stroke"), Paste Image as Input (Ctrl+V
    anywhere but in a text field), Preferences….
    View: one toggle per dock panel, what the diagram shows, zoom, theme,
    Reset layout.
    History: Step back (←), Step (→), go to the start / newest, Branches ▸
    (time travel through training; the timeline strip's commands).
    Help: Start here (the first-run tour), Keyboard shortcuts, About.
    View ▸ Presentation (F11): the diagram and the inspector large for a
    projector, at a UI scale of 125–200 % (``presentation``).

The window geometry, the dock layout and the view options are saved in
QSettings when the window closes and restored when it opens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QToolBar,
    QWidget,
)

from neuroviz.core.numbers import count, fixed, fmt, percent
from neuroviz.model import AppModel
from neuroviz.ui.autosave_timer import AutosaveTimer
from neuroviz.ui.binding import subscribe
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.file_actions import FileActions
from neuroviz.ui.help_dialogs import shortcuts_dialog, show_about
from neuroviz.ui.key_map import KeyUse, window_key_uses
from neuroviz.ui.new_network_dialog import NewNetworkDialog
from neuroviz.ui.panel_protocol import Panel, PanelContext
from neuroviz.ui.panels import PanelSpec, panel_specs
from neuroviz.ui.preferences import apply_saved_preferences
from neuroviz.ui.presentation import Presentation
from neuroviz.ui.showing_control import ShowingControl
from neuroviz.ui.start_tour import StartTour, window_stops
from neuroviz.ui.theme import THEME_CHOICES, apply_palette, resolve_theme
from neuroviz.ui.toolbar_fit import CompactWhenNarrow
from neuroviz.ui.training_loop import TrainingLoop
from neuroviz.ui.window_menus import WindowMenus
from neuroviz.ui.window_shortcuts import with_shortcut

STATE_VERSION = 1
"""Bump when the dock layout changes incompatibly (old saved layouts are then ignored)."""
DEFAULT_AREAS = {
    "pixelEditorDock": Qt.DockWidgetArea.LeftDockWidgetArea,
    "trainingControlsDock": Qt.DockWidgetArea.LeftDockWidgetArea,
    "lossCurvesDock": Qt.DockWidgetArea.BottomDockWidgetArea,
    "inspectorDock": Qt.DockWidgetArea.BottomDockWidgetArea,
    "dataBrowserDock": Qt.DockWidgetArea.BottomDockWidgetArea,
    "planeDock": Qt.DockWidgetArea.BottomDockWidgetArea,
}
"""Where the default layout puts known docks (others go where their PanelSpec says).

Drawing and training controls share the left column, which runs the full
height; the wide analysis panels share the bottom, under the diagram, so
that the diagram keeps most of the window."""
TABBED_DOCKS = (("lossCurvesDock", "inspectorDock", "dataBrowserDock", "planeDock"),)
"""Docks that share one place as tabs in the default layout (object names; missing ones are skipped)."""
DEFAULT_SIZE = (1400, 900)
"""The window's size at the first start, or 90 % of the screen if that is larger (never more than the screen)."""
BOTTOM_HEIGHT = 360
BOTTOM_SHARE = 0.5
"""The bottom row's default height: ``BOTTOM_HEIGHT`` pixels, but no more than this share of the window's."""
LEFT_WIDTH = 452
STATUS_INTERVAL_MS = 100
"""The status bar refreshes at most this often."""

SHORT_TEXTS = {"weights": "θ", "gradients": "∂L/∂θ", "updates": "Δθ", "deltas": "δ"}
"""The diagram toolbar's texts when the full ones do not fit (a 1024-pixel screen): the symbols alone."""


class MainWindow(WindowMenus):
    """Wires the panels to the model; holds the menus (``WindowMenus``), the diagram toolbar and the status bar."""

    closed_on_purpose = Signal()
    """The window closed after its unsaved changes were saved or let go (not a crash)."""

    def __init__(self, model: AppModel, settings: QSettings, loop: TrainingLoop, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.settings = settings
        self.loop = loop
        loop.setParent(self)
        self.setObjectName("mainWindow")
        apply_saved_preferences(model, self.settings)
        self.theme_choice = str(self.settings.value("view/theme", "system"))
        if self.theme_choice not in THEME_CHOICES:
            self.theme_choice = "system"
        self.diagram = NetworkDiagram(model, resolve_theme(self.theme_choice))
        self.diagram.input_grid = self._bool_setting("view/inputGrid", True)
        model.view.set_receptive_fields(self._bool_setting("view/receptiveFields", False))
        self.setCentralWidget(self.diagram)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, Panel] = {}
        self._build_file_menu()
        self._build_edit_menu()
        self._build_view_menu()
        self._build_help_menu()
        self._build_toolbar()
        self._build_status_bar()
        context = PanelContext(model, loop, settings)
        for spec in panel_specs():
            self.add_panel(spec, context)
        self._build_history_menu()
        self._place_panel_entries()
        self._tabify_default_docks()
        self.file_actions: FileActions | None = None
        self.before_discard: list[Callable[[], object]] = []
        """Called before the open network may be replaced or the window closes (a lesson brings yours back)."""
        self.autosave: AutosaveTimer | None = None
        """Autosaves to the recovery file (made by the composition root when there is a data folder)."""
        self.presentation = Presentation(self, self.docks, [self.diagram_toolbar], self.settings)
        self.presentation.toggled.connect(self.presentation_action.setChecked)
        self.scale_actions[self.presentation.scale].setChecked(True)
        self.tour = StartTour(self, window_stops(self.docks), self.settings)
        self._default_state = self.saveState(STATE_VERSION)
        self._sized = self.restore_layout()
        self.apply_theme(self.theme_choice)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)
        subscribe(self, model.document.architecture_changed, self._update_title)
        subscribe(self, model.document.file_changed, self._update_title)
        subscribe(self, model.view.changed, self._sync_view_actions)
        subscribe(self, model.diverged, lambda text: self.statusBar().showMessage(text, 10000))
        subscribe(self, model.stepped, self._bring_inspector_forward)
        self._walking = False
        subscribe(self, model.walk.changed, self._show_walk)
        for signal in (model.document.network_changed, model.trained, model.stepped, model.rate_changed,
                       model.running_changed, model.time.changed, model.showing.changed, model.walk.changed):
            subscribe(self, signal, self._schedule_status)
        self._update_title()
        self._sync_view_actions()
        self.refresh_status()

    # ------------------------------------------------------------ panels
    def add_panel(self, spec: PanelSpec, context: PanelContext) -> QDockWidget:
        """Dock the panel ``spec`` describes and give it a View-menu toggle."""
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(spec.object_name)
        widget = spec.factory(context)
        if not isinstance(widget, Panel):
            raise TypeError(f"the {spec.title} panel must declare key_help() and menu_entries()")
        self.panels[spec.object_name] = widget
        dock.setWidget(widget)
        self.addDockWidget(DEFAULT_AREAS.get(spec.object_name, spec.area), dock)
        dock.setVisible(spec.visible)
        toggle = dock.toggleViewAction()
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
        toggle.setToolTip(with_shortcut(f"Show or hide the {spec.title} panel", toggle))
        self.view_menu.insertAction(self._view_panels_end, toggle)
        self.docks[spec.object_name] = dock
        return dock

    def _tabify_default_docks(self) -> None:
        """Stack the docks of ``TABBED_DOCKS`` as tabs (the first one in front) so the window fits small screens."""
        for names in TABBED_DOCKS:
            docks = [self.docks[n] for n in names if n in self.docks]
            for other in docks[1:]:
                self.tabifyDockWidget(docks[0], other)
            if docks:
                docks[0].raise_()

    def _show_walk(self) -> None:
        """When a phase walk begins (from the inspector or the input panel), show the inspector: it explains it."""
        walking = self.model.pending_trace is not None
        if walking and not self._walking:
            dock = self.docks.get("inspectorDock")
            if dock is not None:
                dock.show()
                dock.raise_()
        self._walking = walking

    def _bring_inspector_forward(self, *_: object) -> None:
        """After a single step, show the inspector if it is open but behind another tab."""
        dock = self.docks.get("inspectorDock")
        if dock is not None and not self.model.running and dock.isVisible() and dock.visibleRegion().isEmpty():
            dock.raise_()

    def _apply_default_sizes(self) -> None:
        """Give the bottom row and the left column their default sizes; the diagram gets the rest.

        The bottom row takes at most half the window's height: at 1280×720 the inspector shows at
        least 8 parameter rows, and the diagram fills the rest.  A row of tabs is sized through its
        front tab (a hidden tab's size is ignored).
        """
        bottom, left = Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        front = [names[0] for names in TABBED_DOCKS]
        height = min(BOTTOM_HEIGHT, round(BOTTOM_SHARE * self.height()))
        for area, size, orientation in ((bottom, height, Qt.Orientation.Vertical),
                                        (left, LEFT_WIDTH, Qt.Orientation.Horizontal)):
            docks = sorted((d for d in self.docks.values() if self.dockWidgetArea(d) == area),
                           key=lambda d: d.objectName() not in front)
            if docks:
                self.resizeDocks(docks[:1], [size], orientation)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Diagram", self)
        bar.setObjectName("diagramToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(QLabel(" Edges: "))
        for action in self.edge_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Neurons: "))
        for action in self.node_actions.values():
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.receptive_fields_action)
        bar.addAction(self.fit_action)
        bar.addSeparator()
        self.showing_control = ShowingControl(self.model, bar)
        bar.addWidget(self.showing_control)
        self.view_menu.addSeparator()
        self.view_menu.addActions(list(self.showing_control.moment_actions.values()))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.diagram_toolbar = bar
        modes = {**self.edge_actions, **self.node_actions}
        self.toolbar_fit = CompactWhenNarrow(bar, {modes[mode]: text for mode, text in SHORT_TEXTS.items()})
        self.view_menu.insertAction(self._view_panels_end, bar.toggleViewAction())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_labels: dict[str, QLabel] = {}
        tips = {
            "showing": "What the diagram, the inspector and the prediction show: which update, before or after it, "
                       "and which input (switched in the diagram toolbar's Showing control)",
            "step": "Updates made so far",
            "epoch": "Completed passes over the training set",
            "loss": "Loss L of the last update (during a walk: of the walked one, once the walk computes it)",
            "accuracy": "Accuracy on the test split after the last epoch",
            "rate": "Updates per second while training",
        }
        for key, tip in tips.items():
            label = QLabel()
            label.setToolTip(tip)
            label.setObjectName(f"status_{key}")
            bar.addPermanentWidget(label)
            self.status_labels[key] = label
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_INTERVAL_MS)
        self._status_timer.timeout.connect(self.refresh_status)

    # ------------------------------------------------------------ actions
    def confirm_discard(self) -> bool:
        """True if the open network may be replaced (asks Save / Discard / Cancel when it has unsaved changes)."""
        for before in self.before_discard:
            before()
        return self.file_actions is None or self.file_actions.maybe_save()

    def quit(self) -> None:
        """Close the window, asking first about unsaved changes."""
        if self.confirm_discard():
            self.close()

    def new_network(self) -> None:
        """Ask for an architecture and open a fresh network of it."""
        if not self.confirm_discard():
            return
        dialog = NewNetworkDialog(self.model, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            dialog.apply()

    def open_example(self, name: str) -> None:
        if self.confirm_discard():
            self.model.load_example(name)

    def set_presentation(self, on: bool) -> None:
        """Enter or leave presentation mode (View ▸ Presentation)."""
        self.presentation.set_active(on)

    def set_presentation_scale(self, percent: int) -> None:
        self.presentation.set_scale(percent)
        self.scale_actions[percent].setChecked(True)

    def set_input_grid(self, on: bool) -> None:
        self.diagram.set_input_grid(on)
        self.input_grid_action.setChecked(on)

    def set_receptive_fields(self, on: bool) -> None:
        self.model.view.set_receptive_fields(on)

    def apply_theme(self, choice: str) -> None:
        """Use the ``light`` or ``dark`` theme, or follow the ``system``."""
        self.theme_choice = choice if choice in THEME_CHOICES else "system"
        theme = resolve_theme(self.theme_choice)
        apply_palette(theme)
        self.diagram.set_theme(theme)
        self.theme_actions[self.theme_choice].setChecked(True)

    def _on_system_scheme_changed(self, *_: object) -> None:
        if self.theme_choice == "system":
            self.apply_theme("system")

    def key_uses(self) -> list[KeyUse]:
        """Every key the window answers, where and what for (Help ▸ Keyboard shortcuts lists them)."""
        menus = (self.file_menu, self.edit_menu, self.view_menu, self.history_menu, self.help_menu)
        return window_key_uses(self, self.panels, menus)

    def show_shortcuts(self) -> None:
        """A dialog listing every key of the window and the mouse gestures of the diagram."""
        self.shortcuts_dialog = shortcuts_dialog(self, self.key_uses())
        self.shortcuts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # each opening makes a new one
        self.shortcuts_dialog.open()

    def show_about(self) -> None:
        show_about(self)

    def show_tour(self) -> None:
        """Help ▸ Start here: open the tour at its first stop."""
        self.tour.start()

    def offer_tour(self) -> bool:
        """Open the tour if this is a first run (it was never closed before); True if it opened."""
        return self.tour.offer()

    # ------------------------------------------------------------ layout
    def save_layout(self) -> None:
        """Store geometry, dock layout and view options in QSettings (the layout as it is outside presentation mode)."""
        self.presentation.leave()
        s = self.settings
        s.setValue("mainWindow/geometry", self.saveGeometry())
        s.setValue("mainWindow/state", self.saveState(STATE_VERSION))
        s.setValue("view/theme", self.theme_choice)
        s.setValue("view/inputGrid", self.diagram.input_grid)
        s.setValue("view/receptiveFields", self.diagram.receptive_fields)
        s.sync()

    def restore_layout(self) -> bool:
        """Restore geometry and dock layout from QSettings; False if none was saved."""
        geometry = self.settings.value("mainWindow/geometry")
        state = self.settings.value("mainWindow/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self._default_geometry()
        if isinstance(state, QByteArray):
            return bool(self.restoreState(state, STATE_VERSION))
        return False

    def _default_geometry(self) -> None:
        """First start: most of the screen (the panels need room), centred."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        w = min(area.width(), max(DEFAULT_SIZE[0], round(area.width() * 0.9)))
        h = min(area.height(), max(DEFAULT_SIZE[1], round(area.height() * 0.9)))
        self.resize(w, h)
        self.move(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2)

    def reset_layout(self) -> None:
        """Put every dock and toolbar back where it started, all visible."""
        self.restoreState(self._default_state, STATE_VERSION)
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        self.diagram_toolbar.show()
        self._apply_default_sizes()
        self.diagram.fit_to_view()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            # Dock sizes only take once the window is laid out at its real size: after this event.
            self._sized = True
            QTimer.singleShot(0, self._apply_default_sizes)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and not self.confirm_discard():  # closed from the title bar
            event.ignore()
            return
        self.save_layout()
        self.closed_on_purpose.emit()
        super().closeEvent(event)

    # ------------------------------------------------------------ state → widgets
    def _bool_setting(self, key: str, default: bool) -> bool:
        value = self.settings.value(key, default)
        return value in (True, "true", "1", 1) if not isinstance(value, bool) else value

    def _update_title(self, *_: object) -> None:
        path = self.model.document.file_path
        title = Path(path).name if path else (self.model.document.title or "untitled")
        self.setWindowTitle(f"{title}[*] — neuroviz")
        self.setWindowModified(self.model.document.modified)

    def _sync_view_actions(self) -> None:
        self.edge_actions[self.model.edge_mode].setChecked(True)
        self.node_actions[self.model.node_mode].setChecked(True)
        self.input_delta_action.setChecked(self.model.view.input_mode == "deltas")
        self.receptive_fields_action.setChecked(self.model.view.receptive_fields)

    def _schedule_status(self, *_: object) -> None:
        if not self._status_timer.isActive():
            self._status_timer.start()

    def refresh_status(self) -> None:
        """What is shown, step, epoch, last loss, accuracy and updates per second in the status bar."""
        t = self.model.trainer
        history = t.history
        loss = fmt(history.values[-1], 4) if len(history) else "—"
        walked, progress = self.model.pending_trace, self.model.shown().progress(self.model.phase)
        if walked is not None and progress is not None:  # the walked update's loss, once the walk computes it
            loss = fmt(walked.loss, 4) if progress.loss else "—"
        acc = "—"
        if t.epochs:
            last = t.epochs[-1]
            value, split = (last.test_accuracy, "test") if not math.isnan(last.test_accuracy) else (
                last.train_accuracy, "train")
            acc = "—" if math.isnan(value) else f"{percent(value)} ({split})"  # none for regression
        rate = self.model.updates_per_second
        back = "" if self.model.at_newest else f" of {count(self.model.time.newest_update)} (back in time)"
        texts = {
            "showing": f"showing {self.model.shown().words()}",
            "step": f"step {count(t.step_count)}{back}",
            "epoch": f"epoch {count(t.epoch)}",
            "loss": f"loss {loss}",
            "accuracy": f"accuracy {acc}",
            "rate": f"{fixed(rate, 0)} updates/s" if self.model.running or rate else "stopped",
        }
        for key, text in texts.items():
            self.status_labels[key].setText(text)
        self.setWindowModified(self.model.document.modified)
