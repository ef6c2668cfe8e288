"""The data browser: browsing samples, switching and importing datasets, adding drawings."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from neuroviz.model import AppModel
from neuroviz.ui.data_browser import DataBrowser


@pytest.fixture
def browser(show, model):
    widget = show(DataBrowser(model), (360, 260))
    widget.questions = []

    def agree(title, text):
        widget.questions.append(text)
        return True

    widget.confirm = agree
    return widget


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_browsing_loads_sample_k_with_its_label(qtbot, browser, model):
    ds = model.dataset
    click(qtbot, browser.next_button)
    click(qtbot, browser.next_button)
    assert browser.index == 2
    assert np.array_equal(model.input, ds.X[2]) and model.target == ds.y[2]
    split = "test" if ds.is_test[2] else "train"
    assert f"Sample 3: label <b>{ds.class_names[ds.y[2]]}</b> · <b>{split}</b> split" in browser.status.text()
    click(qtbot, browser.prev_button)
    assert np.array_equal(model.input, ds.X[1]) and model.target == ds.y[1]
    # type an index into the spin box
    browser.index_spin.lineEdit().selectAll()
    qtbot.keyClicks(browser.index_spin.lineEdit(), "17")
    qtbot.keyClick(browser.index_spin.lineEdit(), Qt.Key.Key_Return)
    assert browser.index == 16
    assert np.array_equal(model.input, ds.X[16]) and model.target == ds.y[16]
    # each load is undoable
    model.drawing.undo_stack.undo()
    assert np.array_equal(model.input, ds.X[1])


def test_test_split_is_shown(browser, model):
    k = int(model.dataset.test_indices[0])
    browser.load(k)
    assert "<b>test</b> split" in browser.status.text()


def test_random_loads_a_valid_sample(qtbot, browser, model):
    click(qtbot, browser.random_button)
    k = browser.index
    assert 0 <= k < len(model.dataset) and k != 0
    assert np.array_equal(model.input, model.dataset.X[k])


def test_editing_marks_the_sample_as_edited(browser, model):
    browser.load(4)
    assert "edited" not in browser.status.text()
    model.set_input(np.ones(64))
    assert "edited since loaded" in browser.status.text()


def test_add_this_drawing_to_the_training_set(qtbot, browser, model):
    n = len(model.dataset)
    drawing = np.linspace(0, 1, 64)
    model.set_input(drawing)
    model.set_target(1)
    assert "“square”" in browser.add_button.text()
    click(qtbot, browser.add_button)
    ds = model.dataset
    assert len(ds) == n + 1
    assert np.array_equal(ds.X[-1], drawing) and ds.y[-1] == 1 and not ds.is_test[-1]
    assert len(model.trainer.dataset) == n + 1
    assert browser.index == n and f"{n + 1:,} samples" in browser.summary.text()


def test_switching_to_digits_builds_a_new_network_when_agreed(qtbot, browser, model):
    browser.dataset_box.setFocus()
    qtbot.keyClick(browser.dataset_box, Qt.Key.Key_Down)
    assert browser.questions and "10 classes" in browser.questions[0]
    assert model.dataset.name == "digits"
    assert model.config.sizes == (64, 16, 16, 10)
    assert np.array_equal(model.input, model.dataset.X[0])
    assert browser.dataset_box.currentText() == "Digits (UCI 8×8)"


def test_declining_a_new_network_changes_nothing(qtbot, browser, model):
    network, dataset = model.network, model.dataset
    browser.confirm = lambda title, text: False
    browser.dataset_box.setFocus()
    qtbot.keyClick(browser.dataset_box, Qt.Key.Key_Down)
    assert model.network is network and model.dataset is dataset
    assert browser.dataset_box.currentText() == "Circles vs squares"
    assert "Kept the current network" in browser.message.text()


def _write_csv(path, rows):
    path.write_text("\n".join(",".join(str(v) for v in r) for r in rows) + "\n")
    return path


def test_import_csv_that_fits_keeps_the_network(browser, model, tmp_path):
    rng = np.random.default_rng(0)
    rows = [[*rng.integers(0, 256, 64), k % 2] for k in range(12)]
    network = model.network
    assert browser.import_from(_write_csv(tmp_path / "mine.csv", rows))
    ds = model.dataset
    assert model.network is network and ds.name == "mine" and len(ds) == 12
    assert ds.class_names == ("circle", "square")
    assert "rescaled" in browser.message.text() and browser.message.isVisible()
    assert np.array_equal(model.input, ds.X[0]) and model.target == rows[0][-1]
    assert browser.dataset_box.findText("mine") >= 0


def test_import_folder_of_a_new_class_count_offers_a_new_network(browser, model, tmp_path):
    root = tmp_path / "shapes"
    for k, name in enumerate(("dot", "line", "ring")):
        (root / name).mkdir(parents=True)
        for i in range(4):
            Image.fromarray(np.full((10, 10), 60 * k + i, dtype=np.uint8)).save(root / name / f"{i}.png")
    assert browser.import_from(root)
    assert "3 classes" in browser.questions[0]
    assert model.config.sizes == (64, 16, 16, 3)
    assert model.dataset.class_names == ("dot", "line", "ring")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "mine.csv is empty"),
        ("0,1,0\n", "row 1 has 3 columns; expected 65"),
        ("0," * 64 + "1\n" + "0," * 10 + "x," + "0," * 53 + "0\n", "row 2, column 11: 'x' is not a number"),
        ("0," * 64 + "1\n" + "0," * 64 + "0.5\n", "the label '0.5' is not an integer"),
        ("0," * 64 + "1\n" + "0," * 63 + "1\n", "row 2 has 64 columns"),
    ],
)
def test_bad_imports_show_their_message_and_change_nothing(browser, model, tmp_path, content, message):
    network, dataset, x = model.network, model.dataset, model.input.copy()
    (tmp_path / "mine.csv").write_text(content)
    assert not browser.import_from(tmp_path / "mine.csv")
    assert message in browser.message.text() and browser.message.text().startswith("Import failed")
    assert model.network is network and model.dataset is dataset
    assert np.array_equal(model.input, x) and not browser.questions


def test_bad_npz_changes_nothing(browser, model, tmp_path):
    dataset = model.dataset
    np.savez(tmp_path / "d.npz", X=np.zeros((3, 64)), y=np.array([0, 1]))
    assert not browser.import_from(tmp_path / "d.npz")
    assert "X has 3 images but y has 2 labels" in browser.message.text()
    assert model.dataset is dataset


def test_main_window_has_editor_and_browser_docks(main_window):
    editor = main_window.docks["pixelEditorDock"]
    browser = main_window.docks["dataBrowserDock"]
    assert main_window.dockWidgetArea(editor) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert editor.widget().objectName() == "pixelEditor"
    assert browser.widget().objectName() == "dataBrowser"


def test_clicking_a_thumbnail_loads_that_sample(qtbot, browser, model):
    browser.load(10)
    shown = browser.strip.shown()
    assert 10 in shown and len(shown) >= 3
    slot = shown.index(10) + 1
    qtbot.mouseClick(browser.strip, Qt.MouseButton.LeftButton, pos=browser.strip.thumb_rect(slot).center())
    assert browser.index == 11
    assert np.array_equal(model.input, model.dataset.X[11])
    # the thumbnail shows the sample's pixels: white where the image is 1
    grab = browser.strip.grab().toImage()
    rect = browser.strip.thumb_rect(browser.strip.shown().index(11))
    h, w = model.image_shape
    cell = rect.width() // w
    img = model.dataset.X[11].reshape(h, w)
    r, c = np.unravel_index(int(np.argmax(img)), img.shape)
    centre = rect.topLeft() + QPoint(int(c * cell + cell // 2), int(r * cell + cell // 2))
    assert grab.pixelColor(centre).lightness() == round(img[r, c] * 255)


def test_a_new_network_starts_the_browser_at_sample_1(browser, model):
    browser.load(9)
    model.load_example("digits")
    assert browser.index == 0 and browser.index_spin.value() == 1
    assert browser.status.text() == f"Sample 1: label <b>{model.class_names[model.target]}</b> · " + (
        "<b>test</b> split" if model.dataset.is_test[0] else "<b>train</b> split")
    assert browser.dataset_box.currentText() == "Digits (UCI 8×8)"


def _image_folder(root, per_class):
    for k, name in enumerate(("dot", "ring")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(np.full((10, 10), 100 * k + i, dtype=np.uint8)).save(root / name / f"{i}.png")
    return root


def test_cancel_during_a_folder_import_changes_nothing(browser, model, tmp_path, qtbot):
    root = _image_folder(tmp_path / "shapes", per_class=6)
    network, dataset = model.network, model.dataset
    pressed = []

    def press_cancel() -> None:  # runs while the import processes events
        dialog = browser.findChild(QProgressDialog, "importProgress")
        assert dialog is not None and dialog.maximum() == 12
        pressed.append(dialog.value())
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press_cancel)
    assert not browser.import_from(root)
    assert pressed == [0]
    assert browser.message.text() == \
        "Import of shapes cancelled (import cancelled after 0 of 12 images); nothing changed."
    assert model.network is network and model.dataset is dataset and not browser.questions
    # A second import runs to the end and takes the data.
    assert browser.import_from(root)
    assert len(model.dataset) == 12 and model.dataset.class_names == ("dot", "ring")
    qtbot.waitUntil(lambda: browser.findChild(QProgressDialog, "importProgress") is None)


def test_for_a_network_on_the_plane_a_csv_imports_points(qtbot, show, tmp_path):
    m = AppModel("plane-multi-gauss")
    b = show(DataBrowser(m), (600, 400))
    path = tmp_path / "values.csv"
    path.write_text("0.5,1.5,0.25\n-2,3,-0.75\n", encoding="utf-8")
    assert b.import_from(path)
    points, values, _ = m.plane.points()
    np.testing.assert_array_equal(points, [[0.5, 1.5], [-2.0, 3.0]])
    np.testing.assert_array_equal(values, [0.25, -0.75])
    assert "Imported 2 points from values.csv" in b.message.text()
