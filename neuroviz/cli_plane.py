"""Headless commands for networks on the plane, and ``neuroviz train``.

``new --dataset circle|xor|gauss|spiral|moons|plane|multi-gauss [--noise σ]
[--points N] [--test-ratio r] [--features x1,x2,…] …`` makes a network on
points of the plane (with every other option of ``new``); ``train SNAPSHOT
--epochs N [--lr η] [--batch B] [--optimizer …] [--save OUT] [--json]``
trains any snapshot for N epochs and prints the train and test loss and
accuracy; ``export SNAPSHOT --decision-png FILE [--size WxH]`` draws the
decision map behind the points (``neuroviz.io.plane_picture``).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from neuroviz import cli_train
from neuroviz.cli_train import CliError, add_optimizer_arguments, choose_optimizer
from neuroviz.core.datasets import Dataset
from neuroviz.core.features import DEFAULT_FEATURES, FEATURES, parse_features
from neuroviz.core.network import DivergenceError
from neuroviz.core.numbers import count, fmt, percent, plural
from neuroviz.core.plane_data import (
    DEFAULT_NOISE,
    DEFAULT_POINTS,
    DEFAULT_TEST_RATIO,
    PLANE_DATASETS,
    plane_dataset,
    task_of,
)
from neuroviz.core.trainer import EpochMetrics, Trainer
from neuroviz.io.snapshot import Snapshot

MAX_EPOCHS = 100_000
DEFAULT_HIDDEN = (8, 8)
"""Hidden layers of a network on the plane when ``--sizes`` is not given."""


def add_plane_options(new: argparse.ArgumentParser) -> None:
    """``new``'s options for a data set on the plane."""
    new.add_argument("--noise", type=float, default=DEFAULT_NOISE, metavar="σ",
                     help=f"a data set on the plane: σ of the Gaussian noise moving each point, in the plane's "
                          f"units (its square is [−6, 6]²; default {DEFAULT_NOISE})")
    new.add_argument("--points", type=int, default=DEFAULT_POINTS, metavar="N",
                     help=f"a data set on the plane: the number of points (default {DEFAULT_POINTS})")
    new.add_argument("--test-ratio", type=float, default=DEFAULT_TEST_RATIO, metavar="r", dest="test_ratio",
                     help=f"a data set on the plane: the share of points kept for testing (default "
                          f"{DEFAULT_TEST_RATIO})")
    new.add_argument("--features", default=",".join(DEFAULT_FEATURES), metavar="F,F,…",
                     help=f"a data set on the plane: the input features, one input neuron each "
                          f"({','.join(FEATURES)}; default %(default)s)")


def plane_sizes(args: argparse.Namespace, n_features: int, n_outputs: int) -> tuple[int, ...]:
    """``--sizes`` checked against the features and the task (default: F-8-8-K)."""
    if args.sizes is None:
        return (n_features, *DEFAULT_HIDDEN, n_outputs)
    try:
        sizes = tuple(int(s) for s in args.sizes.split("-"))
    except ValueError:
        raise CliError(f"--sizes must look like 2-8-8-2; got {args.sizes!r}") from None
    if sizes[0] != n_features:
        raise CliError(f"--sizes starts with {sizes[0]} inputs; the {n_features} feature(s) "
                       f"({args.features}) need {n_features}")
    if sizes[-1] != n_outputs:
        kind = "one output (a value)" if n_outputs == 1 else "two outputs (the classes)"
        raise CliError(f"--sizes ends with {sizes[-1]} outputs; {args.dataset} needs {kind}")
    return sizes


