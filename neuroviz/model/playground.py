"""A network on the plane: "your point", editing the points with undo, and every neuron's map.

``Playground`` is the part of ``AppModel`` (``model.plane``) that is active
while the open data set holds points of the plane (``Dataset.plane``).  It
keeps "your point" (x₁, x₂), the 2-D counterpart of the drawing: setting it
sets the model's input to the point's features, so that the diagram, the
inspector, Walk and "Train on this point" use it.  Adding, removing and
clearing points are commands on the drawing's undo stack (one Edit ▸ Undo
for every edit of the input side).  ``maps`` and ``decision`` compute every
neuron's output over a grid of the plane with the parameters of the moment
``AppModel.shown()`` shows (a past update shows its maps), cached until that
changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from psygnal import Signal

from neuroviz.core.datasets import Dataset
from neuroviz.core.features import PlaneInfo, feature_map
from neuroviz.core.network import Network
from neuroviz.core.plane_data import (
    REGRESSION_VALUES,
    nearest_point,
    point_values,
    points_dataset,
    with_point,
    without_points,
)
from neuroviz.core.plane_maps import decision_map, decision_values, neuron_maps
from neuroviz.io.plane_import import PlanePoints, import_plane_csv
from neuroviz.model.showing import YOUR_DRAWING, YOUR_POINT

if TYPE_CHECKING:
    from neuroviz.model.app_model import AppModel

Point = tuple[float, float]
T = TypeVar("T")
REMOVE_RADIUS = 0.4
"""A click removes the nearest point within this distance (in the plane's units)."""


@dataclass(frozen=True, eq=False)
class DatasetEdit:
    """An undoable change of the points: the data set before and after."""

    plane: Playground
    text: str
    before: Dataset
    after: Dataset

    def redo(self) -> None:
        self.plane.put_dataset(self.after)

    def undo(self) -> None:
        self.plane.put_dataset(self.before)


@dataclass(frozen=True, eq=False)
class PointMove:
    """An undoable move of your point (and its features as the input)."""

    plane: Playground
    text: str
    before: Point
    after: Point

    def redo(self) -> None:
        self.plane.put_point(self.after)

    def undo(self) -> None:
        self.plane.put_point(self.before)


class Playground:
    """Your point, point editing and the maps of the open network on the plane (see the module docstring)."""

    changed = Signal()
    """Your point moved, or another network or data set was opened."""

    def __init__(self, model: AppModel) -> None:
        self._model = model
        self.point: Point = (0.0, 0.0)
        """Your point (x₁, x₂); its features are the model's input while ``active``."""
        self._maps: dict[tuple[int, int], list[np.ndarray]] = {}
        self._decision: dict[tuple[int, int], np.ndarray] = {}
        self._maps_of: object = None
        model.document.architecture_changed.connect(self._on_opened)
        model.drawing.changed.connect(self._on_input_changed)
        self._follow_input(fallback_first=True)

    # ------------------------------------------------------------ reading
    @property
    def info(self) -> PlaneInfo | None:
        """The open data set's points and features, or ``None`` when it is not on the plane."""
        return self._model.dataset.plane

    @property
    def active(self) -> bool:
        return self.info is not None

    @property
    def is_regression(self) -> bool:
        return self.info is not None and self.info.is_regression

    @property
    def yours(self) -> str:
        """The user's own input in words: ``your point`` while active, else ``your drawing``."""
        return YOUR_POINT if self.active else YOUR_DRAWING

    def _info(self) -> PlaneInfo:
        info = self.info
        if info is None:
            raise ValueError("the open data set holds no points of the plane")
        return info

    def features_of(self, point: Point) -> np.ndarray:
        """The input x (n_0,) of ``point``: its features."""
        x: np.ndarray = feature_map(np.array([point], dtype=np.float64), self._info().features)[0]
        return x

    def point_value(self) -> float | None:
        """Regression: the value r the data set's function has at your point (``None`` if it has none)."""
        info = self.info
        if info is None or not info.is_regression or info.generator not in REGRESSION_VALUES:
            return None
        x1, x2 = (np.array([c]) for c in self.point)
        return float(REGRESSION_VALUES[info.generator](x1, x2)[0])

    def input_target(self) -> int | np.ndarray:
        """What the loss compares the input with: the target class, or (regression) r = the value at your point."""
        value = self.point_value()
        if value is not None:
            return np.array([value])
        if self.is_regression:  # added by hand or imported: the nearest point's value
            ds = self._model.dataset
            assert ds.plane is not None and ds.targets is not None
            d = np.hypot(*(ds.plane.points - np.array(self.point)).T)
            return np.array([float(ds.targets[int(np.argmin(d)), 0])])
        return self._model.target

    # ------------------------------------------------------------ your point
    def set_point(self, point: Point, text: str = "Move your point") -> None:
        """Move your point (an undoable command named ``text``); ``ValueError`` if not finite."""
        p = (float(point[0]), float(point[1]))
        if not np.isfinite(p).all():
            raise ValueError("your point needs finite coordinates")
        self._info()
        if p != self.point:
            self._model.drawing.undo_stack.push(PointMove(self, text, self.point, p))

    def put_point(self, point: Point) -> None:
        """Set your point and the input to its features (not recorded: the undo commands call this)."""
        self.point = point
        self._model.drawing.set_image(self.features_of(point))
        self.changed.emit()

    def saved_point(self) -> Point | None:
        """Your point as a snapshot stores it (``None`` when the data set is not on the plane)."""
        return self.point if self.active else None

    def restore_point(self, point: Point | None) -> None:
        """After opening a snapshot: its saved point (if any) as your point, without undo."""
        if point is not None and self.active:
            self.point = (float(point[0]), float(point[1]))
            self.changed.emit()

    # ------------------------------------------------------------ points
    def add_point(self, point: Point, value: float, test: bool = False) -> None:
        """Add a point of class ``value`` (0 or 1; regression: the value) as an undoable command."""
        ds = self._model.dataset
        self._push("Add a point", ds, with_point(ds, point, value, test))

    def remove_near(self, point: Point, radius: float = REMOVE_RADIUS) -> bool:
        """Remove the point nearest ``point`` within ``radius`` (undoable); False if there is none."""
        ds = self._model.dataset
        index = nearest_point(ds, point, radius)
        if index is None:
            return False
        self._push("Remove a point", ds, without_points(ds, [index]))
        return True

    def clear(self) -> None:
        """Remove every generated point and keep those added by hand (undoable).

        Training needs points: with none added by hand, ``ValueError`` says to add some first.
        """
        ds = self._model.dataset
        info = self._info()
        if info.n_generated >= len(ds):
            raise ValueError("Clear keeps only the points you added: add some first (training needs points)")
        self._push("Clear the points", ds, without_points(ds, np.arange(info.n_generated)))

    def import_csv(self, path: str | Path) -> PlanePoints:
        """Train on the points of the CSV ``path`` instead (undoable; see ``neuroviz.io.plane_import``).

        The features and the task stay; without a test column the points are split by the data set's
        test ratio.  Raises ``DatasetImportError`` naming the file and line; then nothing changes.
        """
        ds = self._model.dataset
        info = self._info()
        read = import_plane_csv(path, info.is_regression)
        new = PlaneInfo(read.points, info.features, info.task, "", 0.0, info.seed, info.test_ratio,
                        len(read.points))
        self._push(f"Import {Path(path).name}", ds, points_dataset(ds.name, new, read.values, read.is_test))
        return read

    def import_csv_report(self, path: Path) -> tuple[bool, str]:
        """``import_csv`` and what to tell the user: (imported, the summary or why it failed)."""
        try:
            read = self.import_csv(path)
        except ValueError as exc:
            return False, f"Import failed: {exc}"
        return True, read.summary(path.name)

    def _push(self, text: str, before: Dataset, after: Dataset) -> None:
        self._model.drawing.undo_stack.push(DatasetEdit(self, text, before, after))

    def put_dataset(self, dataset: Dataset) -> None:
        """Train on ``dataset`` (the undo commands call this; at a past moment the fork rule decides)."""
        self._model.set_dataset(dataset)

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The points (N, 2), their labels or values (N,) and the test mask (N,) of the open data set."""
        ds = self._model.dataset
        info = self._info()
        return info.points, point_values(ds), ds.is_test

    # ------------------------------------------------------------ maps
    def _shown_network(self) -> Network:
        shown = self._model.shown()
        if shown is not self._maps_of:
            self._maps.clear()
            self._decision.clear()
            self._maps_of = shown
        net = self._model.network
        if all(a is b for a, b in zip(shown.weights, net.weights)) and all(
                a is b for a, b in zip(shown.biases, net.biases)):
            return net
        return Network(net.config, list(shown.weights), list(shown.biases))

    def value_at(self, point: Point) -> float:
        """The output's decision function at ``point`` at the moment shown (p₂ − p₁, or the output)."""
        net = self._shown_network()
        x = feature_map(np.array([point], dtype=np.float64), self._info().features)
        return float(decision_values(net, net.forward(x).act[-1])[0])

    def maps(self, height: int, width: int) -> list[np.ndarray]:
        """Every neuron's activated value over an H×W grid of the plane at the moment shown:
        per layer (n_l, H, W), layer 0 the features (``neuron_maps``)."""
        return self._cached(self._maps, height, width,
                            lambda net: neuron_maps(net, self._info().features, height, width))

    def decision(self, height: int, width: int) -> np.ndarray:
        """The output's decision function (H, W) at the moment shown (p₂ − p₁, or the output for regression)."""
        return self._cached(self._decision, height, width,
                            lambda net: decision_map(net, self._info().features, height, width))

    def _cached(self, store: dict[tuple[int, int], T], height: int, width: int,
                compute: Callable[[Network], T]) -> T:
        net = self._shown_network()
        key = (height, width)
        if key not in store:
            store[key] = compute(net)
        return store[key]

    # ------------------------------------------------------------ opening
    def _on_opened(self) -> None:
        """Another network or data set: your point is the sample the input is (else the first point)."""
        self._maps_of = None
        self._follow_input(fallback_first=True)

    def _on_input_changed(self) -> None:
        """The input was set elsewhere (a sample loaded from the data): your point follows when it is a point's."""
        if self.active and not np.array_equal(self.features_of(self.point), self._model.input):
            self._follow_input(fallback_first=False)

    def _follow_input(self, fallback_first: bool) -> None:
        info = self.info
        if info is None or len(info.points) == 0:
            return
        same = np.flatnonzero(np.all(self._model.input == self._model.dataset.X, axis=1))
        if not same.size and not fallback_first:
            return
        p = info.points[int(same[0]) if same.size else 0]
        self.point = (float(p[0]), float(p[1]))
        self.changed.emit()
