"""Help ▸ Keyboard shortcuts and Help ▸ About: the window's two help dialogs.

``shortcuts_dialog`` lists every key the window answers (``key_map``) and
the diagram's mouse gestures in one table; ``show_about`` names the version
and the data's credits.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neuroviz import __version__
from neuroviz.ui.key_map import WINDOW, KeyUse

MOUSE_HELP = (
    ("Hover", "Show a neuron's or weight's values in the paper's notation"),
    ("Click", "Select a neuron or weight (the inspector follows)"),
    ("Wheel", "Zoom the diagram around the pointer"),
    ("Drag", "Pan the diagram"),
    ("Double-click", "Fit the diagram to the view"),
)
DATA_CREDITS = (
    "The 8×8 handwritten digits are the test part of the UCI “Optical Recognition of Handwritten "
    "Digits” data set (E. Alpaydin, C. Kaynak, 1998; UCI Machine Learning Repository, CC BY 4.0). "
    "The circles and squares are drawn by neuroviz itself."
)

def shortcut_rows(uses: list[KeyUse]) -> list[tuple[str, str]]:
    """(label, keys) of each use once, the window's keys first (a panel's label names where it acts)."""
    rows: list[tuple[str, str]] = []
    for use in sorted(uses, key=lambda u: u.context != WINDOW):
        row = (use.label or use.command, QKeySequence(use.keys).toString(QKeySequence.SequenceFormat.NativeText))
        if row not in rows:
            rows.append(row)
    return rows


def shortcuts_dialog(parent: QWidget, uses: list[KeyUse]) -> QDialog:
    """A dialog (not yet shown) listing every key of ``uses`` and the diagram's mouse gestures."""
    rows = shortcut_rows(uses) + [(desc, gesture) for gesture, desc in MOUSE_HELP]
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(rows), 2, dialog)
    table.setObjectName("shortcutsTable")
    table.setHorizontalHeaderLabels(["Action", "Shortcut"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, (what, keys) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(what))
        table.setItem(r, 1, QTableWidgetItem(keys))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the keys column stays whole
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(max(640, table.sizeHintForColumn(0) + table.sizeHintForColumn(1) + 60), 620)
    return dialog


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent, "About neuroviz",
        f"<h3>neuroviz {__version__}</h3>"
        "<p>See a neural network's forward and backward propagation, number by number, in the notation "
        "of H. Green, “A Mathematical Overview of Forward and Backward Propagation in Artificial Neural "
        "Networks” (2025).</p>"
        f"<p><b>Data credits.</b> {DATA_CREDITS}</p>"
        "<p>Built with Python, NumPy, Qt (PySide6) and pyqtgraph. MIT licence.</p>")


__all__ = ["MOUSE_HELP", "shortcut_rows", "shortcuts_dialog", "show_about"]
