"""The plane as a picture: a map's colours, and the decision map with the points as a PNG (no Qt).

Colours follow TensorFlow Playground: class 1 (and negative values) orange,
class 2 (and positive values) blue, zero a pale grey, on one diverging scale
from −limit to +limit.  ``map_rgb`` turns any map (H, W) into an RGB image
(H, W, 3); the app draws the same colours.  ``decision_png`` renders a
snapshot's output map behind its training points (filled) and test points
(ringed) with pillow.
"""

from __future__ import annotations

import io
import os

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.features import PLANE_EXTENT
from neuroviz.core.network import Network
from neuroviz.core.plane_data import point_values
from neuroviz.core.plane_maps import decision_map
from neuroviz.io.atomic import atomic_write_bytes

NEGATIVE = (245, 147, 34)
"""Class 1 and negative values: orange."""
POSITIVE = (8, 119, 189)
"""Class 2 and positive values: blue."""
ZERO = (232, 234, 235)
OUTLINE = (40, 40, 40)
BACKGROUND_STRENGTH = 0.6
"""A map behind points is drawn at this share of the full colour, so that the points stand out."""
LUT_SIZE = 256
MAX_MAP_POINTS = 1 << 20
"""The decision map is computed on at most this many grid points (then scaled up)."""


def _lut() -> np.ndarray:
    t = np.linspace(-1.0, 1.0, LUT_SIZE)[:, None]
    neg, zero, pos = (np.asarray(c, dtype=np.float64) for c in (NEGATIVE, ZERO, POSITIVE))
    out = np.where(t < 0, zero + (neg - zero) * -t, zero + (pos - zero) * t)
    lut: np.ndarray = np.round(out).astype(np.uint8)
    lut.setflags(write=False)
    return lut


LUT = _lut()
"""Shape (256, 3) uint8: entry 0 is −limit (orange), 255 is +limit (blue)."""


def map_indices(values: np.ndarray, limit: float = 1.0, strength: float = 1.0) -> np.ndarray:
    """Each of ``values`` as its entry in ``LUT`` on the scale ±``limit``: same shape, uint8 (NaN: the middle).

    ``strength`` < 1 pales the scale (±limit reaches that share of the full colour).
    """
    scale = strength * (LUT_SIZE - 1) / (2.0 * limit if limit > 0 else 2.0)
    idx = np.multiply(np.asarray(values, dtype=np.float64), scale)
    idx += (LUT_SIZE - 1) / 2
    np.clip(idx, 0, LUT_SIZE - 1, out=idx)
    if np.isnan(idx.sum()):  # one pass to find out; NaN is rare
        idx[np.isnan(idx)] = (LUT_SIZE - 1) / 2
    out: np.ndarray = idx.astype(np.uint8)
    return out


def map_rgb(values: np.ndarray, limit: float = 1.0, strength: float = 1.0) -> np.ndarray:
    """The colours of ``values`` (H, W) on the scale ±``limit``: shape (H, W, 3) uint8 (NaN draws as zero).

    ``strength`` < 1 pales the scale (±limit reaches that share of the full colour).
    """
    out: np.ndarray = LUT[map_indices(values, limit, strength)]
    return out


def point_colours(dataset: Dataset, limit: float = 1.0) -> np.ndarray:
    """Each point's colour (N, 3) uint8: its class's end of the scale, or its value's colour (regression)."""
    values = point_values(dataset).astype(np.float64)
    if not dataset.is_regression:
        values = np.where(values > 0, limit, -limit)
    return map_rgb(values[None, :], limit)[0]


def decision_png_bytes(network: Network, dataset: Dataset, size: tuple[int, int]) -> bytes:
    """The decision map at ``size`` (W, H) pixels with the points on it, as PNG bytes.

    The map spans the plane [−6, 6]² over the whole picture; it is computed
    at the picture's size (or at most ``MAX_MAP_POINTS`` grid points,
    scaled up).  Classification shows p₂ − p₁ in [−1, 1]; regression the
    output on ±the largest |target|.
    """
    from PIL import Image, ImageDraw

    if dataset.plane is None:
        raise ValueError("the snapshot's data set holds no points of the plane")
    width, height = size
    shrink = max(1.0, float(np.sqrt(width * height / MAX_MAP_POINTS)))
    gw, gh = max(1, int(width / shrink)), max(1, int(height / shrink))
    values = decision_map(network, dataset.plane.features, gh, gw)
    limit = 1.0
    if dataset.targets is not None:
        limit = max(float(np.abs(dataset.targets).max()), 1e-9)
    image = Image.fromarray(map_rgb(values, limit, BACKGROUND_STRENGTH), "RGB")
    if (gw, gh) != (width, height):
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    radius = max(2.5, min(width, height) / 120)
    pts = dataset.plane.points
    cols = (pts[:, 0] + PLANE_EXTENT) / (2 * PLANE_EXTENT) * width
    rows = (PLANE_EXTENT - pts[:, 1]) / (2 * PLANE_EXTENT) * height
    colours = point_colours(dataset, limit)
    ring = max(1, int(radius / 2))
    for c, r, colour, test in zip(cols, rows, colours, dataset.is_test):
        box = (c - radius, r - radius, c + radius, r + radius)
        rgb = (int(colour[0]), int(colour[1]), int(colour[2]))
        if test:  # a test point: a ring in its colour around a white centre
            draw.ellipse(box, fill=OUTLINE, outline=OUTLINE)
            inner = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)
            draw.ellipse(inner, fill=(255, 255, 255), outline=rgb, width=ring)
        else:
            draw.ellipse(box, fill=rgb, outline=OUTLINE, width=1)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def export_decision_png(path: str | os.PathLike[str], network: Network, dataset: Dataset,
                        size: tuple[int, int]) -> None:
    """Write ``decision_png_bytes`` to ``path`` atomically."""
    atomic_write_bytes(path, decision_png_bytes(network, dataset, size))
