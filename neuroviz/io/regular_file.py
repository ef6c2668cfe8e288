"""Opening a user's file for reading: only regular files, and only up to a size.

A name may point at a FIFO (reading blocks forever), a device such as
``/dev/zero`` (reading never ends) or a folder.  ``open_regular`` looks at
what the name is before opening it (``os.stat``), opens without blocking, looks
again at what was opened (``os.fstat``), and refuses anything but a regular
file of at most the given number of bytes.  ``read_bounded`` then reads no
more than that, even if the file grows meanwhile.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from neuroviz.core.numbers import count


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(mode: int, size: int, name: str, max_bytes: int, error: type[Exception]) -> None:
    if not stat.S_ISREG(mode):
        raise error(f"{name} is {file_kind(mode)}, not a regular file")
    if size > max_bytes:
        raise error(f"{name} is {count(size)} bytes; the limit is {count(max_bytes)}")


def open_regular(path: str | os.PathLike[str], max_bytes: int, error: type[Exception]) -> tuple[BinaryIO, int]:
    """Open ``path`` for binary reading if it is a regular file of at most ``max_bytes``.

    Returns the open file and its size.  Raises ``error`` (an exception
    class taking a message) naming the file and the problem otherwise.
    """
    name = Path(path).name or os.fspath(path)
    try:
        st = os.stat(path)
        _check(st.st_mode, st.st_size, name, max_bytes, error)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error(f"cannot read the file {name}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        _check(st.st_mode, st.st_size, name, max_bytes, error)
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike[str], max_bytes: int, error: type[Exception]) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``), or ``error``."""
    name = Path(path).name or os.fspath(path)
    fh, size = open_regular(path, max_bytes, error)
    try:
        with fh:
            data = fh.read(size + 1)  # a buffer of the file's size, not of the limit
            if len(data) > size:  # it grew while being read
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise error(f"cannot read the file {name}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise error(f"{name} is larger than the limit of {count(max_bytes)} bytes")
    return data
