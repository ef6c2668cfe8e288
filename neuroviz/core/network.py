"""The multi-layer perceptron of the paper: parameters, forward, backward, update.

Orientation follows the paper: ``weights[l]`` has shape (n_{l+1}, n_l), so
``weights[l][m, n]`` is θ_{mn} from neuron n of layer l to neuron m of layer
l+1 (0-based here, 1-based in labels); ``biases[l]`` has shape (n_{l+1},).
Layer 0 is the input layer ``a``.  All arithmetic is float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from neuroviz.core import activations as act_mod
from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.trace import ForwardTrace, StepTrace, frozen, frozen_list

LOSSES: tuple[str, ...] = ("cross_entropy", "squared_error")
INITS: tuple[str, ...] = ("uniform", "gaussian", "xavier", "he")
DEFAULT_LR = 0.01
MAX_LAYER_SIZE = 4096
MAX_LAYERS = 16


class DivergenceError(ArithmeticError):
    """An update would have made the loss or a parameter non-finite.

    The network is left exactly as it was before the update.
    """


@dataclass(frozen=True)
class NetworkConfig:
    """The architecture and options of a network.

    Attributes
    ----------
    sizes:
        Neurons per layer from the input, e.g. (64, 16, 16, 2).
    hidden_activation:
        One of ``HIDDEN_ACTIVATIONS``.
    output_activation:
        One of ``OUTPUT_ACTIVATIONS``: ``none`` feeds the logits straight into
        the loss, ``relu`` is the paper's Section 3 (``c = max(0, c^raw)``).
    loss:
        ``cross_entropy`` (on the softmax, natural log) or ``squared_error``
        (``½ Σ (o − r)²`` on the outputs, no softmax).
    init:
        One of ``INITS``; biases always start at zero.
    seed:
        Seeds the initialisation: equal configs give equal networks.
    """

    sizes: tuple[int, ...] = (64, 16, 16, 2)
    hidden_activation: str = "relu"
    output_activation: str = "none"
    loss: str = "cross_entropy"
    init: str = "he"
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad option."""
        if len(self.sizes) < 2:
            raise ValueError(
                f"a network needs at least an input and an output layer; got {len(self.sizes)} layer(s)"
            )
        if len(self.sizes) > MAX_LAYERS:
            raise ValueError(f"at most {MAX_LAYERS} layers are supported; got {len(self.sizes)}")
        for i, s in enumerate(self.sizes):
            if s < 1:
                raise ValueError(f"layer {i + 1} has size {s}; every layer needs at least 1 neuron")
            if s > MAX_LAYER_SIZE:
                raise ValueError(f"layer {i + 1} has size {s}; the limit is {MAX_LAYER_SIZE}")
        if self.hidden_activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"unknown hidden activation {self.hidden_activation!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}"
            )
        if self.output_activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(
                f"unknown output activation {self.output_activation!r}; choose one of {', '.join(OUTPUT_ACTIVATIONS)}"
            )
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.init not in INITS:
            raise ValueError(f"unknown initialisation {self.init!r}; choose one of {', '.join(INITS)}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"the seed must be a non-negative integer; got {self.seed!r}")

    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.sizes[-1]

    def activation_of(self, layer: int) -> str:
        """Activation name of layer ``layer`` (1 .. L); the input layer has none."""
        if layer == len(self.sizes) - 1:
            return self.output_activation
        return self.hidden_activation

    def to_dict(self) -> dict[str, Any]:
        return {
            "sizes": list(self.sizes),
            "hidden_activation": self.hidden_activation,
            "output_activation": self.output_activation,
            "loss": self.loss,
            "init": self.init,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NetworkConfig:
        return cls(
            sizes=tuple(d["sizes"]),
            hidden_activation=d["hidden_activation"],
            output_activation=d["output_activation"],
            loss=d["loss"],
            init=d["init"],
            seed=d["seed"],
        )


def init_params(config: NetworkConfig) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Draw initial weights from ``config.seed``; biases are zero.

    uniform: U(−0.5, 0.5); gaussian: N(0, 0.1²); xavier (Glorot uniform):
    U(±√(6/(n_in+n_out))); he: N(0, 2/n_in).
    """
    rng = np.random.default_rng(config.seed)
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    for n_in, n_out in zip(config.sizes[:-1], config.sizes[1:]):
        shape = (n_out, n_in)
        if config.init == "uniform":
            w = rng.uniform(-0.5, 0.5, size=shape)
        elif config.init == "gaussian":
            w = rng.normal(0.0, 0.1, size=shape)
        elif config.init == "xavier":
            limit = math.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, size=shape)
        else:  # he
            w = rng.normal(0.0, math.sqrt(2.0 / n_in), size=shape)
        weights.append(w.astype(np.float64))
        biases.append(np.zeros(n_out, dtype=np.float64))
    return weights, biases


def check_lr(lr: float) -> float:
    """Return ``lr`` as a float, or raise ``ValueError`` unless finite and > 0."""
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"the learning rate must be a number; got {lr!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"the learning rate must be a finite number above 0; got {lr!r}")
    return value


@dataclass
class Gradients:
    """Result of one backward pass (see ``Network.backward``)."""

    forward: ForwardTrace
    targets: np.ndarray  # (B, n_L)
    losses: np.ndarray  # (B,)
    loss: float
    deltas: list[np.ndarray]  # per layer after the input, (B, n_{l+1})
    grad_weights: list[np.ndarray]  # (n_{l+1}, n_l), batch mean
    grad_biases: list[np.ndarray]  # (n_{l+1},), batch mean


@dataclass
class Network:
    """A fully connected network with the paper's notation and orientation.

    Attributes
    ----------
    config:
        Architecture and options.
    weights:
        ``weights[l]`` shape (n_{l+1}, n_l): θ between layer l and l+1.
    biases:
        ``biases[l]`` shape (n_{l+1},): β of layer l+1.
    """

    config: NetworkConfig
    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights, self.biases = init_params(self.config)
        else:
            self.set_params(self.weights, self.biases)

    # ------------------------------------------------------------------ basics
    @classmethod
    def create(cls, sizes: tuple[int, ...] | list[int], **options: Any) -> Network:
        """Build a freshly initialised network, e.g. ``Network.create((64, 16, 2), seed=1)``."""
        return cls(NetworkConfig(sizes=tuple(sizes), **options))

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.config.sizes

    @property
    def n_layers(self) -> int:
        """Number of layers including the input layer."""
        return len(self.config.sizes)

    @property
    def n_params(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def copy(self) -> Network:
        """A deep copy (parameters are copied)."""
        return Network(self.config, [w.copy() for w in self.weights], [b.copy() for b in self.biases])

    def with_config(self, **changes: Any) -> Network:
        """A new, freshly initialised network with some options changed."""
        return Network(replace(self.config, **changes))

    def reinitialise(self) -> None:
        """Reset the parameters to those drawn from the config's seed."""
        self.weights, self.biases = init_params(self.config)

    def set_params(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        """Replace all parameters after checking count, shapes and finiteness."""
        sizes = self.config.sizes
        if len(weights) != len(sizes) - 1 or len(biases) != len(sizes) - 1:
            raise ValueError(
                f"expected {len(sizes) - 1} weight matrices and bias vectors; got {len(weights)} and {len(biases)}"
            )
        new_w: list[np.ndarray] = []
        new_b: list[np.ndarray] = []
        for l, (w, b) in enumerate(zip(weights, biases)):
            w = np.array(w, dtype=np.float64)
            b = np.array(b, dtype=np.float64)
            if w.shape != (sizes[l + 1], sizes[l]):
                raise ValueError(f"weights[{l}] has shape {w.shape}; expected {(sizes[l + 1], sizes[l])}")
            if b.shape != (sizes[l + 1],):
                raise ValueError(f"biases[{l}] has shape {b.shape}; expected {(sizes[l + 1],)}")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise ValueError(f"layer {l + 1}'s parameters contain NaN or infinity")
            new_w.append(w)
            new_b.append(b)
        self.weights, self.biases = new_w, new_b

    def set_weight(self, layer: int, m: int, n: int, value: float) -> None:
        """Set θ_{mn} of ``weights[layer]`` (0-based indices) to a finite value."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a weight must be a finite number; got {value!r}")
        self.weights[layer][m, n] = value

    def set_bias(self, layer: int, m: int, value: float) -> None:
        """Set β_m of ``biases[layer]`` (0-based indices) to a finite value."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a bias must be a finite number; got {value!r}")
        self.biases[layer][m] = value

    # --------------------------------------------------------------- checking
    def check_inputs(self, x: np.ndarray) -> np.ndarray:
        """Return ``x`` as float64 of shape (B, n_0), or raise ``ValueError``."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.config.n_inputs:
            raise ValueError(
                f"the input has {arr.shape[-1] if arr.ndim else 0} values per sample; "
                f"this network's input layer has {self.config.n_inputs}"
            )
        if arr.shape[0] == 0:
            raise ValueError("the batch is empty")
        if not np.isfinite(arr).all():
            raise ValueError("the input contains NaN or infinity")
        return arr

    def check_targets(self, targets: Any, batch: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Turn class labels (B,) or target vectors (B, n_L) into ``(r, labels)``.

        Returns ``r`` of shape (B, n_L) and the labels (B,) or ``None``.
        """
        n_out = self.config.n_outputs
        t = np.asarray(targets)
        if t.ndim == 0:
            t = t[None]
        if t.ndim == 1 and t.dtype.kind in "iub":
            labels = t.astype(np.int64)
            if labels.shape[0] != batch:
                raise ValueError(f"got {labels.shape[0]} labels for {batch} samples")
            bad = (labels < 0) | (labels >= n_out)
            if bad.any():
                raise ValueError(
                    f"label {int(labels[bad][0])} is out of range; this network has classes 0 to {n_out - 1}"
                )
            r = np.zeros((batch, n_out), dtype=np.float64)
            r[np.arange(batch), labels] = 1.0
            return r, labels
        if t.dtype.kind == "f" and t.ndim == 1 and batch == 1:
            t = t[None, :]
        if t.dtype.kind != "f" or t.ndim != 2:
            raise ValueError("targets must be integer class labels or one target vector per sample")
        if t.shape != (batch, n_out):
            raise ValueError(f"target vectors have shape {t.shape}; expected {(batch, n_out)}")
        if not np.isfinite(t).all():
            raise ValueError("the targets contain NaN or infinity")
        return t.astype(np.float64), None

    # ---------------------------------------------------------------- forward
    def forward(self, x: np.ndarray) -> ForwardTrace:
        """Forward pass on one sample (n_0,) or a batch (B, n_0).

        Returns a ``ForwardTrace`` whose arrays all have a leading batch axis.
        """
        return self._forward(self.check_inputs(x))

    def _forward(self, x: np.ndarray) -> ForwardTrace:
        raws = [x]
        acts = [x]
        h = x
        last = len(self.weights) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ w.T + b
            name = self.config.output_activation if l == last else self.config.hidden_activation
            h = act_mod.apply(name, z)
            raws.append(z)
            acts.append(h)
        probs = softmax(h) if self.config.loss == "cross_entropy" else h
        return ForwardTrace(raw=tuple(raws), act=tuple(acts), probs=probs)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Shape (B, n_L): probabilities (or outputs for squared error)."""
        return self.forward(x).probs

    # --------------------------------------------------------------- backward
    def backward(self, x: np.ndarray, targets: Any) -> Gradients:
        """Loss, error terms and exact gradients for a sample or batch.

        ``targets`` are class labels (B,) or target vectors ``r`` (B, n_L).
        Gradients are the batch mean; ``deltas`` are per sample.
        """
        xb = self.check_inputs(x)
        r, _ = self.check_targets(targets, xb.shape[0])
        return self._backward(xb, r)

    def _backward(self, x: np.ndarray, r: np.ndarray) -> Gradients:
        fwd = self._forward(x)
        cfg = self.config
        out = fwd.act[-1]
        batch = x.shape[0]
        if cfg.loss == "cross_entropy":
            # L = −Σ_j r_j ln p_j = Σ_j r_j (lse(c) − c_j); stable for huge logits.
            lse = logsumexp(out)
            losses = np.sum(r * (lse[:, None] - out), axis=1)
            # ∂L/∂c = p Σr − r  (= p − r for a one-hot r)
            d_out = fwd.probs * r.sum(axis=1, keepdims=True) - r
        else:
            diff = out - r
            losses = 0.5 * np.sum(diff * diff, axis=1)
            d_out = diff
        n_w = len(self.weights)
        deltas: list[np.ndarray] = [np.empty(0)] * n_w
        grad_w: list[np.ndarray] = [np.empty(0)] * n_w
        grad_b: list[np.ndarray] = [np.empty(0)] * n_w
        upstream = d_out
        for l in range(n_w - 1, -1, -1):
            name = cfg.activation_of(l + 1)
            if name in ("none", "identity"):
                delta = upstream
            else:
                delta = upstream * act_mod.derivative(name, fwd.raw[l + 1], fwd.act[l + 1])
            deltas[l] = delta
            grad_w[l] = (delta.T @ fwd.act[l]) / batch
            grad_b[l] = delta.sum(axis=0) / batch
            if l > 0:
                upstream = delta @ self.weights[l]
        loss = float(losses.sum() / batch)
        return Gradients(fwd, r, losses, loss, deltas, grad_w, grad_b)

    def loss(self, x: np.ndarray, targets: Any) -> float:
        """Batch-mean loss without gradients."""
        xb = self.check_inputs(x)
        r, _ = self.check_targets(targets, xb.shape[0])
        out = self._forward(xb).act[-1]
        if self.config.loss == "cross_entropy":
            return float(np.mean(np.sum(r * (logsumexp(out)[:, None] - out), axis=1)))
        diff = out - r
        return float(np.mean(0.5 * np.sum(diff * diff, axis=1)))

    # ----------------------------------------------------------------- update
    def _updated(self, g: Gradients, lr: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """New parameters ``θ − η ∂L/∂θ``; raise ``DivergenceError`` if non-finite."""
        if not math.isfinite(g.loss):
            raise DivergenceError(f"the loss became {g.loss}; the update was not applied")
        new_w = [w - lr * gw for w, gw in zip(self.weights, g.grad_weights)]
        new_b = [b - lr * gb for b, gb in zip(self.biases, g.grad_biases)]
        for l, (w, b) in enumerate(zip(new_w, new_b)):
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise DivergenceError(
                    f"the update made layer {l + 1}'s parameters non-finite; it was not applied"
                )
        return new_w, new_b

    def compute_step(self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR) -> StepTrace:
        """Everything one SGD update would compute, without applying it.

        Raises ``ValueError`` on bad input and ``DivergenceError`` if the
        result would be non-finite.  ``apply_step(trace)`` then applies it;
        together they equal ``step``.
        """
        eta = check_lr(lr)
        xb = self.check_inputs(x)
        r, labels = self.check_targets(targets, xb.shape[0])
        g = self._backward(xb, r)
        new_w, new_b = self._updated(g, eta)
        fwd = g.forward
        return StepTrace(
            forward=ForwardTrace(frozen_list(list(fwd.raw)), frozen_list(list(fwd.act)), frozen(fwd.probs)),
            targets=frozen(r),
            labels=None if labels is None else frozen(labels),
            losses=frozen(g.losses),
            loss=g.loss,
            deltas=frozen_list(g.deltas),
            grad_weights=frozen_list(g.grad_weights),
            grad_biases=frozen_list(g.grad_biases),
            weights_before=frozen_list(self.weights),
            biases_before=frozen_list(self.biases),
            weights_after=frozen_list(new_w),
            biases_after=frozen_list(new_b),
            lr=eta,
        )

    def apply_step(self, trace: StepTrace) -> None:
        """Set the parameters to ``trace``'s after-values (writeable copies)."""
        self.weights = [np.array(w) for w in trace.weights_after]
        self.biases = [np.array(b) for b in trace.biases_after]

    def step(self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR) -> StepTrace:
        """One SGD update on a sample or mini-batch, recording everything.

        Raises ``ValueError`` on bad input (network unchanged) and
        ``DivergenceError`` if the result would be non-finite (unchanged).
        """
        trace = self.compute_step(x, targets, lr)
        self.apply_step(trace)
        return trace

    def train_batch(self, x: np.ndarray, labels: np.ndarray, lr: float) -> float:
        """Fast path: one update on already-checked data, no trace.

        ``x`` must be float64 (B, n_0) and ``labels`` int (B,) in range; this
        gives bit-for-bit the same parameters as ``step``.  Returns the loss.
        Raises ``DivergenceError`` (network unchanged) if non-finite.
        """
        batch = x.shape[0]
        r = np.zeros((batch, self.config.n_outputs))
        r[np.arange(batch), labels] = 1.0
        g = self._backward(x, r)
        self.weights, self.biases = self._updated(g, lr)
        return g.loss


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise stable softmax of shape (B, K)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def logsumexp(z: np.ndarray) -> np.ndarray:
    """Row-wise stable ``ln Σ_j e^{z_j}``, shape (B,)."""
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))
