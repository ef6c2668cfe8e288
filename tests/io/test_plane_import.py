"""Importing points of the plane from a CSV: columns, header, test flags, and errors naming the line."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.io.import_errors import DatasetImportError
from neuroviz.io.plane_import import import_plane_csv


def write(tmp_path, text: str, name: str = "points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_without_a_header_are_x1_x2_label(tmp_path):
    read = import_plane_csv(write(tmp_path, "0.5,-1,0\n2,3.25,1\n\n-4,0,1\n"), regression=False)
    np.testing.assert_array_equal(read.points, [[0.5, -1.0], [2.0, 3.25], [-4.0, 0.0]])
    np.testing.assert_array_equal(read.values, [0, 1, 1])
    assert read.values.dtype == np.int64
    assert read.is_test is None and read.notes == ()


def test_a_header_names_the_columns_in_any_order_with_a_test_flag(tmp_path):
    read = import_plane_csv(write(tmp_path, "value, test, x2, x1\n0.25,train,1,2\n-3.5,TRUE,4,5\n"),
                            regression=True)
    np.testing.assert_array_equal(read.points, [[2.0, 1.0], [5.0, 4.0]])
    np.testing.assert_array_equal(read.values, [0.25, -3.5])
    np.testing.assert_array_equal(read.is_test, [False, True])
    assert read.notes == ("line 1 was read as column names",)


@pytest.mark.parametrize(("text", "regression", "message"), [
    ("1,2,0\n1,2,3\n", False, "points.csv, line 2: the label '3' is not a class 0 or 1"),
    ("1,2,0\n1,x,1\n", False, "points.csv, line 2: x2 'x' is not a number"),
    ("1,2,0.5\n\n1,2\n", True, "points.csv, line 3 has 2 columns; expected 3"),
    ("1,2,0.5,maybe\n", True, "points.csv, line 1: the test flag 'maybe' is not"),
    ("1,2,nan\n", True, "points.csv, line 1: the value 'nan' is not finite"),
    ("1e9,2,0\n", False, "points.csv, line 1: x1 = 1e9 is outside"),
    ("a,b,c\n1,2,0\n", False, "points.csv, line 1: the column names a, b, c name no x1 column"),
    ("x1,x2,label\n", False, "points.csv has column names but no points"),
    ("1,2,0,1\n", False, "every point is a test point"),
    ("1,2\n", False, "points.csv, line 1 has 2 columns; expected 3 (x1, x2, label) or 4"),
    ("1,2,0\nx1,x2,label\n", False, "points.csv, line 2: x1 'x1' is not a number"),
])
def test_bad_rows_get_an_error_naming_the_line(tmp_path, text, regression, message):
    with pytest.raises(DatasetImportError) as err:
        import_plane_csv(write(tmp_path, text), regression)
    assert message in str(err.value)


def test_the_number_of_points_is_bounded(tmp_path):
    path = write(tmp_path, "".join(f"{i},0,{i % 2}\n" for i in range(6)))
    with pytest.raises(DatasetImportError, match="more than 5 points"):
        import_plane_csv(path, regression=False, max_rows=5)
    assert len(import_plane_csv(path, regression=False, max_rows=6).points) == 6


def test_an_empty_file_and_a_folder_are_refused(tmp_path):
    with pytest.raises(DatasetImportError, match="is empty"):
        import_plane_csv(write(tmp_path, ""), regression=False)
    with pytest.raises(DatasetImportError, match="not a regular file"):
        import_plane_csv(tmp_path, regression=False)
