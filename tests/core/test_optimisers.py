"""Optimisers, penalties and schedules: hand-written references, finite differences, exact replay."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroviz.core.datasets import builtin_dataset
from neuroviz.core.flat_params import weight_mask
from neuroviz.core.history import History
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.optimisers import (
    HYPER_DEFAULTS,
    OPTIMIZERS,
    Optimizer,
    OptimizerConfig,
    OptimizerState,
    Penalty,
    Schedule,
    optimizer_from_dict,
    optimizer_to_dict,
)
from neuroviz.core.trainer import Trainer

GRADS = [
    [0.5, -0.25, 0.0, 1e-3, -2.0],
    [0.1, 0.3, -0.7, 0.0, 0.25],
    [-0.4, -0.25, 0.05, 2.5, 0.0],
    [0.2, 0.0, 0.3, -1.25, 0.6],
]
THETA0 = [0.3, -0.2, 0.05, 1.0, -0.5]
MASK = np.array([1.0, 1.0, 1.0, 0.0, 0.0])  # three weights, two biases
HYPER = {
    "sgd": {},
    "momentum": {"momentum": 0.8},
    "nesterov": {"momentum": 0.7},
    "adagrad": {"eps": 1e-10},
    "rmsprop": {"alpha": 0.9, "eps": 1e-8},
    "adam": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
}


def reference(name: str, h: dict[str, float], lr: float) -> list[list[float]]:
    """The parameters after each update of GRADS, one scalar at a time, as the formulas are written."""
    theta = list(THETA0)
    state = {k: [0.0] * len(theta) for k in ("v", "G", "m")}
    out = []
    for t, g in enumerate(GRADS):
        for i, gi in enumerate(g):
            th = theta[i]
            if name == "sgd":
                th = th - lr * gi
            elif name in ("momentum", "nesterov"):
                mu = h["momentum"]
                v = gi if t == 0 else mu * state["v"][i] + gi
                state["v"][i] = v
                th = th - lr * ((gi + mu * v) if name == "nesterov" else v)
            elif name == "adagrad":
                state["G"][i] = state["G"][i] + gi * gi
                th = th - lr * (gi / (math.sqrt(state["G"][i]) + h["eps"]))
            elif name == "rmsprop":
                a = h["alpha"]
                state["v"][i] = a * state["v"][i] + (1.0 - a) * gi * gi
                th = th - lr * (gi / (math.sqrt(state["v"][i]) + h["eps"]))
            else:
                b1, b2 = h["beta1"], h["beta2"]
                if name == "adamw":
                    th = th * (1.0 - lr * h["weight_decay"] * MASK[i])
                state["m"][i] = b1 * state["m"][i] + (1.0 - b1) * gi
                state["v"][i] = b2 * state["v"][i] + (1.0 - b2) * gi * gi
                m_hat_step = lr / (1.0 - b1 ** (t + 1))
                denom = math.sqrt(state["v"][i]) / math.sqrt(1.0 - b2 ** (t + 1)) + h["eps"]
                th = th - m_hat_step * (state["m"][i] / denom)
            theta[i] = th
        out.append(list(theta))
    return out


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimiser_matches_its_hand_written_reference_bit_for_bit(name):
    opt = Optimizer(OptimizerConfig.make(name, **HYPER[name])).fitted(len(THETA0))
    theta = np.array(THETA0)
    expected = reference(name, HYPER[name], 0.05)
    for t, g in enumerate(GRADS):
        theta, state, lr = opt.update(theta, np.array(g), 0.05, MASK)
        opt = opt.with_state(state)
        assert lr == 0.05 and state.t == t + 1
        assert theta.tolist() == expected[t], (name, t)


def test_defaults_follow_pytorch():
    assert HYPER_DEFAULTS["momentum"] == {"momentum": 0.9}
    assert HYPER_DEFAULTS["rmsprop"] == {"alpha": 0.99, "eps": 1e-8}
    assert HYPER_DEFAULTS["adam"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert OptimizerConfig.make("adamw").get("weight_decay") == 0.01


@pytest.mark.parametrize("bad", [
    ("momentum", {"momentum": 1.0}), ("adam", {"beta1": -0.1}), ("adam", {"eps": 0.0}),
    ("adam", {"momentum": 0.9}), ("sgd", {"eps": 1e-8}), ("rmsprop", {"alpha": math.nan}),
    ("adamw", {"weight_decay": -1.0}), ("lion", {}),
])
def test_bad_hyper_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        OptimizerConfig.make(bad[0], **bad[1])


def test_penalties_refuse_negative_or_non_finite():
    for l1, l2 in ((-1.0, 0.0), (0.0, math.inf), ("x", 0.0)):
        with pytest.raises(ValueError):
            Penalty(l1, l2)


def test_schedules_follow_their_formulas():
    assert Schedule().lr(0.1, 7) == 0.1
    assert Schedule("step", step_size=3, gamma=0.5).lr(0.1, 7) == 0.1 * 0.5**2
    assert Schedule("exponential", gamma=0.9).lr(0.1, 4) == 0.1 * 0.9**4
    cos = Schedule("cosine", t_max=10, eta_min=0.01)
    assert cos.lr(0.1, 0) == 0.1 and cos.lr(0.1, 10) == pytest.approx(0.01, abs=1e-17)
    assert cos.lr(0.1, 5) == 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * 5 / 10)) / 2
    assert Schedule("step", step_size=3, gamma=0.5).formula() == "η_t = η · 0.5^⌊t/3⌋"
    with pytest.raises(ValueError):
        Schedule("step", step_size=0)
    with pytest.raises(ValueError):
        Schedule("warmup")


def test_scheduled_updates_use_eta_t():
    opt = Optimizer(schedule=Schedule("exponential", gamma=0.5)).fitted(5)
    theta = np.array(THETA0)
    for t, g in enumerate(GRADS):
        new, state, lr = opt.update(theta, np.array(g), 0.2, MASK)
        assert lr == 0.2 * 0.5**t
        assert new.tolist() == (theta - lr * np.array(g)).tolist()
        theta, opt = new, opt.with_state(state)


# ------------------------------------------------------------------ penalties and gradients
def _total_loss(net: Network, x: np.ndarray, y: np.ndarray, penalty: Penalty) -> float:
    return net.loss(x, y) + penalty.value(net.flat_params(), weight_mask(net.sizes))


@pytest.mark.parametrize("activations", [("relu", "tanh"), ("sigmoid", "leaky_relu"), ("identity", "tanh")])
@pytest.mark.parametrize("penalty", [Penalty(0.0, 0.3), Penalty(0.05, 0.0), Penalty(0.02, 0.1)],
                         ids=["l2", "l1", "both"])
@pytest.mark.parametrize("output,loss", [("none", "cross_entropy"), ("sigmoid", "squared_error")])
def test_penalised_gradients_match_central_differences(activations, penalty, output, loss):
    config = NetworkConfig(sizes=(5, 4, 3, 2), hidden_activations=activations, output_activation=output,
                           loss=loss, init="xavier", seed=7)
    net = Network(config)
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 1.0, (3, 5))
    y = np.array([0, 1, 1])
    opt = Optimizer(penalty=penalty).fitted(net.n_params)
    trace = net.compute_step(x, y, 0.1, opt)
    assert trace.penalty == penalty.value(net.flat_params(), weight_mask(net.sizes))
    h = 1e-6
    for l, (w, gw, pw) in enumerate(zip(net.weights, trace.grad_weights, trace.penalty_weights)):
        for m in range(w.shape[0]):
            for n in range(w.shape[1]):
                old = float(w[m, n])
                net.set_weight(l, m, n, old + h)
                up = _total_loss(net, x, y, penalty)
                net.set_weight(l, m, n, old - h)
                down = _total_loss(net, x, y, penalty)
                net.set_weight(l, m, n, old)
                assert gw[m, n] + pw[m, n] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)
    for l, (b, gb) in enumerate(zip(net.biases, trace.grad_biases)):
        for m in range(b.shape[0]):
            old = float(b[m])
            net.set_bias(l, m, old + h)
            up = _total_loss(net, x, y, penalty)
            net.set_bias(l, m, old - h)
            down = _total_loss(net, x, y, penalty)
            net.set_bias(l, m, old)
            assert gb[m] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)  # biases are not penalised


def test_l1_gradient_is_zero_at_zero():
    flat = np.array([0.0, -0.0, 0.5, -0.5, 0.0])
    g = Penalty(0.1, 0.0).gradient(flat, MASK)
    assert g.tolist() == [0.0, 0.0, 0.1, 0.0, 0.0]


def test_per_layer_activations_config():
    cfg = NetworkConfig(sizes=(4, 3, 3, 2), hidden_activations=("tanh", "sigmoid"))
    assert cfg.layer_activations == ("tanh", "sigmoid") and cfg.activation_of(3) == "none"
    assert NetworkConfig(sizes=(4, 3, 3, 2), hidden_activations=("tanh", "tanh")) == NetworkConfig(
        sizes=(4, 3, 3, 2), hidden_activation="tanh")
    with pytest.raises(ValueError):
        NetworkConfig(sizes=(4, 3, 2), hidden_activations=("tanh", "relu"))
    with pytest.raises(ValueError):
        NetworkConfig(sizes=(4, 3, 3, 2), hidden_activations=("tanh", "softmax"))


# ------------------------------------------------------------------ in a trainer
def _trainer(opt: Optimizer) -> Trainer:
    ds = builtin_dataset("circles-squares")
    t = Trainer(Network(NetworkConfig(sizes=(64, 6, 5, 2), hidden_activations=("relu", "tanh"), seed=2)), ds,
                0.02, 8)
    t.set_optimizer(opt)
    return t


OPTIONS = [Optimizer(OptimizerConfig.make(n), Penalty(0.001, 0.01) if n in ("sgd", "adam") else Penalty())
           for n in OPTIMIZERS] + [Optimizer(OptimizerConfig.make("adam"), schedule=Schedule("cosine", t_max=5))]


@pytest.mark.parametrize("opt", OPTIONS, ids=lambda o: f"{o.name}-{o.penalty.active}-{o.schedule.name}")
def test_traced_and_fast_paths_give_the_same_bits(opt):
    a, b = _trainer(opt), _trainer(opt)
    for _ in range(11):
        a.step()
    b.train_steps(11)
    assert a.network.flat_params().tobytes() == b.network.flat_params().tobytes()
    assert a.optimizer.state.same_as(b.optimizer.state) and a.optimizer.state.t == 11
    assert a.history.values.tobytes() == b.history.values.tobytes()
    assert a.history.penalties.tobytes() == b.history.penalties.tobytes()
    assert (a.history.penalties > 0).all() == opt.penalty.active


def test_plain_sgd_is_the_papers_update():
    t = _trainer(Optimizer())
    before = t.network.flat_params().copy()
    trace = t.step()
    grads = np.concatenate([a.ravel() for pair in zip(trace.grad_weights, trace.grad_biases) for a in pair])
    assert t.network.flat_params().tobytes() == (before - grads * 0.02).tobytes()
    assert trace.penalty == 0.0 and trace.penalty_weights == ()


def test_trace_holds_the_state_before_and_after():
    t = _trainer(Optimizer(OptimizerConfig.make("adam")))
    t.train_steps(3)
    before = t.optimizer
    trace = t.step()
    assert trace.optimizer is before and trace.optimizer.state.t == 3
    assert trace.optimizer_after is t.optimizer.state and t.optimizer.state.t == 4
    assert not np.array_equal(before.state.buffers["m"], trace.optimizer_after.buffers["m"])


def test_state_dict_round_trip_keeps_the_optimiser_bit_for_bit():
    import json

    t = _trainer(OPTIONS[5])
    t.train_steps(20)
    state = json.loads(json.dumps(t.state_dict()))
    u = _trainer(Optimizer())
    u.network.set_flat_params(t.network.flat_params())
    u.load_state_dict(state)
    assert u.optimizer.config == t.optimizer.config and u.optimizer.penalty == t.optimizer.penalty
    assert u.optimizer.state.same_as(t.optimizer.state)
    t.train_steps(5)
    u.train_steps(5)
    assert t.network.flat_params().tobytes() == u.network.flat_params().tobytes()
    assert optimizer_to_dict(t.optimizer) == optimizer_to_dict(u.optimizer)


def test_optimizer_from_dict_refuses_bad_state():
    d = optimizer_to_dict(Optimizer(OptimizerConfig.make("adam")).fitted(5))
    for change in ({"buffers": {"m": [0.0] * 5}}, {"buffers": {"m": [0.0] * 4, "v": [0.0] * 5}},
                   {"t": -1}, {"buffers": {"m": [math.nan] * 5, "v": [0.0] * 5}}, {"l2": -1.0}):
        with pytest.raises(ValueError):
            optimizer_from_dict({**d, **change}, 5)


def test_history_time_travel_restores_the_optimiser_bit_for_bit():
    t = _trainer(OPTIONS[5])
    h = History(t, checkpoint_every=8)
    h.train_steps(13)
    lived = h.step()
    state_lived = t.optimizer.state
    params = t.network.flat_params().copy()
    h.train_steps(10)
    moment = h.go_to(14)
    assert t.network.flat_params().tobytes() == params.tobytes()
    assert t.optimizer.state.same_as(state_lived)
    assert moment.trace is not None and moment.trace.optimizer_after is not None
    assert moment.trace.optimizer_after.same_as(lived.optimizer_after)
    assert h.penalty_curve().tolist() == t.history.penalties.tolist() + h.penalty_curve()[14:].tolist()
    h.go_to(3)
    assert t.optimizer.state.t == 3
    h.go_to(h.last)
    end = t.network.flat_params().copy()
    again = _trainer(OPTIONS[5])
    again.train_steps(24)
    assert again.network.flat_params().tobytes() == end.tobytes()


def test_changing_the_optimiser_is_an_edit_and_replay_keeps_each_part():
    t = _trainer(Optimizer())
    h = History(t, checkpoint_every=4)
    h.train_steps(6)
    t.set_optimizer(Optimizer(OptimizerConfig.make("momentum")))
    h.record_edit()
    h.train_steps(6)
    end = t.network.flat_params().copy()
    h.go_to(2)
    assert t.optimizer.name == "sgd"
    h.go_to(h.last)
    assert t.optimizer.name == "momentum" and t.network.flat_params().tobytes() == end.tobytes()
    assert h.kind(7) == "edit"


def test_a_new_optimiser_starts_from_a_fresh_state():
    t = _trainer(Optimizer(OptimizerConfig.make("adam")))
    assert t.optimizer.state.t == 0 and set(t.optimizer.state.buffers) == {"m", "v"}
    assert not any(b.any() for b in t.optimizer.state.buffers.values())
    assert OptimizerState().nbytes == 0
