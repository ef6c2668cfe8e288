"""The window's η policy: warn before the first update with an η that would wreck the network."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from neuroviz.core.loss_jump import TrialUpdate
from neuroviz.core.numbers import fmt


def ask_lr(trial: TrialUpdate, parent: QWidget | None) -> bool:
    """Say what one update with this η would do and ask whether to go ahead.

    A modal box (object name ``lrBox``) with ``goAheadButton`` and Cancel (the
    default); returns True to go ahead.
    """
    eta = fmt(trial.lr)
    box = QMessageBox(QMessageBox.Icon.Warning, "This learning rate may wreck the network",
                      f"<b>With η = {eta}, the next update would wreck the network:</b> {trial.reason()}.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("lrBox")
    box.setInformativeText("A trial update on a copy of the network, on the batch the next update uses, showed "
                           "this; nothing has changed yet. <b>Cancel</b> keeps the network as it is (choose a "
                           "smaller η in the Training panel); <b>Go ahead</b> uses this η (you are not asked "
                           "again about it).")
    go = box.addButton(f"Go ahead with η = {eta}", QMessageBox.ButtonRole.AcceptRole)
    go.setObjectName("goAheadButton")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return clicked is go
