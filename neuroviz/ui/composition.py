"""The composition root: builds the window over a model and hands every part what it needs.

``build_window(model, settings)`` makes the one ``TrainingLoop``, the window
(its diagram and dock panels, each given the model and, where it drives
training, the loop), the fork policy that asks the user before recording at
a past moment, the η policy that warns before an η that would wreck the
network, and the picture export service over the window's diagram and
loss plot for the File menu's actions.  With a ``data_folder`` it also makes
the autosave (policy and timer, ``window.autosave``) over that folder's
recovery file, removed when the window closes on purpose; start-up offers
the file and starts the timer (``recovery_prompt.offer_recovery``).  The Lessons panel's steps may ask
for a dock, and a lesson is left (the user's network back) before anything may replace it or the window closes.
Nothing else looks a part up.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import QSettings

from neuroviz.model import AppModel
from neuroviz.model.autosave import Autosave
from neuroviz.model.lesson import LessonRun
from neuroviz.ui.autosave_timer import AutosaveTimer
from neuroviz.ui.file_actions import FileActions
from neuroviz.ui.fork_dialog import ask_fork
from neuroviz.ui.lessons_panel import LessonsPanel
from neuroviz.ui.loss_plot import LossPlot
from neuroviz.ui.lr_dialog import ask_lr
from neuroviz.ui.main_window import MainWindow
from neuroviz.ui.picture_export import PictureExports
from neuroviz.ui.training_loop import TrainingLoop

Question = TypeVar("Question")
Answer = TypeVar("Answer")


class AskInWindow(Generic[Question, Answer]):
    """A policy of the window: ``ask`` shows a dialog over ``window`` (while it exists; else one of its own)."""

    def __init__(self, window: MainWindow, ask: Callable[[Question, MainWindow | None], Answer]) -> None:
        self._window = weakref.ref(window)
        self._ask = ask

    def __call__(self, question: Question) -> Answer:
        window = self._window()
        return self._ask(question, window if window is not None and shiboken6.isValid(window) else None)


def keep_recovery_during_lessons(run: LessonRun, policy: Autosave) -> None:
    """While a lesson runs, the recovery file keeps the session as it was before the lesson."""

    def on_active(active: bool) -> None:
        before = run.state_before if active else None
        if before is None:
            policy.hold(None)
        else:
            policy.hold(*before)

    run.active_changed.connect(on_active)


def build_window(model: AppModel, settings: QSettings | None = None,
                 window_class: type[MainWindow] = MainWindow,
                 data_folder: str | os.PathLike[str] | None = None) -> MainWindow:
    """The main window over ``model``, wired (``settings``: where the layout and preferences live;
    ``data_folder``: where the recovery file lives, None for no autosave)."""
    settings = settings if settings is not None else QSettings()
    loop = TrainingLoop(model)
    window = window_class(model, settings, loop)
    model.time.fork_policy = AskInWindow(window, ask_fork)
    model.lr_guard.policy = AskInWindow(window, ask_lr)
    loss_plot = window.panels.get("lossCurvesDock")
    pictures = PictureExports(model, window.diagram, loss_plot if isinstance(loss_plot, LossPlot) else None)
    window.set_file_actions(FileActions(window, model, settings, pictures))
    lessons = window.panels.get("lessonsDock")
    if isinstance(lessons, LessonsPanel):
        lessons.dock_wanted.connect(lambda name: (window.docks[name].show(), window.docks[name].raise_()))
        window.before_discard.append(lessons.run.leave)
    if data_folder is not None:
        window.autosave = AutosaveTimer(Autosave(model, data_folder), window)
        window.closed_on_purpose.connect(window.autosave.clean_quit)
        if isinstance(lessons, LessonsPanel):
            keep_recovery_during_lessons(lessons.run, window.autosave.policy)
    return window
