"""The colour-bar legends drawn under the network diagram: full (title, bar, three ticks) or compact (two rows)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPainterPath, QPen, QPolygonF

from neuroviz.ui.diagram_style import THICK
from neuroviz.ui.theme import Theme

LEGEND_WIDTH = 150.0
"""Width of a legend's colour bar in pixels."""
LEGEND_HEIGHT = 66
"""Height of a legend box in pixels."""
COMPACT_BAR = 60.0
"""Width of a compact legend's colour bar in pixels."""
TICK_TEMPLATE = "−8.8×10⁻⁸⁸"
"""The widest tick a legend makes room for (``fmt`` with 2 digits)."""


def draw_legend(p: QPainter, theme: Theme, base_font: QFont, title: str, ticks: tuple[str, str, str],
                lut: np.ndarray, wedge: bool, bar_w: float) -> None:
    """A colour-bar legend in a box at (0, 0): title, a bar of ``lut`` and its −/0/+ ticks.

    ``wedge`` adds a bow-tie under the bar: edges widen with |value|.
    """
    x = y = 0.0
    box = QRectF(x, y, bar_w + 24, LEGEND_HEIGHT)
    _box(p, theme, base_font, box)
    p.setPen(theme.qcolor("text"))
    p.drawText(QRectF(x + 12, y + 4, bar_w, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
               title)
    bar = QRectF(x + 12, y + 23, bar_w, 9.0)
    _bar(p, theme, bar, lut)
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


def legend_font(base_font: QFont) -> QFont:
    """The font of a legend's texts: a little smaller than the diagram's."""
    font = QFont(base_font)
    font.setPointSizeF(font.pointSizeF() * 0.9)
    return font


def compact_size(base_font: QFont) -> tuple[float, float]:
    """Width and height (pixels) of a compact legend box."""
    fm = QFontMetricsF(legend_font(base_font))
    return 16 + 2 * fm.horizontalAdvance(TICK_TEMPLATE) + 8 + COMPACT_BAR, 2 * fm.height() + 10


def draw_compact_legend(p: QPainter, theme: Theme, base_font: QFont, title: str, ticks: tuple[str, str],
                        lut: np.ndarray) -> None:
    """A compact legend in a box at (0, 0) (``compact_size``): the title, then the low tick, the bar, the high tick."""
    w, h = compact_size(base_font)
    font = _box(p, theme, base_font, QRectF(0, 0, w, h))
    fm = QFontMetricsF(font)
    line, tick_w = fm.height(), fm.horizontalAdvance(TICK_TEMPLATE)
    p.setPen(theme.qcolor("text"))
    p.drawText(QRectF(8, 4, w - 16, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    row = QRectF(8, 5 + line, tick_w, line)
    bar = QRectF(row.right() + 4, row.center().y() - 4, COMPACT_BAR, 8)
    _bar(p, theme, bar, lut)
    p.setPen(theme.qcolor("muted"))
    p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, ticks[0])
    p.drawText(QRectF(bar.right() + 4, row.top(), tick_w, line),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, ticks[1])


def _box(p: QPainter, theme: Theme, base_font: QFont, box: QRectF) -> QFont:
    """A legend's rounded box; sets and returns the legend's font."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(theme.qcolor("surface"))
    p.drawRoundedRect(box, 8, 8)
    font = legend_font(base_font)
    p.setFont(font)
    return font


def _bar(p: QPainter, theme: Theme, bar: QRectF, lut: np.ndarray) -> None:
    """A colour bar of ``lut`` filling ``bar``, outlined."""
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    for t in np.linspace(0, 1, 9):
        c = lut[int(round(t * (lut.shape[0] - 1)))]
        grad.setColorAt(float(t), QColor(int(c[0]), int(c[1]), int(c[2])))
    p.setBrush(QBrush(grad))
    p.setPen(QPen(theme.qcolor("muted"), 0.8))
    p.drawRect(bar)
