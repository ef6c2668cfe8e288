"""A network's architecture and options, and its initial parameters.

``NetworkConfig`` holds the layer sizes, the activations, the loss, the
initialisation and its seed; ``init_params`` draws the parameters a config
starts with, in the paper's orientation (``weights[l]`` of shape
(n_{l+1}, n_l), ``biases[l]`` of shape (n_{l+1},)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.numbers import parse

LOSSES: tuple[str, ...] = ("cross_entropy", "squared_error")
INITS: tuple[str, ...] = ("uniform", "gaussian", "xavier", "he")
DEFAULT_LR = 0.01
MAX_LAYER_SIZE = 4096
MAX_LAYERS = 16


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
        the loss, ``relu`` is the paper's Section 3 (``c = max(0, c^raw)``; see
        docs/paper-notes.md, erratum 3).
    loss:
        ``cross_entropy`` (on the softmax, natural log) or ``squared_error``
        (``½ Σ (o − r)²`` on the outputs, no softmax).
    init:
        One of ``INITS``; biases always start at zero.
    seed:
        Seeds the initialisation: equal configs give equal networks.
    hidden_activations:
        One of ``HIDDEN_ACTIVATIONS`` per hidden layer (b, c, …), or ``()``
        when every hidden layer has ``hidden_activation``.  A tuple of equal
        names becomes ``()`` with that name; otherwise ``hidden_activation``
        is the first hidden layer's.
    """

    sizes: tuple[int, ...] = (64, 16, 16, 2)
    hidden_activation: str = "relu"
    output_activation: str = "none"
    loss: str = "cross_entropy"
    init: str = "he"
    seed: int = 0
    hidden_activations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        per_layer = tuple(self.hidden_activations)
        if per_layer and len(set(per_layer)) == 1:
            object.__setattr__(self, "hidden_activation", per_layer[0])
            per_layer = ()
        elif per_layer:
            object.__setattr__(self, "hidden_activation", per_layer[0])
        object.__setattr__(self, "hidden_activations", per_layer)
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
        if self.hidden_activations and len(self.hidden_activations) != len(self.sizes) - 2:
            raise ValueError(f"got {len(self.hidden_activations)} hidden activations for "
                             f"{len(self.sizes) - 2} hidden layer(s); give one per hidden layer")
        for name in (self.hidden_activation, *self.hidden_activations):
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"unknown hidden activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}")
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
        if self.hidden_activations:
            return self.hidden_activations[layer - 1]
        return self.hidden_activation

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """The activation of every hidden layer, in order (b, c, …)."""
        return tuple(self.activation_of(l) for l in range(1, len(self.sizes) - 1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sizes": list(self.sizes),
            "hidden_activation": self.hidden_activation,
            "output_activation": self.output_activation,
            "loss": self.loss,
            "init": self.init,
            "seed": self.seed,
            **({"hidden_activations": list(self.hidden_activations)} if self.hidden_activations else {}),
        }



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


def check_lr(lr: float | str) -> float:
    """Return ``lr`` (a number, or a text as ``neuroviz.core.numbers.parse`` reads it) as a float, or raise
    ``ValueError`` unless finite and > 0."""
    try:
        value = parse(lr) if isinstance(lr, str) else float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"the learning rate must be a number; got {lr!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"the learning rate must be a finite number above 0; got {lr!r}")
    return value
