"""Regression tests of issue 13's snapshot and saving defects: everything that opens saves, and the reverse."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from snapshot_helpers import paper_snapshot

from neuroviz.core.datasets import Dataset
from neuroviz.core.network import DivergenceError, Network
from neuroviz.core.trainer import Trainer
from neuroviz.io import atomic, snapshot
from neuroviz.io.limits import MAX_PARAMETERS, parameter_count
from neuroviz.io.snapshot import Snapshot, SnapshotError

ROOT = Path(__file__).resolve().parents[2]
VALID_DOC = json.loads(snapshot.dumps(paper_snapshot()))


def with_field(path: tuple, value: object) -> str:
    doc = json.loads(json.dumps(VALID_DOC))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return json.dumps(doc)


# --------------------------------------------------------------- validation
@pytest.mark.parametrize("text", ["0x-1", "0x 1", "0x+1", "0x_1", "0X1", "0x", " 0x1", "0x1 "])
def test_malformed_hex_generator_states_are_refused(text):
    for key in ("state", "inc"):
        with pytest.raises(SnapshotError, match=f"trainer.rng.{key}: expected a hexadecimal number"):
            snapshot.loads(with_field(("trainer", "rng", key), text))


@pytest.mark.parametrize("path", [("title",), ("dataset", "class_names", 0), ("dataset", "name")])
def test_lone_surrogates_are_refused_because_they_could_never_be_saved(path):
    text = with_field(path, "a\ud800b")  # json.dumps writes it as the escape \ud800
    assert "\\ud800" in text
    with pytest.raises(SnapshotError, match="lone surrogate"):
        snapshot.loads(text)


def test_a_duplicate_key_is_not_echoed_whole():
    key = "k" * 10_000
    with pytest.raises(SnapshotError, match="appears twice") as info:
        snapshot.loads(f'{{"{key}": 1, "{key}": 2}}')
    assert len(str(info.value)) < 200


def test_a_dense_unknown_field_is_refused_before_parsing_in_bounded_memory():
    # 250 MB of this took 6.5 GB to parse; the estimate refuses it from character counts
    dense = "[" + ",".join(["[]"] * 3_000_000) + "]"
    text = with_field(("unknown",), 0).replace('"unknown": 0', f'"unknown": {dense}')
    tracemalloc.start()
    try:
        with pytest.raises(SnapshotError, match="too dense to read safely"):
            snapshot.loads(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(text)


def test_a_large_field_of_numbers_still_opens():
    numbers = "[" + ", ".join(["0.5"] * 200_000) + "]"
    text = with_field(("unknown",), 0).replace('"unknown": 0', f'"unknown": {numbers}')
    assert snapshot.loads(text).title == "Paper, Figure 4"


# --------------------------------------------------------------- divergence
def _huge_weight_snapshot(activation: str) -> Snapshot:
    """The paper's network with tanh/sigmoid and one weight at 1e308: finite, but its raw values overflow."""
    snap = paper_snapshot()
    config = snap.network.config
    network = Network.create(config.sizes, hidden_activation=activation, output_activation="none",
                             loss=config.loss, init=config.init, seed=config.seed)
    weights = [w.copy() for w in snap.network.weights]
    weights[0][:] = 1e308
    network.set_params(weights, [b.copy() for b in snap.network.biases])
    trainer = Trainer(network, snap.dataset, 0.1, 1)
    return Snapshot(network, snap.dataset, trainer.state_dict(), snap.input, snap.target, None, "huge")


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_a_step_whose_trace_would_overflow_is_divergence_and_changes_nothing(activation):
    network, trainer = _huge_weight_snapshot(activation).build()
    before = network.flat_params().copy()
    with pytest.raises(DivergenceError, match="overflowed to infinity"):
        trainer.step()
    assert np.array_equal(network.flat_params(), before) and trainer.step_count == 0


# ----------------------------------------------------------- saving agrees
def test_save_refuses_a_network_open_would_refuse_and_writes_nothing(tmp_path):
    sizes = (64, 4096, 2)  # 274,434 parameters, under the limit: fine
    assert parameter_count(sizes) <= MAX_PARAMETERS
    too_big = (64, 4096, 200, 2)
    assert parameter_count(too_big) > MAX_PARAMETERS
    snap = paper_snapshot()
    ds = Dataset("wide", np.zeros((2, 64)), np.array([0, 1]), ("a", "b"), (8, 8))
    network = Network.create(too_big)
    trainer = Trainer(network, ds, 0.1, 1)
    state = Snapshot(network, ds, trainer.state_dict(), np.zeros(64), 0, None, snap.title)
    with pytest.raises(SnapshotError, match=r"cannot be saved so that it opens again.*parameters; the limit is"):
        snapshot.save(tmp_path / "big.nvz.json", state)
    assert not (tmp_path / "big.nvz.json").exists() and os.listdir(tmp_path) == []


