"""UI test set-up: QSettings in a temporary folder, a fresh session and window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

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
def main_window(qtbot, session):
    """The main window over ``session``, shown; closed and deleted by qtbot."""
    from neuroviz.ui.main_window import MainWindow

    window = MainWindow(session, QSettings())
    qtbot.addWidget(window)
    window.resize(1400, 900)
    with qtbot.waitExposed(window):
        window.show()
    return window
