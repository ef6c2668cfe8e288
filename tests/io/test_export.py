"""Parameter .npz, loss-curve CSV and update-table CSV exports read back exactly."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.trainer import EpochMetrics
from neuroviz.core.update_table import CSV_HEADER
from neuroviz.io import export


def test_npz_holds_every_parameter_bit_for_bit_without_pickles(tmp_path):
    network = Network(NetworkConfig(sizes=(64, 16, 16, 2), seed=4))
    network.biases[1][3] = -0.0
    path = tmp_path / "params.npz"
    export.export_parameters_npz(path, network)
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["biases_0", "biases_1", "biases_2", "config", "sizes",
                                      "weights_0", "weights_1", "weights_2"]
        for l in range(3):
            assert data[f"weights_{l}"].tobytes() == network.weights[l].tobytes()
            assert data[f"weights_{l}"].shape == network.weights[l].shape
            assert data[f"biases_{l}"].tobytes() == network.biases[l].tobytes()
        assert data["sizes"].tolist() == [64, 16, 16, 2]
        assert json.loads(str(data["config"])) == network.config.to_dict()
    with zipfile.ZipFile(path) as zf:  # plain .npy members, none of them object arrays
        for name in zf.namelist():
            header = zf.read(name)[:128]
            assert b"'descr': '|O'" not in header and b"'descr': 'O'" not in header


def test_loss_curve_csv_has_one_row_per_update_and_epoch_metrics():
    steps = np.arange(1, 6)
    losses = np.array([0.7, 0.6, 0.1 + 0.2, 0.4, 1e-300])
    epochs = [EpochMetrics(1, 3, 0.5, math.nan, 0.75, math.nan)]
    rows = list(csv.reader(io.StringIO(export.loss_curves_csv(steps, losses, epochs))))
    assert tuple(rows[0]) == export.LOSS_CSV_HEADER
    assert [int(r[0]) for r in rows[1:]] == [1, 2, 3, 4, 5]
    assert [float(r[1]) for r in rows[1:]] == losses.tolist()  # exact
    assert rows[3][2:] == ["1", "0.5", "", "0.75", ""]
    assert rows[2][2:] == ["", "", "", "", ""]


def test_update_table_csv_of_the_paper_example(tmp_path):
    preset = paper_figure_4()
    trace = preset.network.step(preset.inputs, preset.label, 0.01)
    path = tmp_path / "update.csv"
    export.export_update_table_csv(path, trace)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    assert tuple(rows[0].keys()) == CSV_HEADER
    assert len(rows) == 12 + 6 + 3 + 2
    by_label = {r["parameter"]: r for r in rows}
    row = by_label["θ^{cb}_{11}"]
    assert float(row["gradient"]) == pytest.approx(-0.12, abs=1e-12)
    assert float(row["new"]) == pytest.approx(0.8012, abs=1e-12)
    assert float(row["old"]) == trace.weights_before[1][0, 0]
