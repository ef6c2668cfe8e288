"""UI test set-up: QSettings in a temporary folder, a fresh model and window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from neuroviz.model import AppModel


@pytest.fixture(autouse=True)
def settings_path(tmp_path):
    """Point QSettings at a per-test folder (the pace chosen: full speed); returns that folder."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    # Play at full speed, as a returning user who chose it (a first run's class pace has its own tests).
    QSettings().setValue("training/pace", 0.0)
    return folder


@pytest.fixture
def model(qtbot):
    """A fresh model on the default example."""
    return AppModel()


@pytest.fixture
def show(qtbot):
    """``show(widget, (w, h))``: resize, show and wait until exposed; qtbot closes and deletes it."""

    def shown(widget: QWidget, size: tuple[int, int] | None = None) -> QWidget:
        qtbot.addWidget(widget)
        if size is not None:
            widget.resize(*size)
        with qtbot.waitExposed(widget):
            widget.show()
        return widget

    return shown


@pytest.fixture
def main_window(show, model):
    """The main window over ``model``, shown at 1400×900."""
    from neuroviz.ui.composition import build_window

    return show(build_window(model, QSettings()), (1400, 900))
