"""The Lessons panel: the lessons with their progress, and the step being done.

The panel owns a ``LessonRun`` over the model (``neuroviz.model.lesson``).
Before a lesson it lists the shipped lessons with how many of their steps
were completed (kept in the window's settings between runs) and starts or
continues the one chosen.  During a lesson it shows the step's text in the
paper's notation, its task (ticked when the model says it is done), its
question (choices, or a number typed and checked), what the step says once
complete, and Back, Next and Leave.  Leaving, or Next after the last step,
puts the app back as it was before the lesson; the panel disables nothing
elsewhere.  A step's ``show`` asks the window for a panel (``dock_wanted``).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neuroviz.model import AppModel
from neuroviz.model.lesson import LessonRun
from neuroviz.ui.binding import subscribe
from neuroviz.ui.lesson_text import inline_html, lesson_html
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.theme import THEMES, mute
from neuroviz.ui.window_shortcuts import PanelKeys

PANEL_DOCKS = {"input": "pixelEditorDock", "data": "dataBrowserDock", "training": "trainingControlsDock",
               "loss": "lossCurvesDock", "inspector": "inspectorDock", "timeline": "timelineDock"}
"""The window's dock of each panel a lesson may ``show``."""
PROGRESS_KEY = "lessons/progress/"
PREFERRED_WIDTH = 264
"""The panel's width when it opens (pixels)."""


