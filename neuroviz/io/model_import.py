"""Bring your own model: an ONNX multi-layer perceptron, or a neuroviz ``.npz`` of parameters, as a ``Network``.

ONNX (the optional extra ``neuroviz[onnx]``): the graph must be a chain from
its one input to its one output of, per layer, a ``Gemm`` (``alpha = beta =
1``, ``transA = 0``, any ``transB``) or a ``MatMul`` followed by an ``Add``
of a bias, then optionally one activation (``Relu``, ``LeakyRelu`` with
α = 0.01, ``Sigmoid``, ``Tanh``; ``Identity`` nodes are skipped), and at the end optionally a
``Softmax`` over the classes.  With the softmax the network is trained with
cross-entropy; without it, with the squared error (the exporter's two forms,
``neuroviz.io.onnx_export``).  Weights and biases must be initializers held
in the file.  Any other node is refused with a message naming it.

``.npz``: the archive ``neuroviz.io.export.parameters_npz_bytes`` writes
(``weights_l``, ``biases_l``, ``sizes``, ``config``).

Either way the sizes are checked against the limits before any tensor is
converted, and the result goes through the snapshot reader's own checks
(finite values, shapes, options), so an imported network is one neuroviz
could have saved.  The only exception raised is ``ModelImportError``.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neuroviz.core.activations import LEAKY_SLOPE
from neuroviz.core.datasets import dataset_for
from neuroviz.core.network import DEFAULT_LR, Network
from neuroviz.core.numbers import count
from neuroviz.core.trainer import DEFAULT_BATCH_SIZE, Trainer
from neuroviz.io.dataset_import import check_zip_directory, read_member
from neuroviz.io.import_errors import DatasetImportError, import_guard
from neuroviz.io.limits import MAX_LAYER_SIZE, MAX_LAYERS, MAX_MODEL_FILE_BYTES, MAX_PARAMETERS, parameter_count
from neuroviz.io.regular_file import open_regular, read_bounded
from neuroviz.io.snapshot import Snapshot, read_network
from neuroviz.io.validate import SnapshotError

MODEL_SUFFIXES = (".onnx", ".npz")
OPSETS = range(7, 23)
"""ONNX default-domain opset versions whose Gemm, MatMul, Add and activations mean what is read here."""
ACTIVATION_OPS = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}
"""ONNX activations and neuroviz's names; an ``Identity`` node passes its input on and is skipped."""


class ModelImportError(DatasetImportError):
    """A model file could not be imported; the message names the file and the problem."""


@dataclass(frozen=True)
class ImportedModel:
    """The network read from a model file, and a title for it."""

    network: Network
    title: str

    def snapshot(self) -> Snapshot:
        """A snapshot that opens the network untrained, on a data set it fits (``datasets.dataset_for``)."""
        net = self.network
        dataset = dataset_for(net.sizes[0], net.sizes[-1])
        trainer = Trainer(net, dataset, DEFAULT_LR, min(DEFAULT_BATCH_SIZE, len(dataset.train_indices)))
        return Snapshot(net.copy(), dataset, trainer.state_dict(), np.array(dataset.X[0], dtype=np.float64),
                        int(dataset.y[0]), None, self.title)


def import_model(path: str | os.PathLike[str]) -> ImportedModel:
    """Read an ``.onnx`` or a neuroviz ``.npz`` parameters file as a network (``ModelImportError`` if it can't)."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".onnx":
        return ImportedModel(read_onnx(read_bounded(file, MAX_MODEL_FILE_BYTES, ModelImportError), file.name),
                             file.stem)
    if suffix == ".npz":
        return ImportedModel(read_parameters_npz(file), file.stem)
    raise ModelImportError(f"{file.name}: a model is an .onnx file or a neuroviz .npz of parameters")


def _build(layers: list[tuple[np.ndarray, np.ndarray, str]], loss: str, name: str) -> Network:
    """The network of ``layers`` ((θ (n_{l+1}, n_l), β (n_{l+1},), activation) each), checked as a snapshot is."""
    hidden = {act for _, _, act in layers[:-1]}
    if len(hidden) > 1:
        raise ModelImportError(f"{name}: the hidden layers use different activations ({', '.join(sorted(hidden))}); "
                               "neuroviz gives every hidden layer the same one")
    output = {"identity": "none"}.get(layers[-1][2], layers[-1][2])
    sizes = [int(layers[0][0].shape[1])] + [int(w.shape[0]) for w, _, _ in layers]
    doc = {"sizes": sizes, "hidden_activation": hidden.pop() if hidden else "relu", "output_activation": output,
           "loss": loss, "init": "he", "seed": 0,
           "weights": [w.tolist() for w, _, _ in layers], "biases": [b.tolist() for _, b, _ in layers]}
    try:
        return read_network(doc, name)
    except SnapshotError as exc:
        raise ModelImportError(str(exc)) from None


def _check_sizes(sizes: list[int], name: str) -> None:
    if len(sizes) > MAX_LAYERS:
        raise ModelImportError(f"{name}: {len(sizes)} layers; at most {MAX_LAYERS} are supported")
    if max(sizes) > MAX_LAYER_SIZE:
        raise ModelImportError(f"{name}: a layer of {count(max(sizes))} neurons; the limit is {count(MAX_LAYER_SIZE)}")
    n_params = parameter_count(sizes)
    if n_params > MAX_PARAMETERS:
        raise ModelImportError(f"{name}: {count(n_params)} parameters; the limit is {count(MAX_PARAMETERS)}")


# ------------------------------------------------------------------ ONNX
def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ModelImportError("importing ONNX models needs the optional extra: pip install 'neuroviz[onnx]'") from None
    return onnx


def read_onnx(data: bytes, name: str = "model.onnx") -> Network:
    """The network an ONNX model's bytes describe (see the module docstring)."""
    onnx = _onnx()
    try:
        model = onnx.ModelProto()
        model.ParseFromString(data)
    except Exception:  # protobuf's DecodeError and friends: the file is not an ONNX model
        raise ModelImportError(f"{name} is not a readable ONNX model (damaged or truncated)") from None
    graph = model.graph
    if not graph.node:
        raise ModelImportError(f"{name} is not a readable ONNX model (it has no graph)")
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset not in OPSETS:
        raise ModelImportError(f"{name}: ONNX opset {opset} is not supported (opsets {OPSETS[0]}–{OPSETS[-1]})")
    inits = {t.name: t for t in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in inits]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ModelImportError(f"{name}: an MLP has one input and one output; this graph has {len(inputs)} "
                               f"and {len(graph.output)}")
    return _walk(graph.node, inputs[0], graph.output[0].name, inits, onnx, name)


