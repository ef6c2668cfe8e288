"""One parameter's optimiser state and its update written out with numbers.

``parameter_state`` reads a parameter's entries of an ``OptimizerState``;
``update_lines`` writes the update of one parameter in a ``StepTrace`` as
the equations of ``neuroviz.core.optimisers`` with every number put in, e.g.
``m = β₁·m + (1 − β₁)·g = 0.9·(0.0123) + 0.1·(−0.12) = −0.000930``.  Each
result shown is the value the update computed (from the trace), not a
recomputation; the numbers put in carry the digits that make it follow
from them (``neuroviz.core.numbers.agreeing``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Literal

from neuroviz.core.flat_params import offsets
from neuroviz.core.notation import bias_label, weight_label
from neuroviz.core.numbers import agreeing, fmt
from neuroviz.core.optimisers import OptimizerState
from neuroviz.core.trace import StepTrace

Kind = Literal["weight", "bias"]


def flat_index(sizes: tuple[int, ...], kind: Kind, layer: int, m: int, n: int = 0) -> int:
    """The index in the flat vector (P,) of ``weights[layer][m, n]`` or ``biases[layer][m]`` (0-based)."""
    span = offsets(sizes)[layer]
    if not 0 <= m < span.n_out or (kind == "weight" and not 0 <= n < span.n_in):
        raise ValueError(f"parameter ({m}, {n}) is outside layer {layer}'s {span.n_out}×{span.n_in} weights")
    return span.w_start + m * span.n_in + n if kind == "weight" else span.b_start + m


def parameter_state(state: OptimizerState, sizes: tuple[int, ...], kind: Kind, layer: int, m: int,
                    n: int = 0) -> dict[str, float]:
    """Each state vector's entry for one parameter, by name (``v``, ``m``, ``G`` …); empty for SGD."""
    i = flat_index(sizes, kind, layer, m, n)
    return {name: float(b[i]) for name, b in state.buffers.items()}


def _written(template: str, operands: tuple[float, ...], result: float, recompute: Callable[..., float]) -> str:
    """``template`` with the operands and the result put in its ``{}`` slots, printed so that they stay true.

    (Not ``str.format``: the labels hold braces, ``θ^{cb}_{11}``.)
    """
    texts, shown = agreeing(operands, result, recompute)
    parts = template.split("{}")
    return parts[0] + "".join(t + rest for t, rest in zip((*texts, shown), parts[1:]))


