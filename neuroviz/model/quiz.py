"""Predict, then reveal: during a phase walk, the student predicts chosen numbers before a phase shows them.

``Quiz`` is a part of ``AppModel``, beside the ``PhaseWalk`` it watches.  When
the walk is about to show its next phase, ``ask_before_next`` picks that
phase's questions at the chosen ``level`` (``neuroviz.model.quiz_questions``)
and holds the phase back: the walk stays at the phase before, so every view
leaves the asked values blank (a walk shows only what its phase has computed).
Each ``answer`` is checked to the shown precision (``digits`` significant
digits, 3 by default) and scored; once the phase's last question is answered
(or skipped with ``skip``) the walk shows the phase.  ``last`` is the verdict on the
latest answer: the student's number beside the right one, and the worked
arithmetic.  The score is kept for the session.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from neuroviz.core.network import NetworkConfig
from neuroviz.core.numbers import fmt, from_superscript
from neuroviz.core.phases import Phase
from neuroviz.core.trace import StepTrace
from neuroviz.model.phase_walk import PhaseWalk
from neuroviz.model.quiz_questions import QUIZ_LEVELS, Question, QuizLevel, questions_for

DEFAULT_DIGITS = 3
"""Answers are accepted to this many significant digits unless told otherwise."""

_SIGNS = {"+": 1.0, "plus": 1.0, "positive": 1.0, "pos": 1.0, "-": -1.0, "minus": -1.0, "negative": -1.0,
          "neg": -1.0, "0": 0.0, "zero": 0.0, "none": 0.0}


@dataclass(frozen=True)
class Score:
    """Answers of the session: ``right``, ``wrong`` and ``skipped``."""

    right: int = 0
    wrong: int = 0
    skipped: int = 0

    @property
    def asked(self) -> int:
        return self.right + self.wrong + self.skipped

    def text(self) -> str:
        """``2 of 3 right`` (``, 1 skipped``), or ``no answers yet``."""
        if not self.asked:
            return "no answers yet"
        out = f"{self.right} of {self.right + self.wrong} right"
        return out + (f", {self.skipped} skipped" if self.skipped else "")


@dataclass(frozen=True)
class Verdict:
    """What became of one question: ``given`` as typed (empty when ``skipped``), ``right``, and ``expected``,
    the right answer as shown."""

    question: Question
    given: str
    right: bool
    skipped: bool
    expected: str


def shown_answer(question: Question, digits: int = DEFAULT_DIGITS) -> str:
    """The right answer as the student should write it: ``0.123``, ``−`` (a sign), ``2`` (a choice)."""
    if question.kind == "sign":
        return {1.0: "+", -1.0: "−"}.get(question.answer, "0")
    if question.kind == "choice":
        return str(int(question.answer))
    return fmt(question.answer, digits)


def parse_number(text: str) -> float:
    """A typed number: ``0.123``, ``−0.5`` (a real minus too), ``1.2e-3``, ``1.2×10^−3``, ``1.2×10⁻³``, ``0,5``
    (``ValueError`` for anything else, NaN and infinities included)."""
    t = from_superscript(text.strip().replace("−", "-").replace(" ", ""))  # 1.2×10⁻³ as the app writes it
    t = re.sub(r"[×x*]10\^?", "e", t)
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a number; type e.g. 0.123 or −1.5e-3") from None
    if not math.isfinite(value):
        raise ValueError("type a finite number")
    return value


def parse_sign(text: str) -> float:
    """A typed sign: ``+``/``plus``/``positive``, ``−``/``-``/``minus``/``negative``, ``0``/``zero`` (or a number,
    its sign)."""
    t = text.strip().lower().replace("−", "-")
    if t in _SIGNS:
        return _SIGNS[t]
    try:
        return float(np.sign(parse_number(t)))
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a sign; type +, − or 0") from None


def agrees(value: float, answer: float, digits: int = DEFAULT_DIGITS) -> bool:
    """``value`` is ``answer`` to ``digits`` significant digits: within half a unit of the last digit shown
    (0 only as 0), or written the same at that precision."""
    if answer == 0.0:
        return value == 0.0
    unit = 10.0 ** (math.floor(math.log10(abs(answer))) - digits + 1)
    return abs(value - answer) <= 0.5 * unit * (1 + 1e-9) or fmt(value, digits) == fmt(answer, digits)


def check(question: Question, text: str, digits: int = DEFAULT_DIGITS) -> bool:
    """Whether ``text`` answers ``question`` (``ValueError`` when it cannot be read as an answer of its kind)."""
    if question.kind == "sign":
        return parse_sign(text) == question.answer
    if question.kind == "choice":
        t = text.strip()
        if not t.isdigit() or not 1 <= int(t) <= len(question.choices):
            raise ValueError(f"type a number from 1 to {len(question.choices)}")
        return int(t) in question.right_choices
    return agrees(parse_number(text), question.answer, digits)


class Quiz:
    """The questions a walk asks before its phases (see the module docstring).

    ``question`` is the one being asked (``None``: none), ``held`` the phase
    held back until its questions are answered, ``last`` the verdict on the
    latest answer, ``score`` the session's.
    """

    changed = Signal()
    """The question, the verdict, the score or the level changed."""

    def __init__(self, walk: PhaseWalk, level: QuizLevel = "off", digits: int = DEFAULT_DIGITS,
                 seed: int = 0) -> None:
        self.walk = walk
        self.level: QuizLevel = level
        self.digits = digits
        self.seed = seed
        self.score = Score()
        self.last: Verdict | None = None
        self.held: Phase | None = None
        self._queue: list[Question] = []
        self._asked: set[Phase] = set()
        self._trace: StepTrace | None = None
        self._revealing = False
        self._walks = 0
        walk.changed.connect(self._on_walk_changed)

    @property
    def question(self) -> Question | None:
        """The question being asked."""
        return self._queue[0] if self._queue else None

    @property
    def remaining(self) -> int:
        """Questions still to answer before the held phase is shown (the one asked included)."""
        return len(self._queue)

    def set_level(self, level: QuizLevel) -> None:
        """Ask nothing (``off``), ``signs`` only, ``values`` or ``everything`` (``ValueError`` otherwise).
        Questions being asked are dropped with ``off``."""
        if level not in QUIZ_LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of {', '.join(QUIZ_LEVELS)}")
        if level == self.level:
            return
        self.level = level
        if level == "off" and self._queue:
            self._reveal()
        self.changed.emit()

    def ask_before_next(self, config: NetworkConfig, sample: int | None) -> bool:
        """The walk is asked for its next phase: True if the quiz took the step.

        With questions being asked, Next skips them and shows the held phase.
        Otherwise, if the next phase has questions at this level (about
        ``sample``, 0-based, of the batch; ``None``, the batch mean: the first),
        they are asked and the phase is held back.  False: show the next phase.
        """
        walk = self.walk
        if self._queue:
            self.skip(all_of_phase=True)
            return True
        trace, phase = walk.pending, walk.phase
        if trace is None or phase is None or walk.at_last or self.level == "off":
            return False
        phases = walk.phases
        index = phases.index(phase) + 1
        nxt = phases[index]
        if nxt in self._asked:
            return False
        self._asked.add(nxt)
        row = 0 if sample is None else min(sample, trace.batch_size - 1)
        rng = np.random.default_rng([self.seed, self._walks, index])
        queue = questions_for(nxt, trace, config, self.level, row, rng)
        if not queue:
            return False
        self._queue, self.held, self.last = queue, nxt, None
        self.changed.emit()
        return True

    def answer(self, text: str) -> Verdict:
        """Check ``text`` against the question asked and score it; after the held phase's last question the
        walk shows it.  ``ValueError`` (nothing changes) when nothing is asked or ``text`` is not an answer."""
        q = self.question
        if q is None:
            raise ValueError("no question is being asked")
        right = check(q, text, self.digits)
        s = self.score
        self.score = Score(s.right + right, s.wrong + (not right), s.skipped)
        return self._answered(Verdict(q, text.strip(), right, False, shown_answer(q, self.digits)))

    def skip(self, all_of_phase: bool = False) -> Verdict | None:
        """Skip the question asked (``all_of_phase``: every one left for the held phase), counted as skipped."""
        q = self.question
        if q is None:
            return None
        n = len(self._queue) if all_of_phase else 1
        s = self.score
        self.score = Score(s.right, s.wrong, s.skipped + n)
        del self._queue[1:n]
        return self._answered(Verdict(q, "", False, True, shown_answer(q, self.digits)))

    def _answered(self, verdict: Verdict) -> Verdict:
        self.last = verdict
        self._queue.pop(0)
        if not self._queue:
            self._reveal()
        self.changed.emit()
        return verdict

    def _reveal(self) -> None:
        """Show the held phase (the walk moves on to it)."""
        held, self.held, self._queue = self.held, None, []
        if held is not None and self.walk.pending is not None:
            self._revealing = True
            try:
                self.walk.show(held)
            finally:
                self._revealing = False

    def _on_walk_changed(self) -> None:
        if self._revealing:
            return
        if self.walk.pending is not self._trace:  # a new walk, or the walk ended
            self._trace = self.walk.pending
            self._walks += self._trace is not None
            self._asked.clear()
            busy = bool(self._queue) or self.last is not None
            self._queue, self.held, self.last = [], None, None
            if busy:
                self.changed.emit()
        elif self._queue:  # the walk moved elsewhere (Back, a phase picked): ask again when it comes back
            if self.held is not None:
                self._asked.discard(self.held)
            self._queue, self.held = [], None
            self.changed.emit()
