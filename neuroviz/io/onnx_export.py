"""The network as an ONNX model (the optional extra ``neuroviz[onnx]``).

Each layer becomes a ``Gemm`` (``raw = h θᵀ + β``, ``transB = 1``, so the
weights keep the paper's (n_{l+1}, n_l) orientation) followed by its
activation (``Relu``, ``LeakyRelu``, ``Sigmoid``, ``Tanh`` or ``Identity``;
the output layer's ``none`` adds no node), and, for the cross-entropy loss, a
``Softmax`` over the classes.  Tensors are float32 with a free batch axis:
input ``a`` (batch, n_0), output ``p`` (batch, n_L) — the probabilities — or
``o`` (the outputs) for the squared-error loss.  Intermediate tensors are
named after the paper's layers (``b_raw``, ``b``, ...).  The opset and IR
version are fixed (``OPSET``, ``IR_VERSION``) so that Netron and onnxruntime
open the file.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from neuroviz import __version__
from neuroviz.core.activations import LEAKY_SLOPE
from neuroviz.core.network import Network
from neuroviz.core.notation import layer_letter
from neuroviz.io.atomic import atomic_write_bytes

OPSET = 17
IR_VERSION = 8
INSTALL_HINT = "ONNX export needs the optional extra: pip install 'neuroviz[onnx]'"


class OnnxUnavailableError(ImportError):
    """The ``onnx`` package (the ``neuroviz[onnx]`` extra) is not installed."""


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise OnnxUnavailableError(INSTALL_HINT) from None
    return onnx


def output_name(network: Network) -> str:
    """``p`` (probabilities) for the cross-entropy loss, else ``o`` (outputs)."""
    return "p" if network.config.loss == "cross_entropy" else "o"


def onnx_model(network: Network) -> Any:
    """An ``onnx.ModelProto`` computing ``network.predict_proba`` in float32 (checked by ``onnx.checker``)."""
    onnx = _onnx()
    helper, tp = onnx.helper, onnx.TensorProto
    nodes: list[Any] = []
    inits: list[Any] = []
    h = "a"
    last = len(network.weights) - 1
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        letter = layer_letter(l + 1)
        w_name, b_name, raw = f"theta_{layer_letter(l + 1)}{layer_letter(l)}", f"beta_{letter}", f"{letter}_raw"
        inits.append(helper.make_tensor(w_name, tp.FLOAT, w.shape, w.astype(np.float32).ravel().tolist()))
        inits.append(helper.make_tensor(b_name, tp.FLOAT, b.shape, b.astype(np.float32).ravel().tolist()))
        nodes.append(helper.make_node("Gemm", [h, w_name, b_name], [raw], name=f"gemm_{letter}", transB=1))
        activation = network.config.activation_of(l + 1)
        if l == last and activation == "none":
            h = raw
            continue
        op = {"relu": "Relu", "leaky_relu": "LeakyRelu", "sigmoid": "Sigmoid", "tanh": "Tanh",
              "identity": "Identity"}[activation]
        attrs = {"alpha": LEAKY_SLOPE} if op == "LeakyRelu" else {}
        nodes.append(helper.make_node(op, [raw], [letter], name=f"{op.lower()}_{letter}", **attrs))
        h = letter
    out = output_name(network)
    if network.config.loss == "cross_entropy":
        nodes.append(helper.make_node("Softmax", [h], [out], name="softmax", axis=1))
    else:
        nodes.append(helper.make_node("Identity", [h], [out], name="outputs"))
    sizes = network.sizes
    graph = helper.make_graph(
        nodes,
        "neuroviz_" + "_".join(str(s) for s in sizes),
        [helper.make_tensor_value_info("a", tp.FLOAT, ["batch", sizes[0]])],
        [helper.make_tensor_value_info(out, tp.FLOAT, ["batch", sizes[-1]])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        producer_name="neuroviz",
        producer_version=__version__,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
    )
    model.doc_string = f"{'-'.join(str(s) for s in sizes)} network: {network.config.to_dict()}"
    onnx.checker.check_model(model)
    return model


def onnx_bytes(network: Network) -> bytes:
    """The serialised model."""
    return onnx_model(network).SerializeToString()


def export_onnx(path: str | os.PathLike[str], network: Network) -> None:
    """Write the network as an ONNX model to ``path`` atomically.

    Raises ``OnnxUnavailableError`` (with the install command) without the extra.
    """
    atomic_write_bytes(path, onnx_bytes(network))
