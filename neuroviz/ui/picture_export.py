"""Pictures of the diagram and the loss curves: PNG of a chosen size, SVG.

Each export draws a fresh, offscreen copy of the panel at the size asked for
(the panel on screen keeps its size, zoom and pan), with the on-screen
panel's display options.  SVG is written with ``QSvgGenerator`` and
``render()``/``paint()`` (pyqtgraph's own SVG exporter fails with current
PySide6); PNG goes through a ``QImage``.  Both are written atomically.

Level of detail of the diagram's SVG: one ``<polyline>`` per drawn edge (at
most the diagram's ``max_edges``, the strongest ones; the rest are left
out), one ``<ellipse>`` per drawn neuron (the input layer is one pixel-grid
``<image>`` when drawn as a grid), and text for labels and values.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.snapshot import Snapshot
from neuroviz.model import AppModel
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.loss_plot import LossPlot

MAX_SIDE = 16384
"""Largest picture side in pixels."""


def check_size(size: QSize) -> QSize:
    """``size`` if each side is from 1 to ``MAX_SIDE``, else ``ValueError``."""
    if not (1 <= size.width() <= MAX_SIDE and 1 <= size.height() <= MAX_SIDE):
        raise ValueError(f"a picture must be from 1×1 to {MAX_SIDE}×{MAX_SIDE} pixels; got "
                         f"{size.width()}×{size.height()}")
    return size


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the image could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def svg_bytes(paint: Callable[[QPainter], None], size: QSize, title: str, description: str = "") -> bytes:
    """An SVG drawing of ``size`` whose content ``paint(painter)`` draws."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def render_widget(widget: QWidget, painter: QPainter) -> None:
    """Draw ``widget`` and its children with ``painter`` (``QWidget.render``, also for graphics views)."""
    QWidget.render(widget, painter, QPoint(0, 0))


def widget_image(widget: QWidget, size: QSize) -> QImage:
    """``widget`` (a top-level, not shown) resized to ``size`` and rendered to an image."""
    widget.resize(size)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        render_widget(widget, painter)
    finally:
        painter.end()
    return image


# ------------------------------------------------------------------ diagram
def offscreen_diagram(model: AppModel, like: NetworkDiagram | None = None) -> NetworkDiagram:
    """A new diagram of ``model`` for drawing off screen, with ``like``'s display options."""
    diagram = NetworkDiagram(model, like.theme) if like is not None else NetworkDiagram(model)
    if like is not None:
        diagram.input_grid = like.input_grid
        diagram.receptive_fields = like.receptive_fields
        diagram.max_edges = like.max_edges
    return diagram


def diagram_png(model: AppModel, size: QSize, like: NetworkDiagram | None = None) -> bytes:
    """The diagram as a PNG of exactly ``size`` pixels."""
    diagram = offscreen_diagram(model, like)
    try:
        return png_bytes(diagram.render_image(check_size(size)))
    finally:
        diagram.deleteLater()


def diagram_svg(model: AppModel, size: QSize, like: NetworkDiagram | None = None) -> bytes:
    """The diagram as SVG (see the module's note on its level of detail)."""
    diagram = offscreen_diagram(model, like)
    try:
        diagram.resize(check_size(size))
        diagram.render_image(size)  # lays the network out for this size
        title = model.document.title or "-".join(str(s) for s in model.network.sizes)
        return svg_bytes(lambda p: diagram.paint(p, size.width(), size.height()), size, title,
                         f"neuroviz diagram of the {'-'.join(str(s) for s in model.network.sizes)} network")
    finally:
        diagram.deleteLater()


# --------------------------------------------------------------- loss curves
def offscreen_loss_graphics(model: AppModel, like: LossPlot | None = None) -> tuple[LossPlot, QWidget]:
    """A new loss plot of ``model`` and its plot area, detached for drawing off screen."""
    plot = LossPlot(model)
    if like is not None:
        plot.set_log_scale(like.log_check.isChecked())
        plot.set_smoothing(like.smoothing_spin.value())
    plot.refresh()
    graphics = plot.graphics
    graphics.setParent(None)
    return plot, graphics


