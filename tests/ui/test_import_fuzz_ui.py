"""Fuzzing import through the data browser: a file that fails to import leaves the data and network as they were."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "io"))
from test_import_fuzz import mutate, mutations

from neuroviz.ui.data_browser import DataBrowser

ROWS = np.random.default_rng(0).random((6, 64)).round(3)
VALID = {"csv": "".join(",".join(map(str, r)) + f",{i % 2}\n" for i, r in enumerate(ROWS)).encode()}
_buffer = io.BytesIO()
np.savez_compressed(_buffer, X=ROWS.reshape(6, 8, 8) * 255, y=np.arange(6) % 2)
VALID["npz"] = _buffer.getvalue()
"""Files that fit the model's 64-16-16-2 network, so that an import that succeeds replaces the data."""

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(kind=st.sampled_from(["csv", "npz"]), ops=mutations)
def test_a_failed_import_changes_nothing(show, model, tmp_path, kind, ops):
    browser = getattr(model, "_fuzz_browser", None)
    if browser is None:
        browser = model._fuzz_browser = show(DataBrowser(model), (360, 260))
        browser.confirm = lambda title, text: False  # never replace the network
    path = tmp_path / f"fuzz.{kind}"
    path.write_bytes(mutate(VALID[kind], ops))
    dataset, params = model.dataset, model.network.flat_params().copy()
    if browser.import_from(path):
        X = model.dataset.X
        assert model.dataset is not dataset and np.isfinite(X).all() and X.min() >= 0 and X.max() <= 1
    else:
        assert model.dataset is dataset and np.array_equal(model.network.flat_params(), params)
        assert browser.message.text()


def test_the_unmutated_files_do_import(show, model, tmp_path):
    browser = show(DataBrowser(model), (360, 260))
    for kind, data in VALID.items():
        (tmp_path / f"ok.{kind}").write_bytes(data)
        before = model.dataset
        assert browser.import_from(tmp_path / f"ok.{kind}") and model.dataset is not before
