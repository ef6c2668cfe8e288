"""The diagram's view: world → screen transform (fit, zoom, pan), and what one paint draws with.

The layout (``diagram_layout``) places the network in world units; the view
maps them to widget pixels with one uniform scale and an offset.  A
``Frame`` bundles everything a paint depends on besides the values (layout,
view, palette, fonts, the painted area and its device), and its ``key``
identifies that view in the layers' caches (``Memo``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPaintEngine, QPainter

from neuroviz.ui.diagram_labels import LabelLog
from neuroviz.ui.diagram_layout import DiagramLayout
from neuroviz.ui.diagram_style import DiagramFonts, Palette

MIN_SCALE, MAX_SCALE = 0.05, 60.0
"""Screen pixels per world unit: the least and the most the view zooms to."""
T = TypeVar("T")


class Margins(NamedTuple):
    """Pixels kept free around the network for its texts (measured: see ``Annotations.margins``)."""

    left: float
    top: float
    right: float
    bottom: float

    def free(self, width: float, height: float) -> tuple[float, float]:
        """Width and height left for the network in a ``width``×``height`` widget (at least 50 each)."""
        return max(width - self.left - self.right, 50.0), max(height - self.top - self.bottom, 50.0)


DEFAULT_MARGINS = Margins(24.0, 84.0, 174.0, 100.0)
"""Margins before any text was measured."""


class ViewTransform:
    """World → screen: ``screen = world · scale + offset``, fitted to the widget or zoomed and panned.

    Attributes
    ----------
    scale:
        Screen pixels per world unit (uniform in x and y).
    fit_scale:
        The scale of the last fit (edges thicken a little when zoomed in beyond it).
    offset:
        Shape (2,): screen position of the world's origin.
    auto_fit:
        True while the view follows the widget's size (until zoomed or panned).
    """

    def __init__(self) -> None:
        self.scale = 1.0
        self.fit_scale = 1.0
        self.offset = np.zeros(2)
        self.auto_fit = True

    def key(self) -> tuple[float, float, float]:
        """What the transform is: scale and offset (for cache keys)."""
        return self.scale, float(self.offset[0]), float(self.offset[1])

    def fit(self, bounds: tuple[float, float, float, float], width: float, height: float,
            margins: Margins = DEFAULT_MARGINS) -> None:
        """Scale and centre the world rectangle ``bounds`` (x0, y0, x1, y1) into a ``width``×``height`` widget.

        Keeps ``margins`` free for the texts around the network.
        """
        x0, y0, x1, y1 = bounds
        w, h = margins.free(width, height)
        s = float(np.clip(min(w / (x1 - x0), h / (y1 - y0)), MIN_SCALE, MAX_SCALE))
        self.scale = self.fit_scale = s
        self.offset = np.array([margins.left + (w - s * (x1 - x0)) / 2 - s * x0,
                                margins.top + (h - s * (y1 - y0)) / 2 - s * y0])

    def zoom_by(self, factor: float, anchor: np.ndarray) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor`` (shape (2,), screen) still."""
        new = float(np.clip(self.scale * factor, MIN_SCALE, MAX_SCALE))
        world = (anchor - self.offset) / self.scale
        self.scale = new
        self.offset = anchor - world * new
        self.auto_fit = False

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (``dx``, ``dy``) screen pixels."""
        self.offset = self.offset + np.array([dx, dy])
        self.auto_fit = False

    def to_screen(self, x: float, y: float) -> QPointF:
        """Screen position of the world point (``x``, ``y``)."""
        return QPointF(x * self.scale + self.offset[0], y * self.scale + self.offset[1])

    def to_world(self, pos: QPointF) -> tuple[float, float]:
        """World position of the screen point ``pos``."""
        return (pos.x() - self.offset[0]) / self.scale, (pos.y() - self.offset[1]) / self.scale

    def points(self, world: np.ndarray) -> np.ndarray:
        """Shape (n, 2): screen positions of the world points ``world`` (shape (n, 2))."""
        return world * self.scale + self.offset

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        """The screen rectangle of the world rectangle at (``x``, ``y``) of size ``w``×``h``."""
        return QRectF(self.to_screen(x, y), self.to_screen(x + w, y + h))


class Frame(NamedTuple):
    """What one paint of the diagram draws with (apart from the values shown)."""

    layout: DiagramLayout
    view: ViewTransform
    palette: Palette
    fonts: DiagramFonts
    width: int
    """Width of the painted area (pixels)."""
    height: int
    dpr: float
    """Device pixels per pixel of the painted device."""
    vector: bool
    """True when painting into a vector format (SVG, PDF): no cached bitmaps there."""
    key: tuple[object, ...]
    """What a cached drawing of the view depends on: layout, palette, fonts (by identity), zoom and pan."""
    log: LabelLog | None = None
    """Where the layers note the rectangle of each text they draw (``None``: not noted)."""

    @classmethod
    def of(cls, p: QPainter, layout: DiagramLayout, view: ViewTransform, palette: Palette, fonts: DiagramFonts,
           width: int, height: int, log: LabelLog | None = None) -> Frame:
        """The frame of painting a ``width``×``height`` area onto ``p``."""
        return cls(layout, view, palette, fonts, width, height, device_pixel_ratio(p), is_vector(p),
                   (layout, palette, fonts, *view.key()), log)


def device_pixel_ratio(p: QPainter) -> float:
    """Device pixels per pixel of ``p``'s device (1 without a device)."""
    device = p.device()
    return float(device.devicePixelRatioF()) if device is not None else 1.0


def is_vector(p: QPainter) -> bool:
    """True when ``p`` paints into a vector format (SVG, PDF)."""
    engine = p.paintEngine()
    return engine is not None and engine.type() in (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf)


class Memo(Generic[T]):
    """One value kept while its key stays the same (a layer's drawing of the current view)."""

    def __init__(self) -> None:
        self._kept: tuple[tuple[object, ...], T] | None = None

    def get(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """The kept value if it was built for ``key``, else ``build()`` (then kept)."""
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, build())
        return self._kept[1]

    @property
    def kept(self) -> T | None:
        """The value last built (``None`` before the first)."""
        return None if self._kept is None else self._kept[1]
