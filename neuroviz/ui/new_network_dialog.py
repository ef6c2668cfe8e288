"""File ▸ New network…: choose an architecture and a data set, checked as you type.

Every entry is validated by ``NetworkConfig`` itself (the core's rules), the
limit table's parameter count (``neuroviz.io.limits``: what the app makes it
can save and open again) and the data set's fit (input size = pixels per
image, output size = classes);
the first problem is shown under the form and OK stays disabled until the
entries are valid.  Each hidden layer can have its own activation: a
comma-separated list, one name per hidden layer (empty: the hidden
activation for all of them, as before).  The data sets of points on the
plane (circle … multi-gauss) add their input features, noise σ and number
of points; there the input size is the number of features.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.datasets import BUILTIN_DATASETS, Dataset, builtin_dataset
from neuroviz.core.features import DEFAULT_FEATURES, parse_features
from neuroviz.core.network import NetworkConfig
from neuroviz.core.plane_data import (
    CLASSIFICATION_SETS,
    DEFAULT_NOISE,
    DEFAULT_POINTS,
    DEFAULT_TEST_RATIO,
    MAX_NOISE,
    MAX_POINTS,
    PLANE_DATASETS,
    plane_dataset,
    task_of,
)
from neuroviz.io.limits import check_parameter_count
from neuroviz.model import AppModel

SEPARATOR = re.compile(r"\s*[,×x*-]\s*|\s+")
"""One separator between two sizes: a dash, comma or ×, or spaces."""
CURRENT = "current"
"""The data set choice that keeps the open data set (one that is not built in, e.g. Figure 4's or an import)."""
ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "sigmoid", "tanh": "tanh",
                    "identity": "identity", "none": "none (logits)"}
LOSS_NAMES = {"cross_entropy": "cross-entropy (softmax)", "squared_error": "squared error"}
INIT_NAMES = {"uniform": "uniform", "gaussian": "Gaussian", "xavier": "Xavier / Glorot", "he": "He"}
DATASET_NAMES = {"circles-squares": "circles vs squares (8×8, 2 classes)", "digits": "digits (8×8, 10 classes)",
                 **{name: f"plane: {name} ({'2 classes' if name in CLASSIFICATION_SETS else 'regression'})"
                    for name in PLANE_DATASETS}}
ERROR_STYLE = "QLineEdit { border: 1.5px solid #d03a2a; border-radius: 3px; padding: 2px; }"


def parse_activations(text: str) -> tuple[str, ...]:
    """``"relu, tanh"`` → ("relu", "tanh"); empty text → () (every hidden layer has the one hidden activation)."""
    names = [p.strip().lower().replace(" ", "_").replace("-", "_") for p in text.split(",")]
    if not "".join(names):
        return ()
    if "" in names:
        raise ValueError("an activation is missing between two commas")
    return tuple(names)


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"64-16-16-2"`` (or with commas, spaces, ×) → (64, 16, 16, 2); ``ValueError`` says what is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("enter the layer sizes, e.g. 64-16-16-2")
    parts = SEPARATOR.split(text)
    if "" in parts:
        raise ValueError(f"“{text}” has a layer with no size (two separators in a row, or one at an end)")
    sizes = []
    for p in parts:
        if not p.isdigit():
            raise ValueError(f"“{p}” is not a whole number of neurons")
        sizes.append(int(p))
    return tuple(sizes)


