"""QApplication start-up: the window, an optional example or file, screenshots.

The application gets its icon (``resources/icons``), the Fusion style (so
that the light and dark palettes look the same on every desktop) and the
names QSettings uses; the main window picks the theme (light, dark or
following the system) and saves its layout.  The session is autosaved to a
recovery file in the app's data folder (``QStandardPaths.AppDataLocation``);
after a crash the next start offers to restore it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QSettings,
    QSize,
    QStandardPaths,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.qt_messages import quiet_qt_messages
from neuroviz.ui.recovery_prompt import offer_recovery

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
DESKTOP_FILE_NAME = "neuroviz"


def icon_path() -> Path:
    """The app icon's SVG (PNG renderings lie beside it)."""
    try:
        from importlib.resources import files

        packaged = Path(str(files("neuroviz.resources") / "icons" / "neuroviz.svg"))
        if packaged.exists():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return ICON_DIR / "neuroviz.svg"


def app_icon() -> QIcon:
    """The application icon in every size Qt may ask for."""
    svg = icon_path()
    icon = QIcon()
    for size in (256, 64):
        png = svg.with_name(f"neuroviz-{size}.png")
        if png.exists():
            icon.addFile(str(png), QSize(size, size))
    if svg.exists():
        icon.addFile(str(svg))
    return icon


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once) with its names, style and icon."""
    QCoreApplication.setOrganizationName("neuroviz")
    QCoreApplication.setApplicationName("neuroviz")
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setStyle("Fusion")
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    return app


def run_gui(args: argparse.Namespace, size: tuple[int, int]) -> int:
    """Open the main window (or render it to ``args.screenshot`` at ``size``, width and height) and run."""
    app = make_application()
    quiet_qt_messages()
    model = AppModel(args.example or "circles-squares")
    scratch = tempfile.TemporaryDirectory(prefix="neuroviz-") if args.screenshot else None
    # A screenshot shows the default layout and leaves the user's saved layout alone.
    settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat) if scratch else None
    # The recovery file lives in the app's data folder; a screenshot neither reads nor writes it.
    data_folder = None if scratch else QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    window = build_window(model, settings, data_folder=data_folder or None)
    if args.file and not window.file_actions.open_path(args.file, ask=False) and args.screenshot:
        print(f"neuroviz: error: {window.file_actions.last_error}", file=sys.stderr)
        return 2
    if args.screenshot:
        window.resize(*size)
        window.show()
        app.processEvents()
        ok = window.grab().save(args.screenshot)
        window.close()
        if not ok:
            print(f"neuroviz: error: could not write {args.screenshot}", file=sys.stderr)
            return 2
        return 0
    window.show()
    if window.autosave is not None:
        offer_recovery(window, window.autosave)  # after a crash: Restore / Discard; then autosave
    window.offer_tour()  # the first run: Start here
    return app.exec()
