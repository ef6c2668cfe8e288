"""Images the diagram draws once and reuses (legends, the input grid, neuron circles), and colours as images."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QImage, QPainter


def render_sprite(size: QSize, dpr: float, font: QFont, draw: Callable[[QPainter], None]) -> QImage:
    """A transparent image of ``size`` (device-independent pixels) at ``dpr``, drawn by ``draw(painter)``.

    The painter antialiases and has ``font`` set.
    """
    image = QImage(max(1, int(np.ceil(size.width() * dpr))), max(1, int(np.ceil(size.height() * dpr))),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    q = QPainter(image)
    q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    q.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    q.setFont(font)
    draw(q)
    q.end()
    return image


def argb_image(argb: np.ndarray) -> QImage:
    """An opaque image of the colours ``argb``, shape (h, w) 0xAARRGGBB (see ``colormaps.rgb_to_argb32``)."""
    data = np.ascontiguousarray(argb, dtype=np.uint32)
    h, w = data.shape
    return QImage(data.tobytes(), w, h, 4 * w, QImage.Format.Format_RGB32).copy()
