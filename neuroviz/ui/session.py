"""The session: the one object that owns the open network and everything around it.

Panels never talk to each other.  They read the session, change it only
through its methods, and repaint on its signals:

``architectureChanged``
    A new network or dataset replaced the old one (sizes may differ): views
    rebuild their layout.
``networkChanged``
    Parameter values changed (an update, many fast updates, a reset, an edit).
``inputChanged``
    The current input image or its target changed.
``stepped(StepTrace)``
    One traced update was made; ``last_trace`` holds it.
``trained(int)``
    That many fast updates were made since the last signal (no traces).
``selectionChanged(object)``
    The picked neuron / weight / bias (a ``Selection``) or ``None``.
``trainingStateChanged(bool)``
    Continuous training started (True) or stopped (False).
``diverged(str)``
    An update would have made something non-finite; it was rolled back and
    training paused.  The text says what happened.
``datasetChanged``
    Samples were added to (or replaced in) the dataset.
``updatesPerSecondChanged(float)``
    The measured rate of continuous training changed (0 when stopped).
``viewChanged``
    What the diagram shows changed: ``edge_mode`` (weights | gradients |
    updates), ``node_mode`` (activations | deltas) or the ``phase`` of an
    update being walked through (with its ``pending_trace``, not yet applied).
``fileChanged``
    The session was opened from or saved to a snapshot file (``file_path``,
    ``modified``).  After ``restore`` views read ``last_trace`` afresh on
    ``architectureChanged`` (no ``stepped`` is emitted: no update was made).

Every number shown comes from ``neuroviz.core``; the current input's forward
pass is computed lazily and cached (``forward()``), so a burst of changes
between two frames costs one forward pass at paint time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.network import DEFAULT_LR, DivergenceError, Network, NetworkConfig
from neuroviz.core.phases import Phase, phases_for
from neuroviz.core.presets import Preset, paper_figure_4
from neuroviz.core.selection import Selection
from neuroviz.core.trace import ForwardTrace, StepTrace
from neuroviz.core.trainer import DEFAULT_BATCH_SIZE, Trainer
from neuroviz.io.snapshot import Snapshot

EdgeMode = Literal["weights", "gradients", "updates"]
NodeMode = Literal["activations", "deltas"]
EDGE_MODES: tuple[EdgeMode, ...] = ("weights", "gradients", "updates")
NODE_MODES: tuple[NodeMode, ...] = ("activations", "deltas")

DEFAULT_CONFIG = NetworkConfig(sizes=(64, 16, 16, 2), hidden_activation="relu", output_activation="none")
EXAMPLE_TITLES = {
    "circles-squares": "Circles vs squares (64-16-16-2)",
    "digits": "Digits (64-32-16-10)",
    "paper-figure-4": "Paper, Figure 4 (4-3-2)",
}
DIVERGENCE_HINT = "Training was paused. Try a smaller learning rate η."


def preset_dataset(preset: Preset) -> Dataset:
    """A one-sample dataset holding a preset's input and label."""
    return Dataset(preset.name, preset.inputs[None, :], np.array([preset.label]), preset.class_names,
                   preset.image_shape)


class InputEdit(QUndoCommand):
    """One undoable change of the input image and target: a stroke, a tool, a loaded image."""

    def __init__(self, session: Session, text: str, before: tuple[np.ndarray, int],
                 after: tuple[np.ndarray, int]) -> None:
        super().__init__(text)
        self._session = session
        self._before = before
        self._after = after

    def redo(self) -> None:
        self._session._apply_input(*self._after)

    def undo(self) -> None:
        self._session._apply_input(*self._before)


