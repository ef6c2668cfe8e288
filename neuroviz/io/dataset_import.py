"""Importing labelled images from files: an image folder, a CSV or an ``.npz``.

Pure NumPy (+ Pillow to decode images); never imports Qt.  Every reader
returns an ``ImportedData`` or raises ``DatasetImportError`` with a message
naming the file and the problem; nothing is half-imported.  What is returned
is fully checked: finite, pixels in [0, 1], labels 0 … K−1 with 2 ≤ K ≤
``MAX_CLASSES``, within every limit of ``neuroviz.io.limits`` (so that it can
be saved in a snapshot and opened again).

Formats
-------
folder
    One subfolder per class (sorted names become the class names), holding
    images (``IMAGE_SUFFIXES``) of any size up to the limits.  Each image is
    converted to grayscale (white = 1, black = 0; transparent pixels count as
    black) and resized to the wanted (H, W) by area averaging.
CSV
    One sample per row: H·W pixel values (row by row), then an integer label.
    A first row whose label cell (or every cell) is not a number is read as
    column names and skipped, with a note.  Lines, columns and rows are
    counted while reading, before anything is stored.
npz
    Arrays ``X`` (shape (N, H·W) or (N, H, W)) and ``y`` (shape (N,)).  The
    archive's table of contents and the member headers and sizes are checked
    before any data is read, and object arrays (which would need pickle) are
    refused.

Only regular files are read (not pipes or devices).  Values outside [0, 1]
are rescaled linearly to [0, 1] and a note says so.
"""

from __future__ import annotations

import ast
import csv
import io
import itertools
import math
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.numbers import count, fmt
from neuroviz.io.image_import import IMAGE_SUFFIXES, area_resize, load_image
from neuroviz.io.import_errors import DatasetImportError, import_guard
from neuroviz.io.limits import (
    MAX_CLASSES,
    MAX_CSV_LINE,
    MAX_DATASET_VALUES,
    MAX_IMPORT_FILE_BYTES,
    MAX_IMPORT_ROWS,
    MAX_INPUTS,
    MAX_NAME,
    MAX_ZIP_DIRECTORY,
)
from neuroviz.io.regular_file import open_regular

DEFAULT_MAX_ROWS = MAX_IMPORT_ROWS
"""At most this many samples are imported (a stated limit, not a silent cut)."""
Progress = Callable[[int, int], bool]
T = TypeVar("T")
"""``progress(done, total)``: told how far an import is; returns False to stop it."""
DEFAULT_SHAPE = (8, 8)

__all__ = [
    "DEFAULT_SHAPE",
    "IMAGE_SUFFIXES",
    "DatasetImportError",
    "ImportedData",
    "area_resize",
    "import_csv",
    "import_folder",
    "import_npz",
    "import_path",
    "load_image",
]


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


