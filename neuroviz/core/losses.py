"""The output side of a network: softmax, the loss of each sample and ``∂L/∂out``.

Shapes use ``B`` for the samples and ``K`` for the output layer's size.
Both losses take class labels (B,) or target vectors ``r`` (B, K).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Target vectors ``r`` (B, K) with a 1 at each label (B,)."""
    r = np.zeros((labels.shape[0], n_classes))
    r[np.arange(labels.shape[0]), labels] = 1.0
    return r


@functools.lru_cache(maxsize=128)
def ones(n: int) -> np.ndarray:
    """A read-only vector of ``n`` ones: ``ones @ a`` sums the rows of ``a`` in one BLAS call."""
    v = np.ones(n)
    v.setflags(write=False)
    return v


@functools.lru_cache(maxsize=128)
def _row_offsets(batch: int, n_classes: int) -> np.ndarray:
    """``(0, K, 2K, ...)`` of length B: row starts in a flattened (B, K) array."""
    v = np.arange(batch) * n_classes
    v.setflags(write=False)
    return v


class SoftmaxParts(NamedTuple):
    """The pieces of a stable softmax over the rows of ``z`` (B, K)."""

    shifted: np.ndarray
    """``s = z − max_j z_j`` (B, K)."""
    probs: np.ndarray
    """``p = e^s / Σ_j e^{s_j}`` (B, K)."""
    log_total: np.ndarray
    """``ln Σ_j e^{s_j}`` (B, 1)."""


def _softmax_parts(z: np.ndarray) -> SoftmaxParts:
    """``SoftmaxParts`` of ``z`` (B, K)."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.dot(ones(z.shape[1]))[:, None]
    return SoftmaxParts(shifted, e / total, np.log(total))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise stable softmax of shape (B, K): ``p_k = e^{z_k} / Σ_j e^{z_j}``."""
    return _softmax_parts(z).probs


class OutputTerms(NamedTuple):
    """What the output layer gives the loss and the backward pass (see ``output_terms``)."""

    probs: np.ndarray
    """``p`` (B, K): the softmax probabilities, or the outputs themselves for squared error."""
    losses: np.ndarray
    """The loss of each sample (B,)."""
    d_out: np.ndarray
    """``∂L/∂out`` (B, K), per sample."""


def output_terms(loss: str, out: np.ndarray, r: np.ndarray | None, labels: np.ndarray | None) -> OutputTerms:
    """Probabilities ``p`` (B, K), per-sample losses (B,) and ``∂L/∂out`` (B, K).

    ``out`` is the output layer's activated values; targets are class
    ``labels`` (B,) or vectors ``r`` (B, K) (one of them, labels preferred).
    Cross-entropy: ``p = softmax(out)``, ``L = −Σ_j r_j ln p_j`` computed as
    ``ln Σ_j e^{s_j} − Σ_j r_j s_j`` with ``s = out − max(out)`` (finite for
    logits of any size), ``∂L/∂out = p Σ_j r_j − r``.  Squared error:
    ``p = out``, ``L = ½ Σ_j (out_j − r_j)²``, ``∂L/∂out = out − r``.  With
    labels, "minus 1 at the label" gives the same bits as subtracting a
    one-hot ``r``, without building it.
    """
    batch, n_classes = out.shape
    flat = None if labels is None else _row_offsets(batch, n_classes) + labels
    if loss == "cross_entropy":
        shifted, probs, log_total = _softmax_parts(out)
        if flat is not None:
            losses = log_total[:, 0] - shifted.ravel()[flat]
            d_out = probs.copy()
            d_out.ravel()[flat] -= 1.0
        else:
            assert r is not None
            losses = np.sum(r * (log_total - shifted), axis=1)
            d_out = probs * r.sum(axis=1, keepdims=True) - r
        return OutputTerms(probs, losses, d_out)
    if flat is not None:
        d_out = out.copy()
        d_out.ravel()[flat] -= 1.0
    else:
        assert r is not None
        d_out = out - r
    return OutputTerms(out, 0.5 * np.sum(d_out * d_out, axis=1), d_out)
