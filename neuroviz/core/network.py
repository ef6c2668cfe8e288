"""The multi-layer perceptron of the paper: parameters, forward, backward, update.

Orientation follows the paper: ``weights[l]`` has shape (n_{l+1}, n_l), so
``weights[l][m, n]`` is θ_{mn} from neuron n of layer l to neuron m of layer
l+1 (0-based here, 1-based in labels); ``biases[l]`` has shape (n_{l+1},).
Layer 0 is the input layer ``a``.  All arithmetic is float64.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from neuroviz.core import activations as act_mod
from neuroviz.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.trace import ForwardTrace, StepTrace, frozen, frozen_list

LOSSES: tuple[str, ...] = ("cross_entropy", "squared_error")
INITS: tuple[str, ...] = ("uniform", "gaussian", "xavier", "he")
DEFAULT_LR = 0.01
MAX_LAYER_SIZE = 4096
MAX_LAYERS = 16


PARAM_LIMIT = 1e6
"""An update that takes any |θ| or |β| beyond this (and beyond where it already was) diverges."""


class DivergenceError(ArithmeticError):
    """An update would have made the loss or a parameter non-finite, or a parameter beyond ``PARAM_LIMIT``.

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
    # All parameters in one float64 vector, with ``weights``/``biases`` as
    # views into it (layer by layer: θ row-major, then β), so that an update
    # is a single array operation.  Each update makes a new vector: arrays
    # taken from the network before an update keep their values.
    _flat: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _views: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] = field(
        default=((), ()), init=False, repr=False, compare=False
    )
    _scratch: tuple[np.ndarray, list[np.ndarray], list[np.ndarray], np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.weights:
            self._adopt(_pack(*init_params(self.config)))
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
        self._adopt(_pack(*init_params(self.config)))

    def _adopt(self, flat: np.ndarray) -> None:
        """Make ``flat`` (P,) the parameters: ``weights``/``biases`` become views of it."""
        self.weights, self.biases = _split(flat, self.config.sizes)
        self._flat = flat
        self._views = (tuple(self.weights), tuple(self.biases))

    def flat_params(self) -> np.ndarray:
        """All parameters as one vector (P,): per layer θ row-major, then β.

        The network's own storage when ``weights``/``biases`` are still its
        views (the usual case; do not write to it), else a fresh copy that
        becomes the storage.
        """
        flat = self._flat
        vw, vb = self._views
        if (
            flat is None
            or len(self.weights) != len(vw)
            or len(self.biases) != len(vb)
            or not all(map(operator.is_, self.weights, vw))
            or not all(map(operator.is_, self.biases, vb))
        ):
            # The arrays were replaced from outside: take them over as they are.
            self.set_params(self.weights, self.biases)
            flat = self._flat
            assert flat is not None
        return flat

    def set_flat_params(self, flat: np.ndarray) -> None:
        """Replace all parameters by a copy of a ``flat_params()`` vector (P,), checked for size and finiteness."""
        arr = np.array(flat, dtype=np.float64).reshape(-1)
        if arr.size != self.n_params:
            raise ValueError(f"expected {self.n_params} parameters; got {arr.size}")
        if not math.isfinite(arr.dot(arr)) and not np.isfinite(arr).all():
            raise ValueError("the parameters contain NaN or infinity")
        self._adopt(arr)

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
        self._adopt(_pack(new_w, new_b))

    def set_weight(self, layer: int, m: int, n: int, value: float) -> None:
        """Set θ_{mn} of ``weights[layer]`` (0-based indices) to a finite value."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a weight must be a finite number; got {value!r}")
        w = self.weights[self._check_layer(layer)]
        if not (0 <= m < w.shape[0] and 0 <= n < w.shape[1]):
            raise ValueError(f"weight index ({m}, {n}) is outside weights[{layer}] of shape {w.shape}")
        w[m, n] = value

    def set_bias(self, layer: int, m: int, value: float) -> None:
        """Set β_m of ``biases[layer]`` (0-based indices) to a finite value."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a bias must be a finite number; got {value!r}")
        b = self.biases[self._check_layer(layer)]
        if not 0 <= m < b.shape[0]:
            raise ValueError(f"bias index {m} is outside biases[{layer}] of size {b.shape[0]}")
        b[m] = value

    def _check_layer(self, layer: int) -> int:
        if not 0 <= layer < len(self.weights):
            raise ValueError(f"layer index {layer} is outside 0 .. {len(self.weights) - 1}")
        return layer

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
            return one_hot(labels, n_out), labels
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
        raws, acts = self._layers(x)
        probs = softmax(acts[-1]) if self.config.loss == "cross_entropy" else acts[-1]
        return ForwardTrace(raw=tuple(raws), act=tuple(acts), probs=probs)

    def _layers(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Raw and activated values of every layer, shapes (B, n_l); index 0 is ``x``.

        For a layer without activation (``none``, ``identity``) the raw and
        the activated array are the same object.
        """
        raws = [x]
        acts = [x]
        h = x
        hidden = ACTIVATIONS[self.config.hidden_activation][0]
        last = len(self.weights) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ w.T
            z += b
            f = ACTIVATIONS[self.config.output_activation][0] if l == last else hidden
            h = f(z)
            raws.append(z)
            acts.append(h)
        return raws, acts

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
        r, labels = self.check_targets(targets, xb.shape[0])
        return self._backward(xb, r, labels)

    def _backward(self, x: np.ndarray, r: np.ndarray, labels: np.ndarray | None = None) -> Gradients:
        """``Gradients`` of a checked batch (``r`` (B, n_L), optional ``labels``); see ``_gradients``."""
        raws, acts, probs, losses, loss, deltas, grad_w, grad_b = self._gradients(x, r, labels)
        fwd = ForwardTrace(raw=tuple(raws), act=tuple(acts), probs=probs)
        return Gradients(fwd, r, losses, loss, deltas, grad_w, grad_b)

    def _gradients(
        self,
        x: np.ndarray,
        r: np.ndarray | None,
        labels: np.ndarray | None,
        out: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
    ) -> tuple[Any, ...]:
        """The one computation behind ``step``, ``backward`` and ``train_batch``.

        ``x`` (B, n_0) is checked float64; the targets are either ``labels``
        (B,) int in range (then ``r`` may be ``None``: no one-hot matrix is
        built) or target vectors ``r`` (B, n_L).  With labels the output error
        is ``p − r`` written as "p, minus 1 at the label", which gives the same
        bits as the general ``p Σ_j r_j − r`` for a one-hot ``r``.

        Returns ``(raws, acts, probs, losses, loss, deltas, grad_w, grad_b)``
        with the shapes of ``ForwardTrace`` and ``Gradients``; arrays may be
        shared with each other (never with the network).  With ``out`` the
        gradients are written into (and returned as) those arrays.
        """
        cfg = self.config
        raws, acts = self._layers(x)
        batch = x.shape[0]
        probs, losses, d_out = output_terms(cfg.loss, acts[-1], r, labels)
        n_w = len(self.weights)
        deltas: list[np.ndarray] = [d_out] * n_w
        grad_w: list[np.ndarray] = [d_out] * n_w
        grad_b: list[np.ndarray] = [d_out] * n_w
        hidden = cfg.hidden_activation
        upstream = d_out
        for l in range(n_w - 1, -1, -1):
            name = cfg.output_activation if l == n_w - 1 else hidden
            delta = act_mod.backprop(name, upstream, raws[l + 1], acts[l + 1])
            deltas[l] = delta
            # Batch means: ∂L/∂θ = (1/B) Σ_s δ_s a_sᵀ, ∂L/∂β = (1/B) Σ_s δ_s, with
            # δ/B formed once (B × n) rather than dividing both sums.
            mean_delta = delta if batch == 1 else delta / batch
            gw = np.matmul(mean_delta.T, acts[l], out=None if out is None else out[0][l])
            if batch == 1:
                gb = delta[0]
                if out is not None:
                    out[1][l][...] = gb
                    gb = out[1][l]
            else:
                gb = np.dot(_ones(batch), mean_delta, out=None if out is None else out[1][l])
            grad_w[l] = gw
            grad_b[l] = gb
            if l > 0:
                upstream = delta @ self.weights[l]
        loss = float(losses.sum()) / batch
        return raws, acts, probs, losses, loss, deltas, grad_w, grad_b

    def loss(self, x: np.ndarray, targets: Any) -> float:
        """Batch-mean loss without gradients (the same number ``step`` reports)."""
        return self.loss_and_probs(x, targets)[0]

    def loss_and_probs(self, x: np.ndarray, targets: Any) -> tuple[float, np.ndarray]:
        """Batch-mean loss and the probabilities ``p`` (B, n_L) from one forward pass."""
        xb = self.check_inputs(x)
        r, labels = self.check_targets(targets, xb.shape[0])
        probs, losses, _ = output_terms(self.config.loss, self._layers(xb)[1][-1], r, labels)
        return float(losses.sum()) / xb.shape[0], probs

    # ----------------------------------------------------------------- update
    def _descend(
        self, x: np.ndarray, r: np.ndarray | None, labels: np.ndarray | None, lr: float
    ) -> tuple[tuple[Any, ...], np.ndarray]:
        """One SGD update computed but not applied: ``(_gradients(...), θ_new)``.

        ``θ_new = θ − η ∂L/∂θ`` is a new flat vector (P,) (see ``flat_params``);
        the gradients in the first part are views of a scratch buffer that
        the next update overwrites.  Raises ``DivergenceError`` if the loss or
        any new parameter is not finite.  The network is never changed here.
        """
        flat = self.flat_params()
        grad, grad_w, grad_b, scaled = self._grad_scratch(flat.size)
        parts = self._gradients(x, r, labels, (grad_w, grad_b))
        loss = parts[4]
        if not math.isfinite(loss):
            raise DivergenceError(f"the loss became {loss}; the update was not applied")
        # Into a kept buffer: two large temporaries alive at once cost page
        # faults on every update (several times the arithmetic for 26k parameters).
        new = flat - np.multiply(grad, lr, out=scaled)
        # A sum of squares (one BLAS dot) is cheaper than isfinite(): a finite
        # total proves every entry finite; only a non-finite total (NaN,
        # infinity, or an overflow of the squares) needs the exact check.
        square_sum = new.dot(new)
        if not math.isfinite(square_sum):
            new_w, new_b = _split(new, self.config.sizes)
            for l, (w, b) in enumerate(zip(new_w, new_b)):
                if not (np.isfinite(w).all() and np.isfinite(b).all()):
                    raise DivergenceError(
                        f"the update made layer {l + 1}'s parameters non-finite; it was not applied"
                    )
        if square_sum > PARAM_LIMIT * PARAM_LIMIT:
            # Only then can one |θ| exceed the limit (and it may already have before this update).
            biggest = float(np.abs(new).max())
            if biggest > max(PARAM_LIMIT, float(np.abs(flat).max())):
                raise DivergenceError(
                    f"the update would make a parameter {biggest:.3g}, beyond ±{PARAM_LIMIT:.0e}; it was not applied"
                )
        return parts, new

    def _grad_scratch(self, n_params: int) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray], np.ndarray]:
        """Reusable buffers: a gradient vector (P,), its per-layer views, and a vector (P,) for ``η ∂L/∂θ``."""
        scratch = self._scratch
        if scratch is None or scratch[0].size != n_params:
            grad = np.zeros(n_params)
            grad_w, grad_b = _split(grad, self.config.sizes)
            scratch = self._scratch = (grad, grad_w, grad_b, np.zeros(n_params))
        return scratch

    def compute_step(self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR) -> StepTrace:
        """Everything one SGD update would compute, without applying it.

        Raises ``ValueError`` on bad input and ``DivergenceError`` if the
        result would be non-finite.  ``apply_step(trace)`` then applies it;
        together they equal ``step``.
        """
        return self._traced(x, targets, lr)[0]

    def _traced(self, x: np.ndarray, targets: Any, lr: float) -> tuple[StepTrace, np.ndarray]:
        """``compute_step``'s trace and the new flat parameter vector (P,) it ends with."""
        eta = check_lr(lr)
        xb = self.check_inputs(x)
        r, labels = self.check_targets(targets, xb.shape[0])
        # Overflow on the way is reported as a DivergenceError, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            parts, new = self._descend(xb, r if labels is None else None, labels, eta)
        raws, acts, probs, losses, loss, deltas, grad_w, grad_b = parts
        _check_trace_finite(raws, acts, deltas)
        new_w, new_b = _split(new, self.config.sizes)
        return StepTrace(
            forward=ForwardTrace(frozen_list(raws), frozen_list(acts), frozen(probs)),
            targets=frozen(r),
            labels=None if labels is None else frozen(labels),
            losses=frozen(losses),
            loss=loss,
            deltas=frozen_list(deltas),
            grad_weights=frozen_list(grad_w),
            grad_biases=frozen_list(grad_b),
            weights_before=frozen_list(self.weights),
            biases_before=frozen_list(self.biases),
            weights_after=frozen_list(new_w),
            biases_after=frozen_list(new_b),
            lr=eta,
        ), new

    def apply_step(self, trace: StepTrace) -> None:
        """Set the parameters to ``trace``'s after-values (writeable copies)."""
        self.set_params(list(trace.weights_after), list(trace.biases_after))

    def step(self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR) -> StepTrace:
        """One SGD update on a sample or mini-batch, recording everything.

        Raises ``ValueError`` on bad input (network unchanged) and
        ``DivergenceError`` if the result would be non-finite (unchanged).
        """
        trace, new = self._traced(x, targets, lr)
        self._adopt(new)
        return trace

    def train_batch(self, x: np.ndarray, labels: np.ndarray, lr: float) -> float:
        """Fast path: one update on already-checked data, no trace.

        ``x`` must be float64 (B, n_0) and ``labels`` int (B,) in range; this
        gives bit-for-bit the same parameters as ``step``.  Returns the loss.
        Raises ``DivergenceError`` (network unchanged) if non-finite.
        """
        parts, new = self._descend(x, None, labels, lr)
        self._adopt(new)
        return parts[4]


def _check_trace_finite(raws: list[np.ndarray], acts: list[np.ndarray], deltas: list[np.ndarray]) -> None:
    """Raise ``DivergenceError`` if a layer's raw or activated values (B, n_l) or δ would be non-finite.

    Finite but huge parameters (θ ≈ 1e308 with tanh or sigmoid) can overflow
    a raw value to ±∞ while the loss and the new parameters stay finite; such
    a trace could not be shown, saved or printed as JSON.  The loss,
    gradients and probabilities follow from these and the (checked) loss and
    new parameters, so they need no check of their own.
    """
    for l, (raw, act) in enumerate(zip(raws[1:], acts[1:]), start=1):
        if not (np.isfinite(raw).all() and np.isfinite(act).all() and np.isfinite(deltas[l - 1]).all()):
            raise DivergenceError(
                f"layer {l + 1}'s values overflowed to infinity (the parameters are too large for float64); "
                "the update was not applied"
            )


def _pack(weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
    """A new flat vector (P,) of ``[θ_0, β_0, θ_1, β_1, ...]``, each θ row-major (see ``_split``)."""
    return np.concatenate([a.ravel() for pair in zip(weights, biases) for a in pair])


@functools.lru_cache(maxsize=64)
def _offsets(sizes: tuple[int, ...]) -> tuple[tuple[int, int, int, int, int], ...]:
    """Per layer ``(start of θ, start of β, end of β, n_out, n_in)`` in the flat vector."""
    out = []
    pos = 0
    for n_in, n_out in itertools.pairwise(sizes):
        out.append((pos, pos + n_out * n_in, pos + n_out * n_in + n_out, n_out, n_in))
        pos += n_out * n_in + n_out
    return tuple(out)


def _split(flat: np.ndarray, sizes: tuple[int, ...]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Views of a flat vector (P,) as weights (n_{l+1}, n_l) and biases (n_{l+1},)."""
    weights = []
    biases = []
    for w0, b0, b1, n_out, n_in in _offsets(sizes):
        weights.append(flat[w0:b0].reshape(n_out, n_in))
        biases.append(flat[b0:b1])
    return weights, biases


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Target vectors ``r`` (B, K) with a 1 at each label (B,)."""
    r = np.zeros((labels.shape[0], n_classes))
    r[np.arange(labels.shape[0]), labels] = 1.0
    return r


@functools.lru_cache(maxsize=128)
def _ones(n: int) -> np.ndarray:
    """A read-only vector of ``n`` ones: ``ones @ a`` sums the rows of ``a`` in one BLAS call."""
    v = np.ones(n)
    v.setflags(write=False)
    return v


@functools.lru_cache(maxsize=128)
def _row_offsets(batch: int, n_classes: int) -> np.ndarray:
    """``(0, K, 2K, ...)`` of length B: row starts in a flattened (B, K) array."""
    v = np.arange(batch) * n_classes
    v.setflags(write=False)
    return v


def _softmax_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``s = z − max_j z_j`` (B, K), ``p = e^s / Σ_j e^{s_j}`` (B, K) and ``ln Σ_j e^{s_j}`` (B, 1)."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.dot(_ones(z.shape[1]))[:, None]
    return shifted, e / total, np.log(total)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise stable softmax of shape (B, K): ``p_k = e^{z_k} / Σ_j e^{z_j}``."""
    return _softmax_parts(z)[1]


def output_terms(
    loss: str, out: np.ndarray, r: np.ndarray | None, labels: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities ``p`` (B, K), per-sample losses (B,) and ``∂L/∂out`` (B, K).

    ``out`` is the output layer's activated values; targets are class
    ``labels`` (B,) or vectors ``r`` (B, K) (one of them, labels preferred).
    Cross-entropy: ``p = softmax(out)``, ``L = −Σ_j r_j ln p_j`` computed as
    ``ln Σ_j e^{s_j} − Σ_j r_j s_j`` with ``s = out − max(out)`` (finite for
    logits of any size), ``∂L/∂out = p Σ_j r_j − r``.  Squared error:
    ``p = out``, ``L = ½ Σ_j (out_j − r_j)²``, ``∂L/∂out = out − r``.  With
    labels, "minus 1 at the label" gives the same bits as subtracting a
    one-hot ``r``, without building it.
    """
    batch, n_classes = out.shape
    flat = None if labels is None else _row_offsets(batch, n_classes) + labels
    if loss == "cross_entropy":
        shifted, probs, log_total = _softmax_parts(out)
        if flat is not None:
            losses = log_total[:, 0] - shifted.ravel()[flat]
            d_out = probs.copy()
            d_out.ravel()[flat] -= 1.0
        else:
            assert r is not None
            losses = np.sum(r * (log_total - shifted), axis=1)
            d_out = probs * r.sum(axis=1, keepdims=True) - r
        return probs, losses, d_out
    if flat is not None:
        d_out = out.copy()
        d_out.ravel()[flat] -= 1.0
    else:
        assert r is not None
        d_out = out - r
    return out, 0.5 * np.sum(d_out * d_out, axis=1), d_out