class ChoiceLabel(QLabel):
    """A choice's text in the notation (rich text, which a radio button cannot hold); a click picks it."""

    clicked = Signal()

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class LessonsPanel(QWidget):
    """The dock's contents (see the module docstring)."""

    dock_wanted = Signal(str)
    """A step asks for a dock (its object name) to be shown and raised."""

    def __init__(self, model: AppModel, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonsPanel")
        self.model = model
        self.settings = settings
        self.run = LessonRun(model)
        for lesson in self.run.lessons:
            done = settings.value(PROGRESS_KEY + lesson.id, 0)
            self.run.progress[lesson.id] = int(done) if str(done).isdigit() else 0
        self.keys = PanelKeys(self, "Lessons panel")
        self.choice_rows: list[QWidget] = []
        """One row per choice: its radio button and its text in the notation."""
        self._question_key: tuple[str, ...] = ()
        self._body_html = ""
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_list_page())
        self.pages.addWidget(self._build_lesson_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.pages)
        self.keys.note("Return", "Check the typed answer", "the answer field")
        subscribe(self, self.run.changed, self._refresh)
        subscribe(self, self.run.progress_changed, self._save_progress)
        subscribe(self, self.run.show_requested, self._show_panel)
        run = self.run
        self.destroyed.connect(lambda *_: run.detach())
        self._refresh()

    def sizeHint(self) -> QSize:
        """Wide enough for a line of the paper's equations; the panel shrinks to its minimum on small screens."""
        return QSize(PREFERRED_WIDTH, super().sizeHint().height())

    # ------------------------------------------------------------ Panel
    def key_help(self) -> list[tuple[str, str]]:
        """(what, key) of the keys this panel answers."""
        return list(self.keys.help)

    def menu_entries(self) -> list[MenuEntry]:
        """None: View ▸ Lessons shows the panel."""
        return []

    # ------------------------------------------------------------ building
    def _build_list_page(self) -> QWidget:
        page = QWidget(self)
        self.lesson_list = QListWidget(page)
        self.lesson_list.setObjectName("lessonList")
        self.lesson_list.setWordWrap(True)
        self.lesson_list.currentRowChanged.connect(self._on_lesson_chosen)
        self.lesson_list.itemActivated.connect(lambda *_: self.continue_lesson())
        self.summary = QLabel(page)
        self.summary.setWordWrap(True)
        mute(self.summary)
        self.start_button = QPushButton("Start", page)
        self.start_button.setToolTip("Begin the chosen lesson at its first step")
        self.start_button.clicked.connect(self.start_lesson)
        self.continue_button = QPushButton("Continue", page)
        self.continue_button.setToolTip("Go on after the steps done before (they are replayed)")
        self.continue_button.clicked.connect(self.continue_lesson)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.continue_button)
        buttons.addStretch(1)
        intro = QLabel("Lessons open their own network; leaving one brings yours back.", page)
        intro.setWordWrap(True)
        mute(intro)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.lesson_list, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(intro)
        self._fill_list()
        return page

    def _build_lesson_page(self) -> QWidget:
        page = QWidget(self)
        self.header = QLabel(page)
        self.header.setObjectName("lessonHeader")
        self.header.setWordWrap(True)
        self.body = QTextBrowser(page)
        self.body.setObjectName("lessonText")
        self.body.setOpenLinks(False)
        self.body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.question = QWidget(page)
        self.question.setObjectName("lessonQuestion")
        self.prompt = QLabel(self.question)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.choices = QVBoxLayout()
        self.choice_group = QButtonGroup(self)
        self.answer_field = QLineEdit(self.question)
        self.answer_field.setObjectName("lessonAnswer")
        self.answer_field.setPlaceholderText("Type a number")
        self.answer_field.returnPressed.connect(self.check_answer)
        self.check_button = QPushButton("Check", self.question)
        self.check_button.clicked.connect(self.check_answer)
        self.feedback = QLabel(self.question)
        self.feedback.setObjectName("lessonFeedback")
        self.feedback.setWordWrap(True)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer_field, 1)
        answer_row.addWidget(self.check_button)
        q_layout = QVBoxLayout(self.question)
        q_layout.setContentsMargins(0, 4, 0, 0)
        q_layout.addWidget(self.prompt)
        q_layout.addLayout(self.choices)
        q_layout.addLayout(answer_row)
        q_layout.addWidget(self.feedback)
        self.back_button = QPushButton("Back", page)
        self.back_button.setToolTip("The step before, begun again")
        self.back_button.clicked.connect(self.run.back)
        self.next_button = QPushButton("Next", page)
        self.next_button.clicked.connect(self.run.next)
        self.leave_button = QPushButton("Leave", page)
        self.leave_button.setToolTip("End the lesson and open your own network again, as it was")
        self.leave_button.clicked.connect(self.run.leave)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.leave_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.question)
        layout.addLayout(buttons)
        return page

    # ------------------------------------------------------------ actions
    def start_lesson(self) -> None:
        """Begin the chosen lesson at its first step."""
        row = self.lesson_list.currentRow()
        if 0 <= row < len(self.run.lessons):
            self._question_key = ()
            self.run.start(self.run.lessons[row].id)

    def continue_lesson(self) -> None:
        """Go on with the chosen lesson after the steps completed before (or start it)."""
        row = self.lesson_list.currentRow()
        if 0 <= row < len(self.run.lessons):
            self._question_key = ()
            self.run.start(self.run.lessons[row].id, resume=True)

    def check_answer(self) -> None:
        """Check the typed number, or the choice ticked."""
        step = self.run.step
        if step is None or step.question is None:
            return
        if step.question.answer is None:
            self.run.answer(self.choice_group.checkedId())
        else:
            self.run.answer(self.answer_field.text())

    # ------------------------------------------------------------ state → widgets
    def _colours(self) -> tuple[str, str]:
        """(done, problem) text colours for the palette's theme."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        theme = THEMES["dark" if dark else "light"]
        return theme.accent, theme.positive

    def _fill_list(self) -> None:
        row = max(self.lesson_list.currentRow(), 0)
        self.lesson_list.clear()
        for i, lesson in enumerate(self.run.lessons):
            done, total = self.run.completed(lesson), len(lesson.steps)
            mark = "✓ " if done == total else ""
            state = "done" if done == total else f"{done} of {total} steps" if done else f"{total} steps"
            item = QListWidgetItem(f"{mark}{i + 1}. {lesson.title}  ·  {state}", self.lesson_list)
            item.setToolTip(lesson.summary)
        self.lesson_list.setCurrentRow(min(row, self.lesson_list.count() - 1))

    def _on_lesson_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.run.lessons):
            return
        lesson = self.run.lessons[row]
        done = self.run.completed(lesson)
        self.summary.setText(lesson.summary)
        self.continue_button.setEnabled(0 < done < len(lesson.steps))

    def _save_progress(self, lesson_id: str, completed: int) -> None:
        self.settings.setValue(PROGRESS_KEY + lesson_id, completed)

    def _show_panel(self, panel: str) -> None:
        self.dock_wanted.emit(PANEL_DOCKS[panel])

    def _refresh(self) -> None:
        run, s, step = self.run, self.run.state, self.run.step
        if run.lesson is None or s is None or step is None:
            self.pages.setCurrentIndex(0)
            self._fill_list()
            return
        self.pages.setCurrentIndex(1)
        total = len(run.lesson.steps)
        self.header.setText(f"<b>{html.escape(run.lesson.title)}</b><br>Step {s.index + 1} of {total}: "
                            f"{inline_html(step.title)}")
        done_colour, problem_colour = self._colours()
        parts = [lesson_html(s.text)]
        if s.task:
            mark = f"<span style='color:{done_colour}'>✓ Done.</span> " if s.task_done else "▶ "
            parts.append(f"<p><b>{mark}{inline_html(s.task)}</b></p>")
        if s.done_text:
            parts.append(f"<p style='color:{done_colour}'>{inline_html(s.done_text)}</p>")
        if s.error:
            parts.append(f"<p style='color:{problem_colour}'>{inline_html(s.error)}</p>")
        body = "".join(parts)
        if body != self._body_html:
            bar = self.body.verticalScrollBar()
            at = bar.value() if self._question_key and self._question_key[0] == str(s.index) else 0
            self._body_html = body
            self.body.setHtml(body)
            bar.setValue(at)
        self._refresh_question(s.index)
        self.back_button.setEnabled(s.index > 0)
        self.next_button.setText("Finish" if s.index + 1 == total else "Next")
        self.next_button.setEnabled(run.can_go_on())
        self.next_button.setToolTip("End the lesson and open your own network again" if s.index + 1 == total
                                    else "The next step (once this one is done)")

    def _add_choice(self, i: int, choice: str) -> None:
        """A radio button and, beside it, the choice's text in the notation (a click on it picks it)."""
        row = QWidget(self.question)
        button = QRadioButton(row)
        button.setObjectName(f"lessonChoice{i + 1}")
        button.setAccessibleName(choice)
        label = ChoiceLabel(inline_html(choice), row)
        label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        label.clicked.connect(lambda: button.setChecked(True) if button.isEnabled() else None)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(button)
        line.addWidget(label, 1)
        self.choice_group.addButton(button, i)
        self.choices.addWidget(row)
        self.choice_rows.append(row)

    def _refresh_question(self, index: int) -> None:
        s, step = self.run.state, self.run.step
        assert s is not None and step is not None
        asked = step.question is not None and s.task_done
        self.question.setVisible(asked)
        key = (str(index), s.prompt, *s.choices)
        if asked and key != self._question_key:
            self._question_key = key
            self.prompt.setText(f"<b>{inline_html(s.prompt)}</b>")
            for row in self.choice_rows:
                self.choice_group.removeButton(row.findChild(QRadioButton))
                row.deleteLater()
            self.choice_rows = []
            for i, choice in enumerate(s.choices):
                self._add_choice(i, choice)
            self.answer_field.clear()
        elif not asked:
            self._question_key = (str(index),)
        numeric = step.question is not None and step.question.answer is not None
        self.answer_field.setVisible(numeric)
        self.check_button.setEnabled(asked and not s.answered)
        for row in self.choice_rows:
            row.setEnabled(not s.answered)
        self.answer_field.setEnabled(not s.answered)
        done_colour, problem_colour = self._colours()
        colour = done_colour if s.answered else problem_colour
        self.feedback.setText(f"<span style='color:{colour}'>{html.escape(s.feedback)}</span>" if s.feedback else "")
