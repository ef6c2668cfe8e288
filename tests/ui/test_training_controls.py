"""Training controls and the training loop, driven by real clicks and key presses."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from neuroviz.core.network import Network
from neuroviz.core.trainer import Trainer
from neuroviz.ui.training_controls import TrainingControls
from neuroviz.ui.training_loop import TrainingLoop

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def controls(show, model):
    yield show(TrainingControls(model, TrainingLoop(model)), (320, 560))
    model.stop()


def params(network: Network) -> list[np.ndarray]:
    return [w.copy() for w in network.weights] + [b.copy() for b in network.biases]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def type_into(qtbot, spin, text: str) -> None:
    """Select all of a spin box's text, type ``text`` and press Enter."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def test_play_trains_until_paused(qtbot, controls, model):
    qtbot.mouseClick(controls.play_button, LEFT)
    assert model.running
    assert controls.play_action.text() == "Pause"
    qtbot.waitUntil(lambda: model.trainer.step_count > 50, timeout=5000)
    qtbot.waitUntil(lambda: model.updates_per_second > 0, timeout=5000)
    assert controls.rate_label.text().startswith("Training at ")
    qtbot.mouseClick(controls.play_button, LEFT)
    assert controls.rate_label.text() == "Paused"
    assert not model.running
    assert controls.play_action.text() == "Play"
    assert model.updates_per_second == 0
    count = model.trainer.step_count
    settle()
    assert model.trainer.step_count == count
    assert len(model.trainer.history) == count


def test_step_makes_exactly_one_traced_update(qtbot, controls, model):
    before = params(model.network)
    qtbot.mouseClick(controls.step_button, LEFT)
    assert model.trainer.step_count == 1
    assert len(model.trainer.history) == 1
    trace = model.last_trace
    assert trace is not None
    assert same(list(trace.weights_before) + list(trace.biases_before), before)
    assert same(list(trace.weights_after) + list(trace.biases_after), params(model.network))
    assert not model.running


def test_learning_rate_is_typed_stepped_and_changeable_while_training(qtbot, controls, model):
    type_into(qtbot, controls.lr_spin, "0.003")
    assert model.trainer.lr == 0.003
    assert not controls.banner.isVisible()
    qtbot.keyClick(controls.lr_spin, Qt.Key.Key_Up)  # 0.003 → 0.005 (1-2-5 steps)
    assert model.trainer.lr == 0.005
    qtbot.mouseClick(controls.play_button, LEFT)
    type_into(qtbot, controls.lr_spin, "1e-4")
    assert model.running
    assert model.trainer.lr == 1e-4


@pytest.mark.parametrize(("text", "why"), [("abc", "must be a number"), ("-1", "above 0"), ("nan", "finite")])
def test_bad_learning_rate_is_rejected_and_the_old_one_kept(qtbot, controls, model, text, why):
    type_into(qtbot, controls.lr_spin, text)
    assert model.trainer.lr == 0.01
    assert controls.lr_spin.lineEdit().text() == "0.01"
    assert controls.banner.isVisible()
    assert why in controls.banner.text
    assert "stays η = 0.01" in controls.banner.text
    type_into(qtbot, controls.lr_spin, "0.02")
    assert model.trainer.lr == 0.02
    assert not controls.banner.isVisible()


def diverging_session(model) -> None:
    """The default network: with η = 10⁶ an update soon takes a parameter beyond ±10⁶ (or to overflow)."""
    model.load_example("circles-squares")


def test_divergence_by_stepping_rolls_back_and_explains(qtbot, controls, model):
    diverging_session(model)
    type_into(qtbot, controls.lr_spin, "1e6")
    assert model.trainer.lr == 1e6
    for _ in range(50):
        before, count = params(model.network), model.trainer.step_count
        qtbot.mouseClick(controls.step_button, LEFT)
        if controls.banner.isVisible():
            break
    assert controls.banner.isVisible(), "η = 1e6 should make the parameters overflow"
    assert same(params(model.network), before)
    assert model.trainer.step_count == count
    assert all(np.isfinite(p).all() for p in params(model.network))
    assert "smaller learning rate" in controls.banner.text
    assert "not applied" in controls.banner.text
    image = controls.grab().toImage()
    banner_top = controls.banner.geometry().center()
    assert image.pixelColor(controls.banner.x() + 3, banner_top.y()).name() == "#fdecea"  # the warning strip shows
    qtbot.mouseClick(controls.banner.findChild(type(controls.step_button), "bannerClose"), LEFT)
    assert not controls.banner.isVisible()


