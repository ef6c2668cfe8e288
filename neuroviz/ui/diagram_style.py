"""Colours and pens of the network diagram for one theme.

Edges are drawn with ``2·LEVELS`` opaque pens, one per bucket of sign and
|value| (see ``neuroviz.ui.colormaps.buckets``): weak values fade into the
background, strong ones take the full hue and the widest pen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QColor

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


@dataclass
class Palette:
    """The theme turned into lookup tables and pens (rebuilt on a theme change)."""

    theme: Theme
    bucket_rgb: np.ndarray
    bucket_dim_rgb: np.ndarray
    widths: np.ndarray
    node_lut: np.ndarray
    ink_lut: np.ndarray
    faint: QColor

    @classmethod
    def of(cls, theme: Theme) -> Palette:
        bg, neg, pos = theme.rgb("background"), theme.rgb("negative"), theme.rgb("positive")
        rgb = bucket_colors(neg, bg, pos)
        dim = np.round(np.asarray(bg, dtype=np.float64) * DIM + rgb * (1 - DIM)).astype(np.uint8)
        faint = np.round(blend(bg, theme.rgb("muted"), 0.22)).astype(int)
        return cls(theme, rgb, dim, bucket_widths(THIN, THICK), diverging_lut(neg, bg, pos),
                   sequential_lut(INPUT_BLACK, INPUT_WHITE), QColor(*faint))


def qcolor(rgb: np.ndarray) -> QColor:
    """A QColor from an (r, g, b) array row."""
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))
