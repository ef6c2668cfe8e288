"""The window's fork policy: ask the user before recording at a past moment."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from neuroviz.core.numbers import count, plural
from neuroviz.model import ForkChoice, ForkQuestion


def ask_fork(question: ForkQuestion, parent: QWidget | None) -> ForkChoice | None:
    """Ask whether recording at a past moment discards the later updates or keeps them as a branch.

    A modal box (object name ``forkBox``) with the buttons ``keepBranchButton``,
    ``discardButton`` and Cancel; returns "keep", "discard" or None.
    """
    now, newest, later = question.now, question.newest, question.later
    what = f"updates {count(now + 1)}–{count(newest)}" if newest > now + 1 else (
        f"update {count(newest)}" if newest > now else plural(later, "later change"))
    box = QMessageBox(QMessageBox.Icon.Question, "Change the past?",
                      f"<b>This is update {count(now)} of {count(newest)}.</b> Going on from here replaces {what}.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("forkBox")
    box.setInformativeText("<b>Keep as branch</b>: they stay, and History&nbsp;▸&nbsp;Branches returns to them.<br>"
                           "<b>Discard</b>: they are forgotten.")
    keep = box.addButton("Keep as branch", QMessageBox.ButtonRole.AcceptRole)
    keep.setObjectName("keepBranchButton")
    discard = box.addButton("Discard later updates", QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("discardButton")
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return "keep" if clicked is keep else "discard" if clicked is discard else None
