"""Atomic file writes: a crash or error mid-write never damages the old file.

The data goes to a temporary file in the target's folder, is flushed and
``fsync``-ed, and only then renamed over the target with ``os.replace`` (an
atomic rename on POSIX and Windows).  On any error the temporary file is
removed and the old file is left as it was.

- A name that is a symbolic link writes the file it points to (the link stays).
- A folder, device, pipe or socket is refused (it is not replaced by a file).
- The temporary name is short (``.nvz-<pid>-<random>.tmp``), so any name the
  folder allows works; temporary files left by a save that was killed (a
  minute old and its process gone, or a day old) are removed by the next save
  to that folder.
- Errors name the user's file, never the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from typing import IO, Any

from neuroviz.io.regular_file import file_kind

TEMP_NAME = re.compile(r"\.nvz-(\d+)-[0-9a-f]{8}\.tmp")
"""The temporary files this module makes: ``.nvz-<pid>-<8 hex digits>.tmp``."""
STALE_SECONDS = 24 * 3600
"""A temporary file this old is stale even if its process number is in use again."""
GRACE_SECONDS = 60
"""A temporary file younger than this is left alone (its save may run on another computer sharing the folder)."""


def _default_mode() -> int:
    """Permissions a newly created file would get (0o666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _process_gone(pid: int) -> bool:
    """True if no process ``pid`` runs (POSIX); False where that cannot be asked safely."""
    if os.name != "posix" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    return False


def clean_stale_temporaries(folder: str) -> list[str]:
    """Remove temporary files of killed saves in ``folder``; returns the names removed."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        now = time.time()
        for entry in entries:
            match = TEMP_NAME.fullmatch(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                age = now - entry.stat(follow_symlinks=False).st_mtime
                if age > STALE_SECONDS or (age > GRACE_SECONDS and _process_gone(int(match[1]))):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _naming(exc: OSError, shown: str) -> OSError:
    """``exc`` with the user's file name ``shown`` in place of a temporary one (same class and errno)."""
    if exc.errno is None or not exc.strerror:
        return exc
    return OSError(exc.errno, exc.strerror, shown)


def _target(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The file to write (``path``, or what a link points to) and the user's name for messages."""
    shown = os.fspath(path)
    if not shown:
        raise FileNotFoundError(errno.ENOENT, "no file name was given", shown)
    target = os.path.realpath(shown)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, shown
    except OSError as exc:
        raise _naming(exc, shown) from None
    if not stat.S_ISREG(mode):
        code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
        raise OSError(code, f"it is {file_kind(mode)}, not a regular file", shown)
    return target, shown


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None,
                newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success it replaces ``path``.

    ``mode`` is ``"wb"`` or ``"w"`` (text, with ``encoding`` and ``newline``).
    If the ``with`` block raises, ``path`` is untouched.  An ``OSError``
    names ``path`` (as given), not the temporary file.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes only; got mode {mode!r}")
    target, shown = _target(path)
    folder = os.path.dirname(target)
    clean_stale_temporaries(folder)
    tmp = os.path.join(folder, f".nvz-{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise _naming(exc, shown) from None
    try:
        opened: IO[Any] = (os.fdopen(fd, "wb") if mode == "wb"
                           else os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline))
        with opened as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, shown) from None
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding))
