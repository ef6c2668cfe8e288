"""The diagram's neurons: fill colours, circles (from cached images), names and values, the input grid.

Neurons are circles filled by their value (activation or δ) on a diverging
scale; the input layer is drawn in its ink scale (0 black, 1 white), as its
H×W pixel grid or as a column of circles.  First-hidden neurons can show
their incoming weights as small H×W heat-maps (receptive fields).  The
selected and hovered neurons get a ring.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from neuroviz.core.notation import neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.ui.circle_sprites import CircleSprites
from neuroviz.ui.colormaps import blend, map_diverging, map_sequential, rgb_to_argb32, robust_max
from neuroviz.ui.diagram_labels import LabelBoard
from neuroviz.ui.diagram_layout import DiagramLayout
from neuroviz.ui.diagram_sprites import argb_image, render_sprite
from neuroviz.ui.diagram_style import Palette, ThemedCache
from neuroviz.ui.diagram_text import PlacedText, TextCache, draw_placed
from neuroviz.ui.diagram_values import DiagramValues
from neuroviz.ui.diagram_view import Frame, Memo

TINY_NEURON = 2.5
"""Neurons of a smaller radius (pixels) are drawn as plain squares."""
NAMED_NEURON = 11.0
"""Neurons of at least this radius (pixels) get their name beside them and their value inside."""
DARK_FILL = 140
"""Neurons whose fill is darker than this luminance (0–255) get their value in white."""
SPRITE_MAX_RADIUS = 40.0
"""Larger neurons (pixels) are drawn directly instead of from cached images."""
GRID_SPRITE_MAX = 1600.0
"""A larger input grid (pixels, when zoomed in) is drawn directly instead of from a cached image."""
MAX_GRID_IMAGES = 16
"""Pre-rendered input grids are kept for at most this many sizes and inputs (each drawn input makes a new one)."""
MAX_CIRCLE_SIZES = 16
"""Pre-rendered neuron circles are kept for at most this many radii (each for up to all colours of the scale)."""
WHITE, NEAR_BLACK = QColor("#ffffff"), QColor("#111111")
"""Colours of the values written inside dark and light neurons."""

Mark = tuple[Selection, QColor, float]
"""A ring around a selected or hovered item: the item, the ring's colour and its width."""


class NeuronColumn(NamedTuple):
    """Where the neurons of one layer go on screen, and the texts written beside them (kept per view)."""

    layer: int
    radius: float
    pts: np.ndarray
    """Shape (n_l, 2): screen centres."""
    xy: list[list[float]]
    """The same as lists."""
    corners: list[QPointF]
    """Top left pixel of each neuron's circle image (whole pixels)."""
    on_screen: list[int]
    """Neurons whose values are drawn (none when the neurons are too small for texts)."""
    names: list[PlacedText] | None
    """The names that found room beside their neurons, placed; ``None``: no texts."""
    boxes: list[QRectF] | None
    """The box each value of the neurons ``on_screen`` is centred in."""
    name_rects: list[tuple[str, QRectF]]
    """The text and rectangle of each placed name."""


def _same(a: list[np.ndarray | None], b: list[np.ndarray | None]) -> bool:
    """Whether two lists of optional arrays hold the same shapes and values (``None`` only matches ``None``)."""
    return len(a) == len(b) and all(x is y or (x is not None and y is not None and np.array_equal(x, y))
                                    for x, y in zip(a, b))


def named_neurons(lay: DiagramLayout, scale: float) -> bool:
    """Whether some layer drawn as circles gets its neurons' names and values at ``scale`` (pixels per unit)."""
    return any(r * scale >= NAMED_NEURON for l, r in enumerate(lay.radius.tolist()) if l > 0 or lay.grid is None)


def marks(selection: Selection | None, hover: Selection | None, pal: Palette) -> list[Mark]:
    """The rings of the selected and of the hovered item (the hovered one on top)."""
    out = []
    if selection is not None:
        out.append((selection, pal.color("highlight"), 3.0))
    if hover is not None:
        out.append((hover, pal.color("text"), 1.6))
    return out


