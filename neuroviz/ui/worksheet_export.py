"""File ▸ Export ▸ Worksheet: a PDF of one update of the open network to work out by hand.

``WorksheetExport`` owns the menu action.  It refuses a network too large
for a sheet (``neuroviz.core.worksheet.MAX_PARAMETERS``) with the reason,
else opens ``WorksheetDialog`` (how many variants, their seed, whether to
write the answer key), then asks for the PDF's name and writes the sheets
and, beside them, ``NAME-answers.pdf``, each atomically
(``neuroviz.ui.worksheet_pdf.write_worksheet``).  The sheet is made of the
open network, the drawing (the input) and its class, and the trainer's η.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QSpinBox,
    QWidget,
)

from neuroviz.core.worksheet import MAX_VARIANTS, WorksheetError, check_network, exercises, worksheet
from neuroviz.model import AppModel
from neuroviz.ui.worksheet_pdf import write_worksheet

PDF_FILTER = "PDF documents (*.pdf)"
MAX_SEED = 2**31 - 1
STATUS_MS = 6000


def answers_pdf_path(path: str) -> str:
    """Where the answer key goes beside the sheets ``NAME.pdf``: ``NAME-answers.pdf``."""
    stem, _ = os.path.splitext(path)
    return f"{stem}-answers.pdf"


class WorksheetDialog(QDialog):
    """The worksheet's options: variants (0: the network's own numbers), seed, answer key on or off."""

    def __init__(self, about: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worksheetDialog")
        self.setWindowTitle("Export worksheet")
        form = QFormLayout(self)
        intro = QLabel(about, self)
        intro.setObjectName("worksheetAbout")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.variants = QSpinBox(self)
        self.variants.setObjectName("worksheetVariants")
        self.variants.setRange(0, MAX_VARIANTS)
        self.variants.setSpecialValueText("none: the network's own numbers")
        self.variants.setToolTip("Sheets of fresh numbers, one per student, so that neighbours cannot copy; "
                                 "none: one sheet of the open network's numbers, rounded to two decimals")
        self.seed = QSpinBox(self)
        self.seed.setObjectName("worksheetSeed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setToolTip("The same seed makes the same sheets again")
        self.answers = QCheckBox("Write the answer key beside it (NAME-answers.pdf)", self)
        self.answers.setObjectName("worksheetAnswers")
        self.answers.setChecked(True)
        form.addRow("&Variants:", self.variants)
        form.addRow("&Seed:", self.seed)
        form.addRow("", self.answers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.variants.valueChanged.connect(self._sync)
        self._sync()

    def _sync(self, *_: object) -> None:
        self.seed.setEnabled(self.variants.value() > 0)

    def chosen_variants(self) -> int | None:
        """The number of variants, or ``None`` for the network's own numbers."""
        return self.variants.value() or None


class WorksheetExport:
    """The File ▸ Export ▸ Worksheet action over ``model``.

    ``folder()`` gives the folder to offer; ``report(title, text, detail)``
    shows a problem (the file actions' message box).
    """

    def __init__(self, window: QMainWindow, model: AppModel, folder: Callable[[], str],
                 report: Callable[[str, str, str], object]) -> None:
        self.window = window
        self.model = model
        self.folder = folder
        self.report = report
        self.written: list[str] = []
        """The files the last export wrote."""
        self.action = QAction("&Worksheet (PDF)…", window)
        self.action.setObjectName("export_worksheet")
        tip = ("A sheet of one update to work out by hand (forward values, loss, every δ, chosen gradients and "
               "new values) and its answer key, as PDF")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.start)
        self.dialog: WorksheetDialog | None = None

    def start(self) -> bool:
        """Open the options dialog (window-modal), unless the network is too large for a sheet."""
        try:
            check_network(self.model.network)
        except WorksheetError as exc:
            self.report("Cannot make a worksheet", "The open network is too large for a worksheet.", str(exc))
            return False
        net = self.model.network
        about = (f"A sheet of one update of the open {'-'.join(map(str, net.sizes))} network ({net.n_params} "
                 "weights and biases) to work out by hand: the forward values, the loss, every δ, and the "
                 "gradients and new values of chosen parameters.")
        self.dialog = WorksheetDialog(about, self.window)
        self.dialog.accepted.connect(self._chosen)
        self.dialog.rejected.connect(self._forget_dialog)
        self.dialog.open()
        return True

    def _forget_dialog(self) -> None:
        """The options dialog is done with: delete it (each export opens a new one)."""
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _chosen(self) -> None:
        dialog = self.dialog
        assert dialog is not None
        name = (self.model.document.title or "network").replace("/", "-") + "-worksheet.pdf"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export worksheet", os.path.join(self.folder(), name),
                                              PDF_FILTER)
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            self.export_to(path, dialog.chosen_variants(), dialog.seed.value(), dialog.answers.isChecked())
        self._forget_dialog()

    def export_to(self, path: str, variants: int | None, seed: int, answers: bool) -> bool:
        """Write the sheets to ``path`` (and the key to ``answers_pdf_path(path)``); True on success."""
        m = self.model
        self.written = []
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # many variants take a second or two
        try:
            sheets = [worksheet(e) for e in exercises(m.network, m.input, m.target, m.dataset.class_names,
                                                      m.trainer.lr, m.document.title, variants, seed)]
            self.written = write_worksheet(sheets, path, answers_pdf_path(path) if answers else None)
        except (OSError, ValueError) as exc:
            self.report("Cannot export", f"“{Path(path).name}” could not be written.",
                        getattr(exc, "strerror", None) or str(exc))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.window.statusBar().showMessage(f"Exported {', '.join(self.written)}", STATUS_MS)
        return True
