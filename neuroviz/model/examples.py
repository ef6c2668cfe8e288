"""The examples the app opens: each a network, the data it learns from, a title, η and a batch size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.features import FEATURES
from neuroviz.core.network import DEFAULT_LR, Network, NetworkConfig
from neuroviz.core.plane_data import plane_dataset
from neuroviz.core.presets import CIRCLES_SQUARES_CONFIG, TITLES, Preset, get_preset, paper_figure_4
from neuroviz.core.trainer import DEFAULT_BATCH_SIZE

DEFAULT_CONFIG = CIRCLES_SQUARES_CONFIG
PLANE_EXAMPLES: dict[str, tuple[str, str, tuple[str, ...], tuple[int, ...]]] = {
    "plane-circle": ("Plane: circle (2-4-4-2)", "circle", ("x1", "x2"), (4, 4)),
    "plane-spiral": ("Plane: spiral, seven features (7-8-8-8-2)", "spiral", tuple(FEATURES), (8, 8, 8)),
    "plane-multi-gauss": ("Plane: regression on a mix of Gaussians (2-8-8-1)", "multi-gauss", ("x1", "x2"), (8, 8)),
}
"""Networks on the plane, as in TensorFlow Playground: title, data set, input features, hidden layers.
Each has tanh hidden layers (Xavier), η = 0.03 and batches of 10."""
PLANE_LR = 0.03
PLANE_BATCH = 10
EXAMPLE_TITLES = {**{name: TITLES[name] for name in ("circles-squares", "digits", "paper-figure-4")},
                  **{name: spec[0] for name, spec in PLANE_EXAMPLES.items()}}


@dataclass(frozen=True)
class Example:
    """What opening an example starts from."""

    network: Network
    dataset: Dataset
    title: str
    lr: float = DEFAULT_LR
    batch_size: int = DEFAULT_BATCH_SIZE


def preset_dataset(preset: Preset) -> Dataset:
    """A one-sample dataset holding a preset's input (shape (1, n_0)) and label."""
    return Dataset(preset.name, preset.inputs[None, :], np.array([preset.label]), preset.class_names,
                   preset.image_shape)


def example(name: str) -> Example:
    """The example ``name`` (one of ``EXAMPLE_TITLES``), freshly built."""
    if name == "paper-figure-4":
        preset = paper_figure_4()
        return Example(preset.network, preset_dataset(preset), EXAMPLE_TITLES[name], preset.lr, 1)
    if name in ("circles-squares", "digits"):
        return Example(get_preset(name).network, builtin_dataset(name), EXAMPLE_TITLES[name])
    if name in PLANE_EXAMPLES:
        title, data, features, hidden = PLANE_EXAMPLES[name]
        ds = plane_dataset(data, features=features)
        config = NetworkConfig(sizes=(len(features), *hidden, ds.n_classes), hidden_activation="tanh",
                               loss="squared_error" if ds.is_regression else "cross_entropy", init="xavier")
        return Example(Network(config), ds, title, PLANE_LR, PLANE_BATCH)
    raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLE_TITLES)}")
