"""The main window: the network diagram in the centre, panels docked around it."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from neuroviz.ui.panels import PanelSpec, panel_specs
from neuroviz.ui.session import Session


class MainWindow(QMainWindow):
    """Wires the panels to the session; holds menus and the status bar."""

    def __init__(self, session: Session, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings if settings is not None else QSettings()
        self.setObjectName("mainWindow")
        self.setWindowTitle("neuroviz")
        self.setCentralWidget(QLabel("network diagram"))
        self.docks: dict[str, QDockWidget] = {}
        self._build_menus()
        for spec in panel_specs():
            self.add_panel(spec)

    def add_panel(self, spec: PanelSpec) -> QDockWidget:
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(spec.object_name)
        dock.setWidget(spec.factory(self.session))
        self.addDockWidget(spec.area, dock)
        toggle = dock.toggleViewAction()
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
        self.view_menu.addAction(toggle)
        self.docks[spec.object_name] = dock
        return dock

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = self.menuBar().addMenu("&View")
