"""Importing labelled images from files: an image folder, a CSV or an ``.npz``.

Pure NumPy (+ Pillow to decode PNG/JPEG); never imports Qt.  Every reader
returns an ``ImportedData`` or raises ``DatasetImportError`` with a message a
user can act on; nothing is half-imported.

Formats
-------
folder
    One subfolder per class (sorted names become the class names), holding
    PNG or JPEG images of any size.  Each image is converted to grayscale
    (white = 1, black = 0; transparent pixels count as black) and resized to
    the wanted (H, W) by area averaging.
CSV
    One sample per row: H·W pixel values (row by row), then an integer label.
    A first row whose label cell (or every cell) is not a number is read as
    column names and skipped, with a note.
npz
    Arrays ``X`` (shape (N, H·W) or (N, H, W)) and ``y`` (shape (N,)).  The
    member headers and sizes are checked before any data is read, and object
    arrays (which would need pickle) are refused.

Values outside [0, 1] are rescaled linearly to [0, 1] and a note says so.
"""

from __future__ import annotations

import ast
import csv
import io
import math
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neuroviz.core.datasets import Dataset

DEFAULT_MAX_ROWS = 100_000
Progress = Callable[[int, int], bool]
"""``progress(done, total)``: told how far an import is; returns False to stop it."""
"""At most this many samples are imported (a stated limit, not a silent cut)."""
MAX_ARRAY_BYTES = 512 * 1024 * 1024
"""An ``.npz`` member may hold at most this many bytes of data."""
MAX_IMAGE_PIXELS = 40_000_000
"""Images larger than this (width × height) are refused as likely decompression bombs."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
DEFAULT_SHAPE = (8, 8)


class DatasetImportError(ValueError):
    """A file could not be imported; the message says why, naming row or file."""


@dataclass(frozen=True)
class ImportedData:
    """Samples read from a file, checked and scaled to [0, 1].

    Attributes
    ----------
    X:
        Shape (N, H·W), float64 in [0, 1], images flattened row by row.
    y:
        Shape (N,), int64 labels 0 .. K−1.
    image_shape:
        (H, W).
    class_names:
        K names (subfolder names, or the label numbers as text).
    source:
        The file or folder name, used as the dataset name.
    notes:
        Things the user should know (rescaling, skipped files).
    """

    X: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def to_dataset(self, class_names: Sequence[str] | None = None, test_fraction: float = 0.25,
                   seed: int = 0) -> Dataset:
        """A ``Dataset`` with a stratified train/test split.

        ``class_names`` (at least ``n_classes`` of them) replaces the names,
        e.g. to keep a network's own names for its K outputs.
        """
        names = tuple(class_names) if class_names is not None else self.class_names
        if len(names) < self.n_classes:
            raise DatasetImportError(f"{self.n_classes} classes need {self.n_classes} names; got {len(names)}")
        return Dataset(self.source, self.X, self.y, names, self.image_shape).with_split(test_fraction, seed)


# ------------------------------------------------------------------ images
def area_resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D image to ``shape`` (H, W) by area averaging.

    Each output pixel is the mean of the input area it covers, partial input
    pixels weighted by the covered fraction.  Works for shrinking and
    enlarging, with any ratio.  ``image`` has shape (h, w); returns (H, W).
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 2 or img.size == 0:
        raise ValueError(f"expected a non-empty 2-D image; got shape {img.shape}")
    rows = _area_weights(img.shape[0], shape[0])
    cols = _area_weights(img.shape[1], shape[1])
    return rows @ img @ cols.T


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Shape (n_out, n_in): row i averages input cells over [i, i+1)·n_in/n_out."""
    edges = np.arange(n_out + 1) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0.0, None)
    return overlap / (n_in / n_out)


