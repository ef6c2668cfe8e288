"""Min/max decimation keeps every block's extremes and stays small."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.decimation import MinMaxDecimator


def brute_force(values: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    k = values.size // block
    blocks = values[: k * block].reshape(k, block)
    return blocks.max(axis=1), blocks.min(axis=1)


@pytest.mark.parametrize("pieces", [[100_000], [1, 999, 5000, 94_000], [7] * 3000])
def test_envelope_equals_brute_force_however_the_series_arrives(pieces):
    values = np.random.default_rng(0).normal(size=sum(pieces))
    x = np.arange(1, values.size + 1)
    decimator = MinMaxDecimator(max_blocks=512)
    n = 0
    for piece in pieces:
        n += piece
        decimator.update(values[:n])
    ex, ey = decimator.envelope(x, values)
    b, covered = decimator.block, decimator.covered
    k = covered // b
    assert b > 1 and k <= 512
    assert ex.size == 2 * k + (values.size - covered)  # the tail is drawn as it is
    top, bottom = brute_force(values[:covered], b)
    np.testing.assert_array_equal(ey[0 : 2 * k : 2], top)
    np.testing.assert_array_equal(ey[1 : 2 * k : 2], bottom)
    # Nothing is lost: the extremes of the whole series are drawn, and x increases.
    assert ey.max() == values.max() and ey.min() == values.min()
    assert np.all(np.diff(ex) >= 0)
    assert ex.size <= 2 * 512 + 2 * b


def test_short_series_are_drawn_as_they_are():
    values = np.arange(10.0)
    decimator = MinMaxDecimator(max_blocks=16)
    decimator.update(values)
    ex, ey = decimator.envelope(np.arange(10), values)
    np.testing.assert_array_equal(ey, values)
    np.testing.assert_array_equal(ex, np.arange(10))


def test_reset_forgets():
    decimator = MinMaxDecimator(max_blocks=4)
    decimator.update(np.arange(100.0))
    assert decimator.block > 1
    decimator.reset()
    decimator.update(np.array([3.0]))
    assert decimator.envelope(np.array([1]), np.array([3.0]))[1].tolist() == [3.0]
