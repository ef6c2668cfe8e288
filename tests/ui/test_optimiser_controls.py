"""The training dock's Optimiser group, driven by real clicks and keys."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from neuroviz.core.optimisers import OPTIMIZERS
from neuroviz.ui.training_controls import TrainingControls
from neuroviz.ui.training_loop import TrainingLoop

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def controls(show, model):
    yield show(TrainingControls(model, TrainingLoop(model)), (340, 700))
    model.stop()


def expand(qtbot, controls) -> None:
    group = controls.optimiser_group
    if not group.body.isVisible():
        qtbot.mouseClick(group.toggle, LEFT)
    assert group.body.isVisible()


def choose(qtbot, combo, name: str) -> None:
    """Pick ``name`` in ``combo`` with the keyboard, as a person would (focus, Home, Down…, Enter)."""
    combo.setFocus()
    target = combo.findData(name)
    assert target >= 0
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == name


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_the_group_starts_folded_on_the_papers_sgd_and_opens_with_a_click(qtbot, controls, model):
    group = controls.optimiser_group
    assert not group.body.isVisible()
    assert "sgd" in group.toggle.text()
    expand(qtbot, controls)
    assert group.optimizer_combo.currentData() == "sgd"
    assert not any(e.isVisible() for e in group.hyper_edits.values())  # SGD has no hyper-parameters
    assert [group.optimizer_combo.itemData(i) for i in range(group.optimizer_combo.count())] == list(OPTIMIZERS)
    assert "θ − η g" in group.optimizer_combo.toolTip()


def test_choosing_adam_shows_its_hyper_parameters_only_and_trains_with_it(qtbot, controls, model):
    expand(qtbot, controls)
    group = controls.optimiser_group
    choose(qtbot, group.optimizer_combo, "adam")
    assert model.optimizer.name == "adam"
    shown = {k for k, e in group.hyper_edits.items() if e.isVisible()}
    assert shown == {"beta1", "beta2", "eps"}
    assert group.hyper_edits["beta1"].text() == "0.9"
    assert "β₁" in group.hyper_edits["beta1"].toolTip() and "m̂" in group.optimizer_combo.toolTip()
    qtbot.mouseClick(controls.step_button, LEFT)
    qtbot.waitUntil(lambda: model.last_trace is not None)
    assert model.last_trace.optimizer.name == "adam"
    assert set(model.optimizer.state.buffers) == {"m", "v"}
    choose(qtbot, group.optimizer_combo, "momentum")
    assert {k for k, e in group.hyper_edits.items() if e.isVisible()} == {"momentum"}
    assert "momentum" in group.toggle.text()


def test_a_good_beta1_is_taken_and_a_bad_one_refused_keeping_the_old(qtbot, controls, model):
    expand(qtbot, controls)
    group = controls.optimiser_group
    choose(qtbot, group.optimizer_combo, "adam")
    type_into(qtbot, group.hyper_edits["beta1"], "0.8")
    assert model.optimizer.config.get("beta1") == 0.8
    assert not controls.banner.isVisible()
    type_into(qtbot, group.hyper_edits["beta1"], "1.5")
    assert model.optimizer.config.get("beta1") == 0.8
    assert group.hyper_edits["beta1"].text() == "0.8"
    assert controls.banner.isVisible() and "below 1" in controls.banner.text and "kept" in controls.banner.text
    type_into(qtbot, group.hyper_edits["eps"], "abc")
    assert model.optimizer.config.get("eps") == 1e-8 and "must be a number" in controls.banner.text
    controls.step_button.setFocus()  # leaving the field commits nothing new: the message stays
    assert controls.banner.isVisible()


def test_penalties_and_schedule_are_set_and_checked(qtbot, controls, model):
    expand(qtbot, controls)
    group = controls.optimiser_group
    type_into(qtbot, group.l2_edit, "0.01")
    assert model.optimizer.penalty.l2 == 0.01
    type_into(qtbot, group.l1_edit, "-1")
    assert model.optimizer.penalty.l1 == 0.0 and "at least 0" in controls.banner.text
    assert group.l1_edit.text() == "0"
    assert not group.schedule_edits["gamma"].isVisible()
    choose(qtbot, group.schedule_combo, "step")
    assert model.optimizer.schedule.name == "step"
    assert group.schedule_edits["gamma"].isVisible() and group.schedule_edits["step_size"].isVisible()
    assert not group.schedule_edits["t_max"].isVisible()
    type_into(qtbot, group.schedule_edits["step_size"], "10")
    assert model.optimizer.schedule.step_size == 10
    type_into(qtbot, group.schedule_edits["step_size"], "2.5")
    assert model.optimizer.schedule.step_size == 10 and "whole number" in controls.banner.text
    qtbot.mouseClick(controls.step_button, LEFT)
    trace = model.last_trace
    assert trace.penalty > 0 and trace.penalty_weights


def test_the_optimiser_changes_while_training(qtbot, controls, model):
    # RMSprop's first steps at η 0.01 are about ±0.1 per parameter: after the thousands of updates a slow
    # machine may make before the switch, they multiply the low loss by more than 10 and the loss-jump guard
    # (tested on its own) would rightly pause. This test is about the switch, so that guard is off.
    model.loss_jump.set_factor(None)
    expand(qtbot, controls)
    group = controls.optimiser_group
    qtbot.mouseClick(controls.play_button, LEFT)
    qtbot.waitUntil(lambda: model.trainer.step_count > 5, timeout=5000)
    choose(qtbot, group.optimizer_combo, "rmsprop")
    assert model.optimizer.name == "rmsprop"
    count = model.trainer.step_count
    qtbot.waitUntil(lambda: model.trainer.step_count > count + 5, timeout=5000)
    assert model.running and model.optimizer.state.t > 0
    qtbot.mouseClick(controls.play_button, LEFT)


def test_a_class_races_sgd_against_adam_from_the_same_start_as_two_branches(qtbot, controls, model):
    start = [w.copy() for w in model.network.weights]
    for _ in range(3):
        qtbot.mouseClick(controls.step_button, LEFT)
    sgd_after = [w.copy() for w in model.network.weights]
    model.go_to(0)  # the timeline's first moment
    assert all(np.array_equal(a, b) for a, b in zip(model.network.weights, start))
    expand(qtbot, controls)
    choose(qtbot, controls.optimiser_group.optimizer_combo, "adam")  # a change at a past moment: a fork
    assert model.optimizer.name == "adam"
    assert len(model.time.history.branches) == 1  # the SGD updates are kept as a branch
    for _ in range(3):
        qtbot.mouseClick(controls.step_button, LEFT)
    assert model.last_trace.optimizer.name == "adam"
    assert not all(np.array_equal(a, b) for a, b in zip(model.network.weights, sgd_after))
    model.go_to(model.time.history.branches[0])
    assert all(np.array_equal(a, b) for a, b in zip(model.network.weights, sgd_after))
    assert model.optimizer.name == "sgd" and controls.optimiser_group.optimizer_combo.currentData() == "sgd"


def test_the_diagrams_last_update_mode_shows_the_optimisers_own_step(qtbot, show, controls, model):
    from neuroviz.ui.diagram import NetworkDiagram
    from neuroviz.ui.theme import LIGHT

    diagram = show(NetworkDiagram(model, LIGHT), (900, 600))
    model.set_view(edge_mode="updates")
    qtbot.mouseClick(controls.step_button, LEFT)
    diagram.refresh()
    assert "optimiser's step" not in diagram.values.note  # the paper's SGD: Δθ = −η ∂L/∂θ
    expand(qtbot, controls)
    choose(qtbot, controls.optimiser_group.optimizer_combo, "momentum")
    for _ in range(3):
        qtbot.mouseClick(controls.step_button, LEFT)
    diagram.refresh()
    trace = model.last_trace
    applied = float(trace.weights_after[0][3, 9] - trace.weights_before[0][3, 9])
    assert diagram.edge_value(0, 3, 9) == pytest.approx(applied)
    assert applied != pytest.approx(-trace.lr * float(trace.grad_weights[0][3, 9]))  # momentum's step differs
    assert "the optimiser's step (momentum)" in diagram.values.note


def wheel_down(qtbot, widget) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_panel_and_never_changes_a_field_it_passes_over(qtbot, show, model):
    controls = show(TrainingControls(model, TrainingLoop(model)), (340, 300))
    expand(qtbot, controls)
    bar = controls.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    lr = model.trainer.lr
    for _ in range(3):
        wheel_down(qtbot, controls.lr_spin)
    assert model.trainer.lr == lr and bar.value() > 0  # η kept; the panel scrolled
    controls.scroll.ensureWidgetVisible(controls.optimiser_group.optimizer_combo)
    wheel_down(qtbot, controls.optimiser_group.optimizer_combo)
    assert model.optimizer.name == "sgd"
    controls.optimiser_group.optimizer_combo.setFocus()  # a field with focus takes the wheel, as ever
    wheel_down(qtbot, controls.optimiser_group.optimizer_combo)
    assert model.optimizer.name == "momentum"


def test_a_field_left_untouched_commits_nothing_and_a_shown_power_of_ten_can_be_typed(qtbot, controls, model):
    expand(qtbot, controls)
    group = controls.optimiser_group
    choose(qtbot, group.optimizer_combo, "adam")
    eps = group.hyper_edits["eps"]
    assert eps.text() == "1×10⁻⁸"
    eps.setFocus()
    qtbot.keyClick(eps, Qt.Key.Key_Return)  # Enter on the shown value, nothing typed
    group.l2_edit.setFocus()  # and leaving it
    assert not controls.banner.isVisible() and model.optimizer.config.get("eps") == 1e-8
    eps.setFocus()
    eps.selectAll()
    eps.insert("2×10⁻⁶")  # pasted as the field shows it (QTest types only plain keys)
    qtbot.keyClick(eps, Qt.Key.Key_Return)
    assert model.optimizer.config.get("eps") == 2e-6 and not controls.banner.isVisible()
    type_into(qtbot, eps, "3e-7")
    assert model.optimizer.config.get("eps") == 3e-7
