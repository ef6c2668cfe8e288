"""The multi-layer perceptron of the paper: parameters, forward, backward, update.

Orientation follows the paper: ``weights[l]`` has shape (n_{l+1}, n_l), so
``weights[l][m, n]`` is θ_{mn} from neuron n of layer l to neuron m of layer
l+1 (0-based here, 1-based in labels); ``biases[l]`` has shape (n_{l+1},).
Layer 0 is the input layer ``a``.  All arithmetic is float64.

The architecture and its options are ``NetworkConfig``
(``neuroviz.core.network_config``); softmax and the losses are in
``neuroviz.core.losses``.  Both are importable from here too.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from neuroviz.core import activations as act_mod
from neuroviz.core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.divergence import DivergenceError, check_values_finite
from neuroviz.core.flat_params import pack, split, weight_mask
from neuroviz.core.losses import one_hot, ones, output_terms, softmax
from neuroviz.core.network_config import (
    DEFAULT_LR,
    INITS,
    LOSSES,
    MAX_LAYER_SIZE,
    MAX_LAYERS,
    NetworkConfig,
    check_lr,
    init_params,
)
from neuroviz.core.numbers import fmt
from neuroviz.core.optimisers import Optimizer, OptimizerState
from neuroviz.core.trace import ForwardTrace, StepTrace, frozen, frozen_list

__all__ = [
    "DEFAULT_LR",
    "HIDDEN_ACTIVATIONS",
    "INITS",
    "LOSSES",
    "MAX_LAYERS",
    "MAX_LAYER_SIZE",
    "OUTPUT_ACTIVATIONS",
    "PARAM_LIMIT",
    "DivergenceError",
    "Gradients",
    "Network",
    "NetworkConfig",
    "check_lr",
    "init_params",
    "one_hot",
    "output_terms",
    "softmax",
]

PARAM_LIMIT = 1e6
"""An update that takes any |θ| or |β| beyond this (and beyond where it already was) diverges."""


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


class BackwardPass(NamedTuple):
    """Everything ``Network._gradients`` computes for a checked batch of B samples.

    Arrays may be shared with each other (never with the network).
    """

    raws: list[np.ndarray]
    """Per layer (B, n_l) before the activation (``b^raw``); index 0 is the input."""
    acts: list[np.ndarray]
    """Per layer (B, n_l) after the activation (``b``); index 0 is the input ``a``."""
    probs: np.ndarray
    """``p`` (B, n_L): softmax probabilities, or the outputs for squared error."""
    losses: np.ndarray
    """The loss of each sample (B,)."""
    loss: float
    """The batch-mean loss ``L``."""
    deltas: list[np.ndarray]
    """Per layer after the input (B, n_{l+1}): the error terms ``δ``."""
    grad_w: list[np.ndarray]
    """Per layer (n_{l+1}, n_l): ``∂L/∂θ``, batch mean."""
    grad_b: list[np.ndarray]
    """Per layer (n_{l+1},): ``∂L/∂β``, batch mean."""


class _Descent(NamedTuple):
    """An update computed but not applied (see ``Network._descend``)."""

    grads: BackwardPass
    """The pass behind it; its gradients are views of a scratch buffer the next update overwrites."""
    new_params: np.ndarray
    """``θ − η ∂L/∂θ`` (or the optimiser's update) as a new flat vector (P,) (see ``Network.flat_params``)."""
    penalty: float  # λ₁ Σ|θ| + λ₂/2 Σθ² at the parameters before (0 without one)
    penalty_grad: np.ndarray | None  # its gradient (P,), or None without a penalty
    state: OptimizerState | None  # the optimiser's state after (None without an optimiser)
    lr: float  # η_t, the learning rate the update used


class _Scratch(NamedTuple):
    """Buffers an update reuses: a gradient vector (P,), its per-layer views, and a vector (P,) for ``η ∂L/∂θ``."""

    grad: np.ndarray
    grad_w: list[np.ndarray]
    grad_b: list[np.ndarray]
    scaled: np.ndarray


class _Traced(NamedTuple):
    """``Network.compute_step``'s trace and the new flat parameter vector (P,) it ends with."""

    trace: StepTrace
    new_params: np.ndarray


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
    _scratch: _Scratch | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.weights:
            self._adopt(pack(*init_params(self.config)))
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

    def _repr_svg_(self) -> str:
        """The diagram, for a notebook's rich display (``rich_display.network_svg``)."""
        from neuroviz.core.rich_display import network_svg

        return network_svg(self)

    def copy(self) -> Network:
        """A deep copy (parameters are copied)."""
        return Network(self.config, [w.copy() for w in self.weights], [b.copy() for b in self.biases])

    def with_config(self, **changes: Any) -> Network:
        """A new, freshly initialised network with some options changed."""
        return Network(replace(self.config, **changes))

    def reinitialise(self) -> None:
        """Reset the parameters to those drawn from the config's seed."""
        self._adopt(pack(*init_params(self.config)))

    def _adopt(self, flat: np.ndarray) -> None:
        """Make ``flat`` (P,) the parameters: ``weights``/``biases`` become views of it."""
        self.weights, self.biases = split(flat, self.config.sizes)
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
        self._adopt(pack(new_w, new_b))

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
        for l in range(len(self.weights)):
            z, h = self._layer(l, h)
            raws.append(z)
            acts.append(h)
        return raws, acts

    def _layer(self, l: int, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Layer l+1 from the activated values h (B, n_l): its raw z = h θᵀ + β and activated values (B, n_{l+1})."""
        z = h @ self.weights[l].T
        z += self.biases[l]
        return z, ACTIVATIONS[self.config.activation_of(l + 1)][0](z)

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The output layer's activated values (B, n_L) of a checked batch ``x`` (B, n_0), the same numbers as
        ``forward(x).act[-1]``, without keeping the layers between (half the time on large batches: no fresh
        memory per layer)."""
        h = x
        for l in range(len(self.weights)):
            h = self._layer(l, h)[1]
        return h

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
        g = self._gradients(x, r, labels)
        fwd = ForwardTrace(raw=tuple(g.raws), act=tuple(g.acts), probs=g.probs)
        return Gradients(fwd, r, g.losses, g.loss, g.deltas, g.grad_w, g.grad_b)

    def _gradients(
        self,
        x: np.ndarray,
        r: np.ndarray | None,
        labels: np.ndarray | None,
        out: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
    ) -> BackwardPass:
        """The one computation behind ``step``, ``backward`` and ``train_batch``.

        ``x`` (B, n_0) is checked float64; the targets are either ``labels``
        (B,) int in range (then ``r`` may be ``None``: no one-hot matrix is
        built) or target vectors ``r`` (B, n_L).  With labels the output error
        is ``p − r`` written as "p, minus 1 at the label", which gives the same
        bits as the general ``p Σ_j r_j − r`` for a one-hot ``r``.

        With ``out`` (per-layer weight and bias arrays) the gradients are
        written into (and returned as) those arrays.
        """
        cfg = self.config
        raws, acts = self._layers(x)
        batch = x.shape[0]
        probs, losses, d_out = output_terms(cfg.loss, acts[-1], r, labels)
        n_w = len(self.weights)
        deltas: list[np.ndarray] = [d_out] * n_w
        grad_w: list[np.ndarray] = [d_out] * n_w
        grad_b: list[np.ndarray] = [d_out] * n_w
        upstream = d_out
        for l in range(n_w - 1, -1, -1):
            delta = act_mod.backprop(cfg.activation_of(l + 1), upstream, raws[l + 1], acts[l + 1])
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
                gb = np.dot(ones(batch), mean_delta, out=None if out is None else out[1][l])
            grad_w[l] = gw
            grad_b[l] = gb
            if l > 0:
                upstream = delta @ self.weights[l]
        loss = float(losses.sum()) / batch
        return BackwardPass(raws, acts, probs, losses, loss, deltas, grad_w, grad_b)

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
        self, x: np.ndarray, r: np.ndarray | None, labels: np.ndarray | None, lr: float,
        optimizer: Optimizer | None = None,
    ) -> _Descent:
        """One update computed but not applied: the ``BackwardPass``, ``θ_new`` and the optimiser's part.

        Without ``optimizer`` (or with the paper's plain SGD) ``θ_new = θ − η
        ∂L/∂θ``; else the optimiser's rule on the gradient plus the penalty's
        (``neuroviz.core.optimisers``).  ``θ_new`` is a new flat vector (P,)
        (see ``flat_params``); the gradients in the first part are views of a
        scratch buffer that the next update overwrites.  Raises
        ``DivergenceError`` if the loss or any new parameter is not finite.
        The network is never changed here.
        """
        flat = self.flat_params()
        grad, grad_w, grad_b, scaled = self._grad_scratch(flat.size)
        grads = self._gradients(x, r, labels, (grad_w, grad_b))
        loss = grads.loss
        if not math.isfinite(loss):
            raise DivergenceError(f"the loss became {loss}; the update was not applied")
        penalty, penalty_grad, state, eta = 0.0, None, None, lr
        if optimizer is None or optimizer.plain:
            # Into a kept buffer: two large temporaries alive at once cost page
            # faults on every update (several times the arithmetic for 26k parameters).
            new = flat - np.multiply(grad, lr, out=scaled)
            if optimizer is not None:
                state = OptimizerState(optimizer.state.t + 1, {})
        else:
            mask = weight_mask(self.config.sizes)
            total = grad
            if optimizer.penalty.active:
                penalty = optimizer.penalty.value(flat, mask)
                penalty_grad = optimizer.penalty.gradient(flat, mask)
                total = grad + penalty_grad
                if not math.isfinite(penalty):
                    raise DivergenceError(f"the penalty became {penalty}; the update was not applied")
            new, state, eta = optimizer.update(flat, total, lr, mask)
        # A sum of squares (one BLAS dot) is cheaper than isfinite(): a finite
        # total proves every entry finite; only a non-finite total (NaN,
        # infinity, or an overflow of the squares) needs the exact check.
        square_sum = new.dot(new)
        if not math.isfinite(square_sum):
            new_w, new_b = split(new, self.config.sizes)
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
                    f"the update would make a parameter {fmt(biggest, 3)}, beyond ±{fmt(PARAM_LIMIT)}; "
                    "it was not applied"
                )
        return _Descent(grads, new, penalty, penalty_grad, state, eta)

    def _grad_scratch(self, n_params: int) -> _Scratch:
        """The reusable ``_Scratch`` buffers for ``n_params`` parameters (made when the size changes)."""
        scratch = self._scratch
        if scratch is None or scratch.grad.size != n_params:
            grad = np.zeros(n_params)
            grad_w, grad_b = split(grad, self.config.sizes)
            scratch = self._scratch = _Scratch(grad, grad_w, grad_b, np.zeros(n_params))
        return scratch

    def compute_step(
        self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR, optimizer: Optimizer | None = None
    ) -> StepTrace:
        """Everything one update would compute, without applying it.

        Without ``optimizer`` the update is the paper's SGD; with one, its
        rule, penalty and schedule (the trace holds the optimiser and its
        state after).  Raises ``ValueError`` on bad input and
        ``DivergenceError`` if the result would be non-finite.
        ``apply_step(trace)`` then applies it; together they equal ``step``.
        """
        return self._traced(x, targets, lr, optimizer).trace

    def _traced(self, x: np.ndarray, targets: Any, lr: float, optimizer: Optimizer | None = None) -> _Traced:
        """``compute_step``'s trace and the new flat parameter vector (P,) it ends with."""
        eta = check_lr(lr)
        xb = self.check_inputs(x)
        r, labels = self.check_targets(targets, xb.shape[0])
        # Overflow on the way is reported as a DivergenceError, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            d = self._descend(xb, r if labels is None else None, labels, eta, optimizer)
        g, new = d.grads, d.new_params
        check_values_finite(g.raws, g.acts, g.deltas)
        new_w, new_b = split(new, self.config.sizes)
        penalty_w = () if d.penalty_grad is None else frozen_list(split(d.penalty_grad, self.config.sizes)[0])
        return _Traced(StepTrace(
            forward=ForwardTrace(frozen_list(g.raws), frozen_list(g.acts), frozen(g.probs)),
            targets=frozen(r),
            labels=None if labels is None else frozen(labels),
            losses=frozen(g.losses),
            loss=g.loss,
            deltas=frozen_list(g.deltas),
            grad_weights=frozen_list(g.grad_w),
            grad_biases=frozen_list(g.grad_b),
            weights_before=frozen_list(self.weights),
            biases_before=frozen_list(self.biases),
            weights_after=frozen_list(new_w),
            biases_after=frozen_list(new_b),
            lr=d.lr,
            penalty=d.penalty,
            penalty_weights=penalty_w,
            optimizer=optimizer,
            optimizer_after=d.state,
        ), new)

    def apply_step(self, trace: StepTrace) -> None:
        """Set the parameters to ``trace``'s after-values (writeable copies)."""
        self.set_params(list(trace.weights_after), list(trace.biases_after))

    def step(self, x: np.ndarray, targets: Any, lr: float = DEFAULT_LR) -> StepTrace:
        """One SGD update on a sample or mini-batch, recording everything.

        Raises ``ValueError`` on bad input (network unchanged) and
        ``DivergenceError`` if the result would be non-finite (unchanged).
        (An optimiser's state lives in a ``Trainer``: ``Trainer.step_on``.)
        """
        trace, new = self._traced(x, targets, lr)
        self._adopt(new)
        return trace

    def train_batch(self, x: np.ndarray, labels: np.ndarray, lr: float) -> float:
        """Fast path: one SGD update on already-checked data, no trace.

        ``x`` must be float64 (B, n_0) and ``labels`` int (B,) in range, or
        target values r (B, n_L) float64; this gives bit-for-bit the same
        parameters as ``step``.  Returns the loss.  Raises
        ``DivergenceError`` (network unchanged) if non-finite.
        """
        descent = self._descend(x, *_r_or_labels(labels), lr)
        self._adopt(descent.new_params)
        return descent.grads.loss

    def train_batch_with(self, x: np.ndarray, labels: np.ndarray, lr: float,
                         optimizer: Optimizer) -> tuple[float, float, OptimizerState]:
        """Fast path with an optimiser: as ``train_batch``; returns the loss, the penalty and the state after."""
        d = self._descend(x, *_r_or_labels(labels), lr, optimizer)
        self._adopt(d.new_params)
        assert d.state is not None
        return d.grads.loss, d.penalty, d.state


def _r_or_labels(targets: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Checked targets as ``(r, labels)``: values (B, n_L) are r, labels (B,) are labels."""
    return (targets, None) if targets.ndim == 2 else (None, targets)
