"""Bad input raises ValueError naming the problem and leaves the network exactly as it was."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroviz.core.datasets import Dataset, circles_vs_squares
from neuroviz.core.network import PARAM_LIMIT, DivergenceError, Network, NetworkConfig, check_lr
from neuroviz.core.trainer import Trainer


@pytest.fixture
def net() -> Network:
    return Network.create((4, 3, 2), seed=1)


def snapshot(net: Network) -> list[bytes]:
    return [a.tobytes() for a in (*net.weights, *net.biases)]


GOOD_X = np.array([0.1, 0.2, 0.3, 0.4])

BAD_STEPS = [
    ("wrong input length", np.zeros(5), 0, 0.01, "input has 5 values per sample; this network's input layer has 4"),
    ("wrong batch input length", np.zeros((2, 3)), [0, 1], 0.01, "input has 3 values"),
    ("NaN in the input", np.array([0.1, np.nan, 0.3, 0.4]), 0, 0.01, "NaN"),
    ("infinity in the input", np.array([0.1, np.inf, 0.3, 0.4]), 0, 0.01, "infinity"),
    ("empty batch", np.zeros((0, 4)), np.zeros(0, dtype=int), 0.01, "empty"),
    ("label out of range", GOOD_X, 2, 0.01, "label 2 is out of range"),
    ("negative label", GOOD_X, -1, 0.01, "label -1 is out of range"),
    ("too few labels", np.zeros((2, 4)), [0], 0.01, "1 labels for 2 samples"),
    ("target vector of wrong length", GOOD_X, np.array([1.0, 0.0, 0.0]), 0.01, "target vectors have shape"),
    ("NaN in the target", GOOD_X, np.array([np.nan, 1.0]), 0.01, "targets contain NaN"),
    ("learning rate 0", GOOD_X, 0, 0.0, "learning rate must be a finite number above 0"),
    ("negative learning rate", GOOD_X, 0, -0.1, "learning rate must be a finite number above 0"),
    ("NaN learning rate", GOOD_X, 0, math.nan, "learning rate must be a finite number above 0"),
    ("infinite learning rate", GOOD_X, 0, math.inf, "learning rate must be a finite number above 0"),
    ("learning rate not a number", GOOD_X, 0, "fast", "learning rate must be a number"),
]


@pytest.mark.parametrize(("x", "target", "lr", "message"), [c[1:] for c in BAD_STEPS], ids=[c[0] for c in BAD_STEPS])
def test_bad_step_raises_and_changes_nothing(net, x, target, lr, message):
    before = snapshot(net)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        net.step(x, target, lr)
    assert snapshot(net) == before
    with pytest.raises(ValueError):
        net.compute_step(x, target, lr)
    assert snapshot(net) == before


BAD_SAMPLES = [c for c in BAD_STEPS if c[3] == 0.01]
BAD_RATES = [c[3] for c in BAD_STEPS if c[3] != 0.01]


def tiny_dataset() -> Dataset:
    """8 random 2×2 images of two classes, 6 for training."""
    rng = np.random.default_rng(0)
    return Dataset("tiny", rng.random((8, 4)), np.arange(8) % 2, ("a", "b"), (2, 2)).with_split(0.25)


@pytest.mark.parametrize(("x", "target", "message"), [(c[1], c[2], c[4]) for c in BAD_SAMPLES],
                         ids=[c[0] for c in BAD_SAMPLES])
def test_bad_step_on_a_trainer_changes_nothing(net, x, target, message):
    trainer = Trainer(net, tiny_dataset(), lr=0.01)
    trainer.step()
    before, steps, history = snapshot(net), trainer.step_count, trainer.history.values.copy()
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        trainer.step_on(x, target)
    assert snapshot(net) == before
    assert trainer.step_count == steps
    np.testing.assert_array_equal(trainer.history.values, history)


@pytest.mark.parametrize("lr", BAD_RATES)
def test_a_bad_learning_rate_keeps_the_old_one(net, lr):
    trainer = Trainer(net, tiny_dataset(), lr=0.05)
    with pytest.raises(ValueError, match="learning rate"):
        trainer.set_lr(lr)
    assert trainer.lr == 0.05
    with pytest.raises(ValueError, match="learning rate"):
        Trainer(net, tiny_dataset(), lr=lr)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ((), "needs at least an input and an output layer; got 0"),
        ((4,), "needs at least an input and an output layer; got 1"),
        ((4, 0, 2), "layer 2 has size 0"),
        ((4, 3, 0), "layer 3 has size 0"),
        ((0, 3, 2), "layer 1 has size 0"),
        ((4, -1, 2), "layer 2 has size -1"),
    ],
)
def test_bad_architecture(sizes, message):
    with pytest.raises(ValueError, match=message):
        NetworkConfig(sizes=sizes)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("hidden_activation", "softplus", "unknown hidden activation 'softplus'"),
        ("output_activation", "tanh", "unknown output activation 'tanh'"),
        ("loss", "hinge", "unknown loss 'hinge'"),
        ("init", "zeros", "unknown initialisation 'zeros'"),
        ("seed", -1, "seed must be a non-negative integer"),
    ],
)
def test_bad_options(option, value, message):
    with pytest.raises(ValueError, match=message):
        NetworkConfig(sizes=(4, 2), **{option: value})


def test_with_config_error_leaves_the_network(net):
    before = snapshot(net)
    with pytest.raises(ValueError, match="layer 2 has size 0"):
        net.with_config(sizes=(4, 0, 2))
    assert snapshot(net) == before


@pytest.mark.parametrize("lr", [0.0, -1.0, math.nan, math.inf, -math.inf, "x", None])
def test_check_lr_rejects(lr):
    with pytest.raises(ValueError, match="learning rate"):
        check_lr(lr)


def test_set_params_rejects_bad_arrays_and_keeps_the_old(net):
    before = snapshot(net)
    bad_w = [w.copy() for w in net.weights]
    bad_w[1][0, 0] = math.nan
    with pytest.raises(ValueError, match="layer 2's parameters contain NaN"):
        net.set_params(bad_w, net.biases)
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(4, 3\); expected \(3, 4\)"):
        net.set_params([net.weights[0].T, net.weights[1]], net.biases)
    with pytest.raises(ValueError, match="expected 2 weight matrices"):
        net.set_params(net.weights[:1], net.biases[:1])
    assert snapshot(net) == before


def test_set_weight_and_bias_reject_bad_values_and_indices(net):
    before = snapshot(net)
    with pytest.raises(ValueError, match="finite"):
        net.set_weight(0, 0, 0, math.inf)
    with pytest.raises(ValueError, match="finite"):
        net.set_bias(0, 0, math.nan)
    with pytest.raises(ValueError, match=r"weight index \(3, 0\) is outside"):
        net.set_weight(0, 3, 0, 1.0)
    with pytest.raises(ValueError, match=r"weight index \(-1, 0\) is outside"):
        net.set_weight(0, -1, 0, 1.0)
    with pytest.raises(ValueError, match="bias index 2 is outside"):
        net.set_bias(1, 2, 1.0)
    with pytest.raises(ValueError, match="layer index 2 is outside"):
        net.set_weight(2, 0, 0, 1.0)
    assert snapshot(net) == before
    net.set_weight(1, 1, 2, 0.5)
    assert net.weights[1][1, 2] == 0.5


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_leaves_the_network_unchanged_on_both_paths():
    net = Network.create((4, 3, 2), seed=2)
    x = np.full((1, 4), 1.0)
    before = snapshot(net)
    with pytest.raises(DivergenceError, match="not applied"):
        net.step(x, [0], 1e308)
    assert snapshot(net) == before
    with pytest.raises(DivergenceError, match="not applied"):
        net.train_batch(x, np.array([0]), 1e308)
    assert snapshot(net) == before
    # The network still works afterwards.
    net.train_batch(x, np.array([0]), 0.01)
    assert snapshot(net) != before


def test_a_huge_learning_rate_on_the_default_network_is_stopped_at_the_parameter_limit():
    net = Network.create((64, 16, 16, 2), seed=0)
    trainer = Trainer(net, circles_vs_squares(n=200), lr=1e6)
    for _ in range(10):
        before = snapshot(net)
        try:
            trainer.step()
        except DivergenceError as exc:
            assert "beyond" in str(exc) and "not applied" in str(exc)
            break
    else:
        pytest.fail("η = 1e6 should diverge within a few updates")
    assert snapshot(net) == before
    assert np.abs(net.flat_params()).max() <= PARAM_LIMIT


def test_parameters_already_beyond_the_limit_do_not_block_training():
    net = Network.create((4, 3, 2), seed=2)
    net.set_weight(0, 0, 0, 5 * PARAM_LIMIT)
    net.step(np.full(4, 0.5), [1], 0.01)
    assert net.weights[0][0, 0] <= 5 * PARAM_LIMIT


def test_bad_trainer_options():
    net = Network.create((4, 3, 2), seed=1)
    data = tiny_dataset()
    with pytest.raises(ValueError, match="batch size must be a whole number from 1 to 6"):
        Trainer(net, data, batch_size=0)
    with pytest.raises(ValueError, match="batch size"):
        Trainer(net, data, batch_size=7)
    with pytest.raises(ValueError, match="learning rate"):
        Trainer(net, data, lr=-1)
    wrong = circles_vs_squares(20, shape=(4, 4))
    with pytest.raises(ValueError, match="4×4 images have 16 pixels; the network has 4 inputs"):
        Trainer(net, wrong)
    trainer = Trainer(net, data)  # the default batch size shrinks to the 6 training samples
    assert trainer.batch_size == 6
    trainer.batch_size = 4
    with pytest.raises(ValueError, match="batch size"):
        trainer.batch_size = 100
    with pytest.raises(ValueError, match="batch size"):
        trainer.batch_size = 2.5
    assert trainer.batch_size == 4