def image_to_gray(source: str | Path | bytes) -> np.ndarray:
    """Decode a PNG or JPEG (a file, or its bytes) to shape (h, w) in [0, 1].

    White = 1, black = 0; colours become their luma, transparent pixels black.
    """
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    name = "the image" if isinstance(source, bytes) else Path(source).name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
                im.load()
                return _pil_to_gray(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DatasetImportError(f"{name}: the image is too large (over {MAX_IMAGE_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise DatasetImportError(f"{name}: not a readable PNG or JPEG image ({exc})") from None


def _pil_to_gray(im: object) -> np.ndarray:
    """Grayscale in [0, 1] from a Pillow image of any mode (alpha over black)."""
    mode: str = im.mode  # type: ignore[attr-defined]
    if mode.startswith("I"):  # 16- or 32-bit integer grayscale
        arr = np.asarray(im, dtype=np.float64)
        full = 65535.0 if mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        return np.clip(arr / full, 0.0, 1.0)
    if mode == "F":
        return np.clip(np.asarray(im, dtype=np.float64), 0.0, 1.0)
    la = np.asarray(im.convert("LA"), dtype=np.float64) / 255.0  # type: ignore[attr-defined]
    return la[..., 0] * la[..., 1]


def load_image(source: str | Path | bytes, shape: tuple[int, int]) -> np.ndarray:
    """One image (a file or its bytes) as shape (H·W,) in [0, 1], area-resized to ``shape``."""
    return np.clip(area_resize(image_to_gray(source), shape), 0.0, 1.0).reshape(-1)


def import_folder(path: str | Path, shape: tuple[int, int] = DEFAULT_SHAPE,
                  max_rows: int = DEFAULT_MAX_ROWS, progress: Progress | None = None) -> ImportedData:
    """Read a folder with one subfolder of PNG/JPEG images per class.

    ``progress(done, total)`` is called before each image is read; when it
    returns False the import stops with a ``DatasetImportError``.
    """
    root = Path(path)
    if not root.is_dir():
        raise DatasetImportError(f"{root.name} is not a folder")
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DatasetImportError(
            f"{root.name} holds {len(classes)} subfolder(s); put each class's images in its own subfolder "
            "(at least 2 classes)")
    todo: list[tuple[Path, int]] = []
    skipped = 0
    for k, folder in enumerate(classes):
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        chosen = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
        skipped += len(files) - len(chosen)
        if not chosen:
            raise DatasetImportError(f"the class folder '{folder.name}' holds no PNG or JPEG images")
        if len(todo) + len(chosen) > max_rows:
            raise DatasetImportError(f"the folder holds more than {max_rows:,} images (the limit)")
        todo.extend((file, k) for file in chosen)
    images: list[np.ndarray] = []
    for done, (file, _) in enumerate(todo):
        if progress is not None and not progress(done, len(todo)):
            raise DatasetImportError(f"import cancelled after {done:,} of {len(todo):,} images")
        images.append(load_image(file, shape))
    labels = [k for _, k in todo]
    notes = [f"{skipped} file(s) that are not PNG or JPEG were skipped"] if skipped else []
    notes.append(f"images were converted to grayscale and resized to {shape[0]}×{shape[1]} by area averaging")
    return ImportedData(np.array(images), np.array(labels, dtype=np.int64), shape,
                        tuple(p.name for p in classes), root.name, tuple(notes))


# ------------------------------------------------------------------ tables
def import_csv(path: str | Path, shape: tuple[int, int] | None = DEFAULT_SHAPE,
               max_rows: int = DEFAULT_MAX_ROWS) -> ImportedData:
    """Read a CSV of rows ``pixel_1, …, pixel_{H·W}, label``.

    ``shape`` is the expected (H, W); a file whose pixel count differs but is
    a perfect square is read as square images of that size (the caller
    decides whether they fit the network).
    """
    file = Path(path)
    name = file.name
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetImportError(f"{name} is not a text file (UTF-8 CSV expected)") from None
    except OSError as exc:
        raise DatasetImportError(f"{name} could not be read: {exc.strerror or exc}") from None
    if not text.strip():
        raise DatasetImportError(f"{name} is empty")
    rows: list[tuple[int, list[str]]] = []
    notes: list[str] = []
    for line, cells in enumerate(csv.reader(text.splitlines()), start=1):
        if not any(c.strip() for c in cells):
            continue
        if line == 1 and (not _is_number(cells[-1]) or not any(_is_number(c) for c in cells)):
            notes.append("row 1 was read as column names")
            continue
        if len(rows) == max_rows:
            raise DatasetImportError(f"{name} has more than {max_rows:,} rows (the import limit)")
        rows.append((line, cells))
    if not rows:
        raise DatasetImportError(f"{name} has a header but no data rows")
    n_cols = len(rows[0][1])
    image_shape = _shape_for(n_cols - 1, shape, f"{name}: row {rows[0][0]} has {n_cols} columns")
    n_pix = image_shape[0] * image_shape[1]
    X = np.empty((len(rows), n_pix))
    y = np.empty(len(rows), dtype=np.int64)
    for r, (line, cells) in enumerate(rows):
        if len(cells) != n_pix + 1:
            raise DatasetImportError(
                f"{name}: row {line} has {len(cells)} columns; expected {n_pix + 1} "
                f"({image_shape[0]}×{image_shape[1]} pixels, then the label)")
        for c, cell in enumerate(cells[:n_pix]):
            try:
                X[r, c] = float(cell)
            except ValueError:
                raise DatasetImportError(
                    f"{name}: row {line}, column {c + 1}: {cell.strip()!r} is not a number") from None
        y[r] = _label(cells[-1], f"{name}: row {line}")
    return _finish(X, y, image_shape, name, notes)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _label(cell: str, where: str) -> int:
    try:
        value = float(cell)
    except ValueError:
        raise DatasetImportError(f"{where}: the label {cell.strip()!r} is not an integer") from None
    if not math.isfinite(value) or value != int(value):
        raise DatasetImportError(f"{where}: the label {cell.strip()!r} is not an integer")
    if value < 0:
        raise DatasetImportError(f"{where}: the label {cell.strip()!r} is negative; labels are 0, 1, 2, …")
    return int(value)


def _shape_for(n_pix: int, shape: tuple[int, int] | None, what: str) -> tuple[int, int]:
    """The (H, W) of ``n_pix`` pixels: ``shape`` if it fits, else a square, else an error."""
    if shape is not None and shape[0] * shape[1] == n_pix:
        return shape
    side = math.isqrt(max(n_pix, 0))
    if n_pix > 0 and side * side == n_pix:
        return (side, side)
    expected = f"{shape[0] * shape[1] + 1} ({shape[0]}×{shape[1]} pixels, then the label)" if shape else \
        "a square number of pixels, then the label"
    raise DatasetImportError(f"{what}; expected {expected}")


def _finish(X: np.ndarray, y: np.ndarray, shape: tuple[int, int], source: str,
            notes: Sequence[str] = ()) -> ImportedData:
    """Check values and labels, rescale X to [0, 1] with a note, build the result."""
    if X.shape[0] == 0:
        raise DatasetImportError(f"{source} holds no samples")
    if not np.isfinite(X).all():
        row = int(np.flatnonzero(~np.isfinite(X).all(axis=1))[0])
        raise DatasetImportError(f"{source}: sample {row + 1} contains NaN or infinity")
    out = list(notes)
    lo, hi = float(X.min()), float(X.max())
    if lo < 0.0 or hi > 1.0:
        low = min(lo, 0.0)
        X = (X - low) / (hi - low)
        out.append(f"pixel values ran from {lo:g} to {hi:g}; they were rescaled linearly to [0, 1]")
    n_classes = int(y.max()) + 1
    if n_classes < 2:
        raise DatasetImportError(f"{source}: every label is 0; a classifier needs at least 2 classes")
    names = tuple(str(k) for k in range(n_classes))
    return ImportedData(np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64), shape, names,
                        Path(source).stem, tuple(out))


# --------------------------------------------------------------------- npz
def import_npz(path: str | Path, shape: tuple[int, int] | None = DEFAULT_SHAPE,
               max_rows: int = DEFAULT_MAX_ROWS) -> ImportedData:
    """Read an ``.npz`` with arrays ``X`` (N, H·W) or (N, H, W) and ``y`` (N,).

    Headers are parsed and sizes checked before any array data is read;
    object arrays are refused (loading never unpickles).
    """
    file = Path(path)
    name = file.name
    if file.stat().st_size == 0:
        raise DatasetImportError(f"{name} is empty")
    try:
        with zipfile.ZipFile(file) as zf:
            members = {info.filename: info for info in zf.infolist()}
            for key in ("X", "y"):
                if f"{key}.npy" not in members:
                    raise DatasetImportError(
                        f"{name} has no array '{key}'; it holds {', '.join(sorted(members)) or 'nothing'}")
            X = _read_member(zf, members["X.npy"], name, "X", max_rows)
            y = _read_member(zf, members["y.npy"], name, "y", max_rows)
    except zipfile.BadZipFile:
        raise DatasetImportError(f"{name} is not an .npz file (not a zip archive)") from None
    if X.ndim == 3:
        image_shape = (int(X.shape[1]), int(X.shape[2]))
        X = X.reshape(X.shape[0], -1)
    elif X.ndim == 2:
        image_shape = _shape_for(int(X.shape[1]), shape, f"{name}: X has {X.shape[1]} columns")
    else:
        raise DatasetImportError(f"{name}: X has shape {X.shape}; expected (N, H·W) or (N, H, W)")
    if y.ndim != 1:
        raise DatasetImportError(f"{name}: y has shape {y.shape}; expected (N,), one label per image")
    if y.shape[0] != X.shape[0]:
        raise DatasetImportError(f"{name}: X has {X.shape[0]} images but y has {y.shape[0]} labels")
    return _finish(X.astype(np.float64), _labels_array(y, name), image_shape, name)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, key: str, max_rows: int) -> np.ndarray:
    """Read one ``.npy`` member after validating its header against the limits."""
    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            header = _read_header(f, version)
        except ValueError as exc:
            raise DatasetImportError(f"{name}: array '{key}' has a bad header ({exc})") from None
        shape, fortran, dtype = header
        if dtype.hasobject:
            raise DatasetImportError(f"{name}: array '{key}' holds Python objects, which are not loaded")
        if dtype.kind not in "biuf":
            raise DatasetImportError(f"{name}: array '{key}' has type {dtype}; numbers are needed")
        if shape and shape[0] > max_rows:
            raise DatasetImportError(f"{name}: {shape[0]:,} samples; at most {max_rows:,} can be imported")
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if nbytes > MAX_ARRAY_BYTES:
            raise DatasetImportError(f"{name}: array '{key}' would need {nbytes:,} bytes; the limit is "
                                     f"{MAX_ARRAY_BYTES:,}")
        if nbytes + f.tell() != info.file_size:
            raise DatasetImportError(f"{name}: array '{key}' is damaged (its header does not match its size)")
        data = f.read(nbytes)
    if len(data) != nbytes:
        raise DatasetImportError(f"{name}: array '{key}' is truncated")
    arr = np.frombuffer(data, dtype=dtype, count=count)
    return arr.reshape(shape, order="F" if fortran else "C")


