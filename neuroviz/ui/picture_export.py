"""Pictures of the diagram and the loss curves: PNG of a chosen size, SVG.

Each export draws a fresh, offscreen copy of the panel at the size asked for
(the panel on screen keeps its size, zoom and pan), with the on-screen
panel's display options.  SVG is written with ``QSvgGenerator`` and
``render()``/``paint()`` (pyqtgraph's own SVG exporter fails with current
PySide6), its fonts named as CSS font families a browser knows (Qt writes
its generic "Sans Serif"); PNG goes through a ``QImage``.  Both are written
atomically.  A picture may carry a title line above the drawing (by default
the network, the update and the loss: ``default_title``).

Level of detail of the diagram's SVG: one ``<polyline>`` per drawn edge (at
most the diagram's ``max_edges``, the strongest ones; the rest are left
out), one ``<ellipse>`` per drawn neuron (the input layer is one pixel-grid
``<image>`` when drawn as a grid), and text for labels and values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from neuroviz.core.numbers import count, fmt
from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.snapshot import Snapshot
from neuroviz.model import AppModel
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.loss_plot import LossPlot
from neuroviz.ui.qt_messages import quiet_qt_messages

MAX_SIDE = 16384
"""Largest picture side in pixels."""
CSS_FALLBACK = "DejaVu Sans, Arial, sans-serif"
"""The font families an SVG's text falls back to (fonts with the paper's symbols first)."""
GENERIC_FAMILIES = {"Sans Serif", "Sans", "Helvetica", ""}
"""Qt's generic family names, which browsers do not know: replaced by ``CSS_FALLBACK`` alone."""
TITLE_SCALE = 1.25
"""Point size of a picture's title relative to the panel's font."""
_FONT_FAMILY = re.compile(rb'font-family="([^"]*)"')


def check_size(size: QSize) -> QSize:
    """``size`` if each side is from 1 to ``MAX_SIDE``, else ``ValueError``."""
    if not (1 <= size.width() <= MAX_SIDE and 1 <= size.height() <= MAX_SIDE):
        raise ValueError(f"a picture must be from 1×1 to {MAX_SIDE}×{MAX_SIDE} pixels; got "
                         f"{size.width()}×{size.height()}")
    return size


def check_folder(path: str) -> None:
    """``FileNotFoundError`` naming the folder when the folder ``path`` is to be written in does not exist."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"the folder {folder} does not exist")


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
    # The resolution of the screen the texts are measured for: the same text sizes as on screen, and
    # a width and height that a browser shows at one pixel per pixel.
    generator.setResolution(round(QApplication.primaryScreen().logicalDotsPerInch())
                            if QApplication.primaryScreen() is not None else 96)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    buffer.close()
    return _FONT_FAMILY.sub(lambda m: b'font-family="' + css_families(m.group(1).decode()).encode() + b'"',
                            bytes(data.data()))


def css_families(family: str) -> str:
    """A CSS ``font-family`` list for Qt's ``family``: the family itself (unless generic), then ``CSS_FALLBACK``."""
    family = family.strip().strip("'\"")
    if family in GENERIC_FAMILIES:
        return CSS_FALLBACK
    return f"'{family}', {CSS_FALLBACK}"


def default_title(model: AppModel) -> str:
    """The title offered for a picture: the network, the update shown and its loss."""
    sizes = "-".join(str(s) for s in model.network.sizes)
    name = model.document.title or sizes
    parts = [name if sizes in name else f"{name} ({sizes})", f"update {count(model.trainer.step_count)}"]
    history = model.trainer.history
    if len(history):
        parts.append(f"loss {fmt(history.values[-1], 4)}")
    return " · ".join(parts)


def title_height(title: str, font: QFont) -> int:
    """Pixels a ``title`` line takes above a picture (0 without a title)."""
    return int(np.ceil(QFontMetricsF(_title_font(font)).height() + 14)) if title else 0


