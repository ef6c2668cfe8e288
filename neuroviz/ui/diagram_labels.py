"""Room for the diagram's texts: a board of the rectangles already taken, and a log of what was drawn.

Every text of the diagram is measured before it is placed.  The texts are
placed once per view (size, fonts, network, zoom and pan), in order of
importance: the mode line and the legends, the outputs' labels, the layer
headers, the neurons' names, the values on the edges.  Each asks the
``LabelBoard`` for a free rectangle inside the widget; a text that finds
none is abbreviated, moved or left out.  A ``LabelLog`` (switched on by
tests) collects the rectangle of every text a paint draws.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRectF

CELL = 64.0
"""Side (pixels) of the board's buckets."""
PAD = 1.0
"""Pixels kept free between two texts."""


class LabelBoard:
    """The rectangles taken so far in a ``width``×``height`` area (bucketed for quick look-ups)."""

    def __init__(self, width: float, height: float) -> None:
        self.bounds = QRectF(0, 0, width, height)
        self._cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, r: QRectF) -> Iterable[tuple[int, int]]:
        for i in range(int(r.left() // CELL), int(r.right() // CELL) + 1):
            for j in range(int(r.top() // CELL), int(r.bottom() // CELL) + 1):
                yield i, j

    def inside(self, r: QRectF) -> bool:
        """Whether ``r`` lies wholly inside the area."""
        return self.bounds.contains(r)

    def free(self, r: QRectF) -> bool:
        """Whether ``r`` lies inside the area and meets no rectangle taken (with ``PAD`` to spare)."""
        if not self.inside(r):
            return False
        grown = r.adjusted(-PAD, -PAD, PAD, PAD)
        return not any(grown.intersects(o) for k in self._keys(grown) for o in self._cells.get(k, ()))

    def take(self, r: QRectF) -> None:
        """Mark ``r`` as taken."""
        for k in self._keys(r):
            self._cells.setdefault(k, []).append(r)

    def claim(self, r: QRectF) -> bool:
        """Take ``r`` if it is free; whether it was."""
        if self.free(r):
            self.take(r)
            return True
        return False


class LabelLog:
    """The rectangle of every text one paint drew, by kind (``header``, ``output``, ``name``, …)."""

    def __init__(self) -> None:
        self.rects: list[tuple[str, str, QRectF]] = []

    def clear(self) -> None:
        self.rects.clear()

    def add(self, kind: str, text: str, rect: QRectF) -> None:
        self.rects.append((kind, text, QRectF(rect)))
