"""The exported notebook recomputes the app's update with plain NumPy, to 1e-12."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.presets import paper_figure_4
from neuroviz.io.notebook import export_notebook, notebook_bytes, update_to_show

nbformat = pytest.importorskip("nbformat")


def run_code_cells(data: bytes) -> dict:
    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "<cell>", "exec"), namespace)
    return namespace


def assert_same_numbers(ns: dict, trace) -> None:
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)  # noqa: E731
    close(ns["p"], trace.probs)
    close(ns["L"], trace.loss)
    for l in range(len(trace.weights_before)):
        close(ns["delta"][l + 1], trace.deltas[l])
        close(ns["grad_theta"][l], trace.grad_weights[l])
        close(ns["grad_beta"][l], trace.grad_biases[l])
        close(ns["theta_new"][l], trace.weights_after[l])
        close(ns["beta_new"][l], trace.biases_after[l])


def test_figure_4_notebook_reproduces_the_papers_update():
    preset = paper_figure_4()
    trace = preset.network.copy().step(preset.inputs[None, :], np.array([preset.label]), preset.lr)
    ns = run_code_cells(notebook_bytes(preset.network, trace, "Figure 4"))
    assert_same_numbers(ns, trace)
    assert "neuroviz" not in "".join(c for c in ns if not c.startswith("__"))


@pytest.mark.parametrize(("hidden", "output", "loss"), [
    ("relu", "none", "cross_entropy"), ("sigmoid", "sigmoid", "squared_error"),
    ("tanh", "relu", "cross_entropy"), ("leaky_relu", "none", "squared_error"), ("identity", "none", "cross_entropy"),
])
def test_a_mini_batch_update_of_every_option_is_reproduced(hidden, output, loss):
    net = Network(NetworkConfig(sizes=(6, 5, 4, 3), hidden_activation=hidden, output_activation=output, loss=loss,
                                init="xavier", seed=3))
    rng = np.random.default_rng(1)
    x, labels = rng.random((8, 6)), rng.integers(0, 3, 8)
    trace = net.copy().step(x, labels, 0.05)
    assert_same_numbers(run_code_cells(notebook_bytes(net, trace)), trace)


def test_without_an_update_the_drawings_update_is_shown():
    net = Network(NetworkConfig(sizes=(4, 3, 2)))
    trace = update_to_show(net, None, np.array([0.1, 0.5, 0.9, 1.0]), 1, 0.01)
    assert trace.inputs.shape == (1, 4) and int(trace.labels[0]) == 1
    assert_same_numbers(run_code_cells(notebook_bytes(net, trace)), trace)


def test_the_notebook_is_valid_runs_without_neuroviz_and_prints_each_phase(tmp_path):
    preset = paper_figure_4()
    trace = preset.network.copy().step(preset.inputs[None, :], np.array([preset.label]), preset.lr)
    path = tmp_path / "fig4.ipynb"
    export_notebook(path, preset.network, trace, "Figure 4")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells][:2] == ["markdown", "code"]
    assert any("δ recursion" in c.source for c in nb.cells if c.cell_type == "markdown")
    script = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    script = "import sys\nsys.modules['neuroviz'] = None\n" + script  # importing neuroviz would fail
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "L =\n0.5108" in done.stdout and "new theta^ba =" in done.stdout
    assert json.loads(path.read_text())["nbformat"] == 4


def test_export_notebook_command_writes_the_snapshots_last_update(tmp_path, monkeypatch, capsys):
    from neuroviz import cli
    from neuroviz.io import snapshot
    from neuroviz.model import AppModel

    model = AppModel("circles-squares")
    for _ in range(3):
        model.step()
    snapshot.save(tmp_path / "s.nvz.json", model.snapshot_state())
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "s.nvz.json", "--notebook", "s.ipynb"]) == 0
    assert "wrote s.ipynb" in capsys.readouterr().out
    ns = run_code_cells((tmp_path / "s.ipynb").read_bytes())
    assert_same_numbers(ns, model.last_trace)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_the_pytorch_cell_agrees_when_pytorch_is_installed(loss, capsys):
    pytest.importorskip("torch")
    net = Network(NetworkConfig(sizes=(5, 4, 3), hidden_activation="tanh", output_activation="sigmoid", loss=loss))
    trace = net.copy().step(np.random.default_rng(0).random((4, 5)), np.array([0, 1, 2, 1]), 0.1)
    run_code_cells(notebook_bytes(net, trace))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("PyTorch loss")
    assert float(last.rsplit(" ", 1)[1]) < 1e-12


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_an_update_of_every_optimiser_with_penalties_is_reproduced(optimizer):
    from neuroviz.model import AppModel

    model = AppModel("circles-squares")
    model.set_batch_size(4)
    model.set_optimizer(optimizer)
    model.set_penalty(l1=0.001, l2=0.01)
    model.set_schedule("exponential", gamma=0.9)
    for _ in range(3):  # the optimiser's state is not zero any more
        model.step()
    trace = model.last_trace
    assert trace.optimizer.state.t == 2 and trace.penalty > 0
    assert_same_numbers(run_code_cells(notebook_bytes(model.network, trace)), trace)
