"""Benchmark editing the input: from a pixel edit to the painted frame of the whole window.

Builds the real main window (1400×900, offscreen raster) with the pixel
editor docked, sends the edit (a mouse move of a stroke over a new cell, a
tool, an undo) and times until the event loop has repainted the window:
the grid, the prediction bars and the network diagram each counted one paint
event.  Prints a table of medians and 95th percentiles.

Target: edit → painted frame ≤ 16 ms median on the default network (64-16-16-2).
The ``cpu med`` column is the process CPU time of the same interval: the
wall-clock numbers also count any time the process waits to run.

Run: .venv/bin/python scripts/bench_edit.py [--frames N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from neuroviz.blas import limit_blas_threads
from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.pixel_editor import PixelEditor

TARGET_MS = 16.0
EXAMPLES = (("circles-squares", "64-16-16-2 (default)"), ("digits", "64-32-16-10"), ("paper-figure-4", "4-3-2"))


class PaintCounter(QObject):
    """Counts paint events of the watched widgets."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.counts = dict.fromkeys(widgets, 0)
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self.counts:
            self.counts[watched] += 1  # type: ignore[index]
        return False

    def snapshot(self) -> list[int]:
        return list(self.counts.values())


def mouse(grid: QWidget, kind: QEvent.Type, cell: tuple[int, int], button: Qt.MouseButton,
          buttons: Qt.MouseButton) -> None:
    pos = QPointF(grid.cell_rect(*cell).center())  # type: ignore[attr-defined]
    event = QMouseEvent(kind, pos, QPointF(grid.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(grid, event)


Timing = tuple[list[float], list[float]]


def time_frames(app: QApplication, counter: PaintCounter, edit: Callable[[int], None], frames: int) -> Timing:
    """Wall-clock and process CPU milliseconds from each ``edit(i)`` until every watched widget painted again.

    The CPU time is what the edit costs this process; it is less disturbed
    than the wall-clock time by other programs running at the same time.
    """
    wall, cpu = [], []
    for i in range(frames):
        before = counter.snapshot()
        t0, c0 = time.perf_counter(), time.process_time()
        edit(i)
        while any(a == b for a, b in zip(counter.snapshot(), before)):
            app.processEvents()
            if time.perf_counter() - t0 > 2.0:
                raise RuntimeError("a widget did not repaint after the edit")
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    return wall, cpu


def bench(app: QApplication, example: str, frames: int) -> list[tuple[str, Timing]]:
    model = AppModel()
    model.load_example(example)
    # Settings in a folder of their own: a settings file is replaced when written (never point it at /dev/null).
    settings_dir = tempfile.mkdtemp(prefix="bench-edit-")
    window = build_window(model, QSettings(os.path.join(settings_dir, "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    for _ in range(5):
        app.processEvents()
    editor = window.panels["pixelEditorDock"]
    assert isinstance(editor, PixelEditor), "the pixel editor dock is missing"
    grid = editor.grid
    diagram = window.centralWidget()
    counter = PaintCounter([grid, editor.bars, diagram])
    h, w = model.image_shape
    cells = [(r, c) for r in range(h) for c in (range(w) if r % 2 == 0 else reversed(range(w)))]
    editor.clear()
    app.processEvents()
    left = Qt.MouseButton.LeftButton
    mouse(grid, QEvent.Type.MouseButtonPress, cells[0], left, left)
    app.processEvents()

    def stroke(i: int) -> None:
        mouse(grid, QEvent.Type.MouseMove, cells[(i + 1) % len(cells)], Qt.MouseButton.NoButton, left)

    results = [("stroke: drag onto a new cell", time_frames(app, counter, stroke, frames))]
    mouse(grid, QEvent.Type.MouseButtonRelease, cells[frames % len(cells)], left, Qt.MouseButton.NoButton)
    app.processEvents()
    results.append(("tool: invert", time_frames(app, counter, lambda i: editor.invert(), frames)))
    stack = model.drawing.undo_stack
    results.append(("undo / redo", time_frames(
        app, counter, lambda i: stack.undo() if i % 2 == 0 else stack.redo(), frames)))
    window.close()
    window.deleteLater()
    app.processEvents()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=120, help="edits per case (default 120)")
    args = parser.parse_args()
    limit_blas_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"edit → painted frame, main window 1400×900 offscreen, {args.frames} edits per case")
    print(f"{'network':<22} {'edit':<30} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'cpu med':>8}  target")
    ok = True
    for example, title in EXAMPLES:
        for case, (wall, cpu) in bench(app, example, args.frames):
            med = statistics.median(wall)
            p95 = float(np.percentile(wall, 95))
            default = example == "circles-squares"
            verdict = ("ok" if med <= TARGET_MS else "MISSED") if default else ""
            ok &= med <= TARGET_MS or not default
            print(f"{title:<22} {case:<30} {med:>10.2f} {p95:>8.2f} {max(wall):>8.2f} "
                  f"{statistics.median(cpu):>8.2f}  {f'≤ {TARGET_MS:g} ' + verdict if default else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
