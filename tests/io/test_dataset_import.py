"""Dataset import: good folders, CSVs and .npz files load; each bad file gets its message."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from PIL import Image

from neuroviz.io.dataset_import import (
    DatasetImportError,
    area_resize,
    import_csv,
    import_folder,
    import_npz,
    import_path,
    load_image,
)


# ------------------------------------------------------------- area resize
def test_area_resize_averages_blocks_exactly():
    img = np.arange(16, dtype=float).reshape(4, 4)
    out = area_resize(img, (2, 2))
    assert out == pytest.approx(np.array([[2.5, 4.5], [10.5, 12.5]]))


def test_area_resize_weights_partial_pixels():
    # 3 columns into 2: each output covers 1.5 input pixels.
    out = area_resize(np.array([[0.0, 1.0, 0.0]]), (1, 2))
    assert out == pytest.approx(np.array([[1 / 3, 1 / 3]]))
    # a constant image stays constant at any ratio, enlarging too
    assert area_resize(np.full((7, 13), 0.4), (8, 8)) == pytest.approx(np.full((8, 8), 0.4))
    assert area_resize(np.full((2, 3), 0.7), (8, 8)) == pytest.approx(np.full((8, 8), 0.7))


def test_area_resize_preserves_mean():
    img = np.random.default_rng(1).random((37, 23))
    assert area_resize(img, (8, 8)).mean() == pytest.approx(img.mean())


# ------------------------------------------------------------------ images
def _png(path, array, mode="L"):
    Image.fromarray((np.asarray(array) * 255).astype(np.uint8), mode="L").convert(mode).save(path)


def test_load_image_grayscale_and_resized(tmp_path):
    arr = np.zeros((16, 16))
    arr[:8, :8] = 1.0  # top-left quadrant white
    _png(tmp_path / "a.png", arr, "RGB")
    x = load_image(tmp_path / "a.png", (2, 2))
    assert x == pytest.approx([1.0, 0.0, 0.0, 0.0])


def test_transparent_pixels_count_as_black(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[:2, :, 3] = 255  # only the top half is opaque
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    assert load_image(tmp_path / "t.png", (2, 1)) == pytest.approx([1.0, 0.0])


def _class_folder(root, per_class=3, size=(20, 12)):
    for k, name in enumerate(("circle", "square")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            arr = np.full(size, 0.2 + 0.6 * k)
            ext = ".png" if i % 2 == 0 else ".jpg"
            _png(root / name / f"img{i}{ext}", arr)
    return root


def test_import_folder(tmp_path):
    root = _class_folder(tmp_path / "shapes")
    (root / "square" / "readme.txt").write_text("not an image")
    data = import_folder(root, (8, 8))
    assert data.class_names == ("circle", "square")
    assert data.X.shape == (6, 64) and data.image_shape == (8, 8)
    assert list(data.y) == [0, 0, 0, 1, 1, 1]
    assert data.X[0] == pytest.approx(np.full(64, 0.2), abs=0.01)
    assert data.X[-1] == pytest.approx(np.full(64, 0.8), abs=0.01)
    assert any("1 file(s)" in n for n in data.notes)
    ds = data.to_dataset()
    assert len(ds) == 6 and ds.is_test.any() and ds.name == "shapes"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda r: None, "0 subfolder"),
        (lambda r: (r / "only").mkdir(), "1 subfolder"),
        (lambda r: ((r / "a").mkdir(), (r / "b").mkdir()), "holds no PNG or JPEG"),
        (lambda r: _class_folder(r, per_class=1) and (r / "circle" / "bad.png").write_bytes(b"nope"),
         "bad.png: not a readable PNG or JPEG"),
        (lambda r: _class_folder(r, per_class=3), "more than 4 images"),
    ],
)
def test_bad_folders(tmp_path, make, message):
    root = tmp_path / "data"
    root.mkdir()
    make(root)
    with pytest.raises(DatasetImportError, match=message):
        import_folder(root, (8, 8), max_rows=4)


# --------------------------------------------------------------------- CSV
def _csv_rows(n=4, n_pix=4, scale=1.0):
    rng = np.random.default_rng(0)
    return [[*(rng.random(n_pix) * scale).round(3), i % 2] for i in range(n)]


def _write_csv(path, rows, header=None):
    lines = [",".join(header)] if header else []
    lines += [",".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_csv(tmp_path):
    rows = _csv_rows()
    path = _write_csv(tmp_path / "d.csv", rows, header=["p1", "p2", "p3", "p4", "label"])
    data = import_csv(path, (2, 2))
    assert pytest.approx(np.array([r[:4] for r in rows])) == data.X
    assert list(data.y) == [0, 1, 0, 1]
    assert data.image_shape == (2, 2) and data.class_names == ("0", "1")
    assert data.notes == ("row 1 was read as column names",)
    # numbered pixel columns with a named label column are a header too
    path = _write_csv(tmp_path / "e.csv", rows, header=["0", "1", "2", "3", "label"])
    assert np.array_equal(import_csv(path, (2, 2)).X, data.X)
    assert import_csv(_write_csv(tmp_path / "f.csv", rows), (2, 2)).notes == ()


def test_csv_square_of_other_size_is_read_as_that_size(tmp_path):
    path = _write_csv(tmp_path / "d.csv", _csv_rows(n_pix=9))
    assert import_csv(path, (8, 8)).image_shape == (3, 3)


def test_csv_values_outside_unit_range_are_rescaled_with_a_note(tmp_path):
    rows = [[0, 8, 16, 4, 0], [16, 16, 0, 0, 1]]
    data = import_csv(_write_csv(tmp_path / "d.csv", rows), (2, 2))
    assert data.X[0] == pytest.approx([0, 0.5, 1, 0.25])
    assert "rescaled" in data.notes[0] and "0 to 16" in data.notes[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "d.csv is empty"),
        ("a,b,c,d,label\n", "header but no data rows"),
        ("0,0,0,0,1\n0,0,0,1\n", "row 2 has 4 columns; expected 5"),
        ("0,0,0,0,0,0,1\n", "row 1 has 7 columns; expected 5"),
        ("0,0,0,0,1\n0,zero,0,0,0\n", r"row 2, column 2: 'zero' is not a number"),
        ("0,0,0,0,1\n0,0,0,0,1.5\n", "the label '1.5' is not an integer"),
        ("0,0,0,0,1\n0,0,0,0,cat\n", "the label 'cat' is not an integer"),
        ("0,0,0,0,1\n0,0,0,0,-1\n", "negative"),
        ("0,0,0,0,1\n0,0,0,0,0\n0,0,0,0,1\n0,0,0,0,0\n", "more than 3 rows"),
        ("0,0,0,0,0\n1,1,1,1,0\n", "at least 2 classes"),
        ("0,nan,0,0,1\n0,0,0,0,0\n", "NaN or infinity"),
    ],
)
def test_bad_csv(tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(DatasetImportError, match=message):
        import_csv(path, (2, 2), max_rows=3)


def test_binary_file_as_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(DatasetImportError, match="not a text file"):
        import_csv(path)


# --------------------------------------------------------------------- npz
def test_import_npz_flat_and_3d(tmp_path):
    X = np.random.default_rng(0).random((5, 2, 3))
    y = np.array([0, 1, 2, 1, 0])
    np.savez(tmp_path / "a.npz", X=X, y=y)
    data = import_npz(tmp_path / "a.npz")
    assert data.image_shape == (2, 3) and pytest.approx(X.reshape(5, 6)) == data.X
    assert data.class_names == ("0", "1", "2")
    np.savez_compressed(tmp_path / "b.npz", X=X.reshape(5, 6) * 255, y=y.astype(float))
    data = import_npz(tmp_path / "b.npz", (2, 3))
    assert pytest.approx(X.reshape(5, 6) * 255 / (X.max() * 255)) == data.X
    assert data.notes and "rescaled" in data.notes[0]


def _lying_npz(path, shape):
    """An .npz whose X header claims ``shape`` but which holds 8 bytes of data."""
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", buf.getvalue() + b"\0" * 8)
        y = io.BytesIO()
        np.save(y, np.array([0, 1]))
        zf.writestr("y.npy", y.getvalue())


def test_npz_with_lying_header_is_refused_before_allocating(tmp_path):
    _lying_npz(tmp_path / "big.npz", (100_000, 100_000))
    with pytest.raises(DatasetImportError, match="100,000 pixels per image; at most 4,096"):
        import_npz(tmp_path / "big.npz")
    _lying_npz(tmp_path / "many.npz", (100_000, 64))
    with pytest.raises(DatasetImportError, match="6,400,000 pixel values; the limit is 4,000,000"):
        import_npz(tmp_path / "many.npz")
    _lying_npz(tmp_path / "mid.npz", (2, 64))
    with pytest.raises(DatasetImportError, match="damaged"):
        import_npz(tmp_path / "mid.npz")


def test_npz_object_array_is_refused(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([[0.0] * 4, [1.0] * 4], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DatasetImportError, match="Python objects"):
        import_npz(tmp_path / "o.npz", (2, 2))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X": np.zeros((3, 4))}, "no array 'y'"),
        ({"X": np.zeros((3, 4)), "y": np.array([0, 1])}, "X has 3 images but y has 2 labels"),
        ({"X": np.zeros((2, 4)), "y": np.array([0.0, 0.5])}, "the label 0.5 is not an integer"),
        ({"X": np.zeros((2, 5)), "y": np.array([0, 1])}, "X has 5 columns"),
        ({"X": np.zeros((0, 4)), "y": np.zeros(0, int)}, "holds no samples"),
        ({"X": np.zeros((2, 4)), "y": np.array(["a", "b"])}, "numbers are needed"),
        ({"X": np.zeros((9, 4)), "y": np.arange(9) % 2}, "at most 5"),
        ({"X": np.array([[0, np.inf, 0, 0], [0, 0, 0, 0]]), "y": np.array([0, 1])}, "NaN or infinity"),
    ],
)
def test_bad_npz(tmp_path, arrays, message):
    np.savez(tmp_path / "a.npz", **arrays)
    with pytest.raises(DatasetImportError, match=message):
        import_npz(tmp_path / "a.npz", (2, 2), max_rows=5)


def test_empty_and_non_zip_npz(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    with pytest.raises(DatasetImportError, match="is empty"):
        import_npz(tmp_path / "e.npz")
    (tmp_path / "t.npz").write_text("hello")
    with pytest.raises(DatasetImportError, match="not a zip archive"):
        import_npz(tmp_path / "t.npz")


def test_import_path_dispatches_and_rejects_other_files(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.eye(4), y=np.array([0, 1, 0, 1]))
    assert len(import_path(tmp_path / "a.npz", (2, 2))) == 4
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(DatasetImportError, match="choose a folder"):
        import_path(tmp_path / "x.txt")
    with pytest.raises(DatasetImportError, match="does not exist"):
        import_path(tmp_path / "missing.csv")


def test_import_module_loads_no_qt():
    import subprocess
    import sys

    code = ("import sys, neuroviz.io.dataset_import\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_folder_import_reports_progress_and_can_be_cancelled(tmp_path):
    root = _class_folder(tmp_path / "shapes", per_class=4)
    seen: list[tuple[int, int]] = []
    data = import_folder(root, (8, 8), progress=lambda done, total: seen.append((done, total)) or True)
    assert seen == [(i, 8) for i in range(8)] and len(data) == 8
    with pytest.raises(DatasetImportError, match="import cancelled after 3 of 8 images"):
        import_path(root, (8, 8), progress=lambda done, total: done < 3)
