"""Neuron circles as pre-composed images: one antialiased disc with its outline per fill colour.

Qt draws two masks of a radius once, the disc's coverage and the outline
ring; every fill colour's image is then composed from them with NumPy (the
ring over the colour weighted by the disc's coverage), which is what
``drawEllipse`` with a brush and a pen paints, within one unit of 255 (Qt
rounds its 8-bit blending a little differently).  A whole colour table is
composed in one go, so that training, which moves every neuron's colour each
frame, finds its circles ready.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

RGBKey = tuple[int, int, int]
RenderMask = Callable[[Callable[[QPainter], None]], QImage]
"""Draws with the given function into a new transparent image of the sprite's size and returns it."""


def _argb(image: QImage) -> np.ndarray:
    """Shape (h·w, 4) float32: the premultiplied B, G, R, A bytes of an ARGB32 image."""
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : 4 * w].reshape(h * w, 4).astype(np.float32)


class CircleSprites:
    """The circle images of one radius, outline and device pixel ratio, by fill colour.

    ``render(draw)`` gives a new transparent image of the sprite's size drawn by ``draw``;
    the circle's centre is at (``half``, ``half``) device-independent pixels.
    """

    def __init__(self, radius: float, half: int, outline: QPen, render: RenderMask) -> None:
        def circle(q: QPainter, brush: QColor | None, pen: QPen | Qt.PenStyle) -> None:
            q.setPen(pen)
            q.setBrush(brush if brush is not None else Qt.BrushStyle.NoBrush)
            q.drawEllipse(QPointF(half, half), radius, radius)

        pen = outline if radius > 2.5 else Qt.PenStyle.NoPen
        disc = render(lambda q: circle(q, QColor(255, 255, 255), Qt.PenStyle.NoPen))
        ring = render(lambda q: circle(q, None, pen))
        self._size = (disc.width(), disc.height())
        self._dpr = disc.devicePixelRatio()
        ring_px = _argb(ring)
        # A fill colour c (premultiplied, alpha 255) shows through where the ring leaves room.
        self._weight = (_argb(disc)[:, 3:] / 255.0) * (1.0 - ring_px[:, 3:] / 255.0)  # (P, 1)
        self._base = ring_px + 0.5  # rounds to nearest when truncated
        self._images: dict[RGBKey, QImage] = {}

    def __len__(self) -> int:
        return len(self._images)

    def image(self, color: RGBKey) -> QImage:
        """The circle filled with ``color`` (R, G, B)."""
        found = self._images.get(color)
        if found is None:
            self.add(np.array([color], dtype=np.uint8))
            found = self._images[color]
        return found

    def add(self, colors: np.ndarray) -> None:
        """Compose the circles of ``colors``, shape (n, 3) uint8 R, G, B, not yet made."""
        todo = [c for c in map(tuple, colors.tolist()) if c not in self._images]
        if not todo:
            return
        bgra = np.array([(b, g, r, 255) for r, g, b in todo], dtype=np.float32)  # (n, 4)
        pixels = (self._weight[None] * bgra[:, None, :] + self._base[None]).astype(np.uint8)  # (n, P, 4)
        w, h = self._size
        for color, px in zip(todo, pixels):
            image = QImage(px.tobytes(), w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied).copy()
            image.setDevicePixelRatio(self._dpr)
            self._images[color] = image
