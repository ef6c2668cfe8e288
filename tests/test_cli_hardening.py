"""Issue 13 on the command line: output a file cannot forge, strict JSON, and no silent non-saves."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "io"))
from snapshot_helpers import paper_snapshot
from test_snapshot_hardening import _huge_weight_snapshot

from neuroviz import cli
from neuroviz.core.datasets import Dataset
from neuroviz.io import snapshot
from neuroviz.io.snapshot import Snapshot


def strict_json(text: str) -> object:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _save(path: Path, snap: Snapshot) -> str:
    snapshot.save(path, snap)
    return str(path)


def test_info_escapes_control_characters_in_titles_and_class_names(tmp_path, capsys):
    base = paper_snapshot()
    forged = "\x1b[2J\x1b[31mFile         evil.nvz.json\r\nTitle"
    ds = Dataset(base.dataset.name + "\u202e", base.dataset.X, base.dataset.y, ("cir\x07cle", "sq\nuare"),
                 base.dataset.image_shape)
    snap = Snapshot(base.network, ds, base.trainer_state, base.input, base.target, base.last_trace, forged)
    assert cli.main(["info", _save(tmp_path / "t.nvz.json", snap)]) == 0
    out = capsys.readouterr().out
    assert not any(ord(c) < 32 and c != "\n" for c in out) and "\u202e" not in out
    keys = [line.split("  ")[0] for line in out.splitlines()]  # one line per row: nothing broke a line
    assert keys == ["File", "Title", "Network", "Data set", "Training", "Loss", "Last epoch", "Last update"]
    assert r"\x1b[2J\x1b[31mFile         evil.nvz.json\x0d\x0aTitle" in out
    assert r"cir\x07cle, sq\x0auare" in out and r"\u202e" in out


def test_info_json_is_strict_json_even_for_huge_losses(tmp_path, capsys):
    base = paper_snapshot()
    state = {**base.trainer_state, "history_steps": list(range(1, 101)), "history_values": [1.7e308] * 100,
             "history_penalties": [0.0] * 100,
             "step": 100}
    snap = Snapshot(base.network, base.dataset, state, base.input, base.target, base.last_trace, "huge")
    assert cli.main(["info", _save(tmp_path / "h.nvz.json", snap), "--json"]) == 0
    info = strict_json(capsys.readouterr().out)
    assert info["mean_loss_last_100"] == pytest.approx(1.7e308)  # it overflowed to Infinity before


def test_non_finite_numbers_in_info_json_become_null_with_a_note():
    out = strict_json(cli.info_to_json({"loss": float("inf"), "last_epoch": {"test_loss": float("nan")}}))
    assert out == {"loss": None, "last_epoch": {"test_loss": None},
                   "notes": ["loss is inf, written as null", "last_epoch.test_loss is nan, written as null"]}


def test_step_save_with_an_empty_name_is_an_error(tmp_path, capsys, monkeypatch):
    path = _save(tmp_path / "p.nvz.json", paper_snapshot())
    monkeypatch.chdir(tmp_path)
    assert cli.main(["step", path, "--save", ""]) == 2
    assert "--save needs a file name" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nvz.json"]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_a_step_on_huge_weights_is_refused_instead_of_printing_infinity(tmp_path, capsys, activation):
    path = _save(tmp_path / "huge.nvz.json", _huge_weight_snapshot(activation))
    out_path = tmp_path / "after.nvz.json"
    assert cli.main(["step", path, "--json", "--save", str(out_path)]) == 2
    captured = capsys.readouterr()
    assert "overflowed to infinity" in captured.err and "Infinity" not in captured.out
    assert not out_path.exists()


def test_save_errors_name_the_file_given(tmp_path, capsys):
    path = _save(tmp_path / "p.nvz.json", paper_snapshot())
    (tmp_path / "folder").mkdir()
    assert cli.main(["step", path, "--save", str(tmp_path / "folder")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {tmp_path / 'folder'}: it is a folder, not a regular file" in err
    assert np.array_equal(snapshot.load(path).network.weights[0], paper_snapshot().network.weights[0])