def _tensor(inits: dict[str, Any], key: str, onnx: Any, name: str, node: str) -> np.ndarray:
    """The initializer ``key`` as float64, its declared size checked before it is read."""
    if key not in inits:
        raise ModelImportError(f"{name}: node {node} takes {key!r}, which is not a weight held in the file "
                               "(only constant weights and biases are supported)")
    t = inits[key]
    if t.data_location == onnx.TensorProto.EXTERNAL:
        raise ModelImportError(f"{name}: tensor {key!r} is stored outside the file; save the model with its weights")
    dims = [int(d) for d in t.dims]
    if len(dims) > 2 or any(d < 0 or d > MAX_LAYER_SIZE for d in dims) or math.prod(dims) > MAX_PARAMETERS:
        raise ModelImportError(f"{name}: tensor {key!r} has shape {tuple(dims)}; too large for an MLP's layer")
    if t.data_type not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16):
        raise ModelImportError(f"{name}: tensor {key!r} is not floating point")
    with import_guard(name, "ONNX tensor"):
        arr = np.asarray(onnx.numpy_helper.to_array(t), dtype=np.float64)
    if arr.shape != tuple(dims):
        raise ModelImportError(f"{name}: tensor {key!r} is damaged (its data do not match its shape)")
    return arr


def _attrs(node: Any, onnx: Any) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _walk(nodes: Any, start: str, end: str, inits: dict[str, Any], onnx: Any, name: str) -> Network:
    layers: list[tuple[np.ndarray, np.ndarray, str]] = []
    h, loss, pending = start, "squared_error", None  # pending: a MatMul's θ waiting for its Add
    for node in nodes:
        op, label = node.op_type, f"{node.op_type} ({node.name or 'unnamed'})"
        if loss == "cross_entropy":
            raise ModelImportError(f"{name}: {label} comes after the Softmax; the Softmax must be last")
        data_in = [i for i in node.input if i not in inits]
        if data_in != [h]:
            raise ModelImportError(f"{name}: {label} does not continue the chain from the input (an MLP is one "
                                   "layer after another)")
        attrs = _attrs(node, onnx)
        if pending is not None and op != "Add":
            raise ModelImportError(f"{name}: the MatMul before {label} needs an Add of its bias")
        if op == "Gemm":
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                raise ModelImportError(f"{name}: {label} scales or transposes its input; only y = x·θᵀ + β is read")
            w = _tensor(inits, node.input[1], onnx, name, label)
            w = w if attrs.get("transB", 0) else w.T
            b = _tensor(inits, node.input[2], onnx, name, label) if len(node.input) > 2 and node.input[2] else (
                np.zeros(w.shape[0]))
            layers.append((w, b.reshape(-1), "identity"))
        elif op == "Identity" and pending is None:
            pass
        elif op == "MatMul":
            pending = _tensor(inits, node.input[1], onnx, name, label).T
        elif op == "Add" and pending is not None:
            bias_name = next(i for i in node.input if i in inits) if any(i in inits for i in node.input) else ""
            layers.append((pending, _tensor(inits, bias_name, onnx, name, label).reshape(-1), "identity"))
            pending = None
        elif op in ACTIVATION_OPS and layers and layers[-1][2] == "identity" and h == node.input[0]:
            if op == "LeakyRelu" and not math.isclose(attrs.get("alpha", 0.01), LEAKY_SLOPE, rel_tol=1e-6):
                raise ModelImportError(f"{name}: {label} has slope {attrs['alpha']}; neuroviz's leaky ReLU has "
                                       f"{LEAKY_SLOPE}")
            w, b, _ = layers[-1]
            layers[-1] = (w, b, ACTIVATION_OPS[op])
        elif op == "Softmax" and layers and attrs.get("axis", -1) in (1, -1):
            loss = "cross_entropy"
        else:
            raise ModelImportError(f"{name}: node {label} is not supported (an MLP of Gemm, or MatMul + Add, with "
                                   "Relu, LeakyRelu, Sigmoid, Tanh or none between, and an optional final Softmax)")
        h = node.output[0]
        if layers:
            _check_chain(layers, name)
    if pending is not None or not layers:
        raise ModelImportError(f"{name}: the graph holds no complete layer")
    if h != end:
        raise ModelImportError(f"{name}: the last node's output is not the graph's output")
    if layers[-1][2] in ("tanh", "leaky_relu"):
        raise ModelImportError(f"{name}: an output layer with {layers[-1][2]} is not offered (none, ReLU or sigmoid)")
    return _build(layers, loss, name)


