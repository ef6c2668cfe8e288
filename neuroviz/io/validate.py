"""Checking untrusted JSON values, with messages that name the field at fault.

Every reader here takes a parsed JSON value and the dotted path of the field
it came from (``network.weights[1]``), and either returns a checked Python or
NumPy value or raises ``SnapshotError`` naming that path and the problem.
Nothing is converted silently: a boolean is not a number, ``3.0`` is not an
integer, and arrays must have exactly the shape the sizes call for.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from neuroviz.core.numbers import count
from neuroviz.io.limits import PARSE_MEMORY_FACTOR, PARSE_MEMORY_SLACK

N = TypeVar("N", int, float)
"""A number type checked by ``_within`` (it gives back what it was given)."""


class SnapshotError(ValueError):
    """A snapshot file could not be read; the message names the problem."""


def fail(where: str, problem: str) -> SnapshotError:
    """An error about field ``where`` (returned, so callers write ``raise fail(...)``)."""
    return SnapshotError(f"{where}: {problem}" if where else problem)


def describe(value: Any) -> str:
    """The JSON type of ``value`` in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ----------------------------------------------------------------- parsing
def _reject_constant(name: str) -> float:
    raise SnapshotError(f"the file holds the number {name}; only finite numbers are allowed")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            shown = key if len(key) <= 40 else key[:40] + "…"
            raise SnapshotError(f"the field {shown!r} appears twice in one object")
        out[key] = value
    return out


PARSE_COSTS = {"[": 96, "{": 192, ",": 40, ":": 100, '"': 45}
"""Bytes of parsed Python objects each character can stand for, at most (measured
with tracemalloc on the densest documents: ``[[],[],…]``, ``[{},{},…]``, short
floats, one-key objects, short strings)."""


def parse_memory_estimate(data: bytes | str) -> int:
    """An upper bound of the memory ``json.loads(data)`` takes, from character counts.

    Every JSON value begins with one of ``[ { "`` or follows a ``,`` or
    ``:`` (or is the only value), so counting those bounds the number of
    objects the parser makes; ``PARSE_COSTS`` is what each may cost.
    """
    if isinstance(data, bytes):
        return sum(cost * data.count(char.encode()) for char, cost in PARSE_COSTS.items()) + 64
    return sum(cost * data.count(char) for char, cost in PARSE_COSTS.items()) + 64


def check_parse_memory(data: bytes | str) -> None:
    """Refuse a document whose parse could need more than a small multiple of its size."""
    budget = PARSE_MEMORY_FACTOR * len(data) + PARSE_MEMORY_SLACK
    need = parse_memory_estimate(data)
    if need > budget:
        raise SnapshotError(f"the file's structure is too dense to read safely: parsing it could take "
                            f"{count(need // 2**20)} MB (the limit for a file of this size is "
                            f"{count(budget // 2**20)} MB)")


KNOWN_FORMATS = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                 (b"BM", "a BMP image"), (b"PK\x03\x04", "a zip archive (an .npz?)"), (b"%PDF", "a PDF document"))
"""Signatures of files a snapshot is mistaken for, to say what the file is."""


def what_file(data: bytes) -> str | None:
    """``"a PNG image"`` and the like when ``data`` begins like a known file that is not a snapshot."""
    return next((what for magic, what in KNOWN_FORMATS if data.startswith(magic)), None)


