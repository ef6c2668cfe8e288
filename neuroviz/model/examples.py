"""The examples the app opens: each a network, the data it learns from, a title, η and a batch size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.network import DEFAULT_LR, Network
from neuroviz.core.presets import CIRCLES_SQUARES_CONFIG, TITLES, Preset, get_preset, paper_figure_4
from neuroviz.core.trainer import DEFAULT_BATCH_SIZE

DEFAULT_CONFIG = CIRCLES_SQUARES_CONFIG
EXAMPLE_TITLES = {name: TITLES[name] for name in ("circles-squares", "digits", "paper-figure-4")}


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
    raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLE_TITLES)}")
