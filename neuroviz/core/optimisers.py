"""Optimisers, weight penalties and learning-rate schedules, as ``torch.optim`` does them.

Every rule works on the flat parameter vector θ (P,) of ``Network.flat_params``
and its gradient g (P,), and keeps its state as flat vectors of the same
layout (``OptimizerState``), so a student can compare each number with
PyTorch's (``torch.optim``, single-tensor CPU code, one parameter group for
the weights and one for the biases).  With ``t`` the number of updates made
before this one and η_t the scheduled learning rate:

``sgd`` (the paper's, Section 5)
    θ := θ − η g
``momentum`` (``SGD(momentum=μ)``, dampening 0)
    v := μ v + g  (v := g on the first update);  θ := θ − η v
``nesterov`` (``SGD(momentum=μ, nesterov=True)``)
    v := μ v + g;  θ := θ − η (g + μ v)
``adagrad`` (``Adagrad``)
    G := G + g²;  θ := θ − η g / (√G + ε)
``rmsprop`` (``RMSprop``)
    v := α v + (1 − α) g²;  θ := θ − η g / (√v + ε)
``adam`` (``Adam``)
    m := β₁ m + (1 − β₁) g;  v := β₂ v + (1 − β₂) g²;
    m̂ = m / (1 − β₁^{t+1});  v̂ = v / (1 − β₂^{t+1});  θ := θ − η m̂ / (√v̂ + ε)
``adamw`` (``AdamW``)
    θ := θ (1 − η λ) on the weights (biases are not decayed), then Adam.

The weight penalty (``Penalty``) adds λ₁ Σ|θ| + λ₂/2 Σθ² over the weights
(never the biases) to the loss, and so λ₁ sign(θ) + λ₂ θ to their gradient
before the rule above sees it.  The bias corrections and ``η/(1 − β₁^{t+1})``
are formed as PyTorch forms them, so the operations come in its order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from neuroviz.core.numbers import fmt

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

HYPER_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}
"""Each optimiser's hyper-parameters and their defaults (PyTorch's, with μ = 0.9)."""

BUFFERS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("v",),
    "nesterov": ("v",),
    "adagrad": ("G",),
    "rmsprop": ("v",),
    "adam": ("m", "v"),
    "adamw": ("m", "v"),
}
"""The state vectors of each optimiser, named as in the formulas."""

HYPER_SYMBOLS: dict[str, str] = {
    "momentum": "μ", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "alpha": "α", "weight_decay": "λ",
}

SCHEDULES: tuple[str, ...] = ("constant", "step", "exponential", "cosine")


def _finite(value: object, what: str) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number; got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number; got {value!r}")
    return x


def _check_hyper(key: str, value: object) -> float:
    """``value`` as a float, or ``ValueError`` if outside the range of hyper-parameter ``key``."""
    x = _finite(value, f"{key} ({HYPER_SYMBOLS[key]})")
    if key in ("momentum", "beta1", "beta2", "alpha") and not 0.0 <= x < 1.0:
        raise ValueError(f"{key} ({HYPER_SYMBOLS[key]}) must be at least 0 and below 1; got {value!r}")
    if key == "eps" and x <= 0.0:
        raise ValueError(f"eps (ε) must be above 0; got {value!r}")
    if key == "weight_decay" and x < 0.0:
        raise ValueError(f"weight_decay (λ) must be at least 0; got {value!r}")
    return x


@dataclass(frozen=True)
class OptimizerConfig:
    """An optimiser's name and all its hyper-parameters (see ``OptimizerConfig.make``)."""

    name: str = "sgd"
    hyper: tuple[tuple[str, float], ...] = ()

    @classmethod
    def make(cls, name: str = "sgd", **hyper: float) -> OptimizerConfig:
        """Check ``name`` and ``hyper`` (unknown or out-of-range values raise ``ValueError``), filling defaults."""
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        defaults = HYPER_DEFAULTS[name]
        unknown = sorted(set(hyper) - set(defaults))
        if unknown:
            allowed = ", ".join(defaults) or "none"
            raise ValueError(f"{name} has no hyper-parameter {unknown[0]!r} (it has: {allowed})")
        values = tuple((k, _check_hyper(k, hyper.get(k, v))) for k, v in defaults.items())
        return cls(name, values)

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {self.name!r}; choose one of {', '.join(OPTIMIZERS)}")
        if tuple(k for k, _ in self.hyper) != tuple(HYPER_DEFAULTS[self.name]):
            object.__setattr__(self, "hyper", OptimizerConfig.make(self.name, **dict(self.hyper)).hyper)

    def get(self, key: str) -> float:
        """The value of hyper-parameter ``key``."""
        return dict(self.hyper)[key]

    def as_dict(self) -> dict[str, float]:
        return dict(self.hyper)


