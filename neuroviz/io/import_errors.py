"""The one error type of data set import, and the guard that turns every other failure into it.

Decoders (zip, zlib, Pillow, the csv module, NumPy) fail in many ways on a
damaged or hostile file: ``OverflowError``, ``TypeError``, ``MemoryError``,
``zlib.error``, ``RuntimeError``, ``NotImplementedError``, ``OSError``,
``EOFError``, ``csv.Error`` …  ``import_guard`` turns each into a
``DatasetImportError`` whose message names the file and the problem, so a
caller catches exactly one exception.
"""

from __future__ import annotations

import contextlib
import csv
import struct
import zipfile
import zlib
from collections.abc import Iterator

MAX_DETAIL = 160
"""Characters of a decoder's own message quoted in ours."""


class DatasetImportError(ValueError):
    """A file could not be imported; the message says why, naming row or file."""


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


@contextlib.contextmanager
def import_guard(name: str, what: str = "file") -> Iterator[None]:
    """Inside: any decoder failure becomes a ``DatasetImportError`` naming ``name``.

    ``what`` says what the file should have been ("npz archive", "image" …).
    A ``DatasetImportError`` passes through unchanged.
    """
    try:
        yield
    except DatasetImportError:
        raise
    except MemoryError:
        raise DatasetImportError(f"{name}: the {what} is too large to read") from None
    except RecursionError:
        raise DatasetImportError(f"{name}: the {what} is nested too deeply to read") from None
    except UnicodeDecodeError:
        raise DatasetImportError(f"{name} is not a text file (UTF-8 CSV expected)") from None
    except zipfile.BadZipFile as exc:
        raise DatasetImportError(f"{name} is not an .npz file (not a zip archive, or a damaged one: "
                                 f"{_detail(exc)})") from None
    except zlib.error:
        raise DatasetImportError(f"{name}: the {what} is damaged (its compressed data is corrupt)") from None
    except csv.Error as exc:
        raise DatasetImportError(f"{name}: not a readable CSV ({_detail(exc)})") from None
    except (OverflowError, TypeError, RuntimeError, NotImplementedError, EOFError, struct.error, KeyError,
            IndexError, SyntaxError, OSError, ValueError) as exc:
        raise DatasetImportError(f"{name}: not a readable {what} ({_detail(exc) or type(exc).__name__})") from None
