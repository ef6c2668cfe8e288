"""The live network diagram: one custom widget that paints the whole network.

Neurons are circles filled by their value (activation or δ) on a diverging
scale; weights are straight lines coloured by sign and thickened by |value|
(θ, ∂L/∂θ or Δθ).  For speed, edges are bucketed into ``2·LEVELS`` opaque
pens and drawn with one ``QPainter.drawLines`` call per bucket from a NumPy
array of screen coordinates; networks with more than ``max_edges`` edges
draw only the strongest ones (level of detail).

The widget observes the model: every signal only marks what is stale and
calls ``update()``, so any number of changes between two frames costs one
repaint.  Hover shows a tooltip in the paper's notation, a click selects
through ``AppModel.select``, the wheel zooms, a drag pans, F fits the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

import numpy as np
import shiboken6
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPaintEngine,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QStaticText,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from neuroviz.core.notation import bias_label, delta_label, layer_letter, neuron_label, weight_label
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.circle_sprites import CircleSprites
from neuroviz.ui.colormaps import (
    LEVELS,
    blend,
    buckets,
    map_diverging,
    map_sequential,
    rgb_to_argb32,
    robust_max,
)
from neuroviz.ui.diagram_layout import DiagramLayout, compute_layout, edge_at, neuron_at
from neuroviz.ui.diagram_legend import LEGEND_HEIGHT, LEGEND_WIDTH, draw_legend
from neuroviz.ui.diagram_style import THICK, THIN, DiagramFonts, Palette, qcolor
from neuroviz.ui.diagram_values import (
    EDGE_SYMBOLS,
    EDGE_TITLES,
    DiagramValues,
    diagram_values,
    strongest_per_layer,
)
from neuroviz.ui.math_text import shown_number
from neuroviz.ui.theme import LIGHT, Theme

DEFAULT_MAX_EDGES = 2800
"""Level of detail: above this many edges only the strongest are drawn."""
ANTIALIAS_EDGES = 400
"""Edges are antialiased when at most this many are drawn (antialiasing is slow)."""
TINY_NEURON = 2.5
"""Neurons of a smaller radius (pixels) are drawn as plain squares."""
NAMED_NEURON = 15.0
"""Neurons of at least this radius (pixels) get their name beside them and their value inside."""
DARK_FILL = 140
"""Neurons whose fill is darker than this luminance (0–255) get their value in white."""
SPRITE_MAX_RADIUS = 40.0
"""Larger neurons (pixels) are drawn directly instead of from cached images."""
GRID_SPRITE_MAX = 1600.0
"""A larger input grid (pixels, when zoomed in) is drawn directly instead of from a cached image."""
SPRITE_CACHE = 4096
"""At most this many pre-rendered legends, grids and prepared texts are kept."""
MAX_CIRCLE_SIZES = 16
"""Pre-rendered neuron circles are kept for at most this many radii (each for up to all colours of the scale)."""
HOVER_TOLERANCE = 4.0
"""How close (pixels) the pointer must come to an edge to hover it."""
LINE_BYTES = 32
"""Bytes of one QLineF (four float64) in the line buffer."""
MAX_LABELLED_EDGES = 48
"""Networks with at most this many edges get each edge's value written on it."""
LABEL_SPOTS = (0.5, 0.62, 0.38, 0.72, 0.28, 0.8, 0.2, 0.56, 0.44, 0.67, 0.33)
"""Fractions along an edge tried in turn for its value label."""
DENSE_EDGES = 1500
"""Above this many drawn edges the pens get proportionally thinner (never below THIN)."""
DRAG_THRESHOLD = 4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 84.0, 100.0, 24.0
"""Pixels kept free around the network for the mode line and headers, the legends, and the sides."""
LABEL_MARGIN = 150.0
"""Pixels kept free right of the output layer for class names and probabilities."""
MIN_SCALE, MAX_SCALE = 0.05, 60.0
DRAW_ORDER = np.array([2 * (b % LEVELS) + (b >= LEVELS) for b in range(2 * LEVELS)], dtype=np.uint8)
"""Position of each edge bucket in the drawing order: by level, then sign, so that strong edges lie on top."""
BUCKET_BOUNDS = np.arange(2 * LEVELS + 1, dtype=np.uint8)
"""Draw positions 0 … 2·LEVELS: where each bucket starts among the sorted edges (and where the last ends)."""
WHITE, NEAR_BLACK = QColor("#ffffff"), QColor("#111111")
"""Colours of the values written inside dark and light neurons."""

TextItem = tuple[QPointF, QStaticText, QFont, QColor]
"""A placed text: where it goes (top left), the text, its font and colour."""
PlacedText = tuple[QPointF, QStaticText] | tuple[QPointF, str] | tuple[QRectF, Qt.AlignmentFlag, str]
"""A text in a box: a prepared text at its top left, a text seen for the first time at its baseline's
left end, or (when that would differ) the box, alignment and text."""
T = TypeVar("T")


def _same(a: list[np.ndarray | None], b: list[np.ndarray | None]) -> bool:
    """Whether two lists of optional arrays hold the same shapes and values (``None`` only matches ``None``)."""
    return len(a) == len(b) and all(x is y or (x is not None and y is not None and np.array_equal(x, y))
                                    for x, y in zip(a, b))


class OutputRow(NamedTuple):
    """Where an output's value line goes (top left), its bar (``None``: no room) and its texts."""

    x: float
    y: float
    bar_y: float | None
    name: str
    target: str


class NeuronColumn(NamedTuple):
    """Where the neurons of one layer go on screen, and the texts written beside them (cached per view)."""

    layer: int
    radius: float
    pts: np.ndarray
    """Shape (n_l, 2): screen centres."""
    xy: list[list[float]]
    """The same as lists."""
    corners: list[QPointF]
    """Top left pixel of each neuron's circle image (whole pixels)."""
    on_screen: list[int]
    """Neurons whose texts are drawn (none when the neurons are too small for texts)."""
    names: list[PlacedText] | None
    """The names of the neurons ``on_screen``, placed; ``None``: no texts."""
    boxes: list[QRectF] | None
    """The box each of their values is centred in."""


