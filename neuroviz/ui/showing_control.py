"""The one control of what every panel shows: which input, at which moment.

``ShowingControl`` is a small bar over the model's showing state: a combo of
the inputs (your drawing, each sample of the update's batch, the batch mean)
and two segmented buttons, Before and After the update shown (also
``moment_actions``, with their keys, for a menu).  It reads the
model's ``shown()`` (what applies: without an update only the drawing, while
walking only the walked batch before its update) and changes the choice only
through ``AppModel.show``.  It belongs to no panel; the main window puts it in
the diagram toolbar.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from neuroviz.model import SHOWN_INPUTS, AppModel, ShownInput
from neuroviz.ui.binding import subscribe

BEFORE_KEY = "Ctrl+["
AFTER_KEY = "Ctrl+]"
INPUTS: dict[str, ShownInput] = {kind: kind for kind in SHOWN_INPUTS}
"""The combo's item data ``kind:sample`` back to an input kind."""


class ShowingControl(QWidget):
    """``Showing: [Your drawing ▾] [Before|After]`` over ``model.showing``."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("showingControl")
        self.model = model
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(3)
        label = QLabel("Sho&wing:", self)
        self.input_combo = QComboBox(self)
        self.input_combo.setObjectName("showingInput")
        self.input_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.input_combo.setToolTip("The input every panel shows (Alt+W): your drawing, a sample of the update's "
                                    "batch, or the batch mean. Moving in time never replaces your drawing.")
        self.input_combo.activated.connect(self._on_input_picked)
        label.setBuddy(self.input_combo)
        layout.addWidget(label)
        layout.addWidget(self.input_combo)
        self.moment_group = QButtonGroup(self)
        self.moment_group.setExclusive(True)
        self.moment_buttons: dict[str, QToolButton] = {}
        self.moment_actions: dict[str, QAction] = {}
        for moment, text, key, tip in (
                ("before", "Before", BEFORE_KEY, "Show the moment before the update: its old parameters"),
                ("after", "After", AFTER_KEY, "Show the moment after the update: its new parameters")):
            button = QToolButton(self)
            button.setObjectName(f"showing_{moment}")
            button.setText(text)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolTip(f"{tip} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
            button.clicked.connect(lambda _checked=False, m=moment: self.model.show(moment=m))
            action = QAction(f"Show {text.lower()} the update", self)
            action.setObjectName(f"show_{moment}_action")
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(button.toolTip())
            action.triggered.connect(lambda _checked=False, b=button: b.click())
            self.addAction(action)
            self.moment_group.addButton(button)
            self.moment_buttons[moment] = button
            self.moment_actions[moment] = action
            layout.addWidget(button)
        self._batch: tuple[int, str] = (-1, "")
        for signal in (model.showing.changed, model.time.changed, model.walk.changed, model.stepped,
                       model.document.network_changed):
            subscribe(self, signal, self.sync)
        self.sync()

    def sync(self, *_: object) -> None:
        """Show the choice that applies; offer what the update shown allows."""
        shown = self.model.shown()
        batch = shown.batch_size
        if (batch, shown.yours) != self._batch:
            with QSignalBlocker(self.input_combo):
                self.input_combo.clear()
                self.input_combo.addItem(shown.yours.capitalize(), "drawing:0")
                for s in range(batch):
                    self.input_combo.addItem(f"Sample {s + 1} of {batch}" if batch > 1 else "The update's sample",
                                             f"sample:{s}")
                if batch > 1:
                    self.input_combo.addItem(f"Batch mean ({batch})", "mean:0")
            self._batch = (batch, shown.yours)
        choice = shown.showing
        wanted = f"{choice.input}:{choice.sample if choice.input == 'sample' else 0}"
        with QSignalBlocker(self.input_combo):
            self.input_combo.setCurrentIndex(max(0, self.input_combo.findData(wanted)))
        self.input_combo.setEnabled(shown.update is not None)
        drawing = self.input_combo.model().item(0)  # while walking, the walked batch is shown
        if drawing is not None:
            drawing.setEnabled(not shown.walking)
        moments = shown.update is not None and not shown.walking
        for moment, button in self.moment_buttons.items():
            button.setEnabled(moments)
            self.moment_actions[moment].setEnabled(moments)
            with QSignalBlocker(button):
                button.setChecked(shown.update is not None and choice.moment == moment)
        self.setToolTip(f"Every panel shows {shown.words()}")

    def _on_input_picked(self, index: int) -> None:
        data = self.input_combo.itemData(index)
        if isinstance(data, str):
            kind, sample = data.split(":")
            self.model.show(INPUTS[kind], int(sample))
