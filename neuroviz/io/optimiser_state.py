"""The optimiser, weight penalty, schedule and per-layer activations in a snapshot (format version 2).

Fields version 2 adds to a snapshot (each is optional, so a version 1 file
reads as the paper's SGD with no penalty and one hidden activation):

``network.hidden_activations``
    One activation per hidden layer, or absent when all are ``hidden_activation``.
``optimizer``
    ``name``, ``hyper`` (its hyper-parameters by name), ``l1`` and ``l2``
    (λ₁, λ₂), ``schedule`` (``name``, ``step_size``, ``gamma``, ``t_max``,
    ``eta_min``), ``t`` (updates made) and ``state``: each state vector per
    layer in the paper's orientation, ``{"weights": [(n_{l+1}, n_l) ...],
    "biases": [(n_{l+1},) ...]}``.
``history.penalties``
    The weight penalty of every update, beside ``history.losses``.
``last_update.penalty``, ``penalty_weights``, ``optimizer``, ``optimizer_after``
    The penalty, its gradient per layer, the optimiser before (as
    ``optimizer`` above) and its state after (as ``state`` above, with ``t``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from neuroviz.core.activations import HIDDEN_ACTIVATIONS
from neuroviz.core.flat_params import offsets, pack, split
from neuroviz.core.optimisers import (
    BUFFERS,
    OPTIMIZERS,
    SCHEDULES,
    Optimizer,
    OptimizerState,
    optimizer_from_dict,
    optimizer_to_dict,
)
from neuroviz.core.trace import StepTrace, frozen_list
from neuroviz.io.validate import SnapshotError, fail, field, float_array, integer, number, obj, string, sub

MAX_UPDATES = (1 << 62) - 1


def _n_params(sizes: tuple[int, ...]) -> int:
    return offsets(sizes)[-1].b_end


def _floats(a: np.ndarray) -> Any:
    return np.asarray(a, dtype=np.float64).tolist()


def state_per_layer(state: OptimizerState, sizes: tuple[int, ...]) -> dict[str, dict[str, list[Any]]]:
    """Each state vector of ``state`` as ``{"weights": [...], "biases": [...]}`` per layer (paper's orientation)."""
    out: dict[str, dict[str, list[Any]]] = {}
    for name, flat in state.buffers.items():
        weights, biases = split(flat, sizes)
        out[name] = {"weights": [_floats(w) for w in weights], "biases": [_floats(b) for b in biases]}
    return out


def encode_optimizer(opt: Optimizer, sizes: tuple[int, ...]) -> dict[str, Any]:
    """The ``optimizer`` field: settings, ``t`` and the state per layer."""
    d = optimizer_to_dict(opt)
    del d["buffers"]
    d["state"] = state_per_layer(opt.state, sizes)
    return d


def encode_optimizer_of(trainer_state: dict[str, Any], sizes: tuple[int, ...]) -> dict[str, Any]:
    """The ``optimizer`` field of a ``Trainer.state_dict()`` (the paper's SGD when it has none)."""
    saved = trainer_state.get("optimizer")
    n_params = _n_params(sizes)
    opt = Optimizer().fitted(n_params) if saved is None else optimizer_from_dict(saved, n_params)
    return encode_optimizer(opt, sizes)


def _read_state(d: Any, where: str, name: str, sizes: tuple[int, ...]) -> dict[str, list[float]]:
    d = obj(d, where)
    if sorted(d) != sorted(BUFFERS[name]):
        raise fail(where, f"{name} keeps the state {', '.join(BUFFERS[name]) or 'nothing'}")
    buffers: dict[str, list[float]] = {}
    n = len(sizes) - 1
    for key in BUFFERS[name]:
        at = sub(where, key)
        layers = obj(d[key], at)
        w_list, b_list = field(layers, "weights", at), field(layers, "biases", at)
        if not (isinstance(w_list, list) and isinstance(b_list, list) and len(w_list) == len(b_list) == n):
            raise fail(at, f"expected weights and biases for each of the {n} layers")
        weights = [float_array(v, sub(sub(at, "weights"), l), (sizes[l + 1], sizes[l])) for l, v in enumerate(w_list)]
        biases = [float_array(v, sub(sub(at, "biases"), l), (sizes[l + 1],)) for l, v in enumerate(b_list)]
        buffers[key] = pack(weights, biases).tolist()
    return buffers


def read_optimizer(d: Any, sizes: tuple[int, ...], where: str = "optimizer", with_state: bool = True) -> dict[str, Any]:
    """An ``optimizer`` field as ``optimizer_to_dict`` values (checked: ``SnapshotError`` names the problem).

    Without ``with_state`` the field holds only the settings (a session's timeline keeps the state
    vectors apart) and the state read back is the initial one."""
    d = obj(d, where)
    name = string(field(d, "name", where), sub(where, "name"), 40, OPTIMIZERS)
    plain: dict[str, Any] = {}
    if "hyper" in d:
        at = sub(where, "hyper")
        hyper = obj(d["hyper"], at)
        plain["hyper"] = {string(k, at, 40): number(v, sub(at, k[:40])) for k, v in hyper.items()}
    for key in ("l1", "l2"):
        if key in d:
            plain[key] = number(d[key], sub(where, key))
    if "t" in d:
        plain["t"] = integer(d["t"], sub(where, "t"), 0, MAX_UPDATES)
    if "schedule" in d:
        at = sub(where, "schedule")
        sch = obj(d["schedule"], at)
        plain["schedule"] = {
            **({"name": string(sch["name"], sub(at, "name"), 40, SCHEDULES)} if "name" in sch else {}),
            **{k: integer(sch[k], sub(at, k), 1, MAX_UPDATES) for k in ("step_size", "t_max") if k in sch},
            **{k: number(sch[k], sub(at, k)) for k in ("gamma", "eta_min") if k in sch},
        }
        unknown = sorted(set(sch) - {"name", "step_size", "t_max", "gamma", "eta_min"})
        if unknown:
            raise fail(at, f"unknown field {unknown[0][:40]!r}")
    state = d.get("state", {})
    try:
        n_params = _n_params(sizes)
        if not with_state:
            plain["buffers"] = {k: np.zeros(n_params) for k in BUFFERS[name]}
        elif name in BUFFERS:
            plain["buffers"] = _read_state(state, sub(where, "state"), name, sizes)
        return optimizer_to_dict(optimizer_from_dict({"name": name, **plain}, n_params))
    except SnapshotError:
        raise
    except ValueError as exc:
        raise fail(where, str(exc)) from None


def read_hidden_activations(d: dict[str, Any], where: str, n_hidden: int) -> tuple[str, ...]:
    """``network.hidden_activations`` (absent: ``()``, every hidden layer the same)."""
    value = d.get("hidden_activations")
    if value is None:
        return ()
    at = sub(where, "hidden_activations")
    if not isinstance(value, list) or len(value) != n_hidden:
        raise fail(at, f"expected a list of {n_hidden} activations, one per hidden layer")
    return tuple(string(v, sub(at, i), 40, HIDDEN_ACTIVATIONS) for i, v in enumerate(value))


def read_penalties(h: dict[str, Any], n: int) -> list[float] | None:
    """``history.penalties`` (n,), or ``None`` when absent (a version 1 file)."""
    if "penalties" not in h:
        return None
    return [float(v) for v in float_array(h["penalties"], "history.penalties", (n,))]


def encode_trace_extra(trace: StepTrace, sizes: tuple[int, ...]) -> dict[str, Any]:
    """The fields version 2 adds to ``last_update``."""
    after = trace.optimizer_after
    return {
        "penalty": float(trace.penalty),
        "penalty_weights": [_floats(w) for w in trace.penalty_weights],
        "optimizer": None if trace.optimizer is None else encode_optimizer(trace.optimizer, sizes),
        "optimizer_after": None if after is None else {"t": after.t, "state": state_per_layer(after, sizes)},
    }


def read_trace_extra(trace: StepTrace, d: Any, sizes: tuple[int, ...], where: str = "last_update") -> StepTrace:
    """``trace`` with the version 2 fields of ``last_update`` (absent fields keep the defaults)."""
    d = obj(d, where)
    n = len(sizes) - 1
    changes: dict[str, Any] = {}
    if "penalty" in d:
        changes["penalty"] = number(d["penalty"], sub(where, "penalty"), 0.0)
    pw = d.get("penalty_weights") or []
    if pw:
        if not isinstance(pw, list) or len(pw) != n:
            raise fail(sub(where, "penalty_weights"), f"expected one array per layer ({n})")
        changes["penalty_weights"] = frozen_list(
            [float_array(v, sub(sub(where, "penalty_weights"), l), (sizes[l + 1], sizes[l])) for l, v in enumerate(pw)])
    if d.get("optimizer") is not None:
        n_params = _n_params(sizes)
        opt = optimizer_from_dict(read_optimizer(d["optimizer"], sizes, sub(where, "optimizer")), n_params)
        changes["optimizer"] = opt
        after = d.get("optimizer_after")
        if after is not None:
            at = sub(where, "optimizer_after")
            after = obj(after, at)
            plain = read_optimizer({"name": opt.name, "t": field(after, "t", at), "state": field(after, "state", at)},
                                   sizes, at)
            changes["optimizer_after"] = optimizer_from_dict(plain, n_params).state
    return replace(trace, **changes) if changes else trace
