"""The data browser: choose the dataset, step through its samples, add and import data.

Each sample loaded becomes the input (with its label as the target r) through
``AppModel.edit_input``, so it can be undone like a stroke.  Importing a folder,
CSV or ``.npz`` goes through ``neuroviz.io.dataset_import``; a file that fails
to import changes nothing.  A dataset whose image size or class count does not
fit the network is only used after the user agrees to a new network for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.datasets import BUILTIN_DATASETS, Dataset, builtin_dataset
from neuroviz.core.network import NetworkConfig
from neuroviz.core.numbers import count, plural
from neuroviz.io.dataset_import import DatasetImportError, ImportedData, import_path
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.import_progress import ImportProgress
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.theme import mute
from neuroviz.ui.window_shortcuts import PanelKeys, key_name

BUILTIN_TITLES = {"circles-squares": "Circles vs squares", "digits": "Digits (UCI 8×8)"}
"""Combo-box titles of the built-in datasets, by dataset name."""
OTHER_TITLES = {"paper-figure-4": "Paper, Figure 4 (one sample)"}
ERROR_COLOR = "#c0392b"

Confirm = Callable[[str, str], bool]


def fits(dataset: Dataset, config: NetworkConfig) -> bool:
    """True if ``dataset``'s pixels and classes match the network's inputs and outputs."""
    h, w = dataset.image_shape
    return h * w == config.n_inputs and dataset.n_classes == config.n_outputs


def config_for(dataset: Dataset, config: NetworkConfig) -> NetworkConfig:
    """``config`` with its input and output sizes changed to fit ``dataset`` (hidden layers kept)."""
    h, w = dataset.image_shape
    return dataclasses.replace(config, sizes=(h * w, *config.sizes[1:-1], dataset.n_classes))


def dataset_from_import(data: ImportedData, config: NetworkConfig, names: tuple[str, ...]) -> Dataset:
    """The imported samples as a Dataset, using the network's class names where they fit.

    Numeric labels (CSV, npz) take the network's names ``names``; when the data
    has fewer classes than the network has outputs, the missing classes are
    added (empty) so that the dataset fits.
    """
    h, w = data.image_shape
    generic = data.class_names == tuple(str(k) for k in range(data.n_classes))
    if h * w == config.n_inputs and data.n_classes <= config.n_outputs:
        own = names[: data.n_classes] if generic else data.class_names
        return data.to_dataset(own + names[data.n_classes:])
    return data.to_dataset()


THUMB = 40
"""Side of one thumbnail in the sample strip, in pixels."""
THUMB_GAP = 8


NO_SAMPLE = ("No sample loaded: click one in the strip below, or press PgDown or Ctrl+R, "
             "to put it on the Input image.")
NO_DATA = "This data set is empty: Import a folder of images, a CSV or an .npz, or add your drawing (Ctrl+Shift+A)."

class SampleStrip(QWidget):
    """Thumbnails of the samples around the current one; click one to load it.

    ``sampleClicked(int)`` carries the clicked sample's index (0-based).
    """

    sampleClicked = Signal(int)

    def __init__(self, browser: DataBrowser) -> None:
        super().__init__(browser)
        self.browser = browser
        self.setObjectName("sampleStrip")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(THUMB + 2 * self.fontMetrics().height() + 10)
        self.setToolTip("Samples around the current one: click to load (test samples are marked)")

    def sizeHint(self) -> QSize:
        return QSize(5 * (THUMB + THUMB_GAP), self.height())

    def shown(self) -> list[int]:
        """Indices of the samples drawn, left to right (the current one in the middle where possible)."""
        n = len(self.browser.dataset)
        count = max(1, min(n, (self.width() + THUMB_GAP) // (THUMB + THUMB_GAP)))
        first = int(np.clip(self.browser.index - count // 2, 0, max(0, n - count)))
        return list(range(first, first + count))

    def thumb_rect(self, slot: int) -> QRect:
        """Where thumbnail number ``slot`` (from the left) is drawn."""
        count = len(self.shown())
        left = (self.width() - count * (THUMB + THUMB_GAP) + THUMB_GAP) // 2
        return QRect(left + slot * (THUMB + THUMB_GAP), 4, THUMB, THUMB)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for slot, index in enumerate(self.shown()):
            if self.thumb_rect(slot).adjusted(-2, -2, 2, 2).contains(event.position().toPoint()):
                self.sampleClicked.emit(index)
                return

    def paintEvent(self, event: QPaintEvent) -> None:
        ds = self.browser.dataset
        h, w = ds.image_shape
        pal = self.palette()
        painter = QPainter(self)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        painter.setFont(small)
        line = self.fontMetrics().height()
        for slot, index in enumerate(self.shown()):
            rect = self.thumb_rect(slot)
            levels = np.ascontiguousarray(np.rint(ds.X[index] * 255), dtype=np.uint8)
            painter.drawImage(rect, QImage(levels.tobytes(), w, h, w, QImage.Format.Format_Grayscale8))
            current = index == self.browser.index
            color = pal.color(QPalette.ColorRole.Highlight if current else QPalette.ColorRole.Mid)
            painter.setPen(QPen(color, 3 if current else 1))
            painter.drawRect(rect.adjusted(-1, -1, 0, 0))
            painter.setPen(pal.color(QPalette.ColorRole.WindowText if current else QPalette.ColorRole.PlaceholderText))
            text_rect = QRect(rect.left() - THUMB_GAP // 2, rect.bottom() + 3, THUMB + THUMB_GAP, line)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, ds.class_names[int(ds.y[index])])
            painter.drawText(text_rect.translated(0, line - 2), Qt.AlignmentFlag.AlignCenter,
                             f"{index + 1}{' test' if ds.is_test[index] else ''}")
        painter.end()


class DataBrowser(QWidget):
    """Dataset chooser, sample navigation, "add this drawing" and import."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("dataBrowser")
        self.index = 0
        """The sample (0-based) last loaded from the dataset."""
        self.confirm: Confirm = self._ask
        """Asks yes/no before replacing the network (tests replace it)."""
        self._datasets: dict[str, Dataset] = {}
        self._rng = np.random.default_rng(0)
        self.keys = PanelKeys(self, "Data panel")
        self._build()
        subscribe(self, model.document.architecture_changed, self._on_network_replaced)
        subscribe(self, model.document.dataset_changed, self._on_dataset_changed)
        subscribe(self, model.drawing.changed, self._update_status)
        self._on_dataset_changed()

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        label = QLabel("&Dataset", self)
        self.dataset_box = QComboBox(self)
        self.dataset_box.setObjectName("datasetBox")
        self.dataset_box.setToolTip("The data to train on and browse")
        self.dataset_box.activated.connect(self._on_dataset_chosen)
        label.setBuddy(self.dataset_box)
        self.import_button = QToolButton(self)
        self.import_button.setObjectName("importButton")
        self.import_button.setText("Import")
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.import_button)
        folder = QAction("Folder of images (one subfolder per class)…", menu)
        folder.triggered.connect(self._import_folder_dialog)
        table = QAction("CSV or NPZ file…", menu)
        table.triggered.connect(self._import_file_dialog)
        menu.addAction(folder)
        menu.addAction(table)
        self.import_button.setMenu(menu)
        self.import_button.setToolTip(
            "Import a dataset: a folder with one subfolder of PNG/JPEG images per class, a CSV "
            "(H·W pixel columns, then the label) or an .npz with arrays X and y")
        top.addWidget(label)
        top.addWidget(self.dataset_box, 1)
        top.addWidget(self.import_button)
        layout.addLayout(top)

        self.summary = QLabel(self)
        self.summary.setObjectName("datasetSummary")
        mute(self.summary)
        layout.addWidget(self.summary)

        nav = QGridLayout()
        nav.setHorizontalSpacing(4)
        self.prev_button = self._nav_button("◀ Previous", "Load the previous sample", "PgUp", self.previous)
        self.next_button = self._nav_button("Next ▶", "Load the next sample", "PgDown", self.next)
        self.random_button = self._nav_button("Random", "Load a random sample", "Ctrl+R", self.random)
        self.index_spin = QSpinBox(self)
        self.index_spin.setObjectName("sampleIndex")
        self.index_spin.setPrefix("Sample ")
        self.index_spin.setKeyboardTracking(False)
        self.index_spin.setToolTip("The sample to load (numbered from 1)")
        self.index_spin.valueChanged.connect(lambda v: self.load(v - 1))
        nav.addWidget(self.prev_button, 0, 0)
        nav.addWidget(self.index_spin, 0, 1)
        nav.addWidget(self.next_button, 0, 2)
        nav.addWidget(self.random_button, 0, 3)
        layout.addLayout(nav)

        self.status = QLabel(self)
        self.status.setObjectName("sampleStatus")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.status)
        self.strip = SampleStrip(self)
        self.strip.sampleClicked.connect(self.load)
        layout.addWidget(self.strip)

        self.add_button = QPushButton(self)
        self.add_button.setObjectName("addDrawing")
        self.add_button.clicked.connect(self.add_drawing)
        self.keys.add("Ctrl+Shift+A", self.add_drawing, "Add the current drawing to the training set")
        layout.addWidget(self.add_button)

        self.message = QLabel(self)
        self.message.setObjectName("browserMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _nav_button(self, text: str, tip: str, key: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(f"{tip} ({key_name(key)})")
        button.clicked.connect(lambda _=False: slot())
        self.keys.add(key, slot, tip)
        return button

    def key_help(self) -> list[tuple[str, str]]:
        """(what, key) of every key this panel answers (listed in Help ▸ Keyboard shortcuts)."""
        return list(self.keys.help)


    def menu_entries(self) -> list[MenuEntry]:
        """The panel adds nothing to the window's menus."""
        return []
    # ------------------------------------------------------------- datasets
    @property
    def dataset(self) -> Dataset:
        return self.model.dataset

    def _title(self, dataset: Dataset) -> str:
        return BUILTIN_TITLES.get(dataset.name) or OTHER_TITLES.get(dataset.name, dataset.name)

    def _on_network_replaced(self) -> None:
        self.index = 0  # a new network starts on the first sample
        self._on_dataset_changed()

    def _on_dataset_changed(self) -> None:
        ds = self.dataset
        self._datasets[self._title(ds)] = ds
        titles = [BUILTIN_TITLES[n] for n in BUILTIN_DATASETS]
        titles += [t for t in self._datasets if t not in titles]
        self.dataset_box.blockSignals(True)
        self.dataset_box.clear()
        self.dataset_box.addItems(titles)
        self.dataset_box.setCurrentText(self._title(ds))
        self.dataset_box.blockSignals(False)
        h, w = ds.image_shape
        n_train, n_test = len(ds.train_indices), len(ds.test_indices)
        self.summary.setText(f"{plural(len(ds), 'sample')} · {count(n_train)} train · {count(n_test)} test · "
                             f"{plural(ds.n_classes, 'class', 'classes')} · {h}×{w} pixels")
        self.index = min(self.index, len(ds) - 1)
        self.index_spin.blockSignals(True)
        self.index_spin.setRange(1, max(1, len(ds)))
        self.index_spin.setSuffix(f" of {count(len(ds))}")
        self.index_spin.setValue(self.index + 1)
        self.index_spin.blockSignals(False)
        self.strip.update()
        self._update_status()

    def _dataset_titled(self, title: str) -> Dataset:
        if title not in self._datasets:
            name = next(n for n, t in BUILTIN_TITLES.items() if t == title)
            self._datasets[title] = builtin_dataset(name)
        return self._datasets[title]

    def _on_dataset_chosen(self, row: int) -> None:
        title = self.dataset_box.itemText(row)
        if title != self._title(self.dataset):
            self.use_dataset(self._dataset_titled(title))

    def use_dataset(self, dataset: Dataset) -> bool:
        """Train on ``dataset``; if it does not fit the network, ask to build a new one. True if used."""
        config = self.model.config
        try:
            if fits(dataset, config):
                self.model.set_dataset(dataset)
            else:
                new = config_for(dataset, config)
                h, w = dataset.image_shape
                question = (f"“{self._title(dataset)}” has {h}×{w} images in {dataset.n_classes} classes; "
                            f"the network {'-'.join(map(str, config.sizes))} has {config.n_inputs} inputs and "
                            f"{config.n_outputs} outputs.\n\nBuild a new {'-'.join(map(str, new.sizes))} "
                            "network for it? The current network and its training are replaced.")
                if not self.confirm("New network for this dataset?", question):
                    self._on_dataset_changed()
                    self.show_message("Kept the current network and dataset.")
                    return False
                self.model.new_network(new, dataset)
        except ValueError as exc:
            self._on_dataset_changed()
            self.show_message(str(exc), error=True)
            return False
        self.index = 0
        self.load(0)
        return True

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # --------------------------------------------------------------- samples
    def load(self, index: int) -> None:
        """Load sample ``index`` (0-based) with its label as the input and target (undoable)."""
        ds = self.dataset
        if not len(ds):
            return
        index = int(np.clip(index, 0, len(ds) - 1))
        self.index = index
        self.index_spin.blockSignals(True)
        self.index_spin.setValue(index + 1)
        self.index_spin.blockSignals(False)
        self.strip.update()
        if self.model.target != int(ds.y[index]) or not np.array_equal(self.model.input, ds.X[index]):
            self.model.edit_input(ds.X[index], f"Load sample {index + 1}", target=int(ds.y[index]))
        self._update_status()

    def previous(self) -> None:
        self.load((self.index - 1) % len(self.dataset))

    def next(self) -> None:
        self.load((self.index + 1) % len(self.dataset))

    def random(self) -> None:
        n = len(self.dataset)
        step = int(self._rng.integers(1, n)) if n > 1 else 0
        self.load((self.index + step) % n)

    def _update_status(self) -> None:
        ds, s = self.dataset, self.model
        name = s.class_names[s.target]
        self.add_button.setText(f"Add this drawing to the training set as “{name}”")
        self.add_button.setToolTip(f"Append the current input with label r = {name} to the training split "
                                   "(Ctrl+Shift+A)")
        if not 0 <= self.index < len(ds):
            self.status.setText(NO_SAMPLE if len(ds) else NO_DATA)
            return
        i = self.index
        split = "test" if ds.is_test[i] else "train"
        label = ds.class_names[int(ds.y[i])]
        same = s.target == int(ds.y[i]) and np.array_equal(s.input, ds.X[i])
        edited = "" if same else " · <i>edited since loaded</i>"
        self.status.setText(f"Sample {i + 1}: label <b>{label}</b> · <b>{split}</b> split{edited}")

    def add_drawing(self) -> None:
        """Append the current drawing with its target label to the training split."""
        name = self.model.class_names[self.model.target]
        try:
            self.model.add_current_to_dataset()
        except ValueError as exc:
            self.show_message(str(exc), error=True)
            return
        self.index = len(self.dataset) - 1
        self._on_dataset_changed()
        self.show_message(f"Added as sample {self.index + 1} (train), label {name}.")

    # ----------------------------------------------------------------- import
    def _import_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import a folder with one subfolder of images per class")
        if path:
            self.import_from(Path(path))

    def _import_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a dataset", "", "Datasets (*.csv *.npz)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> bool:
        """Import ``path`` (folder, CSV or npz) and train on it; on failure show why and change nothing.

        A folder's images are counted in a progress dialog whose Cancel stops the import.  For a network on
        the plane a CSV holds points (x1, x2, label or value; ``neuroviz.io.plane_import``).
        """
        if self.model.plane.active:
            return self._import_points(path)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        progress = ImportProgress(self)
        try:
            data = import_path(path, self.model.image_shape, progress=progress)
        except DatasetImportError as exc:
            progress.close()
            if progress.cancelled:
                self.show_message(f"Import of {path.name} cancelled ({exc}); nothing changed.")
            else:
                self.show_message(f"Import failed: {exc}", error=True)
            return False
        finally:
            progress.close()
            QGuiApplication.restoreOverrideCursor()
        try:
            dataset = dataset_from_import(data, self.model.config, self.model.class_names)
        except ValueError as exc:
            self.show_message(f"Import failed: {exc}", error=True)
            return False
        if not self.use_dataset(dataset):
            return False
        self._datasets[self._title(dataset)] = dataset
        self._on_dataset_changed()
        notes = "".join(f"\n• {n}" for n in data.notes)
        self.show_message(f"Imported {count(len(data))} samples in {data.n_classes} classes from {path.name}.{notes}")
        return True

    def _import_points(self, path: Path) -> bool:
        imported, text = self.model.plane.import_csv_report(path)
        self.show_message(text, error=not imported)
        return imported

    def show_message(self, text: str, error: bool = False) -> None:
        """A note under the controls: errors in red, other notes muted."""
        pal = self.message.palette()
        color = QColor(ERROR_COLOR) if error else pal.color(QPalette.ColorRole.PlaceholderText)
        pal.setColor(QPalette.ColorRole.WindowText, color)
        self.message.setPalette(pal)
        self.message.setText(text)
        self.message.setVisible(bool(text))
