"""The application state in one object: the parts composed, and the operations that span them.

``AppModel`` holds

``document`` (``Document``)
    the network, its data set and trainer, title and file state;
``drawing`` (``InputModel``)
    the input image x, its target r and their undo stack;
``walk`` (``PhaseWalk``)
    an update computed but not yet applied, shown phase by phase;
``time`` (``TimeTravel``)
    the timeline, its branches, the fork policy and the update shown;
``view`` (``ViewState``)
    the diagram's modes and the selection;
``showing`` (``ShowingState``)
    which input at which moment every panel shows (``shown()`` has its numbers);
``lr_guard`` (``LrGuard``), ``loss_jump`` (``LossJump``)
    the trial of a new η before its first update, and the pause after an update that multiplies the loss.
``quiz`` (``Quiz``)
    the numbers a walk asks the student to predict before a phase shows them.

Views subscribe to the parts' signals and change the state only through
these methods; a script, a lesson or a test drives the whole app the same
way, without Qt.  The training operations and their signals (``stepped``,
``trained``, ``diverged``, ``running_changed``, ``rate_changed``) come from
``TrainingOps`` (``neuroviz.model.training_ops``);
``optimizer_changed(Optimizer)``: the optimiser, its hyper-parameters, the
weight penalty or the η schedule was changed (``set_optimizer``,
``set_penalty``, ``set_schedule``).

Every number comes from ``neuroviz.core``; the forward pass of the input
through the network is computed when first asked for and kept until either
changes (``forward()``), and so are the numbers every panel shows
(``shown()``: the shown input at the shown moment, and the update shown).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
from psygnal import Signal

from neuroviz.core.datasets import Dataset, builtin_dataset
from neuroviz.core.history import DEFAULT_BUDGET, Branch
from neuroviz.core.network import DEFAULT_LR, Network, NetworkConfig
from neuroviz.core.optimiser_explain import parameter_state, update_lines
from neuroviz.core.optimisers import Optimizer
from neuroviz.core.phases import Phase, phases_for
from neuroviz.core.selection import Selection
from neuroviz.core.trace import ForwardTrace, StepTrace
from neuroviz.core.trainer import DEFAULT_BATCH_SIZE, Trainer
from neuroviz.io.snapshot import Snapshot
from neuroviz.model import training_options
from neuroviz.model.document import Document
from neuroviz.model.examples import example
from neuroviz.model.input_model import InputModel
from neuroviz.model.loss_jump import LossJump
from neuroviz.model.lr_guard import LrGuard
from neuroviz.model.phase_walk import PhaseWalk
from neuroviz.model.playground import Playground
from neuroviz.model.quiz import Quiz
from neuroviz.model.showing import ShowingState, Shown, ShownInput, ShownMoment, shown
from neuroviz.model.time_travel import KEEP_BRANCH, ForkPolicy, TimeTravel
from neuroviz.model.training_ops import TrainingOps
from neuroviz.model.view_state import EdgeMode, NodeMode, ViewState


class AppModel(TrainingOps):
    """The open network and everything around it (see the module docstring)."""

    optimizer_changed = Signal(object)

    def __init__(self, example_name: str = "circles-squares", fork_policy: ForkPolicy = KEEP_BRANCH,
                 history_budget: int = DEFAULT_BUDGET) -> None:
        ex = example(example_name)
        trainer = Trainer(ex.network, ex.dataset, ex.lr, min(ex.batch_size, len(ex.dataset.train_indices)))
        self.document = Document(ex.network, ex.dataset, trainer, ex.title)
        self.drawing = InputModel(ex.dataset.X[0], int(ex.dataset.y[0]), ex.network.config.n_outputs,
                                  ex.dataset.plane is None)
        self.walk = PhaseWalk()
        self.quiz = Quiz(self.walk)
        self.time = TimeTravel(trainer, fork_policy, history_budget)
        self.view = ViewState()
        self.showing = ShowingState()
        self.lr_guard = LrGuard()
        self.loss_jump = LossJump(self.time, self.stop, self.go_to, self.document.network_changed)
        self.document.architecture_changed.connect(self.lr_guard.forget)
        self.plane = Playground(self)
        self.running = False
        self.updates_per_second = 0.0
        """Measured rate of continuous training (0 when stopped)."""
        self._forward: ForwardTrace | None = None
        self._shown: Shown | None = None
        # Connected first, so that every view reads a fresh forward pass and fresh shown numbers.
        self.document.network_changed.connect(self._forget_forward)
        self.drawing.changed.connect(self._forget_forward)
        # A change of the timeline changes the numbers shown only through the update shown and its number,
        # which ``shown`` compares itself (training emits both network_changed and time.changed).
        for signal in (self.walk.changed, self.showing.changed, self.stepped):
            signal.connect(self._forget_shown)

    # ------------------------------------------------------------ reading
    @property
    def network(self) -> Network:
        return self.document.network

    @property
    def dataset(self) -> Dataset:
        return self.document.dataset

    @property
    def trainer(self) -> Trainer:
        return self.document.trainer

    @property
    def config(self) -> NetworkConfig:
        return self.document.config

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.document.class_names

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) in which the input layer is drawn as pixels."""
        return self.document.image_shape

    @property
    def input(self) -> np.ndarray:
        """The input x, shape (n_0,)."""
        return self.drawing.image

    @property
    def target(self) -> int:
        """The input's target class r."""
        return self.drawing.target

    @property
    def selection(self) -> Selection | None:
        return self.view.selection

    @property
    def edge_mode(self) -> EdgeMode:
        return self.view.edge_mode

    @property
    def node_mode(self) -> NodeMode:
        return self.view.node_mode

    @property
    def last_trace(self) -> StepTrace | None:
        """The traced update that led to the moment shown."""
        return self.time.last_trace

    @property
    def phase(self) -> Phase | None:
        """The phase of the walked update shown (``None``: no walk)."""
        return self.walk.phase

    @property
    def pending_trace(self) -> StepTrace | None:
        """The update being walked through, not yet applied."""
        return self.walk.pending

    @property
    def phases(self) -> list[Phase]:
        """The phases of one update of the open network, in order."""
        return phases_for(self.network.n_layers)

    @property
    def at_newest(self) -> bool:
        return self.time.at_newest

    def forward(self) -> ForwardTrace:
        """The forward pass of the input through the network (computed once per change)."""
        if self._forward is None:
            self._forward = self.network.forward(self.input)
        return self._forward

    def probabilities(self) -> np.ndarray:
        """Shape (n_L,): p for the input."""
        p: np.ndarray = self.forward().probs[0]
        return p

    def shown(self) -> Shown:
        """The numbers every panel shows: the chosen input at the chosen moment of the update shown
        (the walked one during a phase walk; none when fast updates or an edit came after the last traced
        one), computed once per change."""
        walking = self.walk.pending is not None
        update = self.walk.pending if walking else (self.last_trace if self.time.trace_is_current else None)
        number = self.trainer.step_count + (1 if walking else 0)
        if self._shown is None or self._shown.update is not update or self._shown.number != number:
            self._shown = shown(self.showing.choice, self.network, self.input, self.plane.input_target(), update,
                                number, walking, self.plane.yours)
        return self._shown

    def show(self, input: ShownInput | None = None, sample: int | None = None,
             moment: ShownMoment | None = None) -> None:
        """Choose what every panel shows: the drawing, ``sample`` (0-based) of the update's batch or the batch
        mean, before or after the update (``ValueError`` for an unknown choice)."""
        self.showing.choose(input, sample, moment)

    def _forget_forward(self) -> None:
        self._forward = None
        self._shown = None

    def _forget_shown(self, *_: object) -> None:
        self._shown = None

    # ------------------------------------------------------------ opening
    def open(self, network: Network, dataset: Dataset, trainer: Trainer | None = None, title: str = "",
             path: str | None = None, image: np.ndarray | None = None, target: int | None = None,
             last_trace: StepTrace | None = None) -> None:
        """Open ``network`` on ``dataset`` with ``trainer`` (default: a fresh one), starting a new timeline.

        ``image`` and ``target`` are the input (default: the first sample); ``path`` the file it came from.
        """
        if trainer is None:
            trainer = Trainer(network, dataset, DEFAULT_LR, min(DEFAULT_BATCH_SIZE, len(dataset.train_indices)))
        image, target = (dataset.X[0] if image is None else image), int(dataset.y[0] if target is None else target)
        self.stop()
        self.walk.cancel()
        self.document.replace(network, dataset, trainer, title, path)
        with self.drawing.changed.blocked(), self.time.changed.blocked():  # announced once the views know the layout
            self.drawing.reset(image, target, network.config.n_outputs, bounded=dataset.plane is None)
            self.time.restart(trainer, last_trace)
        self._network_changed(architecture=True)
        self.time.changed.emit()
        self.view.select(None)
        self.document.dataset_changed.emit()
        self.drawing.changed.emit()
        self.document.file_changed.emit()

    def new_network(self, config: NetworkConfig, dataset: str | Dataset = "circles-squares") -> None:
        """A freshly initialised network of ``config`` on a data set (a built-in's name or a ``Dataset``)."""
        ds = builtin_dataset(dataset) if isinstance(dataset, str) else dataset
        self.open(Network(config), ds, title=f"{'-'.join(map(str, config.sizes))} on {ds.name}")

    def load_example(self, name: str) -> None:
        """Open one of ``EXAMPLE_TITLES``'s examples."""
        ex = example(name)
        trainer = Trainer(ex.network, ex.dataset, ex.lr, min(ex.batch_size, len(ex.dataset.train_indices)))
        self.open(ex.network, ex.dataset, trainer, ex.title)

    def snapshot_state(self) -> Snapshot:
        """The whole state as a ``Snapshot`` (copies: later changes do not alter it)."""
        timeline = self.time.history.export()
        return Snapshot(self.network.copy(), self.dataset, self.trainer.state_dict(), self.input.copy(),
                        self.target, self.last_trace, self.document.title, self.plane.saved_point(),
                        timeline, self.time.start_trace)

    def restore(self, snapshot: Snapshot, path: str | None = None) -> None:
        """Open ``snapshot`` exactly as it was saved (``path``: the file it came from).

        Raises ``SnapshotError`` before changing anything if its parts do not fit.
        """
        network, trainer = snapshot.build()
        self.open(network, snapshot.dataset, trainer, snapshot.title, path, snapshot.input, snapshot.target,
                  snapshot.last_trace)
        if snapshot.timeline is not None:  # a session: its timeline and branches, at the moment saved
            self.time.restore(trainer, snapshot.timeline, snapshot.start_trace, snapshot.last_trace)
        self.plane.restore_point(snapshot.point)

    # ------------------------------------------------------------ input
    def set_input(self, x: np.ndarray) -> None:
        """Replace the input (shape (n_0,), values in [0, 1]); not undoable (``edit_input`` is)."""
        self.drawing.set_image(x)

    def set_target(self, label: int) -> None:
        """Set the class r of the input (0 .. K−1)."""
        self.drawing.set_target(label)

    def edit_input(self, x: np.ndarray, text: str, before: np.ndarray | None = None,
                   target: int | None = None) -> None:
        """Set the input (and optionally the target) as one undoable command named ``text``."""
        self.drawing.edit(x, text, before, target)

    def load_sample(self, index: int) -> None:
        """Load sample ``index`` of the data set (its image and label) as the input."""
        self.drawing.set(self.dataset.X[index], int(self.dataset.y[index]))

    # ------------------------------------------------------------ view
    def select(self, selection: Selection | None) -> None:
        """Pick a neuron, weight or bias (or ``None`` to clear)."""
        self.view.select(selection)

    def set_view(self, edge_mode: EdgeMode | None = None, node_mode: NodeMode | None = None) -> None:
        """Choose what the diagram's edges and neurons show."""
        self.view.set_modes(edge_mode, node_mode)

    # ------------------------------------------------------------ changes at the newest moment
    def _changing(self) -> bool:
        """Every change that is recorded goes through here first: at a past moment the fork rule
        decides (False: cancelled, change nothing)."""
        return self.time.make_newest()

    def _edited(self) -> None:
        """A change of the network or trainer was made: log it in the timeline."""
        self.document.mark_modified()
        self.time.record_edit()

    def set_dataset(self, dataset: Dataset) -> None:
        """Train on another data set of the same image and class count (at a past moment: forks first)."""
        if not self._changing():
            return
        self.trainer.set_dataset(dataset)
        self.walk.cancel()
        self.document.set_dataset(dataset)
        self._edited()

    def add_current_to_dataset(self, label: int | None = None, test: bool = False) -> None:
        """Append the input (with ``label``, default the target) to the data set."""
        self.set_dataset(self.dataset.with_added(self.input, self.target if label is None else label, test))

    def set_shuffle(self, shuffle: bool) -> None:
        """Visit the samples in a new random order each epoch (from the next epoch on)."""
        if bool(shuffle) == self.trainer.shuffle or not self._changing():
            return
        self.trainer.shuffle = bool(shuffle)
        self._edited()

    def set_seed(self, seed: int) -> None:
        """Seed of the initial parameters and of the epoch order; used by ``reset_weights``.

        At a past moment this forks like any other change, so that the network's
        config and the trainer always agree and the timeline logs the edit.
        """
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"the seed must be a whole number from 0 to {2**32 - 1}; got {seed!r}")
        if int(seed) == self.config.seed == self.trainer.seed or not self._changing():
            return
        self.network.config = replace(self.network.config, seed=int(seed))
        self.trainer.seed = int(seed)
        self._edited()

    def set_parameter(self, selection: Selection, value: float) -> None:
        """Set one weight or bias (``ValueError`` if not finite; at a past moment forks first)."""
        if selection.kind not in ("weight", "bias"):
            raise ValueError("only weights and biases have a value to set")
        if not self._changing():
            return
        if selection.kind == "weight":
            self.network.set_weight(selection.layer, selection.m, selection.n, value)
        else:
            self.network.set_bias(selection.layer, selection.m, value)
        self._edited()
        self._network_changed()

    def set_lr(self, lr: float) -> None:
        """Set η (``ValueError`` keeps the old one); a walked update is dropped."""
        self.trainer.set_lr(lr)
        self.walk.cancel()

    def set_batch_size(self, batch_size: int) -> None:
        """Set B (``ValueError`` keeps the old one); a walked update is dropped."""
        self.trainer.batch_size = batch_size
        self.walk.cancel()

    # ------------------------------------------------------------ optimiser, penalty, schedule
    @property
    def optimizer(self) -> Optimizer:
        """The trainer's optimiser: rule, hyper-parameters, penalty, schedule and state now."""
        return self.trainer.optimizer

    def set_optimizer(self, name: str, **hyper: float) -> None:
        """Train with optimiser ``name`` (``sgd``, ``momentum``, ``adam`` …) and ``hyper``-parameters.

        Bad values raise ``ValueError`` and keep the old; another optimiser
        starts from a fresh state.  At a past moment the fork rule decides
        first; the change is recorded as an edit.
        """
        self._set_optimizer(training_options.with_optimizer(self.optimizer, name, dict(hyper)))

    def set_penalty(self, l1: float | None = None, l2: float | None = None) -> None:
        """Set λ₁ (L1, λ₁ Σ|θ|) and/or λ₂ (L2, λ₂/2 Σθ²) on the weights (``ValueError`` keeps the old)."""
        self._set_optimizer(training_options.with_penalty(self.optimizer, l1, l2))

    def set_schedule(self, name: str, **params: float) -> None:
        """Set the η schedule (``constant``, ``step``, ``exponential``, ``cosine``; ``ValueError`` keeps the old)."""
        self._set_optimizer(training_options.with_schedule(self.optimizer, name, dict(params)))

    def _set_optimizer(self, new: Optimizer) -> None:
        old = self.optimizer
        if (new.config, new.penalty, new.schedule) == (old.config, old.penalty, old.schedule):
            return
        if not self._changing():
            return
        self.trainer.set_optimizer(new)
        self.walk.cancel()
        self._edited()
        self.optimizer_changed.emit(self.optimizer)

    def optimizer_state(self, selection: Selection) -> dict[str, float]:
        """The optimiser's state now for a weight or bias (``{"m": …, "v": …}`` for Adam; empty for SGD)."""
        kind = self._parameter_kind(selection)
        return parameter_state(self.optimizer.state, self.config.sizes, kind, selection.layer, selection.m,
                               selection.n if kind == "weight" else 0)

    def update_text(self, selection: Selection, trace: StepTrace | None = None) -> tuple[str, ...]:
        """The update of a weight or bias in ``trace`` (default ``last_trace``) written out with its numbers."""
        kind = self._parameter_kind(selection)
        trace = trace or self.last_trace
        if trace is None:
            return ()
        return update_lines(trace, kind, selection.layer, selection.m, selection.n if kind == "weight" else 0)

    @staticmethod
    def _parameter_kind(selection: Selection) -> Literal["weight", "bias"]:
        if selection.kind == "weight":
            return "weight"
        if selection.kind == "bias":
            return "bias"
        raise ValueError("only weights and biases have an optimiser state")

    def set_history_budget(self, budget_bytes: int) -> None:
        """Memory (bytes) the timeline may keep (``ValueError`` below what the network needs)."""
        self.time.set_budget(budget_bytes)

    def reset_weights(self) -> None:
        """Re-initialise from the config's seed and forget all training (a new timeline)."""
        self.stop()
        self.trainer.reset()
        self.document.mark_modified()
        self.time.restart(self.trainer)
        self._network_changed()

    # ------------------------------------------------------------ time travel
    def go_to(self, where: int | Branch) -> None:
        """Show timeline position ``where`` (``history.first`` .. ``history.last``), or return to the kept
        branch ``where``, exactly as it was.

        The network, the trainer and ``last_trace`` follow; the drawing and its
        target stay the user's (the update's batch is shown through ``show``);
        η and the batch size stay as chosen.
        """
        self.stop()
        self.walk.cancel()
        moment = self.time.go_to(where)
        if moment is None:
            return
        self.document.mark_modified()
        if self.trainer.dataset is not self.dataset:
            self.document.set_dataset(self.trainer.dataset)
        self._network_changed()
        self.time.changed.emit()

    def step_back(self) -> None:
        """Go one moment back along the timeline (nothing at its start)."""
        h = self.time.history
        if h.position > h.first:
            self.go_to(h.position - 1)

    def step_forward(self) -> StepTrace | None:
        """Go to the next recorded moment; at the newest, make a new update (``step``).

        Returns the trace now shown (``None`` for an edit, a divergence or a cancelled fork).
        """
        if self.time.at_newest:
            return self.step()
        self.go_to(self.time.history.position + 1)
        return self.last_trace

    # ------------------------------------------------------------ internal
    def _network_changed(self, architecture: bool = False) -> None:
        self._forget_forward()
        self.walk.cancel()  # a walked update no longer fits changed parameters
        if architecture:
            self.document.architecture_changed.emit()
        self.document.network_changed.emit()
