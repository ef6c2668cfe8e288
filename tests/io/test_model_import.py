"""Bring your own model: ONNX MLPs and neuroviz .npz parameters import as networks; anything else is refused."""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.io.export import export_parameters_npz
from neuroviz.io.model_import import ModelImportError, import_model, read_onnx

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from neuroviz.io.onnx_export import onnx_bytes  # noqa: E402


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


@pytest.mark.parametrize(("hidden", "output", "loss"), [
    ("relu", "none", "cross_entropy"), ("tanh", "sigmoid", "squared_error"), ("leaky_relu", "relu", "cross_entropy"),
    ("sigmoid", "none", "squared_error"), ("identity", "none", "cross_entropy"),
])
def test_the_exporters_files_import_back_equal(hidden, output, loss):
    net = Network(NetworkConfig(sizes=(6, 5, 4, 3), hidden_activation=hidden, output_activation=output, loss=loss))
    back = read_onnx(onnx_bytes(net))
    assert (back.sizes, back.config.hidden_activation, back.config.output_activation, back.config.loss) == (
        net.sizes, hidden, output, loss)
    for mine, theirs in zip(net.weights + net.biases, back.weights + back.biases):
        assert np.array_equal(f32(mine), theirs)  # the file holds float32


def test_npz_parameters_import_back_exactly(tmp_path):
    net = Network(NetworkConfig(sizes=(64, 16, 16, 10), hidden_activation="tanh", seed=4))
    export_parameters_npz(tmp_path / "p.npz", net)
    back = import_model(tmp_path / "p.npz").network
    assert back.config == net.config
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, back.weights + back.biases))


def layer_by_matmul(x, w, b, i):
    """MatMul (input × Wᵀ stored as (n_in, n_out)) + Add, as other tools write a dense layer."""
    return ([helper.make_node("MatMul", [x, f"W{i}"], [f"m{i}"], name=f"dense{i}/MatMul"),
             helper.make_node("Add", [f"m{i}", f"B{i}"], [f"z{i}"], name=f"dense{i}/Add")],
            [numpy_helper.from_array(w.T.astype(np.float32), f"W{i}"),
             numpy_helper.from_array(b.astype(np.float32), f"B{i}")])


def matmul_model(weights, biases, activation="Relu", softmax=True, opset=13, extra=None):
    nodes, inits, h = [], [], "input"
    for i, (w, b) in enumerate(zip(weights, biases)):
        n, t = layer_by_matmul(h, w, b, i)
        nodes += n
        inits += t
        h = f"z{i}"
        if i < len(weights) - 1:
            nodes.append(helper.make_node(activation, [h], [f"h{i}"], name=f"act{i}"))
            h = f"h{i}"
    if extra is not None:
        nodes.append(helper.make_node(extra, [h], ["e"], name="odd"))
        h = "e"
    if softmax:
        nodes.append(helper.make_node("Softmax", [h], ["probs"], name="softmax", axis=-1))
        h = "probs"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 4])],
                              [helper.make_tensor_value_info(h, TensorProto.FLOAT, [None, 3])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_a_model_made_elsewhere_with_matmul_and_add_computes_what_onnxruntime_computes():
    rng = np.random.default_rng(0)
    ws = [rng.normal(size=(5, 4)), rng.normal(size=(3, 5))]
    bs = [rng.normal(size=5), rng.normal(size=3)]
    model = matmul_model(ws, bs, "Tanh")
    net = read_onnx(model.SerializeToString(), "other.onnx")
    assert net.sizes == (4, 5, 3) and net.config.hidden_activation == "tanh" and net.config.loss == "cross_entropy"
    x = rng.random((6, 4))
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    theirs = session.run(None, {"input": x.astype(np.float32)})[0]
    np.testing.assert_allclose(net.forward(f32(x)).probs, theirs, atol=1e-6)


@pytest.mark.parametrize(("change", "message"), [
    (dict(extra="Conv"), "node Conv (odd) is not supported"),
    (dict(extra="Dropout"), "node Dropout (odd) is not supported"),
    (dict(opset=3), "opset 3 is not supported"),
    (dict(activation="Elu"), "node Elu (act0) is not supported"),
])
def test_unsupported_graphs_are_refused_naming_the_node(change, message):
    rng = np.random.default_rng(1)
    model = matmul_model([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)], **change)
    with pytest.raises(ModelImportError, match=re.escape(message)):
        read_onnx(model.SerializeToString(), "m.onnx")


def test_hidden_layers_with_different_activations_are_refused():
    rng = np.random.default_rng(2)
    model = matmul_model([rng.normal(size=(5, 4)), rng.normal(size=(5, 5)), rng.normal(size=(3, 5))],
                         [np.zeros(5)] * 2 + [np.zeros(3)])
    model.graph.node[5].op_type = "Sigmoid"  # the second hidden activation
    with pytest.raises(ModelImportError, match="different activations"):
        read_onnx(model.SerializeToString(), "m.onnx")


def test_truncated_garbage_and_empty_files_get_a_clear_error(tmp_path):
    data = onnx_bytes(Network(NetworkConfig(sizes=(4, 3, 2))))
    for i, bad in enumerate((data[: len(data) // 2], b"\x00" * 100, b"not a model at all", b"")):
        path = tmp_path / f"bad{i}.onnx"
        path.write_bytes(bad)
        with pytest.raises(ModelImportError, match=f"bad{i}.onnx"):
            import_model(path)


def test_a_huge_declared_tensor_is_refused_before_it_is_read():
    rng = np.random.default_rng(3)
    model = matmul_model([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)])
    big = model.graph.initializer[0]
    del big.dims[:]
    big.dims.extend([100_000, 100_000])  # declares 10¹⁰ floats, holds 20
    tracemalloc.start()
    with pytest.raises(ModelImportError, match="too large"):
        read_onnx(model.SerializeToString(), "m.onnx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 16 * 2**20


def test_weights_stored_outside_the_file_or_computed_are_refused():
    rng = np.random.default_rng(4)
    model = matmul_model([rng.normal(size=(5, 4)), rng.normal(size=(3, 5))], [np.zeros(5), np.zeros(3)])
    model.graph.initializer[0].data_location = TensorProto.EXTERNAL
    with pytest.raises(ModelImportError, match="stored outside the file"):
        read_onnx(model.SerializeToString(), "m.onnx")


def test_the_import_command_writes_a_snapshot_that_opens_and_steps(tmp_path):
    net = Network(NetworkConfig(sizes=(4, 3, 2), hidden_activation="sigmoid"))
    (tmp_path / "m.onnx").write_bytes(onnx_bytes(net))
    done = subprocess.run([sys.executable, "-m", "neuroviz", "import", "m.onnx", "--save", "m.nvz.json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "4-3-2 network (sigmoid hidden" in done.stdout
    from neuroviz.io import snapshot
    from neuroviz.model import AppModel

    model = AppModel()
    model.restore(snapshot.load(tmp_path / "m.nvz.json"))
    assert model.network.sizes == (4, 3, 2) and model.step() is not None
    bad = subprocess.run([sys.executable, "-m", "neuroviz", "import", "m.nvz.json", "--save", "x.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "an .onnx file or a neuroviz .npz" in bad.stderr
