"""Decoding one image file safely and resizing it by area averaging.

Only the formats named in ``IMAGE_FORMATS`` are decoded (Pillow is told so:
nothing that would run another program, such as PostScript through
Ghostscript, is ever tried), the file is read only if it is a regular file of
at most ``MAX_IMAGE_FILE_BYTES``, and its declared size is checked against
``MAX_SOURCE_PIXELS`` and ``MAX_SOURCE_SIDE`` before any pixel is decoded.
Pure NumPy + Pillow; never imports Qt.
"""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path

import numpy as np

from neuroviz.core.numbers import count
from neuroviz.io.import_errors import DatasetImportError, import_guard
from neuroviz.io.limits import MAX_IMAGE_FILE_BYTES, MAX_SOURCE_PIXELS, MAX_SOURCE_SIDE
from neuroviz.io.regular_file import read_bounded

IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "PPM")
"""Pillow's names of the formats decoded (PPM also reads PGM and PBM)."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm")
FORMATS_TEXT = "PNG or JPEG (or BMP, GIF, PGM/PPM) image"
GATHER_VALUES = 1 << 21
"""Values (16 MB of float64) gathered at once while resizing."""


def area_resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D image to ``shape`` (H, W) by area averaging.

    Each output pixel is the mean of the input area it covers, partial input
    pixels weighted by the covered fraction.  Works for shrinking and
    enlarging, with any ratio.  ``image`` has shape (h, w); returns (H, W).
    Memory is a small multiple of h·w + H·W (the axis that shrinks most is
    resized first).
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 2 or img.size == 0:
        raise ValueError(f"expected a non-empty 2-D image; got shape {img.shape}")
    H, W = shape
    if H / img.shape[0] <= W / img.shape[1]:
        return _resize_rows(_resize_rows(img.T, H).T, W)
    return _resize_rows(_resize_rows(img, W).T, H).T


def _resize_rows(img: np.ndarray, n_out: int) -> np.ndarray:
    """Area-resize every row of ``img`` (h, n_in) to ``n_out`` values: shape (h, n_out).

    Output cell i averages the input over [i, i+1)·n_in/n_out; only the
    ⌈n_in/n_out⌉ + 1 input cells that can touch it are gathered.
    """
    n_in = img.shape[1]
    scale = n_in / n_out
    edges = np.arange(n_out + 1) * scale
    first = np.minimum(np.floor(edges[:-1]).astype(np.int64), n_in - 1)
    cells = first[:, None] + np.arange(min(n_in, math.ceil(scale) + 1))[None, :]  # (n_out, k)
    overlap = np.clip(np.minimum(edges[1:, None], cells + 1) - np.maximum(edges[:-1, None], cells), 0.0, None)
    weights = overlap / scale
    index = np.minimum(cells, n_in - 1)
    out = np.empty((img.shape[0], n_out))
    block = max(1, GATHER_VALUES // index.size)  # rows per gather: at most GATHER_VALUES values at once
    for start in range(0, img.shape[0], block):
        gathered = img[start:start + block, index]  # (rows, n_out, k), a copy
        gathered *= weights
        gathered.sum(axis=2, out=out[start:start + block])
    return out


def image_to_gray(source: str | Path | bytes) -> np.ndarray:
    """Decode an image (a file, or its bytes) to shape (h, w) in [0, 1].

    White = 1, black = 0; colours become their luma, transparent pixels black.
    Raises only ``DatasetImportError``, naming the file and the problem.
    """
    name = "the image" if isinstance(source, bytes) else Path(source).name
    if isinstance(source, bytes):
        if len(source) > MAX_IMAGE_FILE_BYTES:
            raise DatasetImportError(
                f"{name} is {count(len(source))} bytes; the limit is {count(MAX_IMAGE_FILE_BYTES)}")
        data = source
    else:
        data = read_bounded(source, MAX_IMAGE_FILE_BYTES, DatasetImportError)
    from PIL import Image

    with import_guard(name, FORMATS_TEXT), warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
        try:
            im = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        except Image.DecompressionBombError:
            raise DatasetImportError(
                f"{name}: the image is too large (over {count(MAX_SOURCE_PIXELS)} pixels)") from None
        with im:
            w, h = im.size
            if w < 1 or h < 1 or w > MAX_SOURCE_SIDE or h > MAX_SOURCE_SIDE or w * h > MAX_SOURCE_PIXELS:
                raise DatasetImportError(
                    f"{name}: the image is {count(w)}×{count(h)} pixels; the limit is {count(MAX_SOURCE_PIXELS)} "
                    f"pixels and {count(MAX_SOURCE_SIDE)} on a side")
            im.load()
            return _pil_to_gray(im)


def _pil_to_gray(im: object) -> np.ndarray:
    """Grayscale in [0, 1] from a Pillow image of any mode (alpha over black), shape (h, w)."""
    mode: str = im.mode  # type: ignore[attr-defined]
    if mode.startswith("I"):  # 16- or 32-bit integer grayscale
        arr = np.asarray(im, dtype=np.float64)
        full = 65535.0 if mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        return np.clip(arr / full, 0.0, 1.0)
    if mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        if not np.isfinite(arr).all():
            raise ValueError("the image holds NaN or infinite pixel values")
        return np.clip(arr, 0.0, 1.0)
    if not ("A" in im.getbands() or im.has_transparency_data):  # type: ignore[attr-defined]
        return np.asarray(im.convert("L")) / 255.0  # type: ignore[attr-defined]  # = luma · (255/255)
    la = np.asarray(im.convert("LA"))  # type: ignore[attr-defined]
    gray = la[..., 0] / 255.0
    gray *= la[..., 1] / 255.0
    return gray


def load_image(source: str | Path | bytes, shape: tuple[int, int]) -> np.ndarray:
    """One image (a file or its bytes) as shape (H·W,) in [0, 1], area-resized to ``shape``."""
    pixels: np.ndarray = np.clip(area_resize(image_to_gray(source), shape), 0.0, 1.0)
    return pixels.reshape(-1)
