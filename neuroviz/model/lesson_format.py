"""Lesson files: Markdown steps with ``@`` lines (docs/lesson-format.md), parsed and checked.

A lesson file is UTF-8 text::

    # Title of the lesson
    A summary paragraph.

    ## A step's title
    @example paper-figure-4            ← set-up actions (lesson_steps.VERBS), run when the step begins
    Markdown text, the paper's notation (θ^{cb}_{11}) and numbers from the core: {{L}} or {{L | 4}}.
    @task Press Step.                  ← what the student does …
    @until updates >= 1                ← … and the condition that says it is done (lesson_expr)
    @question What is p_1?             ← a question: choices (@choice / @correct) or a number (@answer)
    @answer p_1 ± 0.001
    @check b_3^raw < 0                 ← a claim of the text, checked when the step is completed
    @done Well done: L = {{L}}.        ← said when the step is completed
    @solve step                        ← the scripted solution: actions, and ``@solve answer …``

Nothing is evaluated but the fixed vocabulary; every error names the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from neuroviz.core.numbers import fmt
from neuroviz.model.lesson_expr import Condition, Context, Expr, ExprError, parse_condition, parse_expr
from neuroviz.model.lesson_steps import VERBS, Action, parse_action

MAX_LESSON_BYTES = 256 * 1024
"""A lesson file larger than this is refused before it is read."""
_T = TypeVar("_T")
DIRECTIVES = ("task", "until", "question", "choice", "correct", "answer", "check", "done", "solve")


class LessonError(ValueError):
    """A lesson file that cannot be used; ``str()`` names the file and the line."""

    def __init__(self, where: str, line: int, message: str) -> None:
        super().__init__(f"{where}, line {line}: {message}" if line else f"{where}: {message}")
        self.where = where
        self.line = line
        self.message = message


# ------------------------------------------------------------------ text with numbers


@dataclass(frozen=True)
class Placeholder:
    """``{{EXPR}}`` or ``{{EXPR | DIGITS}}``: a number from the core, written with ``fmt``."""

    expr: Expr
    digits: int


@dataclass(frozen=True)
class Text:
    """Text with numbers to fill in (``render``); ``line`` is where it starts in the file."""

    parts: tuple[str | Placeholder, ...]
    line: int

    def render(self, ctx: Context) -> str:
        """The text with each number computed now (``ExprError`` if one cannot be)."""
        return "".join(p if isinstance(p, str) else fmt(p.expr.value(ctx), p.digits) for p in self.parts)

    @property
    def empty(self) -> bool:
        return not any(p.strip() if isinstance(p, str) else True for p in self.parts)


class PlacedError(ExprError):
    """An error inside a text of several lines, at ``line`` of the file."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _placeholders(source: str, line: int) -> list[tuple[int, int]]:
    """Where each ``{{…}}`` starts and ends; braces inside (θ^{cb}_{11}) must balance."""
    spans = []
    pos = source.find("{{")
    while pos >= 0:
        depth, i = 0, pos + 2
        while i < len(source) and not (depth == 0 and source.startswith("}}", i)):
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            if depth < 0:
                break
            i += 1
        if i >= len(source) or depth < 0:
            raise PlacedError("an unmatched {{ … }} (the braces inside must balance)",
                              line + source.count("\n", 0, pos))
        spans.append((pos, i + 2))
        pos = source.find("{{", i + 2)
    return spans


def parse_text(source: str, line: int) -> Text:
    """Split ``source`` (starting at ``line`` of the file) into text and ``{{…}}`` numbers (``PlacedError`` at
    the line of a bad one)."""
    parts: list[str | Placeholder] = []
    pos = 0
    for start, end in _placeholders(source, line):
        parts.append(source[pos:start])
        inner = source[start + 2:end - 2]
        body, bar, digits = inner.rpartition("|") if "|" in inner else (inner, "", "")
        try:
            if bar and not (digits.strip().isdigit() and 1 <= int(digits) <= 15):
                raise ExprError(f"{{{{{inner}}}}}: the digits after | must be 1 to 15")
            parts.append(Placeholder(parse_expr(body), int(digits) if bar else 6))
        except ExprError as exc:
            raise PlacedError(str(exc), line + source.count("\n", 0, start)) from None
        pos = end
    parts.append(source[pos:])
    return Text(tuple(p for p in parts if p != ""), line)


