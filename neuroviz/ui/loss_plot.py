"""The loss curves dock: training loss per update, test loss and accuracy per epoch.

One plot over the update axis: the loss L of every update (faint,
``trainer.history``) with its exponential smoothing on top, the weight
penalty of each update apart from it (dashed, when λ₁ or λ₂ was set: the
loss minimised is their sum), the test loss
after each epoch (``trainer.epochs``) and a dashed line at the current
update (back in time: at the moment shown, the later updates still drawn);
on a second axis (right, %), train and test accuracy after each epoch (for
classes: a data set of target values has neither the axis nor its key).

A crosshair follows the mouse and the readout names the nearest update (or
epoch) and its values.  The loss axis can be logarithmic.  Redraws are
coalesced: at most one per ``TRAINING_REFRESH_SECONDS`` while training, less
often when the curve is so long that refreshing and repainting it would take
more than a fifth of the time, and none while the plot cannot be seen (a tab
behind another): it catches up when it comes into view.  A million updates
stay fast: while the view follows all of them, a long curve is drawn from its min/max envelope
(``MinMaxDecimator``, extended as updates arrive); zoomed in, the full curve
is clipped to the view and downsampled by pyqtgraph.  The smoothing is
extended incrementally too, never recomputed while training.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPaintEvent, QPalette
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from neuroviz.core.decimation import MinMaxDecimator
from neuroviz.core.numbers import abbreviated, count, fmt, percent
from neuroviz.core.smoothing import ExponentialSmoother
from neuroviz.core.trainer import Trainer
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.on_screen import ComesIntoView, on_screen
from neuroviz.ui.panel_protocol import MenuEntry

REFRESH_SECONDS = 0.05
"""Delay of a redraw after a change while paused (a single update shows at once)."""
TRAINING_REFRESH_SECONDS = 0.2
"""Shortest time between two redraws while training (the diagram gets the frames)."""
DEFAULT_SMOOTHING = 0.95
TRAIN_COLOR = QColor(31, 119, 180)
"""Training loss (per update) and train accuracy."""
TEST_COLOR = QColor(230, 110, 20)
"""Test loss and test accuracy (per epoch)."""
PENALTY_COLOR = QColor(148, 73, 180)
"""The weight penalty λ₁ Σ|θ| + λ₂/2 Σθ² per update, drawn apart from the data loss when there is one."""
RAW_WEIGHT = 0.3
"""The faint per-update line: this much of the training colour, the rest background (opaque: fast)."""
DECIMATE_ABOVE = 8192
"""Longer curves are drawn from their min/max envelope while the view follows all updates."""
EMPTY_HINT = "No updates yet: Play (Space) trains, Step (→) makes one update"
MARKER_GAP = 9
"""Least pixels between two drawn per-epoch markers (more epochs than that: every k-th one)."""


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


class TimedGraphics(pg.GraphicsLayoutWidget):
    """A pyqtgraph canvas that remembers how long its last repaint took (``paint_cost``, seconds)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paint_cost = 0.0

    def paintEvent(self, event: QPaintEvent) -> None:
        start = time.perf_counter()
        super().paintEvent(event)
        self.paint_cost = time.perf_counter() - start


class LossAxis(pg.AxisItem):
    """The loss axis: on a log scale, labels only 1, 2 and 5 × 10^k (others are unlabelled ticks)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        # minVal and maxVal are log10 of the loss here.
        decades = maxVal - minVal
        labelled = (1,) if decades > 3 else (1, 2, 5)
        major: list[float] = []
        minor: list[float] = []
        for exponent in range(math.floor(minVal), math.ceil(maxVal) + 1):
            for mantissa in range(1, 10):
                v = exponent + math.log10(mantissa)
                if minVal <= v <= maxVal:
                    (major if mantissa in labelled else minor).append(v)
        if decades > 8:  # very long axis: label every few decades only
            every = math.ceil(decades / 8)
            major = [v for v in major if round(v) % every == 0]
        return [(None, major), (None, minor if decades <= 6 else [])]


class UpdateAxis(pg.AxisItem):
    """The update axis: long runs read ``10k``, ``1.5M`` instead of every digit."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if max((abs(v) for v in values), default=0) < 1000:
            return super().tickStrings(values, scale, spacing)
        return [abbreviated(v * scale) for v in values]


