"""Datasets of small grayscale images: circles vs squares, and the UCI digits.

Images are flattened row by row: ``X`` has shape (N, H·W) with values in
[0, 1], white = 1 and black = 0 as in the paper; ``y`` has shape (N,) with
class indices 0 .. K−1.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from neuroviz.core.features import PlaneInfo

DIGITS_RESOURCE = "data/optdigits-8x8.csv.gz"
DEFAULT_TEST_FRACTION = 0.25
MIN_CIRCLE_RADIUS = 2.5
"""Smallest circle radius in pixels (the largest is half the image's shorter side)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Labelled images with a fixed train/test split.

    Attributes
    ----------
    name:
        ``circles-squares``, ``digits`` or a user-chosen name.
    X:
        Shape (N, H·W), float64 in [0, 1].
    y:
        Shape (N,), int64 class indices.
    class_names:
        One name per class, K names.
    image_shape:
        (H, W) of each image.
    is_test:
        Shape (N,), True for samples of the test split.
    targets:
        Shape (N, K) float64: the target values r of a regression data set
        (then ``y`` is all 0 and there is one "class", the value); ``None``
        for classification.
    plane:
        For a data set of points on the plane: the points (N, 2) and the
        features that make ``X`` (``neuroviz.core.plane_data``); else ``None``.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    image_shape: tuple[int, int]
    is_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    targets: np.ndarray | None = None
    plane: PlaneInfo | None = None

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float64)
        y = np.asarray(self.y, dtype=np.int64)
        h, w = self.image_shape
        if X.ndim != 2 or X.shape[1] != h * w:
            raise ValueError(f"X has shape {X.shape}; expected (N, {h * w}) for {h}×{w} images")
        if y.shape != (X.shape[0],):
            raise ValueError(f"{y.shape[0] if y.ndim else 0} labels for {X.shape[0]} images")
        if X.shape[0] and ((y < 0).any() or (y >= len(self.class_names)).any()):
            raise ValueError(f"labels must lie in 0 .. {len(self.class_names) - 1}")
        is_test = np.asarray(self.is_test, dtype=bool)
        if is_test.size == 0:
            is_test = np.zeros(X.shape[0], dtype=bool)
        if is_test.shape != y.shape:
            raise ValueError("the test mask must have one entry per sample")
        for name, arr in (("X", X), ("y", y), ("is_test", is_test)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if self.targets is not None:
            targets = np.array(self.targets, dtype=np.float64)
            if targets.ndim != 2 or targets.shape[0] != X.shape[0]:
                raise ValueError(f"target values of shape {targets.shape} for {X.shape[0]} samples")
            if not np.isfinite(targets).all():
                raise ValueError("the target values contain NaN or infinity")
            targets.setflags(write=False)
            object.__setattr__(self, "targets", targets)
        if self.plane is not None and len(self.plane.points) != X.shape[0]:
            raise ValueError(f"{len(self.plane.points)} points for {X.shape[0]} samples")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_regression(self) -> bool:
        """True when the samples have target values (``targets``) instead of classes."""
        return self.targets is not None

    def targets_of(self, test: bool) -> np.ndarray:
        """What the loss compares with on one split: labels (N_split,), or values (N_split, K) for regression."""
        rows = self.is_test if test else ~self.is_test
        part: np.ndarray = self.y[rows] if self.targets is None else self.targets[rows]
        return part

    @property
    def train_indices(self) -> np.ndarray:
        """Indices into X of the training split, shape (N_train,)."""
        return np.flatnonzero(~self.is_test)

    @property
    def test_indices(self) -> np.ndarray:
        """Indices into X of the test split, shape (N_test,)."""
        return np.flatnonzero(self.is_test)

    @property
    def X_train(self) -> np.ndarray:
        part: np.ndarray = self.X[~self.is_test]
        return part

    @property
    def y_train(self) -> np.ndarray:
        part: np.ndarray = self.y[~self.is_test]
        return part

    @property
    def X_test(self) -> np.ndarray:
        part: np.ndarray = self.X[self.is_test]
        return part

    @property
    def y_test(self) -> np.ndarray:
        part: np.ndarray = self.y[self.is_test]
        return part

    def with_split(self, test_fraction: float = DEFAULT_TEST_FRACTION, seed: int = 0) -> Dataset:
        """A copy with a seeded, class-stratified train/test split."""
        return Dataset(self.name, self.X, self.y, self.class_names, self.image_shape,
                       split_mask(self.y, test_fraction, seed), self.targets, self.plane)

    def with_added(self, image: np.ndarray, label: int, test: bool = False) -> Dataset:
        """A copy with one more sample (image of shape (H·W,)) appended.

        A data set on the plane takes points instead (``plane_data.with_point``).
        """
        if self.plane is not None or self.targets is not None:
            raise ValueError("this data set holds points of the plane: add a point by clicking the plane")
        img = np.asarray(image, dtype=np.float64).reshape(1, -1)
        return Dataset(
            self.name,
            np.vstack([self.X, img]),
            np.append(self.y, int(label)),
            self.class_names,
            self.image_shape,
            np.append(self.is_test, bool(test)),
        )


def split_mask(y: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """Boolean test mask (N,) taking ``test_fraction`` of each class, seeded."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"the test fraction must be in [0, 1); got {test_fraction}")
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(y), dtype=bool)
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        rng.shuffle(idx)
        mask[idx[: int(round(len(idx) * test_fraction))]] = True
    return mask


# ------------------------------------------------------------ circles/squares
def _draw_square(h: int, w: int, rng: np.random.Generator, filled: bool) -> np.ndarray:
    side = int(rng.integers(3, min(h, w) + 1))
    top = int(rng.integers(0, h - side + 1))
    left = int(rng.integers(0, w - side + 1))
    img = np.zeros((h, w))
    img[top : top + side, left : left + side] = 1.0
    if not filled and side > 2:
        img[top + 1 : top + side - 1, left + 1 : left + side - 1] = 0.0
    return img


def _draw_circle(h: int, w: int, rng: np.random.Generator, filled: bool) -> np.ndarray:
    # Below a radius of about 2.5 pixels a rasterised disc is a blocky
    # rectangle that no one could tell from a square.
    r_max = min(h, w) / 2.0
    radius = float(rng.uniform(min(MIN_CIRCLE_RADIUS, r_max), r_max))
    cy = float(rng.uniform(radius - 0.5, h - radius - 0.5)) if h > 2 * radius else (h - 1) / 2.0
    cx = float(rng.uniform(radius - 0.5, w - radius - 0.5)) if w > 2 * radius else (w - 1) / 2.0
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(yy - cy, xx - cx)
    inside: np.ndarray = dist <= radius if filled else np.abs(dist - radius) <= 0.5
    return inside.astype(float)


def circles_vs_squares(
    n: int = 2000,
    shape: tuple[int, int] = (8, 8),
    seed: int = 0,
    noise: float = 0.0,
    test_fraction: float = DEFAULT_TEST_FRACTION,
) -> Dataset:
    """Seeded, balanced images of circles (class 0) and squares (class 1).

    Each shape has a random position and size, is filled or outlined, and has
    a brightness in [0.6, 1]; ``noise`` adds uniform noise of that amplitude
    (clipped to [0, 1]) drawn from its own generator, so the same seed gives
    the same shapes with and without noise.  Returns a ``Dataset`` with
    images of ``shape``.
    """
    h, w = shape
    if h < 4 or w < 4:
        raise ValueError(f"images must be at least 4×4; got {h}×{w}")
    if n < 2:
        raise ValueError(f"need at least 2 samples; got {n}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"the noise amplitude must be between 0 and 1; got {noise}")
    rng = np.random.default_rng(seed)
    noise_rng = np.random.default_rng([seed, 1])
    X = np.empty((n, h * w))
    y = np.arange(n) % 2
    for i in range(n):
        filled = bool(rng.random() < 0.5)
        img = _draw_circle(h, w, rng, filled) if y[i] == 0 else _draw_square(h, w, rng, filled)
        img *= rng.uniform(0.6, 1.0)
        if noise > 0:
            img = np.clip(img + noise_rng.uniform(-noise, noise, size=img.shape), 0.0, 1.0)
        X[i] = img.reshape(-1)
    order = rng.permutation(n)
    X, y = X[order], y[order]
    return Dataset("circles-squares", X, y, ("circle", "square"), (h, w), split_mask(y, test_fraction, seed))


# --------------------------------------------------------------------- digits
def digits(test_fraction: float = DEFAULT_TEST_FRACTION, seed: int = 0) -> Dataset:
    """The 1,797 UCI 8×8 handwritten digits, scaled from 0..16 to [0, 1].

    E. Alpaydin, C. Kaynak (1998), UCI Machine Learning Repository, CC BY 4.0.
    """
    raw = resources.files("neuroviz.resources").joinpath(DIGITS_RESOURCE).read_bytes()
    text = gzip.decompress(raw).decode("ascii")
    rows = np.array(list(csv.reader(io.StringIO(text))), dtype=np.float64)
    X = rows[:, :64] / 16.0
    y = rows[:, 64].astype(np.int64)
    names = tuple(str(d) for d in range(10))
    return Dataset("digits", X, y, names, (8, 8), split_mask(y, test_fraction, seed))


BUILTIN_DATASETS: dict[str, Callable[[], Dataset]] = {"circles-squares": circles_vs_squares, "digits": digits}
"""Factories of the built-in datasets by name (called with defaults)."""


def builtin_dataset(name: str) -> Dataset:
    """The built-in dataset called ``name``, or ``ValueError`` listing the names.

    Built once per process: a ``Dataset`` is immutable (read-only arrays), so
    every caller can share it.
    """
    if name not in BUILTIN_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(BUILTIN_DATASETS)}")
    return _builtin(name)


@functools.cache
def _builtin(name: str) -> Dataset:
    return BUILTIN_DATASETS[name]()


def image_shape_for(n_pixels: int) -> tuple[int, int]:
    """(H, W) with H·W = ``n_pixels`` and H ≤ W as close as possible (8×8 for 64, 1×7 for 7)."""
    h = max(d for d in range(1, math.isqrt(n_pixels) + 1) if n_pixels % d == 0)
    return h, n_pixels // h


def dataset_for(n_inputs: int, n_classes: int) -> Dataset:
    """A data set a network with ``n_inputs`` inputs and ``n_classes`` outputs can train on.

    A built-in data set when one fits (64 inputs: 2 classes, circles and
    squares; 10 classes, the digits); otherwise one blank image per class
    (shape (K, n_0), all 0), named "blank", for the user to draw on and add to.
    """
    for name in BUILTIN_DATASETS:
        ds = builtin_dataset(name)
        if ds.X.shape[1] == n_inputs and len(ds.class_names) == n_classes:
            return ds
    return Dataset("blank", np.zeros((n_classes, n_inputs)), np.arange(n_classes, dtype=np.int64),
                   tuple(f"class {k + 1}" for k in range(n_classes)), image_shape_for(n_inputs))
