"""Geometry of the network diagram in world units (pure NumPy, no Qt).

Layers stand in columns from left (input layer ``a``) to right (output).
Each layer is centred on y = 0 inside a band of height ``BAND_HEIGHT``; small
layers are spaced at most ``MAX_SPACING`` apart.  The gap between the
columns follows the shape of the space the network is drawn in (``aspect``),
so that the view, scaled uniformly, fills it.  The input layer may be
drawn as its H×W pixel grid instead of a column of circles.  Every weight
``weights[l][m, n]`` is one straight segment from neuron n of layer l to
neuron m of layer l+1; ``segments[l]`` holds them in the row-major order of
the weight matrix, so ``segments[l][m * n_l + n]`` is θ_{mn}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BAND_HEIGHT = 560.0
LAYER_GAP = 280.0
"""Gap between two columns when the shape of the space is not known."""
MIN_GAP, MAX_GAP = 150.0, 1000.0
"""The least and the most the gap between two columns grows or shrinks to for the space's shape."""
MAX_STRETCH = 4.0
"""In a tall space small layers spread out, up to this many times ``MAX_SPACING`` apart."""
MAX_SPACING = 64.0
MAX_RADIUS = 20.0
MAX_CELL = 30.0
RF_GAP = 6.0
RF_MAX = 52.0
"""Largest receptive-field heat-map (world units)."""
MIN_GRID_INPUTS = 16
"""Smaller inputs are drawn as circles even when a grid is asked for."""