class LossPlot(QWidget):
    """The loss curves over ``model.trainer``; redraws on the model's signals."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.model = model
        self._trainer: Trainer | None = None
        self._n = 0  # history entries drawn
        self._last_value = math.nan  # history value at _n − 1, to notice a rewritten history
        self._n_epochs = 0
        self._smoother = ExponentialSmoother(DEFAULT_SMOOTHING)
        self._smoothed = GrowingArray()
        self._decimator = MinMaxDecimator()
        self._decimated = False  # the curves hold the envelope, not every update
        self._refresh_cost = 0.0
        self.accuracy_shown = True
        """The accuracy axis and key are shown (not for regression: it has no accuracy)."""
        self.penalty_shown = False
        """A weight penalty was set for some update drawn: its curve and key are shown."""
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh_in_view)
        self._stale = False
        ComesIntoView(self, self._catch_up)
        doc = model.document
        for signal in (doc.network_changed, doc.architecture_changed, doc.dataset_changed):
            subscribe(self, signal, self.schedule_refresh)
        self._apply_palette()
        self.refresh()

    # ----------------------------------------------------------------- layout
    def key_help(self) -> list[tuple[str, str]]:
        """The plot answers the mouse only (pyqtgraph's pan and zoom)."""
        return []

    def menu_entries(self) -> list[MenuEntry]:
        """The panel adds nothing to the window's menus."""
        return []

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
        self.key = QLabel(self)
        self.key.setObjectName("legend")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setWordWrap(True)  # a narrow panel wraps the key instead of widening the window
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        bar.addWidget(self.log_check)
        bar.addSpacing(8)
        bar.addWidget(QLabel("Smoothing", self))
        bar.addWidget(self.smoothing_spin)
        bar.addWidget(self.fit_button)
        bar.addSpacing(16)
        bar.addWidget(self.key, 1)

        self.graphics = TimedGraphics(self)
        self.graphics.setObjectName("lossGraphics")
        self.graphics.ci.setContentsMargins(2, 4, 2, 2)
        axes = {"left": LossAxis("left"), "bottom": UpdateAxis("bottom")}
        self.loss_plot: pg.PlotItem = self.graphics.addPlot(row=0, col=0, axisItems=axes)
        plot = self.loss_plot
        # No grid: pyqtgraph draws grid lines through the axes, which costs 5–15 ms a frame here.
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("left", "loss L")
        plot.setLabel("bottom", "update")
        plot.getAxis("left").setWidth(48)
        for name in ("left", "bottom"):
            # Plain numbers: a "(x0.001)" unit prefix on the loss axis reads as a different quantity.
            plot.getAxis(name).enableAutoSIPrefix(False)
        plot.getViewBox().setLimits(xMin=0)
        plot.getViewBox().setDefaultPadding(0.01)
        # Min/max per pixel column of only what is in view (applied to every curve of the plot).
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)

        # Accuracy on a second axis (right, 0–100 %) sharing the update axis.
        self.accuracy_view = pg.ViewBox(enableMouse=False, enableMenu=False)
        plot.showAxis("right")
        plot.scene().addItem(self.accuracy_view)
        right = plot.getAxis("right")
        right.linkToView(self.accuracy_view)
        right.setLabel("accuracy %")
        right.setWidth(44)
        right.setTicks([[(v, f"{v}") for v in (0, 25, 50, 75, 100)]])
        self.accuracy_view.setXLink(plot)
        self.accuracy_view.setYRange(0, 100, padding=0.04)
        self.accuracy_view.enableAutoRange(y=False)
        plot.getViewBox().sigResized.connect(self._fit_accuracy_view)
        plot.getViewBox().sigXRangeChanged.connect(self._on_x_range_changed)

        # The history never holds a non-finite loss (a diverging update is not recorded).
        self.raw_curve = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOR, width=1), skipFiniteCheck=True)
        self.smooth_curve = pg.PlotDataItem(pen=pg.mkPen(TRAIN_COLOR, width=2), skipFiniteCheck=True)
        self.test_loss_curve = pg.PlotDataItem(pen=pg.mkPen(TEST_COLOR, width=2))
        self.penalty_curve = pg.PlotDataItem(pen=pg.mkPen(PENALTY_COLOR, width=1.5, dash=[4, 2]),
                                             skipFiniteCheck=True)
        self.train_acc_curve, self.test_acc_curve = (
            pg.PlotDataItem(pen=pg.mkPen(color, width=1.5, dash=[3, 3]))
            for color in (TRAIN_COLOR, TEST_COLOR))  # dashed, with triangles: accuracy per epoch
        # The per-epoch markers, apart from the lines: thinned to every k-th epoch when they would crowd.
        self.epoch_markers = {
            curve: pg.PlotDataItem(pen=None, symbol=symbol, symbolSize=size, symbolBrush=color, symbolPen=None)
            for curve, symbol, size, color in ((self.test_loss_curve, "o", 6, TEST_COLOR),
                                               (self.train_acc_curve, "t1", 7, TRAIN_COLOR),
                                               (self.test_acc_curve, "t1", 7, TEST_COLOR))}
        self._epoch_x = np.empty(0)
        self.marker_step = 1
        """Markers are drawn at every ``marker_step``-th epoch (and the last)."""
        self.now_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((128, 128, 128), width=1, dash=[5, 3]))
        for item in (self.raw_curve, self.smooth_curve, self.penalty_curve, self.test_loss_curve):
            plot.addItem(item)
        self.smooth_curve.setDownsampling(method="subsample")  # a smooth line needs no min/max envelope
        plot.addItem(self.now_line, ignoreBounds=True)
        self.accuracy_view.addItem(self.train_acc_curve)
        self.accuracy_view.addItem(self.test_acc_curve)
        for curve, marker in self.epoch_markers.items():
            (plot if curve is self.test_loss_curve else self.accuracy_view).addItem(marker)
        plot.getViewBox().sigResized.connect(self._thin_markers)

        cross_pen = pg.mkPen((120, 120, 120), width=1, style=Qt.PenStyle.DotLine)
        self.cross_v = pg.InfiniteLine(angle=90, movable=False, pen=cross_pen)
        self.cross_h = pg.InfiniteLine(angle=0, movable=False, pen=cross_pen)
        self.hover_dot = pg.ScatterPlotItem(size=9, pen=pg.mkPen(TRAIN_COLOR, width=2), brush=None)
        for item in (self.cross_v, self.cross_h, self.hover_dot):
            plot.addItem(item, ignoreBounds=True)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.viewport().installEventFilter(self)
        # The crosshair's readout floats over the top-left corner of the plot.
        self.readout = QLabel(self.graphics)
        self.readout.setObjectName("readout")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setAutoFillBackground(True)
        self.readout.setContentsMargins(6, 2, 6, 2)
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.readout.move(56, 8)
        self._show_crosshair(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self.setMinimumHeight(150)

    def sizeHint(self) -> QSize:
        return QSize(900, 260)

    def _fit_accuracy_view(self) -> None:
        self.accuracy_view.setGeometry(self.loss_plot.getViewBox().sceneBoundingRect())

    # ----------------------------------------------------------------- colour
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        """Follow the application's light or dark palette."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        background = palette.color(QPalette.ColorRole.Base)
        self.graphics.setBackground(background)
        faint = QColor.fromRgbF(
            *(
                RAW_WEIGHT * a + (1 - RAW_WEIGHT) * b
                for a, b in zip(TRAIN_COLOR.getRgbF()[:3], background.getRgbF()[:3])
            )
        )
        self.raw_curve.setPen(pg.mkPen(faint, width=1))
        readout = self.readout.palette()
        fill = palette.color(QPalette.ColorRole.ToolTipBase)
        fill.setAlpha(230)
        readout.setColor(QPalette.ColorRole.Window, fill)
        readout.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.ToolTipText))
        self.readout.setPalette(readout)
        for name in ("left", "bottom", "right"):
            axis = self.loss_plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self._show_key()

    def _show_key(self) -> None:
        train, test = TRAIN_COLOR.name(), TEST_COLOR.name()
        penalty = (f"<span style='color:{PENALTY_COLOR.name()}'>╍╍</span> weight penalty "
                   "λ₁ Σ|θ| + λ₂/2 Σθ² (the loss minimised is the sum) &nbsp; ") if self.penalty_shown else ""
        self.key.setText(
            f"<span style='color:{train}'>━━</span> training {'data ' if penalty else ''}loss (bold: smoothed) "
            f"&nbsp; {penalty}"
            f"<span style='color:{test}'>━●━</span> test loss per epoch &nbsp; "
            + (f"accuracy %: <span style='color:{train}'>▲</span> train "
               f"<span style='color:{test}'>▲</span> test" if self.accuracy_shown else "")
        )

    def _show_accuracy(self, shown: bool) -> None:
        """The accuracy axis and its key, or neither (a data set of target values has no accuracy)."""
        if shown != self.accuracy_shown:
            self.accuracy_shown = shown
            self.loss_plot.showAxis("right", shown)
            self._show_key()

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

    # ---------------------------------------------------------------- drawing
    def schedule_refresh(self) -> None:
        """Redraw soon: once for any number of changes in between."""
        if not self._timer.isActive():
            # Keep the curves below about a fifth of the time, however long they grow.
            base = TRAINING_REFRESH_SECONDS if self.model.running else REFRESH_SECONDS
            wait = max(base, 5 * (self._refresh_cost + self.graphics.paint_cost))
            self._timer.start(round(1000 * wait))

    def _refresh_in_view(self) -> None:
        """The scheduled refresh: done now if the plot can be seen, else when it comes into view."""
        self._stale = not on_screen(self)
        if not self._stale:
            self.refresh()

    def _catch_up(self) -> None:
        if self._stale:
            self._refresh_in_view()

    @property
    def n_points(self) -> int:
        """Updates drawn on the loss curve."""
        return self._n

    def refresh(self) -> None:
        """Bring the curves up to date with the trainer's history and epochs."""
        start = time.perf_counter()
        trainer = self.model.trainer
        steps, values = self.model.time.loss_curve()  # back in time: the later updates stay drawn
        n = len(values)
        rewritten = n < self._n or (self._n > 0 and values[self._n - 1] != self._last_value)
        if trainer is not self._trainer or rewritten:
            self._trainer = trainer
            self._restart()
            self._n_epochs = -1
            self.fit()
        decimate = self._wants_envelope(n)
        if n != self._n or decimate != self._decimated:
            self._smoothed.extend(self._smoother.extend(values[self._n : n]))
            self._decimator.update(values)
            self._draw_curves(steps, values, decimate)
            self._draw_penalty(steps)
            self._n = n
            self._last_value = float(values[-1]) if n else math.nan
        if len(trainer.epochs) != self._n_epochs:
            self._draw_epochs(trainer)
        self.now_line.setValue(trainer.step_count)
        if not self.cross_v.isVisible():
            self._set_readout("" if n else EMPTY_HINT)
        self._refresh_cost = time.perf_counter() - start

    def _wants_envelope(self, n: int) -> bool:
        """Draw the min/max envelope: a long curve, all of it in view (zoomed in, pyqtgraph clips)."""
        return n > DECIMATE_ABOVE and bool(self.loss_plot.getViewBox().autoRangeEnabled()[0])

    def _on_x_range_changed(self) -> None:
        self._thin_markers()
        if self._wants_envelope(self._n) != self._decimated:
            self.schedule_refresh()

    def _draw_curves(self, steps: np.ndarray, values: np.ndarray, decimate: bool) -> None:
        """Hand the per-update and smoothed losses (n,) to the curves, or their envelope."""
        smoothed = self._smoothed.view
        if decimate:
            b = self._decimator.block
            self.raw_curve.setData(*self._decimator.envelope(steps, values))
            # The smoothed line varies slowly: one point per block (and the newest) is enough.
            self.smooth_curve.setData(
                np.concatenate([steps[b // 2 :: b], steps[-1:]]), np.concatenate([smoothed[b // 2 :: b], smoothed[-1:]])
            )
        else:
            self.raw_curve.setData(steps, values)
            self.smooth_curve.setData(steps, smoothed)
        self._decimated = decimate

    def _draw_penalty(self, steps: np.ndarray) -> None:
        """The penalty of each update (n,) on its own line, if any update had one."""
        penalties = self.model.time.penalty_curve()[: len(steps)]
        shown = bool(penalties.any())
        if shown:
            self.penalty_curve.setData(steps, penalties)
        elif self.penalty_shown:
            self.penalty_curve.setData([], [])
        if shown != self.penalty_shown:
            self.penalty_shown = shown
            self._show_key()

    def _restart(self) -> None:
        """Forget the drawn curve: the next refresh draws the whole history."""
        self._n = 0
        self._smoother.reset()
        self._smoothed.clear()
        self._decimator.reset()
        self._decimated = False
        self.raw_curve.setData([], [])
        self.smooth_curve.setData([], [])
        self.penalty_curve.setData([], [])
        if self.penalty_shown:
            self.penalty_shown = False
            self._show_key()

    def _draw_epochs(self, trainer: Trainer) -> None:
        epochs = trainer.epochs
        x = np.array([m.step for m in epochs], dtype=np.float64)
        test_loss = np.array([m.test_loss for m in epochs], dtype=np.float64)
        train_acc = np.array([100 * m.train_accuracy for m in epochs], dtype=np.float64)
        test_acc = np.array([100 * m.test_accuracy for m in epochs], dtype=np.float64)
        accuracy = np.isfinite(train_acc).any()  # none for regression
        self._show_accuracy(not self.model.dataset.is_regression)
        if np.isfinite(test_loss).any():  # the dataset has a test split
            self.test_loss_curve.setData(x, test_loss)
            self.test_acc_curve.setData(*((x, test_acc) if accuracy else ([], [])))
        else:
            self.test_loss_curve.setData([], [])
            self.test_acc_curve.setData([], [])
        self.train_acc_curve.setData(*((x, train_acc) if accuracy else ([], [])))
        self._epoch_x = x
        self._n_epochs = len(epochs)
        self._thin_markers()

    def _thin_markers(self) -> None:
        """Put the epochs' markers on their curves, every ``marker_step``-th one: at least ``MARKER_GAP`` px apart."""
        x = self._epoch_x
        per_pixel = self.loss_plot.getViewBox().viewPixelSize()[0]
        step = 1
        if x.size > 1 and per_pixel > 0:
            spacing = float(np.median(np.diff(x))) / per_pixel  # pixels between neighbouring epochs
            step = max(1, math.ceil(MARKER_GAP / max(spacing, 1e-9)))
        self.marker_step = step
        keep = np.unique(np.r_[np.arange(0, x.size, step), x.size - 1]) if x.size else np.empty(0, dtype=np.int64)
        for curve, marker in self.epoch_markers.items():
            cx, cy = curve.getOriginalDataset()  # as given: the marker maps it to a log axis itself
            if cx is None or len(cx) != x.size:
                marker.setData([], [])
            else:  # an epoch without a test split has no test values (NaN): no marker
                finite = keep[np.isfinite(cy[keep])]
                marker.setData(cx[finite], cy[finite])

    # -------------------------------------------------------------- crosshair
    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if watched is self.graphics.viewport() and event.type() == QEvent.Type.Leave:
            self._show_crosshair(False)
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _show_crosshair(self, visible: bool) -> None:
        for item in (self.cross_v, self.cross_h, self.hover_dot):
            item.setVisible(visible)
        if not visible:
            self._set_readout("" if self._n else EMPTY_HINT)
            self._place_readout(left_half=False)

    def _set_readout(self, text: str) -> None:
        self.readout.setText(text)
        self.readout.adjustSize()
        self.readout.setVisible(bool(text))

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if self.loss_plot.getViewBox().sceneBoundingRect().contains(pos):
            self._hover(self.loss_plot.getViewBox().mapSceneToView(pos))
        else:
            self._show_crosshair(False)

    def _hover(self, point: QPointF) -> None:
        """Readout of the update nearest the mouse, and of the last epoch completed by then."""
        all_steps, values = self.model.time.loss_curve()
        n = min(self._n, len(values))
        if n == 0:
            self._show_crosshair(False)
            return
        steps = all_steps[:n]
        i = int(np.clip(np.searchsorted(steps, point.x()), 0, n - 1))
        if i > 0 and abs(steps[i - 1] - point.x()) < abs(steps[i] - point.x()):
            i -= 1
        step, loss, smoothed = int(steps[i]), float(values[i]), float(self._smoothed.view[i])
        log = self.log_check.isChecked()
        self._show_crosshair(True)
        self.cross_v.setValue(step)
        self.cross_h.setValue(point.y())
        if log and loss <= 0:  # not on a log axis
            self.hover_dot.setData([], [])
        else:
            self.hover_dot.setData([step], [math.log10(loss) if log else loss])
        text = f"update {count(step)}   L = {fmt(loss, 4)}   smoothed {fmt(smoothed, 4)}"
        if self.penalty_shown:
            penalty = float(self.model.time.penalty_curve()[i])
            text += f"   penalty {fmt(penalty, 4)}   sum {fmt(loss + penalty, 4)}"
        done = [m for m in self.model.trainer.epochs if m.step <= step]
        if done:
            m = done[-1]
            text += f"   │   after epoch {count(m.epoch)}: accuracy train {percent(m.train_accuracy)}"
            if math.isfinite(m.test_accuracy):
                text += f", test {percent(m.test_accuracy)}, test L = {fmt(m.test_loss, 4)}"
        self._set_readout(text)
        self._place_readout(left_half=point.x() < sum(self.loss_plot.getViewBox().viewRange()[0]) / 2)

    def _place_readout(self, left_half: bool) -> None:
        """Put the readout in the top corner away from the mouse."""
        area = self.graphics.mapFromScene(self.loss_plot.getViewBox().sceneBoundingRect()).boundingRect()
        x = area.right() - self.readout.width() - 6 if left_half else area.left() + 6
        self.readout.move(max(0, x), area.top() + 6)
