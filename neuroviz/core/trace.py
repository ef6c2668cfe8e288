"""Frozen records of one forward pass and of one whole SGD update.

Shapes use ``B`` for the number of samples (1 for a single sample) and
``n_l`` for the size of layer ``l`` (layer 0 is the input layer ``a``).
Every array held here is read-only, so a trace can be shown, stored and
compared long after the network has moved on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neuroviz.core.optimisers import Optimizer, OptimizerState


def frozen(a: np.ndarray) -> np.ndarray:
    """Return ``a`` as a read-only float/int array (a copy if it was writeable)."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


def frozen_list(arrays: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Freeze every array of a list, returning a tuple."""
    return tuple(frozen(a) for a in arrays)


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """Everything one forward pass computes.

    Attributes
    ----------
    raw:
        ``raw[l]`` has shape (B, n_l): the paper's ``b^raw``, ``c^raw`` ...
        ``raw[0]`` is the input itself (the input layer has no activation).
    act:
        ``act[l]`` has shape (B, n_l): the activated values ``a, b, c ...``;
        ``act[0]`` is the input ``a``.
    probs:
        Shape (B, n_L): the softmax probabilities ``p`` (cross-entropy), or the
        outputs ``o`` themselves for the squared-error loss.
    """

    raw: tuple[np.ndarray, ...]
    act: tuple[np.ndarray, ...]
    probs: np.ndarray

    @property
    def inputs(self) -> np.ndarray:
        """Shape (B, n_0): the input layer ``a``."""
        return self.act[0]

    @property
    def batch_size(self) -> int:
        return int(self.probs.shape[0])


@dataclass(frozen=True, eq=False)
class StepTrace:
    """Everything one SGD update computes: forward, loss, backward, update.

    Attributes
    ----------
    forward:
        The forward pass on the batch (shapes (B, n_l)).
    targets:
        Shape (B, n_L): the true distribution ``r`` of each sample.
    labels:
        Shape (B,): the class of each sample, or ``None`` when the targets were
        given as vectors.
    losses:
        Shape (B,): the loss of each sample (natural logarithm).
    loss:
        The batch-mean loss ``L``.
    deltas:
        ``deltas[l]`` has shape (B, n_{l+1}): the error terms ``δ`` of layer
        l+1 for each sample (``deltas[-1]`` is the output layer's ``δ``).
    grad_weights, grad_biases:
        ``grad_weights[l]`` shape (n_{l+1}, n_l) is ``∂L/∂θ`` averaged over the
        batch; ``grad_biases[l]`` shape (n_{l+1},) is ``∂L/∂β``.
    weights_before, biases_before, weights_after, biases_after:
        The parameters before and after ``θ := θ − η ∂L/∂θ``.
    lr:
        The learning rate ``η`` the update used (η_t of a schedule).
    penalty:
        The weight penalty λ₁ Σ|θ| + λ₂/2 Σθ² at the parameters before (0
        without one); ``loss`` is the data loss alone.
    penalty_weights:
        Per layer (n_{l+1}, n_l): the penalty's gradient λ₁ sign(θ) + λ₂ θ,
        which the update added to ``grad_weights``; empty without a penalty.
    optimizer:
        The optimiser the update used, with its state before (``None``: the
        paper's SGD outside a trainer).
    optimizer_after:
        Its state after the update (``None`` without an optimiser).
    """

    forward: ForwardTrace
    targets: np.ndarray
    labels: np.ndarray | None
    losses: np.ndarray
    loss: float
    deltas: tuple[np.ndarray, ...]
    grad_weights: tuple[np.ndarray, ...]
    grad_biases: tuple[np.ndarray, ...]
    weights_before: tuple[np.ndarray, ...]
    biases_before: tuple[np.ndarray, ...]
    weights_after: tuple[np.ndarray, ...]
    biases_after: tuple[np.ndarray, ...]
    lr: float
    penalty: float = 0.0
    penalty_weights: tuple[np.ndarray, ...] = ()
    optimizer: Optimizer | None = None
    optimizer_after: OptimizerState | None = None

    @property
    def inputs(self) -> np.ndarray:
        """Shape (B, n_0)."""
        return self.forward.inputs

    @property
    def probs(self) -> np.ndarray:
        """Shape (B, n_L)."""
        return self.forward.probs

    @property
    def batch_size(self) -> int:
        return self.forward.batch_size

    def _repr_html_(self) -> str:
        """The update table, for a notebook's rich display (``rich_display.trace_html``)."""
        from neuroviz.core.rich_display import trace_html

        return trace_html(self)

    def weight_updates(self) -> tuple[np.ndarray, ...]:
        """``Δθ = θ_after − θ_before`` per layer, shapes (n_{l+1}, n_l)."""
        return tuple(a - b for a, b in zip(self.weights_after, self.weights_before))
