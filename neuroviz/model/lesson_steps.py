"""What a lesson's step may do to the app: a fixed vocabulary of actions, each parsed from one line.

Each action is a line ``@VERB ARGUMENTS`` of a lesson file (in a step's set-up,
or after ``@solve`` in its scripted solution) and drives the ``AppModel``
only through its public methods:

``example NAME``
    open a built-in example (``paper-figure-4``, ``circles-squares``, ``digits``);
``network SIZES [hidden=…] [output=…] [init=…] [seed=N] [data=NAME]``
    a fresh network, e.g. ``network 64-16-16-2 hidden=sigmoid``;
``training-samples N``
    keep only the first N training samples of the data set (the test split stays);
``lr ETA``, ``batch B``, ``seed S``
    the learning rate η, the mini-batch size, the seed;
``train N``, ``step``, ``step-on-input``
    N fast updates, one traced update on the next mini-batch, one on the drawing;
``sample N`` / ``sample CLASS``
    load the data set's sample N (counted from 1), or its first training sample of CLASS;
``target CLASS``
    the drawing's target r (a class name);
``input ROW/ROW/…``
    draw the input: one digit 0–9 per pixel (0 black, 9 white), rows separated by ``/``;
``set PARAM = NUMBER``
    set a weight or bias (``set β^b_1 = -5``);
``select ELEMENT`` (or ``highlight ELEMENT``), ``select none``
    pick a neuron, weight or bias on the diagram;
``view [edges=MODE] [neurons=MODE] [receptive-fields=on|off]``
    what the diagram's edges and neurons show, and whether it draws the receptive fields;
``show PANEL``
    bring a panel forward (``PANELS``; nothing happens without a window).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.network import NetworkConfig
from neuroviz.model.app_model import AppModel
from neuroviz.model.examples import EXAMPLE_TITLES
from neuroviz.model.lesson_expr import SWITCH_WORDS, ExprError, parse_element
from neuroviz.model.view_state import EDGE_MODES, NODE_MODES

PANELS = ("input", "data", "training", "loss", "inspector", "timeline")
"""The panels ``show`` may name."""
LONG_TRAINING = 20_000
"""The most updates one ``train`` action makes (a lesson stays quick to play)."""


class Target(Protocol):
    """What an action acts on: the model, and a way to ask the window to show a panel."""

    model: AppModel

    def show_panel(self, panel: str) -> None: ...


@dataclass(frozen=True)
class Action:
    """One parsed action: ``verb`` and its text as written; ``run`` applies it."""

    verb: str
    text: str
    run: Callable[[Target], None]

    def apply(self, target: Target) -> None:
        """Do it (``ValueError`` with the reason if the model refuses)."""
        self.run(target)


def _int(text: str, what: str, low: int = 0, high: int | None = None) -> int:
    if not re.fullmatch(r"\d+", text.strip()):
        raise ExprError(f"{what} must be a whole number; got {text.strip()!r}")
    value = int(text)
    if value < low or (high is not None and value > high):
        raise ExprError(f"{what} must be from {low} to {high}; got {value}" if high is not None else
                        f"{what} must be at least {low}; got {value}")
    return value


def _float(text: str, what: str) -> float:
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        raise ExprError(f"{what} must be a number; got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise ExprError(f"{what} must be finite; got {text.strip()!r}")
    return value


def _options(words: list[str], allowed: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq or key not in allowed or not value:
            raise ExprError(f"expected {' or '.join(f'{a}=…' for a in allowed)}; got {word!r}")
        out[key] = value
    return out


def _network(args: str) -> Callable[[Target], None]:
    words = args.split()
    if not words or not re.fullmatch(r"\d+(-\d+)+", words[0]):
        raise ExprError(f"network needs layer sizes such as 64-16-2; got {args.strip()!r}")
    sizes = tuple(int(s) for s in words[0].split("-"))
    opts = _options(words[1:], ("hidden", "output", "init", "seed", "data"))
    try:
        config = NetworkConfig(sizes, hidden_activation=opts.get("hidden", "relu"),
                               output_activation=opts.get("output", "none"), init=opts.get("init", "he"),
                               seed=_int(opts.get("seed", "0"), "seed"))
    except ValueError as exc:
        raise ExprError(str(exc)) from None
    data = opts.get("data", "circles-squares")
    if data not in ("circles-squares", "digits"):
        raise ExprError(f"data must be circles-squares or digits; got {data!r}")
    return lambda t: t.model.new_network(config, data)


def fewer_training_samples(dataset: Dataset, n: int) -> Dataset:
    """``dataset`` with only its first ``n`` training samples (all of its test samples)."""
    keep = np.flatnonzero(dataset.is_test | (np.cumsum(~dataset.is_test) <= n))
    return Dataset(dataset.name, dataset.X[keep], dataset.y[keep], dataset.class_names, dataset.image_shape,
                   dataset.is_test[keep])


def _sample(args: str) -> Callable[[Target], None]:
    what = args.strip()
    if re.fullmatch(r"\d+", what):
        index = _int(what, "sample", 1) - 1

        def load(t: Target) -> None:
            if index >= len(t.model.dataset):
                raise ValueError(f"the data set has {len(t.model.dataset)} samples; no sample {index + 1}")
            t.model.load_sample(index)

        return load
    if not re.fullmatch(r"[A-Za-z][\w-]*", what):
        raise ExprError(f"sample takes a number (from 1) or a class name; got {what!r}")

    def first_of_class(t: Target) -> None:
        ds = t.model.dataset
        if what not in ds.class_names:
            raise ValueError(f"the data set has no class {what!r}")
        found = np.flatnonzero((ds.y == ds.class_names.index(what)) & ~ds.is_test)
        if found.size == 0:
            raise ValueError(f"the data set has no training sample of {what!r}")
        t.model.load_sample(int(found[0]))

    return first_of_class


def _input(args: str) -> Callable[[Target], None]:
    rows = args.strip().split("/")
    if not rows[0] or any(not re.fullmatch(r"[0-9]+", r) for r in rows) or len({len(r) for r in rows}) != 1:
        raise ExprError("input takes rows of equal length of digits 0–9 separated by '/', e.g. 0990/9009/9009/0990")
    image = np.array([[int(c) / 9 for c in r] for r in rows], dtype=float)

    def draw(t: Target) -> None:
        if image.shape != t.model.image_shape:
            raise ValueError(f"the drawing is {image.shape[0]}×{image.shape[1]}; the network's input is "
                             f"{t.model.image_shape[0]}×{t.model.image_shape[1]}")
        t.model.edit_input(image.reshape(-1), "Lesson drawing")

    return draw


def _target(args: str) -> Callable[[Target], None]:
    name = args.strip()
    if not re.fullmatch(r"[A-Za-z][\w-]*", name):
        raise ExprError(f"target takes a class name; got {name!r}")

    def set_target(t: Target) -> None:
        if name not in t.model.class_names:
            raise ValueError(f"the data set has no class {name!r}")
        t.model.set_target(t.model.class_names.index(name))

    return set_target


def _set(args: str) -> Callable[[Target], None]:
    name, eq, value = args.partition("=")
    if not eq:
        raise ExprError(f"set takes PARAMETER = NUMBER; got {args.strip()!r}")
    q = parse_element(name.strip())
    if q.kind not in ("weight", "bias"):
        raise ExprError(f"set takes a weight or bias; got {name.strip()!r}")
    number = _float(value, "the value")
    selection = q.selection()
    return lambda t: t.model.set_parameter(selection, number)


def _select(args: str) -> Callable[[Target], None]:
    if args.strip() == "none":
        return lambda t: t.model.select(None)
    selection = parse_element(args.strip()).selection()

    def select(t: Target) -> None:
        sizes = t.model.network.sizes
        n_layers = len(sizes) if selection.kind == "neuron" else len(sizes) - 1
        if selection.layer >= n_layers or selection.m >= sizes[selection.layer + (selection.kind != "neuron")]:
            raise ValueError(f"the open network has no {selection.label()}")
        t.model.select(selection)

    return select


def _view(args: str) -> Callable[[Target], None]:
    opts = _options(args.split(), ("edges", "neurons", "receptive-fields"))
    edges, neurons, fields = opts.get("edges"), opts.get("neurons"), opts.get("receptive-fields")
    if edges is not None and edges not in EDGE_MODES:
        raise ExprError(f"edges= takes one of {', '.join(EDGE_MODES)}; got {edges!r}")
    if neurons is not None and neurons not in NODE_MODES:
        raise ExprError(f"neurons= takes one of {', '.join(NODE_MODES)}; got {neurons!r}")
    if fields is not None and fields not in SWITCH_WORDS:
        raise ExprError(f"receptive-fields= takes on or off; got {fields!r}")
    if not opts:
        raise ExprError("view takes edges=…, neurons=… and/or receptive-fields=…")

    def view(t: Target) -> None:
        if edges is not None or neurons is not None:
            t.model.set_view(edges, neurons)
        if fields is not None:
            t.model.view.set_receptive_fields(fields == "on")

    return view


def _show(args: str) -> Callable[[Target], None]:
    panel = args.strip()
    if panel not in PANELS:
        raise ExprError(f"show takes one of {', '.join(PANELS)}; got {panel!r}")
    return lambda t: t.show_panel(panel)


def _example(args: str) -> Callable[[Target], None]:
    name = args.strip()
    if name not in EXAMPLE_TITLES:
        raise ExprError(f"example takes one of {', '.join(EXAMPLE_TITLES)}; got {name!r}")
    return lambda t: t.model.load_example(name)


def _nothing_after(verb: str, args: str) -> None:
    if args.strip():
        raise ExprError(f"{verb} takes nothing after it; got {args.strip()!r}")


def _step(args: str) -> Callable[[Target], None]:
    _nothing_after("step", args)
    return lambda t: _refused_if_none(t.model.step(), "the update")


def _step_on_input(args: str) -> Callable[[Target], None]:
    _nothing_after("step-on-input", args)
    return lambda t: _refused_if_none(t.model.step_on_input(), "the update on the drawing")


def _refused_if_none(result: object, what: str) -> None:
    if result is None:
        raise ValueError(f"{what} was not made (it diverged or was cancelled)")


def _train(args: str) -> Callable[[Target], None]:
    n = _int(args, "train", 1, LONG_TRAINING)

    def train(t: Target) -> None:
        t.model.train_for(math.inf, n)

    return train


def _training_samples(args: str) -> Callable[[Target], None]:
    n = _int(args, "training-samples", 1)
    return lambda t: t.model.set_dataset(fewer_training_samples(t.model.dataset, n))


def _number_setter(verb: str) -> Callable[[str], Callable[[Target], None]]:
    def parse(args: str) -> Callable[[Target], None]:
        if verb == "lr":
            eta = _float(args, "lr")
            return lambda t: t.model.set_lr(eta)
        value = _int(args, verb, 1 if verb == "batch" else 0)
        if verb == "batch":
            return lambda t: t.model.set_batch_size(value)
        return lambda t: t.model.set_seed(value)

    return parse


VERBS: dict[str, Callable[[str], Callable[[Target], None]]] = {
    "example": _example, "network": _network, "training-samples": _training_samples,
    "lr": _number_setter("lr"), "batch": _number_setter("batch"), "seed": _number_setter("seed"),
    "train": _train, "step": _step, "step-on-input": _step_on_input, "sample": _sample,
    "target": _target, "input": _input, "set": _set, "select": _select, "highlight": _select, "view": _view,
    "show": _show,
}


def parse_action(verb: str, args: str) -> Action:
    """The action ``@verb args`` (``ExprError`` if it is not in ``VERBS`` or its arguments are wrong)."""
    if verb not in VERBS:
        raise ExprError(f"unknown action @{verb}")
    return Action(verb, f"{verb} {args.strip()}".strip(), VERBS[verb](args))
