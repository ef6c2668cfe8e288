"""The training operations of ``AppModel``: traced and fast updates, continuous training, the phase walk.

``TrainingOps`` is a part of ``AppModel`` (its base class) and holds the
training signals:

``stepped(StepTrace)``: one traced update was made (``last_trace``);
``trained(int)``: that many fast updates (no traces);
``diverged(str)``: an update would have made something non-finite: it was
refused, nothing changed and training paused (the text says why);
``running_changed(bool)``: continuous training started or stopped;
``rate_changed(float)``: the measured rate of continuous training.

Every update goes through the η guard (``lr_guard``) and the fork rule at a
past moment (``_changing``), and is watched for a jump of the loss L
(``loss_jump``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from neuroviz.core.network import DivergenceError, NetworkConfig
from neuroviz.core.phases import Phase
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import Trainer

if TYPE_CHECKING:
    from neuroviz.model.document import Document
    from neuroviz.model.loss_jump import LossJump
    from neuroviz.model.lr_guard import LrGuard
    from neuroviz.model.phase_walk import PhaseWalk
    from neuroviz.model.playground import Playground
    from neuroviz.model.quiz import Quiz
    from neuroviz.model.showing import Shown
    from neuroviz.model.time_travel import TimeTravel

DIVERGENCE_HINT = "Training was paused. Try a smaller learning rate η."


class TrainingOps:
    """Training the open network: ``step``, ``train_for``, ``start``/``stop`` and the phased step."""

    stepped = Signal(object)
    trained = Signal(int)
    diverged = Signal(str)
    running_changed = Signal(bool)
    rate_changed = Signal(float)

    # What AppModel provides (its parts and state).
    document: Document
    time: TimeTravel
    walk: PhaseWalk
    quiz: Quiz
    lr_guard: LrGuard
    loss_jump: LossJump
    plane: Playground
    running: bool
    updates_per_second: float

    if TYPE_CHECKING:
        @property
        def trainer(self) -> Trainer: ...

        @property
        def config(self) -> NetworkConfig: ...

        @property
        def input(self) -> np.ndarray: ...

        @property
        def phases(self) -> list[Phase]: ...

        def shown(self) -> Shown: ...

        def _changing(self) -> bool: ...

        def _network_changed(self, architecture: bool = False) -> None: ...

    # ------------------------------------------------------------ updates
    def step(self) -> StepTrace | None:
        """One traced update on the next mini-batch; ``None`` if it diverged or the fork was cancelled."""
        return self._traced(self.time.history.step)

    def step_on_input(self) -> StepTrace | None:
        """One traced update on the input and target; ``None`` if it diverged or was cancelled."""
        return self._traced(lambda: self.time.history.step_on(self.input, self.plane.input_target()), on_input=True)

    def _traced(self, do_step: Callable[[], StepTrace], on_input: bool = False) -> StepTrace | None:
        if not self._lr_allowed(on_input) or not self._changing():
            return None
        with self.loss_jump.watching():
            try:
                trace = do_step()
            except DivergenceError as exc:
                self._diverged(str(exc))
                return None
            self.document.mark_modified()
            self.time.set_trace(trace)
            self._network_changed()
            self.stepped.emit(trace)
            self.time.recorded(trace)
        return trace

    def _lr_allowed(self, on_input: bool = False) -> bool:
        """The η guard (``lr_guard``): a new η that would wreck the network pauses training and asks first."""
        running = self.running
        sample = (self.input, self.plane.input_target()) if on_input else None
        allowed = self.lr_guard.allows(self.trainer, sample, self.stop)
        if allowed and running and not self.running:
            self.start()
        return allowed

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Fast updates for about ``seconds``; emits ``trained`` and ``network_changed`` once.

        If an update diverges, the updates made before it are kept (and
        reported) and training pauses with ``diverged``.
        """
        if not self._lr_allowed() or not self._changing():
            return 0
        before = self.trainer.step_count
        problem = ""
        with self.loss_jump.watching():
            try:
                self.time.history.train_for(seconds, max_steps)
            except DivergenceError as exc:
                problem = str(exc)
            n = self.trainer.step_count - before
            if n:
                self.document.mark_modified()
                self._network_changed()
                self.trained.emit(n)
                self.time.recorded(None)
        if problem:
            self._diverged(problem)
        return n

    def start(self) -> None:
        """Start continuous training (at a past moment: forks first, and does not start if cancelled)."""
        if not self.running and self._lr_allowed() and self._changing():
            self.running = True
            self.running_changed.emit(True)

    def stop(self) -> None:
        """Stop continuous training."""
        if self.running:
            self.running = False
            self.running_changed.emit(False)

    def set_updates_per_second(self, rate: float) -> None:
        """Record the measured training rate (the training loop calls this)."""
        if rate != self.updates_per_second:
            self.updates_per_second = float(rate)
            self.rate_changed.emit(self.updates_per_second)

    # ------------------------------------------------------------ phase walk
    def begin_phased_step(self, on_input: bool = False) -> StepTrace | None:
        """Compute the next mini-batch's update (or, ``on_input``, the update on the input and target)
        without applying it, and show its first phase.

        Returns the pending trace, or ``None`` if the update would diverge
        (``diverged`` is emitted and nothing changes) or the fork was cancelled.
        """
        self.stop()
        if not self._lr_allowed(on_input) or not self._changing():
            return None
        history = self.time.history
        apply: Callable[[StepTrace], None]
        try:
            if on_input:
                trace = self.trainer.compute_on(self.input, self.plane.input_target())
                apply = history.commit_on
            else:
                trace, batch = self.trainer.compute_next()
                apply = lambda walked: history.commit(walked, batch)  # noqa: E731
        except DivergenceError as exc:
            self._diverged(str(exc))
            return None
        self.walk.begin(trace, self.phases, apply)
        return trace

    def next_phase(self) -> StepTrace | None:
        """Show the next phase (the quiz may first ask about it); after the last (the update) finish.
        Returns the trace when finished."""
        if not self.walk.active:
            return None
        if self.walk.at_last:
            return self.finish_phased_step()
        if not self.quiz.ask_before_next(self.config, self.shown().row):
            self.walk.next()
        return None

    def previous_phase(self) -> None:
        """Show the phase before the current one (stays at the first)."""
        self.walk.previous()

    def finish_phased_step(self) -> StepTrace | None:
        """Apply the walked update exactly as ``step`` would, and end the walk."""
        taken = self.walk.finish()
        if taken is None:
            return None
        trace, apply = taken

        def commit() -> StepTrace:
            apply(trace)
            return trace

        return self._traced(commit)

    def cancel_phased_step(self) -> None:
        """Drop the walked update: nothing is applied."""
        self.walk.cancel()

    # ------------------------------------------------------------ internal
    def _diverged(self, what: str) -> None:
        self.stop()
        self.diverged.emit(f"{what}. {DIVERGENCE_HINT}")
