"""Predict, then reveal, in the inspector: the walk's question, the answer field, the verdict and the score.

``QuizPanel`` shows the model's ``Quiz`` (``neuroviz.model.quiz``) and
answers through it: the level (Off, Signs only, Values, Everything; its
``level_box`` goes in the walk's row, the rest shows while the quiz is on), the
question asked before the next phase is shown, a field to type the answer
in (Enter checks it; Enter in the empty field after a verdict goes on to
the next phase, Esc skips), the verdict — the student's number beside the
right one and, when wrong, the worked arithmetic as the core writes it —
and the session's score.  No dialog: the walk's keys keep working.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.model.quiz import Quiz, Verdict
from neuroviz.model.quiz_questions import LEVEL_TITLES, QUIZ_LEVELS, Question
from neuroviz.ui.binding import subscribe
from neuroviz.ui.math_text import equation_html, to_html
from neuroviz.ui.theme import mute
from neuroviz.ui.window_shortcuts import with_shortcut

LEVEL_KEY = "quiz/level"
"""Where the window's settings keep the level chosen."""
FEEDBACK_LINES = 5
"""The verdict and its working take at most this many lines (more scroll)."""
RIGHT_COLOUR = "#1e8449"
WRONG_COLOUR = "#c0392b"
LEVEL_TIPS = {
    "off": "Walk without questions",
    "signs": "Before a δ phase: the sign of one δ; before the update: the sign of one Δθ",
    "values": "Before a δ phase: one δ and one gradient ∂L/∂θ; before the update: one new weight θ",
    "everything": "Signs and values, a forward value, the loss L, and which of four weights changes most",
}


