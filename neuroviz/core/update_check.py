"""Gradient check of one recorded update, row by row of its ``UpdateTable``.

For every parameter the numeric gradient is the central finite difference
``(L(w + h) − L(w − h)) / (2h)`` of the batch-mean loss, compared with the
analytic gradient by the relative error ``|g − n| / max(|g| + |n|, 1e-8)``
(``neuroviz.core.gradcheck.relative_error``).

A weight ``θ^{l+1,l}_{mn}`` (or bias ``β^{l+1}_m``) enters the loss only
through the raw value ``z_m`` of layer l+1, which it moves by ``h·a_n`` (or
``h``).  So ``L(w ± h)`` is the forward pass from layer l+1 onwards of the
recorded raw values with that one column moved, and many parameters are
checked in one stacked forward pass: the network's own activations, a
``Network`` made of the layers above, and ``output_terms`` for the
per-sample losses.  Only the analytic backward pass is never used.
"""

from __future__ import annotations

import numpy as np

from neuroviz.core import activations
from neuroviz.core.gradcheck import DEFAULT_H, relative_error
from neuroviz.core.network import Network, NetworkConfig, output_terms
from neuroviz.core.update_table import WEIGHT, UpdateTable

STACK_VALUES = 1 << 20
"""Most values (rows × neurons) of one stacked forward pass."""


class UpdateCheck:
    """Numeric gradients for the rows of ``table``.

    Attributes
    ----------
    numeric:
        Shape (P,): the central difference of each row's parameter, NaN for
        rows not checked yet.
    relative_error:
        Shape (P,): relative error to the analytic gradient, NaN where not
        checked.
    """

    def __init__(self, table: UpdateTable, config: NetworkConfig, h: float = DEFAULT_H) -> None:
        tr = table.trace
        if tuple(w.shape for w in tr.weights_before) != tuple(
                (b, a) for a, b in zip(config.sizes[:-1], config.sizes[1:])):
            raise ValueError("the update does not belong to a network of this architecture")
        self.table = table
        self.config = config
        self.h = h
        self._r = np.asarray(tr.targets)
        self._tails: dict[int, Network | None] = {}
        self.numeric = np.full(len(table), np.nan)
        self.relative_error = np.full(len(table), np.nan)

    @property
    def checked(self) -> int:
        """Number of rows checked so far."""
        return int(np.count_nonzero(np.isfinite(self.numeric)))

    @property
    def complete(self) -> bool:
        return self.checked == len(self.table)

    def max_relative_error(self) -> float:
        """Largest relative error of the checked rows (0 if none)."""
        done = np.isfinite(self.relative_error)
        return float(self.relative_error[done].max(initial=0.0))

    def _tail(self, layer: int) -> Network | None:
        """The network from layer ``layer`` (as its input) to the output; None for the output layer."""
        if layer not in self._tails:
            cfg, tr = self.config, self.table.trace
            if layer == len(cfg.sizes) - 1:
                self._tails[layer] = None
            else:
                tail_cfg = NetworkConfig(sizes=cfg.sizes[layer:], hidden_activation=cfg.hidden_activation,
                                         output_activation=cfg.output_activation, loss=cfg.loss, init=cfg.init,
                                         hidden_activations=cfg.layer_activations[layer:])
                self._tails[layer] = Network(tail_cfg, [np.array(w) for w in tr.weights_before[layer:]],
                                             [np.array(b) for b in tr.biases_before[layer:]])
        return self._tails[layer]

    def run(self, rows: np.ndarray) -> None:
        """Check ``rows`` (indices into the table); rows already checked are skipped."""
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[~np.isfinite(self.numeric[rows])]
        t = self.table
        for layer in np.unique(t.layer[rows]).tolist():
            todo = rows[t.layer[rows] == layer]
            width = int(self.config.sizes[layer + 1])
            chunk = max(1, STACK_VALUES // (2 * self.table.trace.batch_size * width))
            for start in range(0, todo.size, chunk):
                self._check_chunk(layer, todo[start:start + chunk])

    def _check_chunk(self, layer: int, rows: np.ndarray) -> None:
        """Central differences of ``rows``, all parameters of ``weights[layer]``/``biases[layer]``."""
        t, tr, h = self.table, self.table.trace, self.h
        k = rows.size
        batch = tr.batch_size
        z = np.asarray(tr.forward.raw[layer + 1])  # (B, n): the raw values the parameters feed
        inputs = np.asarray(tr.forward.act[layer])  # (B, n_in)
        # how far each parameter moves its neuron's raw value, per sample: (k, B)
        shift = np.where((t.kind[rows] == WEIGHT)[:, None], inputs[:, np.maximum(t.n[rows], 0)].T, 1.0) * h
        moved = np.broadcast_to(z, (2, k, *z.shape)).copy()  # (±, k, B, n)
        cols = t.m[rows]
        moved[0, np.arange(k)[:, None], np.arange(batch)[None, :], cols[:, None]] += shift
        moved[1, np.arange(k)[:, None], np.arange(batch)[None, :], cols[:, None]] -= shift
        stacked = moved.reshape(2 * k * batch, z.shape[1])
        act = activations.apply(self.config.activation_of(layer + 1), stacked)
        tail = self._tail(layer + 1)
        out = act if tail is None else tail.forward(act).act[-1]
        r = np.broadcast_to(self._r, (2 * k, *self._r.shape)).reshape(2 * k * batch, -1)
        _, losses, _ = output_terms(self.config.loss, out, r, None)
        loss = losses.reshape(2, k, batch).sum(axis=2) / batch
        numeric = (loss[0] - loss[1]) / (2.0 * h)
        self.numeric[rows] = numeric
        self.relative_error[rows] = relative_error(t.grad[rows], numeric)


class CheckQueue:
    """The rows of an ``UpdateCheck`` in the order to check them, a few at a time.

    ``first`` (row indices, e.g. the rows a view shows, in its order) come
    first, then every other row of the table in table order.  Rows checked
    before are skipped by ``UpdateCheck.run`` but still counted as done.
    """

    def __init__(self, check: UpdateCheck, first: np.ndarray) -> None:
        first = np.asarray(first, dtype=np.int64)
        rest = np.setdiff1d(np.arange(len(check.table)), first, assume_unique=True)
        self.check = check
        self.order = np.concatenate([first, rest])
        """Shape (P,): every table row once, in the order they are checked."""
        self.position = 0
        """How many rows of ``order`` have been run."""

    @property
    def done(self) -> int:
        """Rows of ``order`` run so far."""
        return min(self.position, self.order.size)

    @property
    def finished(self) -> bool:
        return self.position >= self.order.size

    @property
    def percent(self) -> int:
        """``done`` as a whole percentage of all rows (rounded down; 100 once finished)."""
        return 100 * self.done // self.order.size if self.order.size else 100

    def run(self, rows: int) -> None:
        """Check the next ``rows`` rows of ``order`` (fewer at the end)."""
        if rows < 1:
            raise ValueError(f"rows must be at least 1, not {rows}")
        self.check.run(self.order[self.position:self.position + rows])
        self.position += rows
