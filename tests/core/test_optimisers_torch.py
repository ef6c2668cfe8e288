"""Each optimiser against torch.optim itself (skipped when PyTorch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.optimisers import OPTIMIZERS, Optimizer, OptimizerConfig, Schedule

torch = pytest.importorskip("torch")

from tests.core.test_optimisers import GRADS, HYPER, MASK, THETA0  # noqa: E402


def torch_optimizer(name: str, h: dict[str, float], groups: list[dict[str, object]], lr: float) -> object:
    o = torch.optim
    if name == "sgd":
        return o.SGD(groups, lr=lr)
    if name in ("momentum", "nesterov"):
        return o.SGD(groups, lr=lr, momentum=h["momentum"], nesterov=name == "nesterov")
    if name == "adagrad":
        return o.Adagrad(groups, lr=lr, eps=h["eps"])
    if name == "rmsprop":
        return o.RMSprop(groups, lr=lr, alpha=h["alpha"], eps=h["eps"])
    betas = (h["beta1"], h["beta2"])
    if name == "adam":
        return o.Adam(groups, lr=lr, betas=betas, eps=h["eps"])
    for g in groups:
        g.setdefault("weight_decay", h["weight_decay"])
    return o.AdamW(groups, lr=lr, betas=betas, eps=h["eps"])


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("schedule", ["constant", "exponential"])
def test_matches_torch_optim(name, schedule):
    lr = 0.05
    weights = torch.tensor(THETA0[:3], dtype=torch.float64, requires_grad=True)
    biases = torch.tensor(THETA0[3:], dtype=torch.float64, requires_grad=True)
    # Biases are never decayed: AdamW's λ applies to the weights' group only.
    groups = [{"params": [weights]}, {"params": [biases], "weight_decay": 0.0}]
    topt = torch_optimizer(name, HYPER[name], groups, lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(topt, gamma=0.5) if schedule == "exponential" else None
    ours = Optimizer(OptimizerConfig.make(name, **HYPER[name]),
                     schedule=Schedule(schedule, gamma=0.5)).fitted(len(THETA0))
    theta = np.array(THETA0)
    for g in GRADS:
        weights.grad = torch.tensor(g[:3], dtype=torch.float64)
        biases.grad = torch.tensor(g[3:], dtype=torch.float64)
        topt.step()
        if sched is not None:
            sched.step()
        theta, state, _ = ours.update(theta, np.array(g), lr, MASK)
        ours = ours.with_state(state)
        theirs = np.concatenate([weights.detach().numpy(), biases.detach().numpy()])
        # Adam's m is torch's lerp (m + (1 − β₁)(g − m)), the same number up to rounding.
        np.testing.assert_allclose(theta, theirs, rtol=1e-13, atol=1e-15)
