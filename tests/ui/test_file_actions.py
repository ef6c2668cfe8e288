"""File ▸ Open / Save / Save As / Open Recent / Export, drag and drop, unsaved-changes prompts.

Menu actions are triggered with their real keyboard shortcuts; modal message
boxes and the picture-size dialog are answered with real mouse clicks and
key presses; only the platform file dialogs are replaced (they cannot run
offscreen).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from neuroviz.io import session, snapshot
from neuroviz.ui.file_actions import RECENT_KEY, PictureSizeDialog

SVG = "{http://www.w3.org/2000/svg}"


def state_text(model) -> str:
    """The whole model state as snapshot text (compares everything, bit for bit)."""
    return snapshot.dumps(model.snapshot_state())


def answer_modal(qtbot, act: Callable[[QWidget], None], found: list[str] | None = None) -> None:
    """When the next modal dialog shows, call ``act(dialog)`` (from inside its event loop)."""

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, poll)
            return
        if found is not None:
            found.append(widget.objectName())
        act(widget)

    QTimer.singleShot(0, poll)


def click_button(qtbot, which: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        qtbot.mouseClick(box.button(which), Qt.MouseButton.LeftButton)

    return act


def choose_file(monkeypatch, path: Path | None, which: str = "getSaveFileName") -> list[int]:
    """Make the save/open file dialog answer ``path`` (None: cancelled); returns a call counter."""
    calls: list[int] = []

    def dialog(*args, **kwargs):
        calls.append(1)
        return (str(path) if path else "", "")

    monkeypatch.setattr(QFileDialog, which, dialog)
    return calls


def press(qtbot, window, key: str) -> None:
    """Press a shortcut such as ``Ctrl+S`` on the window."""
    from PySide6.QtGui import QKeySequence

    combo = QKeySequence(key)[0]
    qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())


@pytest.fixture
def trained(main_window):
    """The main window's model after three updates (so it has unsaved changes and a last update)."""
    s = main_window.model
    for _ in range(3):
        s.step()
    assert s.document.modified
    return main_window


# ------------------------------------------------------------------ save/open
def test_save_as_then_open_restores_everything(qtbot, trained, tmp_path, monkeypatch):
    window, s = trained, trained.model
    path = tmp_path / "mine.nvz"
    choose_file(monkeypatch, tmp_path / "mine")  # no ending typed: .nvz is added
    press(qtbot, window, "Ctrl+Shift+S")
    assert path.exists() and s.document.file_path == str(path) and not s.document.modified
    assert not window.isWindowModified()
    saved = state_text(s)
    assert snapshot.dumps(session.load(path)) == saved
    assert window.file_actions.recent_files()[0] == str(path)

    s.load_example("paper-figure-4")  # something else entirely
    assert state_text(s) != saved
    choose_file(monkeypatch, path, "getOpenFileName")
    press(qtbot, window, "Ctrl+O")
    assert state_text(s) == saved
    assert s.document.file_path == str(path) and not s.document.modified
    assert "Opened" in window.statusBar().currentMessage()


def test_ctrl_s_saves_to_the_open_file_without_asking(qtbot, trained, tmp_path, monkeypatch):
    window, s = trained, trained.model
    path = tmp_path / "a.nvz.json"
    assert window.file_actions.save_to(str(path))
    s.step()
    assert s.document.modified
    calls = choose_file(monkeypatch, tmp_path / "other.nvz.json")
    press(qtbot, window, "Ctrl+S")
    assert calls == [] and not s.document.modified
    assert session.load(path).trainer_state["step"] == s.trainer.step_count == 4


def test_opened_session_trains_on_exactly_like_the_saved_one(qtbot, main_window, tmp_path):
    s = main_window.model
    s.train_for(10.0, max_steps=150)
    s.step()
    path = tmp_path / "mid.nvz.json"
    assert main_window.file_actions.save_to(str(path))
    from neuroviz.model import AppModel

    other = AppModel()
    other.restore(session.load(path), str(path))
    for model in (s, other):
        model.train_for(10.0, max_steps=300)  # crosses the end of the first epoch
        model.step()
    assert state_text(s) == state_text(other)
    assert other.trainer.epoch >= 1


def test_a_bad_file_is_reported_and_changes_nothing(qtbot, trained, tmp_path, monkeypatch):
    window, s = trained, trained.model
    good = tmp_path / "good.nvz.json"
    snapshot.save(good, s.snapshot_state())
    doc = json.loads(good.read_text("utf-8"))
    doc["network"]["weights"][0][0][0] = "oops"
    bad = tmp_path / "bad.nvz.json"
    bad.write_text(json.dumps(doc))
    before, title = state_text(s), window.windowTitle()
    s.document.modified = False
    choose_file(monkeypatch, bad, "getOpenFileName")
    press(qtbot, window, "Ctrl+O")
    box = window.findChild(QMessageBox, "fileErrorBox")
    qtbot.waitUntil(lambda: box is not None and box.isVisible())
    assert "network.weights[0][0]: expected a list of numbers; found text in it" in box.informativeText()
    assert state_text(s) == before and window.windowTitle() == title
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "fileErrorBox") is None)


