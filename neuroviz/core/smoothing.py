"""Exponential smoothing of a loss curve, extendable as new values arrive.

The smoothed value after ``t`` values is the debiased exponential moving
average (as TensorBoard draws it)::

    s_t = a · s_{t−1} + (1 − a) · x_t,   s_0 = 0,   shown: s_t / (1 − a^t)

with smoothing factor ``a`` in [0, 1): 0 shows the raw values, 0.99 averages
over roughly the last 100.  It is computed in vectorised blocks, so a million
values take a few tens of milliseconds and a burst of new values costs only
their own length.
"""

from __future__ import annotations

import math

import numpy as np

# Within a block the weights a^{-k} grow to at most this factor (keeps ~1e-10 accuracy).
_MAX_BLOCK_GROWTH = 1e6
_MAX_BLOCK = 1024


class ExponentialSmoother:
    """Debiased exponential moving average of a growing series.

    Parameters
    ----------
    factor:
        The smoothing factor ``a`` in [0, 1).
    """

    def __init__(self, factor: float = 0.95) -> None:
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"the smoothing factor must lie in [0, 1); got {factor!r}")
        self.factor = float(factor)
        self.reset()

    def reset(self) -> None:
        """Forget all values seen."""
        self._state = 0.0  # s_t, not debiased
        self._count = 0

    @property
    def count(self) -> int:
        """How many values have been smoothed so far."""
        return self._count

    def extend(self, values: np.ndarray) -> np.ndarray:
        """Smooth the next values ``x`` of shape (m,); returns the debiased s, shape (m,)."""
        x = np.asarray(values, dtype=np.float64).reshape(-1)
        a = self.factor
        if x.size == 0:
            return x.copy()
        if a == 0.0:
            self._state = float(x[-1])
            self._count += x.size
            return x.copy()
        block = int(min(_MAX_BLOCK, max(1, math.log(_MAX_BLOCK_GROWTH) / -math.log(a))))
        out = np.empty_like(x)
        powers = a ** np.arange(block + 1, dtype=np.float64)  # a^0 .. a^block
        inverse = 1.0 / powers[:block]  # a^{-k}, k = 0 .. block−1
        state = self._state
        for start in range(0, x.size, block):
            chunk = x[start : start + block]
            m = chunk.size
            # s_j = a^j · (a·s_prev + (1−a) Σ_{k≤j} a^{−k} x_k)
            acc = np.cumsum(chunk * inverse[:m]) * (1.0 - a) + a * state
            out[start : start + m] = acc * powers[:m]
            state = float(out[start + m - 1])
        self._state = state
        t = self._count + np.arange(1, x.size + 1, dtype=np.float64)
        self._count += x.size
        return out / -np.expm1(t * math.log(a))


def smooth(values: np.ndarray, factor: float) -> np.ndarray:
    """The debiased exponential moving average of ``values`` (n,), shape (n,)."""
    return ExponentialSmoother(factor).extend(values)
