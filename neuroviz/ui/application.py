"""QApplication start-up: the window, an optional example or file, screenshots."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from neuroviz.ui.main_window import MainWindow
from neuroviz.ui.session import Session


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once) with the names QSettings uses."""
    QCoreApplication.setOrganizationName("neuroviz")
    QCoreApplication.setApplicationName("neuroviz")
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window (or render it to ``args.screenshot``) and run."""
    app = make_application()
    session = Session()
    if args.example:
        session.load_example(args.example)
    window = MainWindow(session)
    if args.screenshot:
        w, h = (int(v) for v in args.size.lower().split("x"))
        window.resize(w, h)
        window.show()
        app.processEvents()
        ok = window.grab().save(args.screenshot)
        window.close()
        if not ok:
            print(f"neuroviz: error: could not write {args.screenshot}", file=sys.stderr)
            return 2
        return 0
    window.show()
    return app.exec()
