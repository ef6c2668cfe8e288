"""The plane: the output's decision function as a heat map behind the training and test points.

``PlaneView`` paints the square [−6, 6]² of a network on the plane: the
decision map (p₂ − p₁ from orange to blue, or the output for regression) of
the moment the model shows, or, while a neuron is selected, that neuron's
own map large; the training points filled, the test points ringed, and your
point as a ring with a cross.  A click acts by ``mode``: ``point`` moves
your point, ``add`` adds a point of class 1 (Shift: class 2; regression: of value
``add_value``, Shift: its negative), ``remove``
removes the nearest point; a right click removes in any mode.  Every change
goes through ``model.plane`` (undoable).  ``PlaneLegend`` is the colour
scale.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from neuroviz.core.features import PLANE_EXTENT
from neuroviz.core.notation import neuron_label
from neuroviz.io.plane_picture import BACKGROUND_STRENGTH, LUT, OUTLINE, map_indices, map_rgb
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.colormaps import rgb_to_argb32
from neuroviz.ui.diagram_sprites import argb_image

Mode = Literal["point", "add", "remove"]
MAP_SIZE = 100
"""The big map is computed on MAP_SIZE × MAP_SIZE points of the plane."""
POINT_RADIUS = 4.0
MARGIN = 18


LUT_ARGB = rgb_to_argb32(LUT)
"""``LUT`` as opaque 0xAARRGGBB, shape (256,) uint32: images in the painting surfaces' own format."""


def map_image(values: np.ndarray, limit: float = 1.0, strength: float = 1.0) -> QImage:
    """The colours of a map ``values`` (H, W) on the scale ±``limit`` (see ``plane_picture.map_rgb``) as an
    H×W image."""
    return argb_image(LUT_ARGB[map_indices(values, limit, strength)])


def scale_limit(values: np.ndarray) -> float:
    """A symmetric colour limit for a map: its largest |value| (1 when it is all zero)."""
    m = float(np.nanmax(np.abs(values))) if values.size else 0.0
    return m if m > 1e-12 else 1.0


