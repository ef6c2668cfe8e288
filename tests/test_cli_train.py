"""``neuroviz new`` and ``neuroviz step`` with optimisers, penalties and several steps (the headless contract)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neuroviz import cli
from neuroviz.core.datasets import builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.optimisers import Optimizer, OptimizerConfig, Penalty
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.trainer import Trainer
from neuroviz.io import snapshot


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_writes_a_snapshot_with_per_layer_activations(tmp_path, capsys):
    path = str(tmp_path / "n.nvz.json")
    code, _, err = run(capsys, "new", "--sizes", "64-5-4-2", "--activations", "relu,tanh", "--output", "sigmoid",
                         "--loss", "squared_error", "--init", "xavier", "--seed", "3", "--save", path)
    assert code == 0, err
    snap = snapshot.load(path)
    cfg = snap.network.config
    assert cfg == NetworkConfig(sizes=(64, 5, 4, 2), hidden_activations=("relu", "tanh"), output_activation="sigmoid",
                                loss="squared_error", init="xavier", seed=3)
    assert np.array_equal(snap.network.flat_params(), Network(cfg).flat_params())
    assert snap.dataset.name == "circles-squares" and snap.trainer_state["step"] == 0


def test_new_fits_the_paper_data_set_to_4_3_2(tmp_path, capsys):
    path = str(tmp_path / "p.nvz.json")
    assert run(capsys, "new", "--sizes", "4-3-2", "--save", path)[0] == 0
    assert snapshot.load(path).dataset.image_shape == (2, 2)


def test_new_takes_identity_as_the_output_of_no_activation(tmp_path, capsys):
    """The contract names the output ``none|relu|sigmoid|identity``: identity is a = z, the same as none."""
    path = str(tmp_path / "r.nvz.json")
    code, _, err = run(capsys, "new", "--dataset", "multi-gauss", "--output", "identity", "--save", path)
    assert code == 0, err
    cfg = snapshot.load(path).network.config
    assert cfg.output_activation == "none" and cfg.loss == "squared_error" and cfg.sizes[-1] == 1


@pytest.mark.parametrize("args,message", [
    (("--sizes", "4-x-2"), "--sizes must look like"),
    (("--sizes", "64-5-4-2", "--activations", "relu,tanh,relu"), "one per hidden layer (2)"),
    (("--sizes", "64-5-2", "--activations", "softplus"), "unknown hidden activation"),
    (("--sizes", "5-3-3"), "no built-in data set has 5 inputs"),
    (("--sizes", "64-3-2", "--dataset", "digits"), "classes"),
])
def test_new_refuses_bad_options(tmp_path, capsys, args, message):
    code, _, err = run(capsys, "new", *args, "--save", str(tmp_path / "x.json"))
    assert code == 2 and message in err, err
    assert not (tmp_path / "x.json").exists()


def _adam_reference(steps: int) -> tuple[Trainer, list[float]]:
    p = paper_figure_4()

    t = Trainer(p.network.copy(), p.dataset(), 0.05, 1)
    t.set_optimizer(Optimizer(OptimizerConfig.make("adam", beta1=0.8, eps=1e-6), Penalty(0.0, 0.01)))
    losses = [t.step_on(p.inputs, p.label).loss for _ in range(steps)]
    return t, losses


def test_step_preset_json_with_adam_several_steps(capsys):
    code, out, err = run(capsys, "step", "--preset", "paper-figure-4", "--optimizer", "adam", "--beta1", "0.8",
                         "--eps", "1e-6", "--l2", "0.01", "--steps", "4", "--lr", "0.05", "--json")
    assert code == 0, err
    d = json.loads(out)
    ref, losses = _adam_reference(4)
    p = paper_figure_4()
    assert d["losses"] == losses and len(d["penalties"]) == 4 and d["penalties"][0] > 0
    assert d["weights_before"] == [w.tolist() for w in p.network.weights]
    assert d["biases_before"] == [b.tolist() for b in p.network.biases]
    assert d["weights_after"] == [w.tolist() for w in ref.network.weights]
    assert d["biases_after"] == [b.tolist() for b in ref.network.biases]
    assert d["loss"] == losses[-1] and d["lr"] == 0.05 and "grad_weights" in d and "deltas" in d
    o = d["optimizer"]
    assert o["name"] == "adam" and o["hyper"] == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-6}
    assert o["l2"] == 0.01 and o["l1"] == 0.0 and o["t"] == 4
    m = ref.optimizer.state.buffers["m"]
    assert o["state"]["m"]["weights"][0] == m[:12].reshape(3, 4).tolist()
    assert o["state"]["v"]["biases"][1] == ref.optimizer.state.buffers["v"][21:23].tolist()


def test_step_snapshot_next_batches_matches_the_trainer_and_saves(tmp_path, capsys):
    path, out_path = str(tmp_path / "s.nvz.json"), str(tmp_path / "after.nvz.json")
    assert run(capsys, "new", "--sizes", "64-6-2", "--seed", "1", "--save", path)[0] == 0
    code, out, err = run(capsys, "step", path, "--optimizer", "adamw", "--weight-decay", "0.05", "--l1", "0.001",
                         "--steps", "7", "--save", out_path, "--json")
    assert code == 0, err
    d = json.loads(out)
    t = Trainer(Network(NetworkConfig(sizes=(64, 6, 2), seed=1)), builtin_dataset("circles-squares"), 0.01, seed=1)
    t.set_optimizer(Optimizer(OptimizerConfig.make("adamw", weight_decay=0.05), Penalty(0.001, 0.0)))
    losses = [t.step().loss for _ in range(7)]
    assert d["losses"] == losses and d["optimizer"]["hyper"]["weight_decay"] == 0.05
    after = snapshot.load(out_path)
    assert np.array_equal(after.network.flat_params(), t.network.flat_params())
    # continuing from the saved file with its own optimiser equals continuing the trainer
    code, out, err = run(capsys, "step", out_path, "--json")
    assert code == 0, err
    assert json.loads(out)["loss"] == t.step().loss
    assert json.loads(out)["optimizer"]["t"] == 8


def test_step_on_input_with_momentum_text(tmp_path, capsys):
    path = str(tmp_path / "s.nvz.json")
    run(capsys, "new", "--sizes", "64-4-2", "--save", path)
    code, out, err = run(capsys, "step", path, "--on-input", "--optimizer", "momentum", "--momentum", "0.5",
                         "--steps", "3")
    assert code == 0, err
    assert out.startswith("Optimiser momentum (momentum = 0.5)\n3 updates; loss ")
    assert "\nForward\n" in out


def test_preset_save_writes_a_snapshot(tmp_path, capsys):
    path = str(tmp_path / "p.nvz.json")
    assert run(capsys, "step", "--preset", "paper-figure-4", "--save", path)[0] == 0
    snap = snapshot.load(path)
    assert snap.network.sizes == (4, 3, 2) and snap.last_trace is not None
    assert abs(float(snap.network.weights[1][0, 0]) - 0.8012) < 1e-12


@pytest.mark.parametrize("args,message", [
    (("--optimizer", "sgd", "--momentum", "0.9"), "--momentum is not a hyper-parameter of sgd"),
    (("--optimizer", "adam", "--weight-decay", "0.1"), "--weight-decay is not a hyper-parameter of adam"),
    (("--optimizer", "adam", "--beta2", "1.0"), "beta2 (β₂) must be at least 0 and below 1"),
    (("--l2", "-0.1",), "must be at least 0"),
    (("--steps", "0",), "--steps must be from 1"),
])
def test_step_refuses_bad_options(capsys, args, message):
    code, _, err = run(capsys, "step", *args)
    assert code == 2 and message in err, err


def test_help_documents_the_new_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["step", "--help"])
    text = capsys.readouterr().out
    for flag in ("--optimizer", "--momentum", "--beta1", "--beta2", "--eps", "--alpha", "--weight-decay", "--l1",
                 "--l2", "--steps", "weights_before"):
        assert flag in text
    with pytest.raises(SystemExit):
        cli.main(["new", "--help"])
    text = capsys.readouterr().out
    for flag in ("--sizes", "--activations", "--output", "--loss", "--init", "--seed", "--dataset", "--save",
                 "identity"):
        assert flag in text
