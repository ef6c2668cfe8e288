"""The colour-bar legends drawn under the network diagram."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QLinearGradient, QPainter, QPainterPath, QPen, QPolygonF

from neuroviz.ui.diagram_style import THICK
from neuroviz.ui.theme import Theme

LEGEND_WIDTH = 150.0
"""Width of a legend's colour bar in pixels."""
LEGEND_HEIGHT = 66
"""Height of a legend box in pixels."""


def draw_legend(p: QPainter, theme: Theme, base_font: QFont, title: str, ticks: tuple[str, str, str],
                lut: np.ndarray, wedge: bool, bar_w: float) -> None:
    """A colour-bar legend in a box at (0, 0): title, a bar of ``lut`` and its −/0/+ ticks.

    ``wedge`` adds a bow-tie under the bar: edges widen with |value|.
    """
    x = y = 0.0
    bar_h = 9.0
    box = QRectF(x, y, bar_w + 24, LEGEND_HEIGHT)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(theme.qcolor("surface"))
    p.drawRoundedRect(box, 8, 8)
    font = QFont(base_font)
    font.setPointSizeF(font.pointSizeF() * 0.9)
    p.setFont(font)
    p.setPen(theme.qcolor("text"))
    p.drawText(QRectF(x + 12, y + 4, bar_w, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
               title)
    bar = QRectF(x + 12, y + 23, bar_w, bar_h)
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    for t in np.linspace(0, 1, 9):
        c = lut[int(round(t * (lut.shape[0] - 1)))]
        grad.setColorAt(float(t), QColor(int(c[0]), int(c[1]), int(c[2])))
    p.setBrush(QBrush(grad))
    p.setPen(QPen(theme.qcolor("muted"), 0.8))
    p.drawRect(bar)
    ticks_y = bar.bottom() + 2
    if wedge:
        cx = bar.center().x()
        wy = ticks_y + 5
        poly = QPolygonF([QPointF(bar.left(), wy - THICK), QPointF(cx, wy - 0.4),
                          QPointF(bar.right(), wy - THICK), QPointF(bar.right(), wy + THICK),
                          QPointF(cx, wy + 0.4), QPointF(bar.left(), wy + THICK)])
        path = QPainterPath()
        path.addPolygon(poly)
        p.fillPath(path, theme.qcolor("muted"))
        ticks_y += 10
    p.setPen(theme.qcolor("muted"))
    lo, mid, hi = ticks
    p.drawText(QRectF(bar.left() - 6, ticks_y, 60, 14), Qt.AlignmentFlag.AlignLeft, lo)
    p.drawText(QRectF(bar.center().x() - 30, ticks_y, 60, 14), Qt.AlignmentFlag.AlignHCenter, mid)
    p.drawText(QRectF(bar.right() - 54, ticks_y, 60, 14), Qt.AlignmentFlag.AlignRight, hi)
