"""The input grid: the H×W cells of the input image a, drawn and painted with the mouse.

Left-drag paints with the brush value, right-drag erases to 0; a whole stroke
is one command on the model's undo stack.  The module also holds the pure
image edits the editor's tools use (strokes, soft brush, shift) and the
clipboard helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QKeyCombination,
    QLine,
    QMimeData,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QToolTip,
    QWidget,
)

from neuroviz.core.notation import neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.io.dataset_import import IMAGE_SUFFIXES
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.colormaps import robust_max

SOFT_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
"""Coverage of the soft brush around the cell under the pointer (centre 1)."""
VALUE_CELL_SIZE = 56
"""Cells at least this many pixels wide show their value (twice as wide: also their label a_n)."""
GRID_LINE_COLOR = QColor(112, 112, 112)
"""Lines between cells: opaque (fast to draw) and visible on both black and white."""
OVERLAY_OPACITY = 0.8
"""The −δ^a tint's opacity at the largest |δ^a| (a robust maximum)."""
NOISE_AMPLITUDE = 0.15
"""``Add noise`` adds uniform noise in ±this to every pixel (then clips to [0, 1])."""


# ------------------------------------------------------------ image edits
def stroke_cells(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """The cells (row, column) on the straight line from ``start`` to ``end``, both included."""
    (r0, c0), (r1, c1) = start, end
    n = max(abs(r1 - r0), abs(c1 - c0))
    if n == 0:
        return [start]
    t = np.arange(n + 1) / n
    rows = np.rint(r0 + t * (r1 - r0)).astype(int)
    cols = np.rint(c0 + t * (c1 - c0)).astype(int)
    return list(zip(rows.tolist(), cols.tolist()))


def cover(mask: np.ndarray, row: int, col: int, soft: bool) -> None:
    """Raise ``mask`` (shape (H, W), coverage in [0, 1]) under a brush at (row, col), in place."""
    if not soft:
        mask[row, col] = 1.0
        return
    h, w = mask.shape
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = row + dr, col + dc
            if 0 <= r < h and 0 <= c < w:
                mask[r, c] = max(mask[r, c], SOFT_KERNEL[dr + 1, dc + 1])


def painted(before: np.ndarray, mask: np.ndarray, value: float) -> np.ndarray:
    """``before`` blended toward ``value`` by coverage ``mask`` (both shape (H, W))."""
    return before + mask * (value - before)


def shifted(image: np.ndarray, d_row: int, d_col: int) -> np.ndarray:
    """The (H, W) ``image`` moved by whole pixels; cells moved in from outside are 0."""
    out = np.zeros_like(image)
    h, w = image.shape
    src = image[max(0, -d_row): h - max(0, d_row), max(0, -d_col): w - max(0, d_col)]
    out[max(0, d_row): max(0, d_row) + src.shape[0], max(0, d_col): max(0, d_col) + src.shape[1]] = src
    return out


def qimage_to_png(image: QImage) -> bytes:
    """A QImage encoded as PNG bytes (decoded again by ``neuroviz.io`` like any file)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def image_file(mime: QMimeData) -> Path | None:
    """The first local PNG/JPEG file among ``mime``'s URLs, if any."""
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
            return Path(url.toLocalFile())
    return None


# ------------------------------------------------------------------ grid
class PixelGrid(QWidget):
    """The H×W cells of the input a; paints strokes into the model.

    ``hovered(int)`` carries the flat pixel index under the pointer (−1: none).
    """

    hovered = Signal(int)

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("pixelGrid")
        self.brush_value = 1.0
        self.soft = False
        self.hover = -1
        """Frames painted so far (benchmarks wait for the next one)."""
        self._before: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._value = 0.0
        self._button = Qt.MouseButton.NoButton
        self._last: tuple[int, int] | None = None
        self.keys: dict[int, Callable[[], None]] = {}
        """Keys (``QKeyCombination.toCombined()``) handled while the grid has focus (they win over window shortcuts)."""
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        subscribe(self, model.drawing.changed, self._on_input_changed)
        subscribe(self, model.document.architecture_changed, self._on_architecture_changed)
        for signal in (model.view.changed, model.walk.changed, model.time.changed, model.showing.changed,
                       model.stepped, model.document.network_changed):
            subscribe(self, signal, self._on_shown_changed)

    def _on_shown_changed(self, *_: object) -> None:
        if self.model.view.input_overlay:
            self.update()

    def input_delta(self) -> np.ndarray | None:
        """Shape (n_0,): δ^a = ∂L/∂a of the input and moment shown (``model.shown()``), or ``None`` while
        it is not known (the loss is not finite, or a walk has not reached δ^b yet)."""
        shown = self.model.shown()
        progress = shown.progress(self.model.phase)
        return shown.input_delta() if progress is None or progress.knows_delta(1) else None

    def overlay_image(self) -> QImage | None:
        """The −δ^a tint as an H×W image (``None``: no overlay): the highlight colour (blue) where a brighter
        pixel lowers the loss (δ^a < 0), the bright-text colour (red) where a darker one does; opacity by |δ^a|
        on a robust scale."""
        delta = self.input_delta() if self.model.view.input_overlay else None
        if delta is None:
            return None
        h, w = self.shape
        pal = self.palette()
        brighter, darker = pal.color(QPalette.ColorRole.Highlight), pal.color(QPalette.ColorRole.BrightText)
        strength = np.clip(np.abs(delta) / robust_max([delta]), 0.0, 1.0) * OVERLAY_OPACITY
        rgb = np.where((delta < 0)[:, None], [brighter.red(), brighter.green(), brighter.blue()],
                       [darker.red(), darker.green(), darker.blue()])
        argb = np.empty((h * w, 4), dtype=np.uint8)  # B, G, R, A: premultiplied ARGB32 in memory order
        argb[:, 0], argb[:, 1], argb[:, 2] = (rgb[:, ::-1].T * strength).astype(np.uint8)
        argb[:, 3] = np.rint(strength * 255).astype(np.uint8)
        image = QImage(argb.tobytes(), w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied)
        return image.copy()  # owns its pixels

    # -------------------------------------------------------------- geometry
    def _on_input_changed(self) -> None:
        self.update()

    @property
    def shape(self) -> tuple[int, int]:
        return self.model.image_shape

    def sizeHint(self) -> QSize:
        return QSize(288, 288)

    def cell_size(self) -> int:
        h, w = self.shape
        return max(1, min((self.width() - 1) // w, (self.height() - 1) // h))

    def origin(self) -> QPoint:
        h, w = self.shape
        s = self.cell_size()
        return QPoint((self.width() - s * w) // 2, (self.height() - s * h) // 2)

    def cell_rect(self, row: int, col: int) -> QRect:
        """The widget rectangle of cell (row, col)."""
        s = self.cell_size()
        o = self.origin()
        return QRect(o.x() + col * s, o.y() + row * s, s, s)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(row, col) of the cell at widget position ``pos``, or None outside the grid."""
        h, w = self.shape
        s = self.cell_size()
        o = self.origin()
        dx, dy = pos.x() - o.x(), pos.y() - o.y()
        if dx < 0 or dy < 0:
            return None
        row, col = dy // s, dx // s
        return (row, col) if row < h and col < w else None

    # ---------------------------------------------------------------- strokes
    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if self._button != Qt.MouseButton.NoButton or button not in (Qt.MouseButton.LeftButton,
                                                                     Qt.MouseButton.RightButton):
            return
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            return
        self._button = button
        self._value = self.brush_value if button == Qt.MouseButton.LeftButton else 0.0
        self._before = self.model.input.reshape(self.shape).copy()
        self._mask = np.zeros(self.shape)
        self._last = None
        self._stroke_to(cell)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        self._set_hover(-1 if cell is None else cell[0] * self.shape[1] + cell[1])
        if self._button != Qt.MouseButton.NoButton and event.buttons() & self._button:
            if cell is None:
                self._last = None
            else:
                self._stroke_to(cell)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != self._button or self._before is None:
            return
        before = self._before
        self._button = Qt.MouseButton.NoButton
        self._before = self._mask = self._last = None
        after = self.model.input
        if not np.array_equal(after, before.reshape(-1)):
            text = stroke_name(self._value)
            self.model.edit_input(after, text, before=before)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hover(-1)
        super().leaveEvent(event)

    def cancel_stroke(self) -> None:
        """Forget a stroke in progress, restoring the image it started from."""
        if self._before is not None and self._before.size == self.model.input.size:
            self.model.set_input(self._before)
        self._button = Qt.MouseButton.NoButton
        self._before = self._mask = self._last = None

    def _stroke_to(self, cell: tuple[int, int]) -> None:
        assert self._mask is not None and self._before is not None
        if cell == self._last:
            return  # still inside the same cell: nothing new to paint
        for r, c in stroke_cells(self._last or cell, cell):
            cover(self._mask, r, c, self.soft)
        self._last = cell
        self.model.set_input(painted(self._before, self._mask, self._value))

    def _set_hover(self, index: int) -> None:
        if index != self.hover:
            old, self.hover = self.hover, index
            for i in (old, index):
                if i >= 0:
                    self.update(self.cell_rect(*divmod(i, self.shape[1])).adjusted(-2, -2, 2, 2))
            self.hovered.emit(index)

    def _on_architecture_changed(self) -> None:
        self._button = Qt.MouseButton.NoButton
        self._before = self._mask = self._last = None
        self.hover = -1
        self.updateGeometry()
        self.update()

    # ---------------------------------------------------------------- hover
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._own_key(event):
            event.accept()
            return True
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            cell = self.cell_at(event.pos())
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.describe(cell[0] * self.shape[1] + cell[1]), self)
            return True
        return super().event(event)

    def _own_key(self, event: QEvent) -> bool:
        assert isinstance(event, QKeyEvent)
        return _combined(event) in self.keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._own_key(event):
            self.keys[_combined(event)]()
        else:
            super().keyPressEvent(event)

    def describe(self, index: int) -> str:
        """``a_12 = 0.734 (row 2, column 4)`` for pixel ``index`` (0-based)."""
        row, col = divmod(index, self.shape[1])
        value = float(self.model.input[index])
        text = f"{neuron_label(0, index, 'unicode')} = {fmt(value, 4)}   (row {row + 1}, column {col + 1})"
        delta = self.input_delta() if self.model.view.input_overlay else None
        if delta is not None and index < delta.size:
            d = float(delta[index])
            better = "brighter" if d < 0 else "darker" if d > 0 else "neither brighter nor darker"
            text += f"\nδᵃ{neuron_label(0, index, 'unicode')[1:]} = {fmt(d, 4)}: {better} lowers the loss"
        return text

    # ---------------------------------------------------------------- paint
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Window))
        h, w = self.shape
        s = self.cell_size()
        o = self.origin()
        img = self.model.input.reshape(h, w)
        levels = np.ascontiguousarray(np.rint(np.clip(img, 0.0, 1.0) * 255), dtype=np.uint8)
        pixels = QImage(levels.tobytes(), w, h, w, QImage.Format.Format_Grayscale8)
        painter.drawImage(QRect(o.x(), o.y(), w * s, h * s), pixels)  # scaled without smoothing
        tint = self.overlay_image()
        if tint is not None:
            painter.drawImage(QRect(o.x(), o.y(), w * s, h * s), tint)
        if s >= 6:
            painter.setPen(QPen(GRID_LINE_COLOR, 1))
            painter.drawLines([QLine(o.x(), o.y() + r * s, o.x() + w * s - 1, o.y() + r * s) for r in range(1, h)]
                              + [QLine(o.x() + c * s, o.y(), o.x() + c * s, o.y() + h * s - 1) for c in range(1, w)])
        if s >= VALUE_CELL_SIZE:
            self._paint_values(painter, img, levels, labels=s >= 2 * VALUE_CELL_SIZE)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(o.x() - 1, o.y() - 1, w * s + 1, h * s + 1)
        if 0 <= self.hover < h * w:
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(self.cell_rect(*divmod(self.hover, w)).adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_values(self, painter: QPainter, img: np.ndarray, levels: np.ndarray, labels: bool) -> None:
        """Write each value (and its label a_n if ``labels``) in its cell, for large cells."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        h, w = img.shape
        for r in range(h):
            for c in range(w):
                dark = levels[r, c] > 140
                painter.setPen(QColor(20, 20, 20) if dark else QColor(235, 235, 235))
                rect = self.cell_rect(r, c)
                value = fmt(float(img[r, c]), 3)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                                 f"{neuron_label(0, r * w + c, 'unicode')}\n{value}" if labels else value)


# ----------------------------------------------------------------- editor


def _combined(event: QKeyEvent) -> int:
    """The key and its modifiers (not the keypad's) as one ``QKeyCombination.toCombined()`` number."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeyCombination(modifiers, Qt.Key(event.key())).toCombined()


def stroke_name(value: float) -> str:
    """How Edit ▸ Undo names a stroke of brush ``value``: ``Paint stroke``, ``Paint stroke of 0.5``, ``Erase stroke``.

    The brush value is named only when it is not the usual 1 (white).
    """
    if value == 0.0:
        return "Erase stroke"
    return "Paint stroke" if value == 1.0 else f"Paint stroke of {fmt(value, 3)}"
