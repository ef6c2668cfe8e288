"""Seeded data sets of points on the plane, as in TensorFlow Playground.

Classification: ``circle``, ``xor``, ``gauss`` (two Gaussians), ``spiral``
and ``moons``, two balanced classes (their counts differ by at most one).
Regression: ``plane`` and ``multi-gauss``, a value in [−1, 1] per point.
Points lie in the square [−6, 6]² (``PLANE_EXTENT``); ``noise`` is the
standard deviation σ of a Gaussian displacement of each point (in the
plane's units) drawn from its own generator, so one seed gives the same
clean points with and without noise.  The network sees a feature map of
each point (``neuroviz.core.features``): ``Dataset.X`` has shape (N, F).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neuroviz.core.datasets import Dataset, split_mask
from neuroviz.core.features import DEFAULT_FEATURES, PLANE_EXTENT, PlaneInfo, check_features, feature_map

CLASS_NAMES: tuple[str, str] = ("class 1", "class 2")
VALUE_NAME = "value"
DEFAULT_POINTS = 400
DEFAULT_NOISE = 0.2
DEFAULT_TEST_RATIO = 0.3
MAX_POINTS = 100_000
MAX_NOISE = 6.0

Generator = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
"""``(n, rng) -> (points (n, 2), labels (n,) int or values (n,) float)`` before noise."""


def _halves(n: int) -> np.ndarray:
    """Labels 0, 1, 0, 1 … (n,): two classes whose counts differ by at most one."""
    return np.arange(n, dtype=np.int64) % 2


def _circle(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _halves(n)
    radius = 5.0
    r = np.where(y == 0, rng.uniform(0.0, 0.5 * radius, n), rng.uniform(0.7 * radius, radius, n))
    t = rng.uniform(0.0, 2 * np.pi, n)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]), y


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _halves(n)
    pad = 0.3
    mag = rng.uniform(pad, 5.0, (n, 2))
    s1 = rng.choice([-1.0, 1.0], n)
    s2 = np.where(y == 0, s1, -s1)  # class 1: same signs (x₁x₂ > 0), class 2: opposite
    return np.column_stack([s1 * mag[:, 0], s2 * mag[:, 1]]), y


def _gauss(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _halves(n)
    centre = np.where(y[:, None] == 0, 2.0, -2.0)
    return centre + rng.normal(0.0, 1.0, (n, 2)), y


def _spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _halves(n)
    i = np.arange(n) // 2
    per_class = max(1, (n + 1) // 2)
    r = 5.0 * i / per_class
    t = 1.75 * i / per_class * 2 * np.pi + np.pi * y
    return np.column_stack([r * np.sin(t), r * np.cos(t)]), y


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _halves(n)
    t = rng.uniform(0.0, np.pi, n)
    x1 = np.where(y == 0, np.cos(t), 1.0 - np.cos(t))
    x2 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t))
    return np.column_stack([(x1 - 0.5) * 3.5, (x2 - 0.25) * 3.5]), y


def plane_value(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """The ``plane`` data set's noiseless value: (x₁ + x₂) / 12, in [−1, 1] on the plane."""
    out: np.ndarray = (x1 + x2) / (2 * PLANE_EXTENT)
    return out


GAUSS_CENTRES = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                          [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
"""``multi-gauss``: each row a centre (x₁, x₂) and the sign of its bump."""


def multi_gauss_value(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """The ``multi-gauss`` noiseless value: Σ_k s_k exp(−|x − c_k|² / (2·1.6²)), within [−1, 1] on the plane."""
    out = np.zeros(np.broadcast(x1, x2).shape)
    for cx, cy, sign in GAUSS_CENTRES:
        out += sign * np.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / (2 * 1.6**2))
    clipped: np.ndarray = np.clip(out, -1.0, 1.0)
    return clipped


REGRESSION_VALUES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "plane": plane_value, "multi-gauss": multi_gauss_value,
}
"""The noiseless value of each regression data set at points (x₁, x₂)."""


