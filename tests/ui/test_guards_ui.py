"""The η warning and the loss jump banner in a real window: real clicks, the dialog answered as a user would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QSpinBox

from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.preferences import JUMP_KEY, PreferencesDialog, apply_saved_preferences

LEFT = Qt.MouseButton.LeftButton


class LrAnswers:
    """Answers every η warning shown (``go`` or cancel) and keeps its text, until ``stop``."""

    def __init__(self, qtbot, go: bool) -> None:
        self.qtbot, self.go, self.seen, self.running = qtbot, go, [], True
        QTimer.singleShot(0, self._poll)

    def _poll(self) -> None:
        if not self.running:
            return
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "lrBox" and box.isVisible():
            self.seen.append(box.text())
            target = box.findChild(QPushButton, "goAheadButton") if self.go else \
                box.button(QMessageBox.StandardButton.Cancel)
            self.qtbot.mouseClick(target, LEFT)
        QTimer.singleShot(10, self._poll)

    def stop(self) -> None:
        self.running = False


def shown_window(show, qtbot, size=(1280, 720)):
    window = show(build_window(AppModel("circles-squares"), QSettings()), size)
    qtbot.wait(20)
    return window, window.panels["trainingControlsDock"]


def set_eta(qtbot, controls, text: str) -> None:
    spin = controls.lr_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def test_an_eta_that_would_wreck_the_network_is_warned_about_and_cancel_keeps_it(show, qtbot):
    window, controls = shown_window(show, qtbot)
    model = window.model
    set_eta(qtbot, controls, "1e5")
    before = model.network.flat_params().tobytes()
    answers = LrAnswers(qtbot, go=False)
    qtbot.mouseClick(controls.step_button, LEFT)
    qtbot.mouseClick(controls.play_button, LEFT)
    answers.stop()
    assert len(answers.seen) == 2 and "η = 100,000" in answers.seen[0] and "0 or 1" in answers.seen[0]
    assert model.trainer.step_count == 0 and model.network.flat_params().tobytes() == before
    assert not model.running


def test_going_ahead_asks_once_and_a_jump_offers_one_step_back(show, qtbot):
    window, controls = shown_window(show, qtbot)
    model = window.model
    for _ in range(3):
        qtbot.mouseClick(controls.step_button, LEFT)
    position, params = model.time.history.position, model.network.flat_params().tobytes()
    set_eta(qtbot, controls, "1e5")
    answers = LrAnswers(qtbot, go=True)
    qtbot.mouseClick(controls.step_button, LEFT)
    assert len(answers.seen) == 1 and model.trainer.step_count == 4
    banner = controls.jump_banner
    assert banner.isVisible() and "The loss jumped from" in banner.text and "update 4" in banner.text
    assert "×10" in banner.text and "e+" not in banner.text and "^" not in banner.text  # the app's numbers
    qtbot.mouseClick(controls.step_button, LEFT)  # the same η: not asked again (this update is refused)
    answers.stop()
    assert len(answers.seen) == 1
    assert banner.isVisible()  # a refused update leaves the timeline where it was: the offer stands
    qtbot.mouseClick(banner.findChild(QPushButton, "bannerAction"), LEFT)
    assert model.time.history.position == position and model.network.flat_params().tobytes() == params
    assert not banner.isVisible()


@pytest.mark.parametrize("size", [(1280, 720), (1024, 700)])
def test_the_jump_banner_never_pushes_the_run_buttons_away(show, qtbot, size):
    window, controls = shown_window(show, qtbot, size)
    model = window.model
    controls.scroll.verticalScrollBar().setValue(controls.scroll.verticalScrollBar().maximum())
    model.lr_guard.policy = lambda _trial: True
    model.set_lr(1e5)
    qtbot.mouseClick(controls.step_button, LEFT)
    banner = controls.jump_banner
    assert banner.isVisible()
    qtbot.wait(10)
    for button in (controls.play_button, controls.step_button, controls.epoch_button, controls.class_pace_button):
        assert button.visibleRegion().boundingRect() == button.rect(), button.objectName()
        assert controls.rect().contains(QRect(button.mapTo(controls, QPoint(0, 0)), button.size()))
    assert banner.geometry().top() >= controls.step_button.mapTo(controls, QPoint(0, controls.step_button.height())).y()
    action = banner.findChild(QPushButton, "bannerAction")
    assert action.visibleRegion().boundingRect() == action.rect()  # Step back itself is in sight
    label = banner.label  # every line of the message is in sight, none cut off at the bottom
    assert label.height() >= label.heightForWidth(label.width())
    assert label.visibleRegion().boundingRect() == label.rect()
    assert controls.scroll.verticalScrollBar().value() == 0
    qtbot.mouseClick(banner.findChild(type(controls.step_button), "bannerClose"), LEFT)
    assert not banner.isVisible() and model.trainer.step_count == 1  # dismissed: nothing moved


def test_the_jump_factor_is_a_preference(show, qtbot):
    window, _controls = shown_window(show, qtbot)
    model = window.model
    dialog = show(PreferencesDialog(model, QSettings(), window))
    spin = dialog.findChild(QSpinBox, "jumpFactorSpin")
    assert spin.value() == 10 and model.loss_jump.factor == 10
    spin.setValue(spin.minimum())
    assert spin.text() == "never"
    dialog.accept()
    assert model.loss_jump.factor is None and float(QSettings().value(JUMP_KEY)) == 0
    QSettings().setValue(JUMP_KEY, 25)
    apply_saved_preferences(model, QSettings())
    assert model.loss_jump.factor == 25


@pytest.mark.parametrize("size", [(1280, 720), (1024, 700)])
def test_a_long_message_shows_every_line_in_the_narrow_training_panel(show, qtbot, size):
    _window, controls = shown_window(show, qtbot, size)
    banner = controls.jump_banner
    banner.show_message("The loss jumped from 0.0102 to 0.147 with updates 4,876–5,150 (more than 10×). "
                        "Training is paused here; a smaller learning rate η may help.")
    label = banner.label
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    qtbot.wait(20)  # and it stays so once the panel has laid itself out again
    assert label.height() >= label.heightForWidth(label.width()) > 3 * label.fontMetrics().height()
    assert label.visibleRegion().boundingRect() == label.rect()
