"""ONNX export: onnxruntime computes the app's probabilities (when the extra is installed)."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.io import onnx_export

onnx = pytest.importorskip("onnx", reason="the neuroviz[onnx] extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the neuroviz[onnx] extra is not installed")

CONFIGS = [
    NetworkConfig(sizes=(64, 16, 16, 2), hidden_activation="relu", output_activation="none", seed=1),
    NetworkConfig(sizes=(10, 7, 3), hidden_activation="leaky_relu", output_activation="relu", seed=2),
    NetworkConfig(sizes=(10, 6, 5, 4), hidden_activation="tanh", output_activation="sigmoid", seed=3),
    NetworkConfig(sizes=(10, 6, 4), hidden_activation="sigmoid", output_activation="none",
                  loss="squared_error", seed=4),
    NetworkConfig(sizes=(10, 5, 3), hidden_activation="identity", output_activation="none", seed=5),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.hidden_activation}-{c.output_activation}-{c.loss}")
def test_onnxruntime_matches_the_apps_probabilities(tmp_path, config):
    network = Network(config)
    rng = np.random.default_rng(0)
    for b in network.biases:  # non-zero biases, so that a dropped bias would show
        b += rng.normal(0, 0.3, b.shape)
    path = tmp_path / "net.onnx"
    onnx_export.export_onnx(path, network)
    x = rng.uniform(0, 1, size=(9, config.sizes[0]))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = sess.run(None, {"a": x.astype(np.float32)})
    np.testing.assert_allclose(got, network.predict_proba(x), rtol=1e-5, atol=1e-6)


def test_model_declares_opset_ir_version_and_paper_names():
    network = Network(NetworkConfig(sizes=(4, 3, 2), output_activation="relu"))
    model = onnx.load_from_string(onnx_export.onnx_bytes(network))
    assert model.ir_version == onnx_export.IR_VERSION
    assert [(o.domain, o.version) for o in model.opset_import] == [("", onnx_export.OPSET)]
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm", "Relu", "Softmax"]
    assert [i.name for i in model.graph.input] == ["a"] and [o.name for o in model.graph.output] == ["p"]
    assert {t.name for t in model.graph.initializer} == {"theta_ba", "beta_b", "theta_cb", "beta_c"}
    onnx.checker.check_model(model, full_check=True)


def test_missing_extra_gives_the_install_command(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx":
            raise ImportError("No module named 'onnx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(onnx_export.OnnxUnavailableError, match=r"pip install 'neuroviz\[onnx\]'"):
        onnx_export.onnx_bytes(Network(NetworkConfig(sizes=(4, 2))))