def display_name(name: str) -> str:
    """A file name as text that can be saved: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def _row_limit(max_rows: int, n_pix: int) -> int:
    """Samples of ``n_pix`` pixels an import may hold: ``max_rows`` and ``MAX_DATASET_VALUES`` allow."""
    return max(1, min(max_rows, MAX_DATASET_VALUES // n_pix))


def _too_many(name: str, limit: int, n_pix: int, what: str) -> DatasetImportError:
    return DatasetImportError(
        f"{name} has more than {count(limit)} {what} (the import limit: {count(MAX_IMPORT_ROWS)} samples and "
        f"{count(MAX_DATASET_VALUES)} pixel values, {n_pix} per image)")


# ------------------------------------------------------------------ folder
def import_folder(path: str | Path, shape: tuple[int, int] = DEFAULT_SHAPE,
                  max_rows: int = DEFAULT_MAX_ROWS, progress: Progress | None = None) -> ImportedData:
    """Read a folder with one subfolder of images per class.

    ``progress(done, total)`` is called before each image is read; when it
    returns False the import stops with a ``DatasetImportError``.
    """
    root = Path(path)
    if not root.is_dir():
        raise DatasetImportError(f"{display_name(root.name)} is not a folder")
    classes = sorted(p for p in _listing(root, max_rows) if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DatasetImportError(
            f"{display_name(root.name)} holds {len(classes)} subfolder(s); put each class's images in its own "
            "subfolder (at least 2 classes)")
    if len(classes) > MAX_CLASSES:
        raise DatasetImportError(f"{display_name(root.name)} holds {count(len(classes))} class folders; the limit is "
                                 f"{count(MAX_CLASSES)}")
    names = tuple(display_name(p.name) for p in classes)
    long = next((n for n in names if len(n) > MAX_NAME), None)
    if long is not None:
        raise DatasetImportError(f"the class folder name '{long[:40]}…' is longer than {MAX_NAME} characters")
    limit = _row_limit(max_rows, shape[0] * shape[1])
    todo: list[tuple[Path, int]] = []
    skipped = 0
    for k, folder in enumerate(classes):
        files = sorted(p for p in _listing(folder, limit) if p.is_file() and not p.name.startswith("."))
        chosen = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
        skipped += len(files) - len(chosen)
        if not chosen:
            raise DatasetImportError(f"the class folder '{names[k]}' holds no PNG or JPEG (or BMP, GIF, PGM/PPM) "
                                     "images")
        if len(todo) + len(chosen) > limit:
            raise _too_many(display_name(root.name), limit, shape[0] * shape[1], "images")
        todo.extend((file, k) for file in chosen)
    X = np.empty((len(todo), shape[0] * shape[1]))
    for done, (file, _) in enumerate(todo):
        if progress is not None and not progress(done, len(todo)):
            raise DatasetImportError(f"import cancelled after {count(done)} of {count(len(todo))} images")
        X[done] = load_image(file, shape)
    notes = [f"{skipped} file(s) that are not images were skipped"] if skipped else []
    notes.append(f"images were converted to grayscale and resized to {shape[0]}×{shape[1]} by area averaging")
    y = np.array([k for _, k in todo], dtype=np.int64)
    return _finish(X, y, shape, display_name(root.name), notes, names)


def _listing(folder: Path, limit: int) -> list[Path]:
    """The entries of ``folder``, refusing one that holds more than ``limit`` (before listing them all)."""
    with os.scandir(folder) as entries:
        found = [Path(e.path) for e in itertools.islice(entries, limit + 1)]
    if len(found) > limit:
        raise DatasetImportError(f"the folder '{display_name(folder.name)}' holds more than {count(limit)} files "
                                 "(the import limit)")
    return found


# ------------------------------------------------------------------ tables
def import_csv(path: str | Path, shape: tuple[int, int] | None = DEFAULT_SHAPE,
               max_rows: int = DEFAULT_MAX_ROWS) -> ImportedData:
    """Read a CSV of rows ``pixel_1, …, pixel_{H·W}, label``.

    ``shape`` is the expected (H, W); a file whose pixel count differs but is
    a perfect square is read as square images of that size (the caller
    decides whether they fit the network).
    """
    return read_csv_file(path, lambda rows, name: _read_csv(rows, name, shape, max_rows))


def read_csv_file(path: str | Path, read: Callable[[Iterator[list[str]], str], T]) -> T:
    """``read(rows, name)`` over the CSV rows of ``path`` (a regular file, size-checked, lines bounded);
    any failure becomes a ``DatasetImportError`` naming the file."""
    file = Path(path)
    name = display_name(file.name)
    fh, size = open_regular(file, MAX_IMPORT_FILE_BYTES, DatasetImportError)
    with fh, import_guard(name, "CSV file"):
        if size == 0:
            raise DatasetImportError(f"{name} is empty")
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        return read(csv.reader(bounded_lines(text, name)), name)


def bounded_lines(text: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The lines of ``text``, refusing one longer than ``MAX_CSV_LINE`` before it is split into cells."""
    line_number = 0
    while line := text.readline(MAX_CSV_LINE + 1):
        line_number += 1
        if len(line) > MAX_CSV_LINE:
            raise DatasetImportError(f"{name}: line {line_number} is longer than {count(MAX_CSV_LINE)} characters")
        yield line