class NeuronLayer:
    """Every neuron's fill colour, the input's and the receptive fields' images, and their drawing.

    Attributes
    ----------
    rgb:
        ``rgb[l]`` shape (n_l, 3) uint8: fill colour of each neuron of layer l.
    vmax:
        |value| at the ends of the neurons' diverging scale.
    """

    def __init__(self, texts: TextCache) -> None:
        self.rgb: list[np.ndarray] = []
        self.vmax = 1.0
        self._texts = texts
        self._input_image: QImage | None = None
        self._input_shown: np.ndarray | None = None
        self._input_version = 0
        self._rf_images: list[QImage] = []
        self._nodes_shown: tuple[Palette, list[np.ndarray | None]] | None = None
        self._grids: ThemedCache[QImage] = ThemedCache(MAX_GRID_IMAGES)
        self._circles: ThemedCache[CircleSprites] = ThemedCache(MAX_CIRCLE_SIZES)
        self._grid_rect: Memo[QRectF] = Memo()

    # ------------------------------------------------------------ values → colours
    def update(self, v: DiagramValues, lay: DiagramLayout, pal: Palette, first_weights: np.ndarray,
               image_shape: tuple[int, int]) -> None:
        """Colours and images for the values ``v``.

        ``first_weights`` shape (n_1, n_0): θ of the first layer, drawn as the
        receptive fields (each row as an ``image_shape`` heat-map).
        """
        self._update_colors(v, lay, pal)
        self._update_images(lay, pal, first_weights, image_shape)

    def _update_colors(self, v: DiagramValues, lay: DiagramLayout, pal: Palette) -> None:
        """Fill colour of every neuron: the input in its ink scale, the others on one diverging scale.

        Kept while the neurons' values and the palette stay the same (only edges changed).
        """
        kept = self._nodes_shown
        before = kept[1] if kept is not None and kept[0] is pal else None  # None: drawn in another palette
        if before is not None and _same(before, v.nodes):
            return
        same_input = before is not None and _same(before[:1], v.nodes[:1])
        self._nodes_shown = (pal, [None if a is None else np.array(a) for a in v.nodes])
        # The scale follows the hidden layers (outputs, often much larger logits, saturate):
        # the outputs are labelled with their numbers anyway.
        scaled = v.nodes[1:-1] if len(v.nodes) > 2 and any(a is not None for a in v.nodes[1:-1]) else v.nodes[1:]
        self.vmax = robust_max([a for a in scaled if a is not None])
        known = [a for a in v.nodes[1:] if a is not None]
        mapped = map_diverging(np.concatenate(known), self.vmax, pal.node_lut) if known else None
        neutral = np.array(pal.theme.rgb("surface"), dtype=np.uint8)
        inputs = v.nodes[0]
        if same_input:
            first = self.rgb[0]
        elif v.input_mode == "deltas":  # δ^a on its own diverging scale (neutral while not known)
            first = (np.tile(neutral, (lay.sizes[0], 1)) if inputs is None
                     else map_diverging(inputs, robust_max([inputs]), pal.node_lut))
        else:
            assert inputs is not None  # the input's values are always known
            first = map_sequential(inputs, 0.0, 1.0, pal.ink_lut)
        rgb = [first]
        start = 0
        for a, n in zip(v.nodes[1:], lay.sizes[1:]):
            if a is None or mapped is None:
                rgb.append(np.tile(neutral, (n, 1)))
            else:
                rgb.append(mapped[start:start + n])
                start += n
        self.rgb = rgb

    def _update_images(self, lay: DiagramLayout, pal: Palette, first_weights: np.ndarray,
                       image_shape: tuple[int, int]) -> None:
        """The input grid's image (remade only when its colours change) and the receptive fields' heat-maps."""
        rgb = self.rgb
        if lay.grid is not None:
            h, w = lay.grid.shape
            if self._input_shown is not rgb[0] and (self._input_shown is None
                                                     or not np.array_equal(self._input_shown, rgb[0])):
                self._input_shown = rgb[0]
                self._input_version += 1
                self._input_image = argb_image(rgb_to_argb32(rgb[0].reshape(h, w, 3)))
        else:
            self._input_image = None
            self._input_shown = None
        self._rf_images = []
        if lay.rf_rects.shape[0]:
            h, w = image_shape
            w0 = first_weights
            cols = rgb_to_argb32(map_diverging(w0, robust_max([w0], 1.0), pal.node_lut)).reshape(-1, h, w)
            self._rf_images = [argb_image(c) for c in cols]

    # ------------------------------------------------------------ painting
    def paint_band(self, p: QPainter, frame: Frame, active_layer: int) -> None:
        """A rounded band behind the layer the current phase computes (none for ``active_layer`` < 1)."""
        if active_layer < 1:
            return
        lay, view = frame.layout, frame.view
        c = lay.centers[active_layer]
        pad = lay.radius[active_layer] + 14
        tl = view.to_screen(float(c[:, 0].min() - pad), float(c[:, 1].min() - pad))
        br = view.to_screen(float(c[:, 0].max() + pad), float(c[:, 1].max() + pad))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(frame.palette.color("band"))
        p.drawRoundedRect(QRectF(tl, br), 12, 12)

    def paint(self, p: QPainter, frame: Frame, nodes: list[np.ndarray | None], rings: list[Mark],
              columns: tuple[QPen, list[NeuronColumn]], covered: tuple[float, ...] = ()) -> None:
        """The input grid, the receptive fields and the neurons with their texts (``nodes``: their values).

        ``columns``: where the neurons and their texts go (``place``); ``covered``: per layer the half side
        (pixels) of an opaque square drawn over each neuron later (their maps): a layer whose circles and
        texts it hides entirely is not drawn.
        """
        self._paint_input(p, frame, rings)
        self._paint_receptive_fields(p, frame, rings)
        outline, cols = columns
        # A circle image reaches 1.5 px beyond the radius; the names beside it are cut by the square anyway.
        seen = [c for c in cols if c.layer >= len(covered) or covered[c.layer] < c.radius + 1.5]
        self._paint_neurons(p, frame, nodes, rings, (outline, seen))

    def _paint_input(self, p: QPainter, frame: Frame, rings: list[Mark]) -> None:
        lay, view = frame.layout, frame.view
        if lay.grid is None or self._input_image is None:
            return
        grid = lay.grid
        rect = self._grid_rect.get(frame.key, lambda: view.rect(*grid.rect))
        h, w = grid.shape
        if max(rect.width(), rect.height()) > GRID_SPRITE_MAX:
            self._draw_grid(p, frame, rect)
            return
        size = QSize(round(rect.width()) + 2, round(rect.height()) + 2)
        inside = QRectF(1, 1, round(rect.width()), round(rect.height()))
        key = (self._input_version, round(rect.width()), round(rect.height()), frame.dpr)
        image = self._grids.get(frame.palette, key, lambda: render_sprite(
            size, frame.dpr, frame.fonts.base, lambda q: self._draw_grid(q, frame, inside)))
        p.drawImage(QPointF(round(rect.left()) - 1, round(rect.top()) - 1), image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for item, color, width in rings:
            if item.kind == "neuron" and item.layer == 0:
                row, col = divmod(item.m, w)
                cell = QRectF(rect.left() + rect.width() * col / w, rect.top() + rect.height() * row / h,
                              rect.width() / w, rect.height() / h)
                p.setPen(QPen(color, width))
                p.drawRect(cell)

    def _draw_grid(self, p: QPainter, frame: Frame, rect: QRectF) -> None:
        """The input image with its cell lines and border, filling ``rect``."""
        lay, theme = frame.layout, frame.palette.theme
        assert lay.grid is not None and self._input_image is not None
        h, w = lay.grid.shape
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(rect, self._input_image)
        grid_color = QColor(*np.round(blend(theme.rgb("background"), theme.rgb("muted"), 0.35)).astype(int))
        p.setPen(QPen(grid_color, 1))
        lines = [QLineF(rect.left() + rect.width() * c / w, rect.top(), rect.left() + rect.width() * c / w,
                        rect.bottom()) for c in range(1, w)]
        lines += [QLineF(rect.left(), rect.top() + rect.height() * r / h, rect.right(),
                         rect.top() + rect.height() * r / h) for r in range(1, h)]
        p.drawLines(lines)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(frame.palette.color("outline"), 1.2))
        p.drawRect(rect)

    def _paint_receptive_fields(self, p: QPainter, frame: Frame, rings: list[Mark]) -> None:
        lay, view = frame.layout, frame.view
        if not self._rf_images:
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(frame.palette.color("muted"), 1))
        for (x, y, rw, rh), img in zip(lay.rf_rects, self._rf_images):
            rect = view.rect(x, y, rw, rh)
            p.drawImage(rect, img)
            p.drawRect(rect)
        for item, color, width in rings:
            if item.kind == "neuron" and item.layer == 1 and item.m < lay.rf_rects.shape[0]:
                p.setPen(QPen(color, width))
                p.drawRect(view.rect(*lay.rf_rects[item.m]))

    def _paint_neurons(self, p: QPainter, frame: Frame, nodes: list[np.ndarray | None], rings: list[Mark],
                       placed: tuple[QPen, list[NeuronColumn]]) -> None:
        lay, view = frame.layout, frame.view
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        outline, columns = placed
        for col in columns:
            r, rgb = col.radius, self.rgb[col.layer]
            if r < TINY_NEURON:
                self._paint_tiny_column(p, frame, col.pts, r, rgb)
                continue
            if r > SPRITE_MAX_RADIUS or frame.vector:
                # Zoomed far in (few, big neurons) or drawn into a vector file (SVG): true circles.
                p.setPen(outline)
                for color, (x, y) in zip(rgb.tolist(), col.xy):
                    p.setBrush(QColor(*color))
                    p.drawEllipse(QPointF(x, y), r, r)
            else:
                self._paint_sprites(p, frame, col.corners, r, rgb, outline)
            if col.names is not None:
                self._paint_texts(p, frame, col, nodes[col.layer], rgb)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for item, color, width in rings:
            if item.kind == "neuron" and (item.layer > 0 or lay.grid is None):
                c = lay.centers[item.layer][item.m]
                r = float(lay.radius[item.layer]) * view.scale + width + 1
                p.setPen(QPen(color, width))
                p.drawEllipse(view.to_screen(float(c[0]), float(c[1])), r, r)

    def place(self, frame: Frame, board: LabelBoard) -> tuple[QPen, list[NeuronColumn]]:
        """The neurons' outline pen and, per drawn layer, where its neurons and their texts go.

        Each value (inside its circle) and then each name (above left of its
        circle) takes its rectangle on ``board``; one that finds it taken is
        left out.
        """
        lay, view, fonts, texts = frame.layout, frame.view, frame.fonts, self._texts
        w, h = frame.width, frame.height
        columns = []
        for l, centers in enumerate(lay.centers):
            if l == 0 and lay.grid is not None:
                continue
            r = float(lay.radius[l]) * view.scale
            pts = view.points(centers)
            half = int(np.ceil(round(r * 4) / 4 + 1.5))
            corners = [QPointF(x, y) for x, y in (np.rint(pts).astype(np.int64) - half).tolist()]
            xy = pts.tolist()
            names = boxes = None
            on_screen: list[int] = []
            name_rects: list[tuple[str, QRectF]] = []
            if r >= NAMED_NEURON:
                # Text only for neurons on screen: zoomed into a large layer, most are not.
                near = [i for i, (x, y) in enumerate(xy) if -r - 60 < x < w + r + 60 and -r - 20 < y < h + r + 20]
                height = fonts.value_font(r)[1]
                boxes = []
                for i in near:
                    box = QRectF(xy[i][0] - r, xy[i][1] - height / 2, 2 * r, height)
                    if board.claim(box):
                        on_screen.append(i)
                        boxes.append(box)
                names = []
                small = texts.metrics(fonts.small, fonts.key_of("small"))
                for i in near:
                    x, y = xy[i]
                    text = neuron_label(l, i, "unicode")
                    rect = QRectF(x - r - 1 - small.horizontalAdvance(text), y - r - fonts.small_height,
                                  small.horizontalAdvance(text), fonts.small_height)
                    if board.claim(rect):
                        box = QRectF(rect.right() - max(40.0, rect.width()), rect.top(), max(40.0, rect.width()),
                                     rect.height())
                        names.append(texts.text_in(box, True, text, fonts.small, fonts.key_of("small"),
                                                   fonts.small_height, frame.dpr))
                        name_rects.append((text, rect))
            columns.append(NeuronColumn(l, r, pts, xy, corners, on_screen, names, boxes, name_rects))
        return QPen(frame.palette.color("outline"), 1.1), columns

    def _paint_texts(self, p: QPainter, frame: Frame, col: NeuronColumn, values: np.ndarray | None,
                     rgb: np.ndarray) -> None:
        """Names above-left of and ``values`` inside the neurons of one layer (``rgb`` their fills, shape (n_l, 3))."""
        assert col.names is not None and col.boxes is not None
        fonts = frame.fonts
        p.setFont(fonts.small)
        p.setPen(frame.palette.color("muted"))
        for placed in col.names:
            draw_placed(p, placed)
        log = frame.log
        if log is not None:
            for text, rect in col.name_rects:
                log.add("name", text, rect)
        if values is None:
            return
        font, height, font_key = fonts.value_font(col.radius)
        p.setFont(font)
        digits = 2 if col.radius < 22 else 3
        shown, colours = values.tolist(), rgb.tolist()
        pen = None
        for i, box in zip(col.on_screen, col.boxes):
            red, green, blue = colours[i]
            c = WHITE if 0.299 * red + 0.587 * green + 0.114 * blue < DARK_FILL else NEAR_BLACK
            if c is not pen:
                p.setPen(c)
                pen = c
            text = fmt(shown[i], digits)
            draw_placed(p, self._texts.text_in(box, False, text, font, font_key, height, frame.dpr, changing=True))
            if log is not None:
                width = self._texts.metrics(font, font_key).horizontalAdvance(text)
                log.add("value", text, QRectF(box.center().x() - width / 2, box.top(), width, height).intersected(box))

    def _paint_sprites(self, p: QPainter, frame: Frame, corners: list[QPointF], r: float, rgb: np.ndarray,
                       outline: QPen) -> None:
        """Circles from a cache of antialiased images, one per colour and radius.

        ``corners``: the top left pixel of each neuron's image.
        """
        r_key = round(r * 4) / 4
        half = int(np.ceil(r_key + 1.5))
        size = QSize(2 * half, 2 * half)
        sprites = self._circles.get(frame.palette, (r_key, frame.dpr), lambda: CircleSprites(
            r_key, half, outline, lambda draw: render_sprite(size, frame.dpr, frame.fonts.base, draw)))
        image, draw = sprites.image, p.drawImage
        for color, corner in zip(map(tuple, rgb.tolist()), corners):
            draw(corner, image(color))  # a QPointF: the cheapest of drawImage's overloads to call

    def _paint_tiny_column(self, p: QPainter, frame: Frame, pts: np.ndarray, r: float, rgb: np.ndarray) -> None:
        """Neurons too small for circles: a strip of squares with gaps, drawn as one scaled image.

        Each neuron is four image rows, three in its colour and one in the
        background, so a square fills ¾ of the neuron spacing.
        """
        n = pts.shape[0]
        rows = np.empty((n, 4, 3), dtype=np.uint8)
        rows[:, :3] = rgb[:, None, :]
        rows[:, 3] = frame.palette.theme.rgb("background")
        image = argb_image(rgb_to_argb32(rows.reshape(4 * n, 1, 3)))
        spacing = float(pts[1, 1] - pts[0, 1]) if n > 1 else 2 * r
        side = max(1.0, 0.75 * spacing)
        target = QRectF(float(pts[0, 0]) - side / 2, float(pts[0, 1]) - side / 2, side, spacing * n)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(target, image)
