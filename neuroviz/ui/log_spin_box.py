"""A spin box for positive numbers spanning many decades, such as a learning rate.

The arrows, the wheel and the Up/Down keys step through 1, 2, 5 × 10^k
(0.01 → 0.02 → 0.05 → 0.1 …); any number can also be typed, in plain or
scientific notation ("0.003", "1e-4", "1×10⁻⁴").  Typed text is not judged by the box:
it emits ``textCommitted(str)`` on Enter or when focus leaves, and the owner
decides whether to accept it (``setValue``) or to show why not and restore the
previous value (``revert``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QWidget

from neuroviz.core.numbers import fmt

_MANTISSAS = (1.0, 2.0, 5.0)


def format_value(value: float) -> str:
    """Text that reads well and parses back (``neuroviz.core.numbers.parse``): ``0.01``, ``0.0025``, ``1×10⁻⁵``."""
    return fmt(value)


def nice_steps(low: float, high: float) -> list[float]:
    """All 1-2-5 values from ``low`` to ``high`` (both > 0), ascending."""
    values = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in _MANTISSAS:
            v = float(f"{mantissa}e{exponent}")
            if low * (1 - 1e-12) <= v <= high * (1 + 1e-12):
                values.append(v)
    return values


class LogSpinBox(QAbstractSpinBox):
    """Steps a positive value through 1-2-5 decades between ``minimum`` and ``maximum``.

    Signals
    -------
    textCommitted(str):
        The user finished typing (Enter or focus out) and the text differs
        from the shown value.
    valueStepped(float):
        The user stepped to a new value with the arrows, keys or wheel.
    """

    textCommitted = Signal(str)
    valueStepped = Signal(float)

    def __init__(self, minimum: float, maximum: float, value: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not 0 < minimum < maximum:
            raise ValueError("need 0 < minimum < maximum")
        self._steps = nice_steps(minimum, maximum)
        self._value = float(value)
        self.setAccelerated(True)
        self.setKeyboardTracking(False)
        self.lineEdit().setText(format_value(self._value))
        self.editingFinished.connect(self._on_editing_finished)

    # ------------------------------------------------------------------ value
    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Show ``value`` (no signal)."""
        self._value = float(value)
        self.lineEdit().setText(format_value(self._value))

    def revert(self) -> None:
        """Show the current value again, discarding typed text."""
        self.lineEdit().setText(format_value(self._value))

    @property
    def minimum(self) -> float:
        return self._steps[0]

    @property
    def maximum(self) -> float:
        return self._steps[-1]

    # --------------------------------------------------------------- stepping
    def _neighbour(self, value: float, up: bool) -> float | None:
        """The next 1-2-5 value above (or below) ``value``; None at the end of the range."""
        eps = 1e-9 * value
        if up:
            return next((v for v in self._steps if v > value + eps), None)
        return next((v for v in reversed(self._steps) if v < value - eps), None)

    def stepBy(self, steps: int) -> None:
        value = self._value
        for _ in range(abs(steps)):
            nxt = self._neighbour(value, steps > 0)
            if nxt is None:
                break
            value = nxt
        if value != self._value:
            self.setValue(value)
            self.valueStepped.emit(value)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._neighbour(self._value, True) is not None:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self._neighbour(self._value, False) is not None:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    # ----------------------------------------------------------------- typing
    def validate(self, text: str, pos: int) -> object:
        """Accept any text while typing; it is judged when committed."""
        return QValidator.State.Acceptable, text, pos

    def _on_editing_finished(self) -> None:
        text = self.lineEdit().text().strip()
        if text != format_value(self._value):
            self.textCommitted.emit(text)
