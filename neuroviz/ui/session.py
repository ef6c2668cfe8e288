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
``timeChanged``
    The timeline moved or grew (``history``): an update was recorded, the
    session went to another moment (``go_to``, ``step_back``,
    ``step_forward``), or the later updates were discarded or kept as a branch.
    At a past moment ``last_trace`` is that moment's update, the input shows
    its first sample and ``networkChanged`` has been emitted too.
``fileChanged``
    The session was opened from or saved to a snapshot file (``file_path``,
    ``modified``).  After ``restore`` views read ``last_trace`` afresh on
    ``architectureChanged`` (no ``stepped`` is emitted: no update was made).

Time travel: every change goes through ``history`` (a ``neuroviz.core.history.History``
over the trainer).  Recording at a past moment first asks ``ask_fork`` (the
window installs a dialog) whether to discard the later updates or keep them
as a branch; without an answerer they are kept.

Every number shown comes from ``neuroviz.core``; the current input's forward
pass is computed lazily and cached (``forward()``), so a burst of changes
between two frames costs one forward pass at paint time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.history import DEFAULT_BUDGET, History, minimum_budget
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
ForkChoice = Literal["discard", "keep"]
"""The answer to "record at a past moment?": discard the later updates, or keep them as a branch."""


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
    timeChanged = Signal()

    def __init__(self, parent: QObject | None = None, example: str = "circles-squares") -> None:
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
        self._apply_pending: Callable[[StepTrace], None] = self._nothing_walked
        """Applies and records the walked update: as a mini-batch update or as an update on the input."""
        self.updates_per_second: float = 0.0
        """Measured rate of continuous training (0 when stopped); shown in the status bar."""
        self.history_budget = DEFAULT_BUDGET
        """Memory (bytes) the timeline may use; see ``set_history_budget``."""
        self.ask_fork: Callable[[], ForkChoice | None] | None = None
        """Asked before recording at a past moment: "discard", "keep" or None (cancel)."""
        self.history: History
        self.network: Network
        self.dataset: Dataset
        self.trainer: Trainer
        self.input: np.ndarray
        self.target: int
        self.load_example(example)

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
        self._new_history()
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
        self._new_history()
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
        """Train on another dataset of the same image and class count (at a past moment: asks first)."""
        if not self._make_newest():
            return
        self.trainer.set_dataset(dataset)
        self.cancel_phased_step()
        self.dataset = dataset
        self.modified = True
        self._record_edit()
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

    def begin_phased_step(self, on_input: bool = False) -> StepTrace | None:
        """Compute the next mini-batch's update (or, ``on_input``, the update on the current input and
        target, as ``step_on_input``) without applying it; show its first phase.

        Returns the pending trace, or ``None`` if the update would diverge
        (``diverged`` is emitted and nothing changes).  ``next_phase`` walks
        on, ``finish_phased_step`` applies it, ``cancel_phased_step`` drops it.
        """
        self.stop()
        if not self._make_newest():
            return None
        try:
            if on_input:
                trace = self.trainer.compute_on(self.input, self.target)
                self._apply_pending = self.history.commit_on
            else:
                trace, batch = self.trainer.compute_next()
                self._apply_pending = lambda walked: self.history.commit(walked, batch)
        except DivergenceError as exc:
            self._diverged(str(exc))
            return None
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

    @staticmethod
    def _nothing_walked(trace: StepTrace) -> None:
        raise RuntimeError("no update is being walked through")

    def _commit(self, trace: StepTrace) -> StepTrace:
        self._apply_pending(trace)
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
        self._record_edit()

    def set_seed(self, seed: int) -> None:
        """Seed of the initial parameters and of the epoch order; used by ``reset_weights``."""
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"the seed must be a whole number from 0 to {2**32 - 1}; got {seed!r}")
        self.network.config = replace(self.network.config, seed=int(seed))
        self.trainer.seed = int(seed)
        self._record_edit()

    def set_updates_per_second(self, rate: float) -> None:
        """Record the measured training rate (the training loop calls this)."""
        if rate != self.updates_per_second:
            self.updates_per_second = float(rate)
            self.updatesPerSecondChanged.emit(self.updates_per_second)

    def step(self) -> StepTrace | None:
        """One traced update on the next mini-batch; ``None`` if it diverged or a fork was cancelled."""
        return self._traced(self.history.step)

    def step_on_input(self) -> StepTrace | None:
        """One traced update on the current input and target; ``None`` if it diverged or was cancelled."""
        return self._traced(lambda: self.history.step_on(self.input, self.target))

    def _traced(self, do_step: Any) -> StepTrace | None:
        if not self._make_newest():
            return None
        try:
            trace = do_step()
        except DivergenceError as exc:
            self._diverged(str(exc))
            return None
        self.last_trace = trace
        self.modified = True
        self._network_changed()
        self.stepped.emit(trace)
        self.timeChanged.emit()
        return trace

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Fast updates for about ``seconds``; emits ``trained`` and ``networkChanged`` once.

        If an update diverges, the updates made before it are kept (and
        reported) and training pauses with ``diverged``.
        """
        if not self._make_newest():
            return 0
        before = self.trainer.step_count
        problem = ""
        try:
            self.history.train_for(seconds, max_steps)
        except DivergenceError as exc:
            problem = str(exc)
        n = self.trainer.step_count - before
        if n:
            self.modified = True
            self._network_changed()
            self.trained.emit(n)
            self.timeChanged.emit()
        if problem:
            self._diverged(problem)
        return n

    def start(self) -> None:
        """Start continuous training (at a past moment: asks first, and does not start if cancelled)."""
        if not self.running and self._make_newest():
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
        self._new_history()
        self._network_changed()

    def set_parameter(self, selection: Selection, value: float) -> None:
        """Set one weight or bias (raises ``ValueError`` if not finite; at a past moment asks first)."""
        if selection.kind in ("weight", "bias") and not self._make_newest():
            return
        if selection.kind == "weight":
            self.network.set_weight(selection.layer, selection.m, selection.n, value)
        elif selection.kind == "bias":
            self.network.set_bias(selection.layer, selection.m, value)
        else:
            raise ValueError("only weights and biases have a value to set")
        self.modified = True
        self._record_edit()
        self._network_changed()

    # ------------------------------------------------------------ time travel
    def set_history_budget(self, budget_bytes: int) -> None:
        """Memory (bytes) the timeline may keep; a smaller budget forgets the oldest updates at once.

        Raises ``ValueError`` (keeping the old budget) below the least the open network needs.
        """
        self.history.set_budget(budget_bytes)
        self.history_budget = int(budget_bytes)
        self.timeChanged.emit()

    @property
    def at_newest(self) -> bool:
        """True at the newest moment of the timeline, where updates are recorded."""
        return self.history.at_end

    @property
    def newest_update(self) -> int:
        """The update number (``Trainer.step_count``) at the newest moment of the timeline."""
        return self.update_number(self.history.last)

    def update_number(self, position: int) -> int:
        """The update number (``Trainer.step_count``) at timeline ``position``."""
        h = self.history
        if position == h.position:
            return self.trainer.step_count
        n = h.updates_at(position)
        steps, _ = self.loss_curve()
        return int(steps[n - 1]) if n else 0

    def loss_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """Update numbers and losses (n,) of the whole timeline: at a past moment the later ones too."""
        if self.history.at_end:
            return self.trainer.history.steps, self.trainer.history.values
        return self.history.loss_curve()

    def go_to(self, position: int) -> None:
        """Show the timeline's moment ``position`` (``history.first`` .. ``history.last``) exactly as it was.

        The network, trainer, ``last_trace`` (that moment's update) and the
        input (its first sample) follow; η and the batch size stay as chosen.
        """
        h = self.history
        position = int(position)
        if position == h.position and h.first <= position <= h.last:
            return
        self.stop()
        self.cancel_phased_step()
        lr, batch = self.trainer.lr, self.trainer.batch_size
        moment = h.go_to(position)
        self.trainer.lr = lr
        self.trainer.batch_size = min(batch, len(self.trainer.dataset.train_indices))
        self.last_trace = self._start_trace if moment.kind == "start" and h.first == 0 else moment.trace
        self.modified = True
        if self.trainer.dataset is not self.dataset:
            self.dataset = self.trainer.dataset
            self.datasetChanged.emit()
        self._network_changed()
        if moment.trace is not None:
            trace = moment.trace
            label = int(trace.labels[0]) if trace.labels is not None else int(np.argmax(trace.targets[0]))
            self.target = label
            self.set_input(trace.inputs[0])
        self.timeChanged.emit()

    def step_back(self) -> None:
        """Go one moment back along the timeline (nothing at its start)."""
        if self.history.position > self.history.first:
            self.go_to(self.history.position - 1)

    def step_forward(self) -> StepTrace | None:
        """Go to the next recorded moment; at the newest, make a new update (``step``).

        Returns the trace now shown (``None`` for an edit, a divergence or a cancelled fork).
        """
        if self.history.at_end:
            return self.step()
        self.stop()
        self.go_to(self.history.position + 1)
        return self.last_trace

    def switch_to_branch(self, index: int) -> None:
        """Return to the kept branch ``history.branches[index]`` (the updates it replaces become a branch)."""
        self.stop()
        self.cancel_phased_step()
        branch = self.history.branches[index]
        lr, batch = self.trainer.lr, self.trainer.batch_size
        moment = self.history.switch_to(branch)
        self.trainer.lr = lr
        self.trainer.batch_size = min(batch, len(self.trainer.dataset.train_indices))
        self.last_trace = moment.trace
        self.modified = True
        if self.trainer.dataset is not self.dataset:
            self.dataset = self.trainer.dataset
            self.datasetChanged.emit()
        self._network_changed()
        self.timeChanged.emit()

    def _make_newest(self) -> bool:
        """Before recording at a past moment: discard or keep the later updates as ``ask_fork`` says.

        False if the question was cancelled (nothing changes then).
        """
        if self.history.at_end:
            return True
        choice = "keep" if self.ask_fork is None else self.ask_fork()
        if choice not in ("discard", "keep"):
            return False
        self.history.fork(keep=choice == "keep")
        self.timeChanged.emit()
        return True

    def _record_edit(self) -> None:
        """Log a change of the network or trainer in the timeline.

        At a past moment (a seed or shuffle option chosen there) it is logged
        as an edit when recording resumes, after the fork question.
        """
        if self.history.at_end:
            self.history.record_edit()
            self.timeChanged.emit()

    def _new_history(self) -> None:
        """A fresh timeline starting at the state now (within the budget, or the least the network needs)."""
        self.history = History(self.trainer, budget_bytes=max(self.history_budget, minimum_budget(self.trainer)))
        self._start_trace = self.last_trace  # an opened snapshot's last update, shown again at the start
        self.timeChanged.emit()

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