def _read_csv(reader: Iterator[list[str]], name: str, shape: tuple[int, int] | None,
              max_rows: int) -> ImportedData:
    """Samples from CSV rows, checked row by row: each row is stored as numbers as soon as it is read."""
    rows: list[np.ndarray] = []
    labels: list[int] = []
    notes: list[str] = []
    n_cols = 0
    image_shape = (0, 0)
    limit = max_rows
    blank = 0
    for cells in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(c.strip() for c in cells):
            blank += 1
            if blank > max_rows:  # a file of nothing but line breaks would take minutes
                raise DatasetImportError(f"{name} has more than {count(max_rows)} empty rows")
            continue
        if line == 1 and (not is_number(cells[-1]) or not any(is_number(c) for c in cells)):
            notes.append("row 1 was read as column names")
            continue
        if not rows:
            n_cols = len(cells)
            if n_cols - 1 > MAX_INPUTS:
                raise DatasetImportError(f"{name}: row {line} has {count(n_cols)} columns; at most {count(MAX_INPUTS)} "
                                         "pixels (then the label) fit a network's input layer")
            image_shape = _shape_for(n_cols - 1, shape, f"{name}: row {line} has {n_cols} columns")
            limit = _row_limit(max_rows, n_cols - 1)
        if len(cells) != n_cols:
            raise DatasetImportError(
                f"{name}: row {line} has {len(cells)} columns; expected {n_cols} "
                f"({image_shape[0]}×{image_shape[1]} pixels, then the label)")
        if len(rows) == limit:
            raise _too_many(name, limit, n_cols - 1, "rows")
        rows.append(_numbers(cells[:-1], f"{name}: row {line}"))
        labels.append(_label(cells[-1], f"{name}: row {line}"))
    if not rows:
        raise DatasetImportError(f"{name} has a header but no data rows" if notes else f"{name} is empty")
    return _finish(np.array(rows), np.array(labels, dtype=np.int64), image_shape, name, notes)


def _numbers(cells: list[str], where: str) -> np.ndarray:
    """One row's pixel cells as float64 (n,), or an error naming the first bad cell."""
    try:
        return np.array([float(c) for c in cells])
    except ValueError:
        c = next(i for i, cell in enumerate(cells) if not is_number(cell))
        raise DatasetImportError(f"{where}, column {c + 1}: {cells[c].strip()[:40]!r} is not a number") from None


def is_number(cell: str) -> bool:
    """True if the CSV cell reads as a number (``float`` accepts it)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _label(cell: str, where: str) -> int:
    """A label cell as a class 0 … MAX_CLASSES−1 (``5`` or ``5.0``), or an error."""
    shown = cell.strip()[:40]
    try:
        value = float(cell)
    except ValueError:
        raise DatasetImportError(f"{where}: the label {shown!r} is not an integer") from None
    if not math.isfinite(value) or value != int(value):
        raise DatasetImportError(f"{where}: the label {shown!r} is not an integer")
    if value < 0:
        raise DatasetImportError(f"{where}: the label {shown!r} is negative; labels are 0, 1, 2, …")
    if value >= MAX_CLASSES:
        raise DatasetImportError(f"{where}: the label {shown!r} is too large; labels are classes 0 to "
                                 f"{MAX_CLASSES - 1} (at most {count(MAX_CLASSES)} classes)")
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


def rescale_to_unit(X: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``X`` mapped linearly from [min(lo, 0), hi] onto [0, 1]; also lo and hi.

    Computed on halves, so that a range as wide as ±1.7e308 does not
    overflow; a constant negative ``X`` (no range to spread) becomes 0.
    """
    lo, hi = float(X.min()), float(X.max())
    low = min(lo, 0.0)
    span = hi / 2 - low / 2
    if span == 0.0:
        return np.zeros_like(X), lo, hi
    return np.clip((X / 2 - low / 2) / span, 0.0, 1.0), lo, hi


def _finish(X: np.ndarray, y: np.ndarray, shape: tuple[int, int], source: str,
            notes: Sequence[str] = (), class_names: tuple[str, ...] | None = None) -> ImportedData:
    """Check values and labels, rescale X to [0, 1] with a note, build the result.

    ``X`` (N, H·W), ``y`` (N,) int64 in 0 … MAX_CLASSES−1.  Raises unless the
    result is finite, in [0, 1] and has at least 2 classes.
    """
    if X.shape[0] == 0:
        raise DatasetImportError(f"{source} holds no samples")
    finite = np.isfinite(X).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise DatasetImportError(f"{source}: sample {row + 1} contains NaN or infinity")
    out = list(notes)
    if X.size and (X.min() < 0.0 or X.max() > 1.0):
        X, lo, hi = rescale_to_unit(X)
        out.append(f"pixel values ran from {fmt(lo)} to {fmt(hi)}; they were rescaled linearly to [0, 1]")
    if not (np.isfinite(X).all() and ((X >= 0.0) & (X <= 1.0)).all()):  # cannot happen: a last guard
        raise DatasetImportError(f"{source}: the pixel values could not be brought into [0, 1]")
    n_classes = int(y.max()) + 1
    if n_classes < 2:
        raise DatasetImportError(f"{source}: every label is 0; a classifier needs at least 2 classes")
    if n_classes > MAX_CLASSES:
        raise DatasetImportError(f"{source}: {count(n_classes)} classes; the limit is {count(MAX_CLASSES)}")
    names = class_names if class_names is not None else tuple(str(k) for k in range(n_classes))
    title = Path(source).stem if class_names is None else source
    return ImportedData(np.ascontiguousarray(X, dtype=np.float64), y.astype(np.int64), shape, names,
                        title if len(title) <= MAX_NAME else title[: MAX_NAME - 1] + "…", tuple(out))


