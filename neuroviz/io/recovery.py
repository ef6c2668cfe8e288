"""The recovery file: the open session as it was at its last autosave.

One file, ``recovery.nvz`` in the app's data folder, written atomically
(``neuroviz.io.atomic``), so a kill mid-write leaves the previous autosave
whole.  It is a session file (``neuroviz.io.session``: the snapshot with its
whole timeline and branches, checked by the same reader) with one more
member, ``recovery.json``, a small JSON header:

``format``, ``version``
    ``"neuroviz-recovery"`` and ``2``.
``saved_at``
    When the autosave was written (seconds since the epoch, UTC).
``file_path``
    The snapshot file the session was opened from or last saved to, or
    ``null``; a restored session saves there again.

A version 1 recovery file (the header on the first line, then a JSON
snapshot without a timeline) still opens.  The title and the update number
come from the snapshot itself.  Reading checks the header and then every
field of the snapshot; nothing is unpickled.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from neuroviz.io import session, snapshot
from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.limits import MAX_FILE_BYTES
from neuroviz.io.regular_file import read_bounded
from neuroviz.io.snapshot import Snapshot
from neuroviz.io.validate import SnapshotError, parse_json

FILE_NAME = "recovery.nvz"
"""The recovery file's name in the data folder."""
DAMAGED_NAME = "recovery-damaged.nvz"
"""Where a recovery file that cannot be read is set aside (the next damaged one replaces it)."""
FORMAT = "neuroviz-recovery"
VERSION = 2
HEADER_MEMBER = "recovery.json"
MAX_HEADER_BYTES = 64 * 1024
"""The header line is this long at most (a file path and two numbers)."""


class RecoveryError(SnapshotError):
    """The recovery file could not be read; the message names the problem."""


@dataclass(frozen=True, eq=False)
class Recovered:
    """What a recovery file holds: the session, when it was autosaved and the file it belongs to."""

    snapshot: Snapshot
    saved_at: float
    """Seconds since the epoch (UTC) of the autosave."""
    file_path: str | None

    @property
    def title(self) -> str:
        return self.snapshot.title

    @property
    def step(self) -> int:
        """The update number t the session had reached."""
        return int(self.snapshot.trainer_state["step"])


def recovery_path(folder: str | os.PathLike[str]) -> Path:
    """The recovery file in ``folder``."""
    return Path(folder) / FILE_NAME


def encode(snap: Snapshot, saved_at: float, file_path: str | None) -> bytes:
    """The recovery file's bytes (raises ``SnapshotError`` if the snapshot would not open again)."""
    header = {"format": FORMAT, "version": VERSION, "saved_at": saved_at, "file_path": file_path}
    data, arrays = session.encode(snap)
    buffer = io.BytesIO()
    session.write_archive(buffer, data, arrays, {HEADER_MEMBER: json.dumps(header, ensure_ascii=True).encode("ascii")})
    return buffer.getvalue()


def write(folder: str | os.PathLike[str], snap: Snapshot, saved_at: float, file_path: str | None) -> Path:
    """Write the recovery file in ``folder`` (made if missing) atomically; returns its path.

    Raises ``SnapshotError`` (nothing written) if the state could not be
    opened again, ``OSError`` if it cannot be written.
    """
    data = encode(snap, saved_at, file_path)
    os.makedirs(folder, exist_ok=True)
    path = recovery_path(folder)
    atomic_write_bytes(path, data)
    return path


def _read_header(line: bytes, version: int) -> tuple[float, str | None]:
    try:
        header = parse_json(line)
    except SnapshotError as exc:
        raise RecoveryError(f"the header is not JSON: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecoveryError("it is not a neuroviz recovery file")
    if header.get("version") != version:
        raise RecoveryError(f"version {header.get('version')!r} is not supported (this program reads {VERSION})")
    saved_at, file_path = header.get("saved_at"), header.get("file_path")
    if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)) or not math.isfinite(saved_at):
        raise RecoveryError("saved_at: not a time")
    if file_path is not None and (not isinstance(file_path, str) or not file_path or "\0" in file_path):
        raise RecoveryError("file_path: not a file name")
    return float(saved_at), file_path


def read(folder: str | os.PathLike[str]) -> Recovered | None:
    """The session in ``folder``'s recovery file, or None if there is none.

    Raises ``RecoveryError`` naming the problem if the file cannot be read
    or any of its fields is wrong.
    """
    path = recovery_path(folder)
    if not path.exists() and not path.is_symlink():
        return None
    data = read_bounded(path, MAX_FILE_BYTES + MAX_HEADER_BYTES, RecoveryError)
    try:
        if session.is_archive(data):
            snap, line = session.loads(data, HEADER_MEMBER)
            if line is None or len(line) > MAX_HEADER_BYTES:
                raise RecoveryError(f"it has no {HEADER_MEMBER}")
            saved_at, file_path = _read_header(line, VERSION)
            return Recovered(snap, saved_at, file_path)
        line, newline, rest = data.partition(b"\n")
        if not newline or len(line) > MAX_HEADER_BYTES:
            raise RecoveryError("it has no header line")
        saved_at, file_path = _read_header(line, 1)
        return Recovered(snapshot.loads(rest), saved_at, file_path)
    except RecoveryError:
        raise
    except SnapshotError as exc:
        raise RecoveryError(str(exc)) from None


def remove(folder: str | os.PathLike[str]) -> None:
    """Delete ``folder``'s recovery file, if there is one."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(recovery_path(folder))


def set_aside(folder: str | os.PathLike[str]) -> Path:
    """Rename a damaged recovery file to ``DAMAGED_NAME`` (so it is not offered again); returns the new path."""
    target = Path(folder) / DAMAGED_NAME
    with contextlib.suppress(FileNotFoundError):
        os.replace(recovery_path(folder), target)
    return target
