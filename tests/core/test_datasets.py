"""Built-in datasets: seeded, balanced, values in [0, 1] with white = 1, any image size, splits."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.datasets import (
    BUILTIN_DATASETS,
    Dataset,
    builtin_dataset,
    circles_vs_squares,
    digits,
    split_mask,
)


def test_circles_vs_squares_defaults():
    ds = circles_vs_squares()
    assert ds.name == "circles-squares"
    assert ds.X.shape == (2000, 64) and ds.y.shape == (2000,)
    assert ds.image_shape == (8, 8)
    assert ds.class_names == ("circle", "square")
    assert ds.X.dtype == np.float64 and ds.y.dtype == np.int64
    assert np.bincount(ds.y).tolist() == [1000, 1000]
    assert ds.X.min() == 0.0 and ds.X.max() <= 1.0


def test_shapes_are_bright_on_black():
    """White = 1, black = 0: every image has a dark background and a bright shape of brightness 0.6-1."""
    ds = circles_vs_squares(400, seed=3)
    peaks = ds.X.max(axis=1)
    assert peaks.min() >= 0.6 and peaks.max() <= 1.0
    assert (ds.X == 0).mean() > 0.3  # mostly background
    lit = ds.X > 0
    # Within one image the shape has a single brightness (no noise).
    assert all(np.unique(img[mask]).size == 1 for img, mask in zip(ds.X, lit))
    # Filled and outlined shapes both occur, for both classes.
    filled_fraction = lit.sum(axis=1)
    for k in (0, 1):
        counts = filled_fraction[ds.y == k]
        assert counts.min() < 0.6 * counts.max()


def test_squares_are_axis_aligned_rectangles_of_equal_sides():
    ds = circles_vs_squares(200, seed=5)
    for img in ds.X[ds.y == 1].reshape(-1, 8, 8):
        rows = np.flatnonzero(img.any(axis=1))
        cols = np.flatnonzero(img.any(axis=0))
        assert rows.size == cols.size >= 3
        assert rows.size == rows[-1] - rows[0] + 1  # contiguous
        box = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        assert box[0].all() and box[-1].all() and box[:, 0].all() and box[:, -1].all()


def test_circles_have_cut_corners():
    ds = circles_vs_squares(200, seed=6)
    for img in ds.X[ds.y == 0].reshape(-1, 8, 8):
        rows = np.flatnonzero(img.any(axis=1))
        cols = np.flatnonzero(img.any(axis=0))
        box = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        corners = [box[0, 0], box[0, -1], box[-1, 0], box[-1, -1]]
        assert min(corners) == 0.0


def test_seeded():
    a, b, c = circles_vs_squares(50, seed=1), circles_vs_squares(50, seed=1), circles_vs_squares(50, seed=2)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.is_test, b.is_test)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("shape", [(4, 4), (5, 7), (12, 12), (16, 9), (28, 28)])
def test_any_image_size(shape):
    ds = circles_vs_squares(40, shape=shape, seed=1)
    assert ds.image_shape == shape
    assert ds.X.shape == (40, shape[0] * shape[1])
    assert ds.X.min() >= 0.0 and ds.X.max() <= 1.0
    assert (ds.X.max(axis=1) >= 0.6).all()  # every image shows its shape
    assert np.bincount(ds.y).tolist() == [20, 20]


def test_noise_option():
    clean = circles_vs_squares(60, seed=4)
    noisy = circles_vs_squares(60, seed=4, noise=0.2)
    assert noisy.X.min() >= 0.0 and noisy.X.max() <= 1.0
    assert not np.array_equal(clean.X, noisy.X)
    assert np.abs(noisy.X - clean.X).max() <= 0.2 + 1e-12
    assert (noisy.X[clean.X == 0] > 0).mean() > 0.3  # the background gets noise too


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"shape": (3, 8)}, "at least 4×4"),
    ({"n": 1}, "at least 2 samples"),
    ({"test_fraction": 1.0}, "test fraction"),
    ({"noise": -0.1}, "noise amplitude must be between 0 and 1"),
    ({"noise": float("nan")}, "noise amplitude"),
])
def test_bad_generator_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        circles_vs_squares(**kwargs)


def test_digits_are_scaled_to_unit_range():
    ds = digits()
    assert ds.name == "digits"
    assert ds.X.shape == (1797, 64) and ds.image_shape == (8, 8)
    assert ds.class_names == tuple("0123456789")
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0
    # The raw data are integers 0..16: scaled values are multiples of 1/16.
    np.testing.assert_array_equal(ds.X * 16, np.round(ds.X * 16))
    counts = np.bincount(ds.y)
    assert counts.size == 10 and counts.min() >= 170
    # A zero has a dark hole in the middle and a bright ring (white = 1 is ink).
    zero = ds.X[ds.y == 0].mean(axis=0).reshape(8, 8)
    assert zero[3:5, 3:5].mean() < 0.3 < zero[1:7, 1:7].mean()


@pytest.mark.parametrize("make", [circles_vs_squares, digits])
def test_train_test_split_is_stratified_disjoint_and_seeded(make):
    ds = make()
    train, test = ds.train_indices, ds.test_indices
    assert np.intersect1d(train, test).size == 0 and train.size + test.size == len(ds)
    assert test.size == pytest.approx(0.25 * len(ds), abs=ds.n_classes)
    for k in range(ds.n_classes):
        share = np.mean(ds.y_test == k) / np.mean(ds.y == k)
        assert share == pytest.approx(1.0, abs=0.05)
    np.testing.assert_array_equal(ds.X_train, ds.X[train])
    np.testing.assert_array_equal(ds.y_test, ds.y[test])
    again = ds.with_split(0.25, seed=0)
    np.testing.assert_array_equal(again.is_test, ds.is_test)
    other = ds.with_split(0.4, seed=1)
    assert other.test_indices.size == pytest.approx(0.4 * len(ds), abs=ds.n_classes)


def test_split_mask_validates():
    with pytest.raises(ValueError, match="test fraction"):
        split_mask(np.zeros(4, dtype=int), -0.1, 0)
    assert not split_mask(np.array([0, 1, 0, 1]), 0.0, 0).any()


def test_dataset_is_read_only_and_validated():
    ds = circles_vs_squares(10)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0
    with pytest.raises(ValueError, match=r"expected \(N, 4\) for 2×2 images"):
        Dataset("x", np.zeros((3, 5)), np.zeros(3), ("a",), (2, 2))
    with pytest.raises(ValueError, match=r"labels must lie in 0 \.\. 1"):
        Dataset("x", np.zeros((3, 4)), np.array([0, 1, 2]), ("a", "b"), (2, 2))
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        Dataset("x", np.zeros((3, 4)), np.array([0, 1]), ("a", "b"), (2, 2))


def test_with_added_appends_one_sample():
    ds = circles_vs_squares(10)
    bigger = ds.with_added(np.full(64, 0.5), 1, test=True)
    assert len(bigger) == 11 and bigger.y[-1] == 1 and bigger.is_test[-1]
    np.testing.assert_array_equal(bigger.X[:10], ds.X)
    assert len(ds) == 10


def test_builtin_by_name():
    assert set(BUILTIN_DATASETS) == {"circles-squares", "digits"}
    assert builtin_dataset("digits").n_classes == 10
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; choose one of circles-squares, digits"):
        builtin_dataset("mnist")


def test_builtin_datasets_are_shared_and_read_only():
    first = builtin_dataset("circles-squares")
    assert builtin_dataset("circles-squares") is first
    for array in (first.X, first.y, first.is_test):
        with pytest.raises(ValueError):
            array[0] = 0
    with pytest.raises(ValueError, match="unknown dataset"):
        builtin_dataset("cats")
