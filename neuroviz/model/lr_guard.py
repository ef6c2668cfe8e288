"""The η guard: before the first update with a new η, a trial says whether it would wreck the network.

A trial is one update with the chosen η and optimiser on the batch the next
update would use (the drawing, for an update on it), taken on a copy
(``neuroviz.core.loss_jump.trial_update``).  If it would send every p to 0 or
1, or multiply the batch's loss by more than ``JUMP_FACTOR``, the ``policy`` is
asked whether to go ahead.  The policy is a plain value, as the fork policy
is: a script passes ``GO_AHEAD`` (the default) or ``CANCEL``, the window one
that asks the user.  Each η (with its optimiser) is tried once: after a trial
that passed, or an answer to go ahead, updates with it are not tried again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neuroviz.core.loss_jump import JUMP_FACTOR, TrialUpdate, trial_update
from neuroviz.core.trainer import Trainer

LrPolicy = Callable[[TrialUpdate], bool]
"""Answers "this η would wreck the network: go ahead?" with True (go ahead) or False (cancel)."""
GO_AHEAD: LrPolicy = lambda _trial: True  # noqa: E731
CANCEL: LrPolicy = lambda _trial: False  # noqa: E731


class LrGuard:
    """Tries each new η once before it is used (see the module docstring)."""

    def __init__(self, policy: LrPolicy = GO_AHEAD, factor: float = JUMP_FACTOR) -> None:
        self.policy = policy
        self.factor = factor
        """A trial that multiplies the batch's loss by more than this wrecks the network."""
        self._settled: tuple[object, ...] | None = None

    @staticmethod
    def _key(trainer: Trainer) -> tuple[object, ...]:
        opt = trainer.optimizer
        return id(trainer), trainer.lr, opt.config, opt.penalty, opt.schedule

    def forget(self) -> None:
        """Try the next update's η again (another network was opened)."""
        self._settled = None

    def allows(self, trainer: Trainer, sample: tuple[np.ndarray, int | np.ndarray] | None = None,
               before_asking: Callable[[], None] = lambda: None) -> bool:
        """May ``trainer`` make its next update with its η?  The first time for an η, a trial on the next
        batch (or on ``sample``, an input (n_0,) and its class or, for regression, its r (n_L,)) decides;
        a wrecking one calls ``before_asking`` and asks the policy.  Nothing of ``trainer`` or its network changes."""
        key = self._key(trainer)
        if key == self._settled:
            return True
        x, y = trainer.next_batch() if sample is None else (sample[0][None, :], np.array([sample[1]]))
        trial = trial_update(trainer.network, x, y, trainer.lr, trainer.optimizer.fitted(trainer.network.n_params))
        if trial.wrecks(self.factor):
            before_asking()
            if not self.policy(trial):
                return False
        self._settled = key
        return True
