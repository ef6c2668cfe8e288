"""Training: epochs of shuffled mini-batches, metrics, one update at a time.

A ``Trainer`` owns the position in the data (epoch, step, the shuffled order
and the random generator) so that training is exactly reproducible from a
seed, and so that its whole state can be saved and restored
(``state_dict`` / ``load_state_dict``) to continue bit for bit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.network import DEFAULT_LR, Network, check_lr
from neuroviz.core.optimisers import Optimizer, OptimizerState, optimizer_from_dict, optimizer_to_dict
from neuroviz.core.trace import StepTrace

DEFAULT_BATCH_SIZE = 8


@dataclass(frozen=True)
class EpochMetrics:
    """Loss and accuracy after an epoch (``step`` updates in total)."""

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float


class LossHistory:
    """Per-update data loss and weight penalty as growable float64 arrays (amortised O(1) append).

    ``steps``, ``values`` (the data loss L) and ``penalties`` (λ₁ Σ|θ| +
    λ₂/2 Σθ² before the update, 0 without a penalty) are views of shape (n,)
    of the filled part; the loss minimised is their sum.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._steps = np.empty(capacity, dtype=np.int64)
        self._values = np.empty(capacity, dtype=np.float64)
        self._penalties = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, step: int, value: float, penalty: float = 0.0) -> None:
        if self._n == self._values.size:
            self._steps = np.concatenate([self._steps, np.empty_like(self._steps)])
            self._values = np.concatenate([self._values, np.empty_like(self._values)])
            self._penalties = np.concatenate([self._penalties, np.empty_like(self._penalties)])
        self._steps[self._n] = step
        self._values[self._n] = value
        self._penalties[self._n] = penalty
        self._n += 1

    def truncate(self, n: int) -> None:
        """Keep only the first ``n`` entries."""
        self._n = max(0, min(n, self._n))

    def extend(self, steps: np.ndarray, values: np.ndarray, penalties: np.ndarray | None = None) -> None:
        """Append many entries: ``steps`` (n,), ``values`` (n,) and ``penalties`` (n,) (zeros if ``None``)."""
        n = len(values)
        if len(steps) != n or (penalties is not None and len(penalties) != n):
            raise ValueError(f"{len(steps)} steps for {n} loss values")
        end = self._n + n
        if end > self._values.size:
            size = max(end, 2 * self._values.size)
            self._steps = np.concatenate([self._steps[: self._n], np.empty(size - self._n, dtype=np.int64)])
            self._values = np.concatenate([self._values[: self._n], np.empty(size - self._n)])
            self._penalties = np.concatenate([self._penalties[: self._n], np.empty(size - self._n)])
        self._steps[self._n : end] = steps
        self._values[self._n : end] = values
        self._penalties[self._n : end] = 0.0 if penalties is None else penalties
        self._n = end

    def clear(self) -> None:
        self._n = 0

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self._n]

    @property
    def values(self) -> np.ndarray:
        return self._values[: self._n]

    @property
    def penalties(self) -> np.ndarray:
        return self._penalties[: self._n]


@dataclass(frozen=True, eq=False)
class TrainerPosition:
    """Where a ``Trainer`` stands, compactly (see ``Trainer.position``).

    ``order`` (N,) is the read-only epoch order itself (shared, not copied);
    ``rng_state`` the generator's bit state; ``n_history`` and ``n_epochs``
    the lengths of the loss history and of the epoch metrics then.
    """

    dataset: Dataset
    lr: float
    batch_size: int
    shuffle: bool
    seed: int
    epoch: int
    step: int
    order: np.ndarray
    cursor: int
    rng_state: Mapping[str, Any]
    n_history: int
    n_epochs: int
    optimizer: Optimizer
    """The optimiser and its state (immutable, shared, not copied)."""