class NetworkDiagram(QWidget):
    """Paints the model's network; hover, click, zoom and pan it."""

    hovered = Signal(object)
    """The neuron or weight under the pointer (a ``Selection``) or ``None``."""

    def __init__(self, model: AppModel, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.model = model
        self.max_edges = DEFAULT_MAX_EDGES
        self.input_grid = True
        self.receptive_fields = False
        self.hover: Selection | None = None
        self.values: DiagramValues | None = None
        self.edge_vmax = 1.0
        self.node_vmax = 1.0
        self.repaints = 0
        self._layout: DiagramLayout | None = None
        self._layout_dirty = True
        self._values_dirty = True
        self._scale = 1.0
        self._fit_scale = 1.0
        self._offset = np.zeros(2)
        self._auto_fit = True
        self._press: QPointF | None = None
        self._last_drag: QPointF | None = None
        self._dragging = False
        self._lines = PrimitiveArray(QLineF, 4)
        self._edge_values = np.zeros(0)
        self._edge_bucket = np.zeros(0, dtype=np.int64)
        self._drawn = np.zeros(0, dtype=np.int64)
        self._drawn_starts = np.zeros(2 * LEVELS + 1, dtype=np.int64)
        self._faint = np.zeros(0, dtype=np.int64)
        self._pens: dict[tuple[float, bool], list[QPen]] = {}
        self._label_cache: tuple[tuple[object, ...], list[tuple[float, float]]] | None = None
        self._node_rgb: list[np.ndarray] = []
        self._input_image: QImage | None = None
        self._rf_images: list[QImage] = []
        self._input_version = 0
        self._input_shown: np.ndarray | None = None
        self._nodes_shown: tuple[Palette, list[np.ndarray | None]] | None = None
        self._sprites: dict[tuple[object, ...], QImage] = {}
        self._circles: dict[tuple[float, float], CircleSprites] = {}
        self._texts: dict[tuple[str, str], tuple[QStaticText, float]] = {}
        self._seen_texts: dict[tuple[str, str], float] = {}
        self._metrics: dict[str, QFontMetricsF] = {}
        self._font_set: DiagramFonts | None = None
        self._view_cache: dict[str, tuple[tuple[object, ...], object]] = {}
        self.palette_ = Palette.of(theme)
        subscribe(self, model.document.architecture_changed, self._on_architecture_changed)
        subscribe(self, model.document.dataset_changed, self._on_architecture_changed)
        for signal in (model.document.network_changed, model.drawing.changed, model.view.changed, model.walk.changed,
                       model.stepped):
            subscribe(self, signal, self._on_values_changed)
        subscribe(self, model.view.selection_changed, self._on_selection_changed)

    # ------------------------------------------------------------ public API
    @property
    def theme(self) -> Theme:
        return self.palette_.theme

    def set_theme(self, theme: Theme) -> None:
        """Draw in ``theme``'s colours."""
        self.palette_ = Palette.of(theme)
        self._values_dirty = True
        self._sprites.clear()
        self._circles.clear()
        self._pens.clear()
        self.update()

    def set_input_grid(self, on: bool) -> None:
        """Draw the input layer as its H×W pixel grid (True) or as a column of circles."""
        self.input_grid = on
        self._on_architecture_changed()

    def set_receptive_fields(self, on: bool) -> None:
        """Show each first-hidden neuron's incoming weights as a small H×W heat-map beside it."""
        self.receptive_fields = on
        self._on_architecture_changed()

    def set_max_edges(self, n: int) -> None:
        """Level of detail: draw at most ``n`` edges (the strongest)."""
        self.max_edges = max(1, int(n))
        self._values_dirty = True
        self.update()

    @property
    def layout_(self) -> DiagramLayout:
        self.refresh()
        assert self._layout is not None
        return self._layout

    def refresh(self) -> None:
        """Bring the geometry and colours up to date with the model (done lazily before painting)."""
        if self._layout_dirty:
            s = self.model
            self._layout = compute_layout(s.network.sizes, s.image_shape, self.input_grid, self.receptive_fields)
            self._layout_dirty = False
            self._values_dirty = True
            if self._auto_fit:
                self._fit()
        if self._values_dirty:
            self._refresh_values()
            self._values_dirty = False

    def fit_to_view(self) -> None:
        """Scale and centre the whole network into the widget (and keep it fitted on resize)."""
        self._auto_fit = True
        self._fit()
        self.update()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor`` (default: the centre) still."""
        self.refresh()
        a = np.array([anchor.x(), anchor.y()]) if anchor is not None else np.array([self.width(), self.height()]) / 2
        new = float(np.clip(self._scale * factor, MIN_SCALE, MAX_SCALE))
        world = (a - self._offset) / self._scale
        self._scale = new
        self._offset = a - world * new
        self._auto_fit = False
        self.update()

    @property
    def scale(self) -> float:
        """Screen pixels per world unit (uniform in x and y)."""
        return self._scale

    def to_screen(self, x: float, y: float) -> QPointF:
        self.refresh()
        return QPointF(x * self._scale + self._offset[0], y * self._scale + self._offset[1])

    def to_world(self, pos: QPointF) -> tuple[float, float]:
        self.refresh()
        return ((pos.x() - self._offset[0]) / self._scale, (pos.y() - self._offset[1]) / self._scale)

    def neuron_screen_pos(self, layer: int, index: int) -> QPointF:
        """Widget coordinates of the centre of neuron ``index`` of ``layer``."""
        c = self.layout_.centers[layer][index]
        return self.to_screen(float(c[0]), float(c[1]))

    def edge_screen_pos(self, layer: int, m: int, n: int, t: float = 0.5) -> QPointF:
        """Widget coordinates of the point a fraction ``t`` along θ_{mn} of ``weights[layer]`` (0: source)."""
        seg = self.layout_.segments[layer][m * self.layout_.sizes[layer] + n]
        return self.to_screen(float(seg[0] + t * (seg[2] - seg[0])), float(seg[1] + t * (seg[3] - seg[1])))

    def edge_style(self, layer: int, m: int, n: int) -> tuple[QColor, float]:
        """Colour and pen width (at the fitted zoom) of the edge θ_{mn} of ``weights[layer]``."""
        self.refresh()
        b = int(self._edge_bucket[self.layout_.edge_index(layer, m, n)])
        if b < 0:
            return QColor(self.palette_.faint), THIN
        return qcolor(self.palette_.bucket_rgb[b]), float(self.palette_.widths[b])

    def edge_value(self, layer: int, m: int, n: int) -> float:
        """The value the edge shows (θ, ∂L/∂θ or Δθ; NaN when unknown)."""
        self.refresh()
        return float(self._edge_values[self.layout_.edge_index(layer, m, n)])

    def neuron_color(self, layer: int, index: int) -> QColor:
        """Fill colour of a neuron (the input layer in its ink scale)."""
        self.refresh()
        return qcolor(self._node_rgb[layer][index])

    def drawn_edge_count(self) -> int:
        """How many edges the level of detail draws in full colour."""
        self.refresh()
        return int(self._drawn.size)

    def hit(self, pos: QPointF) -> Selection | None:
        """The neuron or weight at widget position ``pos`` (neurons win over edges)."""
        lay = self.layout_
        x, y = self.to_world(pos)
        found = neuron_at(lay, x, y, 2.0 / self._scale)
        if found is not None:
            return Selection("neuron", found[0], found[1])
        visible = None
        if self._drawn.size < lay.n_edges and self._faint.size == 0:
            visible = np.zeros(lay.n_edges, dtype=bool)
            visible[self._drawn] = True
        edge = edge_at(lay, x, y, HOVER_TOLERANCE / self._scale, visible)
        return None if edge is None else Selection("weight", *edge)

    def describe(self, item: Selection) -> str:
        """Tooltip text of a neuron or weight, in the paper's notation."""
        s = self.model
        trace = s.pending_trace if s.phase is not None else s.last_trace
        if item.kind == "weight":
            l, m, n = item.layer, item.m, item.n
            parts = [f"{weight_label(l, m, n)} = {shown_number(float(s.network.weights[l][m, n]), 4)}"]
            if trace is not None:
                parts.append(f"∂L/∂θ = {shown_number(float(trace.grad_weights[l][m, n]), 4)}")
                delta = float(trace.weights_after[l][m, n] - trace.weights_before[l][m, n])
                parts.append(f"Δ = {shown_number(delta, 4)}")
            src, dst = neuron_label(l, n), neuron_label(l + 1, m)
            return " · ".join(parts) + f"\nfrom {src} to {dst}"
        l, i = item.layer, item.m
        fwd = s.forward()
        if l == 0:
            h, w = s.image_shape
            where = f"pixel row {i // w + 1}, column {i % w + 1}" if h * w == s.config.n_inputs else "input"
            return f"{neuron_label(0, i)} = {shown_number(float(fwd.act[0][0, i]), 4)} · {where}"
        parts = [f"{neuron_label(l, i)} = {shown_number(float(fwd.act[l][0, i]), 4)}",
                 f"{neuron_label(l, i, raw=True)} = {shown_number(float(fwd.raw[l][0, i]), 4)}"]
        if trace is not None:
            parts.append(f"{delta_label(l, i)} = {shown_number(float(trace.deltas[l - 1][:, i].mean()), 4)}")
        lines = [" · ".join(parts), f"{bias_label(l - 1, i)} = {shown_number(float(s.network.biases[l - 1][i]), 4)}"]
        if l == len(s.network.sizes) - 1:
            sym = "p" if s.config.loss == "cross_entropy" else "o"
            name = s.class_names[i] if i < len(s.class_names) else str(i)
            lines.append(f"class “{name}” · {sym} = {shown_number(float(s.probabilities()[i]), 4)}")
        return "\n".join(lines)

    def render_image(self, size: QSize | None = None, dpr: float = 1.0) -> QImage:
        """The diagram as an image of ``size`` (default: the widget's) at ``dpr`` device pixels per pixel."""
        if size is not None and size != self.size():
            self.resize(size)
            if self._auto_fit:
                self._fit()
        w, h = self.width(), self.height()
        img = QImage(int(w * dpr), int(h * dpr), QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        p = QPainter(img)
        self.paint(p, w, h)
        p.end()
        return img

    # ------------------------------------------------------------ reactions
    def _on_architecture_changed(self) -> None:
        self._layout_dirty = True
        self._auto_fit = True
        self.hover = None
        self.update()

    def _on_values_changed(self, *_: object) -> None:
        self._values_dirty = True
        self.update()

    def _on_selection_changed(self, *_: object) -> None:
        self.update()

    # ------------------------------------------------------------ view math
    def _fit(self) -> None:
        if self._layout is None:
            return
        x0, y0, x1, y1 = self._layout.bounds
        w = max(self.width() - 2 * MARGIN_SIDE - LABEL_MARGIN, 50.0)
        h = max(self.height() - MARGIN_TOP - MARGIN_BOTTOM, 50.0)
        s = float(np.clip(min(w / (x1 - x0), h / (y1 - y0)), MIN_SCALE, MAX_SCALE))
        self._scale = self._fit_scale = s
        self._offset = np.array([MARGIN_SIDE + (w - s * (x1 - x0)) / 2 - s * x0,
                                 MARGIN_TOP + (h - s * (y1 - y0)) / 2 - s * y0])

    def _width_factor(self) -> float:
        """Edges thicken a little when zoomed in and thin out when many are drawn."""
        zoom = min(max((self._scale / self._fit_scale) ** 0.5, 1.0), 3.0) if self._fit_scale else 1.0
        density = min(max(DENSE_EDGES / max(self._drawn.size, 1), 0.3), 1.0)
        return zoom * density

    # ------------------------------------------------------------ values → colours
    def _refresh_values(self) -> None:
        s, lay = self.model, self._layout
        assert lay is not None
        trace = s.pending_trace if s.phase is not None else s.last_trace
        v = diagram_values(s.network.weights, s.forward(), trace, s.edge_mode, s.node_mode, s.phase)
        self.values = v
        self._refresh_edges(v, lay)
        self._refresh_nodes(v, lay)
        self._refresh_images(lay)

    @staticmethod
    def _edge_arrays(v: DiagramValues, lay: DiagramLayout) -> tuple[np.ndarray, np.ndarray | None]:
        """Every edge's value, shape (E,) layer after layer (NaN when unknown), and whether it is shown in colour.

        The mask is ``None`` when every edge is (the usual case, spared the masking).
        """
        counts = [lay.sizes[l] * lay.sizes[l + 1] for l in range(len(v.edges))]
        values = np.concatenate([np.ravel(e) if e is not None else np.full(n, np.nan)
                                 for e, n in zip(v.edges, counts)]) if counts else np.zeros(0)
        ok = [e is not None and not (v.dim_edges and v.dim_edges[l]) for l, e in enumerate(v.edges)]
        return values, None if all(ok) else np.repeat(np.array(ok, dtype=bool), counts)

    def _refresh_edges(self, v: DiagramValues, lay: DiagramLayout) -> None:
        """Buckets of the edges and the order they are drawn in (weak buckets first, strong ones on top)."""
        values, known_mask = self._edge_arrays(v, lay)
        self._edge_values = values
        self.edge_vmax = robust_max([values if known_mask is None else values[known_mask]])
        bucket = buckets(values, self.edge_vmax)
        shown = None  # None: every edge, in index order
        faint = np.zeros(0, dtype=np.int64)
        if known_mask is not None:
            bucket[~known_mask] = -1
            shown, faint = np.flatnonzero(known_mask), np.flatnonzero(~known_mask)
        self._edge_bucket = bucket
        if (values.size if shown is None else shown.size) > self.max_edges:
            known = np.ones(values.size, dtype=bool) if known_mask is None else known_mask
            shown = strongest_per_layer(values, known, lay.offsets, self.max_edges)
        key = DRAW_ORDER[bucket if shown is None else bucket[shown]]
        order = np.argsort(key, kind="stable")  # a radix sort for small unsigned keys
        self._drawn = order if shown is None else shown[order]
        self._drawn_starts = np.searchsorted(key[order], BUCKET_BOUNDS)
        if faint.size > self.max_edges:
            faint = faint[:: int(np.ceil(faint.size / self.max_edges))]
        self._faint = faint

    def _refresh_nodes(self, v: DiagramValues, lay: DiagramLayout) -> None:
        """Fill colour of every neuron: the input in its ink scale, the others on one diverging scale.

        Kept while the neurons' values and the palette stay the same (only edges changed).
        """
        pal, before = self.palette_, self._nodes_shown
        same_palette = before is not None and before[0] is pal
        if same_palette and _same(before[1], v.nodes):
            return
        same_input = same_palette and _same(before[1][:1], v.nodes[:1])
        self._nodes_shown = (pal, [None if a is None else np.array(a) for a in v.nodes])
        # The scale follows the hidden layers (outputs, often much larger logits, saturate):
        # the outputs are labelled with their numbers anyway.
        scaled = v.nodes[1:-1] if len(v.nodes) > 2 and any(a is not None for a in v.nodes[1:-1]) else v.nodes[1:]
        self.node_vmax = robust_max([a for a in scaled if a is not None])
        known = [a for a in v.nodes[1:] if a is not None]
        mapped = map_diverging(np.concatenate(known), self.node_vmax, pal.node_lut) if known else None
        neutral = np.array(pal.theme.rgb("surface"), dtype=np.uint8)
        rgb = [self._node_rgb[0] if same_input else map_sequential(v.nodes[0], 0.0, 1.0, pal.ink_lut)]
        start = 0
        for a, n in zip(v.nodes[1:], lay.sizes[1:]):
            if a is None or mapped is None:
                rgb.append(np.tile(neutral, (n, 1)))
            else:
                rgb.append(mapped[start:start + n])
                start += n
        self._node_rgb = rgb

    def _refresh_images(self, lay: DiagramLayout) -> None:
        """The input grid's image (remade only when its colours change) and the receptive fields' heat-maps."""
        s, pal, rgb = self.model, self.palette_, self._node_rgb
        if lay.grid is not None:
            h, w = lay.grid.shape
            if self._input_shown is not rgb[0] and (self._input_shown is None
                                                     or not np.array_equal(self._input_shown, rgb[0])):
                self._input_shown = rgb[0]
                self._input_version += 1
                self._input_image = self._image(rgb_to_argb32(rgb[0].reshape(h, w, 3)))
        else:
            self._input_image = None
            self._input_shown = None
        self._rf_images = []
        if lay.rf_rects.shape[0]:
            w0 = s.network.weights[0]
            h, w = s.image_shape
            cols = rgb_to_argb32(map_diverging(w0, robust_max([w0], 1.0), pal.node_lut)).reshape(-1, h, w)
            self._rf_images = [self._image(c) for c in cols]

    @staticmethod
    def _image(argb: np.ndarray) -> QImage:
        data = np.ascontiguousarray(argb, dtype=np.uint32)
        h, w = data.shape
        return QImage(data.tobytes(), w, h, 4 * w, QImage.Format.Format_RGB32).copy()

    # ------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        self.paint(p, self.width(), self.height())
        p.end()

    def paint(self, p: QPainter, w: int, h: int) -> None:
        """Paint everything onto ``p`` for a ``w``×``h`` area."""
        self.refresh()
        self.repaints += 1
        assert self._layout is not None and self.values is not None
        p.fillRect(QRectF(0, 0, w, h), self.palette_.color("background"))
        self._paint_band(p)
        self._paint_edges(p)
        self._paint_edge_labels(p)
        self._paint_input(p)
        self._paint_receptive_fields(p)
        self._paint_neurons(p)
        self._paint_headers(p)
        self._paint_outputs(p)
        self._paint_info(p, w)
        self._paint_legends(p, w, h)

    def _segs(self, idx: np.ndarray) -> np.ndarray:
        """Shape (len(idx), 4): screen coordinates of the edges ``idx``."""
        return self._screen_segments()[idx]

    def _screen_segments(self) -> np.ndarray:
        """Shape (E, 4): screen (x0, y0, x1, y1) of every edge (cached per view)."""
        return self._view_cached("segments", self._to_screen_segments)

    def _to_screen_segments(self) -> np.ndarray:
        assert self._layout is not None
        s, ox, oy = self._scale, self._offset[0], self._offset[1]
        seg = self._layout.all_segments * s
        seg += (ox, oy, ox, oy)
        return seg

    def _drawn_segments(self, wf: float, vector: bool) -> np.ndarray:
        """Shape (E, 4): the screen segments as drawn with pens of up to ``THICK · wf`` pixels.

        An end inside a neuron's opaque circle stops inside it (the circle,
        drawn later, covers the rest), which spares the rasterizer the hidden
        part; vector files keep the whole segments.
        """
        if vector:
            return self._screen_segments()
        return self._view_cached("drawn segments", lambda: self._to_drawn_segments(wf), round(wf, 3))

    def _to_drawn_segments(self, wf: float) -> np.ndarray:
        lay = self._layout
        assert lay is not None
        seg = self._screen_segments().copy()
        half_width = THICK * wf / 2
        # Inside radius of the opaque fill: the outline's inner edge less its antialiased fringe
        # and the half pixel a circle image may sit off the exact centre.
        inner = lay.radius * self._scale - 2.5
        cut = np.sqrt(np.maximum(inner**2 - half_width**2, 0.0))
        cut[lay.radius * self._scale < TINY_NEURON] = 0.0
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

    def _draw_lines(self, p: QPainter, seg: np.ndarray) -> None:
        if seg.shape[0] == 0:
            return
        self._lines.resize(seg.shape[0])
        self._lines.ndarray()[:] = seg
        p.drawLines(*self._lines.drawargs())

    def _paint_band(self, p: QPainter) -> None:
        lay, v = self._layout, self.values
        assert lay is not None and v is not None
        if v.active_layer < 1:
            return
        c = lay.centers[v.active_layer]
        pad = lay.radius[v.active_layer] + 14
        tl = self.to_screen(float(c[:, 0].min() - pad), float(c[:, 1].min() - pad))
        br = self.to_screen(float(c[:, 0].max() + pad), float(c[:, 1].max() + pad))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.palette_.color("band"))
        p.drawRoundedRect(QRectF(tl, br), 12, 12)

    def _paint_edges(self, p: QPainter) -> None:
        pal, sel = self.palette_, self.model.selection
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self._drawn.size <= ANTIALIAS_EDGES)
        wf = self._width_factor()
        if self._faint.size:
            p.setPen(QPen(pal.faint, THIN, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            self._draw_lines(p, self._segs(self._faint))
        # All drawn edges sit in one buffer, sorted by bucket: one drawLines per bucket
        # straight from the buffer's memory, no copies.
        n = self._drawn.size
        if n:
            self._lines.resize(n)
            buf = self._lines.ndarray()
            drawn = self._drawn_segments(wf, self._vector_device(p))
            np.take(drawn, self._drawn, axis=0, out=buf, mode="clip")  # "clip": unbuffered
            base = buf.ctypes.data
            pens = self._bucket_pens(wf, dim=sel is not None)
            starts = self._drawn_starts.tolist()
            for k in range(2 * LEVELS):
                a, b = starts[k], starts[k + 1]
                if a < b:
                    p.setPen(pens[(k % 2) * LEVELS + k // 2])
                    p.drawLines(shiboken6.wrapInstance(base + a * LINE_BYTES, QLineF), b - a)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if sel is not None:
            self._paint_highlighted_edges(p, self._connected(sel), wf, halo=sel.kind == "weight")
        if self.hover is not None and self.hover.kind == "weight":
            self._paint_highlighted_edges(p, self._connected(self.hover), wf, halo=True)

    def _bucket_pens(self, wf: float, dim: bool) -> list[QPen]:
        """The opaque pen of every bucket (cached per width factor and dimming)."""
        key = (round(wf, 3), dim)
        pens = self._pens.get(key)
        if pens is None:
            pal = self.palette_
            rgb = pal.bucket_dim_rgb if dim else pal.bucket_rgb
            pens = [QPen(qcolor(rgb[b]), max(THIN, float(pal.widths[b]) * wf), Qt.PenStyle.SolidLine,
                         Qt.PenCapStyle.FlatCap) for b in range(2 * LEVELS)]
            if len(self._pens) > 64:
                self._pens.clear()
            self._pens[key] = pens
        return pens

    def _connected(self, item: Selection) -> np.ndarray:
        """Rows of ``all_segments`` attached to a neuron, or the weight itself."""
        lay = self._layout
        assert lay is not None
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

    def _paint_highlighted_edges(self, p: QPainter, idx: np.ndarray, wf: float, halo: bool) -> None:
        pal = self.palette_
        seg = self._segs(idx)
        if halo:
            p.setPen(QPen(self.palette_.color("highlight"), (THICK + 3) * wf, Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.RoundCap))
            self._draw_lines(p, seg)
        b = self._edge_bucket[idx]
        for bucket in np.unique(b):
            rows = seg[b == bucket]
            if bucket < 0:
                p.setPen(QPen(self.palette_.color("muted"), THIN * wf))
            else:
                p.setPen(QPen(qcolor(pal.bucket_rgb[bucket]), max(float(pal.widths[bucket]), 1.2) * wf,
                              Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            self._draw_lines(p, rows)

    def _paint_edge_labels(self, p: QPainter) -> None:
        """Values written on the edges when there are few of them and room to read."""
        lay, v = self._layout, self.values
        assert lay is not None and v is not None
        if lay.n_edges > MAX_LABELLED_EDGES or self._scale * 40 < 28:
            return
        fonts = self._fonts()
        p.setFont(fonts.edge_label)
        fm = QFontMetricsF(fonts.edge_label)
        bg, text_color = self.palette_.color("background"), self.palette_.color("text")
        for index, centre in enumerate(self._label_centres(fm)):
            value = self._edge_values[index]
            if not np.isfinite(value):
                continue
            text = shown_number(float(value), 3)
            r = fm.boundingRect(text).adjusted(-3, -1, 3, 1)
            r.moveCenter(QPointF(*centre))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(r, 3, 3)
            p.setPen(text_color)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    def _label_centres(self, fm: QFontMetricsF) -> list[tuple[float, float]]:
        """Screen centre of each edge's value label, placed so that labels and neurons do not overlap.

        Greedy: each edge takes the first of ``LABEL_SPOTS`` (fractions along
        it) whose box is free.  Cached until the view or the network changes.
        """
        lay = self._layout
        assert lay is not None
        key = (id(lay), round(self._scale, 4), round(float(self._offset[0]), 1), round(float(self._offset[1]), 1),
               self._fonts().key)
        if self._label_cache is not None and self._label_cache[0] == key:
            return self._label_cache[1]
        w = fm.horizontalAdvance("−0.000") + 6
        h = fm.height() + 2
        seg = lay.all_segments * self._scale + np.tile(self._offset, 2)
        circles = [(c * self._scale + self._offset, lay.radius[l] * self._scale + 3)
                   for l, c in enumerate(lay.centers) if not (l == 0 and lay.grid is not None)]
        placed: list[tuple[float, float]] = []
        for x0, y0, x1, y1 in seg.tolist():
            best, best_cost = (x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)), np.inf
            for t in LABEL_SPOTS:
                cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                cost = sum(1 for px, py in placed if abs(px - cx) < w and abs(py - cy) < h)
                for centres, r in circles:
                    cost += int(np.any((np.abs(centres[:, 0] - cx) < w / 2 + r)
                                       & (np.abs(centres[:, 1] - cy) < h / 2 + r)))
                if cost < best_cost:
                    best, best_cost = (cx, cy), cost
                    if cost == 0:
                        break
            placed.append(best)
        self._label_cache = (key, placed)
        return placed

    def _paint_input(self, p: QPainter) -> None:
        lay = self._layout
        assert lay is not None
        if lay.grid is None or self._input_image is None:
            return
        rect = self._view_cached("grid", self._grid_rect)
        h, w = lay.grid.shape
        if max(rect.width(), rect.height()) > GRID_SPRITE_MAX:
            self._draw_grid(p, rect)
            return
        key = ("grid", self._input_version, round(rect.width()), round(rect.height()), self._dpr(p))
        image = self._sprite(key, QSize(round(rect.width()) + 2, round(rect.height()) + 2), p,
                             lambda q: self._draw_grid(q, QRectF(1, 1, round(rect.width()), round(rect.height()))))
        p.drawImage(QPointF(round(rect.left()) - 1, round(rect.top()) - 1), image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for item, color, width in self._marks():
            if item.kind == "neuron" and item.layer == 0:
                row, col = divmod(item.m, w)
                cell = QRectF(rect.left() + rect.width() * col / w, rect.top() + rect.height() * row / h,
                              rect.width() / w, rect.height() / h)
                p.setPen(QPen(color, width))
                p.drawRect(cell)

    def _grid_rect(self) -> QRectF:
        """Where the input grid goes on screen."""
        assert self._layout is not None and self._layout.grid is not None
        x, y, gw, gh = self._layout.grid.rect
        return QRectF(self.to_screen(x, y), self.to_screen(x + gw, y + gh))

    def _draw_grid(self, p: QPainter, rect: QRectF) -> None:
        """The input image with its cell lines and border, filling ``rect``."""
        lay = self._layout
        assert lay is not None and lay.grid is not None and self._input_image is not None
        h, w = lay.grid.shape
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(rect, self._input_image)
        grid_color = QColor(*np.round(blend(self.theme.rgb("background"), self.theme.rgb("muted"), 0.35)).astype(int))
        p.setPen(QPen(grid_color, 1))
        lines = [QLineF(rect.left() + rect.width() * c / w, rect.top(), rect.left() + rect.width() * c / w,
                        rect.bottom()) for c in range(1, w)]
        lines += [QLineF(rect.left(), rect.top() + rect.height() * r / h, rect.right(),
                         rect.top() + rect.height() * r / h) for r in range(1, h)]
        p.drawLines(lines)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(self.palette_.color("outline"), 1.2))
        p.drawRect(rect)

    @staticmethod
    def _vector_device(p: QPainter) -> bool:
        """True when painting into a vector format (SVG, PDF): no cached bitmaps there."""
        engine = p.paintEngine()
        return engine is not None and engine.type() in (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf)

    @staticmethod
    def _dpr(p: QPainter) -> float:
        device = p.device()
        return float(device.devicePixelRatioF()) if device is not None else 1.0

    def _sprite(self, key: tuple[object, ...], size: QSize, p: QPainter, draw: object) -> QImage:
        """A cached transparent image of ``size`` (device-independent) drawn once by ``draw(painter)``."""
        image = self._sprites.get(key)
        if image is None:
            image = self._render_sprite(size, p, draw)
            if len(self._sprites) >= SPRITE_CACHE:
                self._sprites.clear()
            self._sprites[key] = image
        return image

    def _render_sprite(self, size: QSize, p: QPainter, draw: object) -> QImage:
        """A transparent image of ``size`` at ``p``'s device pixel ratio, drawn by ``draw(painter)``."""
        dpr = self._dpr(p)
        image = QImage(max(1, int(np.ceil(size.width() * dpr))), max(1, int(np.ceil(size.height() * dpr))),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(Qt.GlobalColor.transparent)
        q = QPainter(image)
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        q.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        q.setFont(self.font())
        draw(q)  # type: ignore[operator]
        q.end()
        return image

    def _static_text(self, text: str, fonts: DiagramFonts, name: str) -> QStaticText:
        """``text`` laid out once in the font ``fonts.named(name)`` (cached)."""
        return self._prepared(text, fonts.named(name), fonts.key_of(name))[0]

    def _prepared(self, text: str, font: QFont, font_key: str,
                  width: float | None = None) -> tuple[QStaticText, float]:
        """``text`` laid out once in ``font`` (named ``font_key`` in the cache), and its advance ``width``."""
        key = (text, font_key)
        found = self._texts.get(key)
        if found is None:
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)  # several times faster to draw
            st.prepare(font=font)
            if len(self._texts) >= SPRITE_CACHE:
                self._texts.clear()
            if width is None:
                width = self._font_metrics(font, font_key).horizontalAdvance(text)
            found = self._texts[key] = (st, width)
        return found

    def _prepared_if_seen(self, text: str, font: QFont, font_key: str) -> tuple[QStaticText | None, float]:
        """Like ``_prepared``, but a text drawn for the first time is not laid out (``None``): only its width.

        Numbers change from frame to frame while training; laying out one
        that is never drawn again costs more than drawing it directly.  A
        text that comes back is prepared.
        """
        key = (text, font_key)
        found = self._texts.get(key)
        if found is not None:
            return found
        width = self._seen_texts.pop(key, None)
        if width is not None:
            return self._prepared(text, font, font_key, width)
        if len(self._seen_texts) >= SPRITE_CACHE:
            self._seen_texts.clear()
        width = self._seen_texts[key] = self._font_metrics(font, font_key).horizontalAdvance(text)
        return None, width

    def _font_metrics(self, font: QFont, font_key: str) -> QFontMetricsF:
        """The metrics of ``font`` (named ``font_key``), kept."""
        fm = self._metrics.get(font_key)
        if fm is None:
            if len(self._metrics) >= SPRITE_CACHE:
                self._metrics.clear()
            fm = self._metrics[font_key] = QFontMetricsF(font)
        return fm

    def _draw_text_at(self, p: QPainter, top_left: QPointF, text: str, fonts: DiagramFonts, name: str) -> None:
        """Draw ``text`` in the font ``fonts.named(name)`` (already set on ``p``) with its top left at ``top_left``."""
        font, font_key = fonts.named(name), fonts.key_of(name)
        st, _ = self._prepared_if_seen(text, font, font_key)
        self._draw_placed(p, self._at(top_left, text, st, font, font_key))

    def _at(self, top_left: QPointF, text: str, st: QStaticText | None, font: QFont, font_key: str) -> PlacedText:
        """``text`` placed with its top left at ``top_left``: prepared, or else at its baseline (the same pixels)."""
        if st is None:
            return QPointF(top_left.x(), top_left.y() + self._font_metrics(font, font_key).ascent()), text
        return top_left, st

    def _text_in(self, box: QRectF, bottom_right: bool, text: str, font: QFont, font_key: str,
                 line_height: float, dpr: float, changing: bool = False) -> PlacedText:
        """How to draw exactly what ``drawText(box, align, text)`` draws, centred or right- and bottom-aligned.

        ``drawText`` lays the text out anew on every call; a prepared
        ``QStaticText`` at the same place gives the same pixels when the text
        fits ``box`` (``drawText`` clips only text that does not fit, so such
        text still goes through it) and the device has one pixel per pixel
        (``dpr``; scaled devices place glyphs a little differently).
        A ``changing`` text (a number) is prepared only when it comes back.
        """
        st, width = (self._prepared_if_seen if changing else self._prepared)(text, font, font_key)
        if width > box.width() or line_height > box.height() or dpr != 1.0:
            align = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom if bottom_right
                     else Qt.AlignmentFlag.AlignCenter)
            return box, align, text
        if bottom_right:
            top_left = QPointF(box.right() - width, box.bottom() - line_height)
        else:
            top_left = QPointF(box.x() + (box.width() - width) / 2, box.y() + (box.height() - line_height) / 2)
        return self._at(top_left, text, st, font, font_key)

    @staticmethod
    def _draw_placed(p: QPainter, placed: PlacedText) -> None:
        """Draw a text placed by ``_text_in``."""
        if len(placed) == 3 or isinstance(placed[1], str):
            p.drawText(*placed)
        else:
            p.drawStaticText(*placed)

    def _fonts(self) -> DiagramFonts:
        """The diagram's fonts for the widget's current font (rebuilt after a ``FontChange``)."""
        if self._font_set is None:
            self._font_set = DiagramFonts.of(self.font())
        return self._font_set

    def _view_key(self) -> tuple[object, ...]:
        """What a cached drawing of the view depends on: layout, palette, fonts (by identity), zoom and pan."""
        return (self._layout, self.palette_, self._fonts(), self._scale, float(self._offset[0]),
                float(self._offset[1]))

    def _marks(self) -> list[tuple[Selection, QColor, float]]:
        out = []
        if self.model.selection is not None:
            out.append((self.model.selection, self.palette_.color("highlight"), 3.0))
        if self.hover is not None:
            out.append((self.hover, self.palette_.color("text"), 1.6))
        return out

    def _paint_receptive_fields(self, p: QPainter) -> None:
        lay = self._layout
        assert lay is not None
        if not self._rf_images:
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(self.palette_.color("muted"), 1))
        for (x, y, rw, rh), img in zip(lay.rf_rects, self._rf_images):
            rect = QRectF(self.to_screen(x, y), self.to_screen(x + rw, y + rh))
            p.drawImage(rect, img)
            p.drawRect(rect)
        for item, color, width in self._marks():
            if item.kind == "neuron" and item.layer == 1 and item.m < lay.rf_rects.shape[0]:
                x, y, rw, rh = lay.rf_rects[item.m]
                p.setPen(QPen(color, width))
                p.drawRect(QRectF(self.to_screen(x, y), self.to_screen(x + rw, y + rh)))

    def _paint_neurons(self, p: QPainter) -> None:
        lay = self._layout
        assert lay is not None and self.values is not None
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        vector, dpr = self._vector_device(p), self._dpr(p)
        outline, columns = self._view_cached("neurons", lambda: self._layout_neurons(dpr), vector, dpr,
                                             self.width(), self.height())
        for col in columns:
            r, rgb = col.radius, self._node_rgb[col.layer]
            if r < TINY_NEURON:
                self._paint_tiny_column(p, col.pts, r, rgb)
                continue
            if r > SPRITE_MAX_RADIUS or vector:
                # Zoomed far in (few, big neurons) or drawn into a vector file (SVG): true circles.
                p.setPen(outline)
                for color, (x, y) in zip(rgb.tolist(), col.xy):
                    p.setBrush(QColor(*color))
                    p.drawEllipse(QPointF(x, y), r, r)
            else:
                self._paint_neuron_sprites(p, col.corners, r, rgb, outline, dpr)
            if col.names is not None:
                self._paint_neuron_texts(p, col, rgb)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for item, color, width in self._marks():
            if item.kind == "neuron" and (item.layer > 0 or lay.grid is None):
                c = self.neuron_screen_pos(item.layer, item.m)
                r = float(lay.radius[item.layer]) * self._scale + width + 1
                p.setPen(QPen(color, width))
                p.drawEllipse(c, r, r)

    def _layout_neurons(self, dpr: float) -> tuple[QPen, list[NeuronColumn]]:
        """The neurons' outline pen and, per drawn layer, where its neurons and their texts go."""
        lay, fonts = self._layout, self._fonts()
        assert lay is not None
        w, h = self.width(), self.height()
        columns = []
        for l, centers in enumerate(lay.centers):
            if l == 0 and lay.grid is not None:
                continue
            r = float(lay.radius[l]) * self._scale
            pts = centers * self._scale + self._offset
            half = int(np.ceil(round(r * 4) / 4 + 1.5))
            corners = [QPointF(x, y) for x, y in (np.rint(pts).astype(np.int64) - half).tolist()]
            xy = pts.tolist()
            names = boxes = None
            on_screen: list[int] = []
            if r >= NAMED_NEURON:
                # Text only for neurons on screen: zoomed into a large layer, most are not.
                on_screen = [i for i, (x, y) in enumerate(xy) if -r - 60 < x < w + r + 60 and -r - 20 < y < h + r + 20]
                names = [self._text_in(QRectF(x - r - 40, y - r - 16, 40, 16), True, neuron_label(l, i, "unicode"),
                                       fonts.small, fonts.key_of("small"), fonts.small_height, dpr)
                         for i in on_screen for x, y in (xy[i],)]
                height = fonts.value_font(r)[1]
                boxes = [QRectF(x - r, y - height / 2, 2 * r, height) for i in on_screen for x, y in (xy[i],)]
            columns.append(NeuronColumn(l, r, pts, xy, corners, on_screen, names, boxes))
        return QPen(self.palette_.color("outline"), 1.1), columns

    def _paint_neuron_texts(self, p: QPainter, col: NeuronColumn, rgb: np.ndarray) -> None:
        """Names above-left of and values inside the neurons of one layer (``rgb`` their fills, shape (n_l, 3))."""
        assert self.values is not None and col.names is not None and col.boxes is not None
        fonts = self._fonts()
        p.setFont(fonts.small)
        p.setPen(self.palette_.color("muted"))
        for placed in col.names:
            self._draw_placed(p, placed)
        values = self.values.nodes[col.layer]
        if values is None:
            return
        font, height, font_key = fonts.value_font(col.radius)
        p.setFont(font)
        digits = 2 if col.radius < 22 else 3
        dpr = self._dpr(p)
        shown, colours = values.tolist(), rgb.tolist()
        pen = None
        for i, box in zip(col.on_screen, col.boxes):
            red, green, blue = colours[i]
            c = WHITE if 0.299 * red + 0.587 * green + 0.114 * blue < DARK_FILL else NEAR_BLACK
            if c is not pen:
                p.setPen(c)
                pen = c
            self._draw_placed(p, self._text_in(box, False, shown_number(shown[i], digits), font, font_key, height,
                                               dpr, changing=True))

    def _paint_neuron_sprites(self, p: QPainter, corners: list[QPointF], r: float, rgb: np.ndarray,
                              outline: QPen, dpr: float) -> None:
        """Circles from a cache of antialiased images, one per colour and radius.

        ``corners``: the top left pixel of each neuron's image.
        """
        r_key = round(r * 4) / 4
        sprites = self._circles.get((r_key, dpr))
        if sprites is None:
            if len(self._circles) >= MAX_CIRCLE_SIZES:  # zooming visits many radii
                self._circles.clear()
            half = int(np.ceil(r_key + 1.5))
            size = QSize(2 * half, 2 * half)
            sprites = self._circles[(r_key, dpr)] = CircleSprites(
                r_key, half, outline, lambda draw: self._render_sprite(size, p, draw))
        image, draw = sprites.image, p.drawImage
        for color, corner in zip(map(tuple, rgb.tolist()), corners):
            draw(corner, image(color))  # a QPointF: the cheapest of drawImage's overloads to call

    def _paint_tiny_column(self, p: QPainter, pts: np.ndarray, r: float, rgb: np.ndarray) -> None:
        """Neurons too small for circles: a strip of squares with gaps, drawn as one scaled image.

        Each neuron is four image rows, three in its colour and one in the
        background, so a square fills ¾ of the neuron spacing.
        """
        n = pts.shape[0]
        rows = np.empty((n, 4, 3), dtype=np.uint8)
        rows[:, :3] = rgb[:, None, :]
        rows[:, 3] = self.theme.rgb("background")
        image = self._image(rgb_to_argb32(rows.reshape(4 * n, 1, 3)))
        spacing = float(pts[1, 1] - pts[0, 1]) if n > 1 else 2 * r
        side = max(1.0, 0.75 * spacing)
        target = QRectF(float(pts[0, 0]) - side / 2, float(pts[0, 1]) - side / 2, side, spacing * n)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(target, image)

    def _paint_headers(self, p: QPainter) -> None:
        s = self.model
        self._draw_items(p, self._view_cached("headers", self._layout_headers, s.config, s.image_shape))

    @staticmethod
    def _draw_items(p: QPainter, items: list[TextItem]) -> None:
        """Draw placed texts, changing font and pen only when they differ from the previous text's."""
        font = color = None
        for pos, text, f, c in items:
            if f is not font:
                p.setFont(f)
                font = f
            if c is not color:
                p.setPen(c)
                color = c
            p.drawStaticText(pos, text)

    def _view_cached(self, name: str, build: Callable[[], T], *extra: object) -> T:
        """``build()``, kept until the view (layout, palette, fonts, zoom, pan) or ``extra`` change."""
        key = (*self._view_key(), *extra)
        found = self._view_cache.get(name)
        if found is None or found[0] != key:
            found = self._view_cache[name] = (key, build())
        return found[1]  # type: ignore[return-value]

    def _layout_headers(self) -> list[TextItem]:
        """Each layer's letter and detail line, placed; letters first, then details."""
        lay, s, fonts = self._layout, self.model, self._fonts()
        assert lay is not None
        hidden_x = lay.layer_x[1:]
        gap = float(np.diff(hidden_x).min()) * self._scale if hidden_x.size > 1 else np.inf
        letters: list[TextItem] = []
        details: list[TextItem] = []
        for l in range(len(lay.sizes)):
            if l == 0 and lay.grid is not None:
                x = lay.layer_x[0]
                top = lay.grid.y0
            else:
                x = lay.layer_x[l]
                top = float(lay.centers[l][:, 1].min() - lay.radius[l])
            pt = self.to_screen(float(x), float(top))
            if lay.radius[l] * self._scale >= NAMED_NEURON and not (l == 0 and lay.grid is not None):
                pt.setY(pt.y() - 14)
            roomy = gap >= 150
            if l == 0:
                h, w = s.image_shape
                size = f"{h}×{w}" if lay.grid is not None else f"{lay.sizes[0]}"
                detail = f"input · {size}" if roomy else size
            else:
                act = s.config.activation_of(l)
                act = act if act != "none" else "linear"
                kind = "output" if l == len(lay.sizes) - 1 else "hidden"
                detail = f"{kind} · {lay.sizes[l]} · {act}" if roomy else f"{lay.sizes[l]} · {act}"
            for items, text, name, color, dy in ((letters, layer_letter(l), "bold", "text", 44),
                                                 (details, detail, "small", "muted", 26)):
                st = self._static_text(text, fonts, name)
                items.append((QPointF(pt.x() - st.size().width() / 2, pt.y() - dy), st, fonts.named(name),
                              self.palette_.color(color)))
        return letters + details

    def _paint_outputs(self, p: QPainter) -> None:
        """Each output's class name, p (or o) and probability bar right of it; the largest p in bold."""
        s, pal, fonts = self.model, self.palette_, self._fonts()
        probs = s.probabilities()
        sym = "p" if s.config.loss == "cross_entropy" else "o"
        best = int(np.argmax(probs))
        names, rows = self._view_cached("outputs", lambda: self._layout_outputs(best), s.class_names, s.target, best)
        self._draw_items(p, names)
        p.setPen(pal.color("text"))
        shown = probs.tolist()
        for i, row in enumerate(rows):
            value = f"{sym} = {shown_number(shown[i], 3)}"
            if names:  # two lines: the value under the name
                p.setFont(fonts.base)
                self._draw_text_at(p, QPointF(row.x, row.y), value, fonts, "base")
            else:
                font = "bold" if i == best else "base"
                p.setFont(fonts.named(font))
                self._draw_text_at(p, QPointF(row.x, row.y), f"{row.name}  {value}{row.target}", fonts, font)
            if sym == "p" and row.bar_y is not None:
                full = 70.0
                p.fillRect(QRectF(row.x, row.bar_y, full, 4), pal.color("surface"))
                p.fillRect(QRectF(row.x, row.bar_y, full * min(max(shown[i], 0.0), 1.0), 4), pal.color("accent"))

    def _layout_outputs(self, best: int) -> tuple[list[TextItem], list[OutputRow]]:
        """Where the outputs' texts go: the names (and target mark) when there is room for two lines, and a row each.

        Without room for two lines the names list is empty and each row
        writes name, value and target mark on one line.
        """
        lay, s, pal, fonts = self._layout, self.model, self.palette_, self._fonts()
        assert lay is not None
        L = len(lay.sizes) - 1
        line = fonts.line_height
        r = float(lay.radius[L]) * self._scale
        spacing = (float(lay.centers[L][1, 1] - lay.centers[L][0, 1]) * self._scale
                   if lay.sizes[L] > 1 else 3 * line)
        two_lines = spacing >= 2.2 * line
        with_bar = spacing >= 3.0 * line
        names: list[TextItem] = []
        rows: list[OutputRow] = []
        for i, (cx, cy) in enumerate((lay.centers[L] * self._scale + self._offset).tolist()):
            x = cx + r + 8
            if L == 1 and i < lay.rf_rects.shape[0]:  # labels go right of the outputs' heat-maps
                rx, _, rw, _ = lay.rf_rects[i]
                x = max(x, (rx + rw) * self._scale + self._offset[0] + 8)
            name = s.class_names[i] if i < len(s.class_names) else str(i)
            target = "  ◂ target" if i == s.target else ""
            if two_lines:
                top = cy - line - 1
                font = "bold" if i == best else "base"
                name_text = self._static_text(name, fonts, font)
                names.append((QPointF(x, top), name_text, fonts.named(font), pal.color("text")))
                if target:
                    names.append((QPointF(x + name_text.size().width() + 4, top),
                                  self._static_text(target.strip(), fonts, "base"), fonts.base, pal.color("muted")))
                rows.append(OutputRow(x, top + line, top + 2 * line + 2 if with_bar else None, name, target))
            else:
                rows.append(OutputRow(x, cy - line / 2, cy + line / 2 if with_bar else None, name, target))
        return names, rows

    def _paint_info(self, p: QPainter, w: int) -> None:
        v, s = self.values, self.model
        assert v is not None
        fonts = self._fonts()
        p.setFont(fonts.base)
        p.setPen(self.palette_.color("muted"))
        node_word = "δ" if v.node_mode == "deltas" else "activations"
        parts = [f"Edges: {EDGE_TITLES[v.edge_mode]}", f"Neurons: {node_word}"]
        if v.batch > 1 and (s.phase is not None or v.edge_mode != "weights" or v.node_mode == "deltas"):
            parts.append(f"mean over a batch of {v.batch}")
        if s.phase is not None:
            parts.insert(0, s.phase.title())
        lay = self._layout
        assert lay is not None
        if self._drawn.size < lay.n_edges and self._faint.size == 0:
            parts.append(f"level of detail: the {self._drawn.size:,} strongest of {lay.n_edges:,} edges")
        if v.note:
            parts.append(v.note)
        p.drawStaticText(QPointF(12, 10), self._static_text("   ·   ".join(parts), fonts, "base"))

    def _paint_legends(self, p: QPainter, w: int, h: int) -> None:
        v = self.values
        assert v is not None
        pal = self.palette_
        node_title = "neuron δ" if v.node_mode == "deltas" else "neuron activation"
        edge_title = f"edge {EDGE_SYMBOLS[v.edge_mode]}"
        y = h - 78.0
        x = self._legend(p, 14.0, y, edge_title, self.edge_vmax, pal.node_lut, wedge=True)
        if x + 14 + LEGEND_WIDTH + 24 <= w:
            x = self._legend(p, x + 14, y, node_title, self.node_vmax, pal.node_lut, wedge=False)
        if x + 14 + LEGEND_WIDTH / 2 + 24 <= w:
            self._legend(p, x + 14, y, "input a", 1.0, pal.ink_lut, wedge=False, sequential=True)

    def _legend(self, p: QPainter, x: float, y: float, title: str, vmax: float, lut: np.ndarray,
                wedge: bool, sequential: bool = False) -> float:
        """One colour-bar legend at (x, y) (drawn once per text and cached); returns its right edge."""
        bar_w = LEGEND_WIDTH if not sequential else LEGEND_WIDTH / 2
        lo, mid, hi = ("0", "", "1") if sequential else (shown_number(-vmax, 2), "0", shown_number(vmax, 2))
        fonts = self._fonts()
        key = ("legend", title, lo, hi, wedge, bar_w, self._dpr(p), fonts.key)
        image = self._sprite(key, QSize(int(bar_w) + 24, LEGEND_HEIGHT), p,
                             lambda q: draw_legend(q, self.theme, fonts.base, title, (lo, mid, hi), lut, wedge, bar_w))
        p.drawImage(QPointF(x, y), image)
        return x + bar_w + 24

    # ------------------------------------------------------------ events
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # also sent when the application's font changes
            self._font_set = None
            self.update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._auto_fit and self._layout is not None:
            self._fit()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(1.0015 ** delta, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        self._last_drag = event.position()
        self._dragging = False
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None and event.buttons() != Qt.MouseButton.NoButton:
            if not self._dragging and (pos - self._press).manhattanLength() >= DRAG_THRESHOLD:
                self._dragging = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._dragging and self._last_drag is not None:
                d = pos - self._last_drag
                self._offset = self._offset + np.array([d.x(), d.y()])
                self._auto_fit = False
                self._last_drag = pos
                self.update()
            return
        self._set_hover(self.hit(pos), event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and not self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self.model.select(self.hit(event.position()))
        self._press = None
        self._dragging = False
        self.unsetCursor()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.hit(event.position()) is None:
            self.fit_to_view()
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hover(None, None)
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.model.select(None)
        elif key in (Qt.Key.Key_F, Qt.Key.Key_Home):
            self.fit_to_view()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            item = self.hit(QPointF(event.pos()))
            if item is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.describe(item), self)
            return True
        return super().event(event)

    def _set_hover(self, item: Selection | None, global_pos: QPoint | None) -> None:
        if item == self.hover:
            return
        self.hover = item
        text = self.describe(item) if item is not None else ""
        self.setToolTip(text)
        if global_pos is not None and QToolTip.isVisible():
            QToolTip.showText(global_pos, text, self) if text else QToolTip.hideText()
        self.hovered.emit(item)
        self.update()
