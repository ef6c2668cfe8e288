"""One parameter's optimiser state and its update written out with numbers.

``parameter_state`` reads a parameter's entries of an ``OptimizerState``;
``update_lines`` writes the update of one parameter in a ``StepTrace`` as
the equations of ``neuroviz.core.optimisers`` with every number put in, e.g.
``m = β₁·m + (1 − β₁)·g = 0.9·0.0123 + 0.1·(−0.12) = −0.000930``.  Each
result shown is the value the update computed (from the trace), not a
recomputation.
"""

from __future__ import annotations

from typing import Literal

from neuroviz.core.flat_params import offsets
from neuroviz.core.notation import bias_label, weight_label
from neuroviz.core.numbers import fmt
from neuroviz.core.optimisers import OptimizerState
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import paren

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
    if trace.penalty_weights and kind == "weight":
        opt = trace.optimizer
        assert opt is not None
        lines.append(f"g = ∂L/∂{label} + λ₁·sign({label}) + λ₂·{label} = {fmt(data)} + {paren(pen)} = {fmt(g)}"
                     f"  (λ₁ = {fmt(opt.penalty.l1)}, λ₂ = {fmt(opt.penalty.l2)})")
    else:
        lines.append(f"g = ∂L/∂{label} = {fmt(g)}")
    opt = trace.optimizer
    after = trace.optimizer_after
    name = "sgd" if opt is None else opt.name
    if opt is None or after is None or name == "sgd":
        lines.append(f"{label} := {label} − η·g = {fmt(old)} − {fmt(lr)}·{paren(g)} = {fmt(new)}")
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
            lines.append(f"v = μ·v + g = {fmt(mu)}·{paren(before['v'])} + {paren(g)} = {fmt(now['v'])}")
        if name == "nesterov":
            lines.append(f"{label} := {label} − η·(g + μ·v) = {fmt(old)} − {fmt(lr)}·({fmt(g)} + {fmt(mu)}·"
                         f"{paren(now['v'])}) = {fmt(new)}")
        else:
            lines.append(f"{label} := {label} − η·v = {fmt(old)} − {fmt(lr)}·{paren(now['v'])} = {fmt(new)}")
    elif name == "adagrad":
        lines.append(f"G = G + g² = {fmt(before['G'])} + {paren(g)}² = {fmt(now['G'])}")
        lines.append(f"{label} := {label} − η·g/(√G + ε) = {fmt(old)} − {fmt(lr)}·{paren(g)}/(√{fmt(now['G'])} + "
                     f"{fmt(h['eps'])}) = {fmt(new)}")
    elif name == "rmsprop":
        a = h["alpha"]
        lines.append(f"v = α·v + (1 − α)·g² = {fmt(a)}·{paren(before['v'])} + {fmt(1 - a)}·{paren(g)}² = "
                     f"{fmt(now['v'])}")
        lines.append(f"{label} := {label} − η·g/(√v + ε) = {fmt(old)} − {fmt(lr)}·{paren(g)}/(√{fmt(now['v'])} + "
                     f"{fmt(h['eps'])}) = {fmt(new)}")
    else:
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        start = old
        if name == "adamw" and kind == "weight":
            start = old * (1.0 - lr * h["weight_decay"])
            lines.append(f"{label}′ = {label}·(1 − η·λ) = {fmt(old)}·(1 − {fmt(lr)}·{fmt(h['weight_decay'])}) = "
                         f"{fmt(start)}")
        lines.append(f"m = β₁·m + (1 − β₁)·g = {fmt(b1)}·{paren(before['m'])} + {fmt(1 - b1)}·{paren(g)} = "
                     f"{fmt(now['m'])}")
        lines.append(f"v = β₂·v + (1 − β₂)·g² = {fmt(b2)}·{paren(before['v'])} + {fmt(1 - b2)}·{paren(g)}² = "
                     f"{fmt(now['v'])}")
        m_hat = now["m"] / (1.0 - b1**t)
        v_hat = now["v"] / (1.0 - b2**t)
        lines.append(f"m̂ = m/(1 − β₁^{t}) = {fmt(now['m'])}/{fmt(1.0 - b1**t)} = {fmt(m_hat)}")
        lines.append(f"v̂ = v/(1 − β₂^{t}) = {fmt(now['v'])}/{fmt(1.0 - b2**t)} = {fmt(v_hat)}")
        primed = "′" if name == "adamw" and kind == "weight" else ""
        lines.append(f"{label} := {label}{primed} − η·m̂/(√v̂ + ε) = {fmt(start)} − {fmt(lr)}·{paren(m_hat)}/"
                     f"(√{fmt(v_hat)} + {fmt(eps)}) = {fmt(new)}")
    return tuple(lines)

