"""The loss curve's exponential smoothing equals the plain recursion."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.smoothing import ExponentialSmoother, smooth


def naive(values: np.ndarray, a: float) -> np.ndarray:
    s, out = 0.0, []
    for t, x in enumerate(values, start=1):
        s = a * s + (1 - a) * x
        out.append(s / (1 - a**t))
    return np.array(out)


@pytest.mark.parametrize("factor", [0.0, 0.3, 0.9, 0.99, 0.999])
def test_equals_the_recursion(factor):
    values = np.random.default_rng(1).normal(1.0, 2.0, 5000)
    np.testing.assert_allclose(smooth(values, factor), naive(values, factor), rtol=1e-9, atol=1e-12)


def test_extending_in_pieces_equals_one_pass():
    values = np.random.default_rng(2).random(3000)
    smoother = ExponentialSmoother(0.97)
    parts = [smoother.extend(values[a:b]) for a, b in [(0, 1), (1, 700), (700, 700), (700, 3000)]]
    np.testing.assert_allclose(np.concatenate(parts), smooth(values, 0.97), rtol=1e-12)
    assert smoother.count == 3000


def test_a_constant_stays_constant_from_the_first_value():
    np.testing.assert_allclose(smooth(np.full(50, 0.7), 0.99), 0.7, rtol=1e-12)


def test_bad_factor_is_rejected():
    with pytest.raises(ValueError, match="smoothing factor"):
        ExponentialSmoother(1.0)
