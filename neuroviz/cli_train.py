"""Headless ``neuroviz new`` and ``neuroviz step``: make a network, take updates with any optimiser.

``new --sizes 4-3-2 [--activations relu,tanh] [--output …] [--loss …] [--init …]
[--seed N] [--dataset NAME] --save FILE`` writes a snapshot of a fresh network.
``step [SNAPSHOT | --preset NAME] [--optimizer NAME] [hyper-parameters] [--l1 λ]
[--l2 λ] [--steps N] [--lr η] [--on-input] [--save OUT] [--json]`` takes N
updates and prints the last one (or JSON with the parameters before the
first and after the last, every loss and the optimiser's state).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from neuroviz.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from neuroviz.core.datasets import BUILTIN_DATASETS, Dataset, builtin_dataset
from neuroviz.core.network import DEFAULT_LR, INITS, LOSSES, DivergenceError, Network, NetworkConfig
from neuroviz.core.numbers import count, fmt, plural
from neuroviz.core.optimisers import HYPER_DEFAULTS, OPTIMIZERS, Optimizer, Penalty
from neuroviz.core.plane_data import PLANE_DATASETS
from neuroviz.core.presets import PRESETS, get_preset
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import Trainer
from neuroviz.io import snapshot as snapshot_mod
from neuroviz.io.optimiser_state import encode_optimizer
from neuroviz.io.snapshot import Snapshot, SnapshotError
from neuroviz.model.examples import EXAMPLE_TITLES, example
from neuroviz.model.training_options import with_optimizer

HYPER_FLAGS = {"momentum": "momentum", "beta1": "beta1", "beta2": "beta2", "eps": "eps", "alpha": "alpha",
               "weight_decay": "weight_decay"}
"""Command-line destinations of the hyper-parameters, by their name in ``HYPER_DEFAULTS``."""
MAX_STEPS = 1_000_000
PAPER_DATASET = "paper-figure-4"


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


# ------------------------------------------------------------------ parsers
def add_step_arguments(step: argparse.ArgumentParser) -> None:
    """The optimiser, penalty and step-count options of ``neuroviz step``."""
    step.add_argument("--steps", type=int, default=1, metavar="N",
                      help="take N updates and show the last (default 1)")
    add_optimizer_arguments(step)


def add_optimizer_arguments(step: argparse.ArgumentParser) -> None:
    """The optimiser and penalty options of ``neuroviz step`` and ``neuroviz train``."""
    step.add_argument("--optimizer", choices=OPTIMIZERS, default=None,
                      help="the update rule (default: the snapshot's; sgd, the paper's, for a preset): "
                           "sgd θ := θ − ηg; momentum v := μv + g, θ := θ − ηv; nesterov θ := θ − η(g + μv); "
                           "adagrad G := G + g², θ := θ − ηg/(√G + ε); rmsprop v := αv + (1 − α)g², "
                           "θ := θ − ηg/(√v + ε); adam and adamw bias-corrected, as torch.optim")
    step.add_argument("--momentum", type=float, metavar="μ", help="momentum μ of momentum and nesterov (0.9)")
    step.add_argument("--beta1", type=float, metavar="β₁", help="Adam's β₁ (0.9)")
    step.add_argument("--beta2", type=float, metavar="β₂", help="Adam's β₂ (0.999)")
    step.add_argument("--eps", type=float, metavar="ε", help="ε outside the root (1e-8; Adagrad 1e-10)")
    step.add_argument("--alpha", type=float, metavar="α", help="RMSprop's smoothing α (0.99)")
    step.add_argument("--weight-decay", type=float, metavar="λ", dest="weight_decay",
                      help="AdamW's decoupled weight decay λ: θ := θ(1 − ηλ) on the weights (0.01)")
    step.add_argument("--l1", type=float, metavar="λ", help="L1 penalty λ Σ|θ| on the weights (gradient λ sign θ)")
    step.add_argument("--l2", type=float, metavar="λ", help="L2 penalty λ/2 Σθ² on the weights (gradient λθ)")


def add_new_command(sub: Any) -> argparse.ArgumentParser:
    """The ``neuroviz new`` sub-command (returned, for the options of a data set on the plane)."""
    new = sub.add_parser(
        "new",
        help="write a snapshot of a freshly initialised network",
        description="Make a new network and its trainer and save them as a snapshot: the layer sizes, an "
                    "activation for each hidden layer, the output activation, the loss, the initialisation "
                    "and its seed, and the data set to train on: a built-in image set, or points of the plane "
                    "(circle, xor, gauss, spiral, moons; plane and multi-gauss for regression) with their noise, "
                    "number, test ratio and input features.",
    )
    new.add_argument("--sizes", metavar="N-N-…",
                     help="neurons per layer from the input, e.g. 64-16-2 (needed but for a data set on the plane: "
                          "there the first is the number of features, the last 2 classes or 1 value; default F-8-8-K)")
    new.add_argument("--activations", metavar="A,B,…",
                     help=f"the hidden layers' activations, one for all or one per hidden layer "
                          f"({', '.join(HIDDEN_ACTIVATIONS)}; default relu)")
    new.add_argument("--output", choices=(*OUTPUT_ACTIVATIONS, "identity"), default="none",
                     help="the output layer's activation (default none: logits into the softmax; identity is "
                          "another name for none, a = z)")
    new.add_argument("--loss", choices=LOSSES, default=None,
                     help="the loss (default cross_entropy; squared_error for plane and multi-gauss)")
    new.add_argument("--init", choices=INITS, default="he", help="the initialisation (default he)")
    new.add_argument("--seed", type=int, default=0, help="seed of the initialisation and the epoch order")
    new.add_argument("--dataset", choices=(*BUILTIN_DATASETS, PAPER_DATASET, *PLANE_DATASETS), default=None,
                     help="the data set (default: the first built-in one that fits the sizes; the paper's "
                          "one-sample set for 4 inputs and 2 outputs)")
    new.add_argument("--save", required=True, metavar="FILE", help="the snapshot file to write")
    return new


# ------------------------------------------------------------------ new
def _dataset_for(name: str | None, config: NetworkConfig) -> Dataset:
    if name == PAPER_DATASET:
        return get_preset(PAPER_DATASET).dataset()
    if name is not None:
        return builtin_dataset(name)
    for candidate in BUILTIN_DATASETS:
        ds = builtin_dataset(candidate)
        h, w = ds.image_shape
        if h * w == config.n_inputs and ds.n_classes == config.n_outputs:
            return ds
    if config.n_inputs == 4 and config.n_outputs == 2:
        return get_preset(PAPER_DATASET).dataset()
    raise CliError(f"no built-in data set has {config.n_inputs} inputs and {config.n_outputs} classes; "
                   "circles-squares has 64 and 2, digits 64 and 10")


def open_trainer(path: str) -> tuple[Snapshot, Trainer]:
    """The snapshot at ``path`` and a trainer positioned as saved (``CliError`` naming the file and the problem)."""
    try:
        snap = snapshot_mod.load(path)
        return snap, snap.build()[1]
    except SnapshotError as exc:
        raise CliError(f"cannot open {path}: {exc}") from None


def save_snapshot(path: str, snap: Snapshot) -> None:
    """Write ``snap`` to ``path`` (``CliError`` naming the file if it cannot be written)."""
    try:
        snapshot_mod.save(path, snap)
    except (OSError, SnapshotError) as exc:
        raise CliError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None


def new_config(args: argparse.Namespace, sizes: tuple[int, ...], loss: str) -> NetworkConfig:
    """The config of ``--activations``, ``--output``, ``--init`` and ``--seed`` with ``sizes`` and ``loss``."""
    acts = tuple(a.strip() for a in args.activations.split(",")) if args.activations else ("relu",)
    hidden = max(len(sizes) - 2, 0)
    if len(acts) not in (1, hidden):
        raise CliError(f"--activations needs one activation or one per hidden layer ({hidden}); got {len(acts)}")
    output = "none" if args.output == "identity" else args.output
    return NetworkConfig(sizes=sizes, hidden_activation=acts[0], output_activation=output, loss=loss,
                         init=args.init, seed=args.seed,
                         hidden_activations=acts if len(acts) == hidden and hidden > 1 else ())


def run_new(args: argparse.Namespace) -> str:
    if args.sizes is None:
        raise CliError("--sizes is needed (e.g. 64-16-2); only a data set on the plane has a default")
    try:
        sizes = tuple(int(s) for s in args.sizes.split("-"))
    except ValueError:
        raise CliError(f"--sizes must look like 64-16-2; got {args.sizes!r}") from None
    try:
        config = new_config(args, sizes, args.loss or "cross_entropy")
        dataset = _dataset_for(args.dataset, config)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return save_new(args, config, dataset)


def save_new(args: argparse.Namespace, config: NetworkConfig, dataset: Dataset,
             point: tuple[float, float] | None = None) -> str:
    """Write the snapshot of a fresh network of ``config`` on ``dataset`` (its first sample the input)."""
    try:
        network = Network(config)
        trainer = Trainer(network, dataset, DEFAULT_LR, seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    save_snapshot(args.save, Snapshot(network, dataset, trainer.state_dict(), dataset.X[0].copy(), int(dataset.y[0]),
                              point=point))
    return f"wrote {args.save}"


# ------------------------------------------------------------------ step
def _hyper(args: argparse.Namespace) -> dict[str, float]:
    return {key: getattr(args, dest) for key, dest in HYPER_FLAGS.items() if getattr(args, dest) is not None}


def choose_optimizer(current: Optimizer, args: argparse.Namespace) -> Optimizer:
    """``current`` changed by the command line (``CliError`` names a flag that does not fit)."""
    name = args.optimizer or current.name
    hyper = _hyper(args)
    foreign = sorted(set(hyper) - set(HYPER_DEFAULTS[name]))
    if foreign:
        flag = "--" + foreign[0].replace("_", "-")
        raise CliError(f"{flag} is not a hyper-parameter of {name} (it has: "
                       f"{', '.join(HYPER_DEFAULTS[name]) or 'none'})")
    if name == current.name:
        hyper = {**current.config.as_dict(), **hyper}
    try:
        opt = with_optimizer(current, name, hyper)
        penalty = Penalty(current.penalty.l1 if args.l1 is None else args.l1,
                          current.penalty.l2 if args.l2 is None else args.l2)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return Optimizer(opt.config, penalty, opt.schedule, opt.state)


STEP_PRESETS = (*PRESETS, *(name for name in EXAMPLE_TITLES if name not in PRESETS))
"""What ``step --preset`` steps: the presets and every other example the window opens."""


def preset_title(name: str | None) -> str:
    """The title of ``step --preset name`` (default: the paper's Figure 4)."""
    name = name or PAPER_DATASET
    return EXAMPLE_TITLES[name] if name in EXAMPLE_TITLES else get_preset(name).title


def _start(args: argparse.Namespace) -> tuple[Trainer, Snapshot | None, np.ndarray | None, int | None]:
    """The trainer to step, the snapshot it came from, and the input and target of ``--on-input`` (or a preset)."""
    if args.snapshot is None:
        name = args.preset or PAPER_DATASET
        if name not in PRESETS:  # an example of the plane: its network on its data, as the window's Step takes it
            ex = example(name)
            return Trainer(ex.network.copy(), ex.dataset, ex.lr, ex.batch_size), None, None, None
        preset = get_preset(name)
        dataset = preset.dataset()
        trainer = Trainer(preset.network.copy(), dataset, preset.lr, 1)
        return trainer, None, preset.inputs, preset.label
    if args.preset is not None:
        raise CliError("give either a SNAPSHOT or --preset, not both")
    snap, trainer = open_trainer(args.snapshot)
    if args.on_input:
        return trainer, snap, snap.input, snap.target
    return trainer, snap, None, None


def run_steps(args: argparse.Namespace) -> tuple[Trainer, list[StepTrace], Snapshot | None]:
    """Take ``args.steps`` updates as the options say; returns the trainer, every trace and the snapshot."""
    if not 1 <= args.steps <= MAX_STEPS:
        raise CliError(f"--steps must be from 1 to {count(MAX_STEPS)}; got {args.steps}")
    trainer, snap, x, target = _start(args)
    trainer.set_optimizer(choose_optimizer(trainer.optimizer, args))
    traces: list[StepTrace] = []
    try:
        if args.lr is not None:
            trainer.set_lr(args.lr)
        for _ in range(args.steps):
            traces.append(trainer.step() if x is None else trainer.step_on(x, target))
    except (ValueError, DivergenceError) as exc:
        raise CliError(f"update {len(traces) + 1}: {exc}") from exc
    return trainer, traces, snap


def save_after(path: str, trainer: Trainer, trace: StepTrace, snap: Snapshot | None, title: str) -> None:
    """Write the state after the updates (a preset's with its one-sample data set)."""
    if snap is None:
        x, target = trainer.dataset.X[0].copy(), int(trainer.dataset.y[0])
        after = Snapshot(trainer.network.copy(), trainer.dataset, trainer.state_dict(), x, target, trace, title)
    else:
        after = Snapshot(trainer.network.copy(), snap.dataset, trainer.state_dict(), snap.input, snap.target,
                         trace, snap.title)
    save_snapshot(path, after)


def steps_to_json(base: dict[str, Any], trainer: Trainer, traces: list[StepTrace]) -> dict[str, Any]:
    """``base`` (the last update's fields) with the run's: parameters before the first and after the last
    update, every loss and penalty, and the optimiser with its state per layer."""
    first, last = traces[0], traces[-1]
    return {
        **base,
        "weights_before": [w.tolist() for w in first.weights_before],
        "biases_before": [b.tolist() for b in first.biases_before],
        "weights_after": [w.tolist() for w in last.weights_after],
        "biases_after": [b.tolist() for b in last.biases_after],
        "losses": [t.loss for t in traces],
        "penalties": [t.penalty for t in traces],
        "optimizer": encode_optimizer(trainer.optimizer, trainer.network.sizes),
    }


def steps_summary(trainer: Trainer, traces: list[StepTrace]) -> str:
    """The lines printed above the last update's tables (none for one update of the paper's SGD)."""
    opt = trainer.optimizer
    hyper = ", ".join(f"{k} = {fmt(v)}" for k, v in opt.config.hyper)
    lines = [] if opt.plain else [
        f"Optimiser {opt.name}" + (f" ({hyper})" if hyper else "")
        + (f"; λ₁ = {fmt(opt.penalty.l1)}, λ₂ = {fmt(opt.penalty.l2)}" if opt.penalty.active else "")]
    if len(traces) > 1:
        lines.append(f"{plural(len(traces), 'update')}; loss {fmt(traces[0].loss)} → {fmt(traces[-1].loss)}; the last:")
    return "".join(line + "\n" for line in lines)

