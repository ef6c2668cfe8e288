"""UI test set-up: QSettings in a temporary folder, a fresh session and window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from neuroviz.ui.session import Session


@pytest.fixture(autouse=True)
def settings_path(tmp_path):
    """Point QSettings at a per-test folder; returns that folder."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def session(qtbot):
    """A fresh session on the default example."""
    return Session()


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
def main_window(show, session):
    """The main window over ``session``, shown at 1400×900."""
    from neuroviz.ui.main_window import MainWindow

    return show(MainWindow(session, QSettings()), (1400, 900))
