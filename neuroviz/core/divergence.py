"""Divergence: an update whose numbers would not be finite, refused before anything changes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class DivergenceError(ArithmeticError):
    """An update would have made the loss or a parameter non-finite, or a parameter beyond ``PARAM_LIMIT``.

    The network is left exactly as it was before the update.
    """


def check_values_finite(raws: Sequence[np.ndarray], acts: Sequence[np.ndarray], deltas: Sequence[np.ndarray]) -> None:
    """Raise ``DivergenceError`` if a layer's raw or activated values (B, n_l) or its δ would be non-finite.

    ``raws`` and ``acts`` start with the input layer; ``deltas[l - 1]`` is layer l's.  Finite but huge
    parameters (θ ≈ 1e308 with tanh or sigmoid) can overflow a raw value to ±∞ while the loss and the new
    parameters stay finite; such a trace could not be shown, saved or printed as JSON.  The loss,
    gradients and probabilities follow from these and the (checked) loss and new parameters, so they
    need no check of their own.
    """
    for l, (raw, act) in enumerate(zip(raws[1:], acts[1:]), start=1):
        if not (np.isfinite(raw).all() and np.isfinite(act).all() and np.isfinite(deltas[l - 1]).all()):
            raise DivergenceError(
                f"layer {l + 1}'s values overflowed to infinity (the parameters are too large for float64); "
                "the update was not applied"
            )