@dataclass(frozen=True)
class Penalty:
    """The weight penalty λ₁ Σ|θ| + λ₂/2 Σθ² (weights only); both λ at least 0."""

    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        for name in ("l1", "l2"):
            x = _finite(getattr(self, name), f"λ{'₁' if name == 'l1' else '₂'} ({name})")
            if x < 0.0:
                raise ValueError(f"λ{'₁' if name == 'l1' else '₂'} ({name}) must be at least 0; got {x!r}")
            object.__setattr__(self, name, x)

    @property
    def active(self) -> bool:
        return self.l1 != 0.0 or self.l2 != 0.0

    def value(self, flat: np.ndarray, mask: np.ndarray) -> float:
        """λ₁ Σ|θ| + λ₂/2 Σθ² over the weights of ``flat`` (P,) (``mask`` (P,) is 1 on weights, 0 on biases)."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(flat).dot(mask))
        if self.l2:
            w = flat * mask
            total += self.l2 / 2.0 * float(w.dot(w))
        return total

    def gradient(self, flat: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """λ₁ sign(θ) + λ₂ θ on the weights, 0 on the biases: (P,) (sign(0) = 0)."""
        g = np.zeros_like(flat)
        if self.l1:
            g += self.l1 * np.sign(flat)
        if self.l2:
            g += self.l2 * flat
        g *= mask
        return g


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule η_t for the update after ``t`` updates (``torch.optim.lr_scheduler``'s closed forms).

    ``constant``: η_t = η;  ``step`` (StepLR): η γ^⌊t/step_size⌋;  ``exponential``
    (ExponentialLR): η γ^t;  ``cosine`` (CosineAnnealingLR): η_min + (η − η_min)(1 + cos(π t/t_max))/2.
    """

    name: str = "constant"
    step_size: int = 100
    gamma: float = 0.1
    t_max: int = 1000
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.name!r}; choose one of {', '.join(SCHEDULES)}")
        for key in ("step_size", "t_max"):
            v = getattr(self, key)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"the schedule's {key} must be a whole number of at least 1; got {v!r}")
            object.__setattr__(self, key, int(v))
        gamma = _finite(self.gamma, "the schedule's gamma (γ)")
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"the schedule's gamma (γ) must be above 0 and at most 1; got {self.gamma!r}")
        eta_min = _finite(self.eta_min, "the schedule's eta_min (η_min)")
        if eta_min < 0.0:
            raise ValueError(f"the schedule's eta_min (η_min) must be at least 0; got {self.eta_min!r}")
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "eta_min", eta_min)

    def lr(self, eta: float, t: int) -> float:
        """η_t for base η after ``t`` updates."""
        if self.name == "constant":
            return eta
        if self.name == "step":
            return eta * self.gamma ** (t // self.step_size)
        if self.name == "exponential":
            return eta * self.gamma**t
        return self.eta_min + (eta - self.eta_min) * (1.0 + math.cos(math.pi * t / self.t_max)) / 2.0

    def formula(self) -> str:
        """η_t written out with this schedule's constants."""
        if self.name == "constant":
            return "η_t = η"
        if self.name == "step":
            return f"η_t = η · {fmt(self.gamma)}^⌊t/{self.step_size}⌋"
        if self.name == "exponential":
            return f"η_t = η · {fmt(self.gamma)}^t"
        return f"η_t = {fmt(self.eta_min)} + (η − {fmt(self.eta_min)}) · (1 + cos(π t/{self.t_max}))/2"

    def as_dict(self) -> dict[str, float | int | str]:
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma, "t_max": self.t_max,
                "eta_min": self.eta_min}


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """The updates made so far (``t``) and the state vectors, each (P,) in ``flat_params`` layout, read-only.

    Never changed in place: every update makes new vectors, so a state can be
    kept (checkpoints, traces) without copying.
    """

    t: int = 0
    buffers: Mapping[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def initial(cls, name: str, n_params: int) -> OptimizerState:
        """No updates yet, every buffer zero."""
        return cls(0, {b: _read_only(np.zeros(n_params)) for b in BUFFERS[name]})

    @property
    def nbytes(self) -> int:
        return sum(int(b.nbytes) for b in self.buffers.values())

    def same_as(self, other: OptimizerState) -> bool:
        """The same ``t``, buffer names and bits."""
        return (self.t == other.t and list(self.buffers) == list(other.buffers)
                and all(self.buffers[k].tobytes() == other.buffers[k].tobytes() for k in self.buffers))


class Update(NamedTuple):
    """One update of the flat parameters: the new θ (P,), the state after, and η_t used."""

    params: np.ndarray
    state: OptimizerState
    lr: float


def _times(a: np.ndarray, c: float, b: np.ndarray) -> np.ndarray:
    """``(c·a)·b`` (PyTorch's ``addcmul`` order) as a new vector."""
    out: np.ndarray = np.multiply(a, c)
    out *= b
    return out


def _scaled_ratio(num: np.ndarray, square: np.ndarray, root_scale: float, eps: float, scale: float) -> np.ndarray:
    """``scale·(num / (√square / root_scale + ε))`` as a new vector, in that order, with one temporary."""
    out: np.ndarray = np.sqrt(square)
    if root_scale != 1.0:
        out /= root_scale
    out += eps
    np.divide(num, out, out=out)
    out *= scale
    return out


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An update rule with its penalty, schedule and state; immutable (``with_state`` gives the next one)."""

    config: OptimizerConfig = field(default_factory=OptimizerConfig)
    penalty: Penalty = field(default_factory=Penalty)
    schedule: Schedule = field(default_factory=Schedule)
    state: OptimizerState = field(default_factory=OptimizerState)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def plain(self) -> bool:
        """The paper's SGD: no penalty, a constant η (the update is ``θ − η g``, as without an optimiser)."""
        return self.config.name == "sgd" and not self.penalty.active and self.schedule.name == "constant"

    def with_state(self, state: OptimizerState) -> Optimizer:
        return Optimizer(self.config, self.penalty, self.schedule, state)

    def fitted(self, n_params: int) -> Optimizer:
        """This optimiser with its state checked against ``n_params`` (a fresh state if the buffers do not fit)."""
        s = self.state
        if list(s.buffers) == list(BUFFERS[self.name]) and all(b.shape == (n_params,) for b in s.buffers.values()):
            return self
        return self.with_state(OptimizerState.initial(self.name, n_params))

    def update(self, flat: np.ndarray, grad: np.ndarray, eta: float, mask: np.ndarray) -> Update:
        """The next parameters from θ ``flat`` (P,) and the total gradient ``grad`` (P,), penalty included.

        ``eta`` is the base η (the schedule turns it into η_t); ``mask`` (P,)
        is 1 on weights and 0 on biases.  Nothing is changed in place.
        """
        opt = self.fitted(flat.size)
        s, h, name = opt.state, dict(opt.config.hyper), opt.config.name
        lr = self.schedule.lr(eta, s.t)
        bufs: dict[str, np.ndarray] = {}
        if name == "sgd":
            new = flat - lr * grad
        elif name in ("momentum", "nesterov"):
            mu = h["momentum"]
            if s.t == 0:
                v = grad.copy()
            else:
                v = np.multiply(s.buffers["v"], mu)
                v += grad
            bufs["v"] = v
            step = np.multiply(v, mu) if name == "nesterov" else v.copy()
            if name == "nesterov":
                step += grad
            step *= lr
            new = flat - step
        elif name == "adagrad":
            g_sum = grad * grad
            g_sum += s.buffers["G"]
            bufs["G"] = g_sum
            new = flat - _scaled_ratio(grad, g_sum, 1.0, h["eps"], lr)
        elif name == "rmsprop":
            alpha = h["alpha"]
            v = np.multiply(s.buffers["v"], alpha)
            v += _times(grad, 1.0 - alpha, grad)
            bufs["v"] = v
            new = flat - _scaled_ratio(grad, v, 1.0, h["eps"], lr)
        else:  # adam, adamw
            b1, b2 = h["beta1"], h["beta2"]
            if name == "adamw":
                flat = flat * (1.0 - lr * h["weight_decay"] * mask)
            m = np.multiply(s.buffers["m"], b1)
            m += np.multiply(grad, 1.0 - b1)
            v = np.multiply(s.buffers["v"], b2)
            v += _times(grad, 1.0 - b2, grad)
            bufs["m"], bufs["v"] = m, v
            step = s.t + 1
            bias1 = 1.0 - b1**step
            bias2_sqrt = math.sqrt(1.0 - b2**step)
            new = flat - _scaled_ratio(m, v, bias2_sqrt, h["eps"], lr / bias1)
        return Update(new, OptimizerState(s.t + 1, {k: _read_only(b) for k, b in bufs.items()}), lr)


def optimizer_to_dict(opt: Optimizer) -> dict[str, Any]:
    """``opt`` as plain values (JSON-ready; floats round-trip exactly): name, hyper-parameters, λ₁, λ₂,
    schedule and state (``t`` and each buffer as a flat list (P,))."""
    return {
        "name": opt.name,
        "hyper": opt.config.as_dict(),
        "l1": opt.penalty.l1,
        "l2": opt.penalty.l2,
        "schedule": opt.schedule.as_dict(),
        "t": opt.state.t,
        "buffers": {k: v.tolist() for k, v in opt.state.buffers.items()},
    }


def optimizer_from_dict(d: Mapping[str, Any], n_params: int) -> Optimizer:
    """The ``Optimizer`` of ``optimizer_to_dict(...)`` for ``n_params`` parameters; ``ValueError`` if off."""
    try:
        config = OptimizerConfig.make(str(d["name"]), **dict(d.get("hyper", {})))
        penalty = Penalty(d.get("l1", 0.0), d.get("l2", 0.0))
        schedule = Schedule(**dict(d.get("schedule", {})))
        t = d.get("t", 0)
        buffers = dict(d.get("buffers", {}))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"the optimiser's settings are incomplete or malformed ({exc})") from None
    if not isinstance(t, (int, np.integer)) or isinstance(t, bool) or t < 0:
        raise ValueError(f"the optimiser's update count must be a whole number of at least 0; got {t!r}")
    if sorted(buffers) != sorted(BUFFERS[config.name]):
        raise ValueError(f"{config.name} keeps the state {', '.join(BUFFERS[config.name]) or 'nothing'}; "
                         f"got {', '.join(sorted(buffers)) or 'nothing'}")
    state: dict[str, np.ndarray] = {}
    for name in BUFFERS[config.name]:
        arr = np.array(buffers[name], dtype=np.float64)
        if arr.shape != (n_params,):
            raise ValueError(f"the optimiser's {name} has shape {arr.shape}; expected ({n_params},)")
        if not np.isfinite(arr).all():
            raise ValueError(f"the optimiser's {name} contains NaN or infinity")
        state[name] = _read_only(arr)
    return Optimizer(config, penalty, schedule, OptimizerState(int(t), state))
