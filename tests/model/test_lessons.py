"""Lessons without Qt: the file format's errors name the line, numbers come from the core, the engine's steps,
answers, progress and leaving."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.model.lesson import LessonRun, check_lesson, shipped_lessons
from neuroviz.model.lesson_context import ModelContext
from neuroviz.model.lesson_expr import ExprError, parse_condition, parse_expr
from neuroviz.model.lesson_format import LessonError, parse_lesson

TINY = """# Tiny
A summary.

## One
@example paper-figure-4
Figure 4: L = {{L | 4}}.
@task Step once.
@until updates >= 1
@question What is p_1 now?
@answer p_1 ± 0.001
@done p_1 = {{p_1}}
@solve step
@solve answer {answer}

## Two
@select b_3
@question Is b_3 dead?
@correct yes
@choice no
@check b_3^raw < 0
@solve answer 1
"""


def tiny(answer: str = "0.6035") -> str:
    return TINY.replace("{answer}", answer)


def value(model: AppModel, text: str) -> float:
    return parse_expr(text).value(ModelContext(model))


# ------------------------------------------------------------------ the vocabulary
def test_quantities_are_the_cores_numbers_for_figure_4():
    model = AppModel("paper-figure-4")
    trace = model.network.compute_step(model.input, np.array([model.target]), model.trainer.lr)
    assert value(model, "L") == trace.loss == pytest.approx(math.log(1 / 0.6))
    assert value(model, "-log10(p_1)") == pytest.approx(-math.log10(0.6))
    assert value(model, "δ^c_2") == trace.deltas[1][0, 1] == pytest.approx(0.4)
    assert value(model, "delta^b_1") == pytest.approx(-0.232)
    assert value(model, "∂L/∂θ^{cb}_{21}") == trace.grad_weights[1][1, 0] == pytest.approx(0.12)
    assert value(model, "dL/dtheta^{ba}_{11}") == pytest.approx(-0.174)
    assert value(model, "∂L/∂β^c_1") == trace.grad_biases[1][0]
    assert value(model, "θ^{cb}_{11} - η * ∂L/∂θ^{cb}_{11}") == pytest.approx(0.8012)
    assert value(model, "b_3^raw") == pytest.approx(-0.1) and value(model, "b_3") == 0
    assert value(model, "a_4") == 1 and value(model, "r_1") == 1 and value(model, "p(circle)") == value(model, "p_1")
    assert value(model, "max_raw(b_1)") == pytest.approx(0.15 + 0.5 + 0.1)
    model.step()
    assert value(model, "before(L)") == trace.loss and value(model, "before(θ^{cb}_{11})") == 0.8
    assert value(model, "change(θ^{cb}_{11})") == pytest.approx(0.0012)
    assert value(model, "θ^{cb}_{11}") == pytest.approx(0.8012)


def test_conditions_read_the_model_state():
    model = AppModel("paper-figure-4")
    ctx = ModelContext(model, updates=2)
    assert parse_condition("says circle and p(circle) > 0.5 and updates >= 2").holds(ctx)
    assert not parse_condition("says square").holds(ctx)
    assert not parse_condition("selected b_3").holds(ctx)
    model.select(parse_condition("selected b_3").clauses[0].element)  # type: ignore[attr-defined]
    assert parse_condition("selected b_3 and neurons activations and edges weights").holds(ModelContext(model))
    assert parse_condition("η ≤ 0.01 and eta >= 0.01 and B == 1").holds(ModelContext(model))


@pytest.mark.parametrize("text", [
    "__import__('os').system('true') > 0", "L ** 2 > 0", "foo > 1", "L >", "θ^{ca}_{11} > 0", "θ^{cb}_{1} > 0",
    "says", "selected δ^c_1", "edges pixels", "p(1) > 0", "dead(a) > 0", "L < 1 < 2", "mean_abs(b_1) > 0",
])
def test_anything_outside_the_vocabulary_is_refused(text):
    with pytest.raises(ExprError):
        parse_condition(text)


def test_an_index_beyond_the_open_network_is_an_error_not_a_crash():
    with pytest.raises(ExprError, match="index out of range"):
        value(AppModel("paper-figure-4"), "b_9")
    with pytest.raises(ExprError, match="no such layer"):
        value(AppModel("paper-figure-4"), "δ^e_1")


# ------------------------------------------------------------------ the file format
@pytest.mark.parametrize(("change", "line", "words"), [
    (("@until updates >= 1", "@until updates >>= 1"), 8, "cannot read|compares"),
    (("@example paper-figure-4", "@example mnist"), 5, "example takes one of"),
    (("@check b_3^raw < 0", "@check b_3^raw < 0 and os.system"), 20, "cannot read"),
    (("@check b_3^raw < 0", "@check b_3^raw < 0 and system(1) > 0"), 20, "unknown name 'system'"),
    (("Figure 4: L = {{L | 4}}.", "Figure 4: L = {{L | 4}."), 6, "unmatched"),
    (("@select b_3", "@selekt b_3"), 16, "unknown line @selekt"),
    (("@solve answer 1\n", "\n"), 15, "needs a '@solve answer"),
    (("@correct yes", "@choice yes"), 15, "one of them @correct"),
    (("@task Step once.\n", ""), 4, "@task and @until go together"),
])
def test_errors_name_the_file_and_the_line(change, line, words):
    old, new = change
    source = tiny().replace(old, new)
    with pytest.raises(LessonError, match=words) as caught:
        parse_lesson(source, "tiny", "lessons/tiny.md")
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"lessons/tiny.md, line {line}: ")


def test_a_file_needs_a_title_and_steps():
    with pytest.raises(LessonError, match="no title"):
        parse_lesson("## A step\nText.\n", "x")
    with pytest.raises(LessonError, match="no steps"):
        parse_lesson("# Title\nText only.\n", "x")


def test_the_shipped_lessons_parse_and_lesson_1_covers_the_paper():
    lessons = shipped_lessons()
    assert [lesson.id for lesson in lessons] == ["01-paper", "02-paint", "03-learning-rate", "04-dead-relus",
                                                 "05-vanishing-gradients", "06-over-fitting", "07-receptive-fields"]
    titles = [s.title for s in lessons[0].steps]
    for section in ("input encoding", "forward pass", "Softmax", "loss", "output error", "δ recursion",
                    "update", "Mini-batch"):
        assert any(section in t for t in titles), section


# ------------------------------------------------------------------ the engine
def test_a_solution_that_completes_every_step_passes_and_a_wrong_answer_fails():
    lesson = parse_lesson(tiny(), "tiny")
    assert check_lesson(lesson).passed, check_lesson(lesson).problem
    failed = check_lesson(parse_lesson(tiny("0.9"), "tiny"))
    assert not failed.passed
    assert failed.line().startswith("FAIL tiny: Tiny: step 1 “One” (line 4): line 13: the answer '0.9'")
    claim = check_lesson(parse_lesson(tiny().replace("b_3^raw < 0", "b_3^raw > 0"), "tiny"))
    assert "line 20: 'b_3^raw > 0' (-0.1 > 0) does not hold" in claim.problem


def test_lesson_1_writes_the_cores_numbers_into_its_text():
    run = LessonRun(AppModel(), shipped_lessons()[:1])
    run.start("01-paper")
    while run.step is not None and run.step.title != "The loss":
        assert run.play_solution() == ""
        run.next()
    assert run.state is not None
    assert f"L = −ln p_1 = −ln 0.6 = {fmt(math.log(1 / 0.6), 4)}" in run.state.text
    assert f"−log_{{10}} 0.6 = {fmt(-math.log10(0.6), 4)}" in run.state.text


def test_next_waits_for_the_task_and_the_answer_and_progress_grows():
    model = AppModel()
    run = LessonRun(model, (parse_lesson(tiny(), "tiny"),))
    progress = []
    run.progress_changed.connect(lambda lesson_id, n: progress.append((lesson_id, n)))
    run.start("tiny")
    s = run.state
    assert s is not None and s.text == f"Figure 4: L = {fmt(math.log(1 / 0.6), 4)}." and s.task == "Step once."
    assert not s.task_done and s.prompt == "" and not run.can_go_on()
    assert not run.answer("0.6035")  # the question is asked once the task is done
    run.next()
    assert run.state is s
    model.step()
    assert s.task_done and s.prompt == "What is p_1 now?" and not s.complete
    assert not run.answer("0.5") and "off by more than 0.001" in s.feedback
    assert not run.answer("zero") and "not a number" in s.feedback
    assert not run.answer("6.035×10⁻²") and run.answer("6.035×10⁻¹")
    assert s.complete and s.done_text.startswith("p_1 = 0.6034")
    assert progress == [("tiny", 1)]
    run.next()
    assert run.state is not None and run.state.index == 1 and run.state.choices == ("yes", "no")
    assert not run.answer(1) and run.answer(0) and run.state.complete
    assert progress == [("tiny", 1), ("tiny", 2)] and run.completed(run.lessons[0]) == 2
    run.back()
    assert run.state.index == 0 and not run.state.task_done and run.can_go_on()  # completed before


def test_leaving_puts_the_app_back_as_it_was():
    model = AppModel()
    model.train_for(10, 5)
    model.set_input(np.full(64, 0.5))
    before = model.network.copy()
    run = LessonRun(model, (parse_lesson(tiny(), "tiny"),))
    run.start("tiny")
    assert model.network.sizes == (4, 3, 2)
    model.step()
    model.start()
    run.leave()
    assert not run.active and not model.running
    assert model.network.sizes == (64, 16, 16, 2)
    assert all(np.array_equal(a, b) for a, b in zip(model.network.weights, before.weights))
    assert np.array_equal(model.input, np.full(64, 0.5)) and model.trainer.step_count == 5
    assert model.document.modified  # unsaved changes stay unsaved
    h = model.time.history  # and the timeline before the lesson, every moment of it
    assert (h.first, h.position, h.last) == (0, 5, 5)
    model.go_to(0)
    assert model.trainer.step_count == 0


def test_resuming_plays_the_steps_done_before():
    run = LessonRun(AppModel(), (parse_lesson(tiny(), "tiny"),))
    run.progress["tiny"] = 1
    run.start("tiny", resume=True)
    assert run.state is not None and run.state.index == 1 and run.state.error == ""
    assert run.model.trainer.step_count == 1  # step 1's solution was played


def test_a_bad_number_in_a_long_text_names_its_own_line():
    text = "Figure 4.\n\nSecond paragraph.\n@show inspector\nL = {{L + }}."
    source = tiny().replace("Figure 4: L = {{L | 4}}.", text)
    with pytest.raises(LessonError) as caught:
        parse_lesson(source, "tiny")
    assert caught.value.line == 10, str(caught.value)


def test_set_up_actions_drive_the_model():
    source = """# Actions
