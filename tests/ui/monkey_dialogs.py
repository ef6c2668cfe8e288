"""The monkey's answers to dialogs: seeded random file names for the file dialogs, random clicks for the rest.

``FileAnswers`` stands in for ``QFileDialog``'s static functions: it
answers with a cancel, a new file in a scratch folder, a file saved or
exported earlier, a damaged file, a folder that does not exist or cannot be
written.  ``DialogAnswerer`` answers whatever modal dialog or popup menu is
open: a ``QTimer`` looks every millisecond, so a dialog that is ``exec()``'d
(and blocks the caller in a nested event loop) is answered too.  Before
answering it may fiddle with the dialog's fields (spin boxes, combo boxes,
check boxes, line edits) a few times.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QRadioButton,
    QWidget,
)

SUFFIXES = (".json", ".neuroviz.json", ".npz", ".onnx", ".csv", ".png", ".svg", ".ipynb", ".txt", "")
TEXTS = ("", "4-3-2", "64-8-2", "64-16-16-2", "64-32-16-10", "64-12-10", "abc", "64--2", "1-1", "64 x 4 x 10",
         "relu, tanh", "sigmoid", "bogus", "  ", "0", "-1", "1e-3", "Tîtle ✓", "1" * 40)
"""What the monkey types into a line edit (sizes, activations, titles, garbage)."""
MAX_FIDDLES = 4
"""Fields changed in one dialog before it is answered."""
MAX_TRIES = 40
"""Answers after which a dialog still open is a fault (and is closed)."""


def _describe(widget: QObject) -> str:
    name = widget.objectName()
    title = widget.windowTitle() if isinstance(widget, QWidget) else ""
    return f"{type(widget).__name__}{'#' + name if name else ''}{' “' + title + '”' if title else ''}"


class FileAnswers:
    """Seeded answers for ``QFileDialog.getOpenFileName``, ``getSaveFileName`` and ``getExistingDirectory``."""

    def __init__(self, rng: np.random.Generator, folder: Path, log: Callable[[str], None]) -> None:
        self.rng = rng
        self.log = log
        self.folder = folder
        self.out = folder / "out"
        self.out.mkdir(parents=True, exist_ok=True)
        self.locked = folder / "locked"
        self.locked.mkdir(exist_ok=True)
        os.chmod(self.locked, stat.S_IRUSR | stat.S_IXUSR)
        self.damaged = self._damaged_files(folder / "damaged")
        self.image_folders = self._image_folders(folder / "images")

    @staticmethod
    def _damaged_files(folder: Path) -> list[Path]:
        folder.mkdir(exist_ok=True)
        files = {"truncated.neuroviz.json": b'{"format": "neuroviz-snapshot", "version": 1, "network": {',
                 "empty.onnx": b"", "garbage.onnx": bytes(range(256)) * 4, "garbage.npz": b"PK\x03\x04" + b"\0" * 60,
                 "text.csv": b"a,b,c\n1,2\n", "wrong.csv": b"0.5,0.5,0.5,7\n", "list.json": b"[1, 2, 3]",
                 "nan.csv": ("".join(f"{'nan' if i == 3 else 0.5}," for i in range(64)) + "1\n").encode()}
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return sorted(folder.iterdir())

    @staticmethod
    def _image_folders(folder: Path) -> list[Path]:
        """A folder of 8×8 images in two classes, one with a single class, and an empty one."""
        two, one, empty = folder / "two", folder / "one", folder / "empty"
        rng = np.random.default_rng(0)
        for root, classes in ((two, ("a", "b")), (one, ("only",))):
            for name in classes:
                (root / name).mkdir(parents=True, exist_ok=True)
                for i in range(3):
                    image = QImage(8, 8, QImage.Format.Format_Grayscale8)
                    image.fill(int(rng.integers(0, 256)))
                    image.save(str(root / name / f"{i}.png"))
        empty.mkdir(parents=True, exist_ok=True)
        return [two, one, empty]

    def _pick(self, options: list[tuple[float, Callable[[], str]]]) -> str:
        weights = np.array([w for w, _ in options])
        return options[int(self.rng.choice(len(options), p=weights / weights.sum()))][1]()

    def _new_name(self, suffix: str) -> str:
        return f"f{int(self.rng.integers(0, 40))}{suffix}"

    def _written(self) -> list[Path]:
        return sorted(p for p in self.out.iterdir() if p.is_file())

    def save_name(self, *args: object, **kwargs: object) -> tuple[str, str]:
        suffix = str(self.rng.choice(SUFFIXES))
        path = self._pick([
            (3, lambda: ""),
            (6, lambda: str(self.out / self._new_name(suffix))),
            (1, lambda: str(self.folder / "missing" / self._new_name(suffix))),
            (1, lambda: str(self.locked / self._new_name(suffix))),
            (0.5, lambda: str(self.out)),
        ])
        self.log(f"  save dialog → {path!r}")
        return path, ""

    def open_name(self, *args: object, **kwargs: object) -> tuple[str, str]:
        written = self._written()
        path = self._pick([
            (2, lambda: ""),
            (6 if written else 0, lambda: str(written[int(self.rng.integers(len(written)))])),
            (2, lambda: str(self.damaged[int(self.rng.integers(len(self.damaged)))])),
            (0.5, lambda: str(self.folder / "missing.json")),
            (0.5, lambda: str(self.out)),
        ])
        self.log(f"  open dialog → {path!r}")
        return path, ""

    def folder_name(self, *args: object, **kwargs: object) -> str:
        path = self._pick([(1, lambda: ""), (3, lambda: str(self.image_folders[int(self.rng.integers(3))])),
                           (1, lambda: str(self.out)), (0.5, lambda: str(self.folder / "missing"))])
        self.log(f"  folder dialog → {path!r}")
        return path

    def close(self) -> None:
        os.chmod(self.locked, stat.S_IRWXU)


class DialogAnswerer(QObject):
    """Answers the open modal dialog or popup at random, from a timer (so exec()'d dialogs return)."""

    def __init__(self, rng: np.random.Generator, log: Callable[[str], None], stuck: Callable[[str], None]) -> None:
        super().__init__()
        self.rng = rng
        self.log = log
        self.stuck = stuck
        """Told of a dialog that does not close however it is answered."""
        self.answered = 0
        self._scheduled = False
        self.timer = QTimer(self)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)

    @staticmethod
    def open_one() -> QWidget | None:
        """The popup or modal dialog that takes the input now, if any."""
        return QApplication.activePopupWidget() or QApplication.activeModalWidget()

    def _tick(self) -> None:
        widget = self.open_one()
        if widget is None or self._scheduled:
            return
        self._scheduled = True
        # A slot of its own: an answer that opens another dialog runs a nested loop in which this timer still fires.
        QTimer.singleShot(0, lambda: self._answer_later(widget))

    def _answer_later(self, widget: QWidget) -> None:
        self._scheduled = False
        if shiboken6.isValid(widget) and widget.isVisible():
            self.answer(widget)

    def answer(self, widget: QWidget) -> None:
        """One move on ``widget``: a field changed, or the dialog answered (the popup closed)."""
        if isinstance(widget, QMenu) or not isinstance(widget, QDialog):
            self._answer_popup(widget)
            return
        tries = int(widget.property("monkeyTries") or 0) + 1  # kept on the dialog: dies with it
        widget.setProperty("monkeyTries", tries)
        if tries > MAX_TRIES:  # a dialog that answers nothing would hang the caller of its exec()
            self.stuck(f"{_describe(widget)} stays open after {MAX_TRIES} answers")
            widget.done(0)
            return
        fiddles = int(widget.property("monkeyFiddles") or 0)
        if fiddles < MAX_FIDDLES and not isinstance(widget, (QMessageBox, QProgressDialog)) and self.rng.random() < 0.6:
            widget.setProperty("monkeyFiddles", fiddles + 1)
            self._fiddle(widget)
            return
        self.answered += 1
        if isinstance(widget, QMessageBox):
            buttons = widget.buttons()
            button = buttons[int(self.rng.integers(len(buttons)))]
            self.log(f"  answer {_describe(widget)}: {button.text()!r}")
            button.click()
        elif isinstance(widget, QProgressDialog):
            self.log(f"  answer {_describe(widget)}: cancel")
            widget.cancel()
        else:
            buttons = [b for box in widget.findChildren(QDialogButtonBox) for b in box.buttons() if b.isEnabled()]
            choice = int(self.rng.integers(len(buttons) + 2))
            if choice < len(buttons):
                self.log(f"  answer {_describe(widget)}: {buttons[choice].text()!r}")
                buttons[choice].click()
            elif choice == len(buttons):
                self.log(f"  answer {_describe(widget)}: Esc")
                QTest.keyClick(widget, Qt.Key.Key_Escape)
            else:
                self.log(f"  answer {_describe(widget)}: Return")
                QTest.keyClick(widget, Qt.Key.Key_Return)
            if widget.isVisible() and choice >= len(buttons) and self.rng.random() < 0.5:
                self.log(f"  answer {_describe(widget)}: reject()")
                widget.reject()

    def _answer_popup(self, widget: QWidget) -> None:
        """Close a popup (a menu, a combo box's list) with Esc, or move down a few rows and press Return."""
        if self.rng.random() < 0.4:
            self.log(f"  popup {_describe(widget)}: Esc")
            QTest.keyClick(widget, Qt.Key.Key_Escape)
        else:
            downs = int(self.rng.integers(0, 6))
            self.log(f"  popup {_describe(widget)}: Down×{downs}, Return")
            for _ in range(downs):
                QTest.keyClick(widget, Qt.Key.Key_Down)
            QTest.keyClick(widget, Qt.Key.Key_Return)
        if shiboken6.isValid(widget) and widget.isVisible() and QApplication.activePopupWidget() is widget:
            widget.close()

    def _fiddle(self, dialog: QDialog) -> None:
        fields = [w for w in dialog.findChildren(QWidget)
                  if isinstance(w, (QAbstractSpinBox, QComboBox, QCheckBox, QRadioButton, QLineEdit))
                  and w.isVisible() and w.isEnabled() and not isinstance(w.parentWidget(), QAbstractSpinBox)]
        if not fields:
            return
        field = fields[int(self.rng.integers(len(fields)))]
        what = _describe(field)
        if isinstance(field, QAbstractSpinBox):
            steps = int(self.rng.choice([-100, -10, -1, 1, 1, 10, 100]))
            self.log(f"  fiddle {what}: step {steps}")
            field.stepBy(steps)
        elif isinstance(field, QComboBox):
            index = int(self.rng.integers(max(1, field.count())))
            self.log(f"  fiddle {what}: index {index}")
            field.setCurrentIndex(index)
        elif isinstance(field, QAbstractButton):
            self.log(f"  fiddle {what}: click")
            field.click()
        else:
            text = str(self.rng.choice(TEXTS))
            self.log(f"  fiddle {what}: {text!r}")
            field.selectAll()
            QTest.keyClick(field, Qt.Key.Key_Backspace)
            if text.isascii():
                QTest.keyClicks(field, text)
            else:  # QTest types ASCII only (it aborts on other characters): paste the rest
                field.insert(text)


__all__ = ["DialogAnswerer", "FileAnswers"]
