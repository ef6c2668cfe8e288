"""File ▸ Export ▸ Worksheet: the dialog's options, driven with real key and mouse events, and the files written."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QMenu

from neuroviz.ui.worksheet_export import WorksheetDialog, answers_pdf_path


def pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def choose(monkeypatch, path) -> list[str]:
    asked: list[str] = []

    def dialog(parent, caption, suggestion, file_filter):
        asked.append(suggestion)
        return (str(path) if path else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def open_dialog(qtbot, window) -> WorksheetDialog:
    export_menu = window.findChild(QMenu, "exportMenu")
    action = window.findChild(QAction, "export_worksheet")
    assert action in export_menu.actions()
    action.trigger()
    dialog = window.findChild(WorksheetDialog, "worksheetDialog")
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def type_into(qtbot, spin, text: str) -> None:
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton)
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def click_ok(qtbot, dialog) -> None:
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def test_variants_seed_and_answers_from_the_dialog_write_the_sheets_and_the_key(qtbot, main_window, model,
                                                                               tmp_path, monkeypatch):
    model.load_example("paper-figure-4")
    asked = choose(monkeypatch, tmp_path / "class")  # no ending typed: .pdf is added
    dialog = open_dialog(qtbot, main_window)
    assert "open 4-3-2 network (23 weights and biases)" in dialog.findChild(QLabel, "worksheetAbout").text()
    assert not dialog.seed.isEnabled()  # no variants: the network's own numbers, no seed
    type_into(qtbot, dialog.variants, "3")
    assert dialog.seed.isEnabled()
    type_into(qtbot, dialog.seed, "7")
    assert (dialog.chosen_variants(), dialog.seed.value(), dialog.answers.isChecked()) == (3, 7, True)
    click_ok(qtbot, dialog)
    sheet, key = tmp_path / "class.pdf", tmp_path / "class-answers.pdf"
    assert asked[0].endswith("-worksheet.pdf")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["class-answers.pdf", "class.pdf"]
    assert pages(sheet) == 3 * 2 and pages(key) >= 3 * 2
    assert main_window.file_actions.worksheet.written == [str(sheet), str(key)]
    assert str(sheet) in main_window.statusBar().currentMessage()
    assert model.network.weights[1][0, 1] != 0.15  # the open network is not changed by its sheet


def test_without_the_answer_key_only_the_sheet_is_written(qtbot, main_window, model, tmp_path, monkeypatch):
    model.load_example("paper-figure-4")
    choose(monkeypatch, tmp_path / "only.pdf")
    dialog = open_dialog(qtbot, main_window)
    qtbot.mouseClick(dialog.answers, Qt.MouseButton.LeftButton)
    assert not dialog.answers.isChecked()
    click_ok(qtbot, dialog)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["only.pdf"]
    assert pages(tmp_path / "only.pdf") == 2


def test_cancelling_the_file_dialog_writes_nothing(qtbot, main_window, model, tmp_path, monkeypatch):
    model.load_example("paper-figure-4")
    choose(monkeypatch, None)
    click_ok(qtbot, open_dialog(qtbot, main_window))
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []
    assert main_window.file_actions.worksheet.written == []


def test_a_folder_that_cannot_be_written_is_reported_and_the_cursor_comes_back(qtbot, main_window, model,
                                                                             tmp_path):
    model.load_example("paper-figure-4")
    export = main_window.file_actions.worksheet
    assert export.export_to(str(tmp_path / "missing" / "s.pdf"), None, 0, True) is False
    assert "could not be written" in main_window.file_actions.last_error
    assert QGuiApplication.overrideCursor() is None


def test_a_network_too_large_is_refused_before_any_dialog(qtbot, main_window, model, monkeypatch):
    asked = choose(monkeypatch, None)
    assert model.network.n_params > 40  # the default 64-16-16-2 network
    assert main_window.file_actions.worksheet.start() is False
    assert "at most 40 weights and biases" in main_window.file_actions.last_error
    assert main_window.findChild(WorksheetDialog) is None and asked == []


def test_the_answer_key_goes_beside_the_sheet():
    assert answers_pdf_path("/a/class.pdf") == "/a/class-answers.pdf"


def test_a_cancelled_options_dialog_is_deleted(qtbot, main_window, model):
    # Cancel left the dialog alive (parented to the window): one more per export, and the next lookup by
    # name could find an old, hidden one.
    model.load_example("paper-figure-4")
    for _ in range(3):
        dialog = open_dialog(qtbot, main_window)
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel),
                         Qt.MouseButton.LeftButton)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert main_window.findChildren(WorksheetDialog) == []
