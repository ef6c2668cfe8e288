"""Activation functions and their derivatives, element-wise on NumPy arrays.

Each activation ``f`` maps a raw value ``z`` (the paper's ``b^raw``) to the
activated value ``f(z)`` (the paper's ``b``).  ``derivative(name, z, fz)``
returns ``f'(z)``; for ReLU that is the paper's indicator ``1[b^raw > 0]``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LEAKY_SLOPE = 0.01
"""Slope of leaky ReLU for negative inputs."""


def _relu(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.maximum(z, 0.0)
    return out


def _relu_d(z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    return (z > 0.0).astype(z.dtype)


def _leaky(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(z > 0.0, z, LEAKY_SLOPE * z)
    return out


def _leaky_d(z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for large |z|.
    e = np.exp(-np.abs(z))
    out: np.ndarray = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def _sigmoid_d(z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    return fz * (1.0 - fz)


def _tanh_d(z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 - fz * fz
    return out


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _identity_d(z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


Activation = Callable[[np.ndarray], np.ndarray]
Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]

ACTIVATIONS: dict[str, tuple[Activation, Derivative]] = {
    "relu": (_relu, _relu_d),
    "leaky_relu": (_leaky, _leaky_d),
    "sigmoid": (_sigmoid, _sigmoid_d),
    "tanh": (np.tanh, _tanh_d),
    "identity": (_identity, _identity_d),
    # "none" is the output layer's name for the identity: logits go straight
    # into the softmax (or the squared error).
    "none": (_identity, _identity_d),
}

HIDDEN_ACTIVATIONS: tuple[str, ...] = ("relu", "leaky_relu", "sigmoid", "tanh", "identity")
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("none", "relu", "sigmoid")

FORMULAS: dict[str, str] = {
    "relu": "max{0, z}",
    "leaky_relu": f"max{{{LEAKY_SLOPE}·z, z}}",
    "sigmoid": "1/(1+e^(−z))",
    "tanh": "tanh(z)",
    "identity": "z",
    "none": "z",
}
"""Human-readable formula of each activation, in terms of the raw value z."""


def apply(name: str, z: np.ndarray) -> np.ndarray:
    """Return ``f(z)`` for the activation called ``name`` (same shape as z)."""
    return ACTIVATIONS[name][0](z)


def derivative(name: str, z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    """Return ``f'(z)`` given the raw values ``z`` and activated ``fz = f(z)``."""
    return ACTIVATIONS[name][1](z, fz)


def backprop(name: str, upstream: np.ndarray, z: np.ndarray, fz: np.ndarray) -> np.ndarray:
    """The layer's error term ``δ = upstream ⊙ f'(z)``, shape (B, n).

    ``upstream`` is ``∂L/∂f(z)`` (for a hidden layer ``Σ_m δ_m θ_{mn}``).  It
    may be overwritten: callers pass a fresh array they no longer need.  ReLU
    multiplies by the paper's indicator ``1[z > 0]``, read as ``sign(f(z))``
    (``f(z) = max(0, z)`` is 0 or positive); the identity returns
    ``upstream`` itself.
    """
    if name in ("none", "identity"):
        return upstream
    factor = np.sign(fz) if name == "relu" else derivative(name, z, fz)
    delta: np.ndarray = np.multiply(upstream, factor, out=upstream)
    return delta