def _uniform_points(value: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Generator:
    def generate(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        p = rng.uniform(-PLANE_EXTENT, PLANE_EXTENT, (n, 2))
        return p, value(p[:, 0], p[:, 1])

    return generate


CLASSIFICATION_SETS: dict[str, Generator] = {
    "circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons,
}
REGRESSION_SETS: dict[str, Generator] = {name: _uniform_points(f) for name, f in REGRESSION_VALUES.items()}
PLANE_DATASETS: tuple[str, ...] = (*CLASSIFICATION_SETS, *REGRESSION_SETS)
"""The names ``plane_dataset`` accepts."""


def task_of(name: str) -> str:
    """``classification`` or ``regression`` for a data set of ``PLANE_DATASETS``."""
    if name in CLASSIFICATION_SETS:
        return "classification"
    if name in REGRESSION_SETS:
        return "regression"
    raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(PLANE_DATASETS)}")


def plane_dataset(name: str, noise: float = DEFAULT_NOISE, points: int = DEFAULT_POINTS,
                  test_ratio: float = DEFAULT_TEST_RATIO, features: tuple[str, ...] = DEFAULT_FEATURES,
                  seed: int = 0) -> Dataset:
    """The seeded data set ``name`` of ``points`` points with the given ``features`` as inputs.

    Classification sets have labels 0/1 (``CLASS_NAMES``) and a
    class-stratified test split; regression sets have one output, their
    values in ``targets`` (N, 1) and labels all 0.  A regression value is
    the noiseless function at the displaced point (the noise moves a point
    off the value it was labelled with, as for the classes).  Raises
    ``ValueError`` naming a bad parameter.
    """
    task = task_of(name)
    feats = check_features(features)
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= MAX_POINTS:
        raise ValueError(f"the number of points must be a whole number from 2 to {MAX_POINTS}; got {points!r}")
    if not 0.0 <= float(noise) <= MAX_NOISE:
        raise ValueError(f"the noise σ must be between 0 and {MAX_NOISE:g}; got {noise!r}")
    if not 0.0 <= float(test_ratio) < 1.0:
        raise ValueError(f"the test ratio must be in [0, 1); got {test_ratio!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"the seed must be a non-negative integer; got {seed!r}")
    n = int(points)
    rng = np.random.default_rng(seed)
    generator = CLASSIFICATION_SETS[name] if task == "classification" else REGRESSION_SETS[name]
    pts, labels = generator(n, rng)
    if noise > 0:
        pts = pts + np.random.default_rng([seed, 1]).normal(0.0, float(noise), pts.shape)
    order = rng.permutation(n)
    pts, labels = pts[order], labels[order]
    info = PlaneInfo(pts, feats, task, name, float(noise), int(seed), float(test_ratio), n)
    return points_dataset(name, info, labels, None)


def points_dataset(name: str, info: PlaneInfo, labels_or_values: np.ndarray,
                   is_test: np.ndarray | None = None) -> Dataset:
    """A ``Dataset`` of ``info``'s points: labels (N,) for classification, values (N,) for regression."""
    X = feature_map(info.points, info.features)
    n = len(info.points)
    if info.is_regression:
        y = np.zeros(n, dtype=np.int64)
        mask = split_mask(y, info.test_ratio, info.seed) if is_test is None else is_test
        targets = np.asarray(labels_or_values, dtype=np.float64).reshape(n, 1)
        return Dataset(name, X, y, (VALUE_NAME,), (1, X.shape[1]), mask, targets, info)
    y = np.asarray(labels_or_values, dtype=np.int64)
    mask = split_mask(y, info.test_ratio, info.seed) if is_test is None else is_test
    return Dataset(name, X, y, CLASS_NAMES, (1, X.shape[1]), mask, None, info)


def point_values(dataset: Dataset) -> np.ndarray:
    """Each point's label (N,) int, or its value (N,) float for regression."""
    return dataset.y if dataset.targets is None else dataset.targets[:, 0]


def _plane(dataset: Dataset) -> PlaneInfo:
    if dataset.plane is None:
        raise ValueError(f"the data set {dataset.name!r} holds no points of the plane")
    return dataset.plane


def with_features(dataset: Dataset, features: tuple[str, ...]) -> Dataset:
    """The same points with other input ``features`` (so ``X`` has F' columns)."""
    info = _plane(dataset)
    new = PlaneInfo(info.points, check_features(features), info.task, info.generator, info.noise, info.seed,
                    info.test_ratio, info.n_generated)
    return points_dataset(dataset.name, new, point_values(dataset), dataset.is_test)


def with_point(dataset: Dataset, point: tuple[float, float] | np.ndarray, value: float,
               test: bool = False) -> Dataset:
    """A copy with the point (x₁, x₂) appended: of class ``value`` (0 or 1), or with that value (regression)."""
    info = _plane(dataset)
    p = np.asarray(point, dtype=np.float64).reshape(1, 2)
    if not np.isfinite(p).all() or not np.isfinite(value):
        raise ValueError("a point needs finite coordinates and a finite value")
    if not info.is_regression and int(value) not in (0, 1):
        raise ValueError(f"a point's class is 0 or 1; got {value!r}")
    values = point_values(dataset)
    new_value = np.array([value if info.is_regression else int(value)], dtype=values.dtype)
    return points_dataset(dataset.name, info.with_points(np.vstack([info.points, p])),
                    np.concatenate([values, new_value]), np.append(dataset.is_test, bool(test)))


def without_points(dataset: Dataset, indices: np.ndarray | list[int]) -> Dataset:
    """A copy without the points at ``indices``; ``ValueError`` if none would be left for training."""
    info = _plane(dataset)
    keep = np.ones(len(dataset), dtype=bool)
    keep[np.asarray(indices, dtype=np.int64)] = False
    if not (keep & ~dataset.is_test).any():
        raise ValueError("a data set needs at least one training point")
    return points_dataset(dataset.name, info.with_points(info.points[keep]), point_values(dataset)[keep],
                    dataset.is_test[keep])


def nearest_point(dataset: Dataset, point: tuple[float, float] | np.ndarray, radius: float) -> int | None:
    """Index of the data set's point nearest ``point`` within ``radius``, or ``None``."""
    pts = _plane(dataset).points
    if len(pts) == 0:
        return None
    d = np.hypot(pts[:, 0] - float(point[0]), pts[:, 1] - float(point[1]))
    i = int(np.argmin(d))
    return i if d[i] <= radius else None