def _read_header(f: object, version: tuple[int, int]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of an .npy header, parsed without evaluating code."""
    if version == (1, 0):
        hlen = int.from_bytes(f.read(2), "little")  # type: ignore[attr-defined]
    elif version in ((2, 0), (3, 0)):
        hlen = int.from_bytes(f.read(4), "little")  # type: ignore[attr-defined]
    else:
        raise ValueError(f"unknown .npy version {version}")
    if hlen > 65536:
        raise ValueError("header too long")
    raw = f.read(hlen).decode("latin1" if version != (3, 0) else "utf8")  # type: ignore[attr-defined]
    try:
        d = ast.literal_eval(raw)
        shape = tuple(int(s) for s in d["shape"])
        fortran = bool(d["fortran_order"])
        descr = d["descr"]
    except (SyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"unreadable header: {exc}") from None
    if not isinstance(descr, str):
        raise ValueError("structured arrays are not supported")
    if any(s < 0 for s in shape):
        raise ValueError("negative dimension")
    return shape, fortran, np.dtype(descr)


def _labels_array(y: np.ndarray, name: str) -> np.ndarray:
    """Labels as int64, refusing fractions, negatives, NaN."""
    fractional = ~np.isfinite(y) | (y != np.round(y)) if y.dtype.kind == "f" else np.zeros(y.shape, bool)
    if fractional.any():
        raise DatasetImportError(f"{name}: the label {y[fractional][0]:g} is not an integer")
    if (y < 0).any():
        raise DatasetImportError(f"{name}: labels must be 0, 1, 2, …; found {int(y.min())}")
    return y.astype(np.int64)


# ---------------------------------------------------------------- dispatch
def import_path(path: str | Path, shape: tuple[int, int] = DEFAULT_SHAPE,
                max_rows: int = DEFAULT_MAX_ROWS, progress: Progress | None = None) -> ImportedData:
    """Import a folder, ``.csv`` or ``.npz`` (chosen by what ``path`` is).

    ``shape`` is the network's (H, W): images are resized to it; tables whose
    pixel count matches are read with it.  ``progress`` follows a folder's
    images (see ``import_folder``).
    """
    p = Path(path)
    if not p.exists():
        raise DatasetImportError(f"{p.name} does not exist")
    if p.is_dir():
        return import_folder(p, shape, max_rows, progress)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return import_csv(p, shape, max_rows)
    if suffix == ".npz":
        return import_npz(p, shape, max_rows)
    raise DatasetImportError(f"{p.name}: choose a folder of class subfolders, a .csv or an .npz file")
