"""The model's parts on their own: undo, the input, the phase walk, time travel and the fork rule."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.model import DISCARD_LATER, KEEP_BRANCH, AppModel, ForkQuestion, UndoStack, always


def recorder(signal):
    calls = []
    signal.connect(lambda *args: calls.append(args))
    return calls


@pytest.fixture
def model():
    return AppModel("circles-squares")


# ------------------------------------------------------------------ undo
class Note:
    def __init__(self, log, text):
        self.log, self.text = log, text

    def redo(self):
        self.log.append(self.text)

    def undo(self):
        self.log.remove(self.text)


def test_undo_stack_does_undoes_redoes_and_drops_the_undone_on_push():
    stack, log = UndoStack(), []
    changes = recorder(stack.changed)
    stack.push(Note(log, "a"))
    stack.push(Note(log, "b"))
    assert log == ["a", "b"] and stack.undo_text == "b" and not stack.can_redo
    stack.undo()
    assert log == ["a"] and stack.redo_text == "b" and stack.index == 1
    stack.push(Note(log, "c"))
    assert log == ["a", "c"] and len(stack) == 2 and [stack.text(i) for i in range(2)] == ["a", "c"]
    stack.undo(), stack.undo(), stack.undo()  # the third does nothing
    assert log == [] and not stack.can_undo and stack.undo_text == ""
    stack.redo()
    assert log == ["a"] and len(changes) == 7
    stack.clear()
    assert len(stack) == 0 and len(changes) == 8


# ------------------------------------------------------------------ input
def test_input_edits_are_checked_and_each_is_one_undo(model):
    d = model.drawing
    changes = recorder(d.changed)
    before = model.input.copy()
    with pytest.raises(ValueError, match="has 3 values"):
        model.edit_input(np.zeros(3), "Bad")
    with pytest.raises(ValueError, match="NaN"):
        model.edit_input(np.full(64, np.nan), "Bad")
    with pytest.raises(ValueError, match="from 0 to 1"):
        model.set_target(2)
    assert changes == [] and len(d.undo_stack) == 0
    model.edit_input(np.full(64, 2.0), "Fill", target=1)
    assert np.all(model.input == 1.0) and model.target == 1  # clipped to [0, 1]
    d.undo_stack.undo()
    assert np.array_equal(model.input, before) and model.target == 0 and len(changes) == 2


def test_the_forward_pass_follows_the_input_and_the_network(model):
    p0 = model.probabilities().copy()
    model.set_input(1 - model.input)
    p1 = model.probabilities().copy()
    assert not np.array_equal(p0, p1)
    assert np.array_equal(p1, model.network.forward(model.input).probs[0])
    model.step()
    assert np.array_equal(model.probabilities(), model.network.forward(model.input).probs[0])


# ------------------------------------------------------------------ phase walk
def test_a_walk_shows_each_phase_and_cancel_applies_nothing(model):
    walks = recorder(model.walk.changed)
    before = model.network.flat_params().copy()
    trace = model.begin_phased_step()
    assert model.pending_trace is trace and model.phase == model.phases[0]
    model.next_phase(), model.next_phase(), model.previous_phase()
    assert model.phase == model.phases[1]
    model.walk.show(model.phases[-1])
    assert model.walk.at_last
    model.cancel_phased_step()
    assert model.phase is None and model.pending_trace is None
    assert np.array_equal(model.network.flat_params(), before) and model.trainer.step_count == 0
    assert len(walks) == 6


def test_a_change_of_the_network_drops_the_walked_update(model):
    model.begin_phased_step()
    model.set_lr(0.05)
    assert model.pending_trace is None and model.trainer.lr == 0.05


# ------------------------------------------------------------------ time travel and forks
def stepped(model, n):
    for _ in range(n):
        assert model.step() is not None
    return model


def test_a_seed_set_at_a_past_moment_forks_and_is_logged_as_an_edit(model):
    """The seed bug: at update 4 of 6 the seed changed the config alone, with nothing recorded."""
    stepped(model, 6)
    model.go_to(4)
    model.set_seed(7)
    h = model.time.history
    assert model.config.seed == model.trainer.seed == 7
    assert model.at_newest and h.last == 5 and h.kind(5) == "edit" and len(h.branches) == 1
    assert model.time.update_number(h.last) == 4
    model.go_to(4)  # back before the edit: the old seed in both places
    assert model.config.seed == model.trainer.seed == 0
    model.go_to(5)
    assert model.config.seed == model.trainer.seed == 7


def test_every_change_at_a_past_moment_asks_the_policy_and_cancel_changes_nothing(model):
    questions = []

    def cancel(question: ForkQuestion):
        questions.append(question)

    stepped(model, 5)
    model.go_to(2)
    model.time.fork_policy = cancel
    params = model.network.flat_params().copy()
    from neuroviz.core.selection import Selection

    attempts = [model.step, model.step_on_input, lambda: model.train_for(0.01, 3), model.start,
                model.begin_phased_step, lambda: model.set_seed(9),
                lambda: model.set_shuffle(not model.trainer.shuffle),
                lambda: model.set_parameter(Selection("weight", 0, 0, 0), 1.0),
                lambda: model.add_current_to_dataset()]
    for attempt in attempts:
        attempt()
    assert len(questions) == len(attempts)
    assert questions[0] == ForkQuestion(now=2, newest=5, later=3)
    assert np.array_equal(model.network.flat_params(), params) and model.time.history.last == 5
    assert model.config.seed == model.trainer.seed == 0 and model.trainer.shuffle and not model.running


def test_discard_forgets_the_later_updates_and_keep_returns_to_them(model):
    stepped(model, 6)
    newest = model.network.flat_params().copy()
    model.go_to(3)
    model.time.fork_policy = DISCARD_LATER
    model.step()
    assert model.time.history.last == 4 and not model.time.history.branches
    model.go_to(2)
    model.time.fork_policy = KEEP_BRANCH
    model.step()
    (branch,) = model.time.history.branches
    model.go_to(branch)  # one method for positions and branches
    assert model.trainer.step_count == 4 and model.at_newest
    model2 = stepped(AppModel("circles-squares"), 6)
    assert np.array_equal(model2.network.flat_params(), newest)


def test_going_to_a_moment_shows_its_update_and_keeps_the_drawing(model):
    traces = [stepped(model, 1).last_trace for _ in range(4)]
    drawing, target = model.input.copy(), model.target
    times = recorder(model.time.changed)
    model.go_to(2)
    trace = model.last_trace
    assert trace.loss == traces[1].loss
    assert np.array_equal(model.input, drawing) and model.target == target
    assert model.document.modified and len(times) == 1
    model.go_to(2)
    assert len(times) == 1  # already there
    assert always(None)(model.time.question()) is None
