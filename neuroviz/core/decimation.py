"""Min/max decimation of a growing series, for drawing a million points fast.

The series is cut into blocks of ``block`` consecutive values; each block is
drawn as a vertical stroke from its maximum to its minimum, so no spike is
lost, however many values share one pixel column.  Blocks are extended as
values arrive, and when there are more than ``max_blocks`` the block size
doubles by merging neighbours, so the work per update is proportional to the
new values plus ``max_blocks``, never to the whole series.
"""

from __future__ import annotations

import numpy as np

DEFAULT_MAX_BLOCKS = 2048


class MinMaxDecimator:
    """The min/max envelope of a series that only grows (call ``reset`` if it is rewritten).

    Parameters
    ----------
    max_blocks:
        At most this many full blocks are kept (the envelope has about twice
        as many points).
    """

    def __init__(self, max_blocks: int = DEFAULT_MAX_BLOCKS) -> None:
        if max_blocks < 2:
            raise ValueError("need at least 2 blocks")
        self.max_blocks = int(max_blocks)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen."""
        self.block = 1
        self._mins = np.empty(0)
        self._maxs = np.empty(0)
        self._covered = 0  # values summarised in full blocks

    @property
    def covered(self) -> int:
        """How many leading values are summarised in full blocks."""
        return self._covered

    def update(self, values: np.ndarray) -> None:
        """Take in the whole series ``values`` (n,), of which an earlier prefix was seen before."""
        self._add_full_blocks(values)
        while self._mins.size > self.max_blocks:
            even = self._mins.size // 2 * 2  # an odd last block goes back to the tail
            self._mins = self._mins[:even].reshape(-1, 2).min(axis=1)
            self._maxs = self._maxs[:even].reshape(-1, 2).max(axis=1)
            self.block *= 2
            self._covered = self._mins.size * self.block
            self._add_full_blocks(values)

    def _add_full_blocks(self, values: np.ndarray) -> None:
        full = (values.shape[0] // self.block) * self.block
        if full > self._covered:
            blocks = values[self._covered : full].reshape(-1, self.block)
            self._mins = np.concatenate([self._mins, blocks.min(axis=1)])
            self._maxs = np.concatenate([self._maxs, blocks.max(axis=1)])
            self._covered = full

    def envelope(self, x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points to draw for ``values`` (n,) at positions ``x`` (n,), after ``update(values)``.

        With blocks of one value this is the series itself; otherwise each
        block gives two points at its middle position, its maximum then its
        minimum, and the values not yet in a full block are added as they are.
        """
        if self.block == 1:
            return x, values
        k = self._mins.size
        middle = x[self.block // 2 : k * self.block : self.block].astype(np.float64)
        ex = np.repeat(middle, 2)
        ey = np.empty(2 * k)
        ey[0::2] = self._maxs
        ey[1::2] = self._mins
        tail = slice(self._covered, values.shape[0])
        return np.concatenate([ex, x[tail]]), np.concatenate([ey, values[tail]])