def draw_title(p: QPainter, title: str, width: int, font: QFont, background: QColor, color: QColor) -> None:
    """The title line across the top of a picture ``width`` pixels wide (elided if too long)."""
    big = _title_font(font)
    h = title_height(title, font)
    p.fillRect(QRectF(0, 0, width, h), background)
    p.setFont(big)
    p.setPen(color)
    text = QFontMetricsF(big).elidedText(title, Qt.TextElideMode.ElideRight, max(width - 24, 0))
    p.drawText(QRectF(12, 0, width - 24, h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


def _title_font(font: QFont) -> QFont:
    big = QFont(font)
    big.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
    big.setBold(True)
    return big


def widget_image(widget: QWidget, size: QSize, title: str = "") -> QImage:
    """``widget`` (a top-level, not shown) rendered to an image of ``size``, under a ``title`` line if given."""
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        paint_titled_widget(widget, painter, size, title)
    finally:
        painter.end()
    return image


def paint_titled_widget(widget: QWidget, p: QPainter, size: QSize, title: str) -> None:
    """``widget`` resized to fill ``size`` below a ``title`` line, drawn with ``p``."""
    band = title_height(title, widget.font())
    widget.resize(size.width(), max(size.height() - band, 1))
    if band:
        pal = widget.palette()
        draw_title(p, title, size.width(), widget.font(), pal.window().color(), pal.windowText().color())
    QWidget.render(widget, p, QPoint(0, band))


# ------------------------------------------------------------------ diagram
def offscreen_diagram(model: AppModel, like: NetworkDiagram | None = None) -> NetworkDiagram:
    """A new diagram of ``model`` for drawing off screen, with ``like``'s display options."""
    diagram = NetworkDiagram(model, like.theme) if like is not None else NetworkDiagram(model)
    if like is not None:
        diagram.input_grid = like.input_grid
        diagram.max_edges = like.max_edges
    return diagram


def diagram_png(model: AppModel, size: QSize, like: NetworkDiagram | None = None, title: str = "") -> bytes:
    """The diagram as a PNG of exactly ``size`` pixels (under a ``title`` line if given)."""
    diagram = offscreen_diagram(model, like)
    try:
        image = QImage(check_size(size), QImage.Format.Format_RGB32)
        p = QPainter(image)
        try:
            paint_titled_diagram(diagram, p, size, title)
        finally:
            p.end()
        return png_bytes(image)
    finally:
        diagram.deleteLater()


def diagram_svg(model: AppModel, size: QSize, like: NetworkDiagram | None = None, title: str = "") -> bytes:
    """The diagram as SVG (see the module's note on its level of detail), under a ``title`` line if given."""
    diagram = offscreen_diagram(model, like)
    try:
        check_size(size)
        sizes = "-".join(str(s) for s in model.network.sizes)
        return svg_bytes(lambda p: paint_titled_diagram(diagram, p, size, title), size,
                         title or model.document.title or sizes, f"neuroviz diagram of the {sizes} network")
    finally:
        diagram.deleteLater()


def paint_titled_diagram(diagram: NetworkDiagram, p: QPainter, size: QSize, title: str) -> None:
    """``diagram`` laid out to fill ``size`` below a ``title`` line, painted with ``p``."""
    band = title_height(title, diagram.font())
    body = QSize(size.width(), max(size.height() - band, 1))
    diagram.resize(body)
    diagram.fit_to_view()  # lays the network out for this size
    if band:
        pal = diagram.palette_
        draw_title(p, title, size.width(), diagram.font(), pal.color("background"), pal.color("text"))
        p.translate(0, band)
    diagram.paint(p, body.width(), body.height())


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


def loss_png(model: AppModel, size: QSize, like: LossPlot | None = None, title: str = "") -> bytes:
    """The loss and accuracy curves as a PNG of exactly ``size`` pixels (under a ``title`` line if given)."""
    plot, graphics = offscreen_loss_graphics(model, like)
    try:
        return png_bytes(widget_image(graphics, check_size(size), title))
    finally:
        _discard_loss_plot(plot, graphics)


def loss_svg(model: AppModel, size: QSize, like: LossPlot | None = None, title: str = "") -> bytes:
    """The loss and accuracy curves as SVG (under a ``title`` line if given)."""
    plot, graphics = offscreen_loss_graphics(model, like)
    try:
        widget_image(graphics, check_size(size), title)  # lays the plots out for this size
        return svg_bytes(lambda p: paint_titled_widget(graphics, p, size, title), size,
                         title or f"Loss curves: {model.document.title}",
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

    def picture(self, kind: str, size: QSize, title: str = "") -> bytes:
        """The bytes of picture ``kind`` (one of ``KINDS``) at ``size``, under a ``title`` line if given."""
        if kind == "diagram_png":
            return diagram_png(self.model, size, self.diagram, title)
        if kind == "diagram_svg":
            return diagram_svg(self.model, size, self.diagram, title)
        if kind == "loss_png":
            return loss_png(self.model, size, self.loss_plot, title)
        if kind == "loss_svg":
            return loss_svg(self.model, size, self.loss_plot, title)
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
    title: str = "",
) -> list[str]:
    """Draw a snapshot's pictures to the given paths (for ``neuroviz export``); returns the paths written.

    Each picture carries ``title`` above it if given.  Needs a Qt platform;
    the command line sets ``QT_QPA_PLATFORM=offscreen``.
    """
    app = QApplication.instance() or QApplication([])
    quiet_qt_messages()
    model = AppModel()
    model.restore(snap)
    qsize = QSize(*size)
    jobs: list[tuple[str | None, Callable[[], bytes]]] = [
        (diagram_png_path, lambda: diagram_png(model, qsize, title=title)),
        (diagram_svg_path, lambda: diagram_svg(model, qsize, title=title)),
        (loss_png_path, lambda: loss_png(model, qsize, title=title)),
        (loss_svg_path, lambda: loss_svg(model, qsize, title=title)),
    ]
    written = []
    for path, make in jobs:
        if path:
            check_folder(os.fspath(path))
            atomic_write_bytes(os.fspath(path), make())
            written.append(path)
    app.processEvents()  # deliver the deleteLater()s
    return written

