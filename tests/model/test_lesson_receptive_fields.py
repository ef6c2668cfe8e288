"""The diagram's receptive fields are model state: ViewState holds them, lessons set them and wait for them."""

from __future__ import annotations

import pytest

from neuroviz.model import AppModel
from neuroviz.model.lesson import LessonRun, check_lesson, shipped_lessons
from neuroviz.model.lesson_context import ModelContext
from neuroviz.model.lesson_expr import ExprError, parse_condition
from neuroviz.model.lesson_format import LessonError, parse_lesson
from neuroviz.model.view_state import ViewState


def test_view_state_holds_the_receptive_fields_and_says_when_they_change():
    view = ViewState()
    changes: list[None] = []
    view.changed.connect(lambda: changes.append(None))
    assert view.receptive_fields is False
    view.set_receptive_fields(True)
    view.set_receptive_fields(True)  # no change, no event
    assert view.receptive_fields is True and len(changes) == 1
    view.set_receptive_fields(False)
    assert view.receptive_fields is False and len(changes) == 2


def test_the_receptive_fields_condition_reads_the_view():
    model = AppModel("paper-figure-4")
    on, off = parse_condition("receptive-fields on"), parse_condition("receptive-fields off and edges weights")
    assert not on.holds(ModelContext(model)) and off.holds(ModelContext(model))
    model.view.set_receptive_fields(True)
    assert on.holds(ModelContext(model)) and not off.holds(ModelContext(model))


@pytest.mark.parametrize("text", ["receptive-fields", "receptive-fields yes", "receptive-fields on off"])
def test_the_receptive_fields_condition_takes_on_or_off(text):
    with pytest.raises(ExprError, match="on, off"):
        parse_condition(text)


def test_the_view_action_turns_the_receptive_fields_on_and_off():
    source = ("# V\n## One\n@view receptive-fields=on\nText.\n\n"
              "## Two\n@view edges=updates receptive-fields=off\nText.\n")
    model = AppModel()
    run = LessonRun(model, (parse_lesson(source, "v"),))
    run.start("v")
    assert model.view.receptive_fields and model.edge_mode == "weights"
    run.next()
    assert not model.view.receptive_fields and model.edge_mode == "updates"
    with pytest.raises(LessonError, match="receptive-fields= takes on or off"):
        parse_lesson(source.replace("=on", "=yes"), "v")


def test_lesson_7_waits_for_the_receptive_fields_and_its_solution_passes():
    lesson = next(lesson for lesson in shipped_lessons() if lesson.id == "07-receptive-fields")
    assert check_lesson(lesson).passed, check_lesson(lesson).problem
    model = AppModel()
    model.view.set_receptive_fields(True)
    run = LessonRun(model, (lesson,))
    run.start(lesson.id)
    s = run.state
    assert s is not None and s.error == "" and "Receptive fields" in s.task
    assert not model.view.receptive_fields and not s.task_done and not run.can_go_on()  # the set-up turns them off
    model.view.set_receptive_fields(True)
    assert s.task_done and s.complete and run.can_go_on()
    run.next()
    assert run.state is not None and not run.state.task_done
    model.view.set_receptive_fields(False)
    model.select(parse_condition("selected b_1").clauses[0].element)  # type: ignore[attr-defined]
    assert not run.state.task_done  # b_1 is picked, but its weights are not drawn
    model.view.set_receptive_fields(True)
    assert run.state.task_done