# --------------------------------------------------------------------- npz
def import_npz(path: str | Path, shape: tuple[int, int] | None = DEFAULT_SHAPE,
               max_rows: int = DEFAULT_MAX_ROWS) -> ImportedData:
    """Read an ``.npz`` with arrays ``X`` (N, H·W) or (N, H, W) and ``y`` (N,).

    The zip directory's size, then each member's header and size, are checked
    before any array data is read; object arrays are refused (loading never
    unpickles).
    """
    file = Path(path)
    name = display_name(file.name)
    fh, size = open_regular(file, MAX_IMPORT_FILE_BYTES, DatasetImportError)
    with fh, import_guard(name, "npz archive"):
        if size == 0:
            raise DatasetImportError(f"{name} is empty")
        check_zip_directory(fh, size, name)
        with zipfile.ZipFile(fh) as zf:
            members = {info.filename: info for info in zf.infolist()}
            for key in ("X", "y"):
                if f"{key}.npy" not in members:
                    listed = ", ".join(sorted(members)[:10])[:200] or "nothing"
                    raise DatasetImportError(f"{name} has no array '{key}'; it holds {listed}")
            X = read_member(zf, members["X.npy"], name, "X", lambda shape: _check_shape(shape, name, "X", max_rows))
            y = read_member(zf, members["y.npy"], name, "y", lambda shape: _check_shape(shape, name, "y", max_rows))
        if X.ndim == 3:
            image_shape = (int(X.shape[1]), int(X.shape[2]))
            X = X.reshape(X.shape[0], -1)
        else:
            image_shape = _shape_for(int(X.shape[1]), shape, f"{name}: X has {X.shape[1]} columns")
        if y.shape[0] != X.shape[0]:
            raise DatasetImportError(f"{name}: X has {X.shape[0]} images but y has {y.shape[0]} labels")
        return _finish(X.astype(np.float64), _labels_array(y, name), image_shape, name)


def check_zip_directory(fh: BinaryIO, size: int, name: str, what: str = "an .npz file") -> None:
    """Refuse an archive whose table of contents is larger than ``MAX_ZIP_DIRECTORY`` (before reading it)."""
    tail_size = min(size, 22 + 65535)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise DatasetImportError(f"{name} is not {what} (not a zip archive, or a truncated one)")
    directory_size = int.from_bytes(tail[at + 12:at + 16], "little")
    entries = int.from_bytes(tail[at + 10:at + 12], "little")
    if directory_size > MAX_ZIP_DIRECTORY or entries > MAX_ZIP_DIRECTORY // 46:
        raise DatasetImportError(f"{name}: the archive lists too much ({count(entries)} members, "
                                 f"{count(directory_size)} bytes of contents; the limit is "
                                 f"{count(MAX_ZIP_DIRECTORY)} bytes)")
    fh.seek(0)


