"""The η guard (a trial before the first update with a new η) and the loss jump guard, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.loss_jump import TrialUpdate
from neuroviz.model import AppModel
from neuroviz.model.lr_guard import CANCEL, GO_AHEAD


class Asked:
    """A policy that records each question and answers ``answer``."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.questions: list[TrialUpdate] = []

    def __call__(self, trial: TrialUpdate) -> bool:
        self.questions.append(trial)
        return self.answer


@pytest.fixture
def model():
    return AppModel("circles-squares")


def test_a_usual_eta_is_never_asked_about(model):
    model.lr_guard.policy = asked = Asked(False)
    assert model.step() is not None
    model.set_lr(0.05)
    assert model.step() is not None and model.train_for(10.0, max_steps=20) == 20
    assert asked.questions == []


def test_an_eta_that_would_wreck_the_network_is_asked_about_and_cancel_changes_nothing(model):
    model.lr_guard.policy = asked = Asked(False)
    model.set_lr(1e5)
    before = model.network.flat_params().copy()
    assert model.step() is None
    assert model.begin_phased_step() is None and not model.walk.active
    model.start()
    assert not model.running
    assert model.train_for(10.0, max_steps=5) == 0
    assert model.trainer.step_count == 0 and np.array_equal(model.network.flat_params(), before)
    assert len(asked.questions) == 4  # cancelled: asked again each time
    trial = asked.questions[0]
    x, y = model.trainer.next_batch()
    assert trial.lr == 1e5 and trial.wrecks() and trial.loss_before == model.network.loss(x, y)


def test_going_ahead_is_asked_once_per_eta(model):
    model.lr_guard.policy = asked = Asked(True)
    model.loss_jump.set_factor(None)
    model.set_lr(1e5)
    assert model.step() is not None
    model.step()  # refused by the core (a parameter beyond ±10⁶): not asked again
    assert len(asked.questions) == 1 and model.trainer.step_count == 1
    model.reset_weights()
    model.set_lr(0.01)
    model.step()
    model.set_lr(1e5)
    assert model.begin_phased_step() is not None and model.finish_phased_step() is not None
    assert len(asked.questions) == 2 and model.trainer.step_count == 2


def test_the_trial_of_an_update_on_the_drawing_is_on_the_drawing(model):
    model.lr_guard.policy = asked = Asked(False)
    model.set_lr(1e5)
    assert model.step_on_input() is None and model.begin_phased_step(on_input=True) is None
    assert len(asked.questions) == 2
    # the drawing's loss before the trial update is the loss the network has on it
    assert asked.questions[0].loss_before == pytest.approx(model.network.loss(model.input[None, :],
                                                                              np.array([model.target])))


def test_scripts_pass_a_policy_and_go_ahead_is_the_default(model):
    assert model.lr_guard.policy is GO_AHEAD
    model.lr_guard.policy = CANCEL
    model.set_lr(1e5)
    assert model.step() is None


# ------------------------------------------------------------------ loss jump
def test_an_update_that_multiplies_the_loss_pauses_training_and_steps_back_before_it(model):
    model.train_for(10.0, max_steps=3)
    position, params = model.time.history.position, model.network.flat_params().copy()
    jumps = []
    model.loss_jump.loss_jumped.connect(jumps.append)
    model.set_lr(1e5)  # the default policy goes ahead
    model.start()
    assert model.running
    trace = model.step()
    assert trace is not None and not model.running
    [jump] = jumps
    assert jump.after > 10 * jump.before and jump.first == 3 and jump.last == 4
    assert jump.from_position == position and model.loss_jump.jump is jump
    assert "update 4" in jump.words(10)
    withdrawn = []
    model.loss_jump.withdrawn.connect(lambda: withdrawn.append(True))
    assert model.loss_jump.back_before_jump()
    assert model.time.history.position == position and np.array_equal(model.network.flat_params(), params)
    assert withdrawn == [True] and model.loss_jump.jump is None
    assert not model.loss_jump.back_before_jump()


def test_fast_training_that_jumps_pauses_at_the_end_of_its_slice(model):
    model.set_lr(8.0)
    jumps = []
    model.loss_jump.loss_jumped.connect(jumps.append)
    model.start()
    n = model.train_for(10.0, max_steps=6)
    assert n == 6 and not model.running
    [jump] = jumps
    assert (jump.first, jump.last, jump.from_position) == (0, 6, 0)
    assert "updates 1–6" in jump.words(10)


def test_the_offer_lapses_once_the_timeline_moves_on(model):
    model.set_lr(1e5)
    model.step()
    assert model.loss_jump.jump is not None
    model.set_lr(1e-5)
    assert model.step() is not None
    assert model.loss_jump.jump is None and not model.loss_jump.back_before_jump()


def test_the_factor_is_checked_and_none_watches_nothing(model):
    with pytest.raises(ValueError, match="above 1"):
        model.loss_jump.set_factor(0.5)
    model.loss_jump.set_factor(None)
    jumps = []
    model.loss_jump.loss_jumped.connect(jumps.append)
    model.set_lr(1e5)
    model.step()
    assert jumps == []
    model.loss_jump.set_factor(1e30)
    model.step()
    assert jumps == []


def test_cancelling_at_a_past_moment_forks_nothing(model):
    for _ in range(3):
        model.step()
    model.go_to(1)
    model.lr_guard.policy = CANCEL
    model.set_lr(1e5)
    model.start()
    assert model.step_on_input() is None and not model.running
    h = model.time.history
    assert (h.position, h.last, len(h.branches)) == (1, 3, 0)
