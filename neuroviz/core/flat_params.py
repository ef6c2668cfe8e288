"""The layout of a network's parameters as one flat float64 vector (P,).

Layer by layer from the input: ``θ`` (n_{l+1}, n_l) row-major, then ``β``
(n_{l+1},).  ``Network`` keeps its parameters in such a vector, with
``weights``/``biases`` as views into it, so that an update is one array
operation.
"""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import numpy as np


def pack(weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
    """A new flat vector (P,) of ``[θ_0, β_0, θ_1, β_1, ...]``, each θ row-major (see ``split``)."""
    return np.concatenate([a.ravel() for pair in zip(weights, biases) for a in pair])


class LayerSpan(NamedTuple):
    """Where one layer's parameters lie in the flat vector: θ is ``[w_start, b_start)``, β ``[b_start, b_end)``."""

    w_start: int
    b_start: int
    b_end: int
    n_out: int
    n_in: int


@functools.lru_cache(maxsize=64)
def offsets(sizes: tuple[int, ...]) -> tuple[LayerSpan, ...]:
    """A ``LayerSpan`` per layer after the input, for a network of layer ``sizes``."""
    out = []
    pos = 0
    for n_in, n_out in itertools.pairwise(sizes):
        out.append(LayerSpan(pos, pos + n_out * n_in, pos + n_out * n_in + n_out, n_out, n_in))
        pos += n_out * n_in + n_out
    return tuple(out)


def split(flat: np.ndarray, sizes: tuple[int, ...]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Views of a flat vector (P,) as weights (n_{l+1}, n_l) and biases (n_{l+1},)."""
    weights = []
    biases = []
    for w0, b0, b1, n_out, n_in in offsets(sizes):
        weights.append(flat[w0:b0].reshape(n_out, n_in))
        biases.append(flat[b0:b1])
    return weights, biases


@functools.lru_cache(maxsize=64)
def weight_mask(sizes: tuple[int, ...]) -> np.ndarray:
    """A read-only vector (P,): 1.0 on every weight θ, 0.0 on every bias β (for the weight penalties)."""
    spans = offsets(sizes)
    mask = np.zeros(spans[-1].b_end if spans else 0)
    for w0, b0, _, _, _ in spans:
        mask[w0:b0] = 1.0
    mask.setflags(write=False)
    return mask