def test_divergence_while_playing_pauses_with_the_last_good_network(qtbot, controls, model):
    diverging_session(model)
    type_into(qtbot, controls.lr_spin, "1e6")
    messages: list[str] = []
    model.diverged.connect(messages.append)
    qtbot.mouseClick(controls.play_button, LEFT)
    qtbot.waitUntil(lambda: not model.running, timeout=5000)
    assert len(messages) == 1
    assert model.updates_per_second == 0
    assert controls.banner.isVisible()
    assert controls.play_action.text() == "Play"
    trainer = model.trainer
    assert np.isfinite(trainer.history.values).all()
    assert len(trainer.history) == trainer.step_count
    # The network is exactly the one after the last update that was applied.
    replay = Network(model.network.config)
    Trainer(replay, model.dataset, 1e6, trainer.batch_size).train_steps(trainer.step_count)
    assert same(params(model.network), params(replay))


def test_reset_with_the_same_seed_reproduces_the_weights(qtbot, controls, model):
    initial = params(model.network)
    model.train_for(0.05)
    assert not same(params(model.network), initial)
    qtbot.mouseClick(controls.reset_button, LEFT)
    assert same(params(model.network), initial)
    assert model.trainer.step_count == 0
    assert len(model.trainer.history) == 0
    type_into(qtbot, controls.seed_spin, "7")
    assert model.config.seed == 7
    qtbot.mouseClick(controls.reset_button, LEFT)
    seven = params(model.network)
    assert not same(seven, initial)
    type_into(qtbot, controls.seed_spin, "0")
    qtbot.mouseClick(controls.reset_button, LEFT)
    assert same(params(model.network), initial)


def test_train_n_epochs_runs_to_the_end(qtbot, controls, model):
    type_into(qtbot, controls.epochs_spin, "2")
    finished: list[bool] = []
    controls.loop.runFinished.connect(finished.append)
    qtbot.mouseClick(controls.train_button, LEFT)
    assert model.running
    assert controls.progress_row.isVisible()
    assert not controls.train_button.isEnabled()
    qtbot.waitUntil(lambda: not model.running, timeout=10000)
    trainer = model.trainer
    assert trainer.epoch == 2
    assert trainer.cursor == 0
    assert len(trainer.epochs) == 2
    assert trainer.step_count == 2 * int(np.ceil(len(trainer.order) / trainer.batch_size))
    assert finished == [True]
    assert model.updates_per_second == 0
    assert not controls.progress_row.isVisible()
    assert controls.train_button.isEnabled()


def test_train_n_epochs_can_be_cancelled(qtbot, controls, model):
    type_into(qtbot, controls.batch_spin, "1")
    assert model.trainer.batch_size == 1
    type_into(qtbot, controls.epochs_spin, "50")
    progress: list[tuple[int, int]] = []
    controls.loop.progressChanged.connect(lambda done, total: progress.append((done, total)))
    qtbot.mouseClick(controls.train_button, LEFT)
    qtbot.waitUntil(lambda: controls.progress.value() > 10, timeout=5000)
    qtbot.mouseClick(controls.cancel_button, LEFT)
    assert not model.running
    assert model.trainer.epoch < 50
    assert not controls.progress_row.isVisible()
    total = progress[1][1]
    assert total == 50 * len(model.trainer.order)
    count = model.trainer.step_count
    settle()
    assert model.trainer.step_count == count


def test_batch_size_ranges_over_the_training_set(qtbot, controls, model):
    n_train = len(model.dataset.train_indices)
    assert controls.batch_spin.minimum() == 1
    assert controls.batch_spin.maximum() == n_train
    type_into(qtbot, controls.batch_spin, str(n_train))
    assert model.trainer.batch_size == n_train
    model.load_example("paper-figure-4")
    assert controls.batch_spin.maximum() == 1


