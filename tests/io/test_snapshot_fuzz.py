"""Fuzzing the loader: whatever the bytes, it raises only ``SnapshotError`` (with a message).

Mutated valid files (a field replaced by random JSON, a field deleted, the
text cut short, a byte changed) and random JSON documents are fed to the
loader; each either loads or raises ``SnapshotError``, and each that loads
saves and reopens equal.  Opening through the model leaves the open network
exactly as it was when loading fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snapshot_helpers import paper_snapshot

from neuroviz.io import snapshot
from neuroviz.io.snapshot import SnapshotError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

VALID_TEXT = snapshot.dumps(paper_snapshot())
VALID_DOC = json.loads(VALID_TEXT)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["0x-1", "0x 1", "0x+1", "0x_1", "a\ud800", "\udfff", "0x1", "0xfff"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (a tuple of keys and indices) into a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = [p for p in _paths(VALID_DOC) if p]


def _replace(doc: Any, path: tuple, value: Any, delete: bool = False) -> Any:
    doc = json.loads(json.dumps(doc))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def _load_or_refuse(data: str | bytes) -> None:
    """Load; any failure must be a SnapshotError with a readable message.

    Whatever loads must also save, and reopen equal: the file written for it
    opens again to a snapshot that is written with exactly the same bytes.
    """
    try:
        snap = snapshot.loads(data)
    except SnapshotError as exc:
        message = str(exc)
        assert message and len(message) < 400, message
        assert "Traceback" not in message
        return
    saved = snapshot.encode(snap)
    assert snapshot.encode(snapshot.loads(saved)) == saved


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values, delete=st.booleans())
def test_mutated_fields_raise_only_snapshot_errors(path, value, delete):
    _load_or_refuse(json.dumps(_replace(VALID_DOC, path, value, delete)))


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID_TEXT.rstrip()) - 1))
def test_truncated_files_are_refused(cut):
    with pytest.raises(SnapshotError):
        snapshot.loads(VALID_TEXT[:cut])


@FUZZ
@given(position=st.integers(min_value=0, max_value=len(VALID_TEXT) - 1), byte=st.integers(0, 255))
def test_changed_bytes_raise_only_snapshot_errors(position, byte):
    data = bytearray(VALID_TEXT.encode("utf-8"))
    data[position] = byte
    _load_or_refuse(bytes(data))


@FUZZ
@given(value=json_values)
def test_random_json_is_refused(value):
    with pytest.raises(SnapshotError) as info:
        snapshot.loads(json.dumps(value))
    assert str(info.value)


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_are_refused(data):
    with pytest.raises(SnapshotError):
        snapshot.loads(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=json_values)
def test_failed_open_leaves_the_session_unchanged(qapp, path, value):
    from neuroviz.model import AppModel

    model = _fuzz_session()
    before = snapshot.dumps(model.snapshot_state())
    modified, file_path = model.document.modified, model.document.file_path
    try:
        model.restore(snapshot.loads(json.dumps(_replace(VALID_DOC, path, value))), "fuzzed.nvz.json")
    except SnapshotError:
        assert snapshot.dumps(model.snapshot_state()) == before
        assert (model.document.modified, model.document.file_path) == (modified, file_path)
    else:  # the mutation was harmless: the model now holds the file's state
        assert isinstance(model, AppModel) and model.document.file_path == "fuzzed.nvz.json"
        model.restore(snapshot.loads(before))  # back to the start for the next example


_SESSION: list[Any] = []


def _fuzz_session() -> Any:
    """One model (on the digits example, trained a little) shared by the examples."""
    from neuroviz.model import AppModel

    if not _SESSION:
        s = AppModel()
        s.load_example("digits")
        s.set_input(s.dataset.X[7])
        s.step()
        s.modified = True
        _SESSION.append(s)
    return _SESSION[0]