def update_lines(trace: StepTrace, kind: Kind, layer: int, m: int, n: int = 0) -> tuple[str, ...]:
    """The update of one parameter in ``trace``, equation by equation, with its numbers."""
    sizes = tuple(a.shape[1] for a in trace.forward.act)
    if kind == "weight":
        label = weight_label(layer, m, n)
        old = float(trace.weights_before[layer][m, n])
        new = float(trace.weights_after[layer][m, n])
        data = float(trace.grad_weights[layer][m, n])
        pen = float(trace.penalty_weights[layer][m, n]) if trace.penalty_weights else 0.0
    else:
        label = bias_label(layer, m)
        old = float(trace.biases_before[layer][m])
        new = float(trace.biases_after[layer][m])
        data = float(trace.grad_biases[layer][m])
        pen = 0.0
    lr = trace.lr
    lines: list[str] = []
    g = data + pen
    opt = trace.optimizer
    if trace.penalty_weights and kind == "weight":
        assert opt is not None
        lines.append(_written(f"g = ∂L/∂{label} + λ₁·sign({label}) + λ₂·{label} = {{}} + ({{}}) = {{}}", (data, pen), g,
                              operator.add) + f"  (λ₁ = {fmt(opt.penalty.l1)}, λ₂ = {fmt(opt.penalty.l2)})")
    else:
        lines.append(f"g = ∂L/∂{label} = {fmt(g)}")
    after = trace.optimizer_after
    name = "sgd" if opt is None else opt.name
    if opt is None or after is None or name == "sgd":
        lines.append(_written(f"{label} := {label} − η·g = {{}} − {{}}·({{}}) = {{}}", (old, lr, g), new,
                              lambda o, e, x: o - e * x))
        return tuple(lines)
    h = opt.config.as_dict()
    before = parameter_state(opt.state, sizes, kind, layer, m, n)
    now = parameter_state(after, sizes, kind, layer, m, n)
    t = after.t
    if name in ("momentum", "nesterov"):
        mu = h["momentum"]
        if opt.state.t == 0:
            lines.append(f"v = g = {fmt(now['v'])}  (the first update)")
        else:
            lines.append(_written("v = μ·v + g = {}·({}) + ({}) = {}", (mu, before["v"], g), now["v"],
                                  lambda u, v, x: u * v + x))
        if name == "nesterov":
            lines.append(_written(f"{label} := {label} − η·(g + μ·v) = {{}} − {{}}·({{}} + {{}}·({{}})) = {{}}",
                                  (old, lr, g, mu, now["v"]), new, lambda o, e, x, u, v: o - e * (x + u * v)))
        else:
            lines.append(_written(f"{label} := {label} − η·v = {{}} − {{}}·({{}}) = {{}}", (old, lr, now["v"]), new,
                                  lambda o, e, v: o - e * v))
    elif name in ("adagrad", "rmsprop"):
        state = "G" if name == "adagrad" else "v"
        if name == "adagrad":
            lines.append(_written("G = G + g² = {} + ({})² = {}", (before["G"], g), now["G"], lambda s, x: s + x * x))
        else:
            a = h["alpha"]
            lines.append(_written("v = α·v + (1 − α)·g² = {}·({}) + {}·({})² = {}", (a, before["v"], 1 - a, g),
                                  now["v"], lambda k, v, k1, x: k * v + k1 * x * x))
        lines.append(_written(f"{label} := {label} − η·g/(√{state} + ε) = {{}} − {{}}·({{}})/(√{{}} + {{}}) = {{}}",
                              (old, lr, g, now[state], h["eps"]), new,
                              lambda o, e, x, s, eps: o - e * x / (math.sqrt(s) + eps)))
    else:
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        start = old
        if name == "adamw" and kind == "weight":
            start = old * (1.0 - lr * h["weight_decay"])
            lines.append(_written(f"{label}′ = {label}·(1 − η·λ) = {{}}·(1 − {{}}·{{}}) = {{}}",
                                  (old, lr, h["weight_decay"]), start, lambda o, e, w: o * (1.0 - e * w)))
        lines.append(_written("m = β₁·m + (1 − β₁)·g = {}·({}) + {}·({}) = {}", (b1, before["m"], 1 - b1, g),
                              now["m"], lambda k, v, k1, x: k * v + k1 * x))
        lines.append(_written("v = β₂·v + (1 − β₂)·g² = {}·({}) + {}·({})² = {}", (b2, before["v"], 1 - b2, g),
                              now["v"], lambda k, v, k1, x: k * v + k1 * x * x))
        m_hat = now["m"] / (1.0 - b1**t)
        v_hat = now["v"] / (1.0 - b2**t)
        lines.append(_written(f"m̂ = m/(1 − β₁^{t}) = {{}}/{{}} = {{}}", (now["m"], 1.0 - b1**t), m_hat,
                              operator.truediv))
        lines.append(_written(f"v̂ = v/(1 − β₂^{t}) = {{}}/{{}} = {{}}", (now["v"], 1.0 - b2**t), v_hat,
                              operator.truediv))
        primed = "′" if name == "adamw" and kind == "weight" else ""
        lines.append(_written(f"{label} := {label}{primed} − η·m̂/(√v̂ + ε) = {{}} − {{}}·({{}})/(√{{}} + {{}}) = {{}}",
                              (start, lr, m_hat, v_hat, eps), new,
                              lambda o, e, mh, vh, ep: o - e * mh / (math.sqrt(vh) + ep)))
    return tuple(lines)

