"""Numbers as the app writes them: one formatter for the panels, the CLI, exports and explanations.

Every number a person reads goes through this module, so that the same value
reads the same everywhere:

``fmt(x, digits)``
    A measured value: up to ``digits`` significant digits, a real minus sign,
    digit grouping and a superscript power of ten: ``0.3``, ``−0.12``,
    ``12,345.6``, ``1.6×10⁻⁹``, ``−0`` never (it reads ``0``), ``NaN``, ``∞``.
``count(n)`` / ``plural(n, word)``
    A whole number, grouped (``4,048,578``), and a count with its noun
    (``1 sample``, ``2 samples``, ``10,000 updates``).
``fixed(x, decimals)`` / ``percent(fraction)``
    A fixed number of decimals, grouped (``1,024.5``); a share as ``97.3%``.
``abbreviated(x)``
    An axis label of a long run: ``950``, ``10k``, ``12.5k``, ``1.5M``.

``agreeing`` keeps written-out arithmetic true after rounding: it gives the
operands of an equation as many significant digits as it takes for the
printed result to follow from the printed operands (never ``1 − 1 =
−1.6×10⁻⁹``, but ``0.9999999984 − 1 = −1.6×10⁻⁹``).  ``parse`` reads any of
these texts back.  Formats that need ASCII (CSV, JSON) keep ``repr``; LaTeX
turns the superscripts back into ``^{…}`` (``neuroviz.core.equation.to_latex``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

MINUS = "−"
"""The minus sign of every number shown (U+2212, not the hyphen)."""

MAX_DIGITS = 17
"""Significant digits that print any float64 exactly (it parses back to the same float)."""

_TO_SUPERSCRIPT = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"
"""The characters of a superscript power of ten (``×10⁻⁹``)."""


def superscript(text: str) -> str:
    """Digits and minus signs as superscripts: ``−9`` → ``⁻⁹``."""
    return text.translate(_TO_SUPERSCRIPT)


def from_superscript(text: str) -> str:
    """Superscript digits and minus signs as plain ASCII: ``⁻⁹`` → ``-9``."""
    return text.translate(_FROM_SUPERSCRIPT)


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def fmt(x: float, digits: int = 6) -> str:
    """``x`` with up to ``digits`` significant digits, grouped, a real minus sign and a raised power of ten.

    ``fmt(0.30000000000000004)`` → ``0.3``; ``fmt(-1.6e-9)`` → ``−1.6×10⁻⁹``;
    ``fmt(12345.6)`` → ``12,345.6``; ``fmt(-0.0)`` → ``0``; NaN → ``NaN``;
    infinities → ``∞``, ``−∞``.
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    if x == 0:
        return "0"
    text = f"{x:,.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}×10{superscript(str(int(exp)))}"
    return _signed(text)


def count(n: int) -> str:
    """A whole number, grouped in thousands: ``4,048,578``, ``−12``."""
    return _signed(f"{int(n):,}")


def plural(n: float, word: str, many: str | None = None) -> str:
    """``n`` and its noun: ``1 sample``, ``2 samples``, ``0 samples``, ``2.5 updates``; ``many`` for an
    irregular plural."""
    number = count(int(n)) if float(n).is_integer() else fmt(n)
    return f"{number} {word if n == 1 else (many or word + 's')}"


def fixed(x: float, decimals: int) -> str:
    """``x`` with exactly ``decimals`` decimals, grouped: ``1,024.5``, ``−0.25``; ``0.0`` never reads ``−0.0``."""
    if not math.isfinite(x):
        return fmt(x)
    text = f"{x:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":  # a negative value that rounds to zero
        text = text.lstrip("-")
    return _signed(text)


def percent(fraction: float, decimals: int = 1) -> str:
    """A share as a percentage: ``percent(0.973)`` → ``97.3%``."""
    return f"{fixed(100.0 * fraction, decimals)}%"


def abbreviated(x: float) -> str:
    """A count as an axis labels it: ``950``, ``10k``, ``12.5k``, ``1.5M``, ``2G`` (three digits at most)."""
    units = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"))
    for size, suffix in units[:-1]:
        if abs(_rounded(x / size, 3)) < 1000:
            return fmt(x / size, 3) + suffix
    scaled = x / units[-1][0]
    return fmt(scaled, max(3, len(str(int(abs(scaled)))))) + units[-1][1]


def parse(text: str) -> float:
    """The number a text of this module shows (``−1.6×10⁻⁹``, ``12,345.6``, ``∞``, ``NaN``) as a float."""
    t = text.strip().replace(MINUS, "-").replace(",", "")
    if t in ("∞", "-∞"):
        return -math.inf if t.startswith("-") else math.inf
    if "×10" in t:
        mant, exp = t.split("×10", 1)
        return float(f"{mant}e{from_superscript(exp)}")
    return float(t)


def _rounded(x: float, digits: int) -> float:
    """``x`` as ``fmt(x, digits)`` shows it (``parse(fmt(x, digits))``, without the text)."""
    return float(f"{x:.{digits}g}")


def _agrees(recompute: Callable[..., float], values: Sequence[float], shown: str, digits: int) -> bool:
    try:
        again = float(recompute(*values))
    except (ArithmeticError, ValueError):
        return False
    return fmt(again, digits) == shown


def needed_digits(operands: Sequence[float], result: float, recompute: Callable[..., float], digits: int = 6,
                  result_digits: int | None = None) -> tuple[int, ...]:
    """How many significant digits each operand needs so that ``recompute`` of the printed operands gives
    the printed result.

    The result is printed with ``result_digits`` (default ``digits``);
    every operand gets at least ``digits``.  The operands first grow
    together until ``fmt(recompute(*printed operands), result_digits)``
    equals ``fmt(result, result_digits)``; then each is cut back to the
    fewest digits that keep it so.  When even exact operands do not give
    the printed result (the result was computed another way, in other
    roundings), every operand is printed exactly (``MAX_DIGITS``).
    Non-finite numbers keep ``digits``.
    """
    n = len(operands)
    shown_digits = digits if result_digits is None else result_digits
    if not math.isfinite(result) or not all(math.isfinite(v) for v in operands):
        return (digits,) * n
    shown = fmt(result, shown_digits)
    need = [digits] * n
    for d in range(digits, MAX_DIGITS + 1):
        need = [d] * n
        if _agrees(recompute, [_rounded(v, d) for v in operands], shown, shown_digits):
            break
    else:
        return (MAX_DIGITS,) * n
    if need[0] > digits:
        for i in range(n):
            for d in range(digits, need[i]):
                trial = [*need[:i], d, *need[i + 1:]]
                if _agrees(recompute, [_rounded(v, k) for v, k in zip(operands, trial)], shown, shown_digits):
                    need[i] = d
                    break
    return tuple(need)


def agreeing(operands: Sequence[float], result: float, recompute: Callable[..., float], digits: int = 6,
             result_digits: int | None = None) -> tuple[tuple[str, ...], str]:
    """The printed operands and result of an equation that stays true after rounding.

    ``agreeing((p, 1.0), p - 1.0, lambda a, b: a - b)`` for p = 0.9999999984
    gives ``(("0.9999999984", "1"), "−1.6×10⁻⁹")``, where plain rounding would
    write the false ``1 − 1 = −1.6×10⁻⁹``.  See ``needed_digits``.
    """
    need = needed_digits(operands, result, recompute, digits, result_digits)
    texts = tuple(fmt(v, d) for v, d in zip(operands, need))
    return texts, fmt(result, digits if result_digits is None else result_digits)
