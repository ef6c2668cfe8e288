"""Ready-made networks, led by the paper's worked example (its Figure 4).

The paper prints only some values of its 4-3-2 network; ``paper_figure_4``
completes it so that every number it prints comes out exactly
(docs/paper-notes.md, "The worked example").  A preset may carry
``PaperRemarks``: notes on where the paper's printed arithmetic for it slips,
which the explainer shows beside an update of exactly that example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import BIAS, WEIGHT

PAPER_T = 0.3 + (math.log(1.5) - 0.474) / 0.45
"""θ^{cb}_{12} of the completion: chosen so that p = (0.6, 0.4) exactly (docs/paper-notes.md)."""

SlipKey = tuple[str, int, int, int, int]
"""``(equation, kind, layer, m, n)``: the equation ("gradient" or "update") of one update-table row
(``kind`` WEIGHT or BIAS, 0-based ``layer``, ``m`` and ``n``, ``n`` = −1 for a bias)."""


TITLES = {"circles-squares": "Circles vs squares (64-16-16-2)", "digits": "Digits (64-32-16-10)",
          "paper-figure-4": "Paper, Figure 4 (4-3-2)"}
"""Each example's title, by name."""

@dataclass(frozen=True)
class PaperRemarks:
    """Notes on the paper's printed arithmetic for a preset's example, one sentence each, by ``SlipKey``."""

    slips: Mapping[SlipKey, str]

    def slip(self, equation: str, kind: int, layer: int, m: int, n: int) -> tuple[str, ...]:
        """The note on this equation of the example, if the paper slips there (else empty)."""
        note = self.slips.get((equation, kind, layer, m, n))
        return () if note is None else (note,)


FIGURE_4_REMARKS = PaperRemarks({
    ("gradient", WEIGHT, 1, 1, 0): "The paper prints δ^c_1 · b_1 = (0.4)(0.3) here; the 0.4 it uses is δ^c_2, "
                                   "so it means δ^c_2 · b_1.",
    ("update", WEIGHT, 0, 0, 0): "The paper prints 0.5 − 0.01(0.174) = 0.50174; the gradient is −0.174, "
                                 "so the update is 0.5 − 0.01(−0.174).",
    ("gradient", BIAS, 0, 0, -1): "The paper writes ∂L/∂β^c_m = δ^c_m for the hidden layers; it means the "
                                  "hidden layer's own bias: ∂L/∂β^b_m = δ^b_m.",
})
"""Where the paper's printed Figure 4 arithmetic slips (docs/paper-notes.md, errata 2 and 4 and the update's sign)."""


@dataclass(frozen=True)
class Preset:
    """A network with an input and a target to step on.

    ``inputs`` has shape (n_0,); ``label`` is the target class;
    ``class_names`` names the outputs; ``image_shape`` is how the input is
    drawn as pixels (H, W); ``remarks`` are the paper's slips on this
    example, if it is one of the paper's.
    """

    name: str
    title: str
    network: Network
    inputs: np.ndarray
    label: int
    class_names: tuple[str, ...]
    image_shape: tuple[int, int]
    lr: float = 0.01
    remarks: PaperRemarks | None = None

    def dataset(self) -> Dataset:
        """The preset's input and class as a one-sample data set (to train on and to save)."""
        return Dataset(self.name, self.inputs[None, :], np.array([self.label]), self.class_names, self.image_shape)

    def is_update_of(self, trace: StepTrace) -> bool:
        """True if ``trace`` is one update of this network, from its parameters now, on its input alone."""
        net = self.network
        if trace.batch_size != 1 or len(trace.weights_before) != len(net.weights):
            return False
        same = all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(trace.weights_before, net.weights))
        same = same and all(a.shape == b.shape and np.array_equal(a, b)
                            for a, b in zip(trace.biases_before, net.biases))
        return same and np.array_equal(trace.inputs[0], self.inputs)


def paper_figure_4() -> Preset:
    """The 4-3-2 network of the paper's Figure 4, with input and target r = (1, 0) (docs/paper-notes.md)."""
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
        title=TITLES["paper-figure-4"],
        network=Network(config, weights, biases),
        inputs=np.array([0.75, 0.5, 0.25, 1.0]),
        label=0,
        class_names=("circle", "square"),
        image_shape=(2, 2),
        remarks=FIGURE_4_REMARKS,
    )


def dataset_example(name: str, title: str, config: NetworkConfig) -> Preset:
    """A fresh network of ``config`` with the first sample of the built-in data set ``name`` as its input."""
    ds = builtin_dataset(name)
    return Preset(name=name, title=title, network=Network(config), inputs=np.array(ds.X[0], dtype=np.float64),
                  label=int(ds.y[0]), class_names=ds.class_names, image_shape=ds.image_shape)


CIRCLES_SQUARES_CONFIG = NetworkConfig(sizes=(64, 16, 16, 2), hidden_activation="relu", output_activation="none")
DIGITS_CONFIG = NetworkConfig(sizes=(64, 32, 16, 10))

def circles_squares() -> Preset:
    """The default example: a fresh 64-16-16-2 network on the first circle or square."""
    return dataset_example("circles-squares", TITLES["circles-squares"], CIRCLES_SQUARES_CONFIG)


def digits() -> Preset:
    """A fresh 64-32-16-10 network on the first handwritten digit."""
    return dataset_example("digits", TITLES["digits"], DIGITS_CONFIG)


PAPER_PRESETS: dict[str, Callable[[], Preset]] = {"paper-figure-4": paper_figure_4}
"""The presets of the paper's own examples (they carry its remarks)."""
PRESETS: dict[str, Callable[[], Preset]] = {**PAPER_PRESETS, "circles-squares": circles_squares, "digits": digits}
"""Preset factories by their command-line name: every example the app opens."""


def get_preset(name: str) -> Preset:
    """Build the preset called ``name`` or raise ``ValueError`` listing the names."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None


def remarks_for(trace: StepTrace) -> PaperRemarks | None:
    """The remarks of the preset ``trace`` is one update of (see ``Preset.is_update_of``), or ``None``."""
    for factory in PAPER_PRESETS.values():
        preset = factory()
        if preset.remarks is not None and preset.is_update_of(trace):
            return preset.remarks
    return None
