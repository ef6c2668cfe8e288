"""The loss curves: data held by the curves, log scale, crosshair readout, pixels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from neuroviz.core.datasets import Dataset
from neuroviz.core.numbers import fmt
from neuroviz.core.smoothing import smooth
from neuroviz.ui.loss_plot import DEFAULT_SMOOTHING, PENALTY_COLOR, TEST_COLOR, TRAIN_COLOR, LossPlot

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def plot(show, model):
    return show(LossPlot(model), (900, 360))


def count_near(image: QImage, color: QColor, tolerance: int = 40) -> int:
    """Pixels of ``image`` within ``tolerance`` (per channel) of ``color``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    rgb = arr[:, : image.width(), 2::-1].astype(int)  # BGRA in memory
    target = np.array([color.red(), color.green(), color.blue()])
    return int((np.abs(rgb - target) <= tolerance).all(axis=2).sum())


def test_curves_follow_the_history_and_clear_on_reset(qtbot, plot, model):
    before = count_near(plot.graphics.grab().toImage(), TRAIN_COLOR)
    model.step()
    qtbot.waitUntil(lambda: plot.n_points == 1)
    assert plot.raw_curve.xData.tolist() == [1]
    assert plot.raw_curve.yData.tolist() == [model.trainer.history.values[0]]
    model.train_for(5.0, max_steps=300)
    n = len(model.trainer.history)
    qtbot.waitUntil(lambda: plot.n_points == n)
    np.testing.assert_array_equal(plot.raw_curve.yData, model.trainer.history.values)
    np.testing.assert_allclose(plot.smooth_curve.yData, smooth(model.trainer.history.values, DEFAULT_SMOOTHING))
    assert plot.now_line.value() == model.trainer.step_count
    after = count_near(plot.graphics.grab().toImage(), TRAIN_COLOR)
    assert after > before + 100  # the smoothed line is drawn in the training colour
    model.reset_weights()
    qtbot.waitUntil(lambda: plot.n_points == 0)
    assert plot.raw_curve.xData is None or len(plot.raw_curve.xData) == 0
    assert plot.now_line.value() == 0


def test_epochs_show_test_loss_and_accuracies(qtbot, plot, model):
    model.trainer.run_epoch()
    model.trainer.run_epoch()
    model.document.network_changed.emit()
    qtbot.waitUntil(lambda: plot.train_acc_curve.xData is not None and len(plot.train_acc_curve.xData) == 2)
    epochs = model.trainer.epochs
    assert plot.test_loss_curve.yData.tolist() == [m.test_loss for m in epochs]
    assert plot.test_acc_curve.yData.tolist() == [100 * m.test_accuracy for m in epochs]
    assert plot.train_acc_curve.xData.tolist() == [m.step for m in epochs]
    assert count_near(plot.graphics.grab().toImage(), TEST_COLOR) > 50


def test_log_scale_toggle(qtbot, plot, model):
    model.train_for(5.0, max_steps=200)
    qtbot.waitUntil(lambda: plot.n_points == 200)
    linear = plot.graphics.grab().toImage()
    qtbot.mouseClick(plot.log_check, LEFT)
    assert plot.log_check.isChecked()
    assert plot.raw_curve.opts["logMode"][1]
    qtbot.waitUntil(lambda: plot.graphics.grab().toImage() != linear)
    y = plot.raw_curve.getData()[1]
    np.testing.assert_allclose(np.nanmax(y), np.log10(model.trainer.history.values.max()))
    qtbot.mouseClick(plot.log_check, LEFT)
    assert not plot.raw_curve.opts["logMode"][1]


def test_crosshair_reads_out_the_nearest_update(qtbot, plot, model):
    model.train_for(5.0, max_steps=100)
    qtbot.waitUntil(lambda: plot.n_points == 100)
    plot.loss_plot.getViewBox().setXRange(1, 100, padding=0)
    viewbox = plot.loss_plot.getViewBox()
    scene_pos = viewbox.mapViewToScene(viewbox.viewRect().center())
    pos = plot.graphics.mapFromScene(scene_pos)
    qtbot.mouseMove(plot.graphics.viewport(), QPoint(int(pos.x()), int(pos.y())))
    qtbot.waitUntil(lambda: plot.readout.text().startswith("update"))
    step = int(plot.cross_v.value())
    assert abs(step - 50) <= 2
    loss = model.trainer.history.values[step - 1]
    assert f"L = {fmt(loss, 4)}" in plot.readout.text()
    assert plot.cross_v.isVisible()


