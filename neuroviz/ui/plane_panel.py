"""The Plane panel: a network on the plane's points, your point, and its decision map.

It holds the ``PlaneView`` (the heat map behind the points), its colour
scale, the tools (move your point, add points of class 1, Shift for class
2, or for regression of the value in the value box, as training or test
points, remove, clear, import points from a CSV), a readout of the value under
the pointer, and your point's target with "Train on this point" and
"Walk…", which act on your point as the Input image panel's buttons act on
a drawing.  When a network on the plane opens, the panel's dock comes to
the front of its tabs.  In a wide dock the controls stand beside the plane,
in a tall one below it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.features import FEATURE_LABELS
from neuroviz.core.numbers import fmt
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.plane_view import MARGIN, Mode, PlaneLegend, PlaneView
from neuroviz.ui.theme import mute, show_note

MODES: tuple[tuple[Mode, str, str], ...] = (
    ("point", "Your point", "Click the plane to move your point: the input the diagram, the inspector, "
                            "Walk and Train on this point use"),
    ("add", "Add points", "Click to add a point of class 1, Shift+click for class 2 (regression: of the value "
                          "beside, Shift+click its negative)"),
    ("remove", "Remove", "Click a point to remove it (a right click removes in any mode)"),
)


VALUE_RANGE = 1000.0
"""Regression: the largest |value| the value box gives a point added by a click."""
READOUT_MS = 200
QWIDGETSIZE_MAX = (1 << 24) - 1
WIDE = 1.4
"""A dock this many times wider than tall puts the controls beside the plane."""


class PlanePanel(QWidget):
    """The dock's contents (see the module docstring)."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planePanel")
        self.model = model
        self.view = PlaneView(model, self)
        self.legend = PlaneLegend(self.view, self)
        self.mode_buttons: dict[Mode, QToolButton] = {}
        self._build()
        self.view.hovered.connect(self._show_readout)
        self.view.refused.connect(lambda text: self.show_message(text, error=True))
        subscribe(self, model.document.architecture_changed, self._on_opened)
        # The readout follows training at most every READOUT_MS (setting a label's text lays the dock out).
        self._readout_timer = QTimer(self)
        self._readout_timer.setSingleShot(True)
        self._readout_timer.setInterval(READOUT_MS)
        self._readout_timer.timeout.connect(self._on_input_changed)
        for signal in (model.drawing.changed, model.plane.changed, model.view.selection_changed,
                       model.showing.changed, model.time.changed):
            subscribe(self, signal, self._on_input_changed)
        subscribe(self, model.document.network_changed, self._schedule_readout)
        subscribe(self, model.walk.changed, self._on_walk_changed)
        for signal in (model.document.network_changed, model.trained, model.stepped, model.time.changed,
                       model.showing.changed, model.view.selection_changed):
            subscribe(self, signal, lambda *_: self.legend.update())
        self._on_opened()

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(8, 8, 8, 8)
        self.box.setSpacing(8)
        self.box.addWidget(self.view, 1)
        controls = QWidget(self)
        controls.setObjectName("planeControls")
        layout = QVBoxLayout(controls)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.box.addWidget(controls, 1)
        tools = QHBoxLayout()
        group = QButtonGroup(self)
        for mode, text, tip in MODES:
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setObjectName(f"planeMode_{mode}")
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            group.addButton(button)
            tools.addWidget(button)
            self.mode_buttons[mode] = button
        self.mode_buttons["point"].setChecked(True)
        tools.addStretch(1)
        layout.addLayout(tools)
        tools = QHBoxLayout()
        self.test_box = QCheckBox("Add as test points", self)
        self.test_box.setToolTip("Add the points to the test split (drawn as rings) instead of the training split")
        self.test_box.toggled.connect(self._set_test)
        tools.addWidget(self.test_box)
        self.value_box = QDoubleSpinBox(self)
        self.value_box.setObjectName("planeValueBox")
        self.value_box.setPrefix("value ")
        self.value_box.setRange(-VALUE_RANGE, VALUE_RANGE)
        self.value_box.setDecimals(2)
        self.value_box.setSingleStep(0.1)
        self.value_box.setValue(self.view.add_value)
        self.value_box.setToolTip("Regression: the value a click in Add points gives the new point "
                                  "(Shift+click: its negative)")
        self.value_box.valueChanged.connect(self._set_value)
        tools.addWidget(self.value_box)
        tools.addStretch(1)
        self.import_button = QPushButton("Import…", self)
        self.import_button.setObjectName("planeImport")
        self.import_button.setToolTip("Train on the points of a CSV: x1, x2, label (or value), optionally a test "
                                      "flag; an optional header line (Edit ▸ Undo brings the old points back)")
        self.import_button.clicked.connect(self._import_dialog)
        tools.addWidget(self.import_button)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("planeClear")
        self.clear_button.setToolTip("Remove the generated points and keep the ones you added (Edit ▸ Undo "
                                     "brings them back)")
        self.clear_button.clicked.connect(self.clear)
        tools.addWidget(self.clear_button)
        layout.addLayout(tools)
        self.caption = QLabel(self)
        self.caption.setObjectName("planeCaption")
        self.caption.setWordWrap(True)
        mute(self.caption)
        layout.addWidget(self.caption)
        layout.addWidget(self.legend)
        self.readout = QLabel(self)
        self.readout.setObjectName("planeReadout")
        self.readout.setWordWrap(True)
        mute(self.readout)
        layout.addWidget(self.readout)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addLayout(self._target_row())
        layout.addStretch(1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Controls beside the plane in a wide dock, below it in a tall one."""
        wide = event.size().width() >= WIDE * event.size().height()
        self.box.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        # Beside the controls the plane takes a square as tall as the dock; below them, the whole width.
        self.view.setMaximumWidth(event.size().height() + 2 * MARGIN if wide else QWIDGETSIZE_MAX)
        self.box.setStretch(0, 0 if wide else 1)
        self.box.setStretch(1, 1 if wide else 0)
        super().resizeEvent(event)

    def _target_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.target_label = QLabel("Target r", self)
        self.target_label.setWordWrap(True)
        self.target_box = QComboBox(self)
        self.target_box.setObjectName("planeTargetBox")
        self.target_box.setToolTip("The class of your point: r for Train on this point and Walk")
        self.target_box.activated.connect(self._on_target_chosen)
        self.train_button = QPushButton("Train on this point", self)
        self.train_button.setObjectName("trainOnPoint")
        self.train_button.setToolTip("One update on your point and its target r")
        self.train_button.clicked.connect(self.model.step_on_input)
        self.walk_button = QPushButton("Walk…", self)
        self.walk_button.setObjectName("walkOnPoint")
        self.walk_button.setToolTip("Walk through the update on your point phase by phase, in the inspector, "
                                    "before it is applied")
        self.walk_button.clicked.connect(self.walk)
        row.addWidget(self.target_label)
        row.addWidget(self.target_box, 1)
        row.addWidget(self.train_button)
        row.addWidget(self.walk_button)
        return row

    def key_help(self) -> list[tuple[str, str]]:
        return []

    def menu_entries(self) -> list[MenuEntry]:
        return []

    # ---------------------------------------------------------------- actions
    def set_mode(self, mode: Mode) -> None:
        """What a click on the plane does: move your point, add points, or remove them."""
        self.view.mode = mode
        self.mode_buttons[mode].setChecked(True)

    def _set_test(self, on: bool) -> None:
        self.view.add_as_test = on

    def _set_value(self, value: float) -> None:
        self.view.add_value = value

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import points of the plane", "",
                                              "CSV files (*.csv);;All files (*)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> bool:
        """Train on the points of the CSV ``path``; on failure show why (naming the line) and change nothing."""
        imported, text = self.model.plane.import_csv_report(path)
        self.show_message(text, error=not imported)
        return imported

    def clear(self) -> None:
        try:
            self.model.plane.clear()
            self.show_message("")
        except ValueError as exc:
            self.show_message(str(exc), error=True)

    def walk(self) -> None:
        if self.model.pending_trace is None:
            self.model.begin_phased_step(on_input=True)

    def _on_target_chosen(self, index: int) -> None:
        if index >= 0 and index != self.model.target:
            self.model.set_target(index)

    def show_message(self, text: str, error: bool = False) -> None:
        """Show a short note (why an edit was refused, in red) under the readout."""
        show_note(self.message, text, error)

    # ---------------------------------------------------------------- state
    def _on_opened(self) -> None:
        active = self.model.plane.active
        for w in (self.clear_button, self.import_button, self.value_box, self.train_button, self.walk_button,
                  self.target_box, self.test_box,
                  *self.mode_buttons.values()):
            w.setEnabled(active)
        self.target_box.clear()
        self.target_box.addItems(list(self.model.class_names))
        regression = self.model.plane.is_regression
        self.target_box.setVisible(not regression)
        self.value_box.setVisible(regression)
        self.show_message("")
        self._on_input_changed()
        # Once the window has docked the panel (not yet while it is being built) and restored its layout.
        QTimer.singleShot(0, self._show_dock)

    def _show_dock(self) -> None:
        """For a network on the plane the dock comes to the front of its tabs."""
        dock = self.parentWidget()
        if isinstance(dock, QDockWidget) and self.model.plane.active:
            dock.show()
            dock.raise_()

    def _on_input_changed(self, *_: object) -> None:
        if not self.model.plane.active:
            self.readout.setText("")
            return
        if self.model.plane.is_regression:
            r = self.model.plane.input_target()
            value = float(np.asarray(r).reshape(-1)[0])
            self.target_label.setText(f"Target r = {fmt(value, 3)} (the value at your point)")
        else:
            self.target_label.setText("Target r")
            if self.target_box.currentIndex() != self.model.target:
                self.target_box.setCurrentIndex(self.model.target)
        self._show_readout(None)

    def _schedule_readout(self) -> None:
        if not self._readout_timer.isActive():
            self._readout_timer.start()

    def _on_walk_changed(self) -> None:
        self.walk_button.setEnabled(self.model.plane.active and self.model.pending_trace is None)

    def _show_readout(self, point: tuple[float, float] | None) -> None:
        plane = self.model.plane
        if not plane.active:
            return
        p = plane.point if point is None else point
        where = "your point" if point is None else "pointer"
        info = plane.info
        assert info is not None
        value = plane.value_at(p)
        what = "o" if plane.is_regression else "p₂ − p₁"
        self.readout.setText(f"{where}: x₁ = {fmt(p[0], 3)}, x₂ = {fmt(p[1], 3)} · "
                             f"{what} = {fmt(value, 3)}")
        feats = ", ".join(FEATURE_LABELS[f] for f in info.features)
        self.caption.setText(f"{self.view.caption()} · inputs {feats}")
