"""How a snapshot holds its data set: a built-in's name and parameters (plus added samples), or the samples.

``encode_dataset`` writes the ``dataset`` field and ``read_dataset`` reads it
back, checked (see docs/snapshot-format.md): a built-in is generated again
from its parameters and must match its fingerprint; embedded samples are
checked for shape, range and the limits.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from functools import lru_cache
from typing import Any

import numpy as np

from neuroviz.core.datasets import BUILTIN_DATASETS, Dataset
from neuroviz.io.limits import (
    MAX_CLASSES,
    MAX_DATASET_VALUES,
    MAX_IMAGE_SIDE,
    MAX_INPUTS,
    MAX_NAME,
    MAX_SAMPLES,
)
from neuroviz.io.snapshot_plane import encode_plane, read_plane
from neuroviz.io.validate import (
    bool_array,
    fail,
    field,
    float_array,
    int_array,
    integer,
    number,
    obj,
    string,
    sub,
)

MAX_SEED = (1 << 63) - 1
"""The largest seed a snapshot may hold."""

BUILTIN_PARAMETERS: dict[str, tuple[str, ...]] = {
    "circles-squares": ("n", "shape", "seed", "noise", "test_fraction"),
    "digits": ("test_fraction", "seed"),
}
"""The generation parameters a snapshot records for each built-in data set."""


def floats(a: np.ndarray) -> Any:
    """An array as nested lists of Python floats (exact via repr)."""
    return np.asarray(a, dtype=np.float64).tolist()


def _samples(X: np.ndarray, y: np.ndarray, is_test: np.ndarray) -> dict[str, Any]:
    return {"X": floats(X), "y": [int(v) for v in y], "is_test": [bool(v) for v in is_test]}


def builtin_defaults(name: str) -> dict[str, Any]:
    """The generation parameters ``builtin_dataset(name)`` uses (JSON values)."""
    params = inspect.signature(BUILTIN_DATASETS[name]).parameters
    out: dict[str, Any] = {}
    for key in BUILTIN_PARAMETERS[name]:
        value = params[key].default
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


@lru_cache(maxsize=4)
def _generate(name: str, params_json: str) -> Dataset:
    params = json.loads(params_json)
    if "shape" in params:
        params["shape"] = tuple(params["shape"])
    return BUILTIN_DATASETS[name](**params)


def generate_builtin(name: str, params: dict[str, Any]) -> Dataset:
    """The built-in data set ``name`` made with ``params`` (cached: it is deterministic)."""
    return _generate(name, json.dumps(params, sort_keys=True))


def fingerprint(dataset: Dataset) -> str:
    """SHA-256 (hex) of a data set's samples: ``X`` (float64), ``y`` (int64) and ``is_test``."""
    digest = hashlib.sha256()
    for arr in (dataset.X, dataset.y, dataset.is_test):
        digest.update(np.ascontiguousarray(arr).tobytes())
    return digest.hexdigest()


def _builtin_base(dataset: Dataset) -> tuple[dict[str, Any], int] | None:
    """If ``dataset`` is a built-in (plus appended samples): its parameters and base size."""
    if dataset.name not in BUILTIN_PARAMETERS:
        return None
    params = builtin_defaults(dataset.name)
    base = generate_builtin(dataset.name, params)
    n = len(base)
    same = (
        len(dataset) >= n
        and base.class_names == dataset.class_names
        and tuple(base.image_shape) == tuple(dataset.image_shape)
        and np.array_equal(base.X, dataset.X[:n])
        and np.array_equal(base.y, dataset.y[:n])
        and np.array_equal(base.is_test, dataset.is_test[:n])
    )
    return (params, n) if same else None


def encode_dataset(dataset: Dataset) -> dict[str, Any]:
    """The ``dataset`` field: a built-in's name and parameters, points of the plane, or the samples themselves."""
    if dataset.plane is not None:
        return encode_plane(dataset)
    found = _builtin_base(dataset)
    if found is not None:
        params, n = found
        return {
            "source": "builtin",
            "name": dataset.name,
            "parameters": params,
            "fingerprint": fingerprint(generate_builtin(dataset.name, params)),
            "added": _samples(dataset.X[n:], dataset.y[n:], dataset.is_test[n:]),
        }
    return {
        "source": "embedded",
        "name": dataset.name,
        "class_names": list(dataset.class_names),
        "image_shape": list(dataset.image_shape),
        "samples": _samples(dataset.X, dataset.y, dataset.is_test),
    }


