"""The loss curves dock: training loss per update, test loss and accuracy per epoch.

Top plot: the loss L of every update (faint, ``trainer.history``) with its
exponential smoothing on top, the test loss after each epoch
(``trainer.epochs``) and a dashed line at the current update.  Bottom plot,
sharing the update axis: train and test accuracy after each epoch.

A crosshair follows the mouse and the readout names the nearest update (or
epoch) and its values.  The loss axis can be logarithmic.  Redraws are
coalesced: at most one per ``REFRESH_SECONDS``, slower when the curve is so
long that a redraw costs more than a fifth of that time.  Downsampling and
clipping to the view keep a million updates fast; smoothing is extended
incrementally, never recomputed while training.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from neuroviz.core.smoothing import ExponentialSmoother
from neuroviz.core.trainer import Trainer
from neuroviz.core.update_table import fmt
from neuroviz.ui.session import Session

REFRESH_SECONDS = 0.05
"""Shortest time between two redraws while training."""
DEFAULT_SMOOTHING = 0.95
TRAIN_COLOR = QColor(31, 119, 180)
"""Training loss (per update) and train accuracy."""
TEST_COLOR = QColor(230, 110, 20)
"""Test loss and test accuracy (per epoch)."""
RAW_ALPHA = 70
EMPTY_HINT = "No updates yet: Play (Space) trains, Step (→) makes one update"


class GrowingArray:
    """A float64 buffer with amortised O(1) append; ``view`` is the filled part, shape (n,)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def extend(self, values: np.ndarray) -> None:
        need = self._n + values.size
        if need > self._data.size:
            grown = np.empty(max(need, 2 * self._data.size), dtype=np.float64)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : need] = values
        self._n = need

    def clear(self) -> None:
        self._n = 0

    @property
    def view(self) -> np.ndarray:
        return self._data[: self._n]


