"""Fuzzing every importer: mutated CSV, .npz and image files raise only the import error, in bounded memory.

Each example takes a valid file, applies a few random mutations (bytes
flipped, inserted, deleted, duplicated, the file cut short; for CSV also cells
replaced by hostile tokens), imports it, and checks that the importer either
returns fully checked data (finite, in [0, 1], labels 0 … K−1 within the
limits) or raises ``DatasetImportError`` naming the file; the peak of traced
memory stays under ``MAX_PEAK`` (tracemalloc sees Python's and NumPy's
allocations; Pillow's own buffers are bounded by the declared-size check,
which ``test_import_hardening`` measures) and the file itself is untouched.
``NEUROVIZ_FUZZ_EXAMPLES=5000`` runs a deeper search.
"""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Callable

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from neuroviz.io.dataset_import import DatasetImportError, ImportedData, import_csv, import_npz, load_image
from neuroviz.io.limits import MAX_CLASSES, MAX_DATASET_VALUES, MAX_INPUTS

EXAMPLES = int(os.environ.get("NEUROVIZ_FUZZ_EXAMPLES", "100"))
"""Examples per test; set NEUROVIZ_FUZZ_EXAMPLES for a longer run."""
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MAX_PEAK = 64 * 1024 * 1024

mutations = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete", "duplicate", "cut", "zero"]),
              st.integers(min_value=0, max_value=1 << 20), st.binary(min_size=1, max_size=8)),
    min_size=1, max_size=4)


def mutate(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, payload in ops:
        at = where % (len(out) + 1)
        if kind == "flip" and out:
            out[at % len(out)] ^= payload[0] or 0xFF
        elif kind == "insert":
            out[at:at] = payload
        elif kind == "delete":
            del out[at:at + len(payload)]
        elif kind == "duplicate":
            out[at:at] = out[at:at + 64 * len(payload)]
        elif kind == "cut":
            del out[at:]
        elif kind == "zero":
            out[at:at + 4 * len(payload)] = bytes(len(out[at:at + 4 * len(payload)]))
    return bytes(out)


def _check_result(data: ImportedData) -> None:
    """What every successful import returns: data the app can train on, save and open again."""
    X, y = data.X, data.y
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == y.shape[0] >= 1
    assert np.isfinite(X).all() and X.min() >= 0.0 and X.max() <= 1.0
    h, w = data.image_shape
    assert X.shape[1] == h * w <= MAX_INPUTS and X.size <= MAX_DATASET_VALUES
    assert y.dtype == np.int64 and y.min() >= 0 and y.max() < data.n_classes <= MAX_CLASSES
    assert data.n_classes >= 2 and len(data.class_names) == data.n_classes
    for name in data.class_names:
        name.encode("utf-8")


def import_once(path, importer: Callable[[], object]) -> None:
    """Run ``importer``: only the import error, bounded memory, the file unchanged."""
    before = path.read_bytes()
    tracemalloc.start()
    try:
        try:
            result = importer()
        except DatasetImportError as exc:
            message = str(exc)
            assert message and len(message) < 600 and "Traceback" not in message
            assert path.name in message or message.startswith("import cancelled"), message
        else:
            if isinstance(result, ImportedData):
                _check_result(result)
            else:
                assert isinstance(result, np.ndarray) and np.isfinite(result).all()
                assert result.min() >= 0.0 and result.max() <= 1.0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"{peak / 2**20:.0f} MB"
    assert path.read_bytes() == before


# --------------------------------------------------------------------- CSV
def _valid_csv() -> bytes:
    rng = np.random.default_rng(0)
    rows = ["p" + ",p".join(str(i) for i in range(16)) + ",label"]
    rows += [",".join(f"{v:.3f}" for v in rng.random(16)) + f",{i % 3}" for i in range(6)]
    return ("\n".join(rows) + "\n").encode()


VALID_CSV = _valid_csv()
TOKENS = ["nan", "inf", "-inf", "1e308", "-1e308", "1e999", "1e15", "100000000", "-1", "2.5", "", " ", '"',
          '"a,b"', "0x10", "1_0", "\x00", "\ufeff", "\ud800", "9" * 300, "٣", "1e-320", "-0"]


@FUZZ
@given(ops=mutations)
def test_mutated_csv_files_raise_only_the_import_error(tmp_path, ops):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(mutate(VALID_CSV, ops))
    import_once(path, lambda: import_csv(path, (4, 4)))


@FUZZ
@given(cells=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 16), st.sampled_from(TOKENS) | st.text(max_size=6)),
                      min_size=1, max_size=6))
def test_csv_cells_replaced_by_hostile_tokens_raise_only_the_import_error(tmp_path, cells):
    lines = VALID_CSV.decode().splitlines()
    grid = [line.split(",") for line in lines]
    for row, col, token in cells:
        grid[row][col] = token
    path = tmp_path / "cells.csv"
    path.write_bytes("\n".join(",".join(r) for r in grid).encode("utf-8", "surrogatepass"))
    import_once(path, lambda: import_csv(path, (4, 4)))


# --------------------------------------------------------------------- npz
def _valid_npz(compressed: bool) -> bytes:
    buffer = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(buffer, X=np.linspace(0, 2, 6 * 16).reshape(6, 4, 4), y=np.arange(6) % 3)
    return buffer.getvalue()


VALID_NPZ = {False: _valid_npz(False), True: _valid_npz(True)}


@FUZZ
@given(compressed=st.booleans(), ops=mutations)
def test_mutated_npz_files_raise_only_the_import_error(tmp_path, compressed, ops):
    path = tmp_path / "fuzz.npz"
    path.write_bytes(mutate(VALID_NPZ[compressed], ops))
    import_once(path, lambda: import_npz(path, (4, 4)))


@FUZZ
@given(ops=mutations, where=st.integers(0, 200))
def test_npz_headers_mutated_in_place_raise_only_the_import_error(tmp_path, ops, where):
    # the stored archive's X header is plain text from byte ~40 on: mutations there reach the header parser
    data = VALID_NPZ[False]
    start = data.index(b"\x93NUMPY") + where % 118
    path = tmp_path / "header.npz"
    path.write_bytes(data[:start] + mutate(data[start:start + 10], ops)[:10].ljust(10, b" ") + data[start + 10:])
    import_once(path, lambda: import_npz(path, (4, 4)))


# ------------------------------------------------------------------ images
def _valid_images() -> dict[str, bytes]:
    pixels = (np.arange(12 * 10).reshape(12, 10) * 2).astype(np.uint8)
    out = {}
    for fmt, mode in (("PNG", "LA"), ("JPEG", "RGB"), ("BMP", "RGB"), ("GIF", "P"), ("PPM", "L")):
        buffer = io.BytesIO()
        Image.fromarray(pixels, "L").convert(mode).save(buffer, fmt)
        out[fmt] = buffer.getvalue()
    return out


VALID_IMAGES = _valid_images()
SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "BMP": ".bmp", "GIF": ".gif", "PPM": ".pgm"}


@FUZZ
@given(fmt=st.sampled_from(sorted(VALID_IMAGES)), ops=mutations)
def test_mutated_images_raise_only_the_import_error(tmp_path, fmt, ops):
    path = tmp_path / f"fuzz{SUFFIX[fmt]}"
    path.write_bytes(mutate(VALID_IMAGES[fmt], ops))
    import_once(path, lambda: load_image(path, (8, 8)))
