"""The phase walk: one update computed but not yet applied, shown one phase at a time."""

from __future__ import annotations

from collections.abc import Callable

from psygnal import Signal

from neuroviz.core.phases import Phase
from neuroviz.core.trace import StepTrace


class PhaseWalk:
    """The ``pending`` update (a ``StepTrace`` not yet applied) and the ``phase`` of it shown.

    ``phases`` are those of one update of the open network, in order (the
    forward pass layer by layer, the loss, the δ layer by layer, the update).
    ``begin`` starts a walk with the function that will apply the update;
    ``finish`` hands both back, ``cancel`` drops them.
    """

    changed = Signal()
    """``phase`` or ``pending`` changed (a walk began, moved, finished or was cancelled)."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []
        self.phase: Phase | None = None
        self.pending: StepTrace | None = None
        self._apply: Callable[[StepTrace], None] | None = None

    @property
    def active(self) -> bool:
        return self.pending is not None

    def begin(self, trace: StepTrace, phases: list[Phase], apply: Callable[[StepTrace], None]) -> None:
        """Show the first of ``phases`` of ``trace``; ``apply(trace)`` will record it when the walk ends."""
        self.phases = list(phases)
        self.pending, self._apply = trace, apply
        self.phase = self.phases[0]
        self.changed.emit()

    def show(self, phase: Phase) -> None:
        """Show ``phase`` of the pending update."""
        if self.pending is None:
            raise ValueError("no update is being walked through")
        if phase not in self.phases:
            raise ValueError(f"{phase!r} is not a phase of this network's update")
        self.phase = phase
        self.changed.emit()

    @property
    def at_last(self) -> bool:
        """True when the phase shown is the last one (the update)."""
        return self.phase is not None and self.phases.index(self.phase) + 1 == len(self.phases)

    def next(self) -> None:
        """Show the next phase (stays at the last)."""
        if self.phase is not None and not self.at_last:
            self.show(self.phases[self.phases.index(self.phase) + 1])

    def previous(self) -> None:
        """Show the phase before the current one (stays at the first)."""
        if self.phase is not None:
            self.show(self.phases[max(self.phases.index(self.phase) - 1, 0)])

    def finish(self) -> tuple[StepTrace, Callable[[StepTrace], None]] | None:
        """End the walk: the pending update and the function that applies it (``None`` if none)."""
        if self.pending is None or self._apply is None:
            return None
        taken = (self.pending, self._apply)
        self._clear()
        return taken

    def cancel(self) -> None:
        """Drop the pending update: nothing is applied."""
        if self.pending is not None or self.phase is not None:
            self._clear()

    def _clear(self) -> None:
        self.phase, self.pending, self._apply = None, None, None
        self.changed.emit()
