"""Colour scales of the diagram as NumPy lookup tables (no Qt).

Edges and neurons use *diverging* scales whose centre is the background
colour of the theme, so that a value near zero fades into the page and the
strongest values stand out; the sign picks the hue.  Scales are quantised
into a few ``LEVELS`` per sign so that the diagram can draw all edges of one
bucket with one opaque pen.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

RGB = tuple[int, int, int]

LEVELS = 12
"""Magnitude levels per sign: 2·LEVELS buckets (negative first, then positive)."""
QUANTILE_SAMPLE = 4096
"""``robust_max`` estimates its quantile from at most about this many values."""
MIN_STRENGTH = 0.16
"""Colour strength of the weakest level, so that weak edges stay visible."""


def hex_rgb(text: str) -> RGB:
    """``"#rrggbb"`` → (r, g, b)."""
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def blend(a: RGB, b: RGB, t: float | np.ndarray) -> np.ndarray:
    """Linear mix ``(1 − t)·a + t·b``; ``t`` scalar or shape (N,) → shape (3,) or (N, 3) floats."""
    t_arr = np.asarray(t, dtype=np.float64)[..., None]
    return (1.0 - t_arr) * np.asarray(a, dtype=np.float64) + t_arr * np.asarray(b, dtype=np.float64)


def diverging_lut(negative: RGB, center: RGB, positive: RGB, n: int = 257) -> np.ndarray:
    """Shape (n, 3) uint8: entry 0 is ``negative``, the middle ``center``, the last ``positive``."""
    t = np.linspace(-1.0, 1.0, n)
    neg = blend(center, negative, np.clip(-t, 0, 1))
    pos = blend(center, positive, np.clip(t, 0, 1))
    out = np.where((t < 0)[:, None], neg, pos)
    return np.round(out).astype(np.uint8)


def sequential_lut(low: RGB, high: RGB, n: int = 256) -> np.ndarray:
    """Shape (n, 3) uint8 from ``low`` to ``high``."""
    return np.round(blend(low, high, np.linspace(0.0, 1.0, n))).astype(np.uint8)


def robust_max(arrays: Iterable[np.ndarray | None], quantile: float = 0.995) -> float:
    """A symmetric scale limit: the ``quantile`` of |values| over all arrays (1.0 if all zero/none).

    A high quantile rather than the maximum keeps one outlier from washing
    out every other colour; values beyond it are drawn at full strength.
    """
    parts = [np.abs(np.ravel(a)) for a in arrays if a is not None and np.size(a)]
    if not parts:
        return 1.0
    flat = np.concatenate(parts) if len(parts) > 1 else parts[0]
    if flat.size > QUANTILE_SAMPLE:
        # An evenly strided sample estimates the quantile well and keeps this cheap per frame.
        flat = flat[:: flat.size // QUANTILE_SAMPLE]
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return 1.0
    vmax = _quantile(flat, quantile) if flat.size > 200 else float(flat.max())
    return vmax if vmax > 0 else 1.0


def _quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation) by partial sorting: several times faster."""
    h = (values.size - 1) * q
    lo = int(np.floor(h))
    hi = min(lo + 1, values.size - 1)
    part = np.partition(values, (lo, hi))
    return float(part[lo] + (h - lo) * (part[hi] - part[lo]))


def buckets(values: np.ndarray, vmax: float, levels: int = LEVELS) -> np.ndarray:
    """Bucket of each value, shape like ``values``, int in 0 .. 2·levels−1.

    ``0 .. levels−1`` are negative values by increasing |v| (zero counts as
    the weakest negative), ``levels .. 2·levels−1`` positive ones.  Level k
    holds |v|/vmax in [k/levels, (k+1)/levels), the last level also all
    larger values.
    """
    mag = np.abs(values) / (vmax if vmax > 0 else 1.0)
    # fmin passes NaN over, so NaN and ±inf land on the last level too.
    level = np.fmin(mag * levels, levels - 1).astype(np.int64)
    return np.where(values > 0, levels + level, level)


def bucket_strength(levels: int = LEVELS) -> np.ndarray:
    """Shape (levels,): colour strength in (0, 1] of each magnitude level."""
    centre = (np.arange(levels) + 0.5) / levels
    return MIN_STRENGTH + (1.0 - MIN_STRENGTH) * centre


def bucket_colors(negative: RGB, center: RGB, positive: RGB, levels: int = LEVELS) -> np.ndarray:
    """Shape (2·levels, 3) uint8: the opaque colour of each bucket of ``buckets``."""
    s = bucket_strength(levels)
    neg = blend(center, negative, s)
    pos = blend(center, positive, s)
    return np.round(np.concatenate([neg, pos])).astype(np.uint8)


def bucket_widths(thin: float, thick: float, levels: int = LEVELS) -> np.ndarray:
    """Shape (2·levels,): pen width (device-independent pixels) of each bucket, by |value|."""
    w = thin + (thick - thin) * (np.arange(levels) + 0.5) / levels
    return np.concatenate([w, w])


def map_diverging(values: np.ndarray, vmax: float, lut: np.ndarray) -> np.ndarray:
    """Colours of ``values`` on the diverging ``lut`` over [−vmax, vmax]: shape values.shape + (3,) uint8."""
    n = lut.shape[0]
    # np.minimum/np.maximum: np.clip's result (NaN stays NaN) without its overhead on small arrays.
    t = np.minimum(np.maximum(values / (vmax if vmax > 0 else 1.0), -1.0), 1.0)
    idx = np.rint((t + 1.0) * (0.5 * (n - 1)))
    return lut[np.where(np.isnan(idx), (n - 1) // 2, idx).astype(np.int64)]


def map_sequential(values: np.ndarray, lo: float, hi: float, lut: np.ndarray) -> np.ndarray:
    """Colours of ``values`` on the sequential ``lut`` over [lo, hi]: shape values.shape + (3,) uint8."""
    n = lut.shape[0]
    span = hi - lo if hi > lo else 1.0
    idx = np.rint(np.minimum(np.maximum((values - lo) / span, 0.0), 1.0) * (n - 1))
    return lut[np.where(np.isnan(idx), 0, idx).astype(np.int64)]


def rgb_to_argb32(rgb: np.ndarray) -> np.ndarray:
    """Shape (..., 3) uint8 → shape (...) uint32 opaque 0xAARRGGBB (QImage.Format_RGB32)."""
    c = rgb.astype(np.uint32)
    return (0xFF000000 | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]).astype(np.uint32)