class NextUpdate(NamedTuple):
    """An update on the next mini-batch, computed but not applied (see ``Trainer.compute_next``)."""

    trace: StepTrace
    batch: int
    """How many samples of the epoch order it uses (``commit`` moves past them)."""


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows of ``probs`` (B, K) whose argmax equals ``labels`` (B,)."""
    if labels.size == 0:
        return math.nan
    return float(np.mean(np.argmax(probs, axis=1) == labels))


class Trainer:
    """SGD on a dataset's training split, one update or many at a time.

    Parameters
    ----------
    network:
        Trained in place.
    dataset:
        Its ``X_train`` and training targets (labels, or values for
        regression: ``Dataset.targets_of``) feed the updates; the test split
        is only evaluated.  Its image size must equal the network's input size.
    optimizer:
        The update rule, weight penalty and η schedule with its state
        (``neuroviz.core.optimisers``); the paper's SGD unless set
        (``set_optimizer``).
    lr, batch_size, shuffle, seed:
        η, the mini-batch size (the last batch of an epoch may be smaller;
        ``None`` means ``DEFAULT_BATCH_SIZE`` or the whole training split if
        that is smaller), whether each epoch visits the samples in a new
        random order, and the seed of that order.
    """

    def __init__(
        self,
        network: Network,
        dataset: Dataset,
        lr: float = DEFAULT_LR,
        batch_size: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
    ) -> None:
        self.network = network
        self.lr = check_lr(lr)
        if batch_size is None:
            batch_size = max(1, min(DEFAULT_BATCH_SIZE, len(dataset.train_indices)))
        self._batch_size = self._check_batch_size(batch_size, dataset)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.history = LossHistory()
        self.optimizer = Optimizer().fitted(network.n_params)
        self.epochs: list[EpochMetrics] = []
        self._step = 0
        self._epoch = 0
        self._ordered: tuple[np.ndarray, np.ndarray] | None = None
        self._ordered_for: np.ndarray | None = None
        self.set_dataset(dataset)

    # ---------------------------------------------------------------- options
    @staticmethod
    def _check_batch_size(batch_size: int, dataset: Dataset) -> int:
        n_train = len(dataset.train_indices)
        if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= max(n_train, 1):
            raise ValueError(f"the batch size must be a whole number from 1 to {n_train}; got {batch_size!r}")
        return int(batch_size)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self._batch_size = self._check_batch_size(value, self.dataset)

    def set_lr(self, lr: float) -> None:
        """Set η, raising ``ValueError`` (and keeping the old η) if bad."""
        self.lr = check_lr(lr)

    def set_optimizer(self, optimizer: Optimizer) -> None:
        """Train with ``optimizer`` from the next update on (its state is started afresh if it does not fit)."""
        self.optimizer = optimizer.fitted(self.network.n_params)

    def set_dataset(self, dataset: Dataset) -> None:
        """Train on ``dataset`` from the start of a new epoch order."""
        h, w = dataset.image_shape
        if h * w != self.network.config.n_inputs:
            raise ValueError(
                f"the dataset's {h}×{w} images have {h * w} pixels; "
                f"the network has {self.network.config.n_inputs} inputs"
            )
        if dataset.n_classes != self.network.config.n_outputs:
            raise ValueError(
                f"the dataset has {dataset.n_classes} classes; the network has {self.network.config.n_outputs} outputs"
            )
        if len(dataset.train_indices) == 0:
            raise ValueError("the dataset has no training samples")
        self.dataset = dataset
        self._train_X = np.ascontiguousarray(dataset.X_train)
        self._train_y = np.ascontiguousarray(dataset.targets_of(test=False))
        self._batch_size = min(self._batch_size, len(self._train_y))
        self.restart_order()

    def restart_order(self) -> None:
        """Restart the random generator from the seed and start a new epoch order."""
        self.rng = np.random.default_rng(self.seed)
        self._new_order()

    def _new_order(self) -> None:
        n = len(self._train_y)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        order.setflags(write=False)
        self.order = order
        self.cursor = 0

    # --------------------------------------------------------------- position
    @property
    def step_count(self) -> int:
        """Number of updates made so far."""
        return self._step

    @property
    def epoch(self) -> int:
        """Number of completed epochs."""
        return self._epoch

    @property
    def epoch_progress(self) -> float:
        """Fraction of the current epoch done, in [0, 1)."""
        return self.cursor / len(self.order)

    def reset(self) -> None:
        """Re-initialise the network from its seed and forget all training."""
        self.network.reinitialise()
        self.optimizer = self.optimizer.with_state(OptimizerState.initial(self.optimizer.name, self.network.n_params))
        self._step = 0
        self._epoch = 0
        self.history.clear()
        self.epochs.clear()
        self.restart_order()

    def _epoch_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The training split in this epoch's order, X (N, n_0) and y (N,); made once per epoch."""
        if self._ordered is None or self._ordered_for is not self.order:
            X, y = self._train_X[self.order], self._train_y[self.order]
            X.setflags(write=False)
            y.setflags(write=False)
            self._ordered = (X, y)
            self._ordered_for = self.order
        return self._ordered

    def next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next mini-batch without moving: inputs (B, n_0) and labels (B,), read-only views.

        Both the traced and the fast path read their batches here, so they
        see the very same memory and give the same bits.
        """
        X, y = self._epoch_arrays()
        end = self.cursor + self._batch_size
        return X[self.cursor : end], y[self.cursor : end]

    def _advance(self, batch: int, loss: float, penalty: float = 0.0) -> None:
        self.cursor += batch
        self._step += 1
        self.history.append(self._step, loss, penalty)
        if self.cursor >= len(self.order):
            self._epoch += 1
            self.epochs.append(self.evaluate())
            self._new_order()

    # --------------------------------------------------------------- training
    def step(self) -> StepTrace:
        """One update on the next mini-batch, recording a full ``StepTrace``.

        Raises ``DivergenceError`` with the network and position unchanged.
        """
        trace, batch = self.compute_next()
        self.commit(trace, batch)
        return trace

    def compute_next(self) -> NextUpdate:
        """The update ``step`` would make next, not applied: its trace and batch length.

        Nothing changes (network, position, history) until ``commit``.
        """
        x, y = self.next_batch()
        return NextUpdate(self.network.compute_step(x, y, self.lr, self._fitted()), len(y))

    def _fitted(self) -> Optimizer:
        self.optimizer = self.optimizer.fitted(self.network.n_params)
        return self.optimizer

    def _apply(self, trace: StepTrace) -> None:
        """Set the network (and the optimiser's state) to those after ``trace``."""
        self.network.apply_step(trace)
        if trace.optimizer is not None and trace.optimizer_after is not None:
            self.optimizer = trace.optimizer.with_state(trace.optimizer_after)

    def commit(self, trace: StepTrace, batch: int) -> None:
        """Apply a ``compute_next`` trace and move past its ``batch`` samples (exactly as ``step``)."""
        self._apply(trace)
        self._advance(batch, trace.loss, trace.penalty)

    def step_on(self, x: np.ndarray, targets: Any) -> StepTrace:
        """One update on a given sample or batch (e.g. a drawing), outside the epoch order."""
        trace = self.compute_on(x, targets)
        self.commit_on(trace)
        return trace

    def compute_on(self, x: np.ndarray, targets: Any) -> StepTrace:
        """The update ``step_on`` would make on ``x`` (n_0,) or (B, n_0), not applied: nothing changes."""
        return self.network.compute_step(x, targets, self.lr, self._fitted())

    def commit_on(self, trace: StepTrace) -> None:
        """Apply a ``compute_on`` trace exactly as ``step_on`` would (the epoch position stays)."""
        self._apply(trace)
        self._step += 1
        self.history.append(self._step, trace.loss, trace.penalty)

    def train_steps(self, n: int) -> int:
        """Fast path: ``n`` updates without traces.  Returns the number made."""
        net, lr, next_batch, advance = self.network, self.lr, self.next_batch, self._advance
        opt = self._fitted()
        # Overflow on the way is reported as a DivergenceError, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            if opt.plain:
                t0 = self._step
                try:
                    for _ in range(n):
                        x, y = next_batch()
                        advance(len(y), net.train_batch(x, y, lr))
                finally:
                    self.optimizer = opt.with_state(OptimizerState(opt.state.t + self._step - t0, {}))
                return n
            for _ in range(n):
                x, y = next_batch()
                loss, penalty, state = net.train_batch_with(x, y, lr, self.optimizer)
                self.optimizer = self.optimizer.with_state(state)
                advance(len(y), loss, penalty)
        return n

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Fast path for about ``seconds`` of wall time; returns updates made."""
        deadline = time.perf_counter() + seconds
        done = 0
        chunk = 1
        while time.perf_counter() < deadline and (max_steps is None or done < max_steps):
            n = chunk if max_steps is None else min(chunk, max_steps - done)
            t0 = time.perf_counter()
            done += self.train_steps(n)
            elapsed = time.perf_counter() - t0
            # Grow chunks while they are far below the budget: fewer clock reads.
            if elapsed < (deadline - time.perf_counter()) / 4:
                chunk = min(chunk * 2, 256)
        return done

    def run_epoch(self) -> EpochMetrics:
        """Fast path to the end of the current epoch; returns its metrics."""
        target = self._epoch + 1
        while self._epoch < target:
            self.train_steps(1)
        return self.epochs[-1]

    # ---------------------------------------------------------------- metrics
    def evaluate(self) -> EpochMetrics:
        """Loss and accuracy on the train and test splits now."""
        ds = self.dataset
        train_loss, train_acc = self._metrics(ds.X_train, ds.targets_of(test=False))
        test_loss, test_acc = self._metrics(ds.X_test, ds.targets_of(test=True))
        return EpochMetrics(self._epoch, self._step, train_loss, test_loss, train_acc, test_acc)

    def _metrics(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Mean loss and accuracy on ``X`` with labels ``y`` (N,), or values (N, K): accuracy NaN (regression)."""
        if len(y) == 0:
            return math.nan, math.nan
        loss, probs = self.network.loss_and_probs(X, y)
        return loss, (math.nan if y.ndim == 2 else accuracy(probs, y))

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """The position and options as plain values (no network parameters).

        Holds η, batch size, shuffle, seed, epoch, step, the epoch order and
        cursor, the generator's bit state and the ``optimizer`` with its state
        (``optimizer_to_dict``): enough to continue exactly.
        """
        return {
            "lr": self.lr,
            "batch_size": self._batch_size,
            "shuffle": self.shuffle,
            "seed": self.seed,
            "epoch": self._epoch,
            "step": self._step,
            "order": self.order.tolist(),
            "cursor": int(self.cursor),
            "rng_state": self.rng.bit_generator.state,
            "epochs": [asdict(m) for m in self.epochs],
            "history_steps": self.history.steps.tolist(),
            "history_values": self.history.values.tolist(),
            "history_penalties": self.history.penalties.tolist(),
            "optimizer": optimizer_to_dict(self.optimizer),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore ``state_dict()`` output (the dataset must already be set)."""
        order = np.array(state["order"], dtype=np.int64)
        order.setflags(write=False)
        if sorted(order.tolist()) != list(range(len(self._train_y))):
            raise ValueError("the saved epoch order does not match the dataset's training split")
        cursor = int(state["cursor"])
        if not 0 <= cursor <= len(order):
            raise ValueError(f"the saved position {cursor} is outside the epoch of {len(order)} samples")
        self.set_lr(state["lr"])
        self.batch_size = int(state["batch_size"])
        self.shuffle = bool(state["shuffle"])
        self.seed = int(state["seed"])
        rng = np.random.default_rng()
        rng.bit_generator.state = state["rng_state"]
        self.rng = rng
        self.order = order
        self.cursor = cursor
        self._epoch = int(state["epoch"])
        self._step = int(state["step"])
        self.epochs = [EpochMetrics(**m) for m in state.get("epochs", [])]
        self.history.clear()
        values = np.asarray(state.get("history_values", []), dtype=np.float64)
        penalties = state.get("history_penalties") or None
        self.history.extend(np.asarray(state.get("history_steps", []), dtype=np.int64), values,
                            None if penalties is None else np.asarray(penalties, dtype=np.float64))
        saved = state.get("optimizer")
        self.set_optimizer(Optimizer() if saved is None else optimizer_from_dict(saved, self.network.n_params))

    def position(self) -> TrainerPosition:
        """The dataset, options and place in the data now, without copying the order (cheap)."""
        return TrainerPosition(
            self.dataset, self.lr, self._batch_size, self.shuffle, self.seed, self._epoch, self._step,
            self.order, int(self.cursor), self.rng.bit_generator.state, len(self.history), len(self.epochs),
            self.optimizer,
        )

    def restore(self, position: TrainerPosition) -> None:
        """Go back (or forward) to a ``position()`` of this trainer.

        The loss history and epoch metrics are cut to their lengths then;
        entries beyond what they now hold are the caller's to put back.
        """
        if position.dataset is not self.dataset:
            self.set_dataset(position.dataset)
        self.lr = position.lr
        self._batch_size = position.batch_size
        self.shuffle = position.shuffle
        self.seed = position.seed
        self._epoch = position.epoch
        self._step = position.step
        self.order = position.order
        self.cursor = position.cursor
        rng = np.random.default_rng()
        rng.bit_generator.state = position.rng_state
        self.rng = rng
        self.optimizer = position.optimizer
        self.history.truncate(position.n_history)
        del self.epochs[position.n_epochs :]
