"""Regression tests of issue 13's import defects: each hostile file is refused quickly, in bounded memory.

Every refusal is a ``DatasetImportError`` naming the file; memory is measured
with tracemalloc (NumPy's allocations are traced) around the import alone.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from PIL import Image

from neuroviz.io.dataset_import import DatasetImportError, import_csv, import_folder, import_npz, load_image
from neuroviz.io.limits import MAX_CLASSES

MB = 1024 * 1024


def peak_bytes(run: Callable[[], Any]) -> tuple[Any, int]:
    """``run()``'s result (or the exception it raised) and the peak traced memory it took."""
    tracemalloc.start()
    try:
        try:
            result: Any = run()
        except Exception as exc:  # the caller asserts on it
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(run: Callable[[], Any], match: str, max_mb: float = 16) -> DatasetImportError:
    """Assert ``run()`` raises a DatasetImportError matching ``match`` within ``max_mb`` of memory."""
    result, peak = peak_bytes(run)
    assert isinstance(result, DatasetImportError), result
    assert match in str(result), str(result)
    assert peak < max_mb * MB, f"{peak / MB:.1f} MB"
    return result


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging if the block blocks (a FIFO, /dev/zero)."""

    def expired(*_: object) -> None:
        raise AssertionError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------ images
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n0 0 moveto 8 8 lineto stroke\nshowpage\n%%EOF\n"


def test_a_postscript_file_named_png_is_never_handed_to_ghostscript(tmp_path, monkeypatch):
    from PIL import EpsImagePlugin

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("another program was started")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(subprocess, "check_call", forbidden)
    (tmp_path / "x.png").write_bytes(EPS)
    with pytest.raises(DatasetImportError, match=r"x\.png: not a readable PNG or JPEG"):
        load_image(tmp_path / "x.png", (8, 8))


def _png_header_only(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG signature and IHDR declaring ``width``×``height`` 8-bit grayscale, then ``body`` as IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_38_kb_png_of_39_million_pixels_is_refused_before_decoding(tmp_path):
    width = 39_000_000
    body = zlib.compress(b"\0" + bytes(width), 9)  # one scanline: filter byte, then the pixels
    data = _png_header_only(width, 1, body)
    assert len(data) < 60_000
    (tmp_path / "wide.png").write_bytes(data)
    refused(lambda: load_image(tmp_path / "wide.png", (8, 8)), "39,000,000×1 pixels; the limit is")


def test_pillows_own_bomb_limit_is_reported_the_same_way():
    refused(lambda: load_image(_png_header_only(20_000, 20_000), (8, 8)), "too large")


def test_a_large_but_allowed_image_is_resized_in_bounded_memory(tmp_path):
    buffer = io.BytesIO()
    Image.new("L", (16_000, 600), 255).save(buffer, "PNG")  # 9.6 M pixels, as wide as allowed
    result, peak = peak_bytes(lambda: load_image(buffer.getvalue(), (8, 8)))
    assert np.allclose(result, 1.0)
    assert peak < 40 * 9.6e6  # a few float64 copies of the image, not (H, h) weight matrices


# --------------------------------------------------------------------- CSV
def test_a_label_of_a_hundred_million_is_refused_at_once(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("0,0,0,0,0\n0,0,0,0,100000000\n")
    refused(lambda: import_csv(path, (2, 2)), "labels.csv: row 2: the label '100000000' is too large")
    path.write_text("0,0,0,0,0\n0,0,0,0,1e15\n")
    refused(lambda: import_csv(path, (2, 2)), f"classes 0 to {MAX_CLASSES - 1}")


def test_the_largest_allowed_label_imports(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(f"0,0,0,0,0\n0,0,0,0,{MAX_CLASSES - 1}\n")
    assert import_csv(path, (2, 2)).n_classes == MAX_CLASSES


def test_a_first_row_of_a_million_columns_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["0"] * 1_000_000) + "\n0,0,0,0,1\n")
    refused(lambda: import_csv(path, (2, 2)), "wide.csv: line 1 is longer than 1,000,000 characters")
    path.write_text(",".join(["0"] * 100_000) + "\n")
    refused(lambda: import_csv(path, (2, 2)), "row 1 has 100,000 columns; at most 4,096 pixels")


def test_a_csv_field_over_the_csv_modules_limit_is_an_import_error(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('0,0,0,"' + "9" * 200_000 + '",1\n')
    refused(lambda: import_csv(path, (2, 2)), "long.csv: not a readable CSV")


def test_a_csv_linked_to_dev_zero_is_refused_without_reading(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    with deadline(10):
        refused(lambda: import_csv(tmp_path / "zero.csv"), "zero.csv is a device, not a regular file")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    os.mkfifo(tmp_path / "pipe.npz")
    with deadline(10):
        refused(lambda: import_csv(tmp_path / "pipe.csv"), "pipe.csv is a pipe (FIFO), not a regular file")
        refused(lambda: import_npz(tmp_path / "pipe.npz"), "pipe.npz is a pipe (FIFO)")
        refused(lambda: load_image(tmp_path / "pipe.csv", (8, 8)), "pipe.csv is a pipe")


@pytest.mark.parametrize(("values", "expected"), [
    ("-5,-5,-5,-5", [0.0, 0.0, 0.0, 0.0]),  # constant: no range to divide by
    ("-1e308,1e308,0,1e308", [0.0, 1.0, 0.5, 1.0]),  # a range of 2e308 overflows float64
    ("-1.7976931348623157e308,1.7976931348623157e308,0,0", [0.0, 1.0, 0.5, 0.5]),
])
def test_rescaling_never_makes_nan(tmp_path, values, expected):
    path = tmp_path / "d.csv"
    path.write_text(f"{values},0\n{values},1\n")
    data = import_csv(path, (2, 2))
    assert np.isfinite(data.X).all() and data.X[0] == pytest.approx(expected)
    assert "rescaled" in data.notes[0]


def test_a_folder_name_that_is_not_utf8_imports_as_saveable_text(tmp_path):
    root = tmp_path / "data"
    for name in (b"cl\xffass", b"other"):
        folder = os.path.join(os.fsencode(root), name)
        os.makedirs(folder)
        Image.new("L", (4, 4), 128).save(os.path.join(folder, b"a.png").decode(errors="surrogateescape"))
    data = import_folder(root, (2, 2))
    assert data.class_names == ("cl\ufffdass", "other")
    for name in data.class_names:
        name.encode("utf-8")  # no lone surrogates


# --------------------------------------------------------------------- npz
def _npy(descr: str, shape: Any, body: bytes = b"") -> bytes:
    header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + body


def _npz(path, X: bytes, y: bytes | None = None, compress: int = zipfile.ZIP_STORED) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([0, 1]))
    with zipfile.ZipFile(path, "w", compress) as zf:
        zf.writestr("X.npy", X)
        zf.writestr("y.npy", buffer.getvalue() if y is None else y)


def test_a_compressed_bomb_npz_is_refused_from_its_header(tmp_path):
    # (100000, 71, 71) uint8 zeros compress to ~490 KB and would take 4.8 GB as float64
    _npz(tmp_path / "bomb.npz", _npy("|u1", (100_000, 71, 71)))
    refused(lambda: import_npz(tmp_path / "bomb.npz"), "5,041 pixels per image; at most 4,096")
    _npz(tmp_path / "bomb2.npz", _npy("|u1", (100_000, 64, 64)))
    refused(lambda: import_npz(tmp_path / "bomb2.npz"), "409,600,000 pixel values; the limit is 4,000,000")


def _valid_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, X=np.linspace(0, 1, 64 * 8).reshape(8, 64), y=np.arange(8) % 2)
    return buffer.getvalue()


def _patched(data: bytes, edit: Callable[[bytearray], None]) -> bytes:
    out = bytearray(data)
    edit(out)
    return bytes(out)


def _local_header(data: bytes | bytearray) -> int:
    return data.index(b"PK\x03\x04")


def _central_entry(data: bytes | bytearray) -> int:
    return data.index(b"PK\x01\x02")


def _set_u16(offset_of: Callable[[bytearray], int], field: int, value: int) -> Callable[[bytearray], None]:
    def edit(b: bytearray) -> None:
        at = offset_of(b) + field
        b[at:at + 2] = struct.pack("<H", value)
    return edit


def _both(*edits: Callable[[bytearray], None]) -> Callable[[bytearray], None]:
    def edit(b: bytearray) -> None:
        for e in edits:
            e(b)
    return edit


def _corrupt_deflate(b: bytearray) -> None:
    at = _local_header(b) + 30 + struct.unpack("<H", b[_local_header(b) + 26:_local_header(b) + 28])[0]
    b[at:at + 40] = b"\xff" * 40


MALFORMED_NPZ = {
    # what each raised before the fix
    "OverflowError": lambda p: _npz(p, _npy("<f8", (2, 10**20))),
    "TypeError": lambda p: _npz(p, _npy("<f8", (None, 4))),
    "MemoryError": lambda p: _npz(p, _npy("<f8", (10**5, 10**9))),
    "zlib.error": lambda p: p.write_bytes(_patched(_valid_npz(), _corrupt_deflate)),
    "RuntimeError (encrypted)": lambda p: p.write_bytes(_patched(_valid_npz(), _both(
        _set_u16(_local_header, 6, 1), _set_u16(_central_entry, 8, 1)))),
    "NotImplementedError (compression)": lambda p: p.write_bytes(_patched(_valid_npz(), _both(
        _set_u16(_local_header, 8, 6), _set_u16(_central_entry, 10, 6)))),
    "truncated archive": lambda p: p.write_bytes(_valid_npz()[:-30]),
    "ValueError (N, 0, 5)": lambda p: np.savez(p, X=np.zeros((2, 0, 5)), y=np.array([0, 1])),
    "bad dtype": lambda p: _npz(p, _npy("<q8", (2, 4))),
    "long double": lambda p: _npz(p, _npy("<f16", (2, 4), bytes(128))),
    "nested header": lambda p: _npz(p, b"\x93NUMPY\x01\x00" + struct.pack("<H", 3000) + b"(" * 3000),
    "huge table of contents": lambda p: p.write_bytes(_patched(_valid_npz(), lambda b: b.__setitem__(
        slice(b.rindex(b"PK\x05\x06") + 12, b.rindex(b"PK\x05\x06") + 16), struct.pack("<I", 10**8)))),
}


@pytest.mark.parametrize("kind", list(MALFORMED_NPZ))
def test_every_malformed_npz_raises_only_the_import_error(tmp_path, kind):
    path = tmp_path / "bad.npz"
    MALFORMED_NPZ[kind](path)
    refused(lambda: import_npz(path, (8, 8)), "bad.npz")


def test_the_valid_npz_used_above_imports(tmp_path):
    (tmp_path / "ok.npz").write_bytes(_valid_npz())
    assert len(import_npz(tmp_path / "ok.npz", (8, 8))) == 8


def test_npz_labels_are_classes(tmp_path):
    np.savez(tmp_path / "y.npz", X=np.zeros((2, 4)), y=np.array([0, 10**15]))
    refused(lambda: import_npz(tmp_path / "y.npz", (2, 2)), "is too large; labels are classes 0 to 999")


def test_an_import_from_a_long_file_name_can_be_saved(tmp_path):
    from neuroviz.core.network import Network
    from neuroviz.core.trainer import Trainer
    from neuroviz.io import snapshot

    path = tmp_path / ("d" * 240 + ".csv")
    path.write_text("0,0,0,0,0\n1,1,1,1,1\n0,1,0,1,0\n1,0,1,0,1\n")
    ds = import_csv(path, (2, 2)).to_dataset()
    network = Network.create((4, 2))
    trainer = Trainer(network, ds, 0.1, 1)
    state = snapshot.Snapshot(network, ds, trainer.state_dict(), ds.X[0], 0, trainer.step(), "long")
    assert snapshot.loads(snapshot.encode(state)).dataset.name == ds.name and len(ds.name) == 200


def test_a_class_folder_is_not_listed_past_the_limit(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(5):
            Image.new("L", (2, 2)).save(tmp_path / name / f"{i}.png")
    with pytest.raises(DatasetImportError, match="the folder 'a' holds more than 3 files"):
        import_folder(tmp_path, (2, 2), max_rows=3)


def test_a_csv_of_line_breaks_is_refused_after_the_row_limit(tmp_path):
    path = tmp_path / "breaks.csv"
    path.write_text("\n" * 50 + "0,0,0,0,0\n1,1,1,1,1\n" + "\n" * 20)
    assert len(import_csv(path, (2, 2), max_rows=100)) == 2  # some empty rows are fine
    path.write_text("\n" * 101 + "0,0,0,0,0\n1,1,1,1,1\n")
    refused(lambda: import_csv(path, (2, 2), max_rows=100), "breaks.csv has more than 100 empty rows")
