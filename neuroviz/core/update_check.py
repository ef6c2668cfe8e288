"""Gradient check of one recorded update, row by row of its ``UpdateTable``.

``UpdateCheck`` rebuilds the network as it was before the update (from the
trace's ``weights_before``/``biases_before``) and fills, for the rows asked,
the numeric gradient by central finite differences
(``neuroviz.core.gradcheck.central_difference``) and its relative error to the
analytic gradient.  Rows can be checked a chunk at a time, so that a view can
check 26k parameters without blocking.
"""

from __future__ import annotations

import numpy as np

from neuroviz.core.gradcheck import DEFAULT_H, central_difference, relative_error
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.update_table import WEIGHT, UpdateTable


class UpdateCheck:
    """Numeric gradients for the rows of ``table``.

    Attributes
    ----------
    numeric:
        Shape (P,): ``(L(w + h) − L(w − h)) / (2h)`` of the batch-mean loss,
        NaN for rows not checked yet.
    relative_error:
        Shape (P,): ``|g − n| / max(|g| + |n|, 1e-8)``, NaN where not checked.
    """

    def __init__(self, table: UpdateTable, config: NetworkConfig, h: float = DEFAULT_H) -> None:
        tr = table.trace
        self.table = table
        self.h = h
        self._probe = Network(config, [np.array(w) for w in tr.weights_before],
                              [np.array(b) for b in tr.biases_before])
        self._x = np.asarray(tr.inputs)
        self._r = np.asarray(tr.targets)
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

    def run(self, rows: np.ndarray) -> None:
        """Check ``rows`` (indices into the table); rows already checked are skipped."""
        t = self.table
        for row in np.asarray(rows, dtype=np.int64).tolist():
            if np.isfinite(self.numeric[row]):
                continue
            layer, m, n = int(t.layer[row]), int(t.m[row]), int(t.n[row])
            if t.kind[row] == WEIGHT:
                params = self._probe.weights[layer]
                index = m * params.shape[1] + n
            else:
                params = self._probe.biases[layer]
                index = m
            value = central_difference(self._probe, params, index, self._x, self._r, self.h)
            self.numeric[row] = value
            self.relative_error[row] = float(relative_error(np.array(t.grad[row]), np.array(value)))
