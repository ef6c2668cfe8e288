"""The model's numbers as a lesson reads them (``lesson_expr.Context`` over an ``AppModel``).

Every value comes from the core: the drawing's forward pass, loss, δ and
gradients are ``Network.compute_step`` on the input x and its target r with
the parameters now (an update computed, never applied); the data set's losses
are the network's loss and accuracy on the split named.  A ``ModelContext``
computes each of these at most once, and keeps them in ``cache`` (a dict the
caller empties when the network, the data set or the drawing changes), so that
the several signals of one training tick cost one computation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from neuroviz.core.network import DivergenceError
from neuroviz.core.notation import layer_letter
from neuroviz.core.selection import Selection
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import accuracy
from neuroviz.model.app_model import AppModel
from neuroviz.model.lesson_expr import ExprError, Quantity


class ModelContext:
    """The numbers of ``model`` now; ``updates`` is the count the lesson's step has seen."""

    def __init__(self, model: AppModel, updates: int = 0, cache: dict[str, Any] | None = None) -> None:
        self.model = model
        self.updates = updates
        self.cache: dict[str, Any] = {} if cache is None else cache

    @property
    def trace(self) -> StepTrace:
        """The update on the drawing with the parameters now (and η now), computed and not applied."""
        m = self.model
        key = f"trace {m.trainer.lr!r}"
        if key not in self.cache:
            try:
                self.cache[key] = m.network.compute_step(m.input, np.array([m.target]), m.trainer.lr)
            except DivergenceError as exc:
                raise ExprError(f"the drawing's numbers are not finite ({exc})") from None
        trace: StepTrace = self.cache[key]
        return trace

    def _split(self, name: str) -> float:
        """``train_loss``, ``test_accuracy`` …: the network now on that split of the data set (NaN if empty)."""
        split, _, what = name.partition("_")
        if split not in self.cache:
            ds = self.model.dataset
            X, y = (ds.X_train, ds.y_train) if split == "train" else (ds.X_test, ds.y_test)
            if len(y) == 0:
                self.cache[split] = (math.nan, math.nan)
            else:
                loss, probs = self.model.network.loss_and_probs(X, y)
                self.cache[split] = (loss, accuracy(probs, y))
        loss, acc = self.cache[split]
        return float(loss if what == "loss" else acc)

    def _layer(self, layer: int, text: str, params: bool = False) -> int:
        """Check that ``layer`` exists in the open network (for weights and biases: the matrix index)."""
        count = self.model.network.n_layers if params else self.model.network.n_layers + 1
        if not 0 <= layer < count:
            raise ExprError(f"{text}: the open network {'-'.join(map(str, self.model.network.sizes))} has no "
                            f"such layer")
        return layer

    @staticmethod
    def _at(values: np.ndarray, text: str, *index: int) -> float:
        if any(i >= s for i, s in zip(index, values.shape)):
            raise ExprError(f"{text}: index out of range for the open network (shape {values.shape})")
        return float(values[index])

    def quantity(self, q: Quantity) -> float:
        if q.kind == "name":
            return self._named(q.text)
        net = self.model.network
        return self._read(q, self.trace, net.weights, net.biases)

    def before(self, q: Quantity) -> float:
        """``q`` in the last update, before it was applied (its first sample's numbers)."""
        trace = self.model.last_trace
        if trace is None or not self.model.time.trace_is_current:
            raise ExprError(f"before({q.text}): no update has been made yet")
        if q.kind == "name":
            if q.text != "L":
                raise ExprError(f"before(…) takes a number of the update such as L, p_1 or θ^{{cb}}_{{11}}; "
                                f"got {q.text!r}")
            return float(trace.losses[0])
        return self._read(q, trace, trace.weights_before, trace.biases_before)

    def _read(self, q: Quantity, trace: StepTrace, weights: Sequence[np.ndarray],
              biases: Sequence[np.ndarray]) -> float:
        if q.kind in ("neuron", "raw"):
            layer = self._layer(q.layer, q.text)
            values = trace.forward.act if q.kind == "neuron" else trace.forward.raw
            return self._at(values[layer][0], q.text, q.m)
        if q.kind in ("p", "r"):
            return self._at((trace.probs if q.kind == "p" else trace.targets)[0], q.text, q.m)
        if q.kind == "delta":
            layer = self._layer(q.layer, q.text)
            return self._at(trace.deltas[layer - 1][0], q.text, q.m)
        layer = self._layer(q.layer, q.text, params=True)
        if q.kind == "weight":
            return self._at(weights[layer], q.text, q.m, q.n)
        if q.kind == "bias":
            return self._at(biases[layer], q.text, q.m)
        if q.kind == "grad_weight":
            return self._at(trace.grad_weights[layer], q.text, q.m, q.n)
        return self._at(trace.grad_biases[layer], q.text, q.m)

    def _named(self, name: str) -> float:
        if name == "L":
            return self.trace.loss
        if name == "η":
            return float(self.model.trainer.lr)
        if name == "B":
            return float(self.model.trainer.batch_size)
        if name == "train_samples":
            return float(len(self.model.dataset.train_indices))
        if name == "updates":
            return float(self.updates)
        return self._split(name)

    def class_probability(self, name: str) -> float:
        return float(self.trace.probs[0][self._class(name)])

    def _class(self, name: str) -> int:
        names = self.model.class_names
        if name not in names:
            raise ExprError(f"the data set has no class {name!r}; its classes are {', '.join(names)}")
        return names.index(name)

    def says(self, name: str) -> bool:
        return int(np.argmax(self.trace.probs[0])) == self._class(name)

    def layer_function(self, name: str, layer: int, vector: str) -> float:
        text = f"{name}({layer_letter(layer)})"
        self._layer(layer, text)
        if layer == self.model.network.n_layers and name == "dead":
            raise ExprError(f"{text}: the output layer is not a hidden layer")
        if name == "mean_abs":
            return float(np.mean(np.abs(self.trace.deltas[layer - 1][0])))
        X = self.model.dataset.X_train
        if len(X) == 0:
            return 0.0
        raw = self.model.network.forward(X).raw[layer]
        return float(np.sum(np.all(raw <= 0, axis=0)))

    def change(self, q: Quantity) -> float:
        trace = self.model.last_trace
        if trace is None or not self.model.time.trace_is_current:
            return 0.0
        layer = self._layer(q.layer, q.text, params=True)
        if q.kind == "weight":
            return self._at(trace.weights_after[layer] - trace.weights_before[layer], q.text, q.m, q.n)
        return self._at(trace.biases_after[layer] - trace.biases_before[layer], q.text, q.m)

    def max_raw(self, q: Quantity) -> float:
        net = self.model.network
        w = net.weights[0]
        if q.m >= w.shape[0]:
            raise ExprError(f"max_raw({q.text}): layer b has {w.shape[0]} neurons")
        return float(net.biases[0][q.m] + np.maximum(w[q.m], 0.0).sum())

    def selection(self) -> Selection | None:
        return self.model.selection

    def modes(self) -> tuple[str, str]:
        return self.model.edge_mode, self.model.node_mode

    def receptive_fields(self) -> bool:
        return self.model.view.receptive_fields

    def running(self) -> bool:
        return self.model.running
