"""Composed neuron circles match what Qt paints for a filled, outlined circle."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from neuroviz.ui.circle_sprites import CircleSprites

OUTLINE = QPen(QColor(90, 100, 110), 1.1)


def render(half: int, dpr: float, draw) -> QImage:
    side = int(np.ceil(2 * half * dpr))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    q = QPainter(image)
    q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    draw(q)
    q.end()
    return image


def channels(image: QImage) -> np.ndarray:
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : 4 * w].reshape(h, w, 4).astype(int)


@pytest.mark.parametrize(("radius", "dpr"), [(11.5, 1.0), (4.25, 1.0), (2.0, 1.0), (7.75, 2.0)])
def test_composed_circles_match_qts_own_drawing(qapp, radius, dpr):
    half = int(np.ceil(radius + 1.5))
    sprites = CircleSprites(radius, half, OUTLINE, lambda draw: render(half, dpr, draw))
    colours = np.array([[255, 255, 255], [200, 40, 40], [30, 60, 200], [0, 0, 0], [247, 247, 247]], dtype=np.uint8)
    sprites.add(colours)
    assert len(sprites) == len(colours)
    for r, g, b in colours.tolist():
        fill = QColor(r, g, b)

        def reference(q: QPainter, fill: QColor = fill) -> None:
            q.setPen(OUTLINE if radius > 2.5 else Qt.PenStyle.NoPen)
            q.setBrush(fill)
            q.drawEllipse(QPointF(half, half), radius, radius)

        mine = sprites.image((r, g, b))
        assert mine.devicePixelRatio() == dpr
        theirs = render(half, dpr, reference)
        assert (mine.width(), mine.height()) == (theirs.width(), theirs.height())
        difference = np.abs(channels(mine) - channels(theirs))
        assert difference.max() <= 1
        centre = channels(mine)[mine.height() // 2, mine.width() // 2]
        assert centre.tolist() == [b, g, r, 255]  # opaque fill in B, G, R, A order
    # A colour outside the table is composed when first asked for, then kept.
    extra = sprites.image((1, 2, 3))
    assert sprites.image((1, 2, 3)) is extra and len(sprites) == len(colours) + 1
