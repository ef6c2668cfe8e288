"""The headless command line: info, step and export of snapshots, with no display."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "io"))
from snapshot_helpers import paper_snapshot, small_trained_snapshot

from neuroviz import cli
from neuroviz.io import snapshot
from neuroviz.model import EXAMPLE_TITLES

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def clean_env() -> dict[str, str]:
    """The environment of a machine without a display (and without Qt's platform variable)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neuroviz", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    snapshot.save(folder / "small.nvz.json", small_trained_snapshot())
    snapshot.save(folder / "paper.nvz.json", paper_snapshot())
    (folder / "broken.nvz.json").write_text('{"format": "neuroviz-snapshot", "version": 7}')
    return folder


def test_info_prints_architecture_step_and_loss_without_qt(files):
    out = run("info", "small.nvz.json", cwd=files)
    assert out.returncode == 0, out.stderr
    assert "64-5-2: hidden relu, output none, cross-entropy loss" in out.stdout
    assert "step 301, epoch 1" in out.stdout
    loss = snapshot.load(files / "small.nvz.json").trainer_state["history_values"][-1]
    from neuroviz.core.numbers import fmt

    assert f"Loss         {fmt(loss)} (last update)" in out.stdout


def test_info_and_step_do_not_import_qt(files):
    code = (
        "import sys\n"
        "from neuroviz import cli\n"
        "assert cli.main(['info', 'small.nvz.json']) == 0\n"
        "assert cli.main(['step', 'small.nvz.json']) == 0\n"
        "assert cli.main(['step', '--preset', 'paper-figure-4', '--json']) == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print('QT:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=files, env=clean_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("QT:")


def test_info_json(files):
    out = run("info", "paper.nvz.json", "--json", cwd=files)
    info = json.loads(out.stdout)
    assert info["architecture"] == "4-3-2" and info["trainer"]["step"] == 1
    assert info["dataset"]["name"] == "paper-figure-4" and info["last_update"]["samples"] == 1


def test_step_from_a_snapshot_equals_the_trainers_next_update(files, tmp_path):
    out = run("step", str(files / "small.nvz.json"), "--json", "--save", str(tmp_path / "after.nvz.json"),
              cwd=files)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    _, trainer = snapshot.load(files / "small.nvz.json").build()
    expected = trainer.step()
    assert printed["loss"] == expected.loss
    assert np.array_equal(np.array(printed["weights_after"][1]), expected.weights_after[1])
    after = snapshot.load(tmp_path / "after.nvz.json")
    assert after.trainer_state["step"] == 302
    assert np.array_equal(after.network.weights[0], trainer.network.weights[0])


def test_step_on_input_of_the_paper_example_prints_tables(files):
    out = run("step", "paper.nvz.json", "--on-input", cwd=files)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Forward\n  layer b:")
    assert "Updates (η = 0.01)" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("info", "missing.nvz.json"), "cannot open missing.nvz.json: cannot read the file"),
        (("info", "broken.nvz.json"), "version: the file has format version 7, newer than this program reads"),
        (("step", "small.nvz.json", "--preset", "paper-figure-4"), "either a SNAPSHOT or --preset"),
        (("step", "small.nvz.json", "--lr", "-1"), "learning rate must be a finite number above 0"),
        (("step", "--on-input"), "--on-input needs a SNAPSHOT"),
        (("export", "small.nvz.json"), "nothing to export"),
        (("export", "small.nvz.json", "--png", "x.png", "--size", "big"), "--size must look like 1200x800"),
        (("export", "small.nvz.json", "--png", "x.png", "--size", "0x10"), "--size must be from 1x1"),
        (("export", "small.nvz.json", "--npz", "no/such/folder/p.npz"), "cannot write"),
    ],
)
def test_errors_are_one_clear_line(files, monkeypatch, capsys, args, message):
    monkeypatch.chdir(files)
    assert cli.main(list(args)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"neuroviz {args[0]}: error: ") and message in err
    assert err.count("\n") == 1


def test_errors_reach_the_shell_without_a_traceback(files):
    out = run("info", "broken.nvz.json", cwd=files)
    assert out.returncode == 2 and "newer than this program reads" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("command", ["info", "step", "export"])
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: neuroviz {command}" in capsys.readouterr().out


def test_export_titles_its_pictures_and_names_a_missing_folder(files, tmp_path):
    out = run("export", str(files / "small.nvz.json"), "--svg", "t.svg", "--title", "Run 3 · after 300 updates",
              "--size", "640x480", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    texts = "".join("".join(t.itertext()) for t in ET.parse(tmp_path / "t.svg").getroot().iter(f"{SVG}text"))
    assert "Run 3 · after 300 updates" in texts
    out = run("export", str(files / "small.nvz.json"), "--png", str(tmp_path / "nowhere" / "x.png"), cwd=tmp_path)
    assert out.returncode == 2 and f"the folder {tmp_path / 'nowhere'} does not exist" in out.stderr


def test_export_writes_pictures_and_tables_without_a_display(files, tmp_path):
    out = run("export", str(files / "small.nvz.json"), "--png", "out.png", "--svg", "out.svg", "--csv", "trace.csv",
              "--loss-csv", "loss.csv", "--loss-png", "loss.png", "--loss-svg", "loss.svg", "--npz", "p.npz",
              "--size", "640x480", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "wrote trace.csv"
    assert "propagateSizeHints" not in out.stderr  # Qt's platform chatter never reaches the terminal
    png = (tmp_path / "out.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (640, 480)
    loss_png = (tmp_path / "loss.png").read_bytes()
    assert (int.from_bytes(loss_png[16:20], "big"), int.from_bytes(loss_png[20:24], "big")) == (640, 480)
    root = ET.parse(tmp_path / "out.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}polyline")) == 64 * 5 + 5 * 2  # one per drawn edge
    ET.parse(tmp_path / "loss.svg")
    rows = list(csv.reader(io.StringIO((tmp_path / "trace.csv").read_text("utf-8"))))
    assert len(rows) == 1 + 64 * 5 + 5 * 2 + 5 + 2
    assert len((tmp_path / "loss.csv").read_text().splitlines()) == 1 + 301
    with np.load(tmp_path / "p.npz") as data:
        assert data["weights_1"].shape == (2, 5)


def test_export_csv_needs_a_recorded_update(files, tmp_path, monkeypatch, capsys):
    snap = snapshot.load(files / "small.nvz.json")
    snapshot.save(tmp_path / "no-trace.nvz.json", snapshot.Snapshot(snap.network, snap.dataset, snap.trainer_state,
                                                                    snap.input, snap.target, None, "no trace"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "no-trace.nvz.json", "--csv", "t.csv"]) == 2
    assert "holds no update" in capsys.readouterr().err
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.parametrize("name", list(EXAMPLE_TITLES))
def test_step_preset_knows_every_example_the_window_has(name, capsys):
    assert cli.main(["step", "--preset", name, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    from neuroviz.model.examples import example

    ex = example(name)
    probs = np.asarray(out["probs"])
    assert probs.shape[-1] == ex.network.sizes[-1]  # the example's own network
    assert probs.size == ex.network.sizes[-1] * (ex.batch_size if name.startswith("plane-") else 1)


def test_a_screenshot_leaves_the_users_settings_alone(tmp_path):
    env = {**clean_env(), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "neuroviz", "--screenshot", "shot.png", "--size", "800x600"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "propagateSizeHints" not in done.stderr  # Qt's platform chatter never reaches the terminal
    assert (tmp_path / "shot.png").exists()
    assert not (tmp_path / "config").exists() and not (tmp_path / "data").exists()