def test_save_refuses_a_file_over_the_open_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "MAX_FILE_BYTES", 500)
    with pytest.raises(SnapshotError, match="over the 0 MB that Open accepts"):
        snapshot.save(tmp_path / "a.nvz.json", paper_snapshot())
    assert os.listdir(tmp_path) == []


def test_the_largest_network_the_dialogs_limit_allows_saves_after_a_step_and_reopens(tmp_path):
    # the widest 64-4096-k-2 network within MAX_PARAMETERS (the dialog's check is the same function)
    k = max(k for k in range(1, 4097) if parameter_count((64, 4096, k, 2)) <= MAX_PARAMETERS)
    sizes = (64, 4096, k, 2)
    assert MAX_PARAMETERS - parameter_count(sizes) < 4100
    from neuroviz.core.datasets import builtin_dataset

    ds = builtin_dataset("circles-squares")
    network = Network.create(sizes, seed=1)
    trainer = Trainer(network, ds, 0.01, 8)
    trace = trainer.step()
    snap = Snapshot(network, ds, trainer.state_dict(), ds.X[0].copy(), int(ds.y[0]), trace, "largest")
    path = tmp_path / "largest.nvz.json"
    snapshot.save(path, snap)
    assert path.stat().st_size <= snapshot.MAX_FILE_BYTES
    back = snapshot.load(path)
    assert back.network.sizes == sizes and back.last_trace is not None
    assert all(np.array_equal(a, b) for a, b in zip(back.network.weights, network.weights))


# ------------------------------------------------------------------ atomic
def test_saving_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    atomic.atomic_write_text(tmp_path / "link.txt", "new")
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "real.txt").read_text() == "new"
    (tmp_path / "dangling.txt").symlink_to("created.txt")
    atomic.atomic_write_text(tmp_path / "dangling.txt", "made")
    assert (tmp_path / "dangling.txt").is_symlink() and (tmp_path / "created.txt").read_text() == "made"


def test_saving_to_a_device_folder_or_fifo_is_refused_with_a_message(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    targets = [(tmp_path / "fifo", "a pipe (FIFO)"), (tmp_path / "folder", "a folder")]
    devices = [Path(p) for p in ("/dev/null", "/dev/zero") if os.path.exists(p) and stat.S_ISCHR(os.stat(p).st_mode)]
    targets += [(device, "a device") for device in devices[:1]]
    for target, kind in targets:
        with pytest.raises(OSError, match=re.escape(f"it is {kind}, not a regular file")) as info:
            atomic.atomic_write_text(target, "x")
        assert info.value.filename == str(target)
    assert (tmp_path / "fifo").is_fifo() and sorted(os.listdir(tmp_path)) == ["fifo", "folder"]


def test_a_name_of_249_characters_saves(tmp_path):
    path = tmp_path / ("n" * (249 - len(".nvz.json")) + ".nvz.json")
    assert len(path.name) == 249
    snapshot.save(path, paper_snapshot())
    assert snapshot.load(path).title == "Paper, Figure 4"


KILLED_SAVE = """
import os, sys
from neuroviz.io.atomic import atomic_open
with atomic_open(sys.argv[1], "wb") as fh:
    fh.write(b"half a file")
    fh.flush()
    os._exit(9)  # killed in the middle of the save
"""


def test_a_temporary_file_left_by_a_killed_save_is_cleaned_by_the_next_save(tmp_path):
    path = tmp_path / "a.nvz.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], env=env, check=False, timeout=60)
    left = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(left) == 1 and not path.exists()
    (tmp_path / ".nvz-1-notours.tmp").write_text("a user's file that only looks similar")
    snapshot.save(path, paper_snapshot())  # a save on another computer might still be writing it
    assert left[0] in os.listdir(tmp_path)
    an_hour_ago = time.time() - 3600
    os.utime(tmp_path / left[0], (an_hour_ago, an_hour_ago))
    snapshot.save(path, paper_snapshot())
    assert sorted(os.listdir(tmp_path)) == [".nvz-1-notours.tmp", "a.nvz.json"]


def test_an_empty_file_name_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file name was given"):
        atomic.atomic_write_text("", "x")


def test_errors_name_the_users_file_not_the_temporary_one(tmp_path, monkeypatch):
    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", src, dst)

    monkeypatch.setattr(atomic.os, "replace", full)
    path = tmp_path / "mine.nvz.json"
    with pytest.raises(OSError) as info:
        snapshot.save(path, paper_snapshot())
    assert info.value.filename == str(path) and ".tmp" not in str(info.value)
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path) == []


def test_a_picture_renamed_json_is_told_it_is_a_picture(tmp_path):
    path = tmp_path / "diagram.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(SnapshotError, match="it is a PNG image, not a neuroviz snapshot"):
        snapshot.load(path)