# ------------------------------------------------------------------ steps
@dataclass(frozen=True)
class Question:
    """A multiple-choice question (``choices``, the right one at ``correct``) or a number (``answer`` within
    ``tolerance``)."""

    prompt: Text
    choices: tuple[Text, ...] = ()
    correct: int = -1
    answer: Expr | None = None
    tolerance: float = 0.0


@dataclass(frozen=True)
class Solve:
    """One line of a step's solution: an action, or an answer to its question."""

    line: int
    action: Action | None = None
    answer: str | None = None


@dataclass(frozen=True)
class Step:
    """One page of a lesson (see the module docstring for what each part does)."""

    title: str
    line: int
    text: Text
    setup: tuple[tuple[int, Action], ...] = ()
    task: Text | None = None
    until: Condition | None = None
    question: Question | None = None
    checks: tuple[tuple[int, Condition], ...] = ()
    done: Text | None = None
    solution: tuple[Solve, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A parsed lesson: ``id`` (the file's name without ``.md``), title, summary and steps."""

    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    where: str


class _StepBuilder:
    def __init__(self, title: str, line: int) -> None:
        self.title, self.line = title, line
        self.body: list[str] = []
        self.body_line = 0
        self.setup: list[tuple[int, Action]] = []
        self.task: Text | None = None
        self.until: Condition | None = None
        self.prompt: Text | None = None
        self.choices: list[Text] = []
        self.correct = -1
        self.answer: tuple[Expr, float] | None = None
        self.checks: list[tuple[int, Condition]] = []
        self.done: Text | None = None
        self.solution: list[Solve] = []

    def directive(self, name: str, rest: str, line: int) -> None:
        if name in VERBS:
            self.setup.append((line, parse_action(name, rest)))
        elif name == "task":
            self.task = self._once(self.task, "@task", parse_text(rest, line))
        elif name == "until":
            self.until = self._once(self.until, "@until", parse_condition(rest))
        elif name == "question":
            self.prompt = self._once(self.prompt, "@question", parse_text(rest, line))
        elif name in ("choice", "correct"):
            if name == "correct":
                self.correct = self._once(self.correct if self.correct >= 0 else None, "@correct", len(self.choices))
            self.choices.append(parse_text(rest, line))
        elif name == "answer":
            self.answer = self._once(self.answer, "@answer", _answer(rest))
        elif name == "check":
            self.checks.append((line, parse_condition(rest)))
        elif name == "done":
            self.done = self._once(self.done, "@done", parse_text(rest, line))
        elif name == "solve":
            verb, _, args = rest.strip().partition(" ")
            if verb == "answer":
                if not args.strip():
                    raise ExprError("@solve answer needs the answer")
                self.solution.append(Solve(line, answer=args.strip()))
            else:
                self.solution.append(Solve(line, action=parse_action(verb, args)))
        else:
            raise ExprError(f"unknown line @{name}: use an action ({', '.join(VERBS)}) or one of "
                            f"{', '.join('@' + d for d in DIRECTIVES)}")

    @staticmethod
    def _once(old: object, what: str, new: _T) -> _T:
        if old is not None:
            raise ExprError(f"a step has at most one {what}")
        return new

    def build(self, text: Text) -> Step:
        if (self.task is None) != (self.until is None):
            raise ExprError(f"step “{self.title}”: @task and @until go together")
        question = None
        if self.prompt is not None:
            if self.choices and self.answer is not None:
                raise ExprError(f"step “{self.title}”: a question has choices or a number @answer, not both")
            if self.answer is not None:
                question = Question(self.prompt, answer=self.answer[0], tolerance=self.answer[1])
            elif len(self.choices) < 2 or self.correct < 0:
                raise ExprError(f"step “{self.title}”: a multiple-choice question needs two or more @choice "
                                f"lines, one of them @correct")
            else:
                question = Question(self.prompt, tuple(self.choices), self.correct)
        elif self.choices or self.answer is not None:
            raise ExprError(f"step “{self.title}”: @choice, @correct and @answer need a @question")
        if question is not None and not any(s.answer is not None for s in self.solution):
            raise ExprError(f"step “{self.title}”: its solution needs a '@solve answer …' for the question")
        return Step(self.title, self.line, text, tuple(self.setup), self.task, self.until, question,
                    tuple(self.checks), self.done, tuple(self.solution))


def _answer(rest: str) -> tuple[Expr, float]:
    expr, sep, tol = rest.replace("+-", "±").partition("±")
    if not sep:
        raise ExprError("@answer takes EXPRESSION ± TOLERANCE, e.g. @answer L ± 0.001")
    try:
        tolerance = float(tol.strip())
    except ValueError:
        raise ExprError(f"the tolerance must be a number; got {tol.strip()!r}") from None
    if not tolerance > 0:
        raise ExprError("the tolerance must be above 0")
    return parse_expr(expr), tolerance


def _built(step: _StepBuilder, where: str) -> Step:
    """The step, or a ``LessonError`` at its text's line (a bad number in it) or its title's (what it lacks)."""
    body = "\n".join(step.body)
    first = step.body_line or step.line
    try:
        text = parse_text(body.strip(), first)
    except PlacedError as exc:
        raise LessonError(where, exc.line, str(exc)) from None
    try:
        return step.build(text)
    except ExprError as exc:
        raise LessonError(where, step.line, str(exc)) from None


def parse_lesson(source: str, lesson_id: str, where: str = "") -> Lesson:
    """Parse a lesson file's text (``LessonError`` naming ``where`` and the line for anything wrong)."""
    where = where or lesson_id
    title = ""
    summary: list[str] = []
    steps: list[Step] = []
    current: _StepBuilder | None = None
    number = 0
    fence = False
    try:
        for number, line in enumerate(source.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("```"):
                fence = not fence
            if not fence and line.startswith("## "):
                if current is not None:
                    steps.append(_built(current, where))
                current = _StepBuilder(line[3:].strip(), number)
            elif not fence and line.startswith("# ") and not title and current is None:
                title = line[2:].strip()
            elif not fence and stripped.startswith("@"):
                if current is None:
                    raise ExprError("an @ line before the first step (## Title)")
                name, _, rest = stripped[1:].partition(" ")
                current.directive(name, rest, number)
                if current.body_line:
                    current.body.append("")  # keeps the text's line numbers; an @ line ends a paragraph
            elif current is None:
                summary.append(line)
            else:
                if not current.body_line and stripped:
                    current.body_line = number
                current.body.append(line)
        if current is not None:
            steps.append(_built(current, where))
    except ExprError as exc:
        raise LessonError(where, number, str(exc)) from None
    if not title:
        raise LessonError(where, 0, "no title: the file starts with a '# Title' line")
    if not steps:
        raise LessonError(where, 0, "no steps: each step starts with a '## Step title' line")
    return Lesson(lesson_id, title, " ".join(" ".join(summary).split()), tuple(steps), where)


def load_lesson(path: str | Path) -> Lesson:
    """Read and parse the lesson file ``path`` (``LessonError`` if it is unreadable, too large or wrong)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_LESSON_BYTES:
            raise LessonError(str(p), 0, f"larger than {MAX_LESSON_BYTES // 1024} KiB")
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise LessonError(str(p), 0, exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise LessonError(str(p), 0, "not UTF-8 text") from None
    return parse_lesson(text, p.stem, str(p))