@dataclass(frozen=True)
class PixelGrid:
    """The input layer drawn as an H×W image: top-left corner, cell size, shape."""

    x0: float
    y0: float
    cell: float
    shape: tuple[int, int]

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the whole grid."""
        h, w = self.shape
        return self.x0, self.y0, w * self.cell, h * self.cell

    def centers(self) -> np.ndarray:
        """Shape (H·W, 2): cell centres in row-major (input index) order."""
        h, w = self.shape
        rows, cols = np.divmod(np.arange(h * w), w)
        return np.column_stack([self.x0 + (cols + 0.5) * self.cell, self.y0 + (rows + 0.5) * self.cell])

    def cell_at(self, x: float, y: float) -> int | None:
        """Input index of the cell holding (x, y), or ``None`` outside the grid."""
        h, w = self.shape
        col = int(np.floor((x - self.x0) / self.cell))
        row = int(np.floor((y - self.y0) / self.cell))
        if 0 <= row < h and 0 <= col < w:
            return row * w + col
        return None


@dataclass(frozen=True, eq=False)
class DiagramLayout:
    """Where everything of one architecture sits.

    Attributes
    ----------
    sizes:
        Neurons per layer, (n_0, ..., n_L).
    centers:
        ``centers[l]`` shape (n_l, 2): neuron centres (x, y) of layer l.
    radius:
        Shape (L+1,): circle radius per layer.
    layer_x:
        Shape (L+1,): the x of each layer's column (of the grid's centre for a grid input).
    grid:
        The input layer's pixel grid, or ``None`` when drawn as circles.
    segments:
        ``segments[l]`` shape (n_{l+1}·n_l, 4): (x0, y0, x1, y1) of θ_{mn} at row m·n_l + n.
        From a pixel grid, segments start on the grid's right edge, where
        the line from the cell's centre crosses it (kept within the grid's height).
    all_segments:
        Shape (E, 4): all segments, layer after layer; ``offsets[l]`` is where layer l starts.
    rf_rects:
        Shape (n_1, 4): (x, y, w, h) of each first-hidden neuron's receptive-field
        heat-map, or shape (0, 4) when off.
    bounds:
        (x_min, y_min, x_max, y_max) of the neurons, grid and heat-maps; the
        labels around them have a fixed size in pixels, so the view adds
        margins for them.
    """

    sizes: tuple[int, ...]
    centers: tuple[np.ndarray, ...]
    radius: np.ndarray
    layer_x: np.ndarray
    grid: PixelGrid | None
    segments: tuple[np.ndarray, ...]
    all_segments: np.ndarray
    offsets: np.ndarray
    rf_rects: np.ndarray
    bounds: tuple[float, float, float, float]

    @property
    def n_edges(self) -> int:
        return int(self.all_segments.shape[0])

    def edge_index(self, layer: int, m: int, n: int) -> int:
        """Row of θ_{mn} of ``weights[layer]`` in ``all_segments``."""
        return int(self.offsets[layer]) + m * self.sizes[layer] + n

    def edge_of(self, index: int) -> tuple[int, int, int]:
        """(layer, m, n) of row ``index`` of ``all_segments``."""
        layer = int(np.searchsorted(self.offsets, index, side="right")) - 1
        m, n = divmod(index - int(self.offsets[layer]), self.sizes[layer])
        return layer, m, n


def column(n: int, x: float, max_spacing: float = MAX_SPACING) -> tuple[np.ndarray, float]:
    """Centres (n, 2) of a column of n neurons at x, and their spacing (at most ``max_spacing``)."""
    spacing = min(max_spacing, BAND_HEIGHT / max(n, 1))
    y = (np.arange(n) - (n - 1) / 2.0) * spacing
    return np.column_stack([np.full(n, x), y]), spacing


def uses_grid(sizes: tuple[int, ...], image_shape: tuple[int, int] | None, input_grid: bool) -> bool:
    """Whether the input layer is drawn as its pixel grid (asked for, H·W inputs, and enough of them)."""
    return bool(input_grid and image_shape and image_shape[0] * image_shape[1] == sizes[0]
                and sizes[0] >= MIN_GRID_INPUTS)


def compute_layout(sizes: tuple[int, ...], image_shape: tuple[int, int] | None = None,
                   input_grid: bool = True, receptive_fields: bool = False,
                   aspect: float | None = None) -> DiagramLayout:
    """The layout of a network of ``sizes``.

    ``input_grid`` draws the input layer as its ``image_shape`` (H, W) grid
    when H·W equals the input size; ``receptive_fields`` makes room beside
    the first hidden layer for an H×W heat-map per neuron; ``aspect`` (width
    / height of the space it is drawn in) sets the gap between the columns.
    """
    sizes = tuple(int(s) for s in sizes)
    grid: PixelGrid | None = None
    centers: list[np.ndarray] = []
    radius = np.zeros(len(sizes))
    layer_x = np.zeros(len(sizes))
    gap, max_spacing = _shape(sizes, aspect, image_shape, input_grid, receptive_fields)
    use_grid = uses_grid(sizes, image_shape, input_grid)
    if use_grid and image_shape is not None:
        h, w = image_shape
        cell = min(MAX_CELL, 0.62 * BAND_HEIGHT / h, 0.62 * BAND_HEIGHT / w)
        grid = PixelGrid(-w * cell, -h * cell / 2.0, cell, (h, w))
        centers.append(grid.centers())
        radius[0] = cell / 2.0
        layer_x[0] = -w * cell / 2.0
        x = 0.0
    else:
        c, spacing = column(sizes[0], 0.0, max_spacing)
        centers.append(c)
        radius[0] = min(MAX_RADIUS, 0.36 * spacing)
        x = 0.0
    rf_extent = 0.0
    rf_rects = np.zeros((0, 4))
    for l in range(1, len(sizes)):
        x += gap + (rf_extent if l == 2 else 0.0)
        c, spacing = column(sizes[l], x, max_spacing)
        centers.append(c)
        layer_x[l] = x
        radius[l] = min(MAX_RADIUS, 0.36 * spacing)
        if l == 1 and receptive_fields and image_shape and image_shape[0] * image_shape[1] == sizes[0]:
            rf_rects = receptive_field_rects(c, radius[1], spacing, image_shape)
            rf_extent = float((rf_rects[:, 0] + rf_rects[:, 2]).max() - x) if rf_rects.size else 0.0
    segments = []
    for l in range(len(sizes) - 1):
        src, dst = centers[l], centers[l + 1]
        seg = np.empty((sizes[l + 1], sizes[l], 4))
        seg[:, :, 0] = src[None, :, 0]
        seg[:, :, 1] = src[None, :, 1]
        seg[:, :, 2] = dst[:, None, 0]
        seg[:, :, 3] = dst[:, None, 1]
        if l == 0 and grid is not None:
            # The opaque grid covers the first part of each line: start where the line from the
            # cell's centre crosses the grid's right edge (x = 0), kept within the grid's height
            # so that every line leaves the picture itself.
            t = (0.0 - seg[:, :, 0]) / (seg[:, :, 2] - seg[:, :, 0])
            y = seg[:, :, 1] + t * (seg[:, :, 3] - seg[:, :, 1])
            seg[:, :, 1] = np.clip(y, grid.y0, grid.y0 + grid.rect[3])
            seg[:, :, 0] = 0.0
        segments.append(seg.reshape(-1, 4))
    all_segments = np.concatenate(segments) if segments else np.zeros((0, 4))
    offsets = np.concatenate([[0], np.cumsum([s.shape[0] for s in segments])]).astype(np.int64)
    pts = np.concatenate(centers)
    x_min = float(grid.x0) if grid is not None else float(pts[:, 0].min() - radius[0])
    y_extent = max(float(np.abs(pts[:, 1]).max() + radius.max()), grid.rect[3] / 2 if grid else 0.0)
    x_max = float(layer_x[-1] + radius[-1])
    if rf_rects.size:
        x_max = max(x_max, float((rf_rects[:, 0] + rf_rects[:, 2]).max()))
    bounds = (x_min, -y_extent, x_max, y_extent)
    return DiagramLayout(sizes, tuple(centers), radius, layer_x, grid, tuple(segments), all_segments,
                         offsets[:-1] if len(offsets) > 1 else offsets, rf_rects, bounds)


def _shape(sizes: tuple[int, ...], aspect: float | None, image_shape: tuple[int, int] | None, input_grid: bool,
           receptive_fields: bool) -> tuple[float, float]:
    """The gap between the columns and the largest neuron spacing that make the network ``aspect`` times as
    wide as it is tall: the gap follows a wide space, the spacing of small layers a tall one.

    Measured on the layout without an aspect (``LAYER_GAP`` and ``MAX_SPACING``):
    its height, and the width that does not depend on the gap (grid, heat-maps, circles).
    """
    if aspect is None or len(sizes) < 2:
        return LAYER_GAP, MAX_SPACING
    layout = compute_layout(sizes, image_shape, input_grid, receptive_fields)
    x0, y0, x1, y1 = layout.bounds
    height = y1 - y0
    fixed = (x1 - x0) - LAYER_GAP * (len(sizes) - 1)  # the laid-out width less its gaps
    gap = (aspect * height - fixed) / (len(sizes) - 1)
    if gap >= MIN_GAP:
        return float(min(gap, MAX_GAP)), MAX_SPACING
    wanted = (fixed + MIN_GAP * (len(sizes) - 1)) / aspect
    return MIN_GAP, MAX_SPACING * float(np.clip(wanted / height, 1.0, MAX_STRETCH))


def receptive_field_rects(centers: np.ndarray, radius: float, spacing: float,
                          image_shape: tuple[int, int]) -> np.ndarray:
    """Shape (n, 4): (x, y, w, h) of a heat-map right of each neuron of a column.

    When the neurons stand close, the maps alternate between two columns so
    that each can be about twice the neuron spacing tall.
    """
    n = centers.shape[0]
    stagger = n > 1 and 0.9 * spacing < RF_MAX
    size = min(1.8 * spacing if stagger else 0.9 * spacing, RF_MAX)
    h, w = image_shape
    rw, rh = (size, size * h / w) if w >= h else (size * w / h, size)
    column = np.arange(n) % 2 if stagger else np.zeros(n)
    x = centers[:, 0] + radius + RF_GAP + column * (rw + RF_GAP)
    return np.column_stack([x, centers[:, 1] - rh / 2.0, np.full(n, rw), np.full(n, rh)])


def neuron_at(layout: DiagramLayout, x: float, y: float, tolerance: float = 0.0) -> tuple[int, int] | None:
    """(layer, index) of the neuron under the world point (x, y), or ``None``.

    A circle counts within its radius plus ``tolerance`` (world units); a
    grid input counts cell by cell.
    """
    if layout.grid is not None:
        cell = layout.grid.cell_at(x, y)
        if cell is not None:
            return 0, cell
    best: tuple[float, int, int] | None = None
    for l, c in enumerate(layout.centers):
        if l == 0 and layout.grid is not None:
            continue
        r = layout.radius[l] + tolerance
        if abs(x - layout.layer_x[l]) > r:
            continue
        d2 = (c[:, 0] - x) ** 2 + (c[:, 1] - y) ** 2
        i = int(np.argmin(d2))
        if d2[i] <= r * r and (best is None or d2[i] < best[0]):
            best = (float(d2[i]), l, i)
    return None if best is None else (best[1], best[2])


def edge_at(layout: DiagramLayout, x: float, y: float, tolerance: float,
            visible: np.ndarray | None = None) -> tuple[int, int, int] | None:
    """(layer, m, n) of the weight whose segment passes nearest (x, y) within ``tolerance``.

    Only the layers whose horizontal span holds x are searched; ``visible``
    (shape (E,), bool) restricts the search to the edges being drawn.
    """
    best: tuple[float, int] | None = None
    for l, seg in enumerate(layout.segments):
        x_lo = float(min(seg[:, 0].min(), seg[:, 2].min()))
        x_hi = float(max(seg[:, 0].max(), seg[:, 2].max()))
        if not x_lo - tolerance <= x <= x_hi + tolerance:
            continue
        off = int(layout.offsets[l])
        d2 = segment_distance2(seg, x, y)
        if visible is not None:
            d2 = np.where(visible[off:off + seg.shape[0]], d2, np.inf)
        i = int(np.argmin(d2))
        if d2[i] <= tolerance * tolerance and (best is None or d2[i] < best[0]):
            best = (float(d2[i]), off + i)
    return None if best is None else layout.edge_of(best[1])


def segment_distance2(seg: np.ndarray, x: float, y: float) -> np.ndarray:
    """Shape (N,): squared distance from (x, y) to each segment of ``seg`` (N, 4)."""
    x0, y0 = seg[:, 0], seg[:, 1]
    dx, dy = seg[:, 2] - x0, seg[:, 3] - y0
    length2 = dx * dx + dy * dy
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    px, py = x0 + t * dx - x, y0 + t * dy - y
    return px * px + py * py
