"""The restore prompt at start-up and the autosave timer, over a temporary data folder."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QToolButton, QWidget
from test_file_actions import answer_modal, click_button

from neuroviz.io import recovery
from neuroviz.model import AppModel
from neuroviz.model.autosave import Autosave
from neuroviz.ui.composition import build_window
from neuroviz.ui.recovery_prompt import offer_recovery


def killed_session(folder) -> AppModel:
    """A session trained for 9 updates and autosaved to ``folder``, as a killed app leaves it."""
    before = AppModel()
    before.document.title = "before the <crash>"
    before.train_for(10.0, max_steps=9)
    assert Autosave(before, folder).save_now()
    return before


def window_over(show, model, folder):
    return show(build_window(model, QSettings(), data_folder=folder), (1280, 720))


def click(qtbot, name: str):
    """Click the button named ``name`` of the box."""
    def act(box: QWidget) -> None:
        qtbot.mouseClick(box.findChild(QWidget, name), Qt.MouseButton.LeftButton)

    return act


def test_restore_restores_the_autosaved_session(qtbot, show, model, tmp_path) -> None:
    before = killed_session(tmp_path)
    window = window_over(show, model, tmp_path)
    seen: list[str] = []
    answer_modal(qtbot, click(qtbot, "restoreButton"), seen)
    assert offer_recovery(window, window.autosave)
    assert seen == ["recoveryBox"]
    assert model.network.flat_params().tobytes() == before.network.flat_params().tobytes()
    assert model.trainer.step_count == 9 and model.document.title == "before the <crash>"
    assert model.document.modified and window.isWindowModified()
    assert recovery.read(tmp_path) is not None  # kept until the session is saved or closed
    assert window.autosave.timer.isActive()


def test_the_prompt_says_what_the_file_holds(qtbot, show, model, tmp_path) -> None:
    killed_session(tmp_path)
    window = window_over(show, model, tmp_path)
    texts: list[str] = []

    def read_then_discard(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        texts.append(box.informativeText())
        click(qtbot, "discardButton")(box)

    answer_modal(qtbot, read_then_discard)
    offer_recovery(window, window.autosave)
    assert "before the &lt;crash&gt;" in texts[0] and "update 9," in texts[0] and "autosaved" in texts[0]


def test_discard_deletes_the_file_and_keeps_the_open_session(qtbot, show, model, tmp_path) -> None:
    killed_session(tmp_path)
    window = window_over(show, model, tmp_path)
    fresh = model.network.flat_params().copy()
    answer_modal(qtbot, click(qtbot, "discardButton"))
    assert not offer_recovery(window, window.autosave)
    assert not recovery.recovery_path(tmp_path).exists()
    assert np.array_equal(model.network.flat_params(), fresh) and model.trainer.step_count == 0


def test_a_damaged_file_is_reported_and_ignored(qtbot, show, model, tmp_path) -> None:
    killed_session(tmp_path)
    path = recovery.recovery_path(tmp_path)
    path.write_bytes(path.read_bytes()[:5000])  # cut short, as by a full disk
    window = window_over(show, model, tmp_path)
    seen: list[str] = []
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Ok), seen)
    assert not offer_recovery(window, window.autosave)
    assert seen == ["recoveryErrorBox"]
    assert not path.exists() and (tmp_path / recovery.DAMAGED_NAME).exists()
    assert model.trainer.step_count == 0 and window.autosave.timer.isActive()


def test_the_timer_autosaves_after_changes_only(qtbot, show, model, tmp_path) -> None:
    window = window_over(show, model, tmp_path)
    timer = window.autosave
    timer.policy.interval = 0.0
    timer.timer.setInterval(20)
    offer_recovery(window, timer)  # nothing to offer: autosaving starts
    path = recovery.recovery_path(tmp_path)
    for _ in range(3):
        with qtbot.waitSignal(timer.timer.timeout, timeout=5000):
            pass
    assert not path.exists()  # nothing changed
    qtbot.mouseClick(window.findChild(QToolButton, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists, timeout=5000)
    assert recovery.read(tmp_path).step == 1  # type: ignore[union-attr]
    written = path.stat()
    for _ in range(3):
        with qtbot.waitSignal(timer.timer.timeout, timeout=5000):
            pass
    assert path.stat().st_ino == written.st_ino and path.stat().st_mtime_ns == written.st_mtime_ns  # not rewritten
    assert model.document.modified and model.document.file_path is None


def test_a_clean_quit_removes_the_file_a_cancelled_one_keeps_it(qtbot, show, model, tmp_path) -> None:
    window = window_over(show, model, tmp_path)
    offer_recovery(window, window.autosave)
    model.step()
    assert window.autosave.policy.poll()
    path = recovery.recovery_path(tmp_path)
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Cancel))
    window.quit()
    assert path.exists() and window.isVisible()
    answer_modal(qtbot, click_button(qtbot, QMessageBox.StandardButton.Discard))  # the user lets the changes go
    window.quit()
    assert not path.exists() and not window.isVisible()
