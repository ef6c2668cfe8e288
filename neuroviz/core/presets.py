"""Ready-made networks, led by the paper's worked example (its Figure 4).

The paper prints only some values of its 4-3-2 network; ``paper_figure_4``
completes it (see NOTES.md) so that every number it prints comes out exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neuroviz.core.network import Network, NetworkConfig

PAPER_T = 0.3 + (math.log(1.5) - 0.474) / 0.45
"""θ^{cb}_{12} of the completion: chosen so that p = (0.6, 0.4) exactly."""


@dataclass(frozen=True)
class Preset:
    """A network with an input and a target to step on.

    ``inputs`` has shape (n_0,); ``label`` is the target class;
    ``class_names`` names the outputs; ``image_shape`` is how the input is
    drawn as pixels (H, W).
    """

    name: str
    title: str
    network: Network
    inputs: np.ndarray
    label: int
    class_names: tuple[str, ...]
    image_shape: tuple[int, int]
    lr: float = 0.01


def paper_figure_4() -> Preset:
    """The 4-3-2 network of the paper's Figure 4, with input and target r = (1, 0)."""
    config = NetworkConfig(
        sizes=(4, 3, 2), hidden_activation="relu", output_activation="relu", loss="cross_entropy", init="uniform"
    )
    weights = [
        np.array([[0.5, -0.3, 0.1, -0.1], [0.2, 0.4, -0.2, 0.1], [-0.4, 0.3, 0.6, -0.2]]),
        np.array([[0.8, PAPER_T, 0.5], [0.22, 0.3, -0.3]]),
    ]
    biases = [np.array([0.15, 0.05, 0.1]), np.array([0.2, -0.1])]
    return Preset(
        name="paper-figure-4",
        title="Paper, Figure 4 (4-3-2)",
        network=Network(config, weights, biases),
        inputs=np.array([0.75, 0.5, 0.25, 1.0]),
        label=0,
        class_names=("circle", "square"),
        image_shape=(2, 2),
    )


PRESETS = {"paper-figure-4": paper_figure_4}
"""Preset factories by their command-line name."""


def get_preset(name: str) -> Preset:
    """Build the preset called ``name`` or raise ``ValueError`` listing the names."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