class LossPlot(QWidget):
    """The loss curves over ``session.trainer``; redraws on the session's signals."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.session = session
        self._trainer: Trainer | None = None
        self._n = 0  # history entries drawn
        self._last_value = math.nan  # history value at _n − 1, to notice a rewritten history
        self._n_epochs = 0
        self._smoother = ExponentialSmoother(DEFAULT_SMOOTHING)
        self._smoothed = GrowingArray()
        self._refresh_cost = 0.0
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        for signal in (session.networkChanged, session.architectureChanged, session.datasetChanged):
            signal.connect(self.schedule_refresh)
        self._apply_palette()
        self.refresh()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.log_check = QCheckBox("Log scale", self)
        self.log_check.setObjectName("logCheck")
        self.log_check.setToolTip("Show the loss on a logarithmic axis")
        self.log_check.toggled.connect(self.set_log_scale)
        self.smoothing_spin = QDoubleSpinBox(self)
        self.smoothing_spin.setObjectName("smoothingSpin")
        self.smoothing_spin.setRange(0.0, 0.999)
        self.smoothing_spin.setDecimals(3)
        self.smoothing_spin.setSingleStep(0.01)
        self.smoothing_spin.setValue(DEFAULT_SMOOTHING)
        self.smoothing_spin.setToolTip(
            "Smoothing factor a of the bold line: s ← a·s + (1 − a)·L (0 = raw; 0.99 ≈ mean of the last 100)"
        )
        self.smoothing_spin.valueChanged.connect(self.set_smoothing)
        self.fit_button = QToolButton(self)
        self.fit_button.setObjectName("fitButton")
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Show all updates and follow new ones")
        self.fit_button.clicked.connect(self.fit)
        self.readout = QLabel(self)
        self.readout.setObjectName("readout")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.readout.setMinimumWidth(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.addWidget(self.log_check)
        bar.addSpacing(8)
        bar.addWidget(QLabel("Smoothing", self))
        bar.addWidget(self.smoothing_spin)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        bar.addWidget(self.readout, 4)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setObjectName("lossGraphics")
        self.graphics.ci.setContentsMargins(4, 4, 8, 4)
        self.loss_plot: pg.PlotItem = self.graphics.addPlot(row=0, col=0)
        self.metrics_plot: pg.PlotItem = self.graphics.addPlot(row=1, col=0)
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.metrics_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.metrics_plot):
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(52)
        self.loss_plot.setLabel("left", "loss L")
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self.metrics_plot.setLabel("left", "accuracy %")
        self.metrics_plot.setLabel("bottom", "update")
        self.metrics_plot.setYRange(0, 100, padding=0.05)
        self.metrics_plot.getAxis("left").setTicks([[(v, f"{v}") for v in (0, 50, 100)], [(25, ""), (75, "")]])
        self.metrics_plot.getViewBox().setMouseEnabled(y=False)
        self.metrics_plot.enableAutoRange(y=False)
        self.loss_plot.getViewBox().setLimits(xMin=0)

        raw_pen = QColor(TRAIN_COLOR)
        raw_pen.setAlpha(RAW_ALPHA)
        # The history never holds a non-finite loss (a diverging update is not recorded).
        self.raw_curve = pg.PlotDataItem(pen=pg.mkPen(raw_pen, width=1), skipFiniteCheck=True)
        self.smooth_curve = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOR, width=2), skipFiniteCheck=True)
        # Applied by the plot to every curve added to it: min/max per pixel column, only what is in view.
        self.loss_plot.setDownsampling(auto=True, mode="peak")
        self.loss_plot.setClipToView(True)
        self.test_loss_curve = pg.PlotDataItem(
            pen=pg.mkPen(TEST_COLOR, width=2), symbol="o", symbolSize=6, symbolBrush=TEST_COLOR, symbolPen=None
        )
        self.now_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((128, 128, 128), width=1, dash=[4, 3]))
        self.now_line_metrics = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen((128, 128, 128), width=1, dash=[4, 3])
        )
        legend = self.loss_plot.addLegend(offset=(-8, 6), labelTextSize="8pt")
        self.loss_plot.addItem(self.raw_curve)
        self.loss_plot.addItem(self.smooth_curve)
        self.loss_plot.addItem(self.test_loss_curve)
        legend.addItem(self.smooth_curve, "training loss (smoothed)")
        legend.addItem(self.raw_curve, "per update")
        legend.addItem(self.test_loss_curve, "test loss per epoch")
        self.loss_plot.addItem(self.now_line, ignoreBounds=True)
        self.legend = legend

        self.train_acc_curve = pg.PlotDataItem(
            pen=pg.mkPen(TRAIN_COLOR, width=2), symbol="o", symbolSize=5, symbolBrush=TRAIN_COLOR, symbolPen=None
        )
        self.test_acc_curve = pg.PlotDataItem(
            pen=pg.mkPen(TEST_COLOR, width=2), symbol="s", symbolSize=5, symbolBrush=TEST_COLOR, symbolPen=None
        )
        acc_legend = self.metrics_plot.addLegend(offset=(-8, 4), labelTextSize="8pt")
        self.metrics_plot.addItem(self.train_acc_curve)
        self.metrics_plot.addItem(self.test_acc_curve)
        acc_legend.addItem(self.train_acc_curve, "train")
        acc_legend.addItem(self.test_acc_curve, "test")
        self.metrics_plot.addItem(self.now_line_metrics, ignoreBounds=True)
        self.acc_legend = acc_legend

        cross_pen = pg.mkPen((120, 120, 120), width=1, style=Qt.PenStyle.DotLine)
        self.cross_v = pg.InfiniteLine(angle=90, movable=False, pen=cross_pen)
        self.cross_h = pg.InfiniteLine(angle=0, movable=False, pen=cross_pen)
        self.cross_v_metrics = pg.InfiniteLine(angle=90, movable=False, pen=cross_pen)
        self.hover_dot = pg.ScatterPlotItem(size=8, pen=pg.mkPen(TRAIN_COLOR, width=2), brush=None)
        for item, plot in (
            (self.cross_v, self.loss_plot),
            (self.cross_h, self.loss_plot),
            (self.hover_dot, self.loss_plot),
            (self.cross_v_metrics, self.metrics_plot),
        ):
            plot.addItem(item, ignoreBounds=True)
        self._show_crosshair(False)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.viewport().installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:
        return QSize(900, 300)

    # ----------------------------------------------------------------- colour
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        """Follow the application's light or dark palette."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.graphics.setBackground(background)
        for plot in (self.loss_plot, self.metrics_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))
        for legend in (self.legend, self.acc_legend):
            legend.setLabelTextColor(text)
            for _sample, label in legend.items:
                label.setText(label.text)  # re-render in the new colour
            fill = QColor(background)
            fill.setAlpha(200)
            legend.setBrush(pg.mkBrush(fill))

    # ---------------------------------------------------------------- options
    def set_log_scale(self, on: bool) -> None:
        """Logarithmic (base 10) or linear loss axis."""
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)
            return
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.enableAutoRange(y=True)
        self._show_crosshair(False)

    def set_smoothing(self, factor: float) -> None:
        """Smoothing factor a in [0, 1) of the bold line (recomputed over all updates)."""
        if abs(self.smoothing_spin.value() - factor) > 1e-12:
            self.smoothing_spin.setValue(factor)
            return
        self._smoother = ExponentialSmoother(factor)
        self._restart()
        self.refresh()

    def fit(self) -> None:
        """Show every update and epoch, and follow new ones."""
        self.loss_plot.enableAutoRange()
        self.metrics_plot.enableAutoRange(x=True)

    # ---------------------------------------------------------------- drawing
    def schedule_refresh(self) -> None:
        """Redraw soon: once for any number of changes in between."""
        if not self._timer.isActive():
            wait = max(REFRESH_SECONDS, 5 * self._refresh_cost)
            self._timer.start(round(1000 * wait))

    @property
    def n_points(self) -> int:
        """Updates drawn on the loss curve."""
        return self._n

    def refresh(self) -> None:
        """Bring the curves up to date with the trainer's history and epochs."""
        start = time.perf_counter()
        trainer = self.session.trainer
        history = trainer.history
        n = len(history)
        values = history.values
        rewritten = n < self._n or (self._n > 0 and values[self._n - 1] != self._last_value)
        if trainer is not self._trainer or rewritten:
            self._trainer = trainer
            self._restart()
            self._n_epochs = -1
            self.fit()
        if n != self._n:
            self._smoothed.extend(self._smoother.extend(values[self._n : n]))
            steps = history.steps
            self.raw_curve.setData(steps, values)
            self.smooth_curve.setData(steps, self._smoothed.view)
            self._n = n
            self._last_value = float(values[-1]) if n else math.nan
        if len(trainer.epochs) != self._n_epochs:
            self._draw_epochs(trainer)
        self.now_line.setValue(trainer.step_count)
        self.now_line_metrics.setValue(trainer.step_count)
        if not self.cross_v.isVisible():
            self.readout.setText("" if n else EMPTY_HINT)
        self._refresh_cost = time.perf_counter() - start

    def _restart(self) -> None:
        """Forget the drawn curve: the next refresh draws the whole history."""
        self._n = 0
        self._smoother.reset()
        self._smoothed.clear()
        self.raw_curve.setData([], [])
        self.smooth_curve.setData([], [])

    def _draw_epochs(self, trainer: Trainer) -> None:
        epochs = trainer.epochs
        x = np.array([m.step for m in epochs], dtype=np.float64)
        test_loss = np.array([m.test_loss for m in epochs], dtype=np.float64)
        train_acc = np.array([100 * m.train_accuracy for m in epochs], dtype=np.float64)
        test_acc = np.array([100 * m.test_accuracy for m in epochs], dtype=np.float64)
        if np.isfinite(test_loss).any():  # the dataset has a test split
            self.test_loss_curve.setData(x, test_loss)
            self.test_acc_curve.setData(x, test_acc)
        else:
            self.test_loss_curve.setData([], [])
            self.test_acc_curve.setData([], [])
        self.train_acc_curve.setData(x, train_acc)
        self._n_epochs = len(epochs)

    # -------------------------------------------------------------- crosshair
    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if watched is self.graphics.viewport() and event.type() == QEvent.Type.Leave:
            self._show_crosshair(False)
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _show_crosshair(self, visible: bool) -> None:
        for item in (self.cross_v, self.cross_h, self.hover_dot, self.cross_v_metrics):
            item.setVisible(visible)
        if not visible:
            self.readout.setText("" if self._n else EMPTY_HINT)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if self.loss_plot.sceneBoundingRect().contains(pos):
            self._hover_loss(self.loss_plot.getViewBox().mapSceneToView(pos))
        elif self.metrics_plot.sceneBoundingRect().contains(pos):
            self._hover_epochs(self.metrics_plot.getViewBox().mapSceneToView(pos))
        else:
            self._show_crosshair(False)

    def _hover_loss(self, point: QPointF) -> None:
        """Readout of the update nearest the mouse: its loss and the smoothed loss."""
        history = self.session.trainer.history
        n = min(self._n, len(history))
        if n == 0:
            self._show_crosshair(False)
            return
        steps = history.steps[:n]
        i = int(np.clip(np.searchsorted(steps, point.x()), 0, n - 1))
        if i > 0 and abs(steps[i - 1] - point.x()) < abs(steps[i] - point.x()):
            i -= 1
        step, loss, smoothed = int(steps[i]), float(history.values[i]), float(self._smoothed.view[i])
        log = self.log_check.isChecked()
        self._show_crosshair(True)
        self.cross_v.setValue(step)
        self.cross_v_metrics.setValue(step)
        self.cross_h.setValue(point.y())
        if log and loss <= 0:  # not on a log axis
            self.hover_dot.setData([], [])
        else:
            self.hover_dot.setData([step], [math.log10(loss) if log else loss])
        self.readout.setText(f"update {step:,}   L = {fmt(loss, 4)}   smoothed {fmt(smoothed, 4)}")

    def _hover_epochs(self, point: QPointF) -> None:
        """Readout of the epoch nearest the mouse: its test loss and accuracies."""
        epochs = self.session.trainer.epochs
        if not epochs:
            self._show_crosshair(False)
            return
        m = min(epochs, key=lambda e: abs(e.step - point.x()))
        self._show_crosshair(True)
        self.hover_dot.setVisible(False)
        self.cross_h.setVisible(False)
        self.cross_v.setValue(m.step)
        self.cross_v_metrics.setValue(m.step)
        text = f"epoch {m.epoch} (update {m.step:,})   train {100 * m.train_accuracy:.1f}%"
        if math.isfinite(m.test_accuracy):
            text += f"   test {100 * m.test_accuracy:.1f}%   test L = {fmt(m.test_loss, 4)}"
        self.readout.setText(text)