class PlaneView(QWidget):
    """The square plane of the open network on the plane (see the module docstring)."""

    hovered = Signal(object)
    """The point (x₁, x₂) under the pointer, or ``None``."""
    refused = Signal(str)
    """An edit was refused: why (e.g. Clear with no points of your own)."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planeView")
        self.model = model
        self.mode: Mode = "point"
        self.add_as_test = False
        self.add_value = 1.0
        """Regression: the value a click adds a point with (Shift+click: its negative)."""
        self.setMouseTracking(True)
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.limit = 1.0
        """|value| at the ends of the colour scale of the map shown."""
        self._points_image: QImage | None = None
        self._points_key: tuple[object, ...] = ()
        for signal in (model.document.network_changed, model.document.dataset_changed,
                       model.document.architecture_changed, model.trained, model.stepped, model.time.changed,
                       model.showing.changed, model.walk.changed, model.view.selection_changed, model.plane.changed):
            subscribe(self, signal, lambda *_: self.update())

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # ------------------------------------------------------------ geometry
    def square(self) -> QRectF:
        """The widget rectangle the plane fills."""
        side = max(10.0, min(self.width(), self.height()) - 2 * MARGIN)
        return QRectF((self.width() - side) / 2, MARGIN, side, side)

    def to_screen(self, x1: float, x2: float) -> QPointF:
        r = self.square()
        return QPointF(r.left() + (x1 + PLANE_EXTENT) / (2 * PLANE_EXTENT) * r.width(),
                       r.top() + (PLANE_EXTENT - x2) / (2 * PLANE_EXTENT) * r.height())

    def to_plane(self, pos: QPointF) -> tuple[float, float] | None:
        """The point of the plane at widget position ``pos`` (``None`` outside the square)."""
        r = self.square()
        if not r.contains(pos):
            return None
        return (-PLANE_EXTENT + 2 * PLANE_EXTENT * (pos.x() - r.left()) / r.width(),
                PLANE_EXTENT - 2 * PLANE_EXTENT * (pos.y() - r.top()) / r.height())

    # ------------------------------------------------------------ what it shows
    def caption(self) -> str:
        """What the map shows: the selected neuron's output, else the output's decision function."""
        sel = self.model.selection
        if sel is not None and sel.kind == "neuron":
            return f"{neuron_label(sel.layer, sel.m, 'unicode')} over the plane (Esc in the diagram: the output again)"
        return "the output o over the plane" if self.model.plane.is_regression else "p₂ − p₁ over the plane"

    def shown_map(self) -> tuple[np.ndarray, float, str]:
        """The map drawn (H, W), its colour limit and its caption: the selected neuron's, else the decision."""
        s = self.model
        sel = s.selection
        if sel is not None and sel.kind == "neuron":
            layer_maps = s.plane.maps(MAP_SIZE, MAP_SIZE)[sel.layer]
            return layer_maps[sel.m], scale_limit(layer_maps), self.caption()
        values = s.plane.decision(MAP_SIZE, MAP_SIZE)
        if s.plane.is_regression:
            targets = s.dataset.targets
            return values, scale_limit(targets) if targets is not None else 1.0, self.caption()
        return values, 1.0, self.caption()

    # ------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().window())
        if not self.model.plane.active:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       "Open a network on the plane: File ▸ Examples ▸ Plane …, or File ▸ New network…")
            p.end()
            return
        values, self.limit, _ = self.shown_map()
        rect = self.square()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.drawImage(rect, map_image(values, self.limit, BACKGROUND_STRENGTH))
        p.save()
        p.setClipRect(rect)  # noisy points may lie beyond ±6
        p.drawImage(QPointF(0, 0), self._points(p.device().devicePixelRatioF() if p.device() else 1.0))
        p.restore()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_your_point(p)
        p.setPen(QPen(QColor(*OUTLINE), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)
        self._paint_axes(p, rect)
        p.end()

    def _points(self, dpr: float) -> QImage:
        """The points drawn on a transparent image of the widget's size (made again only when the data set,
        the size or the scale changes)."""
        key = (self.model.dataset, self.width(), self.height(), dpr, self.limit)
        if self._points_image is None or key != self._points_key:
            image = QImage(round(self.width() * dpr), round(self.height() * dpr),
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._paint_points(painter)
            painter.end()
            self._points_image, self._points_key = image, key
        return self._points_image

    def _paint_points(self, p: QPainter) -> None:
        points, values, is_test = self.model.plane.points()
        if not len(points):
            return
        v = values.astype(np.float64)
        if not self.model.plane.is_regression:
            v = np.where(v > 0, self.limit, -self.limit)
        colours = map_rgb(v[None, :], self.limit)[0]
        outline = QPen(QColor(*OUTLINE), 1)
        r = POINT_RADIUS
        for (x1, x2), colour, test in zip(points, colours, is_test):
            c = self.to_screen(float(x1), float(x2))
            fill = QColor(int(colour[0]), int(colour[1]), int(colour[2]))
            p.setPen(outline)
            if test:  # a ring in the class's colour round a white centre
                p.setBrush(QColor("white"))
                p.drawEllipse(c, r + 0.5, r + 0.5)
                p.setPen(QPen(fill, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(c, r - 1.0, r - 1.0)
            else:
                p.setBrush(fill)
                p.drawEllipse(c, r, r)

    def _paint_your_point(self, p: QPainter) -> None:
        c = self.to_screen(*self.model.plane.point)
        for colour, width in (("white", 4.0), ("black", 2.0)):
            p.setPen(QPen(QColor(colour), width))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, 8.0, 8.0)
            p.drawLine(c + QPointF(-13, 0), c + QPointF(-5, 0))
            p.drawLine(c + QPointF(5, 0), c + QPointF(13, 0))
            p.drawLine(c + QPointF(0, -13), c + QPointF(0, -5))
            p.drawLine(c + QPointF(0, 5), c + QPointF(0, 13))

    def _paint_axes(self, p: QPainter, rect: QRectF) -> None:
        p.setPen(self.palette().windowText().color())
        fm = p.fontMetrics()
        for value in (-PLANE_EXTENT, 0.0, PLANE_EXTENT):
            text = f"{value:g}".replace("-", "−")
            pt = self.to_screen(value, -PLANE_EXTENT)
            p.drawText(QPointF(pt.x() - fm.horizontalAdvance(text) / 2, rect.bottom() + fm.ascent() + 2), text)
            pt = self.to_screen(-PLANE_EXTENT, value)
            p.drawText(QPointF(rect.left() - fm.horizontalAdvance(text) - 3, pt.y() + fm.ascent() / 2 - 1), text)
        p.drawText(QPointF(rect.right() + 10, rect.bottom() + fm.ascent() + 2), "x₁")
        p.drawText(QPointF(rect.left() - fm.horizontalAdvance("x₂") - 3, rect.top() - 4), "x₂")

    # ------------------------------------------------------------ mouse
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        point = self.to_plane(event.position())
        if point is None or not self.model.plane.active:
            return
        plane = self.model.plane
        try:
            if event.button() == Qt.MouseButton.RightButton or self.mode == "remove":
                plane.remove_near(point, self._radius())
            elif self.mode == "add":
                other = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                value = (-self.add_value if other else self.add_value) if plane.is_regression else int(other)
                plane.add_point(point, value, self.add_as_test)
            elif event.button() == Qt.MouseButton.LeftButton:
                plane.set_point(point)
        except ValueError as exc:
            self.refused.emit(str(exc))
        event.accept()

    def _radius(self) -> float:
        """The plane distance of a few pixels (how near a click must come to a point to remove it)."""
        return 3 * POINT_RADIUS / self.square().width() * 2 * PLANE_EXTENT

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.hovered.emit(self.to_plane(event.position()))

    def leaveEvent(self, event: object) -> None:
        self.hovered.emit(None)


class PlaneLegend(QWidget):
    """The colour scale of the plane's map: orange (−limit, class 1) to blue (+limit, class 2)."""

    def __init__(self, view: PlaneView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planeLegend")
        self.view = view
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def texts(self) -> tuple[str, str, str]:
        """The labels at the left end, the middle and the right end."""
        limit = f"{self.view.limit:.3g}"
        if self.view.model.plane.is_regression or self.view.model.selection is not None:
            return f"−{limit}", "0", f"+{limit}"
        names = self.view.model.class_names
        return f"−1 · {names[0]}", "0", f"+1 · {names[-1]}"

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        bar = QRectF(8, 2, self.width() - 16, 12)
        p.drawImage(bar, argb_image(np.repeat(LUT_ARGB[None, :], 2, axis=0)))
        p.setPen(self.palette().windowText().color())
        left, mid, right = self.texts()
        fm = p.fontMetrics()
        y = bar.bottom() + fm.ascent() + 2
        p.drawText(QPointF(bar.left(), y), left)
        p.drawText(QPointF(bar.center().x() - fm.horizontalAdvance(mid) / 2, y), mid)
        p.drawText(QPointF(bar.right() - fm.horizontalAdvance(right), y), right)
        p.end()

