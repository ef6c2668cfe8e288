"""Predict, then reveal: which questions a walk asks before each phase, how answers are checked and scored,
and that the phase stays hidden until its questions are answered."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.notation import weight_label
from neuroviz.core.numbers import fmt
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.model.quiz import Score, agrees, check, parse_number, parse_sign, shown_answer
from neuroviz.model.quiz_questions import Question, questions_for


def figure4() -> AppModel:
    model = AppModel("paper-figure-4")
    return model


def walk_to(model: AppModel, phase: Phase) -> None:
    """Walk with Next, skipping every question on the way, until ``phase`` is shown."""
    while model.phase != phase:
        if model.quiz.question is not None:
            model.quiz.skip()
        else:
            model.next_phase()


def asked_about_delta_c(level: str) -> AppModel:
    """Figure 4 walked to the loss, Next pressed: the questions about δ^c being asked."""
    model = figure4()
    model.quiz.set_level(level)
    model.begin_phased_step()
    walk_to(model, Phase("loss"))
    model.next_phase()
    return model


def number(q: Question, digits: int = 3) -> str:
    return shown_answer(q, digits)


# ------------------------------------------------------------------ reading and checking answers
@pytest.mark.parametrize(("text", "value"), [
    ("0.123", 0.123), ("−0.5", -0.5), ("-0.5", -0.5), (" 1.2e-3 ", 0.0012), ("1.2×10^−3", 0.0012),
    ("1.2x10^-3", 0.0012), ("1.2×10⁻³", 0.0012), ("0,25", 0.25), ("3", 3.0),
])
def test_numbers_are_read_as_typed_or_as_the_app_writes_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1..2", "nan", "inf", "1,2.3"])
def test_what_is_not_a_number_is_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="number"):
        parse_number(text)


@pytest.mark.parametrize(("text", "sign"), [("+", 1), ("plus", 1), ("−", -1), ("-", -1), ("negative", -1),
                                            ("0", 0), ("zero", 0), ("-0.3", -1), ("2", 1)])
def test_signs(text, sign):
    assert parse_sign(text) == sign
    with pytest.raises(ValueError, match="sign"):
        parse_sign("up")


def test_a_value_is_right_to_the_shown_precision_and_no_further():
    a = 0.123456
    assert agrees(0.123, a) and agrees(0.1235, a) and agrees(0.12346, a)
    assert not agrees(0.12, a) and not agrees(0.124, a) and not agrees(-0.123, a)
    assert agrees(-4.57e-5, -4.5678e-5) and not agrees(-4.6e-5, -4.5678e-5)
    assert agrees(0.1, 0.09996)  # rounds up across a power of ten
    assert agrees(1230.0, 1234.6) and agrees(1235.0, 1234.6) and not agrees(1240.0, 1234.6)
    assert agrees(0.12, a, digits=2) and not agrees(0.12, a, digits=4)
    assert agrees(0.0, 0.0) and not agrees(1e-4, 0.0)


# ------------------------------------------------------------------ which questions
def figure4_trace():
    model = figure4()
    trace = model.begin_phased_step()
    return model, trace


def kinds(questions: list[Question]) -> list[tuple[str, str]]:
    return [(q.kind, q.quantity.split("_")[0]) for q in questions]


def test_each_level_asks_its_own_questions_of_each_phase():
    model, trace = figure4_trace()
    rng = lambda: np.random.default_rng(0)  # noqa: E731
    cfg = model.config
    back_c, loss, update, first, out = Phase("backward", 2), Phase("loss"), Phase("update"), Phase("forward", 1), \
        Phase("forward", 2)
    assert questions_for(back_c, trace, cfg, "off", 0, rng()) == []
    assert kinds(questions_for(back_c, trace, cfg, "signs", 0, rng())) == [("sign", "the sign of δ^c")]
    assert kinds(questions_for(back_c, trace, cfg, "values", 0, rng())) == [("number", "δ^c"),
                                                                            ("number", "∂L/∂θ^{cb}")]
    assert [q.kind for q in questions_for(back_c, trace, cfg, "everything", 0, rng())] == ["number", "sign", "number"]
    assert [q.kind for q in questions_for(update, trace, cfg, "signs", 0, rng())] == ["sign"]
    assert [q.kind for q in questions_for(update, trace, cfg, "values", 0, rng())] == ["number"]
    assert [q.kind for q in questions_for(update, trace, cfg, "everything", 0, rng())] == ["number", "sign", "choice"]
    assert questions_for(loss, trace, cfg, "values", 0, rng()) == []
    assert [q.quantity for q in questions_for(loss, trace, cfg, "everything", 0, rng())] == ["L"]
    assert questions_for(first, trace, cfg, "everything", 0, rng()) == []  # shown as the walk begins
    assert [q.kind for q in questions_for(out, trace, cfg, "everything", 0, rng())] == ["number"]


def test_answers_are_the_traces_own_numbers_and_the_working_is_the_cores():
    model, trace = figure4_trace()
    delta, grad = questions_for(Phase("backward", 2), trace, model.config, "values", 0, np.random.default_rng(1))
    m = delta.target.m
    assert delta.target == Selection("neuron", 2, m) and delta.answer == trace.deltas[1][0, m]
    assert delta.working[0].lhs == delta.quantity and delta.working[0].rhs[-1] == fmtv(trace.deltas[1][0, m])
    t = grad.target
    assert t.kind == "weight" and t.layer == 1 and grad.answer == trace.grad_weights[1][t.m, t.n] != 0
    assert grad.working[0].lhs == grad.quantity
    (new,) = questions_for(Phase("update"), trace, model.config, "values", 0, np.random.default_rng(1))
    w = new.target
    assert new.answer == trace.weights_after[w.layer][w.m, w.n]
    assert new.working[0].lhs.endswith(":=")


def fmtv(x: float) -> str:
    return fmt(float(x))


def test_which_weight_changes_most_offers_four_and_knows_the_largest():
    model = AppModel("circles-squares")
    trace = model.begin_phased_step()
    for seed in range(5):
        q = questions_for(Phase("update"), trace, model.config, "everything", 0, np.random.default_rng(seed))[-1]
        assert q.kind == "choice" and len(q.choices) == 4 and len(set(q.choices)) == 4
        layer = q.target.layer
        change = np.abs(trace.weight_updates()[layer])
        cell = {weight_label(layer, m, n): (m, n) for m, n in np.ndindex(*change.shape)}
        sizes = [change[cell[c]] for c in q.choices]
        assert max(sizes) > 0 and q.right_choices == tuple(i + 1 for i, s in enumerate(sizes) if s == max(sizes))
        assert len(q.working) == 4
        assert check(q, str(q.right_choices[0])) and not check(q, str(({1, 2, 3, 4} - set(q.right_choices)).pop()))
        with pytest.raises(ValueError, match="1 to 4"):
            check(q, "5")


def test_a_batch_names_the_sample_a_delta_is_of():
    model = AppModel("circles-squares")
    trace = model.begin_phased_step()
    q = questions_for(Phase("backward", 1), trace, model.config, "values", 2, np.random.default_rng(0))[0]
    assert q.of == f"sample 3 of {trace.batch_size}" and q.answer == trace.deltas[0][2, q.target.m]


# ------------------------------------------------------------------ the walk holds the phase back
def test_off_walks_as_before():
    model = figure4()
    model.begin_phased_step()
    model.next_phase()
    assert model.phase == Phase("forward", 2) and model.quiz.question is None


def test_values_hold_the_delta_phase_back_until_answered_then_reveal_it():
    model = asked_about_delta_c("values")  # δ^c: asked first
    q = model.quiz.question
    assert q is not None and q.phase == Phase("backward", 2) and model.quiz.held == Phase("backward", 2)
    assert model.phase == Phase("loss")  # still: δ^c is not shown anywhere
    progress = model.shown().progress(model.phase)
    assert progress is not None and not progress.knows_delta(2)
    verdict = model.quiz.answer("123")  # wrong
    assert not verdict.right and verdict.expected == number(q) and verdict.given == "123"
    assert model.quiz.score == Score(0, 1, 0)
    assert model.phase == Phase("loss") and model.quiz.question.quantity.startswith("∂L/∂θ")
    grad = model.quiz.question
    verdict = model.quiz.answer(number(grad).replace("−", "-"))
    assert verdict.right and model.quiz.score == Score(1, 1, 0)
    assert model.phase == Phase("backward", 2) and model.quiz.question is None and model.quiz.last is verdict
    assert model.shown().progress(model.phase).knows_delta(2)


def test_an_answer_that_is_no_answer_changes_nothing():
    model = asked_about_delta_c("signs")  # δ^c: asked first
    q = model.quiz.question
    with pytest.raises(ValueError, match="sign"):
        model.quiz.answer("up")
    assert model.quiz.question is q and model.quiz.score == Score() and model.phase == Phase("loss")


def test_next_while_asked_skips_and_reveals_and_back_asks_again_later():
    model = asked_about_delta_c("values")  # δ^c: asked first
    assert model.quiz.remaining == 2
    model.next_phase()  # Next again: skip both
    assert model.phase == Phase("backward", 2) and model.quiz.score == Score(0, 0, 2)
    model.next_phase()  # to δ^b: asked
    assert model.quiz.held == Phase("backward", 1)
    model.previous_phase()  # Back drops the question; Next asks it again
    assert model.quiz.question is None and model.phase == Phase("loss")
    model.walk.show(Phase("backward", 2))
    model.next_phase()
    assert model.quiz.held == Phase("backward", 1)


def test_a_phase_answered_is_not_asked_again_in_the_same_walk_and_a_new_walk_asks_afresh():
    model = figure4()
    model.quiz.set_level("signs")
    model.begin_phased_step()
    walk_to(model, Phase("backward", 2))  # the question on the way was skipped
    model.previous_phase()
    model.next_phase()
    assert model.phase == Phase("backward", 2) and model.quiz.question is None
    model.cancel_phased_step()
    assert model.quiz.last is None and model.quiz.held is None
    model.begin_phased_step()
    walk_to(model, Phase("loss"))
    model.next_phase()
    assert model.quiz.question is not None


def test_the_update_is_asked_before_the_new_values_and_applying_ends_it():
    model = figure4()
    model.quiz.set_level("everything")
    trace = model.begin_phased_step()
    walk_to(model, Phase("backward", 1))
    model.next_phase()
    assert model.quiz.held == Phase("update") and not model.shown().progress(model.phase).updated
    while model.quiz.question is not None:
        q = model.quiz.question
        model.quiz.answer(shown_answer(q))
    assert model.phase == Phase("update") and model.quiz.score.wrong == 0
    assert model.next_phase() is trace  # Apply
    assert model.quiz.question is None and model.quiz.last is None


def test_turning_the_quiz_off_reveals_the_held_phase():
    model = asked_about_delta_c("values")  # δ^c: asked first
    model.quiz.set_level("off")
    assert model.phase == Phase("backward", 2) and model.quiz.question is None
    with pytest.raises(ValueError):
        model.quiz.set_level("hard")


def test_the_score_is_kept_across_walks_and_says_so():
    model = figure4()
    model.quiz.set_level("signs")
    for _ in range(2):
        model.begin_phased_step()
        walk_to(model, Phase("loss"))
        model.next_phase()
        model.quiz.answer(shown_answer(model.quiz.question))
        model.finish_phased_step()
    assert model.quiz.score == Score(2, 0, 0) and model.quiz.score.text() == "2 of 2 right"
    assert Score(1, 1, 2).text() == "1 of 2 right, 2 skipped" and Score().text() == "no answers yet"


def test_questions_follow_the_sample_shown_while_walking():
    model = AppModel("circles-squares")
    model.quiz.set_level("values")
    model.begin_phased_step()
    model.show("sample", 3)
    walk_to(model, Phase("loss"))
    model.next_phase()
    assert model.quiz.question.of.startswith("sample 4 of")


def test_a_walk_on_the_drawing_asks_too():
    model = AppModel("circles-squares")
    model.quiz.set_level("signs")
    trace = model.begin_phased_step(on_input=True)
    assert trace.batch_size == 1
    walk_to(model, Phase("loss"))
    model.next_phase()
    q = model.quiz.question
    assert q.kind == "sign" and q.of == "" and q.sample is None
    assert q.answer == np.sign(trace.deltas[-1][0, q.target.m])
    assert model.quiz.answer(shown_answer(q)).right and model.phase == Phase("backward", 3)