class QuizPanel(QWidget):
    """The quiz's row in the inspector (see the module docstring).

    ``advance()`` goes on with the walk (the model's ``next_phase``); ``focus(question)`` is called with
    each new question (the inspector rings its element and shows the sample it is about).
    """

    def __init__(self, quiz: Quiz, advance: Callable[[], object], focus: Callable[[Question], None],
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quizPanel")
        self.quiz, self._advance, self._focus, self._settings = quiz, advance, focus, settings
        saved = None if settings is None else settings.value(LEVEL_KEY)
        for level in QUIZ_LEVELS:
            if level == saved:  # the level chosen last time
                quiz.set_level(level)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.level_box = QWidget()  # the level, for the walk's own row (the panel shows while the quiz is on)
        level_row = QHBoxLayout(self.level_box)
        level_row.setContentsMargins(0, 0, 0, 0)
        level_row.setSpacing(4)
        caption = QLabel("Predict:")
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("quizLevel")
        for level in QUIZ_LEVELS:
            self.level_combo.addItem(LEVEL_TITLES[level], level)
            self.level_combo.setItemData(self.level_combo.count() - 1, LEVEL_TIPS[level], Qt.ItemDataRole.ToolTipRole)
        self.level_combo.setToolTip("Predict, then reveal: while walking, type chosen numbers before their phase "
                                    "shows them (to 3 significant digits); a wrong answer shows the arithmetic")
        self.level_combo.currentIndexChanged.connect(self._on_level_picked)
        caption.setBuddy(self.level_combo)
        self.prompt = QLabel()
        self.prompt.setObjectName("quizPrompt")
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.answer_edit = QLineEdit()
        self.answer_edit.setObjectName("quizAnswer")
        self.answer_edit.setClearButtonEnabled(True)
        self.answer_edit.setMinimumWidth(80)
        self.answer_edit.returnPressed.connect(self._on_return)
        self.answer_edit.setToolTip("Type your prediction and press Enter; after the verdict, Enter in the empty "
                                    "field goes on to the next phase")
        self.skip_action = QAction("Skip", self)
        self.skip_action.setShortcut(QKeySequence("Esc"))
        self.skip_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.skip_action.setToolTip(with_shortcut("Skip this question: its phase is shown", self.skip_action))
        self.skip_action.triggered.connect(lambda _=False: self.quiz.skip())
        self.addAction(self.skip_action)
        self.skip_button = QToolButton()
        self.skip_button.setObjectName("quizSkip")
        self.skip_button.setDefaultAction(self.skip_action)
        self.score_label = QLabel()
        self.score_label.setObjectName("quizScore")
        self.score_label.setToolTip("Answers this session: right of those answered, and those skipped")
        mute(self.score_label)
        level_row.addWidget(caption)
        level_row.addWidget(self.level_combo)
        row.addWidget(self.prompt, 1)
        row.addWidget(self.answer_edit)
        row.addWidget(self.skip_button)
        row.addWidget(self.score_label)
        layout.addLayout(row)
        self.feedback = QLabel()
        self.feedback.setObjectName("quizFeedback")
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.setWordWrap(True)
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.feedback_area = QScrollArea()  # a long working scrolls: the tables below keep their rows
        self.feedback_area.setObjectName("quizFeedbackArea")
        self.feedback_area.setWidget(self.feedback)
        self.feedback_area.setWidgetResizable(True)
        self.feedback_area.setFrameShape(QFrame.Shape.NoFrame)
        self.feedback_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.feedback_area)
        self._error = ""
        self._asked: Question | None = None
        subscribe(self, quiz.changed, self.refresh)
        subscribe(self, quiz.walk.changed, self.refresh)
        self.refresh()

    # ------------------------------------------------------------ state → widgets
    def refresh(self) -> None:
        q, quiz = self.quiz.question, self.quiz
        new = q is not None and q is not self._asked
        self._asked = q
        if new:
            self._error = ""
        index = QUIZ_LEVELS.index(quiz.level)
        if self.level_combo.currentIndex() != index:
            self.level_combo.blockSignals(True)
            self.level_combo.setCurrentIndex(index)
            self.level_combo.blockSignals(False)
        on = quiz.level != "off"
        walking = quiz.walk.active
        self.score_label.setText(f"Score: {quiz.score.text()}" if on or quiz.score.asked else "")
        self.prompt.setText(self._prompt_html(q) if q is not None else (
            "<i>Walk (W) or Next (N): you are asked before each phase</i>" if on and not walking else ""))
        self.answer_edit.setVisible(on and walking)
        self.answer_edit.setEnabled(q is not None or quiz.last is not None)
        self.answer_edit.setPlaceholderText(self._placeholder(q) if q is not None else "Enter: next phase")
        self.skip_action.setEnabled(q is not None)
        self.skip_button.setVisible(on and walking)
        parts = [f"<span style='color:{WRONG_COLOUR}'>{to_html(self._error)}</span>"] if self._error else []
        if quiz.last is not None:
            parts.append(self._verdict_html(quiz.last))
        self.feedback.setText("".join(parts))
        self.feedback_area.setVisible(bool(parts))
        self._fit_feedback()
        self.setVisible(on or bool(parts))
        if new and q is not None:  # show what is asked about and take the keyboard
            self._focus(q)
            self.answer_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fit_feedback(self) -> None:
        """The verdict's area as tall as its text at this width, up to ``FEEDBACK_LINES`` lines."""
        width = max(self.width() - self.feedback_area.verticalScrollBar().sizeHint().width() - 4, 100)
        height = max(self.feedback.heightForWidth(width), 0) if self.feedback.text() else 0
        self.feedback.setMinimumHeight(height)  # taller than the area: it scrolls
        most = FEEDBACK_LINES * self.feedback.fontMetrics().lineSpacing()
        self.feedback_area.setFixedHeight(min(height, most) + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_feedback()

    @staticmethod
    def _prompt_html(q: Question) -> str:
        of = f" ({to_html(q.of)})" if q.of else ""
        if q.kind == "choice":
            listed = " &nbsp;".join(f"<b>{i}</b>&nbsp;{to_html(c)}" for i, c in enumerate(q.choices, 1))
            return f"<b>Predict</b> {to_html(q.quantity)}: {listed}"
        return f"<b>Predict</b> {to_html(q.quantity)}{of} ="

    def _placeholder(self, q: Question) -> str:
        if q.kind == "sign":
            return "+, − or 0"
        if q.kind == "choice":
            return f"1 to {len(q.choices)}"
        return f"{self.quiz.digits} significant digits"

    @staticmethod
    def _verdict_html(v: Verdict) -> str:
        q = v.question
        name = to_html(q.quantity) + (f" ({to_html(q.of)})" if q.of else "")
        if v.right:
            right = f"<b style='color:{RIGHT_COLOUR}'>✓ Right:</b>"
            return f"<p style='margin:0'>{right} {name} = <b>{to_html(v.expected)}</b></p>"
        head = (f"<b>Skipped:</b> {name} = <b>{to_html(v.expected)}</b>" if v.skipped else
                f"<b style='color:{WRONG_COLOUR}'>✗ Not quite:</b> {name} — you: <b>{to_html(v.given)}</b>"
                f" · right: <b style='color:{RIGHT_COLOUR}'>{to_html(v.expected)}</b>")
        working = "".join(equation_html(eq) for eq in q.working)
        return f"<p style='margin:0'>{head}</p>{working}"

    # ------------------------------------------------------------ input → quiz
    def _on_level_picked(self, index: int) -> None:
        if index >= 0:
            self.quiz.set_level(QUIZ_LEVELS[index])
            if self._settings is not None:
                self._settings.setValue(LEVEL_KEY, QUIZ_LEVELS[index])

    def _on_return(self) -> None:
        text = self.answer_edit.text()
        if self.quiz.question is None:
            if not text.strip():
                self._advance()
            return
        try:
            self.quiz.answer(text)
        except ValueError as exc:
            self._error = str(exc)
            self.refresh()
            self.answer_edit.selectAll()
            return
        self._error = ""
        self.answer_edit.clear()
        self.refresh()
