"""Input features of a 2-D point, and what a data set on the plane records about its points.

A point of the plane is ``(x₁, x₂)``; a network on the plane does not see
the point itself but a feature map of it, one input neuron per feature
(``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1x2``, ``sin_x1``, ``sin_x2``), as
in TensorFlow Playground.  Points are arrays of shape (N, 2); features of
shape (N, F) in the order the names are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
"""Each feature as a function of the coordinates ``x₁`` and ``x₂`` (arrays of one shape)."""

FEATURE_LABELS: dict[str, str] = {
    "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂", "sin_x1": "sin x₁", "sin_x2": "sin x₂",
}
"""How each feature is written on the screen."""

DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")
TASKS: tuple[str, ...] = ("classification", "regression")
PLANE_EXTENT = 6.0
"""The plane shown and sampled: x₁ and x₂ in [−6, 6]."""


def check_features(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``names`` as a tuple, or ``ValueError`` for an unknown, repeated or missing feature."""
    out = tuple(names)
    if not out:
        raise ValueError("choose at least one input feature")
    for name in out:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    if len(set(out)) != len(out):
        raise ValueError("each feature may be chosen only once")
    return out


def parse_features(text: str) -> tuple[str, ...]:
    """Comma-separated feature names (``x1,x2,x1^2``) as a checked tuple."""
    return check_features([part.strip() for part in text.split(",") if part.strip()])


def feature_map(points: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The features of ``points`` (N, 2): shape (N, F), column f the feature ``names[f]``."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x1, x2 = p[:, 0], p[:, 1]
    out = np.empty((p.shape[0], len(names)))
    for f, name in enumerate(names):
        out[:, f] = FEATURES[name](x1, x2)
    return out


@dataclass(frozen=True, eq=False)
class PlaneInfo:
    """What a data set on the plane holds beside its features (see ``Dataset.plane``).

    Attributes
    ----------
    points:
        Shape (N, 2): each sample's point (x₁, x₂); ``Dataset.X`` is
        ``feature_map(points, features)``.
    features:
        The input features, one per input neuron, in order.
    task:
        ``classification`` (labels in ``Dataset.y``) or ``regression``
        (values in ``Dataset.targets``, shape (N, 1)).
    generator:
        The data set it was generated as (``circle``, ``spiral`` …).
    noise, seed, test_ratio:
        The generation parameters (σ of the noise, the seed and the share of
        test points).
    n_generated:
        How many of the points the generator made (the rest were added by hand).
    """

    points: np.ndarray
    features: tuple[str, ...] = DEFAULT_FEATURES
    task: str = "classification"
    generator: str = ""
    noise: float = 0.0
    seed: int = 0
    test_ratio: float = 0.0
    n_generated: int = 0

    def __post_init__(self) -> None:
        pts = np.array(self.points, dtype=np.float64).reshape(-1, 2)
        if not np.isfinite(pts).all():
            raise ValueError("the points contain NaN or infinity")
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "features", check_features(self.features))
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)}")

    @property
    def is_regression(self) -> bool:
        return self.task == "regression"

    def with_points(self, points: np.ndarray) -> PlaneInfo:
        """The same options with other ``points`` (N', 2)."""
        return PlaneInfo(points, self.features, self.task, self.generator, self.noise, self.seed,
                         self.test_ratio, min(self.n_generated, len(points)))