## One
@network 64-8-2 hidden=tanh seed=4
@training-samples 10
@lr 0.05
@batch 4
@sample square
@target circle
@set θ^{ba}_{12} = 0.25
@set β^b_2 = -3
@select θ^{ba}_{12}
@view edges=gradients neurons=deltas
@show inspector
Text.

## Two
@input 00000000/00999900/09000090/09000090/09000090/09000090/00999900/00000000
@train 5
Text.
"""
    model = AppModel()
    run = LessonRun(model, (parse_lesson(source, "actions"),))
    shown: list[str] = []
    run.show_requested.connect(shown.append)
    run.start("actions")
    assert run.state is not None and run.state.error == ""
    assert model.network.sizes == (64, 8, 2) and model.config.hidden_activation == "tanh"
    assert model.config.seed == 4 and len(model.dataset.train_indices) == 10
    assert len(model.dataset.test_indices) == 500 and model.trainer.lr == 0.05 and model.trainer.batch_size == 4
    ds = model.dataset
    first_square = int(np.flatnonzero((ds.y == 1) & ~ds.is_test)[0])
    assert np.array_equal(model.input, ds.X[first_square]) and model.target == 0  # a square, its target circle
    assert model.network.weights[0][0, 1] == 0.25 and model.network.biases[0][1] == -3
    assert model.selection is not None and model.selection.label() == "θ^{ba}_{12}"
    assert (model.edge_mode, model.node_mode) == ("gradients", "deltas") and shown == ["inspector"]
    run.next()
    assert model.input.reshape(8, 8)[1].tolist() == [0, 0, 1, 1, 1, 1, 0, 0] and model.trainer.step_count == 5
    assert run.state is not None and run.state.updates == 0  # set-up updates are not the student's


def test_an_action_the_model_refuses_is_shown_and_does_not_trap_the_student():
    source = "# Refused\n## One\n@example paper-figure-4\n@input 09/90/99\n@task Step.\n@until updates >= 1\n"
    run = LessonRun(AppModel(), (parse_lesson(source, "refused"),))
    run.start("refused")
    assert run.state is not None and run.state.error.startswith("line 4: input 09/90/99: the drawing is 3×2")
    assert run.can_go_on()


def test_a_task_sees_every_change_of_the_network_the_data_and_the_drawing():
    source = "# Watch\n## One\n@example paper-figure-4\n@task Change it.\n@until CONDITION\n@solve step\n"
    bias = Selection("bias", 1, 0)  # β^c_1
    cases = [
        ("β^c_1 > 5 and p_1 > 0.99", lambda m: m.set_parameter(bias, 9)),
        ("r_2 == 1 and L > 0.9", lambda m: m.set_target(1)),
        ("a_1 == 0 and train_samples == 2", lambda m: (m.set_input(np.zeros(4)), m.add_current_to_dataset())),
    ]
    for condition, change in cases:
        model = AppModel()
        run = LessonRun(model, (parse_lesson(source.replace("CONDITION", condition), "watch"),))
        run.start("watch")
        assert run.state is not None and not run.state.task_done  # its numbers were computed (and kept) here
        change(model)
        assert run.state.task_done, condition

