"""Export one update as a Jupyter notebook that recomputes it with plain NumPy.

The notebook rebuilds the network (the parameters before the update), the
update's input (the mini-batch, or the drawing) and its targets from exact
literals, then computes, one cell per phase of the paper (docs/paper-notes.md,
"The formulas"): the forward pass, the softmax and the loss, the output error
δ, the δ recursion down the layers, the batch-mean gradients and the new
parameters θ := θ − η ∂L/∂θ.  Each cell prints what it computed.  A last cell
checks the gradients with PyTorch's autograd when PyTorch is installed.  The
notebook needs NumPy only: it does not import neuroviz.

Arrays in the notebook keep the app's orientation: ``theta[l]`` has shape
(n_{l+1}, n_l) (``theta[l][m, n]`` is θ_{mn} from neuron n of layer l to
neuron m of layer l+1), ``a[l]`` and ``z[l]`` have shape (B, n_l), and
``delta[l]`` (B, n_l) is ∂L/∂z[l] for each sample.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from neuroviz.core.activations import FORMULAS
from neuroviz.core.network import Network
from neuroviz.core.notation import layer_letter
from neuroviz.core.numbers import plural
from neuroviz.core.trace import StepTrace
from neuroviz.io.atomic import atomic_write_bytes

NOTEBOOK_SUFFIX = ".ipynb"
_FUNCTIONS = {
    "relu": ("np.maximum(z, 0.0)", "(z > 0.0).astype(float)"),
    "leaky_relu": ("np.where(z > 0.0, z, 0.01 * z)", "np.where(z > 0.0, 1.0, 0.01)"),
    "sigmoid": ("np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))",
                "f(z) * (1.0 - f(z))"),
    "tanh": ("np.tanh(z)", "1.0 - np.tanh(z) ** 2"),
    "identity": ("z", "np.ones_like(z)"),
    "none": ("z", "np.ones_like(z)"),
}
"""Each activation and its derivative as NumPy expressions in ``z`` (``f`` is the activation itself)."""
_TORCH = {"relu": "torch.relu(z)", "leaky_relu": "torch.nn.functional.leaky_relu(z, 0.01)",
          "sigmoid": "torch.sigmoid(z)", "tanh": "torch.tanh(z)", "identity": "z", "none": "z"}


class NotebookUnavailableError(ImportError):
    """``nbformat`` is not installed."""


def _literal(a: np.ndarray) -> str:
    """``np.array([...])`` that rebuilds ``a`` bit for bit (floats written with ``repr``)."""
    return f"np.array({np.asarray(a, dtype=np.float64).tolist()!r})"


def update_to_show(network: Network, trace: StepTrace | None, x: np.ndarray, target: int, lr: float) -> StepTrace:
    """``trace``, or (no update made yet) the update of ``network`` on the input ``x`` (n_0,) with class ``target``."""
    if trace is not None:
        return trace
    return network.copy().step(np.asarray(x, dtype=np.float64)[None, :], np.array([int(target)]), lr)


def notebook_cells(network: Network, trace: StepTrace, title: str = "") -> list[tuple[str, str]]:
    """The notebook as (kind, source) pairs, kind "markdown" or "code"."""
    c = network.config
    n_layers = len(trace.weights_before) + 1
    letters = [layer_letter(i) for i in range(n_layers)]
    acts = [c.activation_of(layer) for layer in range(1, n_layers)]
    batch = trace.inputs.shape[0]
    out = letters[-1]
    cells: list[tuple[str, str]] = []
    md = lambda text: cells.append(("markdown", text))  # noqa: E731
    code = lambda text: cells.append(("code", text))  # noqa: E731

    md(f"# One update of {title or 'a network'}, by hand\n\n"
       f"Exported from neuroviz. A {'-'.join(map(str, c.sizes))} network (layers {', '.join(letters)}), "
       f"{'cross-entropy on the softmax' if c.loss == 'cross_entropy' else 'squared error'}, "
       f"η = {trace.lr!r}, a batch of B = {plural(batch, 'sample')}. "
       "The notation is that of H. Green, *A Mathematical Overview of Forward and Backward Propagation in "
       "Artificial Neural Networks* (2025): θ^{ba}_{mn} is the weight from a_n to b_m, β^b_m the bias of b_m, "
       "δ^b_m = ∂L/∂b_m^raw. `theta[l]` has shape (n_{l+1}, n_l); row s of `a[l]` is sample s.\n\n"
       "The code needs NumPy only.")
    params = ",\n         ".join(_literal(w) for w in trace.weights_before)
    biases = ",\n        ".join(_literal(b) for b in trace.biases_before)
    targets = (f"labels = np.array({[int(v) for v in trace.labels]!r})\n"
               f"r = np.eye({c.sizes[-1]})[labels]  # one-hot targets r, (B, K)"
               if trace.labels is not None else f"r = {_literal(trace.targets)}  # targets r, (B, K)")
    code("import numpy as np\n\nnp.set_printoptions(precision=6, linewidth=110)\n\n"
         f"sizes = {list(c.sizes)!r}\n"
         f"letters = {letters!r}  # the layers' names, from the input\n"
         f"activations = {acts!r}  # of layers {', '.join(letters[1:])}\n"
         f"eta = {trace.lr!r}\n"
         f"theta = [{params}]\n"
         f"beta = [{biases}]\n"
         f"X = {_literal(trace.inputs)}  # the input a, (B, n_0)\n"
         f"{targets}\n"
         "B = X.shape[0]")
    funcs = "\n".join(
        f"def f_{name}(z):\n    return {_FUNCTIONS[name][0]}\n\n\n"
        f"def df_{name}(z):\n    f = f_{name}\n    return {_FUNCTIONS[name][1]}\n\n" for name in dict.fromkeys(acts))
    md("## Forward pass\n\nLayer by layer, " + "; ".join(
        f"{letters[i + 1]}^raw = Θ^{{{letters[i + 1]}{letters[i]}}} {letters[i]} + β^{letters[i + 1]}, "
        f"{letters[i + 1]} = {FORMULAS[acts[i]].replace('z', letters[i + 1] + '^raw')}" for i in range(n_layers - 1))
       + ".")
    code(funcs + "\n"
         "F = [globals()['f_' + name] for name in activations]\n"
         "DF = [globals()['df_' + name] for name in activations]\n"
         "a, z = [X], [None]\n"
         "for l in range(len(theta)):\n"
         "    z.append(a[l] @ theta[l].T + beta[l])\n"
         "    a.append(F[l](z[l + 1]))\n"
         "    print(f'{letters[l + 1]}^raw =', z[l + 1], f'{letters[l + 1]} =', a[l + 1], sep='\\n')")
    if c.loss == "cross_entropy":
        md(f"## Softmax and loss\n\np_k = e^{{{out}_k}} / Σ_j e^{{{out}_j}} and L = −Σ_j r_j ln p_j (the natural "
           "logarithm; the paper's −log(0.6) ≈ 0.22 is base 10). Computed stably with s = "
           f"{out} − max {out}. The batch's loss is the mean over its samples.")
        code("s = a[-1] - a[-1].max(axis=1, keepdims=True)\n"
             "p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)\n"
             "losses = np.log(np.exp(s).sum(axis=1)) - (r * s).sum(axis=1)\n"
             "L = losses.mean()\n"
             "print('p =', p, 'losses =', losses, 'L =', L, sep='\\n')")
        md(f"## Output error\n\nWith the softmax and cross-entropy, ∂L/∂{out}_k = p_k − r_k for each sample, "
           f"and δ^{out} = (p − r) ⊙ f'({out}^raw).")
        code("delta = [None] * len(a)\n"
             "delta[-1] = (p * r.sum(axis=1, keepdims=True) - r) * DF[-1](z[-1])\n"
             f"print('delta^{out} =', delta[-1], sep='\\n')")
    else:
        md(f"## Loss\n\nL = ½ Σ_j ({out}_j − r_j)² for each sample; the batch's loss is their mean.")
        code("p = a[-1]\n"
             "losses = 0.5 * ((a[-1] - r) ** 2).sum(axis=1)\n"
             "L = losses.mean()\n"
             "print('outputs =', p, 'losses =', losses, 'L =', L, sep='\\n')")
        md(f"## Output error\n\n∂L/∂{out}_k = {out}_k − r_k, and δ^{out} = ({out} − r) ⊙ f'({out}^raw).")
        code("delta = [None] * len(a)\n"
             "delta[-1] = (a[-1] - r) * DF[-1](z[-1])\n"
             f"print('delta^{out} =', delta[-1], sep='\\n')")
    if n_layers > 2:
        md("## The δ recursion\n\nDown the hidden layers: δ^b_n = (Σ_m δ^c_m θ^{cb}_{mn}) · f'(b_n^raw); "
           "for ReLU f' is the indicator 1[b_n^raw > 0].")
        code("for l in range(len(a) - 2, 0, -1):\n"
             "    delta[l] = (delta[l + 1] @ theta[l]) * DF[l - 1](z[l])\n"
             "    print(f'delta^{letters[l]} =', delta[l], sep='\\n')")
    md("## Gradients\n\n∂L/∂θ^{ba}_{mn} = δ^b_m a_n and ∂L/∂β^b_m = δ^b_m for one sample; "
       "for a mini-batch, the mean over its samples.")
    code("grad_theta = [delta[l + 1].T @ a[l] / B for l in range(len(theta))]\n"
         "grad_beta = [delta[l + 1].mean(axis=0) for l in range(len(theta))]\n"
         "for l in range(len(theta)):\n"
         "    up, down = letters[l + 1], letters[l]\n"
         "    print(f'dL/dtheta^{up}{down} =', grad_theta[l], f'dL/dbeta^{up} =', grad_beta[l], sep='\\n')")
    opt = trace.optimizer
    if opt is not None and opt.penalty.active:
        md("## Weight penalty\n\nThe loss gains λ₁ Σ|θ| + λ₂/2 Σθ² over the weights (the biases are not penalised), "
           "so each weight's gradient gains λ₁ sign(θ) + λ₂ θ.")
        code(f"l1, l2 = {opt.penalty.l1!r}, {opt.penalty.l2!r}\n"
             "penalty = sum(l1 * np.abs(w).sum() + l2 / 2 * (w ** 2).sum() for w in theta)\n"
             "grad_total = [g + l1 * np.sign(w) + l2 * w for g, w in zip(grad_theta, theta)]\n"
             "print('penalty =', penalty, 'gradients with the penalty:', *grad_total, sep='\\n')")
    g = "grad_total" if opt is not None and opt.penalty.active else "grad_theta"
    print_new = ("for l in range(len(theta)):\n"
                 "    up, down = letters[l + 1], letters[l]\n"
                 "    print(f'new theta^{up}{down} =', theta_new[l], f'new beta^{up} =', beta_new[l], sep='\\n')")
    if opt is None or opt.name == "sgd":
        md("## Update\n\nθ := θ − η ∂L/∂θ and β := β − η ∂L/∂β.")
        code(f"theta_new = [w - eta * g for w, g in zip(theta, {g})]\n"
             "beta_new = [b - eta * g for b, g in zip(beta, grad_beta)]\n" + print_new)
    else:
        md(*_optimiser_cell(opt, trace, print_new, code, g))
    torch_acts = ", ".join(f"lambda z: {_TORCH[name]}" for name in acts)
    torch_loss = ("torch.mean(torch.logsumexp(h, 1) - (torch.tensor(r) * h).sum(1))" if c.loss == "cross_entropy"
                  else "torch.mean(0.5 * ((h - torch.tensor(r)) ** 2).sum(1))")
    md("## Check with PyTorch (optional)\n\nThe same loss through PyTorch's autograd, in float64: "
       "its gradients should agree with the ones above to about 1e-12.")
    code("try:\n"
         "    import torch\n"
         "except ImportError:\n"
         "    print('PyTorch is not installed: this check is skipped.')\n"
         "else:\n"
         "    ws = [torch.tensor(w, requires_grad=True) for w in theta]\n"
         "    bs = [torch.tensor(b, requires_grad=True) for b in beta]\n"
         f"    fs = [{torch_acts}]\n"
         "    h = torch.tensor(X)\n"
         "    for w, b, f in zip(ws, bs, fs):\n"
         "        h = f(h @ w.T + b)\n"
         f"    loss = {torch_loss}\n"
         "    loss.backward()\n"
         "    worst = max(max(float(np.abs(w.grad.numpy() - g).max()) for w, g in zip(ws, grad_theta)),\n"
         "                max(float(np.abs(b.grad.numpy() - g).max()) for b, g in zip(bs, grad_beta)))\n"
         "    print('PyTorch loss', loss.detach().item(), 'vs', L, '; largest gradient difference', worst)")
    return cells


_RULES = {
    "momentum": ("v := μ v + g (v := g on the first update); θ := θ − η v",
                 "v = grad.copy() if t == 0 else mu * state['v'] + grad\nnew = flat - eta * v"),
    "nesterov": ("v := μ v + g (v := g on the first update); θ := θ − η (g + μ v)",
                 "v = grad.copy() if t == 0 else mu * state['v'] + grad\nnew = flat - eta * (grad + mu * v)"),
    "adagrad": ("G := G + g²; θ := θ − η g / (√G + ε)",
                "G = state['G'] + grad ** 2\nnew = flat - eta * grad / (np.sqrt(G) + eps)"),
    "rmsprop": ("v := α v + (1 − α) g²; θ := θ − η g / (√v + ε)",
                "v = alpha * state['v'] + (1 - alpha) * grad ** 2\nnew = flat - eta * grad / (np.sqrt(v) + eps)"),
    "adam": ("m := β₁ m + (1 − β₁) g; v := β₂ v + (1 − β₂) g²; m̂ = m / (1 − β₁^{t+1}); v̂ = v / (1 − β₂^{t+1}); "
             "θ := θ − η m̂ / (√v̂ + ε)",
             "m = beta1 * state['m'] + (1 - beta1) * grad\nv = beta2 * state['v'] + (1 - beta2) * grad ** 2\n"
             "m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))\n"
             "new = flat - eta * m_hat / (np.sqrt(v_hat) + eps)"),
}
_RULES["adamw"] = ("θ := θ (1 − η λ) on the weights (decoupled decay), then Adam: " + _RULES["adam"][0],
                   "flat = flat * (1 - eta * weight_decay * is_weight)\n" + _RULES["adam"][1])
_HYPER_NAMES = {"momentum": "mu", "beta1": "beta1", "beta2": "beta2", "eps": "eps", "alpha": "alpha",
                "weight_decay": "weight_decay"}


def _optimiser_cell(opt: Any, trace: StepTrace, print_new: str, code: Any, g: str) -> tuple[str]:
    """The update cell of a stateful optimiser (added with ``code``); returns its Markdown."""
    n_params = sum(w.size + b.size for w, b in zip(trace.weights_before, trace.biases_before))
    state = opt.fitted(n_params).state
    hyper = "\n".join(f"{_HYPER_NAMES[k]} = {v!r}" for k, v in opt.config.hyper)
    buffers = ",\n         ".join(f"{k!r}: {_literal(v)}" for k, v in state.buffers.items())
    rule_text, rule_code = _RULES[opt.name]
    code("def pack(ws, bs):\n"
         "    return np.concatenate([a.ravel() for pair in zip(ws, bs) for a in pair])\n\n\n"
         "def unpack(flat):\n"
         "    ws, bs, at = [], [], 0\n"
         "    for w, b in zip(theta, beta):\n"
         "        ws.append(flat[at:at + w.size].reshape(w.shape))\n"
         "        bs.append(flat[at + w.size:at + w.size + b.size])\n"
         "        at += w.size + b.size\n"
         "    return ws, bs\n\n\n"
         f"{hyper}\n"
         f"eta = {trace.lr!r}  # η_t, the scheduled learning rate of this update\n"
         f"t = {state.t}  # updates the optimiser made before this one\n"
         f"state = {{{buffers}}}  # its state before this update, in the flat layout [θ_0, β_0, θ_1, β_1, …]\n"
         f"flat, grad = pack(theta, beta), pack({g}, grad_beta)\n"
         "is_weight = pack([np.ones_like(w) for w in theta], [np.zeros_like(b) for b in beta])\n"
         f"{rule_code}\n"
         "theta_new, beta_new = unpack(new)\n" + print_new)
    return (f"## Update with {opt.name}\n\nOn the flat vector of every parameter: {rule_text} "
            "(the rule as PyTorch's torch.optim has it).",)


def notebook_bytes(network: Network, trace: StepTrace, title: str = "") -> bytes:
    """The notebook (nbformat 4, validated) as UTF-8 JSON."""
    try:
        import nbformat
    except ImportError as exc:  # pragma: no cover - nbformat is a dependency
        raise NotebookUnavailableError("notebook export needs nbformat: pip install nbformat") from exc
    nb: Any = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in notebook_cells(network, trace, title):
        nb.cells.append(nbformat.v4.new_markdown_cell(source) if kind == "markdown"
                        else nbformat.v4.new_code_cell(source))
    nbformat.validate(nb)
    return str(nbformat.writes(nb)).encode("utf-8")


def export_notebook(path: str | os.PathLike[str], network: Network, trace: StepTrace, title: str = "") -> None:
    """Write the notebook of ``trace`` (an update of ``network``) to ``path``, atomically."""
    atomic_write_bytes(os.fspath(path), notebook_bytes(network, trace, title))
