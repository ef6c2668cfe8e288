"""Colours, pens and fonts of the network diagram for one theme and one widget font.

Edges are drawn with ``2·LEVELS`` opaque pens, one per bucket of sign and
|value| (see ``neuroviz.ui.colormaps.buckets``): weak values fade into the
background, strong ones take the full hue and the widest pen.  Both
``Palette`` and ``DiagramFonts`` are built once and compare by identity, so
the diagram can use them as parts of its cache keys; a ``ThemedCache`` keeps
what is drawn in one palette.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from neuroviz.ui.colormaps import blend, bucket_colors, bucket_widths, diverging_lut, sequential_lut
from neuroviz.ui.theme import Theme

THIN, THICK = 1.05, 4.2
"""Pen widths (device-independent pixels) of the weakest and strongest edges.

Widths just above 1 take Qt's fast wide-line raster path; exactly 1 (cosmetic)
measured about 4× slower here."""
INPUT_BLACK, INPUT_WHITE = (0, 0, 0), (255, 255, 255)
"""Input pixels as in the paper and the pixel editor: 0 is black, 1 is white (in every theme)."""
DIM = 0.72
"""How far edges fade toward the background when something is selected."""
SMALL, EDGE_LABEL, SCRIPT = 0.9, 0.85, 0.62
"""Point sizes, relative to the widget's font, of the small texts, of the labels written on edges and of
their sub- and superscripts."""
MIN_VALUE_POINTS, VALUE_PER_RADIUS = 6.5, 0.42
"""A neuron's value is written in at most the widget's point size, ``VALUE_PER_RADIUS`` points per pixel of radius."""
MAX_VALUE_FONTS = 64
"""At most this many sizes of the neurons' value font are kept."""
V = TypeVar("V")


@dataclass(eq=False)
class Palette:
    """The theme turned into lookup tables and pens (rebuilt on a theme change)."""

    theme: Theme
    bucket_rgb: np.ndarray
    bucket_dim_rgb: np.ndarray
    widths: np.ndarray
    node_lut: np.ndarray
    ink_lut: np.ndarray
    faint: QColor
    _colors: dict[str, QColor] = field(default_factory=dict)

    @classmethod
    def of(cls, theme: Theme) -> Palette:
        bg, neg, pos = theme.rgb("background"), theme.rgb("negative"), theme.rgb("positive")
        rgb = bucket_colors(neg, bg, pos)
        dim = np.round(np.asarray(bg, dtype=np.float64) * DIM + rgb * (1 - DIM)).astype(np.uint8)
        faint = np.round(blend(bg, theme.rgb("muted"), 0.22)).astype(int)
        return cls(theme, rgb, dim, bucket_widths(THIN, THICK), diverging_lut(neg, bg, pos),
                   sequential_lut(INPUT_BLACK, INPUT_WHITE), QColor(*faint))

    def color(self, name: str) -> QColor:
        """The theme's colour ``name`` (e.g. ``"muted"``), parsed once; do not modify it."""
        found = self._colors.get(name)
        if found is None:
            found = self._colors[name] = self.theme.qcolor(name)
        return found


def qcolor(rgb: np.ndarray) -> QColor:
    """A QColor from an (r, g, b) array row."""
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


@dataclass(frozen=True, eq=False)
class DiagramFonts:
    """The fonts of the diagram, derived from the widget's font (rebuilt only when that changes).

    ``named`` fonts are ``base``, ``bold``, ``small`` (headers' details,
    neuron names), ``edge_label`` and ``script`` (its sub- and superscripts); ``key`` identifies ``base`` in caches of
    prepared texts and images.
    """

    base: QFont
    key: str
    bold: QFont
    small: QFont
    edge_label: QFont
    script: QFont
    line_height: float
    """``QFontMetricsF(base).height()`` in pixels."""
    small_height: float
    """``QFontMetricsF(small).height()`` in pixels."""
    bold_height: float
    """``QFontMetricsF(bold).height()`` in pixels."""
    _values: dict[float, tuple[QFont, float, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, font: QFont) -> DiagramFonts:
        base = QFont(font)
        bold = QFont(font)
        bold.setBold(True)
        small = _scaled(font, SMALL)
        return cls(base, base.key(), bold, small, _scaled(font, EDGE_LABEL), _scaled(font, SCRIPT),
                   QFontMetricsF(base).height(),
                   QFontMetricsF(small).height(), QFontMetricsF(bold).height())

    def named(self, name: str) -> QFont:
        """One of the named fonts (``base``, ``bold``, ``small``, ``edge_label``, ``script``)."""
        return {"base": self.base, "bold": self.bold, "small": self.small, "edge_label": self.edge_label,
                "script": self.script}[name]

    def key_of(self, name: str) -> str:
        """A string that identifies the named font in caches."""
        return f"{self.key}|{name}"

    def value_font(self, radius: float) -> tuple[QFont, float, str]:
        """The font of the value written in a neuron of ``radius`` pixels, its line height and cache key."""
        size = max(MIN_VALUE_POINTS, min(self.base.pointSizeF(), radius * VALUE_PER_RADIUS))
        found = self._values.get(size)
        if found is None:
            if len(self._values) >= MAX_VALUE_FONTS:  # zooming visits many sizes
                self._values.clear()
            font = QFont(self.base)
            font.setPointSizeF(size)
            found = self._values[size] = (font, QFontMetricsF(font).height(), self.key_of(f"value {size}"))
        return found


def _scaled(font: QFont, factor: float) -> QFont:
    """A copy of ``font`` at ``factor`` times its point size."""
    out = QFont(font)
    out.setPointSizeF(font.pointSizeF() * factor)
    return out


class ThemedCache(Generic[V]):
    """Things drawn in one palette (pens, images) by key; all are dropped when the palette changes.

    At most ``limit`` are kept: when full, the cache starts over (zooming
    visits many sizes, and only the latest few are drawn again).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._palette: Palette | None = None
        self._found: dict[Hashable, V] = {}

    def get(self, palette: Palette, key: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key`` drawn in ``palette``: kept, or ``build()`` (then kept)."""
        if palette is not self._palette:
            self._found.clear()
            self._palette = palette
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self.limit:
                self._found.clear()
            found = self._found[key] = build()
        return found