def _read_samples(d: Any, where: str, n_pixels: int, n_classes: int, limit: int) -> tuple[np.ndarray, ...]:
    d = obj(d, where)
    X = float_array(field(d, "X", where), sub(where, "X"), (None, n_pixels), limit=limit)
    n = X.shape[0]
    y = int_array(field(d, "y", where), sub(where, "y"), (n,), 0, n_classes - 1, limit=limit)
    is_test = bool_array(field(d, "is_test", where), sub(where, "is_test"), (n,), limit=limit)
    if ((X < 0) | (X > 1)).any():
        raise fail(sub(where, "X"), "pixel values must lie in [0, 1]")
    return X, y, is_test


def _read_builtin_parameters(name: str, value: Any, where: str) -> dict[str, Any]:
    d = obj(value, where)
    out: dict[str, Any] = {}
    for key in BUILTIN_PARAMETERS[name]:
        at = sub(where, key)
        raw = field(d, key, where)
        if key == "n":
            out[key] = integer(raw, at, 2, MAX_SAMPLES)
        elif key == "shape":
            if not isinstance(raw, list) or len(raw) != 2:
                raise fail(at, "expected [height, width]")
            out[key] = [integer(v, sub(at, i), 4, MAX_IMAGE_SIDE) for i, v in enumerate(raw)]
        elif key == "seed":
            out[key] = integer(raw, at, 0, MAX_SEED)
        elif key == "noise":
            out[key] = number(raw, at, 0.0, 1.0)
        elif key == "test_fraction":
            out[key] = number(raw, at, 0.0, 0.99)
    if "n" in out and "shape" in out and out["n"] * out["shape"][0] * out["shape"][1] > MAX_DATASET_VALUES:
        raise fail(where, f"the data set would have more than {MAX_DATASET_VALUES} pixel values")
    return out


def read_dataset(d: Any, where: str = "dataset") -> Dataset:
    """The ``dataset`` field as a ``Dataset``."""
    d = obj(d, where)
    source = string(field(d, "source", where), sub(where, "source"), 20, ("builtin", "embedded", "plane"))
    if source == "plane":
        return read_plane(d, where)
    if source == "builtin":
        name = string(field(d, "name", where), sub(where, "name"), 40, tuple(BUILTIN_PARAMETERS))
        params = _read_builtin_parameters(name, field(d, "parameters", where), sub(where, "parameters"))
        saved_print = string(field(d, "fingerprint", where), sub(where, "fingerprint"), 64)
        try:
            base = generate_builtin(name, params)
        except ValueError as exc:
            raise fail(sub(where, "parameters"), str(exc)) from None
        if fingerprint(base) != saved_print:
            raise fail(sub(where, "fingerprint"), f"the built-in data set {name!r} this neuroviz generates differs "
                       "from the one the snapshot was saved with, so training could not continue exactly")
        h, w = base.image_shape
        limit = max(0, MAX_SAMPLES - len(base))
        X, y, is_test = _read_samples(field(d, "added", where), sub(where, "added"), h * w, base.n_classes, limit)
        if len(y) == 0:
            return base
        return Dataset(name, np.vstack([base.X, X]), np.concatenate([base.y, y]), base.class_names,
                       base.image_shape, np.concatenate([base.is_test, is_test]))
    name = string(field(d, "name", where), sub(where, "name"), MAX_NAME)
    names_value = field(d, "class_names", where)
    if not isinstance(names_value, list) or not 1 <= len(names_value) <= MAX_CLASSES:
        raise fail(sub(where, "class_names"), f"expected a list of 1 to {MAX_CLASSES} class names")
    class_names = tuple(string(v, sub(sub(where, "class_names"), i), MAX_NAME) for i, v in enumerate(names_value))
    shape_value = field(d, "image_shape", where)
    if not isinstance(shape_value, list) or len(shape_value) != 2:
        raise fail(sub(where, "image_shape"), "expected [height, width]")
    h, w = (integer(v, sub(sub(where, "image_shape"), i), 1, MAX_INPUTS) for i, v in enumerate(shape_value))
    limit = min(MAX_SAMPLES, MAX_DATASET_VALUES // (h * w))
    X, y, is_test = _read_samples(field(d, "samples", where), sub(where, "samples"), h * w, len(class_names), limit)
    return Dataset(name, X, y, class_names, (h, w), is_test)