def _check_shape(shape: tuple[int, ...], name: str, key: str, max_rows: int) -> None:
    """Refuse a member shape that is not a data set's, or too large, before its data is read."""
    if key == "y" and len(shape) != 1:
        raise DatasetImportError(f"{name}: y has shape {shape}; expected (N,), one label per image")
    if key == "X" and len(shape) not in (2, 3):
        raise DatasetImportError(f"{name}: X has shape {shape}; expected (N, H·W) or (N, H, W)")
    if shape[0] == 0:
        raise DatasetImportError(f"{name} holds no samples")
    if shape[0] > max_rows:
        raise DatasetImportError(f"{name}: {count(shape[0])} samples; at most {count(max_rows)} can be imported")
    if 0 in shape:
        raise DatasetImportError(f"{name}: {key} has shape {shape}; an image needs at least one pixel")
    n_pix = math.prod(shape[1:])
    if n_pix > MAX_INPUTS:
        raise DatasetImportError(f"{name}: {key} has {count(n_pix)} pixels per image; at most {count(MAX_INPUTS)} "
                                 "fit a network's input layer")
    if shape[0] * n_pix > MAX_DATASET_VALUES:
        raise DatasetImportError(f"{name}: {key} holds {count(shape[0] * n_pix)} pixel values; the limit is "
                                 f"{count(MAX_DATASET_VALUES)}")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, key: str,
                check: Callable[[tuple[int, ...]], None], kinds: str = "biuf") -> np.ndarray:
    """Read one ``.npy`` member after ``check`` accepted the shape its header declares.

    ``kinds`` are the dtype kinds accepted (numbers; "U" adds text); Python objects are never loaded.
    """
    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            shape, fortran, dtype = _read_header(f, version)
        except ValueError as exc:
            raise DatasetImportError(f"{name}: array '{key}' has a bad header ({exc})") from None
        if dtype.hasobject:
            raise DatasetImportError(f"{name}: array '{key}' holds Python objects, which are not loaded")
        if dtype.kind not in kinds or (dtype.kind != "U" and dtype.itemsize > 8) or dtype.itemsize > 65536:
            raise DatasetImportError(f"{name}: array '{key}' has type {dtype}; numbers are needed (of at most 64 bits)")
        check(shape)
        n_values = math.prod(shape)
        nbytes = n_values * dtype.itemsize
        if nbytes + f.tell() != info.file_size:
            raise DatasetImportError(f"{name}: array '{key}' is damaged (its header does not match its size)")
        data = f.read(nbytes)
    if len(data) != nbytes:
        raise DatasetImportError(f"{name}: array '{key}' is truncated")
    arr = np.frombuffer(data, dtype=dtype, count=n_values)
    return arr.reshape(shape, order="F" if fortran else "C")


def _read_header(f: IO[bytes], version: tuple[int, int]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of an .npy header, parsed without evaluating code."""
    if version == (1, 0):
        hlen = int.from_bytes(f.read(2), "little")
    elif version in ((2, 0), (3, 0)):
        hlen = int.from_bytes(f.read(4), "little")
    else:
        raise ValueError(f"unknown .npy version {version}")
    if hlen > 65536:
        raise ValueError("header too long")
    raw = f.read(hlen).decode("latin1" if version != (3, 0) else "utf8")
    try:
        d = ast.literal_eval(raw)
        shape = tuple(int(s) for s in d["shape"])
        fortran = bool(d["fortran_order"])
        descr = d["descr"]
    except (SyntaxError, ValueError, KeyError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
        raise ValueError(f"unreadable header: {str(exc)[:80]}") from None
    if not isinstance(descr, str):
        raise ValueError("structured arrays are not supported")
    if any(s < 0 for s in shape):
        raise ValueError("negative dimension")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"unknown type {descr[:40]!r} ({str(exc)[:80]})") from None
    return shape, fortran, dtype


def _labels_array(y: np.ndarray, name: str) -> np.ndarray:
    """Labels (N,) as int64 classes 0 … MAX_CLASSES−1, refusing fractions, negatives, NaN, huge values."""
    fractional = ~np.isfinite(y) | (y != np.round(y)) if y.dtype.kind == "f" else np.zeros(y.shape, bool)
    if fractional.any():
        raise DatasetImportError(f"{name}: the label {fmt(float(y[fractional][0]))} is not an integer")
    if (y < 0).any():
        raise DatasetImportError(f"{name}: labels must be 0, 1, 2, …; found {y.min()}")
    if (y >= MAX_CLASSES).any():
        raise DatasetImportError(f"{name}: the label {y.max()} is too large; labels are classes 0 to "
                                 f"{MAX_CLASSES - 1} (at most {count(MAX_CLASSES)} classes)")
    return y.astype(np.int64)


# ---------------------------------------------------------------- dispatch
def import_path(path: str | Path, shape: tuple[int, int] = DEFAULT_SHAPE,
                max_rows: int = DEFAULT_MAX_ROWS, progress: Progress | None = None) -> ImportedData:
    """Import a folder, ``.csv`` or ``.npz`` (chosen by what ``path`` is).

    ``shape`` is the network's (H, W): images are resized to it; tables whose
    pixel count matches are read with it.  ``progress`` follows a folder's
    images (see ``import_folder``).  The result is fully checked (see the
    module's docstring); any failure raises ``DatasetImportError``.
    """
    p = Path(path)
    name = display_name(p.name)
    if not p.exists():
        raise DatasetImportError(f"{name} does not exist")
    if p.is_dir():
        with import_guard(name, "folder"):
            return import_folder(p, shape, max_rows, progress)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return import_csv(p, shape, max_rows)
    if suffix == ".npz":
        return import_npz(p, shape, max_rows)
    raise DatasetImportError(f"{name}: choose a folder of class subfolders, a .csv or an .npz file")
