"""Importing points of the plane from a CSV: ``x1, x2, label`` (or ``value``), and an optional test flag.

Pure Python and NumPy; never imports Qt.  ``import_plane_csv`` returns
``PlanePoints`` or raises ``DatasetImportError`` naming the file and the
line; nothing is half-imported.

Format
------
One point per line: its coordinates x₁ and x₂, then its class (``0`` or
``1``; classification) or its value (any finite number; regression), then
optionally a test flag (``1``/``0``, ``true``/``false``, ``yes``/``no``,
``test``/``train``).  Every line has the same number of columns (3 or 4).
A first line with no number in it is read as column names: the
names ``x1``, ``x2``, ``label`` (or ``class``, ``value``, ``y``) and
``test`` (or ``is_test``, ``split``) may then come in any order.  Without a
test column, the caller splits the points (the data set's test ratio).
Blank lines are skipped.  The file, its lines and its rows are bounded by
``neuroviz.io.limits`` (``MAX_IMPORT_FILE_BYTES``, ``MAX_CSV_LINE``,
``MAX_IMPORT_ROWS``), and coordinates by ``MAX_COORDINATE``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neuroviz.core.numbers import count
from neuroviz.io.dataset_import import is_number, read_csv_file
from neuroviz.io.import_errors import DatasetImportError
from neuroviz.io.limits import MAX_IMPORT_ROWS
from neuroviz.io.snapshot_plane import MAX_COORDINATE

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "x1": ("x1", "x₁", "x"),
    "x2": ("x2", "x₂"),
    "target": ("label", "class", "value", "y", "target"),
    "test": ("test", "is_test", "split"),
}
"""The names a header may give each column (compared lower-case, without spaces)."""
TRUE_WORDS = ("1", "true", "yes", "test")
FALSE_WORDS = ("0", "false", "no", "train", "training")


@dataclass(frozen=True)
class PlanePoints:
    """Imported points: ``points`` (N, 2), their ``values`` (N,) (int 0/1 classes or float values) and the
    ``is_test`` flags (N,) bool, or ``None`` when the file has no test column; ``notes`` say what was assumed."""

    points: np.ndarray
    values: np.ndarray
    is_test: np.ndarray | None
    notes: tuple[str, ...] = field(default=())

    def summary(self, name: str) -> str:
        """What was imported from the file ``name``, in words, with the notes one per line."""
        split = "its test column" if self.is_test is not None else "the test ratio"
        notes = "".join(f"\n• {n}" for n in self.notes)
        return f"Imported {count(len(self.points))} points from {name} (split by {split}).{notes}"


def import_plane_csv(path: str | Path, regression: bool, max_rows: int = MAX_IMPORT_ROWS) -> PlanePoints:
    """Read the points of ``path`` (see the module docstring): classes 0/1, or values if ``regression``."""
    return read_csv_file(path, lambda rows, name: _read(rows, name, regression, max_rows))


def _read(reader: Iterator[list[str]], name: str, regression: bool, max_rows: int) -> PlanePoints:
    """The points of the CSV rows, checked line by line as they are read."""
    order: list[int] | None = None  # the columns of x1, x2, target (, test)
    n_cols = 0
    notes: list[str] = []
    points: list[tuple[float, float]] = []
    values: list[float] = []
    tests: list[bool] = []
    blank = 0
    for cells in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(c.strip() for c in cells):
            blank += 1
            if blank > max_rows:
                raise DatasetImportError(f"{name} has more than {count(max_rows)} empty lines")
            continue
        where = f"{name}, line {line}"
        if order is None:
            if not any(is_number(c) for c in cells):
                order, n_cols = _header(cells, where), len(cells)
                notes.append(f"line {line} was read as column names")
                continue
            if len(cells) not in (3, 4):
                raise DatasetImportError(f"{where} has {len(cells)} columns; expected 3 (x1, x2, "
                                         f"{'value' if regression else 'label'}) or 4 (then a test flag)")
            order, n_cols = list(range(len(cells))), len(cells)
        if len(cells) != n_cols:
            raise DatasetImportError(f"{where} has {len(cells)} columns; expected {n_cols}")
        if len(points) == max_rows:
            raise DatasetImportError(f"{name} has more than {count(max_rows)} points (the import limit)")
        x1, x2 = (_coordinate(cells[order[i]], where, label) for i, label in enumerate(("x1", "x2")))
        points.append((x1, x2))
        values.append(_target(cells[order[2]], where, regression))
        if len(order) == 4:
            tests.append(_flag(cells[order[3]], where))
    if not points:
        raise DatasetImportError(f"{name} has column names but no points" if notes else f"{name} is empty")
    pts = np.array(points, dtype=np.float64)
    vals = np.array(values, dtype=np.float64 if regression else np.int64)
    is_test = np.array(tests, dtype=bool) if order is not None and len(order) == 4 else None
    if is_test is not None and is_test.all():
        raise DatasetImportError(f"{name}: every point is a test point; training needs at least one")
    return PlanePoints(pts, vals, is_test, tuple(notes))


def _header(cells: list[str], where: str) -> list[int]:
    """The column indices of x1, x2, target (and test) in a header line, or an error naming what is missing."""
    names = ["".join(c.split()).lower() for c in cells]
    found: list[int] = []
    for role, accepted in COLUMN_NAMES.items():
        hits = [i for i, n in enumerate(names) if n in accepted]
        if len(hits) > 1:
            raise DatasetImportError(f"{where}: two columns are named as {role} ({', '.join(cells[i] for i in hits)})")
        if hits:
            found.append(hits[0])
        elif role != "test":
            raise DatasetImportError(f"{where}: the column names {', '.join(c.strip()[:20] for c in cells)} "
                                     f"name no {role} column (expected x1, x2, label or value, and optionally test)")
    return found


def _number(cell: str, where: str, what: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DatasetImportError(f"{where}: {what} {cell.strip()[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise DatasetImportError(f"{where}: {what} {cell.strip()[:40]!r} is not finite")
    return value


def _coordinate(cell: str, where: str, what: str) -> float:
    value = _number(cell, where, what)
    if abs(value) > MAX_COORDINATE:
        raise DatasetImportError(f"{where}: {what} = {cell.strip()[:40]} is outside ±{MAX_COORDINATE:g}")
    return value


def _target(cell: str, where: str, regression: bool) -> float:
    if regression:
        return _number(cell, where, "the value")
    value = _number(cell, where, "the label")
    if value not in (0.0, 1.0):
        raise DatasetImportError(f"{where}: the label {cell.strip()[:40]!r} is not a class 0 or 1")
    return value


def _flag(cell: str, where: str) -> bool:
    word = cell.strip().lower()
    if word in TRUE_WORDS or word == "1.0":
        return True
    if word in FALSE_WORDS or word == "0.0":
        return False
    raise DatasetImportError(f"{where}: the test flag {cell.strip()[:40]!r} is not 1/0, true/false or test/train")
