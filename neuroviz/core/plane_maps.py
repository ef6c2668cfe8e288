"""What every neuron outputs over the plane: one batched forward pass over a grid of points.

A grid of H×W points covers the plane ``[−e, e]²`` (``PLANE_EXTENT``): row
0 is the top (x₂ = e), column 0 the left (x₁ = −e), each point at the centre
of its cell, so a map is an image as it is drawn.  ``neuron_maps`` gives,
per layer l (0 the input features), an array (n_l, H, W): the activated
value ``a`` of each neuron at each grid point.  ``decision_map`` gives the
output's decision function (H, W): p₂ − p₁ for two classes (in [−1, 1]),
the output itself for one output (regression).
"""

from __future__ import annotations

import functools

import numpy as np

from neuroviz.core.features import PLANE_EXTENT, feature_map
from neuroviz.core.losses import softmax
from neuroviz.core.network import Network


def grid_points(height: int, width: int, extent: float = PLANE_EXTENT) -> np.ndarray:
    """The grid's points (H·W, 2), row by row from the top left, each at its cell's centre."""
    if height < 1 or width < 1:
        raise ValueError(f"a grid needs at least 1×1 points; got {width}×{height}")
    step_x, step_y = 2 * extent / width, 2 * extent / height
    x1 = -extent + step_x * (np.arange(width) + 0.5)
    x2 = extent - step_y * (np.arange(height) + 0.5)
    g1, g2 = np.meshgrid(x1, x2)
    return np.column_stack([g1.ravel(), g2.ravel()])


def to_plane(col: float, row: float, height: int, width: int, extent: float = PLANE_EXTENT) -> tuple[float, float]:
    """The point (x₁, x₂) at fractional pixel position (``col``, ``row``) of an H×W map (0, 0 = top-left corner)."""
    return -extent + 2 * extent * col / width, extent - 2 * extent * row / height


@functools.lru_cache(maxsize=16)
def grid_features(features: tuple[str, ...], height: int, width: int, extent: float = PLANE_EXTENT) -> np.ndarray:
    """The features (H·W, F) of the grid's points (read-only, made once per grid and feature set)."""
    x = feature_map(grid_points(height, width, extent), features)
    x.setflags(write=False)
    return x


CHUNK = 1024
"""Grid points per forward pass: small batches reuse their memory (a 10,000-point pass in one batch
takes about twice as long, in fresh pages); each point's numbers are the same either way."""


def _activations(network: Network, features: tuple[str, ...], height: int, width: int,
                 extent: float, last_only: bool = False) -> list[np.ndarray]:
    """Per layer the activated values (H·W, n_l) at the grid's points (only the output layer if ``last_only``)."""
    x = grid_features(tuple(features), height, width, extent)
    if x.shape[1] != network.config.n_inputs:
        raise ValueError(f"{x.shape[1]} features for a network of {network.config.n_inputs} inputs")
    chunks = range(0, x.shape[0], CHUNK)
    with np.errstate(over="ignore", invalid="ignore"):
        if last_only:
            return [np.concatenate([network.outputs(x[i : i + CHUNK]) for i in chunks])]
        parts = [network.forward(x[i : i + CHUNK]).act for i in chunks]
    return [np.concatenate([part[l] for part in parts]) for l in range(len(parts[0]))]


def neuron_maps(network: Network, features: tuple[str, ...], height: int, width: int,
                extent: float = PLANE_EXTENT) -> list[np.ndarray]:
    """Every neuron's activated value over an H×W grid: per layer an array (n_l, H, W).

    Layer 0 holds the input features themselves; one forward pass of all
    H·W grid points gives the rest.
    """
    acts = _activations(network, features, height, width, extent)
    return [np.ascontiguousarray(a.T).reshape(a.shape[1], height, width) for a in acts]


def decision_values(network: Network, outputs: np.ndarray) -> np.ndarray:
    """The decision function of the output layer's values (B, n_L): shape (B,).

    Two or more classes: p₂ − p₁ of the softmax (or of the outputs, for
    squared error); one output: the output itself.
    """
    if outputs.shape[1] == 1:
        out: np.ndarray = outputs[:, 0]
        return out
    p = softmax(outputs) if network.config.loss == "cross_entropy" else outputs
    diff: np.ndarray = p[:, 1] - p[:, 0]
    return diff


def decision_map(network: Network, features: tuple[str, ...], height: int, width: int,
                 extent: float = PLANE_EXTENT) -> np.ndarray:
    """The output's decision function over an H×W grid, shape (H, W) (see ``decision_values``)."""
    out = _activations(network, features, height, width, extent, last_only=True)[0]
    return decision_values(network, out).reshape(height, width)