def test_smoothing_factor_recomputes_the_bold_line(qtbot, plot, model):
    model.train_for(5.0, max_steps=150)
    qtbot.waitUntil(lambda: plot.n_points == 150)
    plot.smoothing_spin.setFocus()
    plot.smoothing_spin.lineEdit().selectAll()
    qtbot.keyClicks(plot.smoothing_spin.lineEdit(), "0.5")
    qtbot.keyClick(plot.smoothing_spin.lineEdit(), Qt.Key.Key_Return)
    np.testing.assert_allclose(plot.smooth_curve.yData, smooth(model.trainer.history.values, 0.5))


def test_a_long_history_is_drawn_from_its_envelope_and_in_full_when_zoomed(qtbot, plot, model):
    history = model.trainer.history
    values = np.random.default_rng(0).random(200_000) + 0.1
    for step, value in enumerate(values.tolist(), start=1):
        history.append(step, value)
    plot.refresh()
    x, y = plot.raw_curve.xData, plot.raw_curve.yData
    assert len(x) < 10_000  # about two points per block of updates
    assert y.max() == values.max() and y.min() == values.min()  # no spike is lost
    # Zoomed in: every update of the visible range, clipped to the view.
    plot.loss_plot.getViewBox().setXRange(1000, 2000, padding=0)
    qtbot.waitUntil(lambda: len(plot.raw_curve.xData) == 200_000)
    shown_x, shown_y = plot.raw_curve.getData()
    assert shown_x.min() >= 900 and shown_x.max() <= 2100
    np.testing.assert_array_equal(shown_y, values[int(shown_x[0]) - 1 : int(shown_x[-1])])
    qtbot.mouseClick(plot.fit_button, LEFT)
    qtbot.waitUntil(lambda: len(plot.raw_curve.xData) < 10_000)


def test_long_runs_label_the_update_axis_10k_and_1_5M():
    from neuroviz.core.numbers import abbreviated
    from neuroviz.ui.loss_plot import UpdateAxis

    assert [abbreviated(v) for v in (950, 1000, 10_000, 12_500, 1_500_000, 2e9)] == [
        "950", "1k", "10k", "12.5k", "1.5M", "2G"]
    axis = UpdateAxis("bottom")
    assert axis.tickStrings([0, 500_000, 1_000_000, 1_500_000], 1, 500_000) == ["0", "500k", "1M", "1.5M"]
    assert axis.tickStrings([0, 200, 400], 1, 200) == ["0", "200", "400"]  # short runs: plain numbers


def test_per_epoch_markers_thin_out_instead_of_merging_into_a_band(qtbot, plot, model):
    from neuroviz.ui.loss_plot import MARKER_GAP

    model.set_batch_size(len(model.dataset.train_indices))  # one update per epoch
    model.train_for(60.0, max_steps=600)
    plot.refresh()
    qtbot.waitUntil(lambda: len(model.trainer.epochs) == 600 and plot.n_points == 600)
    plot.fit()
    qtbot.wait(20)
    assert plot.marker_step > 1
    width = plot.loss_plot.getViewBox().width()
    for curve, marker in plot.epoch_markers.items():
        mx, _ = marker.getData()
        cx, _ = curve.getData()
        if cx is None or not len(cx):
            continue
        assert len(cx) == 600 and len(mx) <= width / MARKER_GAP + 2
        spacing = np.diff(mx[:-1]) / plot.loss_plot.getViewBox().viewPixelSize()[0]
        assert spacing.min() >= MARKER_GAP - 0.5  # markers stand apart
    # zoomed in on a few epochs, every one has its marker again
    plot.loss_plot.setXRange(100, 110, padding=0)
    qtbot.waitUntil(lambda: plot.marker_step == 1)


