"""The choices of how to train: optimiser and hyper-parameters, weight penalty, η schedule.

Pure functions from the trainer's ``Optimizer`` to the next one, each
checking its values (``ValueError``, nothing changed) so that ``AppModel``
only applies the fork rule and records the edit.  A new optimiser starts
from a fresh state; new hyper-parameters, penalties or a schedule keep the
state (as changing a ``torch.optim`` parameter group does).
"""

from __future__ import annotations

from neuroviz.core.optimisers import Optimizer, OptimizerConfig, OptimizerState, Penalty, Schedule


def with_optimizer(current: Optimizer, name: str, hyper: dict[str, float]) -> Optimizer:
    """``current`` with optimiser ``name`` and ``hyper`` (defaults for the rest); the state restarts if renamed."""
    config = OptimizerConfig.make(name, **hyper)
    state = current.state if name == current.name else OptimizerState()
    return Optimizer(config, current.penalty, current.schedule, state)


def with_penalty(current: Optimizer, l1: float | None, l2: float | None) -> Optimizer:
    """``current`` with λ₁ and/or λ₂ changed (``None`` keeps one)."""
    penalty = Penalty(current.penalty.l1 if l1 is None else l1, current.penalty.l2 if l2 is None else l2)
    return Optimizer(current.config, penalty, current.schedule, current.state)


def with_schedule(current: Optimizer, name: str, params: dict[str, float | int]) -> Optimizer:
    """``current`` with schedule ``name`` and its constants (``step_size``, ``gamma``, ``t_max``, ``eta_min``)."""
    try:
        schedule = Schedule(name, **params)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"a schedule takes step_size, gamma, t_max and eta_min; got {', '.join(params)}") from None
    return Optimizer(current.config, current.penalty, schedule, current.state)
