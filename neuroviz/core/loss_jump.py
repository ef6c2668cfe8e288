"""Updates that wreck a network: the loss multiplied many times over, or every probability at 0 or 1.

``jumped(before, after, factor)`` is the one rule of a loss jump: the loss
after is not finite, or more than ``factor`` times the loss before (a loss
below ``LOSS_FLOOR`` counts as ``LOSS_FLOOR``, so the noise of a trained
network's near-zero loss is no jump).  ``trial_update`` takes one update with
a chosen η on a batch without applying it and says what it would do to that
batch: its loss before and after, and whether the probabilities p saturate
(every p within ``SATURATION`` of 0 or 1 after, not before).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neuroviz.core.divergence import DivergenceError
from neuroviz.core.network import Network
from neuroviz.core.numbers import fmt
from neuroviz.core.optimisers import Optimizer

JUMP_FACTOR = 10.0
"""The default factor: an update that multiplies the loss by more than this is a jump."""
LOSS_FLOOR = 1e-3
"""Losses below this count as this much when a jump is measured."""
SATURATION = 1e-6
"""p within this of 0 or 1 is saturated: softmax gives no gradient to learn from there."""


def jumped(before: float, after: float, factor: float) -> bool:
    """True if ``after`` is not finite or more than ``factor`` × max(``before``, ``LOSS_FLOOR``)."""
    return not math.isfinite(after) or after > factor * max(before, LOSS_FLOOR)


def saturated(probs: np.ndarray) -> bool:
    """True if every p of ``probs`` (B, K) lies within ``SATURATION`` of 0 or 1."""
    return bool(probs.size) and bool(np.all(np.minimum(probs, 1.0 - probs) < SATURATION))


@dataclass(frozen=True)
class TrialUpdate:
    """What one update with η = ``lr`` would do to its own batch (nothing is applied).

    ``loss_before`` and ``loss_after`` are the batch-mean data loss L with the
    parameters before and after it (``inf`` if it would not be finite);
    ``saturated``: every p of the batch would be within ``SATURATION`` of 0 or 1
    (for a softmax output; they were not all so before); ``diverged``: the
    core refuses the update (``DivergenceError``), so it cannot harm.
    """

    lr: float
    loss_before: float
    loss_after: float
    saturated: bool
    diverged: bool = False

    def wrecks(self, factor: float = JUMP_FACTOR) -> bool:
        """The update would saturate p or multiply the loss by more than ``factor`` (a refused one: no)."""
        return not self.diverged and (self.saturated or jumped(self.loss_before, self.loss_after, factor))

    def reason(self) -> str:
        """What it would do, in words (for the warning)."""
        if self.saturated:
            return "every probability p of the batch would be 0 or 1 (to within 10⁻⁶): softmax would stop learning"
        if not math.isfinite(self.loss_after):
            return "the loss would not be a finite number"
        ratio = self.loss_after / max(self.loss_before, LOSS_FLOOR)
        return f"the loss of the batch would grow about {fmt(ratio, 2)} times"


def trial_update(network: Network, x: np.ndarray, targets: np.ndarray, lr: float,
                 optimizer: Optimizer | None = None) -> TrialUpdate:
    """One update of ``network`` with η = ``lr`` on ``x`` (B, n_0) and ``targets`` (labels (B,) or r (B, n_L)),
    computed on a copy and measured on the same batch; ``network`` is not changed."""
    try:
        trace = network.compute_step(x, targets, lr, optimizer)
    except DivergenceError:
        return TrialUpdate(float(lr), math.nan, math.inf, False, diverged=True)
    after = Network(network.config, list(trace.weights_after), list(trace.biases_after))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, probs = after.loss_and_probs(x, targets)
    softmax = network.config.loss == "cross_entropy"
    newly = softmax and saturated(probs) and not saturated(np.asarray(trace.forward.probs))
    return TrialUpdate(float(lr), trace.loss, loss if math.isfinite(loss) else math.inf, newly)
