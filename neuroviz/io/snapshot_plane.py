"""How a snapshot holds a data set of points on the plane (``"source": "plane"``).

The points are stored themselves (the generated ones and any added by
hand), with their labels (classification) or values (regression), the test
mask, the input features and the generation parameters; ``X`` is computed
again from the points and features when the file is read (see
docs/snapshot-format.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.features import FEATURES, TASKS, PlaneInfo
from neuroviz.core.plane_data import MAX_NOISE, PLANE_DATASETS, point_values, points_dataset
from neuroviz.io.limits import MAX_NAME, MAX_SAMPLES
from neuroviz.io.validate import bool_array, fail, field, float_array, int_array, integer, number, obj, string, sub

MAX_COORDINATE = 1e6
"""The largest |x₁| or |x₂| a saved point may have."""
MAX_SEED = (1 << 63) - 1


def encode_plane(dataset: Dataset) -> dict[str, Any]:
    """The ``dataset`` field of a data set on the plane."""
    info = dataset.plane
    assert info is not None
    values = point_values(dataset)
    return {
        "source": "plane",
        "name": dataset.name,
        "task": info.task,
        "features": list(info.features),
        "generator": info.generator,
        "parameters": {"noise": info.noise, "seed": info.seed, "test_ratio": info.test_ratio,
                       "points": info.n_generated},
        "points": np.asarray(info.points, dtype=np.float64).tolist(),
        ("values" if info.is_regression else "labels"): values.tolist(),
        "is_test": [bool(v) for v in dataset.is_test],
    }


def read_plane(d: dict[str, Any], where: str) -> Dataset:
    """A checked ``"source": "plane"`` field as a ``Dataset``."""
    name = string(field(d, "name", where), sub(where, "name"), MAX_NAME)
    task = string(field(d, "task", where), sub(where, "task"), 20, TASKS)
    names = field(d, "features", where)
    if not isinstance(names, list) or not 1 <= len(names) <= len(FEATURES):
        raise fail(sub(where, "features"), f"expected a list of 1 to {len(FEATURES)} feature names")
    features = tuple(string(v, sub(sub(where, "features"), i), 20, tuple(FEATURES)) for i, v in enumerate(names))
    if len(set(features)) != len(features):
        raise fail(sub(where, "features"), "a feature is named twice")
    generator = string(field(d, "generator", where), sub(where, "generator"), 40, ("", *PLANE_DATASETS))
    p = obj(field(d, "parameters", where), sub(where, "parameters"))
    at = sub(where, "parameters")
    noise = number(field(p, "noise", at), sub(at, "noise"), 0.0, MAX_NOISE)
    seed = integer(field(p, "seed", at), sub(at, "seed"), 0, MAX_SEED)
    test_ratio = number(field(p, "test_ratio", at), sub(at, "test_ratio"), 0.0, 0.99)
    n_generated = integer(field(p, "points", at), sub(at, "points"), 0, MAX_SAMPLES)
    points = float_array(field(d, "points", where), sub(where, "points"), (None, 2), limit=2 * MAX_SAMPLES)
    n = points.shape[0]
    if n == 0:
        raise fail(sub(where, "points"), "a data set needs at least one point")
    if (np.abs(points) > MAX_COORDINATE).any():
        raise fail(sub(where, "points"), f"coordinates must lie within ±{MAX_COORDINATE:g}")
    if task == "regression":
        values: np.ndarray = float_array(field(d, "values", where), sub(where, "values"), (n,), limit=MAX_SAMPLES)
    else:
        values = int_array(field(d, "labels", where), sub(where, "labels"), (n,), 0, 1, limit=MAX_SAMPLES)
    is_test = bool_array(field(d, "is_test", where), sub(where, "is_test"), (n,), limit=MAX_SAMPLES)
    info = PlaneInfo(points, features, task, generator, noise, seed, test_ratio, min(n_generated, n))
    return points_dataset(name, info, values, is_test)