def test_a_chosen_speed_makes_traced_updates(qtbot, controls, model):
    traces = []
    model.stepped.connect(traces.append)
    controls.speed_combo.setFocus()
    qtbot.keyClick(controls.speed_combo, Qt.Key.Key_End)  # the slowest: 1 update/s
    assert controls.loop.rate == 1
    controls.speed_combo.setCurrentIndex(controls.speed_combo.findText("50 updates/s"))
    assert controls.loop.rate == 50
    qtbot.mouseClick(controls.play_button, LEFT)
    qtbot.waitUntil(lambda: len(traces) >= 3, timeout=5000)
    qtbot.mouseClick(controls.play_button, LEFT)
    assert model.trainer.step_count == len(traces)
    assert model.last_trace is traces[-1]


def test_the_window_has_one_loop_shared_by_its_panels(main_window):
    loop = main_window.loop
    assert main_window.panels["trainingControlsDock"].loop is loop is main_window.panels["timelineDock"].loop
    with pytest.raises(ValueError, match="at least 1 update per second"):
        loop.set_rate(0.5)


def test_tooltips_name_the_shortcuts(controls):
    assert "(Space)" in controls.play_button.toolTip()
    assert "(Right)" in controls.step_button.toolTip() or "(→)" in controls.step_button.toolTip()


def test_shortcuts_work_in_the_window_but_not_in_text_fields(qtbot, model):
    window = QMainWindow()
    qtbot.addWidget(window)
    from PySide6.QtWidgets import QDockWidget, QLineEdit

    field = QLineEdit(window)
    window.setCentralWidget(field)
    dock = QDockWidget("Training", window)
    controls = TrainingControls(model, TrainingLoop(model))
    dock.setWidget(controls)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.show()
    dock.close()  # the keys work with the dock closed too
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert model.trainer.step_count == 1
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert model.running
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not model.running
    field.setFocus()
    qtbot.keyClicks(field, "a b")
    qtbot.keyClick(field, Qt.Key.Key_Right)
    assert field.text() == "a b"
    assert not model.running
    assert model.trainer.step_count == 1


def test_space_and_right_drive_training_in_the_main_window(qtbot, main_window, model):
    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window)
    main_window.setFocus()
    qtbot.keyClick(main_window, Qt.Key.Key_Right)
    assert model.trainer.step_count == 1
    assert model.last_trace is not None
    qtbot.keyClick(main_window, Qt.Key.Key_Space)
    assert model.running
    qtbot.waitUntil(lambda: model.trainer.step_count > 10, timeout=5000)
    qtbot.keyClick(main_window, Qt.Key.Key_Space)
    assert not model.running


def test_epoch_button_finishes_the_epoch_at_full_speed_even_when_paced(qtbot, controls, model):
    controls.speed_combo.setCurrentIndex(controls.speed_combo.findText("1 update/s"))
    model.step()
    qtbot.mouseClick(controls.epoch_button, LEFT)
    qtbot.waitUntil(lambda: not model.running, timeout=5000)
    assert model.trainer.epoch == 1
    assert model.trainer.cursor == 0
    assert controls.loop.rate == 1  # the chosen speed stays for Play


def test_learning_rate_arrows_step_through_1_2_5_and_stop_at_the_ends(qtbot, controls, model):
    spin = controls.lr_spin
    spin.setFocus()
    for expected in (0.02, 0.05, 0.1):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
        assert model.trainer.lr == expected
    qtbot.keyClick(spin, Qt.Key.Key_PageDown)  # ten steps down: 0.05, 0.02, 0.01, …, 5e-5
    assert model.trainer.lr == 5e-5
    for _ in range(5):
        qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert model.trainer.lr == 1e-5  # the lowest arrow value; smaller ones can be typed
    assert not spin.stepEnabled() & spin.StepEnabledFlag.StepDownEnabled
    assert spin.lineEdit().text() == "1×10⁻⁵"