def plane_network_options(args: argparse.Namespace) -> tuple[Dataset, tuple[int, ...], str]:
    """The data set, the layer sizes and the loss ``new`` makes for ``--dataset`` on the plane."""
    regression = task_of(args.dataset) == "regression"
    try:
        features = parse_features(args.features)
        dataset = plane_dataset(args.dataset, args.noise, args.points, args.test_ratio, features, args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    loss = args.loss or ("squared_error" if regression else "cross_entropy")
    if regression and loss != "squared_error":
        raise CliError(f"{args.dataset} is a regression data set: its loss is squared_error")
    return dataset, plane_sizes(args, len(features), dataset.n_classes), loss


# ------------------------------------------------------------------ train
def add_train_command(sub: Any) -> None:
    """The ``neuroviz train`` sub-command."""
    train = sub.add_parser(
        "train",
        help="train a snapshot for some epochs and print its loss and accuracy",
        description="Train SNAPSHOT for --epochs N epochs on its training split (fast updates, no traces) and "
                    "print the train and test loss and accuracy after them (accuracy is null for a regression "
                    "data set).  --json prints epochs, step, train_loss, train_accuracy, test_loss, "
                    "test_accuracy and per_epoch (the same per epoch).",
    )
    train.add_argument("snapshot", metavar="SNAPSHOT", help="a snapshot file")
    train.add_argument("--epochs", type=int, required=True, metavar="N", help="the number of epochs to train")
    train.add_argument("--lr", type=float, default=None, metavar="η", help="learning rate η (default: the snapshot's)")
    train.add_argument("--batch", type=int, default=None, metavar="B",
                       help="mini-batch size B (default: the snapshot's)")
    add_optimizer_arguments(train)
    train.add_argument("--save", metavar="OUT", help="write the snapshot after training to OUT")
    train.add_argument("--json", action="store_true", help="print JSON instead of text")


def _number(x: float) -> float | None:
    return None if math.isnan(x) else x


def metrics_json(m: EpochMetrics) -> dict[str, Any]:
    """An epoch's metrics as JSON values (``null`` for what does not exist)."""
    return {"epoch": m.epoch, "step": m.step, "train_loss": _number(m.train_loss),
            "train_accuracy": _number(m.train_accuracy), "test_loss": _number(m.test_loss),
            "test_accuracy": _number(m.test_accuracy)}


def _trained(args: argparse.Namespace) -> tuple[Trainer, Snapshot, list[EpochMetrics]]:
    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise CliError(f"--epochs must be from 1 to {MAX_EPOCHS:,}; got {args.epochs}")
    if args.save is not None and not args.save.strip():
        raise CliError("--save needs a file name (got an empty one)")
    snap, trainer = cli_train.open_trainer(args.snapshot)
    trainer.set_optimizer(choose_optimizer(trainer.optimizer, args))
    try:
        if args.lr is not None:
            trainer.set_lr(args.lr)
        if args.batch is not None:
            trainer.batch_size = args.batch
    except ValueError as exc:
        raise CliError(str(exc)) from None
    done: list[EpochMetrics] = []
    try:
        for _ in range(args.epochs):
            done.append(trainer.run_epoch())
    except DivergenceError as exc:
        raise CliError(f"epoch {len(done) + 1}: {exc}; try a smaller --lr") from None
    return trainer, snap, done


def run_train(args: argparse.Namespace) -> str:
    trainer, snap, done = _trained(args)
    if args.save:
        cli_train.save_snapshot(args.save, Snapshot(trainer.network.copy(), snap.dataset, trainer.state_dict(),
                                                    snap.input, snap.target, None, snap.title, snap.point))
    last = done[-1]
    if args.json:
        return json.dumps({"epochs": len(done), **metrics_json(last),
                           "per_epoch": [metrics_json(m) for m in done]}, indent=2)

    def pct(x: float) -> str:
        return "—" if math.isnan(x) else percent(x)

    lines = [f"{plural(len(done), 'epoch')}, {plural(last.step, 'update')} in all (epoch {count(last.epoch)})",
             f"train  loss {fmt(last.train_loss)}  accuracy {pct(last.train_accuracy)}",
             f"test   loss {fmt(last.test_loss)}  accuracy {pct(last.test_accuracy)}"]
    if args.save:
        lines.append(f"wrote {args.save}")
    return "\n".join(lines)


def run_new(args: argparse.Namespace) -> str:
    """``neuroviz new``: on the plane here, anything else as before (``cli_train.run_new``)."""
    if args.dataset not in PLANE_DATASETS:
        return cli_train.run_new(args)
    dataset, sizes, loss = plane_network_options(args)
    try:
        config = cli_train.new_config(args, sizes, loss)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    assert dataset.plane is not None
    first = dataset.plane.points[0]
    return cli_train.save_new(args, config, dataset, (float(first[0]), float(first[1])))
