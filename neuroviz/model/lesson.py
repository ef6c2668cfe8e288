"""The lesson engine: one lesson at a time, step by step, over the ``AppModel`` (no Qt).

``LessonRun(model)`` holds the shipped lessons (or others) and the progress
made in each (``progress``: how many steps were completed, kept by the window
between runs).  ``start`` remembers the app's state as it was and enters the
first step (or, resuming, plays the solutions of the steps already done and
enters the next): a step runs its set-up actions, writes its text with the
numbers of that moment, and then watches the model: its task is done when its
condition first holds, its question when it is answered right.  When both are
done the step is complete: its ``@check`` claims are evaluated, its ``@done``
text is written and ``progress`` grows.  ``leave`` (also the last step's Next)
stops training and puts the app back exactly as it was before the lesson.

``check_lesson`` plays a lesson's scripted solution on a fresh model, for
``neuroviz lesson --check`` and the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from psygnal import Signal

from neuroviz.core import numbers
from neuroviz.io.snapshot import Snapshot
from neuroviz.model.app_model import AppModel
from neuroviz.model.lesson_context import ModelContext
from neuroviz.model.lesson_expr import Compare, Condition, ExprError
from neuroviz.model.lesson_format import Lesson, LessonError, Step, parse_lesson

LESSONS_PACKAGE = "neuroviz.resources"
LESSONS_FOLDER = "lessons"


def shipped_lessons() -> tuple[Lesson, ...]:
    """The lessons in the package (``resources/lessons/*.md``), by file name."""
    folder = resources.files(LESSONS_PACKAGE).joinpath(LESSONS_FOLDER)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".md")), key=lambda f: f.name)
    return tuple(parse_lesson(f.read_text(encoding="utf-8"), f.name[:-3], f"lessons/{f.name}") for f in files)


@dataclass
class StepState:
    """What the student sees of the step entered, and how far it is done.

    ``text`` and ``task`` are plain text in the paper's notation with the
    numbers of the moment the step began; ``prompt`` and ``choices`` (the
    question, asked once the task is done) those of the moment it was asked;
    ``done_text`` those of the moment the step was completed; ``feedback`` answers the last answer;
    ``error`` says what went wrong (a set-up the model refused, a number that
    cannot be computed); ``failed_checks`` lists the step's claims that do not
    hold.
    """

    index: int
    text: str = ""
    task: str = ""
    prompt: str = ""
    choices: tuple[str, ...] = ()
    task_done: bool = False
    answered: bool = False
    feedback: str = ""
    done_text: str = ""
    error: str = ""
    failed_checks: list[str] = field(default_factory=list)
    complete: bool = False
    updates: int = 0


def explain(condition: Condition, ctx: ModelContext) -> str:
    """``condition`` with the values its comparisons see now (``L = 0.51 < 0.3``)."""
    out = []
    for clause in condition.clauses:
        if isinstance(clause, Compare):
            try:
                out.append(f"{clause.left.value(ctx):.6g} {clause.op} {clause.right.value(ctx):.6g}")
            except ExprError as exc:
                out.append(str(exc))
    return f"{condition.text!r}" + (f" ({'; '.join(out)})" if out else "")


class LessonRun:
    """The lesson being done over ``model`` (see the module docstring).

    Signals: ``changed`` (the step or its state changed), ``show_requested(str)``
    (a step asks for a panel, one of ``lesson_steps.PANELS``),
    ``progress_changed(str, int)`` (a lesson's id and its completed steps) and
    ``active_changed(bool)`` (a lesson began, before it changes anything; or ended,
    after the state before it is back).
    """

    changed = Signal()
    show_requested = Signal(str)
    progress_changed = Signal(str, int)
    active_changed = Signal(bool)

    def __init__(self, model: AppModel, lessons: tuple[Lesson, ...] | None = None) -> None:
        self.model = model
        self.lessons = shipped_lessons() if lessons is None else lessons
        self.progress: dict[str, int] = {}
        self.lesson: Lesson | None = None
        self.state: StepState | None = None
        self._before: tuple[Snapshot, str | None, bool] | None = None
        self._busy = False
        self._cache: dict[str, Any] = {}
        """The numbers of the model as it is (``ModelContext``), emptied when the network, data or drawing change."""
        self._connections: list[tuple[Any, Callable[..., None]]] = [
            (signal, self._on_model_changed)
            for signal in (model.document.network_changed, model.document.dataset_changed, model.drawing.changed,
                           model.view.changed, model.view.selection_changed, model.running_changed,
                           model.time.changed)
        ]
        self._connections += [(model.stepped, self._stepped), (model.trained, self._count)]
        # Connected first, so that every evaluation after a change reads it afresh.
        self._connections[:0] = [(signal, self._forget) for signal in (
            model.document.network_changed, model.document.dataset_changed, model.drawing.changed)]
        for signal, handler in self._connections:
            signal.connect(handler)

    def detach(self) -> None:
        """Stop watching the model (the run's window is gone)."""
        for signal, handler in self._connections:
            signal.disconnect(handler)
        self._connections = []

    # ------------------------------------------------------------ reading
    @property
    def active(self) -> bool:
        return self.lesson is not None

    @property
    def state_before(self) -> tuple[Snapshot, str | None, bool] | None:
        """The app's state when the lesson began: a snapshot, its file, and whether it had unsaved changes."""
        return self._before

    @property
    def step(self) -> Step | None:
        if self.lesson is None or self.state is None:
            return None
        return self.lesson.steps[self.state.index]

    def find(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(f"no lesson {lesson_id!r}")

    def completed(self, lesson: Lesson) -> int:
        """How many of ``lesson``'s steps were completed (in this run or an earlier one)."""
        return min(self.progress.get(lesson.id, 0), len(lesson.steps))

    def can_go_on(self) -> bool:
        """Next is allowed: the step is complete, was completed before, or cannot be done (its error)."""
        s = self.state
        return s is not None and (s.complete or bool(s.error) or s.index < self.completed(self._lesson()))

    # ------------------------------------------------------------ moving
    def start(self, lesson_id: str, resume: bool = False) -> None:
        """Begin ``lesson_id`` at its first step (``resume``: after the steps completed before)."""
        lesson = self.find(lesson_id)
        if self.lesson is None:
            doc = self.model.document
            self._before = (self.model.snapshot_state(), doc.file_path, doc.modified)
            self.active_changed.emit(True)
        self.model.stop()
        self.lesson = lesson
        at = min(self.completed(lesson), len(lesson.steps) - 1) if resume else 0
        for index in range(at):
            self._enter(index)
            problem = self.play_solution()
            if problem:
                self._enter(index)
                self.state.error = f"Could not replay the steps before this one: {problem}"  # type: ignore[union-attr]
                self.changed.emit()
                return
        self._enter(at)

    def next(self) -> None:
        """The next step; after the last, leave the lesson."""
        if self.state is None or not self.can_go_on():
            return
        if self.state.index + 1 >= len(self._lesson().steps):
            self.leave()
        else:
            self._enter(self.state.index + 1)

    def back(self) -> None:
        """The step before, begun again."""
        if self.state is not None and self.state.index > 0:
            self._enter(self.state.index - 1)

    def leave(self) -> None:
        """End the lesson: stop training, drop a walk, and open the app's state as it was before it."""
        if self.lesson is None:
            return
        self.model.stop()
        self.model.cancel_phased_step()
        self.lesson, self.state = None, None
        if self._before is not None:
            snapshot, path, modified = self._before
            self._before = None
            self.model.restore(snapshot, path)
            if modified:
                self.model.document.mark_modified()
        self.active_changed.emit(False)
        self.changed.emit()

    # ------------------------------------------------------------ answering
    def answer(self, given: str | int) -> bool:
        """Answer the step's question: a choice's index (0-based) or a number as typed.  True if right."""
        step, s = self.step, self.state
        if step is None or s is None or step.question is None or not s.task_done or s.answered:
            return False
        q = step.question
        if q.answer is None:
            right = isinstance(given, int) and given == q.correct
            s.feedback = "Right." if right else "Not this one: look again and try another."
        else:
            number = _number(given)
            try:
                expected = q.answer.value(self._context())
            except ExprError as exc:
                s.error = str(exc)
                self.changed.emit()
                return False
            right = number is not None and abs(number - expected) <= q.tolerance
            if right:
                s.feedback = "Right."
            elif number is None:
                s.feedback = "That is not a number: type it as 0.25, −1.5 or 2×10⁻³."
            else:
                s.feedback = f"Not quite: {given} is off by more than {numbers.fmt(q.tolerance)}. Try again."
        s.answered = right
        self._update()
        return right

    # ------------------------------------------------------------ internal
    def _lesson(self) -> Lesson:
        if self.lesson is None:
            raise RuntimeError("no lesson is running")
        return self.lesson

    def _context(self) -> ModelContext:
        return ModelContext(self.model, 0 if self.state is None else self.state.updates, self._cache)

    def _forget(self, *_: Any) -> None:
        self._cache.clear()

    def show_panel(self, panel: str) -> None:
        """What a ``show`` action does: ask the window for the panel."""
        self.show_requested.emit(panel)

    def _enter(self, index: int) -> None:
        step = self._lesson().steps[index]
        self.state = s = StepState(index)
        self._busy = True
        try:
            for line, action in step.setup:
                try:
                    action.apply(self)
                except ValueError as exc:
                    s.error = f"line {line}: {action.text}: {exc}"
                    break
        finally:
            self._busy = False
        s.updates = 0
        ctx = self._context()
        try:
            s.text = step.text.render(ctx)
            s.task = step.task.render(ctx) if step.task is not None else ""
        except ExprError as exc:
            s.error = s.error or str(exc)
        self._update()

    def _stepped(self, *_: Any) -> None:
        self._count(1)

    def _count(self, n: int) -> None:
        if self.state is not None:
            self.state.updates += int(n)
            self._on_model_changed()

    def _on_model_changed(self, *_: Any) -> None:
        if not self._busy and self.state is not None and not self.state.complete:
            self._update()

    def _update(self) -> None:
        step, s = self.step, self.state
        if step is None or s is None:
            return
        ctx = self._context()
        try:
            if not s.task_done:
                s.task_done = step.until is None or step.until.holds(ctx)
                if s.task_done and step.question is not None:
                    s.prompt = step.question.prompt.render(ctx)
                    s.choices = tuple(c.render(ctx) for c in step.question.choices)
            if s.task_done and (step.question is None or s.answered) and not s.complete:
                self._complete(step, s, ctx)
        except ExprError as exc:
            s.error = str(exc)
        self.changed.emit()

    def _complete(self, step: Step, s: StepState, ctx: ModelContext) -> None:
        s.complete = True
        s.failed_checks = [f"line {line}: {explain(c, ctx)} does not hold" for line, c in step.checks
                           if not c.holds(ctx)]
        s.done_text = step.done.render(ctx) if step.done is not None else ""
        lesson = self._lesson()
        if s.index + 1 > self.progress.get(lesson.id, 0):
            self.progress[lesson.id] = s.index + 1
            self.progress_changed.emit(lesson.id, s.index + 1)

    def play_solution(self) -> str:
        """Play the step's scripted solution from where it is; '' if it completes it, else what went wrong."""
        step, s = self.step, self.state
        if step is None or s is None:
            return "no lesson is running"
        for solve in step.solution:
            if s.error:
                break
            if solve.action is not None:
                try:
                    solve.action.apply(self)
                except ValueError as exc:
                    return f"line {solve.line}: {solve.action.text}: {exc}"
            elif solve.answer is not None:
                if not s.task_done:
                    return f"line {solve.line}: the question is not asked yet (the task is not done)"
                question = step.question
                assert question is not None
                given: str | int = solve.answer
                if question.answer is None:
                    given = _choice_index(solve.answer, s.choices)
                if not self.answer(given):
                    return f"line {solve.line}: the answer {solve.answer!r} is not accepted"
        if s.error:
            return s.error
        if not s.complete:
            if not s.task_done and step.until is not None:
                return f"the task is not done: {explain(step.until, self._context())} does not hold"
            return "the question is not answered"
        if s.failed_checks:
            return "; ".join(s.failed_checks)
        return ""


def _number(given: str | int) -> float | None:
    """A typed answer as the app writes numbers (``−0.12``, ``1.5×10⁻³``, ``1,024``), or ``None``."""
    try:
        value = numbers.parse(str(given))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _choice_index(answer: str, choices: tuple[str, ...]) -> int:
    """A solution's answer to a choice: its number (from 1) or its text."""
    if answer.isdigit():
        return int(answer) - 1
    return choices.index(answer) if answer in choices else -1


@dataclass(frozen=True)
class CheckResult:
    """One lesson's scripted solution played: ``problem`` is '' when every step was completed."""

    lesson: Lesson
    problem: str = ""

    @property
    def passed(self) -> bool:
        return not self.problem

    def line(self) -> str:
        """``PASS 01-paper: The paper … (9 steps)`` or ``FAIL …: step 3 “…”: what went wrong``."""
        head = f"{self.lesson.id}: {self.lesson.title}"
        if self.passed:
            n = len(self.lesson.steps)
            return f"PASS {head} ({n} step{'s' if n != 1 else ''})"
        return f"FAIL {head}: {self.problem}"


def check_lesson(lesson: Lesson) -> CheckResult:
    """Play ``lesson``'s solution, step by step, on a fresh model."""
    run = LessonRun(AppModel(), (lesson,))
    run.start(lesson.id)
    for index, step in enumerate(lesson.steps):
        assert run.state is not None and run.state.index == index
        problem = run.play_solution()
        if problem:
            return CheckResult(lesson, f"step {index + 1} “{step.title}” (line {step.line}): {problem}")
        run.next()
    return CheckResult(lesson)


def check_lessons(lessons: tuple[Lesson, ...] | None = None) -> list[CheckResult]:
    """``check_lesson`` of each lesson (default: the shipped ones)."""
    return [check_lesson(lesson) for lesson in (shipped_lessons() if lessons is None else lessons)]


__all__ = ["CheckResult", "LessonError", "LessonRun", "StepState", "check_lesson", "check_lessons",
           "shipped_lessons"]