# ------------------------------------------------------------ unsaved changes
def test_open_asks_about_unsaved_changes_after_the_file_and_cancel_keeps_everything(
        qtbot, trained, tmp_path, monkeypatch):
    window, s = trained, trained.model
    before = state_text(s)
    chosen = tmp_path / "x.nvz.json"
    asked_after: list[bool] = []

    def dialog(*args, **kwargs):
        asked_after.append(QApplication.activeModalWidget() is None)  # no question before the file
        return (str(chosen), "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog)
    found: list[str] = []
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Cancel), found)
    press(qtbot, window, "Ctrl+O")
    assert asked_after == [True] and found == ["unsavedChangesBox"]
    assert state_text(s) == before and s.document.modified


def test_cancelling_the_open_dialog_asks_nothing(qtbot, trained, monkeypatch):
    window, s = trained, trained.model
    before = state_text(s)
    calls = choose_file(monkeypatch, None, "getOpenFileName")
    asked: list[str] = []

    def question(box):  # a question shown would be recorded and cancelled (never left hanging)
        asked.append(box.objectName())
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", question)
    press(qtbot, window, "Ctrl+O")
    assert calls == [1] and asked == []
    assert state_text(s) == before and s.document.modified


def test_save_in_the_prompt_saves_before_opening(qtbot, trained, tmp_path, monkeypatch):
    window, s = trained, trained.model
    other = tmp_path / "other.nvz.json"
    from neuroviz.model import AppModel

    fresh = AppModel()
    fresh.load_example("paper-figure-4")
    snapshot.save(other, fresh.snapshot_state())
    first = tmp_path / "first.nvz.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(first), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    changed = state_text(s)
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Save))
    press(qtbot, window, "Ctrl+O")
    assert snapshot.dumps(session.load(first)) == changed  # the changes were saved first
    assert s.document.title == "Paper, Figure 4 (4-3-2)" and s.document.file_path == str(other)


def test_new_network_asks_and_discard_goes_on(qtbot, trained, monkeypatch):
    window = trained
    shown: list[str] = []
    from neuroviz.ui import main_window as mw

    monkeypatch.setattr(mw.NewNetworkDialog, "exec", lambda self: shown.append("new") or 0)
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Discard))
    press(qtbot, window, "Ctrl+N")
    assert shown == ["new"]


def quit_from_the_menu(window) -> None:
    """File ▸ Quit (the offscreen platform binds no key to the standard Quit shortcut)."""
    window.quit_action.trigger()


def test_quit_asks_and_cancel_keeps_the_window_open(qtbot, trained):
    window = trained
    found: list[str] = []
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Cancel), found)
    quit_from_the_menu(window)
    qtbot.waitUntil(lambda: found == ["unsavedChangesBox"])
    assert window.isVisible()
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Discard))
    quit_from_the_menu(window)
    qtbot.waitUntil(lambda: not window.isVisible())


# ------------------------------------------------------------ recent, drop
def test_open_recent_lists_files_and_opens_them(qtbot, trained, tmp_path):
    window, s = trained, trained.model
    actions = window.file_actions
    a, b = tmp_path / "a.nvz.json", tmp_path / "b.nvz.json"
    assert actions.save_to(str(a))
    s.step()
    assert actions.save_to(str(b))
    assert actions.recent_files()[:2] == [str(b), str(a)]
    assert window.settings.value(RECENT_KEY)[:2] == [str(b), str(a)]
    menu = actions.recent_menu
    menu.aboutToShow.emit()
    entries = [act for act in menu.actions() if act.text().startswith("&")]
    assert [e.text() for e in entries[:2]] == ["&1  b.nvz.json", "&2  a.nvz.json"]
    entries[1].trigger()
    assert s.document.file_path == str(a) and s.trainer.step_count == 3
    a.unlink()
    actions.open_recent(str(a))
    assert str(a) not in actions.recent_files()
    box = window.findChild(QMessageBox, "fileErrorBox")
    qtbot.waitUntil(lambda: box is not None and box.isVisible())
    box.close()


def _drop(window, path: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return drop


def test_dropping_a_snapshot_on_the_window_opens_it(qtbot, main_window, tmp_path):
    from neuroviz.model import AppModel

    other = AppModel()
    other.load_example("digits")
    other.step()
    path = tmp_path / "digits.nvz.json"
    snapshot.save(path, other.snapshot_state())
    drop = _drop(main_window, path)
    assert drop.isAccepted()
    assert main_window.model.network.sizes == (64, 32, 16, 10)
    assert state_text(main_window.model) == state_text(other)


def test_dragging_other_files_is_not_accepted(qtbot, main_window, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "picture.png"))])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(main_window, enter)
    assert not enter.isAccepted()


