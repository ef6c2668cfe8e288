"""File ▸ Open, Open Recent, Save, Save As and Export (with the worksheet's own action), plus opening by drag and drop.

``FileActions`` adds its actions to the main window's File menu and works
only through the model (``snapshot_state``, ``restore``, ``mark_saved``)
and ``neuroviz.io``.  Before the open network is replaced (New, Open, an
example, Quit) ``maybe_save`` asks what to do with unsaved changes:
Save, Discard or Cancel.

Errors (a damaged file, a folder that cannot be written) are reported in a
message box that names the problem; the open network stays as it was.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from neuroviz.io import export, session
from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.model_import import MODEL_SUFFIXES, ModelImportError, import_model
from neuroviz.io.notebook import export_notebook, update_to_show
from neuroviz.io.session import FILE_SUFFIX
from neuroviz.io.snapshot import FILE_SUFFIX as JSON_SUFFIX
from neuroviz.io.snapshot import SnapshotError
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.picture_export import MAX_SIDE, PictureExports, check_folder, default_title
from neuroviz.ui.session_saver import SessionSaver
from neuroviz.ui.window_shortcuts import with_shortcut
from neuroviz.ui.worksheet_export import WorksheetExport

RECENT_KEY = "file/recentFiles"
LAST_DIR_KEY = "file/lastFolder"
MAX_RECENT = 8
SNAPSHOT_FILTER = f"neuroviz sessions (*{FILE_SUFFIX});;All files (*)"
OPEN_FILTER = (f"Sessions, snapshots and models (*{FILE_SUFFIX} *{JSON_SUFFIX} *.json *.onnx *.npz);;"
               f"neuroviz sessions and snapshots (*{FILE_SUFFIX} *{JSON_SUFFIX} *.json);;"
               "Models: ONNX or neuroviz parameters (*.onnx *.npz);;All files (*)")
OPENED_SUFFIXES = (FILE_SUFFIX, ".json", *MODEL_SUFFIXES)
"""What Open (and a drop on the window) takes: snapshots, and models to import."""
STATUS_MS = 6000
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "diagram_png": ("Export diagram as PNG", "PNG images (*.png)", ".png"),
    "diagram_svg": ("Export diagram as SVG", "SVG drawings (*.svg)", ".svg"),
    "loss_png": ("Export loss curves as PNG", "PNG images (*.png)", ".png"),
    "loss_svg": ("Export loss curves as SVG", "SVG drawings (*.svg)", ".svg"),
    "loss_csv": ("Export loss curves as CSV", "CSV tables (*.csv)", ".csv"),
    "table_csv": ("Export update table as CSV", "CSV tables (*.csv)", ".csv"),
    "npz": ("Export parameters for NumPy", "NumPy archives (*.npz)", ".npz"),
    "onnx": ("Export network as ONNX", "ONNX models (*.onnx)", ".onnx"),
    "notebook": ("Export the update as a Jupyter notebook", "Jupyter notebooks (*.ipynb)", ".ipynb"),
}
"""Each export: dialog title, file filter, file name ending."""


class PictureSizeDialog(QDialog):
    """Asks for the width and height of a picture in pixels, and whether it carries a title (and which)."""

    def __init__(self, size: QSize, title: str, parent: QWidget | None = None, picture_title: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("pictureSizeDialog")
        self.setWindowTitle(title)
        self.width_spin = QSpinBox(self)
        self.height_spin = QSpinBox(self)
        sides = ((self.width_spin, size.width(), "width"), (self.height_spin, size.height(), "height"))
        for spin, value, name in sides:
            spin.setObjectName(f"{name}Spin")
            spin.setRange(16, MAX_SIDE)
            spin.setSingleStep(100)
            spin.setSuffix(" px")
            spin.setValue(value)
            spin.setToolTip(f"The picture's {name} in pixels (16 to {MAX_SIDE})")
        self.title_check = QCheckBox("&Title", self)
        self.title_check.setObjectName("titleCheck")
        self.title_check.setToolTip("Write a title line above the picture")
        self.title_edit = QLineEdit(picture_title, self)
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setEnabled(False)
        self.title_check.toggled.connect(self.title_edit.setEnabled)
        self.setMinimumWidth(360)
        form = QFormLayout(self)
        form.addRow("&Width", self.width_spin)
        form.addRow("&Height", self.height_spin)
        form.addRow(self.title_check, self.title_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_size(self) -> QSize:
        return QSize(self.width_spin.value(), self.height_spin.value())

    def chosen_title(self) -> str:
        """The title to write above the picture ("" for none)."""
        return self.title_edit.text().strip() if self.title_check.isChecked() else ""


class FileActions(QObject):
    """The snapshot and export actions of ``window``'s File menu."""

    def __init__(self, window: QMainWindow, model: AppModel, settings: QSettings, pictures: PictureExports) -> None:
        super().__init__(window)
        self.window = window
        self.last_error = ""
        """The message of the last failed open, save or export."""
        self.model = model
        self.settings = settings
        self.pictures = pictures
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                                        "Open a snapshot file")
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.save_action = self._action("&Save", self.save, QKeySequence.StandardKey.Save,
                                        "Save everything (network, data, the timeline and its branches) to its file")
        self.save_as_action = self._action("Save &As…", self.save_as_dialog, "Ctrl+Shift+S",
                                           "Save everything to a new session file")
        self.export_menu = QMenu("&Export", window)
        self.export_menu.setObjectName("exportMenu")
        self.export_actions: dict[str, QAction] = {}
        for key, text, shortcut, tip in (
            ("diagram_png", "Diagram as &PNG…", "Ctrl+E", "The network diagram as a PNG picture of a chosen size"),
            ("diagram_svg", "Diagram as &SVG…", "Ctrl+Shift+E", "The network diagram as an SVG drawing"),
            ("loss_png", "Loss curves as P&NG…", None, "The loss and accuracy curves as a PNG picture"),
            ("loss_svg", "Loss curves as S&VG…", None, "The loss and accuracy curves as an SVG drawing"),
            ("loss_csv", "Loss curves as &CSV…", None, "The loss of every update and the epoch metrics as CSV"),
            ("table_csv", "Update &table as CSV…", None,
             "The last update's table: every parameter's old value, gradient, η, change and new value"),
            ("npz", "Parameters for &NumPy (.npz)…", None, "Every weight matrix and bias vector for np.load"),
            ("onnx", "Network as &ONNX…", None, "The network as an ONNX model (Netron, onnxruntime)"),
            ("notebook", "Update as &Jupyter notebook…", None,
             "A notebook that recomputes the last update (or the one on the drawing) with plain NumPy, "
             "one cell per phase"),
        ):
            action = self._action(text, lambda _=False, k=key: self.export_dialog(k), shortcut, tip)
            action.setObjectName(f"export_{key}")
            self.export_menu.addAction(action)
            self.export_actions[key] = action
            if key in ("diagram_svg", "loss_csv", "table_csv"):
                self.export_menu.addSeparator()
        self.worksheet = WorksheetExport(window, model, self._folder, self.show_error)
        self.export_menu.addSeparator()
        self.export_menu.addAction(self.worksheet.action)
        if importlib.util.find_spec("onnx") is None:
            onnx = self.export_actions["onnx"]
            onnx.setEnabled(False)
            onnx.setToolTip("Needs the optional extra: pip install 'neuroviz[onnx]'")
        self.saver = SessionSaver(window)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        subscribe(self, self.model.stepped, self._sync_enabled)
        subscribe(self, self.model.document.architecture_changed, self._sync_enabled)
        self._sync_enabled()

    def menu_groups(self) -> list[list[QAction]]:
        """The File menu's groups these actions make (each after a separator): open and save, export."""
        return [[self.open_action, self.recent_menu.menuAction(), self.save_action, self.save_as_action],
                [self.export_menu.menuAction()]]

    def _action(self, text: str, slot: Callable[..., object], shortcut: QKeySequence.StandardKey | str | None,
                tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(with_shortcut(tip, action))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _sync_enabled(self, *_: object) -> None:
        self.export_actions["table_csv"].setEnabled(self.model.last_trace is not None)

    # ----------------------------------------------------------- unsaved
    def maybe_save(self) -> bool:
        """True if the open network may be replaced: saved, discarded, or without changes."""
        if not self.model.document.modified:
            return True
        doc = self.model.document
        name = Path(doc.file_path).name if doc.file_path else (doc.title or "untitled")
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"“{name}” has changes that were not saved.", parent=self.window)
        box.setObjectName("unsavedChangesBox")
        box.setInformativeText("Save them before going on?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -------------------------------------------------------------- open
    def open_dialog(self) -> bool:
        """Ask for a snapshot file, then (once one is chosen) about unsaved changes, and open it."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open snapshot or model", self._folder(), OPEN_FILTER)
        return bool(path) and self.open_path(path)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open the snapshot at ``path``, or import the model (``.onnx``, ``.npz``) there
        (asking about unsaved changes first if ``ask``).

        On a bad file a message box names the problem and nothing changes.
        """
        if ask and not self.maybe_save():
            return False
        path = os.path.abspath(path)
        if path.lower().endswith(MODEL_SUFFIXES):
            return self._import_model(path)
        try:
            self.model.restore(session.load(path), path)
        except SnapshotError as exc:
            self.show_error("Cannot open the snapshot", f"“{Path(path).name}” could not be opened.", str(exc))
            return False
        self._remember(path)
        self.window.statusBar().showMessage(f"Opened {path}", STATUS_MS)
        return True

    def _import_model(self, path: str) -> bool:
        """Open the model at ``path`` untrained, as a new document (Save asks for a snapshot name)."""
        try:
            imported = import_model(path)
            self.model.restore(imported.snapshot())
        except (ModelImportError, SnapshotError) as exc:
            self.show_error("Cannot open the model", f"“{Path(path).name}” could not be imported.", str(exc))
            return False
        self._remember(path)
        net = imported.network
        self.window.statusBar().showMessage(
            f"Imported {Path(path).name}: a {'-'.join(map(str, net.sizes))} network, untrained on "
            f"{self.model.dataset.name}", STATUS_MS)
        return True

    # -------------------------------------------------------------- save
    def save(self) -> bool:
        """Save to the model's file, or ask for one."""
        if self.model.document.file_path:
            return self.save_to(self.model.document.file_path)
        return self.save_as_dialog()

    def save_as_dialog(self) -> bool:
        name = (self.model.document.title or "network").replace("/", "-")
        suggestion = self.model.document.file_path or os.path.join(self._folder(), name + FILE_SUFFIX)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", suggestion, SNAPSHOT_FILTER)
        if not path:
            return False
        if not path.endswith((FILE_SUFFIX, ".json")):
            path += FILE_SUFFIX
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the whole session (its timeline too) to ``path`` atomically, on a worker thread while the window
        goes on; on failure the old file is intact.  Changes made while it saves stay unsaved."""
        path = os.path.abspath(path)
        changed: list[bool] = []
        doc = self.model.document

        def note(*_: object) -> None:
            changed.append(True)

        signals = (doc.network_changed, doc.dataset_changed, self.model.drawing.changed, self.model.time.changed)
        for signal in signals:
            signal.connect(note)
        try:
            problem = self.saver.save(path, self.model.snapshot_state())
        finally:
            for signal in signals:
                signal.disconnect(note)
        if problem is not None:
            self.show_error("Cannot save", f"The session could not be written to “{path}”.",
                            getattr(problem, "strerror", None) or str(problem))
            return False
        doc.mark_saved(path)
        if changed:
            doc.mark_modified()
        self._remember(path)
        self.window.statusBar().showMessage(f"Saved {path}", STATUS_MS)
        return True

    # ------------------------------------------------------------ export
    def export_dialog(self, kind: str) -> bool:
        """Ask for a size (pictures) and a file name, then export ``kind``."""
        title, file_filter, suffix = EXPORT_FORMATS[kind]
        size = None
        picture_title = ""
        if kind in PictureExports.KINDS:
            dialog = PictureSizeDialog(self.default_size(kind), title, self.window, default_title(self.model))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            size, picture_title = dialog.chosen_size(), dialog.chosen_title()
        stem = (self.model.document.title or "network").replace("/", "-") + "-" + kind.split("_")[0]
        path, _ = QFileDialog.getSaveFileName(self.window, title, os.path.join(self._folder(), stem + suffix),
                                              file_filter)
        if not path:
            return False
        if not path.lower().endswith(suffix):
            path += suffix
        return self.export_to(kind, path, size, picture_title)

    def default_size(self, kind: str) -> QSize:
        """The picture size offered first: the panel's size on screen."""
        return self.pictures.on_screen_size(kind)

    def export_to(self, kind: str, path: str, size: QSize | None = None, title: str = "") -> bool:
        """Write export ``kind`` (a key of ``EXPORT_FORMATS``) to ``path``; True on success.

        A picture carries ``title`` above it if given.
        """
        s = self.model
        size = size or self.default_size(kind)
        try:
            check_folder(path)
            if kind in PictureExports.KINDS:
                data = self.pictures.picture(kind, size, title)
            elif kind == "loss_csv":
                h = s.trainer.history
                export.export_loss_curves_csv(path, h.steps, h.values, s.trainer.epochs)
                data = None
            elif kind == "table_csv":
                if s.last_trace is None:
                    raise ValueError("no update has been made yet: take a step first")
                export.export_update_table_csv(path, s.last_trace)
                data = None
            elif kind == "npz":
                export.export_parameters_npz(path, s.network)
                data = None
            elif kind == "notebook":
                shown = update_to_show(s.network, s.last_trace, s.input, s.target, s.trainer.lr)
                export_notebook(path, s.network, shown, s.document.title)
                data = None
            elif kind == "onnx":
                from neuroviz.io.onnx_export import export_onnx

                export_onnx(path, s.network)
                data = None
            else:
                raise ValueError(f"unknown export {kind!r}")
            if data is not None:
                atomic_write_bytes(path, data)
        except (OSError, ValueError, ImportError) as exc:
            self.show_error("Cannot export", f"“{Path(path).name}” could not be written.",
                            getattr(exc, "strerror", None) or str(exc))
            return False
        self.settings.setValue(LAST_DIR_KEY, os.path.dirname(os.path.abspath(path)))
        self.window.statusBar().showMessage(f"Exported {path}", STATUS_MS)
        return True

    # ------------------------------------------------------------ recent
    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(p) for p in (value or [])][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        files = [path, *[p for p in self.recent_files() if p != path]][:MAX_RECENT]
        self.settings.setValue(RECENT_KEY, files)
        self.settings.setValue(LAST_DIR_KEY, os.path.dirname(path))

    def _forget(self, path: str) -> None:
        self.settings.setValue(RECENT_KEY, [p for p in self.recent_files() if p != path])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for i, path in enumerate(files):
            action = self.recent_menu.addAction(f"&{i + 1}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear list", lambda: self.settings.setValue(RECENT_KEY, []))

    def open_recent(self, path: str) -> bool:
        """Open a recent file; a file that has gone is taken off the list."""
        if not os.path.exists(path):
            self._forget(path)
            self.show_error("Cannot open the snapshot", f"“{Path(path).name}” no longer exists.", path)
            return False
        return self.open_path(path)

    def _folder(self) -> str:
        folder = str(self.settings.value(LAST_DIR_KEY, "") or "")
        if self.model.document.file_path:
            folder = os.path.dirname(self.model.document.file_path)
        return folder if folder and os.path.isdir(folder) else str(Path.home())

    # -------------------------------------------------------------- drop
    @staticmethod
    def dropped_snapshot(event: QDragMoveEvent | QDropEvent) -> str | None:
        """The one local snapshot or model file being dragged, or None."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = urls[0].toLocalFile()
        return path if path.lower().endswith(OPENED_SUFFIXES) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragMoveEvent)
            if self.dropped_snapshot(event):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                return True
        elif watched is self.window and event.type() == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            path = self.dropped_snapshot(event)
            if path:
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                self.open_path(path)
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ errors
    def show_error(self, title: str, text: str, detail: str) -> QMessageBox:
        """A message box naming the problem (window-modal, does not block)."""
        self.last_error = f"{text} {detail}"
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("fileErrorBox")
        box.setInformativeText(detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
