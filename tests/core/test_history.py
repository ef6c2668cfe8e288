"""Time travel: every recorded moment comes back bit for bit; memory stays within its budget."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.datasets import circles_vs_squares
from neuroviz.core.history import DEFAULT_BUDGET, History
from neuroviz.core.network import DivergenceError, Network
from neuroviz.core.trace import StepTrace
from neuroviz.core.trainer import Trainer


@pytest.fixture(scope="module")
def data():
    return circles_vs_squares(200)


def make_trainer(data, sizes=(64, 16, 16, 2), batch_size=8, lr=0.05) -> Trainer:
    return Trainer(Network.create(sizes, seed=3), data, lr=lr, batch_size=batch_size, seed=1)


def flat(trainer: Trainer) -> bytes:
    return trainer.network.flat_params().tobytes()


def assert_same_trace(a: StepTrace, b: StepTrace) -> None:
    pairs = [
        *zip(a.forward.raw, b.forward.raw), *zip(a.forward.act, b.forward.act), (a.probs, b.probs),
        (a.targets, b.targets), (a.losses, b.losses), *zip(a.deltas, b.deltas),
        *zip(a.grad_weights, b.grad_weights), *zip(a.grad_biases, b.grad_biases),
        *zip(a.weights_before, b.weights_before), *zip(a.weights_after, b.weights_after),
        *zip(a.biases_before, b.biases_before), *zip(a.biases_after, b.biases_after),
    ]
    for x, y in pairs:
        assert x.shape == y.shape and x.tobytes() == y.tobytes()
    assert (a.loss, a.lr) == (b.loss, b.lr)
    assert (a.labels is None) == (b.labels is None)
    if a.labels is not None:
        assert a.labels.tobytes() == b.labels.tobytes()


@pytest.mark.parametrize("every", [16, 64])
def test_back_37_of_100_and_forward_again_bit_for_bit(data, every):
    trainer = make_trainer(data)
    history = History(trainer, checkpoint_every=every)
    traces, params = [], []
    for _ in range(100):
        traces.append(history.step())
        params.append(flat(trainer))
    losses = trainer.history.values.copy()
    assert (history.position, history.last) == (100, 100)

    moment = history.back(37)
    assert moment.position == 63 == history.position
    assert flat(trainer) == params[62]
    assert_same_trace(moment.trace, traces[62])
    assert moment.trace.inputs.tobytes() == traces[62].inputs.tobytes()  # the input of that moment
    assert trainer.step_count == 63
    np.testing.assert_array_equal(trainer.history.values, losses[:63])

    moment = history.forward(37)
    assert moment.position == 100
    assert flat(trainer) == params[99]
    assert_same_trace(moment.trace, traces[99])
    np.testing.assert_array_equal(trainer.history.values, losses)
    # After travelling, training continues exactly as if nothing had happened.
    twin = make_trainer(data)
    for _ in range(100):
        twin.step()
    assert history.step().loss == twin.step().loss
    assert flat(trainer) == flat(twin)


def test_every_moment_of_a_mixed_timeline_comes_back(data):
    """Fast and traced updates, drawn inputs, η and batch-size changes, an edit, epoch boundaries."""
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=10)
    states = {0: flat(trainer)}
    epochs = {0: 0}
    losses = {0: trainer.history.values.copy()}

    def note() -> None:
        states[history.position] = flat(trainer)
        epochs[history.position] = len(trainer.epochs)
        losses[history.position] = trainer.history.values.copy()

    rng = np.random.default_rng(0)
    for i in range(60):
        if i % 7 == 3:
            history.step_on(rng.random(64), int(rng.integers(0, 2)))
        elif i % 5 == 0:
            history.train_steps(3)
        else:
            history.step()
        if i == 20:
            trainer.set_lr(0.2)
        if i == 30:
            trainer.batch_size = 5
        if i == 40:
            trainer.network.set_weight(0, 2, 5, 0.75)
            history.record_edit()
        if i % 5 == 0:
            for p in range(history.position - 2, history.position + 1):
                states.setdefault(p, None)
        note()
    assert trainer.epoch >= 2
    assert history.kind(history.first) == "start"
    kinds = {history.kind(p) for p in range(1, history.last + 1)}
    assert kinds == {"update", "input", "edit"}
    recorded = {p: s for p, s in states.items() if s is not None}
    order = list(recorded)
    rng.shuffle(order)
    for p in order:
        moment = history.go_to(p)
        assert flat(trainer) == recorded[p], f"position {p}"
        assert len(trainer.epochs) == epochs[p]
        np.testing.assert_array_equal(trainer.history.values, losses[p])
        assert moment.kind == history.kind(p)
        assert (moment.trace is None) == (moment.kind in ("start", "edit"))
    np.testing.assert_array_equal(history.loss_curve()[1], losses[history.last])
    inputs = [p for p in range(1, history.last + 1) if history.kind(p) == "input"]
    x, labels = history.input_of(inputs[0])
    assert x.shape == (1, 64) and labels.shape == (1,)
    moment = history.go_to(inputs[0])
    assert moment.trace.inputs.tobytes() == x.tobytes()
    assert history.lr(history.last) == 0.2 and history.batch_size(history.last) == 5


def test_eta_and_batch_size_changed_between_checkpoints_are_replayed(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=20)
    states = []
    for i in range(19):
        if i == 5:
            trainer.set_lr(0.3)
        if i == 9:
            trainer.batch_size = 3
        if i == 13:
            trainer.set_lr(0.01)
        history.step()
        states.append(flat(trainer))
    assert history.checkpoint_positions == (0,)
    for p in (18, 12, 8, 16):
        history.go_to(p)
        assert flat(trainer) == states[p - 1], p
    assert (history.lr(6), history.batch_size(10), history.lr(14)) == (0.3, 3, 0.01)


def test_a_change_behind_the_historys_back_is_logged_as_an_edit(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=8)
    history.train_steps(5)
    before_edit = flat(trainer)
    trainer.network.set_bias(0, 0, 1.5)
    history.step()
    assert history.last == 7 and history.kind(6) == "edit"
    after = flat(trainer)
    history.go_to(5)
    assert flat(trainer) == before_edit
    history.go_to(7)
    assert flat(trainer) == after
    assert trainer.network.biases[0][0] != 1.5  # the update after the edit moved it on


def test_an_update_walked_phase_by_phase_is_recorded_as_an_update(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=50)
    history.train_steps(3)
    trace, batch = trainer.compute_next()
    history.commit(trace, batch)
    history.train_steps(2)
    assert history.kind(4) == "update" and history.last == 6
    moment = history.go_to(4)
    assert_same_trace(moment.trace, trace)


def test_a_new_data_set_is_an_edit_and_travel_restores_the_old_one(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=6)
    history.train_steps(10)
    before = flat(trainer)
    other = circles_vs_squares(120, seed=9)
    trainer.set_dataset(other)
    history.train_steps(10)
    after = flat(trainer)
    assert history.kind(11) == "edit" and history.last == 21
    history.go_to(10)
    assert trainer.dataset is data and flat(trainer) == before
    history.go_to(21)
    assert trainer.dataset is other and flat(trainer) == after


def test_recording_at_a_past_moment_asks_to_fork(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer)
    history.train_steps(10)
    history.back(3)
    with pytest.raises(ValueError, match="this is update 7 of 10: fork"):
        history.step()
    with pytest.raises(ValueError, match="fork"):
        history.record_edit()
    assert history.last == 10


def test_fork_discarding_the_future(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=4)
    history.train_steps(20)
    history.go_to(12)
    assert history.fork(keep=False) is None
    assert (history.position, history.last, history.branches) == (12, 12, [])
    history.train_steps(3)
    assert history.last == 15
    steps, values = history.loss_curve()
    assert len(values) == 15
    np.testing.assert_array_equal(values, trainer.history.values)
    np.testing.assert_array_equal(steps, np.arange(1, 16))


def test_fork_keeping_a_branch_and_switching_back_and_forth(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=4)
    history.train_steps(20)
    old_end = flat(trainer)
    old_curve = history.loss_curve()[1].copy()
    history.go_to(9)
    branch = history.fork(keep=True)
    assert branch is not None and (branch.fork, branch.last, branch.n_events) == (9, 20, 11)
    assert history.branches == [branch] and history.can_switch(branch)
    trainer.set_lr(0.3)
    for _ in range(5):
        history.step()
    new_end = flat(trainer)
    assert new_end != old_end and history.last == 14

    moment = history.switch_to(branch)
    assert moment.position == 20 and history.last == 20
    assert flat(trainer) == old_end
    np.testing.assert_array_equal(history.loss_curve()[1], old_curve)
    assert len(history.branches) == 1
    other = history.branches[0]
    assert (other.fork, other.last) == (9, 14)
    history.switch_to(other)
    assert history.last == 14 and flat(trainer) == new_end
    assert history.lr(14) == 0.3
    # A branch whose fork point left the timeline cannot be switched to.
    history.go_to(5)
    history.fork(keep=False)
    assert not history.can_switch(history.branches[0])
    with pytest.raises(ValueError, match="not on this timeline"):
        history.switch_to(history.branches[0])


def test_memory_budget_holds_with_many_updates(data):
    trainer = make_trainer(data)
    budget = 400_000
    history = History(trainer, checkpoint_every=16, budget_bytes=budget)
    recorded = {}
    for _ in range(60):
        history.train_steps(50)
        recorded[history.position] = flat(trainer)
        assert history.memory_bytes <= budget
    assert history.last == 3000
    assert history.first > 0  # the oldest updates were forgotten ...
    assert history.last - history.first >= 200  # ... the newest kept
    for position, state in recorded.items():
        if position >= history.first + 1:
            history.go_to(position)
            assert flat(trainer) == state
    with pytest.raises(ValueError, match="not on the timeline"):
        history.go_to(history.first - 1)
    history.go_to(history.first)
    assert history.moment.kind == "start"


def test_kept_branches_give_way_to_the_budget(data):
    trainer = make_trainer(data)
    history = History(trainer, checkpoint_every=16, budget_bytes=300_000)
    history.train_steps(200)
    history.go_to(100)
    history.fork(keep=True)
    assert len(history.branches) == 1
    history.train_steps(800)
    assert history.memory_bytes <= 300_000
    assert history.branches == []


def test_default_budget_keeps_100000_updates_of_the_default_network(data):
    """Measured on 2,000 updates and extrapolated (the bench script goes all the way)."""
    trainer = make_trainer(circles_vs_squares(), batch_size=8)
    history = History(trainer)
    start = history.memory_bytes
    history.train_steps(2000)
    per_update = (history.memory_bytes - start) / 2000
    assert start + 100_000 * per_update < DEFAULT_BUDGET
    assert history.first == 0


def test_cutting_the_loss_history_starts_the_timeline_over(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer)
    history.train_steps(12)
    trainer.reset()
    history.step()
    assert (history.first, history.last) == (12, 13)
    history.go_to(12)
    assert trainer.step_count == 0
    history.go_to(13)
    assert trainer.step_count == 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_keeps_the_updates_made_before_it(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=2)
    history.train_steps(4)
    trainer.set_lr(1e300)
    with pytest.raises(DivergenceError):
        history.train_steps(50)
    assert 4 <= history.last == trainer.step_count < 54
    state = flat(trainer)
    history.go_to(3)
    history.go_to(history.last)
    assert flat(trainer) == state


def test_bad_arguments(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    with pytest.raises(ValueError, match="at least 1 update apart"):
        History(trainer, checkpoint_every=0)
    with pytest.raises(ValueError, match="memory budget must be at least"):
        History(trainer, budget_bytes=1000)
    history = History(trainer)
    with pytest.raises(ValueError, match="not on the timeline"):
        history.go_to(1)
    with pytest.raises(ValueError, match="no event at 0"):
        history.lr(0)


def test_an_update_on_a_drawing_walked_phase_by_phase_is_recorded_with_its_input(data):
    trainer = make_trainer(data, sizes=(64, 8, 2))
    history = History(trainer, checkpoint_every=50)
    history.train_steps(3)
    drawing = np.linspace(0.0, 1.0, 64)
    trace = trainer.compute_on(drawing, 1)
    history.commit_on(trace)
    history.train_steps(2)
    assert history.kind(4) == "input" and history.last == 6
    x, label = history.input_of(4)
    assert np.array_equal(x, drawing[None]) and label.tolist() == [1]
    moment = history.go_to(4)
    assert_same_trace(moment.trace, trace)