def _check_chain(layers: list[tuple[np.ndarray, np.ndarray, str]], name: str) -> None:
    w, b, _ = layers[-1]
    if w.ndim != 2 or b.shape != (w.shape[0],):
        raise ModelImportError(f"{name}: layer {len(layers)} has weights {w.shape} and bias {b.shape}, "
                               "which do not fit")
    if len(layers) > 1 and layers[-2][0].shape[0] != w.shape[1]:
        raise ModelImportError(f"{name}: layer {len(layers)} takes {w.shape[1]} inputs but the layer before gives "
                               f"{layers[-2][0].shape[0]}")
    _check_sizes([int(layers[0][0].shape[1])] + [int(x.shape[0]) for x, _, _ in layers], name)


# ------------------------------------------------------------------ .npz
def read_parameters_npz(path: str | os.PathLike[str]) -> Network:
    """The network of a neuroviz ``.npz`` of parameters (``neuroviz.io.export.parameters_npz_bytes``)."""
    file = Path(path)
    name = file.name
    try:
        fh, size = open_regular(file, MAX_MODEL_FILE_BYTES, ModelImportError)
        with fh, import_guard(name, "npz archive"):
            check_zip_directory(fh, size, name)
            with zipfile.ZipFile(fh) as zf:
                members = {info.filename: info for info in zf.infolist()}
                if "X.npy" in members and "sizes.npy" not in members:
                    raise ModelImportError(f"{name} holds a data set (X and y), not a network: import it in the "
                                           "Data panel")
                for key in ("sizes.npy", "config.npy", "weights_0.npy"):
                    if key not in members:
                        raise ModelImportError(f"{name} is not a neuroviz parameters file (it has no {key[:-4]!r})")
                sizes = read_member(zf, members["sizes.npy"], name, "sizes", lambda s: _vector(s, MAX_LAYERS, name))
                sizes_list = [int(s) for s in sizes]
                if len(sizes_list) < 2 or min(sizes_list) < 1:
                    raise ModelImportError(f"{name}: sizes {sizes_list} do not describe a network")
                _check_sizes(sizes_list, name)
                text = read_member(zf, members["config.npy"], name, "config", lambda s: _scalar(s, name), "U")
                config = json.loads(str(text[()]))
                arrays = [[read_member(zf, members[f"{kind}_{l}.npy"], name, f"{kind}_{l}", _count(shape, name))
                           for l, shape in enumerate(_shapes(sizes_list, kind))]
                          for kind in ("weights", "biases")]
    except ModelImportError:
        raise
    except DatasetImportError as exc:
        raise ModelImportError(str(exc)) from None
    except KeyError as exc:
        raise ModelImportError(f"{name} lacks the array {exc}") from None
    if not isinstance(config, dict):
        raise ModelImportError(f"{name}: its config is not a set of options")
    layers = [(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64), "") for w, b in zip(*arrays)]
    doc = {**config, "sizes": sizes_list, "weights": [w.tolist() for w, _, _ in layers],
           "biases": [b.tolist() for _, b, _ in layers]}
    try:
        return read_network(doc, name)
    except SnapshotError as exc:
        raise ModelImportError(str(exc)) from None


def _shapes(sizes: list[int], kind: str) -> list[tuple[int, ...]]:
    pairs = list(itertools.pairwise(sizes))
    return [(m, n) for n, m in pairs] if kind == "weights" else [(m,) for _, m in pairs]


def _vector(shape: tuple[int, ...], most: int, name: str) -> None:
    if len(shape) != 1 or shape[0] > most:
        raise ModelImportError(f"{name}: 'sizes' has shape {shape}")


def _scalar(shape: tuple[int, ...], name: str) -> None:
    if shape != ():
        raise ModelImportError(f"{name}: 'config' has shape {shape}; expected the options as one text")


def _count(want: tuple[int, ...], name: str) -> Callable[[tuple[int, ...]], None]:
    """A member check: the array's declared shape must be ``want`` (read from the sizes)."""

    def check(shape: tuple[int, ...]) -> None:
        if tuple(shape) != want:
            raise ModelImportError(f"{name}: an array has shape {shape}; the sizes give {want}")

    return check
