"""The main window's menu bar: File, Edit, View, History and Help, and where the panels' entries go.

``WindowMenus`` is the base of ``MainWindow`` (see its module docstring for
what each menu holds).  It builds the menus and their actions
(``new_network_action``, ``edge_actions``, ``theme_actions``,
``presentation_action`` …) and connects them to the window's commands
(``new_network``, ``apply_theme``, ``reset_layout`` …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from neuroviz.model import EXAMPLE_TITLES, AppModel
from neuroviz.model.examples import PLANE_EXAMPLES
from neuroviz.ui.panel_protocol import Panel
from neuroviz.ui.preferences import show_preferences
from neuroviz.ui.presentation import SCALES
from neuroviz.ui.theme import THEME_CHOICES
from neuroviz.ui.undo_actions import undo_redo_actions
from neuroviz.ui.window_shortcuts import with_shortcut

if TYPE_CHECKING:
    from neuroviz.ui.diagram import NetworkDiagram
    from neuroviz.ui.file_actions import FileActions

EDGE_ACTIONS = (
    ("weights", "&Weights θ", "Ctrl+1", "Edges show the weights θ: colour by sign, width by |θ|"),
    ("gradients", "&Gradients ∂L/∂θ", "Ctrl+2", "Edges show the gradients ∂L/∂θ of the last update"),
    ("updates", "Last &update Δθ", "Ctrl+3", "Edges show the change Δθ = after − before of the last update: "
                                               "the optimiser's step (−η ∂L/∂θ for the paper's SGD)"),
)
NODE_ACTIONS = (
    ("activations", "&Activations", "Ctrl+4", "Neurons show their activations for the current input"),
    ("deltas", "&Errors δ", "Ctrl+5", "Neurons show their error terms δ of the last update"),
)


class WindowMenus(QMainWindow):
    """The menus of ``MainWindow``; the window provides the state and the commands they use."""

    model: AppModel
    settings: QSettings
    diagram: NetworkDiagram
    panels: dict[str, Panel]
    docks: dict[str, QDockWidget]
    file_actions: FileActions | None

    def set_file_actions(self, file_actions: FileActions) -> None:
        """Put the file actions (Open, Save, Export …) into the File menu, above Quit, each group after a line."""
        self.file_actions = file_actions
        for group in file_actions.menu_groups():
            self.file_menu.insertSeparator(self._file_quit_separator)
            for action in group:
                self.file_menu.insertAction(self._file_quit_separator, action)

    def _place_panel_entries(self) -> None:
        """Put the actions the panels offer into the Edit, History and View menus, by their order."""
        menus = {"Edit": (self.edit_menu, self._edit_panels_end), "History": (self.history_menu, None),
                 "View": (self.view_menu, None)}
        entries = sorted(((e, name) for name, p in self.panels.items() for e in p.menu_entries()),
                         key=lambda pair: pair[0].order)
        for entry, name in entries:
            menu, before = menus[entry.menu]
            if entry.separator_before:
                menu.insertSeparator(before) if before is not None else menu.addSeparator()
            action = entry.action if entry.action is not None else entry.submenu.menuAction()
            menu.insertAction(before, action) if before is not None else menu.addAction(action)
            if entry.window_wide and entry.action is not None:
                entry.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                dock = self.docks[name]
                entry.action.triggered.connect(lambda _=False, d=dock: (d.show(), d.raise_()))
        self.history_menu.menuAction().setVisible(not self.history_menu.isEmpty())

    def _mode_menu(self, title: str, entries: tuple[tuple[str, str, str, str], ...],
                   view_field: str) -> tuple[QMenu, dict[str, QAction]]:
        """A submenu of View with one exclusive, checkable action per mode (``entries``: mode, text, key, tip)
        that sets ``view_field`` of the model's view; the submenu and the actions by mode."""
        menu = self.view_menu.addMenu(title)
        group = QActionGroup(menu)
        actions: dict[str, QAction] = {}
        for mode, text, key, tip in entries:
            action = self._action(text, lambda _=False, m=mode: self.model.set_view(**{view_field: m}), key, tip,
                                  True)
            group.addAction(action)
            menu.addAction(action)
            actions[mode] = action
        return menu, actions

    def _action(self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.setToolTip(with_shortcut(tip or text.replace("&", "").rstrip("…"), action))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_file_menu(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        self.new_network_action = self._action("&New network…", self.new_network, QKeySequence.StandardKey.New,
                                               "Build a new network: layer sizes, activations, loss, data set")
        self.file_menu.addAction(self.new_network_action)
        self.examples_menu = self.file_menu.addMenu("&Examples")
        self.example_actions: dict[str, QAction] = {}
        for name in ("paper-figure-4", "circles-squares", "digits", *PLANE_EXAMPLES):
            action = self._action(EXAMPLE_TITLES[name], lambda _=False, n=name: self.open_example(n),
                                  tip=f"Open the example “{EXAMPLE_TITLES[name]}”")
            self.examples_menu.addAction(action)
            self.example_actions[name] = action
        self._file_quit_separator = self.file_menu.addSeparator()
        # Some platforms (offscreen, plain X11) define no standard Quit key: fall back to Ctrl+Q.
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.quit_action = self._action("&Quit", self.quit, quit_keys[0] if quit_keys else "Ctrl+Q", "Quit neuroviz")
        self.file_menu.addAction(self.quit_action)

    def _build_edit_menu(self) -> None:
        self.edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action, self.redo_action = undo_redo_actions(self.model.drawing.undo_stack, self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action, what in ((self.undo_action, "Undo"), (self.redo_action, "Redo")):
            # The drawing's undo ("Undo Brush stroke"); going back in training is History ▸ Step back (←).
            action.setToolTip(with_shortcut(
                f"{what} the last edit of the input drawing (History ▸ Step back goes back in training)", action))
            self.edit_menu.addAction(action)
        self.edit_menu.addSeparator()
        self._edit_panels_end = self.edit_menu.addSeparator()  # the panels' Edit actions go above it
        self.preferences_action = self._action(
            "&Preferences…", lambda: show_preferences(self.model, self.settings, self),
            QKeySequence.StandardKey.Preferences,
            "Memory budget of the training timeline; when a jump of the loss pauses training")
        self.edit_menu.addAction(self.preferences_action)

    def _build_view_menu(self) -> None:
        self.view_menu = self.menuBar().addMenu("&View")
        self._view_panels_end = self.view_menu.addSeparator()
        self.edge_menu, self.edge_actions = self._mode_menu("&Edges show", EDGE_ACTIONS, "edge_mode")
        self.node_menu, self.node_actions = self._mode_menu("&Neurons show", NODE_ACTIONS, "node_mode")
        self.input_delta_action = self._action(
            "Input layer: its own &δᵃ", lambda on: self.model.view.set_modes(input_mode="deltas" if on else "values"),
            "Ctrl+6", "The input layer shows δᵃ = ∂L/∂a (δᵃₙ = Σₘ δᵇₘ θᵇᵃₘₙ): which inputs, made larger or "
            "smaller, would lower the loss (blue: larger, red: smaller)", True)
        self.node_menu.addSeparator()
        self.node_menu.addAction(self.input_delta_action)
        self.input_grid_action = self._action("Input as &pixel grid", self.set_input_grid, "Ctrl+Shift+G",
                                              "Draw the input layer as its H×W image", True)
        self.input_grid_action.setChecked(self.diagram.input_grid)
        self.receptive_fields_action = self._action(
            "&Receptive fields", self.set_receptive_fields, "Ctrl+Shift+R",
            "Draw each first-hidden neuron's incoming weights as a small image beside it", True)
        self.receptive_fields_action.setChecked(self.diagram.receptive_fields)
        self.view_menu.addAction(self.input_grid_action)
        self.view_menu.addAction(self.receptive_fields_action)
        self.view_menu.addSeparator()
        self.zoom_in_action = self._action("Zoom &in", lambda: self.diagram.zoom_by(1.25),
                                           QKeySequence.StandardKey.ZoomIn, "Zoom into the diagram")
        self.zoom_out_action = self._action("Zoom &out", lambda: self.diagram.zoom_by(0.8),
                                            QKeySequence.StandardKey.ZoomOut, "Zoom out of the diagram")
        self.fit_action = self._action("&Fit to view", self.diagram.fit_to_view, "Ctrl+0",
                                       "Fit the whole network into the view (Home on the diagram)")
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.theme_menu = self.view_menu.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        labels = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}
        for choice in THEME_CHOICES:
            action = self._action(labels[choice], lambda _=False, c=choice: self.apply_theme(c),
                                  tip=f"Theme: {labels[choice].replace('&', '').lower()}", checkable=True)
            self.theme_group.addAction(action)
            self.theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self.reset_layout_action = self._action("Reset &layout", self.reset_layout,
                                                tip="Put every panel back where it started")
        self.view_menu.addAction(self.reset_layout_action)
        self.view_menu.addSeparator()
        self.presentation_action = self._action(
            "&Presentation", self.set_presentation, "F11",
            "For a projector: larger text, the diagram and the inspector large, the other panels hidden", True)
        self.view_menu.addAction(self.presentation_action)
        self.scale_menu = self.view_menu.addMenu("Presentation &scale")
        self.scale_group = QActionGroup(self)
        self.scale_actions: dict[int, QAction] = {}
        for pct in SCALES:
            action = self._action(f"{pct}%", lambda _=False, p=pct: self.set_presentation_scale(p),
                                  tip=f"Presentation mode scales the text to {pct}%", checkable=True)
            self.scale_group.addAction(action)
            self.scale_menu.addAction(action)
            self.scale_actions[pct] = action

    def _build_help_menu(self) -> None:
        self.help_menu = self.menuBar().addMenu("&Help")
        self.tour_action = self._action("&Start here", self.show_tour,
                                        tip="A short tour: draw, Step, read the inspector, Walk, Play")
        self.help_menu.addAction(self.tour_action)
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts,
                                             QKeySequence.StandardKey.HelpContents, "List every shortcut")
        self.about_action = self._action("&About neuroviz", self.show_about, tip="Version and credits")
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    def _build_history_menu(self) -> None:
        """History: the timeline strip's commands with the training controls' Step (→) among them."""
        self.history_menu = QMenu("&History", self)
        self.history_menu.setObjectName("historyMenu")
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.history_menu)
