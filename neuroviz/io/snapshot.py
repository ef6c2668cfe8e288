"""Snapshots: the whole open model as a versioned, readable JSON file.

Format ``neuroviz-snapshot``, version 2 (see ``docs/snapshot-format.md``;
the optimiser, penalty and per-layer activation fields version 2 adds are
described in ``neuroviz.io.optimiser_state``; version 1 files open unchanged).
One JSON object, UTF-8, with these fields:

``format``, ``version``
    ``"neuroviz-snapshot"`` and ``2``.  A newer version is refused with a
    message rather than half-read.
``written_by``, ``title``
    The program that wrote the file; the model's title.
``network``
    The architecture and options (``sizes``, ``hidden_activation``,
    ``output_activation``, ``loss``, ``init``, ``seed``) and the parameters in
    the paper's orientation: ``weights[l]`` shape (n_{l+1}, n_l) holds θ
    between layer l and l+1, ``biases[l]`` shape (n_{l+1},) holds β.
``dataset``
    Either ``{"source": "builtin", "name", "parameters", "fingerprint",
    "added"}`` (a built-in data set regenerated from its name and generation
    parameters — the SHA-256 ``fingerprint`` of its samples guards against a
    generator that has changed since —, plus the samples the user added) or ``{"source": "embedded", "name",
    "class_names", "image_shape", "samples"}``.  ``samples``/``added`` hold
    ``X`` (N, H·W), ``y`` (N,) and ``is_test`` (N,).
``trainer``
    η (``lr``), ``batch_size``, ``shuffle``, ``seed``, ``epoch``, ``step``, the
    epoch's sample ``order`` and ``cursor``, and the random generator's state
    (``rng``: PCG64 ``state``/``inc`` as hexadecimal text, ``has_uint32``,
    ``uinteger``), so that training continues exactly where it stopped.
``history``
    ``steps`` and ``losses``: the loss of every update so far.
``epochs``
    One object per completed epoch (``epoch``, ``step``, ``train_loss``,
    ``test_loss``, ``train_accuracy``, ``test_accuracy``; ``null`` where a
    value does not exist, e.g. without a test split).
``input``, ``target``
    The current input (n_0,) in [0, 1] and its class.
``last_update``
    ``null`` or every number of the last traced update (B samples):
    ``inputs`` (B, n_0), ``raw`` and ``activations`` (one (B, n_l) array per
    layer after the input), ``probs`` and ``targets`` (B, n_L), ``labels``
    (B,) or ``null``, ``losses`` (B,), ``loss``, ``deltas`` (per layer
    after the input, (B, n_{l+1})), ``grad_weights``, ``grad_biases``,
    ``weights_before``, ``biases_before``, ``weights_after``,
    ``biases_after`` and ``lr``.

Floats are written with Python's shortest round-trip ``repr``, so every
float64 reads back bit for bit.  Loading checks every field (types, shapes
against the sizes, limits, finiteness) and raises ``SnapshotError`` naming the
first problem; nothing is ever unpickled or evaluated.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroviz import __version__
from neuroviz.core.datasets import Dataset
from neuroviz.core.history_record import TimelineRecord
from neuroviz.core.network import (
    HIDDEN_ACTIVATIONS,
    INITS,
    LOSSES,
    MAX_LAYER_SIZE,
    MAX_LAYERS,
    OUTPUT_ACTIVATIONS,
    Network,
    NetworkConfig,
    check_lr,
)
from neuroviz.core.numbers import count, fixed
from neuroviz.core.trace import ForwardTrace, StepTrace, frozen, frozen_list
from neuroviz.core.trainer import Trainer
from neuroviz.io import optimiser_state
from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.limits import (
    MAX_EPOCHS,
    MAX_FILE_BYTES,
    MAX_HISTORY,
    MAX_PARAMETERS,
    MAX_SAMPLES,
    MAX_TEXT,
    parameter_count,
)
from neuroviz.io.regular_file import read_bounded
from neuroviz.io.snapshot_dataset import MAX_SEED, encode_dataset, floats, read_dataset
from neuroviz.io.validate import (
    SnapshotError,
    boolean,
    check_parse_memory,
    fail,
    field,
    float_array,
    hex_integer,
    int_array,
    integer,
    number,
    obj,
    optional_number,
    parse_json,
    string,
    sub,
)

FORMAT_NAME = "neuroviz-snapshot"
FORMAT_VERSION = 2
FILE_SUFFIX = ".nvz.json"
"""Suggested file name ending; any name opens."""

MAX_COUNT = (1 << 62) - 1



@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything a snapshot file holds, as core objects.

    ``trainer_state`` is ``Trainer.state_dict()`` (η, batch size, order,
    random state, history, epochs); ``input`` has shape (n_0,).
    """

    network: Network
    dataset: Dataset
    trainer_state: dict[str, Any]
    input: np.ndarray
    target: int
    last_trace: StepTrace | None = None
    title: str = ""
    point: tuple[float, float] | None = None
    """Your point (x₁, x₂) on the plane whose features are ``input`` (a data set on the plane only)."""
    timeline: TimelineRecord | None = None
    """The whole timeline and its branches (a session file, version 3), or ``None`` (version 1 and 2 files)."""
    start_trace: StepTrace | None = None
    """The update shown at the timeline's position 0, when it began with one (a version 2 file's last update)."""

    def build(self) -> tuple[Network, Trainer]:
        """A fresh copy of the network and a trainer positioned as saved.

        Raises ``SnapshotError`` if the parts do not fit together.
        """
        network = self.network.copy()
        st = self.trainer_state
        try:
            trainer = Trainer(network, self.dataset, st["lr"], st["batch_size"], st["shuffle"], st["seed"])
            trainer.load_state_dict(st)
        except (ValueError, TypeError, KeyError) as exc:
            raise SnapshotError(f"trainer: {exc}") from None
        return network, trainer