# ------------------------------------------------------------------ exports
def test_export_diagram_png_of_the_size_typed_in_the_dialog(qtbot, trained, tmp_path, monkeypatch):
    window = trained
    path = tmp_path / "diagram.png"
    choose_file(monkeypatch, path)

    def type_size(dialog: QWidget) -> None:
        assert isinstance(dialog, PictureSizeDialog)
        for spin, value in ((dialog.width_spin, "640"), (dialog.height_spin, "360")):
            spin.setFocus()
            qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            qtbot.keyClicks(spin, value)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    answer_modal(qtbot, type_size)
    press(qtbot, window, "Ctrl+E")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (640, 360)
    colours = {image.pixel(x, y) for x in range(0, 640, 7) for y in range(0, 360, 7)}
    assert len(colours) > 20, "the picture must show the network, not an empty area"
    assert window.diagram.size() != image.size()  # the diagram on screen was not resized


def test_export_diagram_svg_has_an_element_per_edge_and_neuron(qtbot, main_window, tmp_path):
    window, s = main_window, main_window.model
    s.load_example("paper-figure-4")
    path = tmp_path / "d.svg"
    assert window.file_actions.export_to("diagram_svg", str(path), window.diagram.size())
    root = ET.parse(path).getroot()
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 4 * 3 + 3 * 2 == window.diagram.drawn_edge_count()
    # The neurons are vector circles, one each: a (4), b (3), c (2).
    assert len(root.findall(f".//{SVG}circle")) == 4 + 3 + 2
    texts = "".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "circle" in texts and "square" in texts


def test_svg_text_names_css_font_families_a_browser_knows(qtbot, main_window, tmp_path):
    main_window.model.load_example("paper-figure-4")
    path = tmp_path / "d.svg"
    assert main_window.file_actions.export_to("diagram_svg", str(path), QSize(900, 600))
    families = {t.get("font-family") for t in ET.parse(path).getroot().iter(f"{SVG}text")}
    families |= {g.get("font-family") for g in ET.parse(path).getroot().iter(f"{SVG}g")} - {None}
    assert families and all(f.endswith("DejaVu Sans, Arial, sans-serif") for f in families)
    assert "Sans Serif" not in path.read_text()
    texts = "".join("".join(t.itertext()) for t in ET.parse(path).getroot().iter(f"{SVG}text"))
    assert "θ" in texts and "a₁" in texts  # the symbols are text, not pictures of text


def test_the_size_dialog_offers_a_title_and_the_picture_carries_it(qtbot, trained, tmp_path, monkeypatch):
    window, model = trained, trained.model
    path = tmp_path / "titled.png"
    choose_file(monkeypatch, path)
    offered: list[str] = []

    def with_title(dialog: QWidget) -> None:
        assert isinstance(dialog, PictureSizeDialog)
        assert not dialog.title_edit.isEnabled()
        qtbot.mouseClick(dialog.title_check, Qt.MouseButton.LeftButton)
        assert dialog.title_edit.isEnabled()
        offered.append(dialog.title_edit.text())
        dialog.width_spin.setValue(640)
        dialog.height_spin.setValue(360)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    answer_modal(qtbot, with_title)
    press(qtbot, window, "Ctrl+E")
    assert offered and "-".join(map(str, model.network.sizes)) in offered[0]
    assert f"update {model.trainer.step_count:,}" in offered[0] and "loss" in offered[0]
    titled = QImage(str(path))
    assert window.file_actions.export_to("diagram_png", str(tmp_path / "plain.png"), QSize(640, 360))
    plain = QImage(str(tmp_path / "plain.png"))
    assert titled.size() == plain.size() == QSize(640, 360)
    band = [titled.pixel(x, y) for x in range(10, 300) for y in range(4, 30)]
    assert len(set(band)) > 2 and band != [plain.pixel(x, y) for x in range(10, 300) for y in range(4, 30)]
    assert window.file_actions.export_to("loss_svg", str(tmp_path / "l.svg"), QSize(500, 300), "Loss of run 3")
    texts = "".join("".join(t.itertext()) for t in ET.parse(tmp_path / "l.svg").getroot().iter(f"{SVG}text"))
    assert "Loss of run 3" in texts