class NewNetworkDialog(QDialog):
    """The form; ``config()`` and ``dataset_name()`` hold the (valid) choice, ``apply()`` opens it."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newNetworkDialog")
        self.setWindowTitle("New network")
        self.model = model
        self._shapes: dict[str, tuple[int, int]] = {}
        config = model.config
        self.sizes_edit = QLineEdit("-".join(str(s) for s in config.sizes))
        self.sizes_edit.setToolTip("Neurons per layer from the input to the output, e.g. 64-16-16-2")
        self.sizes_edit.setPlaceholderText("e.g. 64-16-16-2")
        ds = model.dataset
        choices = dict(DATASET_NAMES)
        if ds.name not in BUILTIN_DATASETS:  # the open data set, so that the dialog opens valid
            h, w = ds.image_shape
            choices[CURRENT] = f"the open data set: {ds.name} ({h}×{w}, {ds.n_classes} classes)"
        self.dataset_box = self._combo(choices, ds.name if ds.name in BUILTIN_DATASETS else CURRENT)
        self.dataset_box.setToolTip("The data set to train on; it fixes the input and output sizes")
        self.hidden_box = self._combo({k: ACTIVATION_NAMES[k] for k in HIDDEN_ACTIVATIONS}, config.hidden_activation)
        self.per_layer_edit = QLineEdit(", ".join(config.hidden_activations))
        self.per_layer_edit.setObjectName("perLayerEdit")
        self.per_layer_edit.setPlaceholderText("empty: the hidden activation for every layer")
        self.per_layer_edit.setToolTip("One activation per hidden layer, separated by commas, from the first "
                                       "hidden layer to the last, e.g. relu, tanh; names: "
                                       + ", ".join(HIDDEN_ACTIVATIONS))
        self._bad_edit = self.sizes_edit
        """The field the first problem is in (outlined in red)."""
        self.output_box = self._combo({k: ACTIVATION_NAMES[k] for k in OUTPUT_ACTIVATIONS}, config.output_activation)
        self.loss_box = self._combo(LOSS_NAMES, config.loss)
        self.init_box = self._combo(INIT_NAMES, config.init)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setValue(config.seed)
        self.seed_box.setToolTip("Equal seeds give equal initial weights")
        self.features_edit = QLineEdit(", ".join(ds.plane.features if ds.plane is not None else DEFAULT_FEATURES))
        self.features_edit.setObjectName("featuresEdit")
        self.features_edit.setToolTip("The input features of each point, one input neuron each, separated by "
                                      "commas: x1, x2, x1^2, x2^2, x1x2, sin_x1, sin_x2")
        self.noise_box = QDoubleSpinBox()
        self.noise_box.setRange(0.0, MAX_NOISE)
        self.noise_box.setSingleStep(0.05)
        self.noise_box.setValue(DEFAULT_NOISE)
        self.noise_box.setToolTip("σ of the Gaussian noise moving each point (the plane is [−6, 6]²)")
        self.points_box = QSpinBox()
        self.points_box.setRange(2, MAX_POINTS)
        self.points_box.setValue(DEFAULT_POINTS)
        self.points_box.setToolTip(f"How many points; {DEFAULT_TEST_RATIO:.0%} of them are kept for testing")
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d03a2a;")
        form = QFormLayout()
        form.addRow("&Data set:", self.dataset_box)
        form.addRow("Layer &sizes:", self.sizes_edit)
        form.addRow("&Hidden activation:", self.hidden_box)
        form.addRow("&Per hidden layer:", self.per_layer_edit)
        form.addRow("&Output activation:", self.output_box)
        form.addRow("&Loss:", self.loss_box)
        form.addRow("&Initialisation:", self.init_box)
        form.addRow("S&eed:", self.seed_box)
        form.addRow("&Features:", self.features_edit)
        form.addRow("&Noise σ:", self.noise_box)
        form.addRow("&Points:", self.points_box)
        self.form = form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.sizes_edit.textChanged.connect(self.validate)
        self.per_layer_edit.textChanged.connect(self.validate)
        self.features_edit.textChanged.connect(self._on_dataset_changed)
        self.dataset_box.currentIndexChanged.connect(self._on_dataset_changed)
        for box in (self.hidden_box, self.output_box, self.loss_box, self.init_box):
            box.currentIndexChanged.connect(self.validate)
        self.seed_box.valueChanged.connect(self.validate)
        self._show_plane_rows()
        self.validate()

    def _show_plane_rows(self) -> None:
        on_plane = self.dataset_name() in PLANE_DATASETS
        for widget in (self.features_edit, self.noise_box, self.points_box):
            self.form.setRowVisible(widget, on_plane)

    @staticmethod
    def _combo(items: dict[str, str], current: str) -> QComboBox:
        box = QComboBox()
        for key, text in items.items():
            box.addItem(text, key)
        box.setCurrentIndex(max(0, box.findData(current)))
        return box

    def dataset_name(self) -> str:
        return str(self.dataset_box.currentData())

    def _dataset_shape(self, name: str) -> tuple[int, int]:
        """(pixels per image, classes) of a built-in data set, or of the open one (``CURRENT``)."""
        if name == CURRENT:
            ds = self.model.dataset
            return ds.image_shape[0] * ds.image_shape[1], ds.n_classes
        if name in PLANE_DATASETS:
            try:
                n_features = len(parse_features(self.features_edit.text()))
            except ValueError:
                n_features = 0
            return n_features, 2 if task_of(name) == "classification" else 1
        if name not in self._shapes:
            ds = builtin_dataset(name)
            self._shapes[name] = (ds.image_shape[0] * ds.image_shape[1], ds.n_classes)
        return self._shapes[name]

    def _on_dataset_changed(self) -> None:
        """Fit the first and last sizes to the new data set, keeping the hidden layers (and, for regression,
        choose the squared error)."""
        self._show_plane_rows()
        name = self.dataset_name()
        if name in PLANE_DATASETS and task_of(name) == "regression":
            self.loss_box.setCurrentIndex(self.loss_box.findData("squared_error"))
        n_in, n_out = self._dataset_shape(name)
        if n_in == 0:  # features that do not parse: config() says why
            self.validate()
            return
        try:
            sizes = list(parse_sizes(self.sizes_edit.text()))
        except ValueError:
            sizes = [n_in, 16, 16, n_out]
        sizes = [n_in, *sizes[1:-1], n_out] if len(sizes) >= 2 else [n_in, n_out]
        self.sizes_edit.setText("-".join(map(str, sizes)))
        self.validate()

    def config(self) -> NetworkConfig:
        """The chosen configuration; ``ValueError`` names the first problem."""
        self._bad_edit = self.sizes_edit
        sizes = parse_sizes(self.sizes_edit.text())
        config = NetworkConfig(sizes=sizes, hidden_activation=str(self.hidden_box.currentData()),
                               output_activation=str(self.output_box.currentData()),
                               loss=str(self.loss_box.currentData()), init=str(self.init_box.currentData()),
                               seed=int(self.seed_box.value()))
        check_parameter_count(sizes)
        self._bad_edit = self.per_layer_edit
        per_layer = parse_activations(self.per_layer_edit.text())
        self._bad_edit = self.sizes_edit
        if per_layer:
            self._bad_edit = self.per_layer_edit
            n_hidden = len(sizes) - 2
            if len(per_layer) != n_hidden:
                raise ValueError(f"the network has {n_hidden} hidden layer{'s' * (n_hidden != 1)}, so give "
                                 f"{n_hidden} activation{'s' * (n_hidden != 1)} per layer (not {len(per_layer)})")
            config = replace(config, hidden_activations=per_layer)
            self._bad_edit = self.sizes_edit
        name = self.dataset_name()
        if name in PLANE_DATASETS:
            self._bad_edit = self.features_edit
            n_features = len(parse_features(self.features_edit.text()))
            self._bad_edit = self.sizes_edit
            if sizes[0] != n_features:
                raise ValueError(f"the points of {name} have {n_features} input feature(s), so the input layer "
                                 f"needs {n_features} neurons (not {sizes[0]})")
            if task_of(name) == "regression" and config.loss != "squared_error":
                raise ValueError(f"{name} is a regression data set: choose the squared error as the loss")
        n_in, n_out = self._dataset_shape(name)
        name = self.model.dataset.name if name == CURRENT else name
        if sizes[0] != n_in:
            raise ValueError(f"the {name} images have {n_in} pixels, so the input layer needs {n_in} neurons "
                             f"(not {sizes[0]})")
        if sizes[-1] != n_out:
            raise ValueError(f"{name} has {n_out} classes, so the output layer needs {n_out} neurons "
                             f"(not {sizes[-1]})")
        return config

    def validate(self) -> bool:
        """Show the first problem inline; enable OK only when the entries are valid."""
        try:
            self.config()
        except ValueError as exc:
            message = str(exc)
            self.error_label.setText(message[0].upper() + message[1:] + ".")
            for edit in (self.sizes_edit, self.per_layer_edit, self.features_edit):
                edit.setStyleSheet(ERROR_STYLE if edit is self._bad_edit else "")
            ok = False
        else:
            self.error_label.setText("")
            for edit in (self.sizes_edit, self.per_layer_edit, self.features_edit):
                edit.setStyleSheet("")
            ok = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self.validate():
            super().accept()

    def apply(self) -> None:
        """Open a fresh network of the chosen configuration on the chosen data set."""
        name = self.dataset_name()
        config = self.config()
        dataset: str | Dataset = self.model.dataset if name == CURRENT else name
        if name in PLANE_DATASETS:
            dataset = plane_dataset(name, self.noise_box.value(), self.points_box.value(), DEFAULT_TEST_RATIO,
                                    parse_features(self.features_edit.text()), config.seed)
        self.model.new_network(config, dataset)
