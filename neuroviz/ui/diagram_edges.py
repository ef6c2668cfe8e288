"""The diagram's edges: buckets, level of detail, screen segments, pens, highlights and value labels.

Weights are straight lines coloured by sign and thickened by |value| (θ,
∂L/∂θ or Δθ).  For speed, edges are bucketed into ``2·LEVELS`` opaque pens
and drawn with one ``QPainter.drawLines`` call per bucket from a NumPy array
of screen coordinates; networks with more than ``max_edges`` edges draw only
the strongest ones (level of detail).  Edges not part of the current phase
(or without a known value) are drawn faint and thin.
"""

from __future__ import annotations

from typing import NamedTuple, cast

import numpy as np
import shiboken6
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from neuroviz.core.notation import weight_label
from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.ui.colormaps import LEVELS, buckets, robust_max
from neuroviz.ui.diagram_labels import LabelBoard
from neuroviz.ui.diagram_layout import DiagramLayout
from neuroviz.ui.diagram_neurons import TINY_NEURON
from neuroviz.ui.diagram_style import THICK, THIN, Palette, ThemedCache, qcolor
from neuroviz.ui.diagram_text import Scripted
from neuroviz.ui.diagram_values import EDGE_SYMBOLS, DiagramValues, strongest_per_layer
from neuroviz.ui.diagram_view import Frame, Memo, ViewTransform

ANTIALIAS_EDGES = 400
"""Edges are antialiased when at most this many are drawn (antialiasing is slow)."""
LINE_BYTES = 32
"""Bytes of one QLineF (four float64) in the line buffer."""
MAX_LABELLED_EDGES = 48
"""Networks with at most this many edges get each edge's value written on it."""
LABEL_SPOTS = (0.5, 0.62, 0.38, 0.72, 0.28, 0.8, 0.2, 0.56, 0.44, 0.67, 0.33, 0.85, 0.15)
"""Fractions along an edge tried in turn for its label."""
VALUE_TEMPLATES = {"weights": "−0.000", "gradients": "−8.88×10⁻⁸", "updates": "−8.88×10⁻⁸"}
"""The widest value an edge label makes room for, per edge mode (a wider one is written with fewer digits)."""
DENSE_EDGES = 1500
"""Above this many drawn edges the pens get proportionally thinner (never below THIN)."""
MAX_PEN_SETS = 64
"""At most this many sets of bucket pens (one per width factor and dimming) are kept."""
DRAW_ORDER = np.array([2 * (b % LEVELS) + (b >= LEVELS) for b in range(2 * LEVELS)], dtype=np.uint8)
"""Position of each edge bucket in the drawing order: by level, then sign, so that strong edges lie on top."""
BUCKET_BOUNDS = np.arange(2 * LEVELS + 1, dtype=np.uint8)
"""Draw positions 0 … 2·LEVELS: where each bucket starts among the sorted edges (and where the last ends)."""


