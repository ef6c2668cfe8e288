"""Format version 2 (optimiser, penalties, per-layer activations) and the version 1 files it still opens."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from snapshot_helpers import arrays_close, arrays_identical, file_params, paper_snapshot

from neuroviz.core.datasets import builtin_dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.optimisers import Optimizer, OptimizerConfig, Penalty, Schedule
from neuroviz.core.trainer import Trainer
from neuroviz.io import snapshot
from neuroviz.io.snapshot import Snapshot, SnapshotError

DATA = Path(__file__).parent / "data"


def _default_after(steps: int) -> Trainer:
    """The default network after ``steps`` updates, as the version 1 file was made (4 fast, 1 traced)."""
    trainer = Trainer(Network(NetworkConfig()), builtin_dataset("circles-squares"))
    trainer.train_steps(steps - 1)
    trainer.step()
    return trainer


def test_version_1_paper_file_opens_with_identical_numbers():
    snap = snapshot.load(DATA / "v1-paper-figure-4.nvz.json")
    now = paper_snapshot()
    assert json.loads((DATA / "v1-paper-figure-4.nvz.json").read_text())["version"] == 1
    assert snap.network.config == now.network.config
    assert arrays_identical(snap.network.flat_params(), file_params(DATA / "v1-paper-figure-4.nvz.json"))
    assert arrays_identical(snap.network.flat_params(), now.network.flat_params())
    assert snap.last_trace is not None and now.last_trace is not None
    for a, b in zip(snap.last_trace.grad_weights, now.last_trace.grad_weights, strict=True):
        assert arrays_close(a, b)  # a gradient is a matrix product: last bits by CPU
    assert snap.last_trace.loss == now.last_trace.loss and snap.last_trace.optimizer is None
    assert snap.trainer_state["history_values"] == now.trainer_state["history_values"]
    assert snap.trainer_state["history_penalties"] == [0.0]
    _, trainer = snap.build()
    assert trainer.optimizer.plain and trainer.optimizer.state.t == 0


def test_version_1_default_file_opens_and_continues_bit_for_bit():
    path = DATA / "v1-default-5-steps.nvz.json"
    snap = snapshot.load(path)
    now = _default_after(5)
    assert arrays_identical(snap.network.flat_params(), file_params(path))
    assert arrays_close(snap.network.flat_params(), now.network.flat_params())
    assert arrays_close(np.array(snap.trainer_state["history_values"]), now.history.values)
    _, trainer = snap.build()
    trainer.train_steps(3)
    now.train_steps(3)
    assert arrays_close(trainer.network.flat_params(), now.network.flat_params())
    # the file continues bit for bit the same however often it is opened
    _, twice = snapshot.load(path).build()
    twice.train_steps(3)
    assert arrays_identical(twice.network.flat_params(), trainer.network.flat_params())
    # and saved again, it is a version 2 file with the same numbers
    again = snapshot.loads(snapshot.dumps(snap))
    assert arrays_identical(again.network.flat_params(), snap.network.flat_params())
    assert json.loads(snapshot.dumps(snap))["version"] == snapshot.FORMAT_VERSION == 2


def _adam_snapshot() -> tuple[Snapshot, Trainer]:
    cfg = NetworkConfig(sizes=(64, 5, 4, 2), hidden_activations=("tanh", "leaky_relu"), seed=3)
    ds = builtin_dataset("circles-squares")
    trainer = Trainer(Network(cfg), ds, 0.01, 8)
    trainer.set_optimizer(Optimizer(OptimizerConfig.make("adamw", beta1=0.85), Penalty(0.001, 0.02),
                                    Schedule("step", step_size=4, gamma=0.5)))
    trainer.train_steps(9)
    trace = trainer.step()
    snap = Snapshot(trainer.network.copy(), ds, trainer.state_dict(), ds.X[2].copy(), int(ds.y[2]), trace, "adam")
    return snap, trainer


def test_version_2_round_trip_keeps_optimiser_state_and_trace_bit_for_bit():
    snap, trainer = _adam_snapshot()
    back = snapshot.loads(snapshot.dumps(snap))
    assert back.network.config.hidden_activations == ("tanh", "leaky_relu")
    assert back.trainer_state["optimizer"] == snap.trainer_state["optimizer"]
    assert back.trainer_state["history_penalties"] == snap.trainer_state["history_penalties"]
    t, tb = snap.last_trace, back.last_trace
    assert t is not None and tb is not None and tb.optimizer is not None and tb.optimizer_after is not None
    assert tb.penalty == t.penalty and tb.optimizer.config == t.optimizer.config
    assert tb.optimizer.state.same_as(t.optimizer.state) and tb.optimizer_after.same_as(t.optimizer_after)
    for a, b in zip(t.penalty_weights, tb.penalty_weights, strict=True):
        assert arrays_identical(a, b)
    _, continued = back.build()
    assert continued.optimizer.state.same_as(trainer.optimizer.state)
    continued.train_steps(5)
    trainer.train_steps(5)
    assert arrays_identical(continued.network.flat_params(), trainer.network.flat_params())


@pytest.mark.parametrize("change,message", [
    (lambda d: d["optimizer"].update(name="lion"), "optimizer"),
    (lambda d: d["optimizer"]["hyper"].update(beta2=2.0), "beta2"),
    (lambda d: d["optimizer"]["state"].pop("m"), "state"),
    (lambda d: d["optimizer"]["state"]["v"]["weights"][0].pop(), "optimizer.state.v.weights.0"),
    (lambda d: d["optimizer"].update(l1=-1), "λ₁"),
    (lambda d: d["network"].update(hidden_activations=["tanh"]), "hidden_activations"),
    (lambda d: d["history"].update(penalties=[0.0]), "history.penalties"),
])
def test_bad_version_2_fields_are_refused(change, message):
    doc = json.loads(snapshot.dumps(_adam_snapshot()[0]))
    change(doc)
    with pytest.raises(SnapshotError, match=message):
        snapshot.loads(json.dumps(doc))
