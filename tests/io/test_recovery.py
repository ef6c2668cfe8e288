"""The recovery file: written atomically, read back bit for bit, a damaged one refused with a message."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neuroviz.io import recovery
from neuroviz.io.recovery import RecoveryError
from neuroviz.io.snapshot import Snapshot


def test_round_trip_is_exact(tmp_path, small_snapshot: Snapshot) -> None:
    path = recovery.write(tmp_path / "data", small_snapshot, 1_765_000_000.25, "/somewhere/net.nvz.json")
    assert path == tmp_path / "data" / recovery.FILE_NAME
    found = recovery.read(tmp_path / "data")
    assert found is not None
    assert found.saved_at == 1_765_000_000.25 and found.file_path == "/somewhere/net.nvz.json"
    assert found.title == small_snapshot.title
    assert found.step == small_snapshot.trainer_state["step"]
    assert found.snapshot.network.flat_params().tobytes() == small_snapshot.network.flat_params().tobytes()
    assert np.array_equal(found.snapshot.input, small_snapshot.input)
    assert [p.name for p in (tmp_path / "data").iterdir()] == [recovery.FILE_NAME]  # no temporary left


def test_no_file_is_none_and_remove_is_quiet(tmp_path) -> None:
    assert recovery.read(tmp_path) is None
    recovery.remove(tmp_path)


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "JSON"),
    (lambda data: b"not a header\n" + data.partition(b"\n")[2], "header"),
    (lambda data: data.partition(b"\n")[2], "header is not JSON"),  # a plain snapshot
    (lambda data: data.replace(b"neuroviz-recovery", b"something-else", 1), "not a neuroviz recovery file"),
    (lambda data: data.replace(b'"version": 1', b'"version": 7', 1), "version 7"),
    (lambda data: data.replace(b'"saved_at": 5.0', b'"saved_at": "soon"', 1), "saved_at"),
    (lambda data: b"", "header"),
])
def test_damaged_file_is_refused_with_a_message(tmp_path, small_snapshot: Snapshot, damage, message) -> None:
    path = recovery.write(tmp_path, small_snapshot, 5.0, None)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(RecoveryError, match=message):
        recovery.read(tmp_path)
    aside = recovery.set_aside(tmp_path)
    assert aside.exists() and recovery.read(tmp_path) is None


def test_header_is_one_json_line(tmp_path, small_snapshot: Snapshot) -> None:
    data = recovery.write(tmp_path, small_snapshot, 5.0, None).read_bytes()
    header = json.loads(data.partition(b"\n")[0])
    assert header == {"format": "neuroviz-recovery", "version": 1, "saved_at": 5.0, "file_path": None}