class EdgeLayer:
    """Every edge's value and bucket, which edges are drawn, and their drawing.

    Edges are numbered layer after layer as the layout's ``all_segments``.

    Attributes
    ----------
    values:
        Shape (E,): the value each edge shows (NaN when unknown).
    buckets:
        Shape (E,): each edge's pen (see ``colormaps.buckets``); −1: drawn faint.
    drawn:
        Indices of the edges drawn in colour, in drawing order (weak buckets first).
    faint:
        Indices of the edges drawn faint (not part of the current phase).
    vmax:
        |value| that takes the strongest pen.
    """

    def __init__(self) -> None:
        self.values = np.zeros(0)
        self.buckets = np.zeros(0, dtype=np.int64)
        self.drawn = np.zeros(0, dtype=np.int64)
        self.faint = np.zeros(0, dtype=np.int64)
        self.vmax = 1.0
        self._starts = np.zeros(2 * LEVELS + 1, dtype=np.int64)
        """Where each bucket's edges start in ``drawn`` (and where the last ends)."""
        self._lines = PrimitiveArray(QLineF, 4)
        self._pens: ThemedCache[list[QPen]] = ThemedCache(MAX_PEN_SETS)
        self._segments: Memo[np.ndarray] = Memo()
        self._drawn_segments: Memo[np.ndarray] = Memo()

    # ------------------------------------------------------------ values
    def update(self, v: DiagramValues, lay: DiagramLayout, max_edges: int) -> None:
        """Buckets of the edges and the order they are drawn in (weak buckets first, strong ones on top).

        At most ``max_edges`` are drawn in colour: the strongest of each layer.
        """
        values, known_mask = _edge_arrays(v, lay)
        self.values = values
        self.vmax = robust_max([values if known_mask is None else values[known_mask]])
        bucket = buckets(values, self.vmax)
        shown = None  # None: every edge, in index order
        faint = np.zeros(0, dtype=np.int64)
        if known_mask is not None:
            bucket[~known_mask] = -1
            shown, faint = np.flatnonzero(known_mask), np.flatnonzero(~known_mask)
        self.buckets = bucket
        if (values.size if shown is None else shown.size) > max_edges:
            known = np.ones(values.size, dtype=bool) if known_mask is None else known_mask
            shown = strongest_per_layer(values, known, lay.offsets, max_edges)
        key = DRAW_ORDER[bucket if shown is None else bucket[shown]]
        order = np.argsort(key, kind="stable")  # a radix sort for small unsigned keys
        self.drawn = order if shown is None else shown[order]
        self._starts = np.searchsorted(key[order], BUCKET_BOUNDS)
        if faint.size > max_edges:
            faint = faint[:: int(np.ceil(faint.size / max_edges))]
        self.faint = faint

    def thinned(self) -> bool:
        """True when the level of detail leaves edges out (only the strongest are drawn)."""
        return self.drawn.size < self.values.size and self.faint.size == 0

    def visible(self) -> np.ndarray | None:
        """Shape (E,) bool: the edges drawn, when the level of detail leaves some out (else ``None``: all)."""
        if not self.thinned():
            return None
        visible = np.zeros(self.values.size, dtype=bool)
        visible[self.drawn] = True
        return visible

    def style(self, index: int, palette: Palette) -> tuple[QColor, float]:
        """Colour and pen width (at the fitted zoom) of edge ``index``."""
        b = int(self.buckets[index])
        if b < 0:
            return QColor(palette.faint), THIN
        return qcolor(palette.bucket_rgb[b]), float(palette.widths[b])

    def width_factor(self, view: ViewTransform) -> float:
        """Edges thicken a little when zoomed in and thin out when many are drawn."""
        zoom = min(max((view.scale / view.fit_scale) ** 0.5, 1.0), 3.0) if view.fit_scale else 1.0
        density = min(max(DENSE_EDGES / max(self.drawn.size, 1), 0.3), 1.0)
        return zoom * density

    # ------------------------------------------------------------ geometry
    def screen_segments(self, lay: DiagramLayout, view: ViewTransform) -> np.ndarray:
        """Shape (E, 4): screen (x0, y0, x1, y1) of every edge (kept while the view stays)."""
        def build() -> np.ndarray:
            s, ox, oy = view.key()
            seg = lay.all_segments * s
            seg += (ox, oy, ox, oy)
            return seg

        return self._segments.get((lay, *view.key()), build)

    def drawn_segments(self, lay: DiagramLayout, view: ViewTransform, wf: float,
                       covered: tuple[float, ...] = ()) -> np.ndarray:
        """Shape (E, 4): the screen segments as drawn with pens of up to ``THICK · wf`` pixels.

        An end inside a neuron's opaque circle stops inside it (the circle,
        drawn later, covers the rest), which spares the rasterizer the hidden
        part; ``covered`` (per layer, pixels) is the half side of an opaque
        square drawn over each of the layer's neurons (their maps), 0 for none.
        (Vector files take the whole ``screen_segments``.)
        """
        return self._drawn_segments.get((lay, *view.key(), round(wf, 3), covered),
                                        lambda: self._shortened(lay, view, wf, covered))

    def _shortened(self, lay: DiagramLayout, view: ViewTransform, wf: float, covered: tuple[float, ...]) -> np.ndarray:
        seg = self.screen_segments(lay, view).copy()
        half_width = THICK * wf / 2
        # Inside radius of the opaque fill: the outline's inner edge less its antialiased fringe
        # and the half pixel a circle image may sit off the exact centre.
        inner = lay.radius * view.scale - 2.5
        inner[lay.radius * view.scale < TINY_NEURON] = 0.0
        if covered:  # the circle inscribed in the square, less its outline and a pixel's rounding
            inner = np.maximum(inner, np.asarray(covered) - 2.0)
        cut = np.sqrt(np.maximum(inner**2 - half_width**2, 0.0))
        if lay.grid is not None:
            cut[0] = 0.0  # lines already start at the grid's edge
        for l in range(len(lay.sizes) - 1):
            rows = seg[lay.offsets[l]:lay.offsets[l] + lay.sizes[l] * lay.sizes[l + 1]]
            d = rows[:, 2:] - rows[:, :2]
            length = np.hypot(d[:, 0], d[:, 1])
            keep = length > cut[l] + cut[l + 1]
            u = d[keep] / length[keep, None]
            rows[keep, :2] += u * cut[l]
            rows[keep, 2:] -= u * cut[l + 1]
        return seg

    # ------------------------------------------------------------ painting
    def paint(self, p: QPainter, frame: Frame, selection: Selection | None, hover: Selection | None,
              covered: tuple[float, ...] = ()) -> None:
        """All edges (dimmed when something is ``selection``), then those of the selection and the hovered weight
        (``covered``: see ``drawn_segments``)."""
        lay, view, pal = frame.layout, frame.view, frame.palette
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self.drawn.size <= ANTIALIAS_EDGES)
        wf = self.width_factor(view)
        if self.faint.size:
            p.setPen(QPen(pal.faint, THIN, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            self._draw_lines(p, self.screen_segments(lay, view)[self.faint])
        # All drawn edges sit in one buffer, sorted by bucket: one drawLines per bucket
        # straight from the buffer's memory, no copies.
        n = self.drawn.size
        if n:
            self._lines.resize(n)
            buf = self._lines.ndarray()
            drawn = self.screen_segments(lay, view) if frame.vector else self.drawn_segments(lay, view, wf, covered)
            np.take(drawn, self.drawn, axis=0, out=buf, mode="clip")  # "clip": unbuffered
            base = buf.ctypes.data
            pens = self._bucket_pens(pal, wf, dim=selection is not None)
            starts = self._starts.tolist()
            for k in range(2 * LEVELS):
                a, b = starts[k], starts[k + 1]
                if a < b:
                    p.setPen(pens[(k % 2) * LEVELS + k // 2])
                    p.drawLines(cast(QLineF, shiboken6.wrapInstance(base + a * LINE_BYTES, QLineF)), b - a)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if selection is not None:
            self._paint_highlighted(p, frame, connected_edges(lay, selection), wf, halo=selection.kind == "weight")
        if hover is not None and hover.kind == "weight":
            self._paint_highlighted(p, frame, connected_edges(lay, hover), wf, halo=True)

    def _draw_lines(self, p: QPainter, seg: np.ndarray) -> None:
        if seg.shape[0] == 0:
            return
        self._lines.resize(seg.shape[0])
        self._lines.ndarray()[:] = seg
        p.drawLines(*self._lines.drawargs())

    def _bucket_pens(self, pal: Palette, wf: float, dim: bool) -> list[QPen]:
        """The opaque pen of every bucket (kept per palette, width factor and dimming)."""
        def build() -> list[QPen]:
            rgb = pal.bucket_dim_rgb if dim else pal.bucket_rgb
            return [QPen(qcolor(rgb[b]), max(THIN, float(pal.widths[b]) * wf), Qt.PenStyle.SolidLine,
                         Qt.PenCapStyle.FlatCap) for b in range(2 * LEVELS)]

        return self._pens.get(pal, (round(wf, 3), dim), build)

    def _paint_highlighted(self, p: QPainter, frame: Frame, idx: np.ndarray, wf: float, halo: bool) -> None:
        """The edges ``idx`` in full colour with round caps, over a highlight ``halo`` if asked."""
        pal = frame.palette
        seg = self.screen_segments(frame.layout, frame.view)[idx]
        if halo:
            p.setPen(QPen(pal.color("highlight"), (THICK + 3) * wf, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            self._draw_lines(p, seg)
        b = self.buckets[idx]
        for bucket in np.unique(b):
            rows = seg[b == bucket]
            if bucket < 0:
                p.setPen(QPen(pal.color("muted"), THIN * wf))
            else:
                p.setPen(QPen(qcolor(pal.bucket_rgb[bucket]), max(float(pal.widths[bucket]), 1.2) * wf,
                              Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            self._draw_lines(p, rows)

    def paint_labels(self, p: QPainter, frame: Frame, labels: list[EdgeLabel]) -> None:
        """The placed labels (``place_labels``): each edge's name and value on a background box."""
        if not labels:
            return
        pal, fonts, log = frame.palette, frame.fonts, frame.log
        fm = QFontMetricsF(fonts.edge_label)
        bg, text_color = pal.color("background"), pal.color("text")
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for label in labels:
            value = self.values[label.index]
            if not np.isfinite(value):
                continue
            text = fmt(float(value), 3)
            width = fm.horizontalAdvance(text)
            if width > label.value_width:
                text = fmt(float(value), 1)
                width = fm.horizontalAdvance(text)
                if width > label.value_width:
                    continue
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(label.rect, 3, 3)
            p.setPen(text_color)
            prefix = label.name.width + fm.horizontalAdvance(" = ") if label.name is not None else 0.0
            x = label.rect.center().x() - (prefix + width) / 2
            baseline = label.rect.center().y() + (fm.ascent() - fm.descent()) / 2
            if label.name is not None:
                label.name.draw(p, x, baseline, fonts.edge_label, fonts.script)
                p.setFont(fonts.edge_label)
                text = f" = {text}"
                x += label.name.width
            else:
                p.setFont(fonts.edge_label)
            p.drawText(QPointF(x, baseline), text)
            if log is not None:
                log.add("edge", text, label.rect)

    def place_labels(self, frame: Frame, board: LabelBoard, edge_mode: str) -> list[EdgeLabel]:
        """Where each edge's label goes, when there are few edges and room to read.

        A label (the edge's symbol, e.g. θ^{ba}_{11}, and its value) is
        centred on its own edge at the first of ``LABEL_SPOTS`` (fractions
        along it) that is free on ``board``, clear of the neurons and crossed
        by the fewest other edges; one that finds no room is written without
        its name, or left out.
        """
        lay, view, fonts = frame.layout, frame.view, frame.fonts
        if lay.n_edges > MAX_LABELLED_EDGES or view.scale * 40 < 28:
            return []
        fm, script_fm = QFontMetricsF(fonts.edge_label), QFontMetricsF(fonts.script)
        value_width = fm.horizontalAdvance(VALUE_TEMPLATES[edge_mode])
        h = fm.height() + 2 * fm.descent()
        circles = [(view.points(c), lay.radius[l] * view.scale + 3)
                   for l, c in enumerate(lay.centers) if not (l == 0 and lay.grid is not None)]
        segments = self.screen_segments(lay, view)
        labels: list[EdgeLabel] = []
        for index, (x0, y0, x1, y1) in enumerate(segments.tolist()):
            layer, m, n = lay.edge_of(index)
            name = Scripted.of(EDGE_SYMBOLS[edge_mode].replace("θ", weight_label(layer, m, n)), fm, script_fm)
            for scripted in (name, None):
                w = value_width + 8 + (scripted.width + fm.horizontalAdvance(" = ") if scripted is not None else 0.0)
                best: tuple[int, QRectF] | None = None
                for t in LABEL_SPOTS:
                    rect = QRectF(x0 + t * (x1 - x0) - w / 2, y0 + t * (y1 - y0) - h / 2, w, h)
                    if not board.free(rect) or any(
                            np.any((np.abs(c[:, 0] - rect.center().x()) < w / 2 + r)
                                   & (np.abs(c[:, 1] - rect.center().y()) < h / 2 + r)) for c, r in circles):
                        continue
                    crossed = int(np.count_nonzero(segments_through(segments, rect))) - 1
                    if best is None or crossed < best[0]:
                        best = (crossed, rect)
                        if crossed == 0:
                            break
                if best is not None:
                    board.take(best[1])
                    labels.append(EdgeLabel(index, best[1], scripted, value_width))
                    break
        return labels


class EdgeLabel(NamedTuple):
    """A label placed on an edge: its box, the edge's symbol (``None``: the value alone) and room for the value."""

    index: int
    rect: QRectF
    name: Scripted | None
    value_width: float


def segments_through(seg: np.ndarray, rect: QRectF) -> np.ndarray:
    """Shape (N,) bool: which segments of ``seg`` (N, 4) pass through ``rect`` (clipped as Liang and Barsky do)."""
    x0, y0 = seg[:, 0], seg[:, 1]
    d = (seg[:, 2] - x0, seg[:, 3] - y0)
    lo, hi = np.zeros(len(seg)), np.ones(len(seg))
    hit = np.ones(len(seg), dtype=bool)
    for p_k, q_k in ((-d[0], x0 - rect.left()), (d[0], rect.right() - x0),
                     (-d[1], y0 - rect.top()), (d[1], rect.bottom() - y0)):
        parallel = p_k == 0
        hit &= ~(parallel & (q_k < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q_k / np.where(parallel, 1.0, p_k))
        lo = np.where(~parallel & (p_k < 0), np.maximum(lo, r), lo)
        hi = np.where(~parallel & (p_k > 0), np.minimum(hi, r), hi)
    return hit & (lo <= hi)


def _edge_arrays(v: DiagramValues, lay: DiagramLayout) -> tuple[np.ndarray, np.ndarray | None]:
    """Every edge's value, shape (E,) layer after layer (NaN when unknown), and whether it is shown in colour.

    The mask is ``None`` when every edge is (the usual case, spared the masking).
    """
    counts = [lay.sizes[l] * lay.sizes[l + 1] for l in range(len(v.edges))]
    values = np.concatenate([np.ravel(e) if e is not None else np.full(n, np.nan)
                             for e, n in zip(v.edges, counts)]) if counts else np.zeros(0)
    ok = [e is not None and not (v.dim_edges and v.dim_edges[l]) for l, e in enumerate(v.edges)]
    return values, None if all(ok) else np.repeat(np.array(ok, dtype=bool), counts)


def connected_edges(lay: DiagramLayout, item: Selection) -> np.ndarray:
    """Indices of the edges attached to a neuron (a bias: its neuron's), or the weight itself."""
    if item.kind == "weight":
        return np.array([lay.edge_index(item.layer, item.m, item.n)])
    if item.kind == "bias":
        item = Selection("neuron", item.layer + 1, item.m)
    l, i, parts = item.layer, item.m, []
    if l > 0:
        parts.append(lay.offsets[l - 1] + i * lay.sizes[l - 1] + np.arange(lay.sizes[l - 1]))
    if l < len(lay.sizes) - 1:
        parts.append(lay.offsets[l] + np.arange(lay.sizes[l + 1]) * lay.sizes[l] + i)
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
