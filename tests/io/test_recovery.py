"""The recovery file: written atomically, read back bit for bit, a damaged one refused with a message."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from neuroviz.io import recovery, snapshot
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


def _with_header(path, header: bytes | None) -> None:
    """Rewrite the recovery archive at ``path`` with ``header`` as its header member (``None``: without one)."""
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    members.pop(recovery.HEADER_MEMBER)
    if header is not None:
        members = {recovery.HEADER_MEMBER: header, **members}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("header, message", [
    (b"not a header", "header is not JSON"),
    (None, "has no recovery.json"),
    (b'{"format": "something-else", "version": 2, "saved_at": 5.0, "file_path": null}', "not a neuroviz recovery"),
    (b'{"format": "neuroviz-recovery", "version": 7, "saved_at": 5.0, "file_path": null}', "version 7"),
    (b'{"format": "neuroviz-recovery", "version": 2, "saved_at": "soon", "file_path": null}', "saved_at"),
])
def test_damaged_header_is_refused_with_a_message(tmp_path, small_snapshot: Snapshot, header, message) -> None:
    path = recovery.write(tmp_path, small_snapshot, 5.0, None)
    _with_header(path, header)
    with pytest.raises(RecoveryError, match=message):
        recovery.read(tmp_path)
    aside = recovery.set_aside(tmp_path)
    assert aside.exists() and recovery.read(tmp_path) is None


@pytest.mark.parametrize("damage, message", [
    (lambda data, snap: data[: len(data) // 2], "not a whole session file"),
    (lambda data, snap: b"", "header"),
    (lambda data, snap: b"not a header\n" + snapshot.dumps(snap).encode(), "header is not JSON"),
])
def test_damaged_file_is_refused_with_a_message(tmp_path, small_snapshot: Snapshot, damage, message) -> None:
    path = recovery.write(tmp_path, small_snapshot, 5.0, None)
    path.write_bytes(damage(path.read_bytes(), small_snapshot))
    with pytest.raises(RecoveryError, match=message):
        recovery.read(tmp_path)


def test_header_is_a_json_member(tmp_path, small_snapshot: Snapshot) -> None:
    path = recovery.write(tmp_path, small_snapshot, 5.0, None)
    with zipfile.ZipFile(path) as zf:
        header = json.loads(zf.read(recovery.HEADER_MEMBER))
    assert header == {"format": "neuroviz-recovery", "version": 2, "saved_at": 5.0, "file_path": None}


def test_version_1_recovery_file_still_opens(tmp_path, small_snapshot: Snapshot) -> None:
    header = {"format": "neuroviz-recovery", "version": 1, "saved_at": 7.5, "file_path": "/a/b.nvz.json"}
    (tmp_path / recovery.FILE_NAME).write_bytes(json.dumps(header).encode() + b"\n"
                                                 + snapshot.dumps(small_snapshot).encode())
    found = recovery.read(tmp_path)
    assert found is not None and found.saved_at == 7.5 and found.file_path == "/a/b.nvz.json"
    assert found.snapshot.network.flat_params().tobytes() == small_snapshot.network.flat_params().tobytes()
    assert found.snapshot.timeline is None