def loss_png(model: AppModel, size: QSize, like: LossPlot | None = None) -> bytes:
    """The loss and accuracy curves as a PNG of exactly ``size`` pixels."""
    plot, graphics = offscreen_loss_graphics(model, like)
    try:
        return png_bytes(widget_image(graphics, check_size(size)))
    finally:
        _discard_loss_plot(plot, graphics)


def loss_svg(model: AppModel, size: QSize, like: LossPlot | None = None) -> bytes:
    """The loss and accuracy curves as SVG."""
    plot, graphics = offscreen_loss_graphics(model, like)
    try:
        widget_image(graphics, check_size(size))  # lays the plots out for this size
        return svg_bytes(lambda p: render_widget(graphics, p), size, f"Loss curves: {model.document.title}",
                         "neuroviz loss per update and accuracy per epoch")
    finally:
        _discard_loss_plot(plot, graphics)


def _discard_loss_plot(plot: LossPlot, graphics: QWidget) -> None:
    """Give the plot area back to its plot (whose event filter watches it) and delete both together."""
    graphics.setParent(plot)
    plot.deleteLater()


@dataclass(frozen=True)
class PictureExports:
    """The window's picture export service: the diagram and the loss curves, with their on-screen options.

    Built by the composition root over the window's ``diagram`` and its loss plot
    panel (``None`` if the window has none: the curves are then drawn with the defaults).
    """

    model: AppModel
    diagram: NetworkDiagram
    loss_plot: LossPlot | None

    KINDS = ("diagram_png", "diagram_svg", "loss_png", "loss_svg")

    def picture(self, kind: str, size: QSize) -> bytes:
        """The bytes of picture ``kind`` (one of ``KINDS``) at ``size``."""
        if kind == "diagram_png":
            return diagram_png(self.model, size, self.diagram)
        if kind == "diagram_svg":
            return diagram_svg(self.model, size, self.diagram)
        if kind == "loss_png":
            return loss_png(self.model, size, self.loss_plot)
        if kind == "loss_svg":
            return loss_svg(self.model, size, self.loss_plot)
        raise ValueError(f"unknown picture {kind!r}")

    def on_screen_size(self, kind: str) -> QSize:
        """The size of the panel picture ``kind`` is drawn from (1200×800 if it is hidden or tiny)."""
        widget = self.diagram if kind.startswith("diagram") else (
            self.loss_plot.graphics if self.loss_plot is not None else None)
        if widget is None or widget.width() < 16:
            return QSize(1200, 800)
        return widget.size()


# ------------------------------------------------------------ command line
def export_session_pictures(
    snap: Snapshot,
    size: tuple[int, int],
    *,
    diagram_png_path: str | None = None,
    diagram_svg_path: str | None = None,
    loss_png_path: str | None = None,
    loss_svg_path: str | None = None,
) -> list[str]:
    """Draw a snapshot's pictures to the given paths (for ``neuroviz export``); returns the paths written.

    Needs a Qt platform; the command line sets ``QT_QPA_PLATFORM=offscreen``.
    """
    app = QApplication.instance() or QApplication([])
    model = AppModel()
    model.restore(snap)
    qsize = QSize(*size)
    jobs: list[tuple[str | None, Callable[[], bytes]]] = [
        (diagram_png_path, lambda: diagram_png(model, qsize)),
        (diagram_svg_path, lambda: diagram_svg(model, qsize)),
        (loss_png_path, lambda: loss_png(model, qsize)),
        (loss_svg_path, lambda: loss_svg(model, qsize)),
    ]
    written = []
    for path, make in jobs:
        if path:
            atomic_write_bytes(os.fspath(path), make())
            written.append(path)
    app.processEvents()  # deliver the deleteLater()s
    return written