def test_a_weight_penalty_is_drawn_apart_from_the_data_loss(qtbot, plot, model):
    model.train_for(5.0, max_steps=20)
    qtbot.waitUntil(lambda: plot.n_points == 20)
    assert not plot.penalty_shown and "penalty" not in plot.key.text()
    before = count_near(plot.graphics.grab().toImage(), PENALTY_COLOR, 30)
    model.set_penalty(l2=0.05)
    model.train_for(5.0, max_steps=30)
    qtbot.waitUntil(lambda: plot.n_points == 50)
    penalties = model.time.penalty_curve()
    assert penalties[:20].tolist() == [0.0] * 20 and (penalties[20:] > 0).all()
    np.testing.assert_array_equal(plot.penalty_curve.yData, penalties)
    np.testing.assert_array_equal(plot.raw_curve.yData, model.trainer.history.values)  # the data loss alone
    assert plot.penalty_shown and "weight penalty" in plot.key.text() and "data loss" in plot.key.text()
    assert count_near(plot.graphics.grab().toImage(), PENALTY_COLOR, 30) > before + 50
    viewbox = plot.loss_plot.getViewBox()
    pos = plot.graphics.mapFromScene(viewbox.mapViewToScene(QPointF(45, viewbox.viewRect().center().y())))
    qtbot.mouseMove(plot.graphics.viewport(), QPoint(int(pos.x()), int(pos.y())))
    qtbot.waitUntil(lambda: "penalty" in plot.readout.text())
    step = int(plot.cross_v.value())
    assert f"penalty {fmt(penalties[step - 1], 4)}" in plot.readout.text()
    model.reset_weights()
    qtbot.waitUntil(lambda: plot.n_points == 0)
    assert not plot.penalty_shown and "penalty" not in plot.key.text()


def test_a_right_click_on_the_curves_opens_no_menu(qtbot, plot):
    # The accuracy axis's view box kept pyqtgraph's menu, whose "Export..." opened pyqtgraph's own export
    # dialog (its SVG export fails on this PySide6; File ▸ Export is the app's way to export the curves).
    area = plot.graphics.mapFromScene(plot.loss_plot.getViewBox().sceneBoundingRect()).boundingRect()
    for point in (area.center(), area.topLeft() + QPoint(5, 5), area.bottomRight() - QPoint(5, 5)):
        qtbot.mouseClick(plot.graphics.viewport(), Qt.MouseButton.RightButton, pos=point)
        QApplication.processEvents()
        assert QApplication.activePopupWidget() is None
    assert plot.graphics.scene().exportDialog is None


def test_test_loss_markers_sit_on_the_test_loss_on_a_log_scale(qtbot, plot, model):
    # The markers took the curve's values as drawn (already log10) and mapped them to the log axis again:
    # log10(log10 L), NaN for L < 1, so they vanished.
    model.trainer.run_epoch()
    model.document.network_changed.emit()
    plot.log_check.click()
    model.trainer.run_epoch()
    model.document.network_changed.emit()  # the markers are placed again while the axis is logarithmic
    qtbot.waitUntil(lambda: plot._n_epochs == 2)
    x, y = plot.epoch_markers[plot.test_loss_curve].getData()
    losses = {m.step: m.test_loss for m in model.trainer.epochs}
    assert len(x) >= 1
    assert np.allclose(y, [np.log10(losses[int(step)]) for step in x])


def test_epochs_without_a_test_split_get_no_test_markers(qtbot, plot, model):
    # Epochs after a switch to data without a test split have NaN test values: their markers made pyqtgraph
    # warn (All-NaN slice) when the view showed only them.
    ds = model.dataset
    model.trainer.run_epoch()
    model.set_dataset(Dataset("no test split", ds.X[:20], ds.y[:20], ds.class_names, ds.image_shape,
                              np.zeros(20, dtype=bool)))
    for _ in range(3):
        model.trainer.run_epoch()
    model.document.network_changed.emit()
    qtbot.waitUntil(lambda: plot._n_epochs == 4)
    first_plain = model.trainer.epochs[1].step
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.log_check.click()
        plot.loss_plot.getViewBox().setXRange(first_plain - 1, model.trainer.epochs[-1].step + 1)
        plot.graphics.grab()
    for curve in (plot.test_loss_curve, plot.test_acc_curve):
        x, y = plot.epoch_markers[curve].getData()
        assert list(x) == [model.trainer.epochs[0].step] and np.isfinite(y).all()