class Session(QObject):
    """Owns the network, dataset, trainer, current input, last trace and selection."""

    architectureChanged = Signal()
    networkChanged = Signal()
    inputChanged = Signal()
    stepped = Signal(object)
    trained = Signal(int)
    selectionChanged = Signal(object)
    trainingStateChanged = Signal(bool)
    diverged = Signal(str)
    datasetChanged = Signal()
    updatesPerSecondChanged = Signal(float)
    fileChanged = Signal()
    viewChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.title = ""
        self.selection: Selection | None = None
        self.last_trace: StepTrace | None = None
        self.running = False
        self.modified = False
        self.file_path: str | None = None
        """The snapshot file the session was opened from or last saved to."""
        self._forward: ForwardTrace | None = None
        self.edge_mode: EdgeMode = "weights"
        self.node_mode: NodeMode = "activations"
        self.phase: Phase | None = None
        self.pending_trace: StepTrace | None = None
        self._pending_batch = 0
        self.updates_per_second: float = 0.0
        """Measured rate of continuous training (0 when stopped); shown in the status bar."""
        self.network: Network
        self.dataset: Dataset
        self.trainer: Trainer
        self.input: np.ndarray
        self.target: int
        self.load_example("circles-squares")

    # ------------------------------------------------------------ properties
    @property
    def config(self) -> NetworkConfig:
        return self.network.config

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.dataset.class_names

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) in which the input layer is drawn as pixels."""
        return self.dataset.image_shape

    def forward(self) -> ForwardTrace:
        """The forward pass of the current input through the current network (cached)."""
        if self._forward is None:
            self._forward = self.network.forward(self.input)
        return self._forward

    def probabilities(self) -> np.ndarray:
        """Shape (n_L,): p for the current input."""
        return self.forward().probs[0]

    # -------------------------------------------------------------- replacing
    def set_network(self, network: Network, dataset: Dataset, title: str = "",
                    lr: float = DEFAULT_LR, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        """Open ``network`` on ``dataset`` (checked to fit), starting fresh."""
        trainer = Trainer(network, dataset, lr, min(batch_size, len(dataset.train_indices)))
        self.stop()
        self.network = network
        self.dataset = dataset
        self.trainer = trainer
        self.title = title
        self.file_path = None
        self.last_trace = None
        self.selection = None
        self.undo_stack.clear()
        self.input = np.array(dataset.X[0], dtype=np.float64)
        self.target = int(dataset.y[0])
        self.modified = False
        self._network_changed(architecture=True)
        self.selectionChanged.emit(None)
        self.inputChanged.emit()

    def new_network(self, config: NetworkConfig, dataset: str | Dataset = "circles-squares") -> None:
        """A freshly initialised network of ``config`` on a dataset (a built-in's name or a Dataset)."""
        ds = builtin_dataset(dataset) if isinstance(dataset, str) else dataset
        self.set_network(Network(config), ds, title=f"{'-'.join(map(str, config.sizes))} on {ds.name}")

    def load_example(self, name: str) -> None:
        """Open one of ``EXAMPLE_TITLES``'s examples."""
        if name == "paper-figure-4":
            preset = paper_figure_4()
            self.set_network(preset.network, preset_dataset(preset), EXAMPLE_TITLES[name], preset.lr, 1)
        elif name == "circles-squares":
            self.set_network(Network(DEFAULT_CONFIG), builtin_dataset(name), EXAMPLE_TITLES[name])
        elif name == "digits":
            config = NetworkConfig(sizes=(64, 32, 16, 10))
            self.set_network(Network(config), builtin_dataset(name), EXAMPLE_TITLES[name])
        else:
            raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLE_TITLES)}")

    # -------------------------------------------------------------- snapshots
    def snapshot_state(self) -> Snapshot:
        """The whole state as a ``Snapshot`` (copies: later changes do not alter it)."""
        return Snapshot(self.network.copy(), self.dataset, self.trainer.state_dict(), self.input.copy(),
                        self.target, self.last_trace, self.title)

    def restore(self, snapshot: Snapshot, path: str | None = None) -> None:
        """Open ``snapshot`` exactly as it was saved (``path``: the file it came from).

        Raises ``SnapshotError`` before changing anything if its parts do not fit.
        """
        network, trainer = snapshot.build()
        self.stop()
        self.network = network
        self.dataset = snapshot.dataset
        self.trainer = trainer
        self.title = snapshot.title
        self.file_path = path
        self.last_trace = snapshot.last_trace
        self.selection = None
        self.undo_stack.clear()
        self.input = np.array(snapshot.input, dtype=np.float64)
        self.target = int(snapshot.target)
        self.modified = False
        self._network_changed(architecture=True)
        self.selectionChanged.emit(None)
        self.datasetChanged.emit()
        self.inputChanged.emit()
        self.fileChanged.emit()

    def mark_saved(self, path: str) -> None:
        """Record that the state was just written to ``path``."""
        self.file_path = path
        self.modified = False
        self.fileChanged.emit()

    def set_dataset(self, dataset: Dataset) -> None:
        """Train on another dataset of the same image and class count."""
        self.trainer.set_dataset(dataset)
        self.cancel_phased_step()
        self.dataset = dataset
        self.modified = True
        self.datasetChanged.emit()

    def add_current_to_dataset(self, label: int | None = None, test: bool = False) -> None:
        """Append the current drawing (with ``label``, default the target) to the dataset."""
        self.set_dataset(self.dataset.with_added(self.input, self.target if label is None else label, test))

    # ------------------------------------------------------------------ input
    def set_input(self, x: np.ndarray) -> None:
        """Replace the current input (shape (n_0,), values in [0, 1])."""
        self.input = self._checked_input(x)
        self._forward = None
        self.inputChanged.emit()

    def set_target(self, label: int) -> None:
        """Set the class ``r`` of the current input (0 .. K−1)."""
        self.target = self._checked_target(label)
        self.inputChanged.emit()

    def edit_input(self, x: np.ndarray, text: str, before: np.ndarray | None = None,
                   target: int | None = None) -> None:
        """Set the input (and optionally the target) as one undoable command named ``text``.

        ``before`` is the image to restore on undo (default: the current one),
        for edits such as a brush stroke that were shown live while being made.
        """
        arr = self._checked_input(x)
        label = self.target if target is None else self._checked_target(target)
        old = np.array(self.input if before is None else self._checked_input(before))
        self.undo_stack.push(InputEdit(self, text, (old, self.target), (arr, label)))

    def _apply_input(self, x: np.ndarray, target: int) -> None:
        """Undo/redo of an ``InputEdit``: set both at once (no signal if nothing changes)."""
        if target != self.target or not np.array_equal(x, self.input):
            self.target = target
            self.set_input(x)

    def _checked_input(self, x: np.ndarray) -> np.ndarray:
        arr = np.asarray(x, dtype=np.float64).reshape(-1)
        if arr.shape != (self.config.n_inputs,):
            raise ValueError(f"the input has {arr.size} values; the network has {self.config.n_inputs} inputs")
        if not np.isfinite(arr).all():
            raise ValueError("the input contains NaN or infinity")
        return np.clip(arr, 0.0, 1.0)

    def _checked_target(self, label: int) -> int:
        if not 0 <= int(label) < self.config.n_outputs:
            raise ValueError(f"the target must be a class from 0 to {self.config.n_outputs - 1}; got {label}")
        return int(label)

    def load_sample(self, index: int) -> None:
        """Load sample ``index`` of the dataset (its image and label) as the input."""
        self.target = int(self.dataset.y[index])
        self.set_input(self.dataset.X[index])

    # -------------------------------------------------------------- selection
    def select(self, selection: Selection | None) -> None:
        """Pick a neuron, weight or bias (or ``None`` to clear)."""
        if selection != self.selection:
            self.selection = selection
            self.selectionChanged.emit(selection)

    # ------------------------------------------------------------------- view
    def set_view(self, edge_mode: EdgeMode | None = None, node_mode: NodeMode | None = None) -> None:
        """Choose what the diagram's edges and neurons show."""
        if edge_mode is not None and edge_mode not in EDGE_MODES:
            raise ValueError(f"unknown edge mode {edge_mode!r}; choose one of {', '.join(EDGE_MODES)}")
        if node_mode is not None and node_mode not in NODE_MODES:
            raise ValueError(f"unknown neuron mode {node_mode!r}; choose one of {', '.join(NODE_MODES)}")
        self.edge_mode = edge_mode or self.edge_mode
        self.node_mode = node_mode or self.node_mode
        self.viewChanged.emit()

    def set_phase(self, phase: Phase | None, pending: StepTrace | None = None) -> None:
        """Show ``phase`` of the not-yet-applied update ``pending`` (None: no phase walk)."""
        self.phase = phase
        self.pending_trace = pending if phase is not None else None
        self.viewChanged.emit()

    # ------------------------------------------------------------- phase walk
    @property
    def phases(self) -> list[Phase]:
        """The phases of one update of the open network, in order."""
        return phases_for(self.network.n_layers)

    def begin_phased_step(self) -> StepTrace | None:
        """Compute the next mini-batch's update without applying it; show its first phase.

        Returns the pending trace, or ``None`` if the update would diverge
        (``diverged`` is emitted and nothing changes).  ``next_phase`` walks
        on, ``finish_phased_step`` applies it, ``cancel_phased_step`` drops it.
        """
        self.stop()
        try:
            trace, batch = self.trainer.compute_next()
        except DivergenceError as exc:
            self._diverged(str(exc))
            return None
        self._pending_batch = batch
        self.set_phase(self.phases[0], trace)
        return trace

    def next_phase(self) -> StepTrace | None:
        """Show the next phase; after the last (the update) finish.  Returns the trace when finished."""
        if self.phase is None or self.pending_trace is None:
            return None
        phases = self.phases
        i = phases.index(self.phase)
        if i + 1 == len(phases):
            return self.finish_phased_step()
        self.set_phase(phases[i + 1], self.pending_trace)
        return None

    def previous_phase(self) -> None:
        """Show the phase before the current one (stays at the first)."""
        if self.phase is not None and self.pending_trace is not None:
            i = self.phases.index(self.phase)
            self.set_phase(self.phases[max(i - 1, 0)], self.pending_trace)

    def finish_phased_step(self) -> StepTrace | None:
        """Apply the pending update exactly as ``step`` would, and end the walk."""
        trace = self.pending_trace
        if trace is None:
            return None
        self.set_phase(None)
        return self._traced(lambda: self._commit(trace))

    def cancel_phased_step(self) -> None:
        """Drop the pending update: nothing is applied."""
        if self.phase is not None or self.pending_trace is not None:
            self.set_phase(None)

    def _commit(self, trace: StepTrace) -> StepTrace:
        self.trainer.commit(trace, self._pending_batch)
        return trace

    # --------------------------------------------------------------- training
    def set_lr(self, lr: float) -> None:
        """Set η (raises ``ValueError`` and keeps the old one if bad)."""
        self.trainer.set_lr(lr)
        self.cancel_phased_step()

    def set_batch_size(self, batch_size: int) -> None:
        self.trainer.batch_size = batch_size
        self.cancel_phased_step()

    def set_shuffle(self, shuffle: bool) -> None:
        """Visit the samples in a new random order each epoch (from the next epoch on)."""
        self.trainer.shuffle = bool(shuffle)

    def set_seed(self, seed: int) -> None:
        """Seed of the initial parameters and of the epoch order; used by ``reset_weights``."""
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"the seed must be a whole number from 0 to {2**32 - 1}; got {seed!r}")
        self.network.config = replace(self.network.config, seed=int(seed))
        self.trainer.seed = int(seed)

    def set_updates_per_second(self, rate: float) -> None:
        """Record the measured training rate (the training loop calls this)."""
        if rate != self.updates_per_second:
            self.updates_per_second = float(rate)
            self.updatesPerSecondChanged.emit(self.updates_per_second)

    def step(self) -> StepTrace | None:
        """One traced update on the next mini-batch; ``None`` if it diverged."""
        return self._traced(self.trainer.step)

    def step_on_input(self) -> StepTrace | None:
        """One traced update on the current input and target; ``None`` if it diverged."""
        return self._traced(lambda: self.trainer.step_on(self.input, self.target))

    def _traced(self, do_step: Any) -> StepTrace | None:
        try:
            trace = do_step()
        except DivergenceError as exc:
            self._diverged(str(exc))
            return None
        self.last_trace = trace
        self.modified = True
        self._network_changed()
        self.stepped.emit(trace)
        return trace

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Fast updates for about ``seconds``; emits ``trained`` and ``networkChanged`` once.

        If an update diverges, the updates made before it are kept (and
        reported) and training pauses with ``diverged``.
        """
        before = self.trainer.step_count
        problem = ""
        try:
            self.trainer.train_for(seconds, max_steps)
        except DivergenceError as exc:
            problem = str(exc)
        n = self.trainer.step_count - before
        if n:
            self.modified = True
            self._network_changed()
            self.trained.emit(n)
        if problem:
            self._diverged(problem)
        return n

    def start(self) -> None:
        if not self.running:
            self.running = True
            self.trainingStateChanged.emit(True)

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.trainingStateChanged.emit(False)

    def reset_weights(self) -> None:
        """Re-initialise from the config's seed and forget all training."""
        self.stop()
        self.trainer.reset()
        self.last_trace = None
        self.modified = True
        self._network_changed()

    def set_parameter(self, selection: Selection, value: float) -> None:
        """Set one weight or bias (raises ``ValueError`` if not finite)."""
        if selection.kind == "weight":
            self.network.set_weight(selection.layer, selection.m, selection.n, value)
        elif selection.kind == "bias":
            self.network.set_bias(selection.layer, selection.m, value)
        else:
            raise ValueError("only weights and biases have a value to set")
        self.modified = True
        self._network_changed()

    # --------------------------------------------------------------- internal
    def _diverged(self, what: str) -> None:
        self.stop()
        self.diverged.emit(f"{what}. {DIVERGENCE_HINT}")

    def _network_changed(self, architecture: bool = False) -> None:
        self._forward = None
        self.cancel_phased_step()  # a pending update no longer fits changed parameters
        if architecture:
            self.architectureChanged.emit()
        self.networkChanged.emit()
