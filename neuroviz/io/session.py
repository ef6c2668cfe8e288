"""Session files: snapshot format version 3, the open session with its whole timeline and branches.

A session file is a zip archive (suggested ending ``.nvz``) holding

``snapshot.json``
    The snapshot of the moment shown, as a version 2 file holds it
    (``neuroviz.io.snapshot``), with ``"version": 3`` and a ``timeline``
    field (``neuroviz.io.timeline_codec``).
``timeline/<name>.npy``
    The timeline's arrays (checkpoints, events, recorded drawings, the loss
    history after the moment shown, branches), plain ``.npy`` members of
    numbers only.

It keeps what recomputing every moment needs, not every update's
parameters: a checkpoint every ``checkpoint_every`` updates (parameters,
optimiser state, the place in the data and the random generator), and per
update its kind, η and batch size (and the drawing and targets of an update
made on one).  Opening rebuilds the timeline, recomputes the moment shown
from its checkpoint and checks that it is, bit for bit, the snapshot's own
state.

``load`` opens either kind of file (a version 1 or 2 JSON snapshot, or a
session archive); ``save`` writes an archive atomically, reporting
progress, so that it can run on a worker thread.  Reading is bounded: the
file size, the archive's table of contents and every member's declared
size are checked before anything is unpacked, the arrays' declared bytes
together may not pass ``MAX_SESSION_ARRAY_BYTES``, and nothing is unpickled.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from neuroviz.core.history import History
from neuroviz.io import snapshot, timeline_codec
from neuroviz.io.atomic import atomic_open
from neuroviz.io.dataset_import import check_zip_directory, read_member
from neuroviz.io.import_errors import DatasetImportError, import_guard
from neuroviz.io.limits import MAX_FILE_BYTES, MAX_SESSION_ARRAY_BYTES
from neuroviz.io.regular_file import open_regular
from neuroviz.io.snapshot import Snapshot
from neuroviz.io.validate import SnapshotError, check_parse_memory, parse_json

FORMAT_VERSION = 3
FILE_SUFFIX = ".nvz"
"""Suggested ending of a session file; any name opens (the contents say what a file is)."""
DOCUMENT = "snapshot.json"
ARRAY_FOLDER = "timeline/"
ZIP_MAGIC = b"PK\x03\x04"
COMPRESS_LEVEL = 1
ENCODE_SHARE = 0.4
"""The share of a save's progress that packing and checking stand for (writing is the rest)."""

Progress = Callable[[float], None]
"""Called with the fraction written so far (0 … 1)."""