# ================================================================== writing
def _nullable(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def encode_trace(trace: StepTrace) -> dict[str, Any]:
    """The ``last_update`` field."""
    fwd = trace.forward
    return {
        "lr": float(trace.lr),
        "inputs": floats(fwd.act[0]),
        "raw": [floats(a) for a in fwd.raw[1:]],
        "activations": [floats(a) for a in fwd.act[1:]],
        "probs": floats(fwd.probs),
        "targets": floats(trace.targets),
        "labels": None if trace.labels is None else [int(v) for v in trace.labels],
        "losses": floats(trace.losses),
        "loss": float(trace.loss),
        "deltas": [floats(a) for a in trace.deltas],
        "grad_weights": [floats(a) for a in trace.grad_weights],
        "grad_biases": [floats(a) for a in trace.grad_biases],
        "weights_before": [floats(a) for a in trace.weights_before],
        "biases_before": [floats(a) for a in trace.biases_before],
        "weights_after": [floats(a) for a in trace.weights_after],
        "biases_after": [floats(a) for a in trace.biases_after],
        **optimiser_state.encode_trace_extra(trace, tuple(a.shape[1] for a in fwd.act)),
    }


def to_document(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict (Python ints, floats, text, lists)."""
    st = snap.trainer_state
    rng = st["rng_state"]
    if rng.get("bit_generator") != "PCG64":
        raise ValueError(f"cannot save the random state of a {rng.get('bit_generator')} generator")
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "written_by": f"neuroviz {__version__}",
        "title": snap.title,
        "network": {
            **snap.network.config.to_dict(),
            "weights": [floats(w) for w in snap.network.weights],
            "biases": [floats(b) for b in snap.network.biases],
        },
        "dataset": encode_dataset(snap.dataset),
        "trainer": {
            "lr": float(st["lr"]),
            "batch_size": int(st["batch_size"]),
            "shuffle": bool(st["shuffle"]),
            "seed": int(st["seed"]),
            "epoch": int(st["epoch"]),
            "step": int(st["step"]),
            "order": [int(i) for i in st["order"]],
            "cursor": int(st["cursor"]),
            "rng": {
                "bit_generator": "PCG64",
                "state": hex(rng["state"]["state"]),
                "inc": hex(rng["state"]["inc"]),
                "has_uint32": int(rng["has_uint32"]),
                "uinteger": int(rng["uinteger"]),
            },
        },
        "optimizer": optimiser_state.encode_optimizer_of(st, snap.network.sizes),
        "history": {
            "steps": [int(s) for s in st["history_steps"]],
            "losses": [float(v) for v in st["history_values"]],
            "penalties": [float(v) for v in st.get("history_penalties") or [0.0] * len(st["history_values"])],
        },
        "epochs": [
            {
                "epoch": int(m["epoch"]),
                "step": int(m["step"]),
                **{k: _nullable(m[k]) for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")},
            }
            for m in st.get("epochs", [])
        ],
        "input": floats(snap.input),
        "target": int(snap.target),
        "last_update": None if snap.last_trace is None else encode_trace(snap.last_trace),
        **({} if snap.point is None else {"point": [float(snap.point[0]), float(snap.point[1])]}),
    }


def _dump(value: Any, level: int = 0) -> str:
    """JSON with objects indented and each innermost list of numbers on one line."""
    pad = "  " * (level + 1)
    end = "  " * level
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k)}: {_dump(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        return "[\n" + ",\n".join(pad + _dump(v, level + 1) for v in value) + "\n" + end + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(", ", ": "))


def dumps(snap: Snapshot) -> str:
    """The snapshot file's text."""
    return _dump(to_document(snap)) + "\n"


def encode(snap: Snapshot) -> bytes:
    """The snapshot file's bytes, only if ``load`` would open them again.

    The document is put through the reader's own checks (``from_document``)
    and its size through the file limit before anything is written, so the
    app never writes a file it would then refuse.  Raises ``SnapshotError``
    saying what is in the way.
    """
    doc = to_document(snap)
    try:
        from_document(doc)
    except SnapshotError as exc:
        raise SnapshotError(f"this state cannot be saved so that it opens again: {exc}") from None
    data = (_dump(doc) + "\n").encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(
            f"the snapshot would be {fixed(len(data) / 2**20, 0)} MB, over the {MAX_FILE_BYTES // 2**20} MB that Open "
            "accepts (the last update of a large mini-batch, an embedded data set or a long loss history is "
            "most of it: take a step on a smaller batch, or start a new network)")
    check_parse_memory(data)
    return data


def save(path: str | os.PathLike[str], snap: Snapshot) -> None:
    """Write ``snap`` to ``path`` atomically (the old file survives a failed write).

    Raises ``SnapshotError`` (nothing written) if the file would not open
    again (see ``encode``), ``OSError`` if it cannot be written.
    """
    atomic_write_bytes(path, encode(snap))


# ================================================================== reading
def read_network(d: Any, where: str = "network") -> Network:
    """The ``network`` field as a ``Network`` (config checked, parameter shapes from the sizes)."""
    d = obj(d, where)
    sizes_value = field(d, "sizes", where)
    if not isinstance(sizes_value, list) or not 2 <= len(sizes_value) <= MAX_LAYERS:
        raise fail(sub(where, "sizes"), f"expected a list of 2 to {MAX_LAYERS} layer sizes")
    sizes = [integer(s, sub(sub(where, "sizes"), i), 1, MAX_LAYER_SIZE) for i, s in enumerate(sizes_value)]
    n_params = parameter_count(sizes)
    if n_params > MAX_PARAMETERS:
        raise fail(sub(where, "sizes"), f"the network would have {count(n_params)} parameters; the limit is "
                   f"{count(MAX_PARAMETERS)}")
    config = NetworkConfig(
        sizes=tuple(sizes),
        hidden_activation=string(field(d, "hidden_activation", where), sub(where, "hidden_activation"), 40,
                                 HIDDEN_ACTIVATIONS),
        output_activation=string(field(d, "output_activation", where), sub(where, "output_activation"), 40,
                                 OUTPUT_ACTIVATIONS),
        loss=string(field(d, "loss", where), sub(where, "loss"), 40, LOSSES),
        init=string(field(d, "init", where), sub(where, "init"), 40, INITS),
        seed=integer(field(d, "seed", where), sub(where, "seed"), 0, MAX_SEED),
        hidden_activations=optimiser_state.read_hidden_activations(d, where, len(sizes) - 2),
    )
    weights, biases = read_parameters(d, where, sizes, "weights", "biases")
    return Network(config, weights, biases)


def _layer_list(d: dict[str, Any], key: str, where: str, n: int) -> list[Any]:
    value = field(d, key, where)
    if not isinstance(value, list) or len(value) != n:
        found = f"{len(value)} entries" if isinstance(value, list) else f"{type(value).__name__}"
        raise fail(sub(where, key), f"expected a list of {n} arrays, one per layer after the input; found {found}")
    return value


def read_parameters(
    d: dict[str, Any], where: str, sizes: list[int], w_key: str, b_key: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weight matrices (n_{l+1}, n_l) and bias vectors (n_{l+1},) under two keys of ``d``."""
    n = len(sizes) - 1
    w_list = _layer_list(d, w_key, where, n)
    b_list = _layer_list(d, b_key, where, n)
    weights = [float_array(w, sub(sub(where, w_key), l), (sizes[l + 1], sizes[l])) for l, w in enumerate(w_list)]
    biases = [float_array(b, sub(sub(where, b_key), l), (sizes[l + 1],)) for l, b in enumerate(b_list)]
    return weights, biases


def _read_rng(d: Any, where: str) -> dict[str, Any]:
    d = obj(d, where)
    string(field(d, "bit_generator", where), sub(where, "bit_generator"), 20, ("PCG64",))
    state = hex_integer(field(d, "state", where), sub(where, "state"), 128)
    inc = hex_integer(field(d, "inc", where), sub(where, "inc"), 128)
    if inc % 2 == 0:
        raise fail(sub(where, "inc"), "a PCG64 increment is always odd")
    return {
        "bit_generator": "PCG64",
        "state": {"state": state, "inc": inc},
        "has_uint32": integer(field(d, "has_uint32", where), sub(where, "has_uint32"), 0, 1),
        "uinteger": integer(field(d, "uinteger", where), sub(where, "uinteger"), 0, (1 << 32) - 1),
    }


def read_trainer_state(doc: dict[str, Any], dataset: Dataset, sizes: tuple[int, ...]) -> dict[str, Any]:
    """``trainer``, ``history`` and ``epochs`` as a ``Trainer.state_dict()``."""
    where = "trainer"
    d = obj(field(doc, "trainer", ""), where)
    n_train = len(dataset.train_indices)
    if n_train == 0:
        raise fail("dataset", "the data set has no training samples")
    try:
        lr = check_lr(number(field(d, "lr", where), sub(where, "lr")))
    except SnapshotError:
        raise
    except ValueError as exc:
        raise fail(sub(where, "lr"), str(exc)) from None
    order = int_array(field(d, "order", where), sub(where, "order"), (n_train,), 0, n_train - 1, limit=MAX_SAMPLES)
    if not np.array_equal(np.sort(order), np.arange(n_train)):
        raise fail(sub(where, "order"), f"is not an ordering of the {n_train} training samples")
    state: dict[str, Any] = {
        "lr": lr,
        "batch_size": integer(field(d, "batch_size", where), sub(where, "batch_size"), 1, n_train),
        "shuffle": boolean(field(d, "shuffle", where), sub(where, "shuffle")),
        "seed": integer(field(d, "seed", where), sub(where, "seed"), 0, MAX_SEED),
        "epoch": integer(field(d, "epoch", where), sub(where, "epoch"), 0, MAX_COUNT),
        "step": integer(field(d, "step", where), sub(where, "step"), 0, MAX_COUNT),
        "order": order.tolist(),
        "cursor": integer(field(d, "cursor", where), sub(where, "cursor"), 0, n_train - 1),
        "rng_state": _read_rng(field(d, "rng", where), sub(where, "rng")),
    }
    h = obj(field(doc, "history", ""), "history")
    steps = int_array(field(h, "steps", "history"), "history.steps", (None,), 0, MAX_COUNT, limit=MAX_HISTORY)
    losses = float_array(field(h, "losses", "history"), "history.losses", (len(steps),), limit=MAX_HISTORY)
    state["history_steps"] = steps.tolist()
    state["history_values"] = losses.tolist()
    state["history_penalties"] = optimiser_state.read_penalties(h, len(steps)) or [0.0] * len(steps)
    if doc.get("optimizer") is not None:
        state["optimizer"] = optimiser_state.read_optimizer(doc["optimizer"], sizes)
    epochs_value = field(doc, "epochs", "")
    if not isinstance(epochs_value, list) or len(epochs_value) > MAX_EPOCHS:
        raise fail("epochs", f"expected a list of at most {MAX_EPOCHS} epoch records")
    epochs = []
    for i, e in enumerate(epochs_value):
        at = sub("epochs", i)
        e = obj(e, at)
        record: dict[str, Any] = {
            "epoch": integer(field(e, "epoch", at), sub(at, "epoch"), 0, MAX_COUNT),
            "step": integer(field(e, "step", at), sub(at, "step"), 0, MAX_COUNT),
        }
        for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            record[key] = optional_number(field(e, key, at), sub(at, key))
        epochs.append(record)
    state["epochs"] = epochs
    return state


def read_trace(d: Any, sizes: tuple[int, ...], where: str = "last_update") -> StepTrace:
    """The ``last_update`` field as a ``StepTrace`` for a network of ``sizes``."""
    d = obj(d, where)
    inputs = float_array(field(d, "inputs", where), sub(where, "inputs"), (None, sizes[0]), limit=MAX_SAMPLES)
    batch = inputs.shape[0]
    if batch == 0:
        raise fail(sub(where, "inputs"), "an update needs at least one sample")
    n = len(sizes) - 1

    def per_layer(key: str, offset: int) -> list[np.ndarray]:
        values = _layer_list(d, key, where, n)
        return [float_array(v, sub(sub(where, key), l), (batch, sizes[l + offset])) for l, v in enumerate(values)]

    raw = per_layer("raw", 1)
    acts = per_layer("activations", 1)
    deltas = per_layer("deltas", 1)
    n_out = sizes[-1]
    probs = float_array(field(d, "probs", where), sub(where, "probs"), (batch, n_out))
    targets = float_array(field(d, "targets", where), sub(where, "targets"), (batch, n_out))
    labels_value = field(d, "labels", where)
    labels = None if labels_value is None else int_array(labels_value, sub(where, "labels"), (batch,), 0, n_out - 1)
    losses = float_array(field(d, "losses", where), sub(where, "losses"), (batch,))
    sizes_list = list(sizes)
    grad_w, grad_b = read_parameters(d, where, sizes_list, "grad_weights", "grad_biases")
    w_before, b_before = read_parameters(d, where, sizes_list, "weights_before", "biases_before")
    w_after, b_after = read_parameters(d, where, sizes_list, "weights_after", "biases_after")
    lr = number(field(d, "lr", where), sub(where, "lr"))
    if lr <= 0:
        raise fail(sub(where, "lr"), "the learning rate must be above 0")
    return StepTrace(
        forward=ForwardTrace(frozen_list([inputs, *raw]), frozen_list([inputs, *acts]), frozen(probs)),
        targets=frozen(targets),
        labels=None if labels is None else frozen(labels),
        losses=frozen(losses),
        loss=number(field(d, "loss", where), sub(where, "loss")),
        deltas=frozen_list(deltas),
        grad_weights=frozen_list(grad_w),
        grad_biases=frozen_list(grad_b),
        weights_before=frozen_list(w_before),
        biases_before=frozen_list(b_before),
        weights_after=frozen_list(w_after),
        biases_after=frozen_list(b_after),
        lr=lr,
    )


def read_full_trace(d: Any, sizes: tuple[int, ...], where: str = "last_update") -> StepTrace:
    """A ``last_update``-like field with its version 2 additions as a ``StepTrace``."""
    return optimiser_state.read_trace_extra(read_trace(d, sizes, where), d, sizes, where)


def from_document(doc: Any, newest: int = FORMAT_VERSION) -> Snapshot:
    """Check a parsed snapshot document and build a ``Snapshot``; ``SnapshotError`` if anything is wrong.

    ``newest`` is the newest version accepted: a plain JSON file is at most version 2; the
    ``snapshot.json`` of a session archive (``neuroviz.io.session``) is version 3, its timeline read apart.
    """
    doc = obj(doc, "the file")
    name = field(doc, "format", "")
    if name != FORMAT_NAME:
        raise fail("format", f"this is not a neuroviz snapshot (expected {FORMAT_NAME!r}; found {str(name)[:40]!r})")
    version = integer(field(doc, "version", ""), "version", 1)
    if version > newest:
        if version == 3:
            raise fail("version", "a version 3 snapshot is a session archive (.nvz); this is its snapshot.json alone")
        raise fail(
            "version",
            f"the file has format version {version}, newer than this program reads (3); "
            "open it with a newer neuroviz",
        )
    title = string(field(doc, "title", ""), "title", MAX_TEXT)
    network = read_network(field(doc, "network", ""))
    dataset = read_dataset(field(doc, "dataset", ""))
    h, w = dataset.image_shape
    if h * w != network.config.n_inputs:
        raise fail("dataset", f"its {h}×{w} images do not fit the network's {network.config.n_inputs} inputs")
    if dataset.n_classes != network.config.n_outputs:
        raise fail("dataset", f"it has {dataset.n_classes} classes; the network has {network.config.n_outputs} outputs")
    trainer_state = read_trainer_state(doc, dataset, network.sizes)
    x = float_array(field(doc, "input", ""), "input", (network.config.n_inputs,))
    point = None
    if dataset.plane is None and ((x < 0) | (x > 1)).any():
        raise fail("input", "pixel values must lie in [0, 1]")
    if dataset.plane is not None and doc.get("point") is not None:
        p = float_array(doc["point"], "point", (2,))
        point = (float(p[0]), float(p[1]))
    target = integer(field(doc, "target", ""), "target", 0, network.config.n_outputs - 1)
    trace_value = field(doc, "last_update", "")
    trace = None if trace_value is None else read_full_trace(trace_value, network.sizes)
    snap = Snapshot(network, dataset, trainer_state, x, target, trace, title, point)
    snap.build()  # the parts must fit together (raises SnapshotError)
    return snap


def loads(data: bytes | str) -> Snapshot:
    """Parse and check a snapshot file's contents (size and structure first, then every field)."""
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(f"the file is larger than the limit of {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return from_document(parse_json(data))


def load(path: str | os.PathLike[str]) -> Snapshot:
    """Read and check the snapshot at ``path``.

    Only a regular file of at most ``MAX_FILE_BYTES`` is read (not a pipe,
    device or folder).  Raises ``SnapshotError`` for a file that cannot be
    read or is not a valid snapshot, with a message naming the problem.
    """
    return loads(read_bounded(path, MAX_FILE_BYTES, SnapshotError))


__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "Snapshot",
    "SnapshotError",
    "dumps",
    "encode",
    "from_document",
    "load",
    "loads",
    "save",
    "to_document",
]
