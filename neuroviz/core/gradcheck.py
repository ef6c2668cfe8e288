"""Gradient check by central finite differences.

For every parameter ``w`` the numeric gradient is
``(L(w + h) − L(w − h)) / (2h)``, compared with the analytic gradient from
``Network.backward`` by the relative error ``|g − n| / max(|g| + |n|, tiny)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroviz.core.network import Network

DEFAULT_H = 1e-6


@dataclass(frozen=True)
class GradCheck:
    """Analytic and numeric gradients, per layer.

    ``analytic_weights[l]`` and ``numeric_weights[l]`` have shape
    (n_{l+1}, n_l); the bias lists have shape (n_{l+1},).
    """

    analytic_weights: tuple[np.ndarray, ...]
    analytic_biases: tuple[np.ndarray, ...]
    numeric_weights: tuple[np.ndarray, ...]
    numeric_biases: tuple[np.ndarray, ...]

    def relative_errors(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Relative error per parameter, same shapes as the gradients."""
        return (
            [relative_error(a, n) for a, n in zip(self.analytic_weights, self.numeric_weights)],
            [relative_error(a, n) for a, n in zip(self.analytic_biases, self.numeric_biases)],
        )

    def max_relative_error(self) -> float:
        ew, eb = self.relative_errors()
        return float(max(max(float(e.max(initial=0.0)) for e in ew), max(float(e.max(initial=0.0)) for e in eb)))


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-8) -> np.ndarray:
    """``|g − n| / max(|g| + |n|, floor)`` element-wise."""
    error: np.ndarray = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return error


def numeric_gradients(
    net: Network, x: np.ndarray, targets: Any, h: float = DEFAULT_H
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central-difference gradients of the batch-mean loss w.r.t. every parameter.

    The network is restored exactly afterwards.
    """
    probe = net.copy()
    num_w = [np.zeros_like(w) for w in probe.weights]
    num_b = [np.zeros_like(b) for b in probe.biases]
    for params, grads in ((probe.weights, num_w), (probe.biases, num_b)):
        for p, g in zip(params, grads):
            gflat = g.reshape(-1)
            for i in range(p.size):
                gflat[i] = central_difference(probe, p, i, x, targets, h)
    return num_w, num_b


def central_difference(probe: Network, params: np.ndarray, index: int, x: np.ndarray, targets: Any,
                       h: float = DEFAULT_H) -> float:
    """``(L(w + h) − L(w − h)) / (2h)`` for entry ``index`` (flat) of ``params``.

    ``params`` is one of ``probe``'s own (contiguous) weight matrices or bias
    vectors; the entry is restored exactly afterwards.
    """
    flat = params.reshape(-1)
    old = flat[index]
    flat[index] = old + h
    up = probe.loss(x, targets)
    flat[index] = old - h
    down = probe.loss(x, targets)
    flat[index] = old
    return (up - down) / (2.0 * h)


def gradient_check(net: Network, x: np.ndarray, targets: Any, h: float = DEFAULT_H) -> GradCheck:
    """Compare ``Network.backward`` with central finite differences."""
    g = net.backward(x, targets)
    num_w, num_b = numeric_gradients(net, x, targets, h)
    return GradCheck(tuple(g.grad_weights), tuple(g.grad_biases), tuple(num_w), tuple(num_b))