# ================================================================== writing
def encode(snap: Snapshot) -> tuple[bytes, dict[str, np.ndarray]]:
    """The ``snapshot.json`` bytes and the arrays of ``snap`` (without a ``timeline``, one that holds its state).

    Both go through the reader's checks first (``SnapshotError`` saying
    what is in the way), so a file is written only if it opens again.
    """
    timeline = snap.timeline
    if timeline is None:  # a snapshot alone: a timeline that starts (and ends) at its state
        _, trainer = snap.build()
        timeline = History(trainer).export()
        snap = dataclasses.replace(snap, timeline=timeline, start_trace=snap.last_trace)
    doc = snapshot.to_document(snap)
    doc["version"] = FORMAT_VERSION
    start = None if snap.start_trace is None else snapshot.encode_trace(snap.start_trace)
    meta, arrays = timeline_codec.encode_timeline(timeline, snap.dataset, snap.network.sizes, start)
    doc["timeline"] = meta
    try:
        checked = snapshot.from_document(doc, newest=FORMAT_VERSION)
        timeline_codec.decode_timeline(meta, arrays, checked.network.sizes, checked.dataset, checked.trainer_state)
    except SnapshotError as exc:
        raise SnapshotError(f"this state cannot be saved so that it opens again: {exc}") from None
    data = (json.dumps(doc, allow_nan=False, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    total = sum(a.nbytes for a in arrays.values())
    if len(data) > MAX_FILE_BYTES or total > MAX_SESSION_ARRAY_BYTES:
        raise SnapshotError(
            f"the session would hold {len(data) / 2**20:,.0f} MB of text and {total / 2**20:,.0f} MB of timeline "
            f"arrays; Open accepts at most {MAX_FILE_BYTES // 2**20} MB and {MAX_SESSION_ARRAY_BYTES // 2**20} MB "
            "(a smaller memory budget for the timeline keeps fewer updates)")
    check_parse_memory(data)
    return data, arrays


def write_archive(fh: IO[bytes], data: bytes, arrays: Mapping[str, np.ndarray],
                  extra: Mapping[str, bytes] | None = None, progress: Progress | None = None) -> None:
    """Write the archive of ``encode``'s parts (and ``extra`` members) to the open file ``fh``."""
    total = sum(a.nbytes for a in arrays.values()) + len(data) or 1
    done = len(data)
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
        for name, member in (extra or {}).items():
            zf.writestr(name, member)
        zf.writestr(DOCUMENT, data)
        for name, a in arrays.items():
            with zf.open(f"{ARRAY_FOLDER}{name}.npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a), allow_pickle=False)
            done += a.nbytes
            if progress is not None:
                progress(done / total)
    if fh.tell() > MAX_FILE_BYTES:
        raise SnapshotError(f"the session file would be {fh.tell() / 2**20:,.0f} MB, over the "
                            f"{MAX_FILE_BYTES // 2**20} MB that Open accepts")


def save(path: str | os.PathLike[str], snap: Snapshot, progress: Progress | None = None) -> None:
    """Write ``snap`` with its timeline to ``path`` atomically: the file is whole or as it was.

    ``progress`` is called with the fraction written.  Raises
    ``SnapshotError`` (nothing written) if the state would not open again,
    ``OSError`` if it cannot be written.
    """
    data, arrays = encode(snap)  # packing and checking take about as long as compressing and writing
    if progress is not None:
        progress(ENCODE_SHARE)
    written = None if progress is None else (lambda f: progress(ENCODE_SHARE + (1 - ENCODE_SHARE) * f))
    with atomic_open(path, "wb") as fh:
        write_archive(fh, data, arrays, progress=written)


# ================================================================== reading
def is_archive(head: bytes) -> bool:
    """True if a file beginning with ``head`` is a zip archive (a session file, or not a snapshot at all)."""
    return head.startswith(ZIP_MAGIC)


def _read_members(fh: BinaryIO, size: int, name: str, extra: str | None
                  ) -> tuple[bytes, dict[str, np.ndarray], bytes | None]:
    check_zip_directory(fh, size, name, "a whole session file")
    with zipfile.ZipFile(fh) as zf:
        members = {info.filename: info for info in zf.infolist()}
        if DOCUMENT not in members:
            raise DatasetImportError(f"{name} is a zip archive without {DOCUMENT}: not a neuroviz session file")
        wanted = [DOCUMENT] + ([extra] if extra else [])
        for key in wanted:
            if key in members and members[key].file_size > MAX_FILE_BYTES:
                raise DatasetImportError(f"{name}: {key} is larger than the limit of {MAX_FILE_BYTES:,} bytes")
        npys = {k[len(ARRAY_FOLDER):-4]: info for k, info in members.items()
                if k.startswith(ARRAY_FOLDER) and k.endswith(".npy")}
        declared = sum(info.file_size for info in npys.values())
        if declared > MAX_SESSION_ARRAY_BYTES:
            raise DatasetImportError(f"{name}: its timeline arrays would take {declared / 2**20:,.0f} MB; the limit "
                                     f"is {MAX_SESSION_ARRAY_BYTES // 2**20:,} MB")
        data = zf.read(members[DOCUMENT])
        extra_data = zf.read(members[extra]) if extra and extra in members else None
        arrays = {key: read_member(zf, info, name, key, lambda _shape: None, "biuf") for key, info in npys.items()}
    return data, arrays, extra_data


def _from_archive(fh: BinaryIO, size: int, name: str, extra: str | None = None) -> tuple[Snapshot, bytes | None]:
    try:
        with import_guard(name, "session file"):
            data, arrays, extra_data = _read_members(fh, size, name, extra)
    except DatasetImportError as exc:
        raise SnapshotError(str(exc)) from None
    doc = parse_json(data)
    snap = snapshot.from_document(doc, newest=FORMAT_VERSION)
    if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION or "timeline" not in doc:
        raise SnapshotError(f"version: a session archive holds a version {FORMAT_VERSION} snapshot with a timeline")
    record, start_doc = timeline_codec.decode_timeline(doc["timeline"], arrays, snap.network.sizes, snap.dataset,
                                                       snap.trainer_state)
    start = None if start_doc is None else snapshot.read_full_trace(start_doc, snap.network.sizes,
                                                                     "timeline.start_update")
    opened = dataclasses.replace(snap, timeline=record, start_trace=start)
    check_timeline(opened)
    return opened, extra_data


def check_timeline(snap: Snapshot) -> History:
    """The history ``snap``'s timeline rebuilds, after checking that its moment is the snapshot's state bit for bit."""
    assert snap.timeline is not None
    network, trainer = snap.build()
    lr, batch = trainer.lr, trainer.batch_size
    try:
        history = History.restored(trainer, snap.timeline)
    except (ValueError, IndexError, KeyError, ArithmeticError) as exc:
        raise SnapshotError(f"timeline: its moment {snap.timeline.position} cannot be recomputed ({exc})") from None
    if (network.flat_params().tobytes() != snap.network.flat_params().tobytes()
            or trainer.step_count != snap.trainer_state["step"] or trainer.cursor != snap.trainer_state["cursor"]
            or trainer.rng.bit_generator.state != snap.trainer_state["rng_state"]):
        raise SnapshotError(f"timeline: its moment {snap.timeline.position} is not the state saved with it")
    trainer.lr, trainer.batch_size = lr, batch
    return history


def load(path: str | os.PathLike[str]) -> Snapshot:
    """Open the snapshot or session file at ``path`` (any version; ``SnapshotError`` names the problem)."""
    fh, size = open_regular(path, MAX_FILE_BYTES, SnapshotError)
    with fh:
        head = fh.read(len(ZIP_MAGIC))
        if is_archive(head):
            fh.seek(0)
            return _from_archive(fh, size, Path(path).name)[0]
    return snapshot.load(path)


def loads(data: bytes, extra: str | None = None) -> tuple[Snapshot, bytes | None]:
    """Open a snapshot or session file's bytes; also the archive member ``extra`` if asked for and present."""
    if is_archive(data):
        return _from_archive(io.BytesIO(data), len(data), "the file", extra)
    return snapshot.loads(data), None


__all__ = ["FILE_SUFFIX", "FORMAT_VERSION", "check_timeline", "encode", "is_archive", "load", "loads", "save",
           "write_archive"]