def test_export_loss_pictures_and_csv(qtbot, trained, tmp_path):
    actions, s = trained.file_actions, trained.model
    s.train_for(10.0, max_steps=40)
    assert actions.export_to("loss_png", str(tmp_path / "l.png"), QImage(500, 300, QImage.Format.Format_RGB32).size())
    image = QImage(str(tmp_path / "l.png"))
    assert (image.width(), image.height()) == (500, 300)
    assert actions.export_to("loss_svg", str(tmp_path / "l.svg"))
    assert ET.parse(tmp_path / "l.svg").getroot().tag == f"{SVG}svg"
    assert actions.export_to("loss_csv", str(tmp_path / "l.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "l.csv").read_text())))
    assert len(rows) == 1 + 43
    assert [float(r[1]) for r in rows[1:]] == s.trainer.history.values.tolist()


def test_export_table_npz_and_onnx(qtbot, trained, tmp_path):
    actions, s = trained.file_actions, trained.model
    assert actions.export_actions["table_csv"].isEnabled()
    assert actions.export_to("table_csv", str(tmp_path / "t.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text("utf-8"))))
    assert len(rows) == s.network.n_params
    assert actions.export_to("npz", str(tmp_path / "p.npz"))
    with np.load(tmp_path / "p.npz") as data:
        assert np.array_equal(data["weights_2"], s.network.weights[2])
    if actions.export_actions["onnx"].isEnabled():
        assert actions.export_to("onnx", str(tmp_path / "m.onnx"))
        assert (tmp_path / "m.onnx").stat().st_size > 1000


def test_update_table_export_is_disabled_before_any_update(qtbot, main_window):
    assert main_window.model.last_trace is None
    assert not main_window.file_actions.export_actions["table_csv"].isEnabled()
    main_window.model.step()
    assert main_window.file_actions.export_actions["table_csv"].isEnabled()


def test_an_unwritable_export_is_reported(qtbot, main_window, tmp_path):
    actions = main_window.file_actions
    assert not actions.export_to("npz", str(tmp_path / "missing-folder" / "p.npz"))
    box = main_window.findChild(QMessageBox, "fileErrorBox")
    qtbot.waitUntil(lambda: box is not None and box.isVisible())
    assert f"the folder {tmp_path / 'missing-folder'} does not exist" in box.informativeText()
    box.close()
    assert not (tmp_path / "missing-folder").exists()


def test_file_menu_holds_the_actions_with_shortcut_tooltips(qtbot, main_window):
    actions = main_window.file_actions
    menu = main_window.file_menu.actions()
    for action in (actions.open_action, actions.save_action, actions.save_as_action):
        assert action in menu and menu.index(action) < menu.index(main_window.quit_action)
    assert actions.save_action.toolTip().endswith("(Ctrl+S)")
    assert actions.export_menu.menuAction() in menu
    assert actions.export_actions["diagram_png"].toolTip().endswith("(Ctrl+E)")


def test_export_jupyter_notebook_from_the_menu_recomputes_the_last_update(qtbot, trained, tmp_path, monkeypatch):
    import nbformat

    choose_file(monkeypatch, tmp_path / "update")  # the ending .ipynb is added
    trained.file_actions.export_actions["notebook"].trigger()
    path = tmp_path / "update.ipynb"
    qtbot.waitUntil(path.exists)
    nb = nbformat.read(path, as_version=4)
    ns: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, ns)
    trace = trained.model.last_trace
    np.testing.assert_allclose(ns["theta_new"][0], trace.weights_after[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ns["L"], trace.loss, rtol=0, atol=1e-12)


def test_open_imports_an_onnx_model_and_a_dropped_npz(qtbot, main_window, tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    from neuroviz.core.network import Network, NetworkConfig
    from neuroviz.io.export import export_parameters_npz
    from neuroviz.io.onnx_export import onnx_bytes

    net = Network(NetworkConfig(sizes=(64, 8, 10), hidden_activation="tanh", seed=2))
    (tmp_path / "mine.onnx").write_bytes(onnx_bytes(net))
    choose_file(monkeypatch, tmp_path / "mine.onnx", "getOpenFileName")
    main_window.file_actions.open_action.trigger()
    model = main_window.model
    qtbot.waitUntil(lambda: model.network.sizes == (64, 8, 10))
    assert model.dataset.name == "digits" and model.document.title == "mine" and model.document.file_path is None
    assert model.config.hidden_activation == "tanh" and not model.document.modified
    export_parameters_npz(tmp_path / "p.npz", Network(NetworkConfig(sizes=(4, 3, 2), seed=5)))
    drop = _drop(main_window, tmp_path / "p.npz")
    assert drop.isAccepted() and model.network.sizes == (4, 3, 2) and model.dataset.name == "blank"
    assert model.step() is not None


def test_a_model_that_cannot_be_imported_is_reported_and_changes_nothing(qtbot, main_window, tmp_path):
    (tmp_path / "broken.onnx").write_bytes(b"\x08\x07garbage")
    network = main_window.model.network
    assert not main_window.file_actions.open_path(str(tmp_path / "broken.onnx"), ask=False)
    assert main_window.model.network is network
    assert "broken.onnx" in main_window.file_actions.last_error
