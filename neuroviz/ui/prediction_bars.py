"""The prediction: one horizontal bar per class with its probability p_k.

The bars are of the input and moment every panel shows (``AppModel.shown()``:
your drawing with the parameters after the update, by default), and a line
above them says which.  The argmax (the predicted class) is drawn in the
highlight colour with its name in bold; the target class r carries a small
``r`` tag.  During a phase walk, before the loss is computed, p is not known
yet: each value reads "—" over an empty bar.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from neuroviz.core.numbers import fixed, fmt
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe

ROW_HEIGHT = 22
COMPACT_ROW_HEIGHT = 16
"""Rows are this tall when there are more than ``COMPACT_ABOVE`` classes (the digits' ten fit the dock)."""
COMPACT_ABOVE = 4
BAR_GAP = 5


def row_height(n_classes: int) -> int:
    """Height of one bar's row for ``n_classes`` classes."""
    return ROW_HEIGHT if n_classes <= COMPACT_ABOVE else COMPACT_ROW_HEIGHT


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``(1 − t)·a + t·b``: shades that read on light and dark palettes alike."""
    return QColor.fromRgbF(*((1 - t) * x + t * y for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))


class PredictionBars(QWidget):
    """Bars of p (shape (K,)) for the input and moment shown, under a line saying which; repaints on the
    model's signals."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("predictionBars")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.values = np.zeros(0)
        """Shape (K,): the probabilities drawn in the last refresh (NaN: not computed yet)."""
        self.argmax = -1
        self.target = 0
        """The target class r of the input shown."""
        self.words = ""
        """What the bars show, in words (``update 12 · after · your drawing``)."""
        for signal in (model.drawing.changed, model.document.network_changed, model.document.architecture_changed,
                       model.document.dataset_changed, model.showing.changed, model.time.changed, model.walk.changed,
                       model.stepped):
            subscribe(self, signal, self._on_model_changed)
        self._on_model_changed()

    # ---------------------------------------------------------------- state
    def _on_model_changed(self, *_: object) -> None:
        shown = self.model.shown()
        probs = shown.known_probs(self.model.phase)
        self.values = np.full(len(shown.probs), np.nan) if probs is None else np.array(probs, dtype=np.float64)
        self.argmax = int(np.argmax(self.values)) if probs is not None and self.values.size else -1
        self.target = shown.target_class
        self.words = shown.words()
        self.setFixedHeight(self.sizeHint().height())
        self.setToolTip(self._summary())
        self.update()

    def title(self) -> str:
        """What the bars show: softmax probabilities p, or the raw outputs without a softmax."""
        if self.model.config.loss == "cross_entropy":
            return "Prediction p (softmax)"
        return "Prediction: outputs (no softmax; bars clipped to [0, 1])"

    def _summary(self) -> str:
        names = self.model.class_names
        if self.argmax < 0:
            return f"p is not computed yet · {self.words}" if self.values.size else ""
        return (f"Predicted: {names[self.argmax]} (p = {fmt(self.values[self.argmax], 4)}); "
                f"target r: {names[self.target]} · {self.words}")

    def caption_height(self) -> int:
        """Height of the line above the bars that says what they show."""
        return self.fontMetrics().height() + 2

    def sizeHint(self) -> QSize:
        n = len(self.values)
        return QSize(260, self.caption_height() + max(1, n) * row_height(n) + 2)

    # --------------------------------------------------------------- paint
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        names = self.model.class_names
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        fm_bold = QFontMetrics(bold)
        name_w = max((fm_bold.horizontalAdvance(n) for n in names), default=0) + 22
        value_w = fm_bold.horizontalAdvance("0.000") + 8
        bar_left = name_w + BAR_GAP
        bar_w = max(10.0, self.width() - bar_left - value_w - BAR_GAP)
        text = pal.color(QPalette.ColorRole.WindowText)
        page = pal.color(QPalette.ColorRole.Window)
        track = mix(page, text, 0.08)
        other = mix(page, text, 0.38)
        best = pal.color(QPalette.ColorRole.Highlight)
        muted = QColor(text)
        muted.setAlphaF(0.6)
        row = row_height(len(self.values))
        inset = 4 if row == ROW_HEIGHT else 2
        caption = self.caption_height()
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(QRectF(0, 0, self.width(), caption), Qt.AlignmentFlag.AlignLeft |
                         Qt.AlignmentFlag.AlignVCenter, self.words)
        for k, p in enumerate(self.values):
            top = caption + 1 + k * row
            is_best = k == self.argmax
            painter.setFont(bold if is_best else font)
            painter.setPen(text)
            name = names[k] if k < len(names) else str(k)
            painter.drawText(QRectF(0, top, name_w - 19, row), Qt.AlignmentFlag.AlignRight |
                             Qt.AlignmentFlag.AlignVCenter, name)
            if k == self.target:
                self._draw_target_tag(painter, QRectF(name_w - 15, top + inset, 12, row - 2 * inset), muted)
            bar = QRectF(bar_left, top + inset, bar_w, row - 2 * inset)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            known = bool(np.isfinite(p))
            if known:
                painter.setBrush(best if is_best else other)
                painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * float(np.clip(p, 0, 1)),
                                               bar.height()), 3, 3)
            painter.setFont(bold if is_best else font)
            painter.setPen(text)
            painter.drawText(QRectF(bar.right() + BAR_GAP, top, value_w, row),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, fixed(p, 3) if known else "—")
        painter.end()

    def _draw_target_tag(self, painter: QPainter, rect: QRectF, color: QColor) -> None:
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
        small.setItalic(True)
        painter.setFont(small)
        painter.setPen(color)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 3, 3)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "r")
