"""The live network diagram: a widget that paints the whole network, in layers.

The widget observes the model: every signal only marks what is stale and
calls ``update()``, so any number of changes between two frames costs one
repaint.  Before painting it brings the layout and the values up to date and
hands the layers plain data (the layout, the values, the view, the palette):

- ``diagram_view``: the view transform (fit, zoom, pan, coordinates);
- ``diagram_edges``: the edges (buckets, level of detail, pens, value labels);
- ``diagram_neurons``: the neurons (colours, circles, texts, the input grid);
- ``diagram_annotations``: headers, the outputs' values, the mode line, legends;
- ``diagram_text`` and ``diagram_sprites``: the prepared texts and images they draw;
- ``diagram_labels``: the board every text is placed on once per view (none overlaps
  another or leaves the widget), and the log of the texts a paint drew.

The layout follows the shape of the space the texts leave around it, and is
made again when the size, the fonts or the network change while the view is
fitted.  Only this module reads the model: every number it shows is the
model's ``shown()`` (the input and moment the showing state picks, and the
update shown), the same the inspector shows.  Hover shows a tooltip in the
paper's notation (rich text, ending with what is shown, in words; snapped to
the nearest edge, clear of the outputs' labels), a click selects through
``AppModel.select``, the wheel zooms, a drag
pans, F fits the view.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from neuroviz.core.notation import bias_label, delta_label, neuron_label, weight_label
from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.diagram_annotations import Annotations, Outputs, Placed, row_rect
from neuroviz.ui.diagram_edges import EdgeLabel, EdgeLayer
from neuroviz.ui.diagram_labels import LabelBoard, LabelLog
from neuroviz.ui.diagram_layout import DiagramLayout, compute_layout, edge_at, neuron_at, uses_grid
from neuroviz.ui.diagram_maps import NeuronMaps
from neuroviz.ui.diagram_neurons import NeuronColumn, NeuronLayer, marks, named_neurons
from neuroviz.ui.diagram_style import DiagramFonts, Palette
from neuroviz.ui.diagram_text import TextCache
from neuroviz.ui.diagram_values import DiagramValues, diagram_values
from neuroviz.ui.diagram_view import Frame, Margins, Memo, ViewTransform
from neuroviz.ui.math_text import tooltip_html
from neuroviz.ui.theme import LIGHT, Theme

DEFAULT_MAX_EDGES = 2800
"""Level of detail: above this many edges only the strongest are drawn."""
DIAGRAM_KEYS = (
    ("Esc", "Clear the selection"),
    ("Home", "Fit the diagram to the view"),
    ("+", "Zoom in"),
    ("-", "Zoom out"),
)
"""(key, what) of the keys the diagram answers while it has focus (``keyPressEvent``)."""
HOVER_TOLERANCE = 6.0
"""How close (pixels) the pointer must come to an edge to hover it (the nearest edge wins)."""
TIP_OFFSET = QPoint(2, 16)
"""Where Qt puts a tooltip relative to the pointer."""
DRAG_THRESHOLD = 4
"""How far (pixels, Manhattan) the pointer must move with a button down before it drags (pans)."""


class TextPlan(NamedTuple):
    """Where the texts of one view go (placed once per view, in order of importance)."""

    annotations: Placed
    columns: tuple[QPen, list[NeuronColumn]]
    edges: list[EdgeLabel]


class NetworkDiagram(QWidget):
    """Paints the model's network; hover, click, zoom and pan it.

    ``max_edges`` and ``input_grid`` may be set before the first paint;
    afterwards use their ``set_`` methods.  Whether the receptive fields are
    drawn is the model's ``view.receptive_fields``.
    """

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
        self._fields_laid_out = model.view.receptive_fields
        self.hover: Selection | None = None
        self.values: DiagramValues | None = None
        """What the diagram shows (brought up to date by ``refresh``)."""
        self.palette_ = Palette.of(theme)
        self.view = ViewTransform()
        self.edges = EdgeLayer()
        texts = TextCache()
        self.neurons = NeuronLayer(texts)
        self.annotations = Annotations(texts)
        self.maps = NeuronMaps()
        self._layout: DiagramLayout | None = None
        self._layout_dirty = True
        self._values_dirty = True
        self._press: QPointF | None = None
        self._last_drag: QPointF | None = None
        self._dragging = False
        self._font_set: DiagramFonts | None = None
        self._texts_placed: Memo[TextPlan] = Memo()
        self.label_log: LabelLog | None = None
        """Set to a ``LabelLog`` to have each paint note the rectangle of every text it draws."""
        subscribe(self, model.document.architecture_changed, self._on_architecture_changed)
        subscribe(self, model.document.dataset_changed, self._on_architecture_changed)
        subscribe(self, model.view.changed, self._on_view_changed)
        for signal in (model.document.network_changed, model.drawing.changed, model.walk.changed,
                       model.stepped, model.time.changed, model.showing.changed):
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
        self.update()

    def set_input_grid(self, on: bool) -> None:
        """Draw the input layer as its H×W pixel grid (True) or as a column of circles."""
        self.input_grid = on
        self._on_architecture_changed()

    @property
    def receptive_fields(self) -> bool:
        """Each first-hidden neuron's incoming weights are drawn as a small H×W heat-map beside it."""
        return self.model.view.receptive_fields

    def set_receptive_fields(self, on: bool) -> None:
        """Show each first-hidden neuron's incoming weights as a small H×W heat-map beside it (in the model's view)."""
        self.model.view.set_receptive_fields(on)

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

    @property
    def edge_vmax(self) -> float:
        """|value| of an edge that takes the strongest pen."""
        self.refresh()
        return self.edges.vmax

    def refresh(self) -> None:
        """Bring the geometry and colours up to date with the model (done lazily before painting).

        The layout follows the shape of the space the texts leave (re-laid
        out when the size, the fonts or the network change while the view is fitted).
        """
        if self._layout_dirty:
            for named in (False, True):  # without room for the neurons' names; with it if they get names
                margins = self._margins(named)
                free_w, free_h = margins.free(self.width(), self.height())
                s = self.model
                self._layout = compute_layout(s.network.sizes, s.image_shape, self._grid_on,
                                              self.receptive_fields and not s.plane.active, free_w / free_h)
                if not self.view.auto_fit:
                    break
                self.view.fit(self._layout.bounds, self.width(), self.height(), margins)
                if not named_neurons(self._layout, self.view.scale):
                    break
            self._layout_dirty = False
            self._values_dirty = True
        if self._values_dirty:
            self._refresh_values()
            self._values_dirty = False

    def fit_to_view(self) -> None:
        """Lay the network out for the widget's shape, scale and centre it (and keep it fitted on resize)."""
        self.view.auto_fit = True
        self._layout_dirty = True
        self.update()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor`` (default: the centre) still."""
        self.refresh()
        a = np.array([anchor.x(), anchor.y()]) if anchor is not None else np.array([self.width(), self.height()]) / 2
        self.view.zoom_by(factor, a)
        self.update()

    @property
    def scale(self) -> float:
        """Screen pixels per world unit (uniform in x and y)."""
        self.refresh()
        return self.view.scale

    def to_screen(self, x: float, y: float) -> QPointF:
        self.refresh()
        return self.view.to_screen(x, y)

    def to_world(self, pos: QPointF) -> tuple[float, float]:
        self.refresh()
        return self.view.to_world(pos)

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
        index = self.layout_.edge_index(layer, m, n)
        return self.edges.style(index, self.palette_)

    def edge_value(self, layer: int, m: int, n: int) -> float:
        """The value the edge shows (θ, ∂L/∂θ or Δθ; NaN when unknown)."""
        index = self.layout_.edge_index(layer, m, n)
        return float(self.edges.values[index])

    def drawn_edge_count(self) -> int:
        """How many edges the level of detail draws in full colour."""
        self.refresh()
        return int(self.edges.drawn.size)

    def hit(self, pos: QPointF) -> Selection | None:
        """The neuron or weight at widget position ``pos`` (neurons win over edges)."""
        lay = self.layout_
        x, y = self.to_world(pos)
        found = neuron_at(lay, x, y, 2.0 / self.view.scale)
        if found is not None:
            return Selection("neuron", found[0], found[1])
        edge = edge_at(lay, x, y, HOVER_TOLERANCE / self.view.scale, self.edges.visible())
        return None if edge is None else Selection("weight", *edge)

    def describe(self, item: Selection) -> str:
        """Tooltip text of a neuron or weight, in the paper's notation: the numbers shown, and what they are of.

        During a phase walk a number the walk has not computed yet reads "not computed yet".
        """
        s = self.model
        shown = s.shown()
        trace = shown.update
        progress = shown.progress(s.phase)

        def number(x: float | None) -> str:
            return "not computed yet" if x is None else fmt(x, 4)

        if item.kind == "weight":
            l, m, n = item.layer, item.m, item.n
            parts = [f"{weight_label(l, m, n)} = {fmt(float(shown.weights[l][m, n]), 4)}"]
            if trace is not None:
                known = progress is None or progress.knows_gradient(l)
                parts.append(f"∂L/∂θ = {number(float(trace.grad_weights[l][m, n]) if known else None)}")
                updated = progress is None or progress.updated
                delta = float(trace.weights_after[l][m, n] - trace.weights_before[l][m, n])
                parts.append(f"Δ = {number(delta if updated else None)}")
            src, dst = neuron_label(l, n), neuron_label(l + 1, m)
            return " · ".join(parts) + f"\nfrom {src} to {dst}\n{shown.words()}"
        l, i = item.layer, item.m
        if l == 0:
            h, w = s.image_shape
            where = f"pixel row {i // w + 1}, column {i % w + 1}" if h * w == s.config.n_inputs else "input"
            own = shown.input_delta() if progress is None or progress.knows_delta(1) else None
            delta = f" · {delta_label(0, i)} = {number(None if own is None else float(own[i]))}"
            return f"{neuron_label(0, i)} = {fmt(float(shown.act(0)[i]), 4)}{delta} · {where}\n{shown.words()}"
        values_known = progress is None or progress.knows_values(l)
        parts = [f"{neuron_label(l, i)} = {number(float(shown.act(l)[i]) if values_known else None)}",
                 f"{neuron_label(l, i, raw=True)} = {number(float(shown.raw(l)[i]) if values_known else None)}"]
        deltas = shown.delta(l)
        if deltas is not None:
            known = progress is None or progress.knows_delta(l)
            parts.append(f"{delta_label(l, i)} = {number(float(deltas[i]) if known else None)}")
        lines = [" · ".join(parts), f"{bias_label(l - 1, i)} = {fmt(float(shown.biases[l - 1][i]), 4)}"]
        if l == len(s.network.sizes) - 1:
            sym = "p" if s.config.loss == "cross_entropy" else "o"
            name = s.class_names[i] if i < len(s.class_names) else str(i)
            p_known = progress is None or progress.loss
            lines.append(f"class “{name}” · {sym} = {number(float(shown.probs[i]) if p_known else None)}")
        lines.append(shown.words())
        return "\n".join(lines)

    def render_image(self, size: QSize | None = None, dpr: float = 1.0) -> QImage:
        """The diagram as an image of ``size`` (default: the widget's) at ``dpr`` device pixels per pixel."""
        if size is not None and size != self.size():
            self.resize(size)
            if self.view.auto_fit:
                self._layout_dirty = True
        w, h = self.width(), self.height()
        img = QImage(int(w * dpr), int(h * dpr), QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        p = QPainter(img)
        self.paint(p, w, h)
        p.end()
        return img

    def paint(self, p: QPainter, w: int, h: int) -> None:
        """Paint everything onto ``p`` for a ``w``×``h`` area."""
        self.refresh()
        lay, v, s = self._layout, self.values, self.model
        assert lay is not None and v is not None
        if self.label_log is not None:
            self.label_log.clear()
        frame = Frame.of(p, lay, self.view, self.palette_, self._fonts(), w, h, self.label_log)
        shown = s.shown()
        probs = shown.known_probs(s.phase)  # None during a walk before the loss: nothing to write yet
        out = Outputs(np.full(s.network.sizes[-1], np.nan) if probs is None else probs, s.config.loss,
                      s.class_names, shown.target_class, probs is not None)
        key = (*frame.key, w, h, frame.dpr, frame.vector, s.config, s.image_shape, s.class_names, out.target,
               v.edge_mode)
        plan = self._texts_placed.get(key, lambda: self._place_texts(frame, out, v.edge_mode))
        p.fillRect(QRectF(0, 0, w, h), self.palette_.color("background"))
        self.neurons.paint_band(p, frame, v.active_layer)
        covered = self.maps.covered(lay, self.view.scale, s)
        self.edges.paint(p, frame, s.selection, self.hover, covered)
        self.edges.paint_labels(p, frame, plan.edges)
        rings = marks(s.selection, self.hover, self.palette_)
        self.neurons.paint(p, frame, v.nodes, rings, plan.columns, covered)
        self.maps.paint(p, frame, s, rings)
        self.annotations.paint_headers(p, frame, plan.annotations)
        self.annotations.paint_outputs(p, frame, plan.annotations, out)
        thinned = (self.edges.drawn.size, lay.n_edges) if self.edges.thinned() else None
        self.annotations.paint_info(p, frame, v, s.phase, thinned)
        self.annotations.paint_legends(p, frame, plan.annotations, v, self.edges.vmax, self.neurons.vmax)
        self.maps.paint_hover(p, frame, s, self.hover)

    def _place_texts(self, frame: Frame, out: Outputs, edge_mode: str) -> TextPlan:
        """Where the texts of this view go, most important first: annotations, neurons' texts, edge labels."""
        s = self.model
        board = LabelBoard(frame.width, frame.height)
        annotations = self.annotations.place(frame, board, s.config, s.image_shape, out)
        columns = self.neurons.place(frame, board)
        return TextPlan(annotations, columns, self.edges.place_labels(frame, board, edge_mode))

    @property
    def _grid_on(self) -> bool:
        """The input layer is drawn as its pixel grid (never for a network on the plane: its inputs are features)."""
        return self.input_grid and not self.model.plane.active

    def _fonts(self) -> DiagramFonts:
        """The diagram's fonts (rebuilt after a FontChange)."""
        if self._font_set is None:
            self._font_set = DiagramFonts.of(self.font())
        return self._font_set

    def _margins(self, named: bool) -> Margins:
        """The room the texts around the network take at the widget's size (with the neurons' names if ``named``)."""
        s = self.model
        grid = uses_grid(s.network.sizes, s.image_shape, self._grid_on)
        out = Outputs(np.zeros(s.network.sizes[-1]), s.config.loss, s.class_names, s.target)
        return self.annotations.margins(self._fonts(), s.network.sizes, grid, out, self.width(), self.height(),
                                        named)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        self.paint(p, self.width(), self.height())
        p.end()

    # ------------------------------------------------------------ reactions
    def _on_architecture_changed(self) -> None:
        self._layout_dirty = True
        self.view.auto_fit = True
        self.hover = None
        self.update()

    def _on_view_changed(self) -> None:
        if self.receptive_fields != self._fields_laid_out:
            self._fields_laid_out = self.receptive_fields
            self._on_architecture_changed()
        else:
            self._on_values_changed()

    def _on_values_changed(self, *_: object) -> None:
        self._values_dirty = True
        if self.hover is not None and not self._layout_dirty:  # the tooltip says the numbers shown now
            self.setToolTip(self.describe(self.hover))
        self.update()

    def _on_selection_changed(self, *_: object) -> None:
        self.update()


    def _refresh_values(self) -> None:
        s, lay = self.model, self._layout
        assert lay is not None
        shown = s.shown()
        layers = range(1, len(shown.weights) + 1)
        deltas = [shown.delta(l) for l in layers]
        known = [d for d in deltas if d is not None]
        progress = shown.progress(s.phase)
        input_deltas = shown.input_delta() if progress is None or progress.knows_delta(1) else None
        v = diagram_values(shown.weights, [shown.act(l) for l in range(len(shown.weights) + 1)],
                           known if len(known) == len(deltas) else None, shown.update, s.edge_mode, s.node_mode,
                           s.phase, shown.words(), input_deltas, s.view.input_mode)
        self.values = v
        self.edges.update(v, lay, self.max_edges)
        self.neurons.update(v, lay, self.palette_, shown.weights[0], s.image_shape)

    # ------------------------------------------------------------ events
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # also sent when the application's font changes
            self._font_set = None
            self._layout_dirty = self._layout_dirty or self.view.auto_fit
            self.update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self.view.auto_fit:
            self._layout_dirty = True
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
                self.view.pan(d.x(), d.y())
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
        elif key == Qt.Key.Key_Home:
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
                self.show_tip(item, event.pos())
            return True
        return super().event(event)

    def show_tip(self, item: Selection, pos: QPoint) -> None:
        """Show ``item``'s tooltip (rich text) for the pointer at ``pos``, clear of the outputs' labels.

        A tip that would cover the labels right of the output layer goes to
        the left of the pointer and of the labels instead.
        """
        html = tooltip_html(self.describe(item))
        doc = QTextDocument()
        doc.setDefaultFont(QToolTip.font())
        doc.setHtml(html)
        size = doc.size().toSize() + QSize(12, 10)  # the tip label's margins and frame
        tip = QRect(pos + TIP_OFFSET, size)
        labels = self.output_label_rects()
        if any(QRectF(tip).intersects(r) for r in labels):
            left = min([pos.x(), *(int(r.left()) for r in labels)]) - size.width() - 8
            tip.moveLeft(max(left, 0))
        QToolTip.showText(self.mapToGlobal(tip.topLeft() - TIP_OFFSET), html, self)

    def output_label_rects(self) -> list[QRectF]:
        """Widget rectangles of the outputs' labels (names, values and bars) as last placed."""
        plan = self._texts_placed.kept
        return [] if plan is None else [row_rect(row, self._fonts()) for row in plan.annotations.rows]

    def _set_hover(self, item: Selection | None, global_pos: QPoint | None) -> None:
        if item == self.hover:
            return
        self.hover = item
        text = self.describe(item) if item is not None else ""
        self.setToolTip(text)  # plain text (for accessibility); shown as rich text by ``show_tip``
        if global_pos is not None and QToolTip.isVisible():
            if item is not None:
                self.show_tip(item, self.mapFromGlobal(global_pos))
            else:
                QToolTip.hideText()
        self.hovered.emit(item)
        self.update()