def parse_json(data: bytes | str) -> Any:
    """Parse UTF-8 JSON strictly: no NaN/Infinity, no repeated keys, bounded memory.

    A number too large for a float64 (``1e999``) parses as infinity; every
    reader of numbers below refuses it.  Before parsing, ``check_parse_memory``
    refuses a document whose parsed form could be much larger than the file.
    """
    if isinstance(data, bytes) and (kind := what_file(data)) is not None:
        raise SnapshotError(f"it is {kind}, not a neuroviz snapshot")
    check_parse_memory(data)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"the file is not UTF-8 text (byte {exc.start} is not valid)") from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except SnapshotError:
        raise
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise SnapshotError("the file is not valid JSON: it is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise SnapshotError(f"the file is not valid JSON: {exc}") from None


# ------------------------------------------------------------------ scalars
def obj(value: Any, where: str) -> dict[str, Any]:
    """``value`` as a JSON object."""
    if not isinstance(value, dict):
        raise fail(where, f"expected an object; found {describe(value)}")
    return value


def field(d: dict[str, Any], key: str, where: str) -> Any:
    """``d[key]``, or an error naming the missing field."""
    if key not in d:
        raise fail(f"{where}.{key}" if where else key, "this field is missing")
    return d[key]


def sub(where: str, key: str | int) -> str:
    """The path of a member: ``sub("network", "weights")`` → ``network.weights``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def string(value: Any, where: str, max_length: int = 1000, choices: Sequence[str] | None = None) -> str:
    """``value`` as text of at most ``max_length`` characters (and one of ``choices``)."""
    if not isinstance(value, str):
        raise fail(where, f"expected text; found {describe(value)}")
    if len(value) > max_length:
        raise fail(where, f"the text has {len(value)} characters; the limit is {max_length}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise fail(where, f"character {exc.start + 1} is a lone surrogate (U+{ord(value[exc.start]):04X}), "
                   "not a character that can be saved") from None
    if choices is not None and value not in choices:
        raise fail(where, f"{value[:40]!r} is not one of {', '.join(choices)}")
    return value


def integer(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as a whole number in [lo, hi] (a JSON number written without a fraction)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(where, f"expected a whole number; found {describe(value)}")
    return _within(value, str(value), where, lo, hi)


def number(value: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    """``value`` as a finite float in [lo, hi]."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise fail(where, f"expected a number; found {describe(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise fail(where, "the number is too large") from None
    if not math.isfinite(result):
        raise fail(where, f"expected a finite number; found {result}")
    return _within(result, repr(result), where, lo, hi)


def _within(value: N, shown: str, where: str, lo: float | None, hi: float | None) -> N:
    """``value`` (written ``shown`` in messages) if it lies in [lo, hi]; else the error naming the bound."""
    if lo is not None and value < lo:
        raise fail(where, f"{shown} is below the smallest allowed value {lo}")
    if hi is not None and value > hi:
        raise fail(where, f"{shown} is above the largest allowed value {hi}")
    return value


def optional_number(value: Any, where: str) -> float:
    """A finite number, or ``null`` standing for "not available" (returned as NaN)."""
    return math.nan if value is None else number(value, where)


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise fail(where, f"expected true or false; found {describe(value)}")
    return value


HEX = re.compile(r"0x[0-9a-f]+", re.ASCII)
"""What ``hex()`` writes for a non-negative integer (no sign, space or underscore)."""


def hex_integer(value: Any, where: str, bits: int) -> int:
    """A non-negative integer below 2**bits written as ``"0x..."`` text (as ``hex()`` writes it)."""
    text = string(value, where, max_length=2 + bits // 4)
    if not HEX.fullmatch(text):
        raise fail(where, f"expected a hexadecimal number such as '0x1f'; found {text[:40]!r}")
    result = int(text[2:], 16)
    if result >= 1 << bits:
        raise fail(where, f"the number needs more than {bits} bits")
    return result


# ------------------------------------------------------------------- arrays
Dim = int | None
"""An expected array length: a number, or ``None`` for any length up to the limit."""


def _check_nesting(
    value: Any, shape: Sequence[Dim], where: str, limit: int, kinds: tuple[type, ...]
) -> tuple[int, ...]:
    """Walk nested lists against ``shape``; return the actual shape found."""
    if not isinstance(value, list):
        raise fail(where, f"expected a list; found {describe(value)}")
    want = shape[0]
    if want is not None and len(value) != want:
        raise fail(where, f"has {len(value)} entries; expected {want}")
    if len(value) > limit:
        raise fail(where, f"has {len(value)} entries; the limit is {limit}")
    if len(shape) == 1:
        if not set(map(type, value)) <= set(kinds):
            bad = next(v for v in value if type(v) not in kinds)
            names: dict[tuple[type, ...], str] = {(int,): "whole numbers", (bool,): "true/false values"}
            what = names.get(kinds, "numbers")
            raise fail(where, f"expected a list of {what}; found {describe(bad)} in it")
        return (len(value),)
    inner: tuple[int, ...] | None = None
    for i, row in enumerate(value):
        found = _check_nesting(row, shape[1:], sub(where, i), limit, kinds)
        if inner is None:
            inner = found
        elif found != inner:
            raise fail(sub(where, i), f"has shape {found}; the rows before it have shape {inner}")
    if inner is None:  # an empty outer list: inner lengths are those asked for, or 0
        inner = tuple(d if d is not None else 0 for d in shape[1:])
    return (len(value), *inner)


def float_array(value: Any, where: str, shape: Sequence[Dim], limit: int = 1 << 24) -> np.ndarray:
    """Nested lists of finite numbers with the given shape, as a float64 array.

    ``shape`` entries of ``None`` accept any length up to ``limit``; the
    returned array's shape is what was found.
    """
    found = _check_nesting(value, shape, where, limit, (int, float))
    try:
        arr = np.array(value, dtype=np.float64)
    except OverflowError:
        raise fail(where, "holds a number too large for a 64-bit float") from None
    arr = arr.reshape(found)
    if not np.isfinite(arr).all():
        raise fail(where, "holds NaN or infinity; only finite numbers are allowed")
    return arr


def int_array(value: Any, where: str, shape: Sequence[Dim], lo: int, hi: int, limit: int = 1 << 24) -> np.ndarray:
    """Nested lists of whole numbers in [lo, hi] with the given shape, as an int64 array."""
    found = _check_nesting(value, shape, where, limit, (int,))
    flat = np.array(value, dtype=object).reshape(-1) if found and 0 not in found else np.zeros(0, dtype=object)
    if flat.size and (min(flat) < lo or max(flat) > hi):
        raise fail(where, f"holds a value outside {lo} .. {hi}")
    return np.array(value, dtype=np.int64).reshape(found)


def bool_array(value: Any, where: str, shape: Sequence[Dim], limit: int = 1 << 24) -> np.ndarray:
    """A list of true/false values with the given shape, as a bool array."""
    found = _check_nesting(value, shape, where, limit, (bool,))
    return np.array(value, dtype=bool).reshape(found)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(3, 4)`` for messages."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
