"""Every neuron of a network on the plane drawn as a thumbnail of its own output over the plane.

``NeuronMaps.paint`` draws, over each neuron's circle, the map of its
activated value over [−6, 6]² (``model.plane.maps``: one batched forward
pass over a ``THUMB``×``THUMB`` grid at the moment shown), each layer on its
own symmetric colour scale (±the largest |value| in the layer), orange
negative and blue positive.  All thumbnails come from one image per frame
(an atlas of every neuron's map, one below the other).  The hovered neuron's
map is drawn enlarged beside it; a click selects the neuron, and the Plane
panel shows a selected neuron's map large.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from neuroviz.core.notation import neuron_label
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.diagram_layout import DiagramLayout
from neuroviz.ui.diagram_neurons import Mark
from neuroviz.ui.diagram_view import Frame
from neuroviz.ui.plane_view import map_image, scale_limit

THUMB = 40
"""Grid points per side of each neuron's thumbnail."""
HOVER_SIZE = 80
"""Grid points per side of the enlarged map of the hovered neuron."""
HOVER_PIXELS = 150
"""Side (pixels) of the enlarged map."""
MIN_SIDE = 10.0
"""Thumbnails smaller than this (pixels) are not drawn."""
GAP = 4.0
"""Pixels kept free between the thumbnails of neighbouring neurons."""


def thumb_side(lay: DiagramLayout, scale: float, layer: int) -> float:
    """Side (pixels) of layer ``layer``'s thumbnails: at least the circle's diameter, at most the spacing
    to the next neuron less ``GAP`` (and never more than twice the diameter).  The output layer keeps the
    circle's size: its names and values are placed beside the circles."""
    diameter = 2 * float(lay.radius[layer]) * scale
    centres = lay.centers[layer]
    if layer == len(lay.centers) - 1:
        return diameter
    if len(centres) < 2:
        return 2 * diameter
    spacing = float(np.min(np.hypot(*np.diff(centres, axis=0).T))) * scale
    return max(diameter, min(spacing - GAP, 2 * diameter))


def atlas(maps: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """Every neuron's map scaled by its layer's limit, stacked: values (ΣN·T, T) in [−1, 1], and each layer's
    first row block (the index of its neuron 0)."""
    blocks, starts, k = [], [], 0
    for layer_maps in maps:
        starts.append(k)
        blocks.append(layer_maps / scale_limit(layer_maps))
        k += layer_maps.shape[0]
    stacked = np.concatenate(blocks, axis=0)
    return stacked.reshape(-1, stacked.shape[-1]), starts


class NeuronMaps:
    """Draws the neurons' thumbnails and the hovered one enlarged (see the module docstring)."""

    def __init__(self) -> None:
        self._image: QImage | None = None
        self._starts: list[int] = []
        self._made_from: list[np.ndarray] | None = None

    def _atlas(self, model: AppModel) -> tuple[QImage, list[int]]:
        maps = model.plane.maps(THUMB, THUMB)
        if self._image is None or maps is not self._made_from:
            values, self._starts = atlas(maps)
            self._image = map_image(values)
            self._made_from = maps
        return self._image, self._starts

    @staticmethod
    def covered(lay: DiagramLayout, scale: float, model: AppModel) -> tuple[float, ...]:
        """Per layer, the half side (pixels) of the opaque thumbnail over each neuron at ``scale`` (0: none
        drawn); none at all (``()``) off the plane."""
        if not model.plane.active:
            return ()
        sides = (thumb_side(lay, scale, layer) for layer in range(len(lay.centers)))
        return tuple(round(side / 2, 1) if side >= MIN_SIDE else 0.0 for side in sides)

    def paint(self, p: QPainter, frame: Frame, model: AppModel, rings: list[Mark]) -> None:
        """Each neuron's thumbnail, a square over its circle as large as the space to its neighbours allows,
        and the selected and hovered neurons' ``rings`` around theirs."""
        if not model.plane.active:
            return
        lay, view = frame.layout, frame.view
        image, starts = self._atlas(model)
        sides = [thumb_side(lay, view.scale, layer) for layer in range(len(lay.centers))]
        # One smooth scaling of the atlas per layer size, then plain copies (no scaling per neuron).
        scaled: dict[int, QImage] = {}
        p.save()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(QPen(frame.palette.color("outline"), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for layer, centres in enumerate(lay.centers):
            side = sides[layer]
            if side < MIN_SIDE:
                continue
            px = max(1, round(side * frame.dpr))
            if px not in scaled:
                scaled[px] = image.scaled(px, px * image.height() // THUMB, Qt.AspectRatioMode.IgnoreAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation)
            strip = scaled[px]
            for i, (x, y) in enumerate(centres.tolist()):
                c = view.to_screen(x, y)
                rect = QRectF(round(c.x() - side / 2), round(c.y() - side / 2), px / frame.dpr, px / frame.dpr)
                p.drawImage(rect, strip, QRectF(0, (starts[layer] + i) * px, px, px))
                p.drawRect(rect)
        for item, color, width in rings:
            if item.kind == "neuron" and sides[item.layer] >= MIN_SIDE:
                c = lay.centers[item.layer][item.m]
                centre = view.to_screen(float(c[0]), float(c[1]))
                half = sides[item.layer] / 2 + width / 2 + 1
                p.setPen(QPen(color, width))
                p.drawRect(QRectF(centre.x() - half, centre.y() - half, 2 * half, 2 * half))
        p.restore()

    def paint_hover(self, p: QPainter, frame: Frame, model: AppModel, item: Selection | None) -> None:
        """The hovered neuron's map enlarged beside it (over everything else)."""
        if not model.plane.active or item is None or item.kind != "neuron":
            return
        lay, view = frame.layout, frame.view
        layer_maps = model.plane.maps(HOVER_SIZE, HOVER_SIZE)[item.layer]
        limit = scale_limit(layer_maps)
        c = lay.centers[item.layer][item.m]
        centre = view.to_screen(float(c[0]), float(c[1]))
        r = thumb_side(lay, view.scale, item.layer) / 2
        side = float(HOVER_PIXELS)
        left = centre.x() + r + 8 if centre.x() + r + 8 + side < frame.width else centre.x() - r - 8 - side
        top = min(max(4.0, centre.y() - side / 2), frame.height - side - 22)
        rect = QRectF(left, top, side, side)
        p.save()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        p.fillRect(rect.adjusted(-3, -3, 3, 21), frame.palette.color("background"))
        p.drawImage(rect, map_image(layer_maps[item.m], limit))
        p.setPen(QPen(frame.palette.color("outline"), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)
        p.setPen(QColor(frame.palette.color("text")))
        p.drawText(QPointF(rect.left(), rect.bottom() + 15),
                   f"{neuron_label(item.layer, item.m, 'unicode')} over the plane · ±{limit:.3g}")
        p.restore()
