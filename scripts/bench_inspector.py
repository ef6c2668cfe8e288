"""Benchmark the backprop inspector: showing one update of a 64-128-128-10 network.

Builds the inspector panel (900×900, offscreen raster) over a model with a
64-128-128-10 network on the digits data (26,122 parameter rows), makes a
traced step, and times what the panel does to show it: build the columnar
table, reset the models, write the equations, and paint (the event loop runs
until the parameter table and the equations have each painted a frame).  Then times the interactions on
that table: sorting by |∂L/∂·|, top k, a layer filter, selecting a neuron
(all its rows are selected) and a weight deep in the table (scrolled to).
The gradient check of every row runs in time slices of the event loop (the
window stays responsive); its total time is reported too.  Prints a table of medians and
maxima.

Target: step → inspector shown and painted ≤ 100 ms.

Run: .venv/bin/python scripts/bench_inspector.py [--repeats N] [--batch B]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import NetworkConfig
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import UpdateTable
from neuroviz.model import AppModel
from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.inspector_tables import Col

TARGET_MS = 100.0
SIZES = (64, 128, 128, 10)


class PaintCounter(QObject):
    """Counts paint events of one widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def until_painted(app: QApplication, counters: list[PaintCounter]) -> None:
    """Run the event loop until every counted widget has painted once more."""
    start = [c.count for c in counters]
    for _ in range(1000):
        app.processEvents()
        if all(c.count > s for c, s in zip(counters, start)):
            return
    raise RuntimeError("the panel did not repaint")


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of ``repeats`` calls of ``fn``."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--width", type=int, default=900, help="panel width in pixels (height 900)")
    args = parser.parse_args()
    limit_blas_threads(1)
    app = QApplication.instance() or QApplication(sys.argv)
    model = AppModel()
    model.new_network(NetworkConfig(sizes=SIZES), "digits")
    model.set_batch_size(args.batch)
    panel = InspectorPanel(model)
    panel.resize(args.width, 900)
    panel.show()
    app.processEvents()
    model.step()
    panel.refresh()
    app.processEvents()
    n_rows = len(panel.table) if panel.table is not None else 0

    painted = [PaintCounter(panel.view.viewport()), PaintCounter(panel.equations.viewport())]

    def show_update() -> None:
        model.step()  # emits stepped: the panel schedules its refresh
        until_painted(app, painted)  # the refresh runs, then the table and the equations paint

    def step_only() -> None:
        model.step()

    rows: list[tuple[str, list[float]]] = []
    # the core's share, to separate it from the panel's
    panel.hide()
    rows.append(("model.step() alone (core, panel hidden)", timed(step_only, args.repeats)))
    panel.show()
    app.processEvents()
    trace = model.last_trace
    rows.append(("UpdateTable.from_trace", timed(lambda: UpdateTable.from_trace(trace), args.repeats)))
    rows.append(("step → inspector shown and painted", timed(show_update, args.repeats)))

    header = panel.view.horizontalHeader()
    flip = [Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder]

    def sort_grad() -> None:
        flip.reverse()
        header.setSortIndicator(Col.PRODUCT, flip[0])
        until_painted(app, painted[:1])

    rows.append(("sort by |∂L/∂·| + paint", timed(sort_grad, args.repeats)))
    top = [10, 100]

    def top_k() -> None:
        top.reverse()
        panel.top_spin.setValue(top[0])
        until_painted(app, painted[:1])

    rows.append(("top k by |∂L/∂·| + paint", timed(top_k, args.repeats)))
    panel.top_spin.setValue(0)
    layers = [1, 0]

    def layer_filter() -> None:
        layers.reverse()
        panel.layer_combo.setCurrentIndex(layers[0])
        until_painted(app, painted[:1])

    rows.append(("layer filter + paint", timed(layer_filter, args.repeats)))
    panel.layer_combo.setCurrentIndex(0)
    header.setSortIndicator(Col.PARAM, Qt.SortOrder.AscendingOrder)
    neurons = [Selection("neuron", 1, 5), Selection("neuron", 2, 77)]

    def select_neuron() -> None:
        neurons.reverse()
        model.select(neurons[0])
        until_painted(app, painted)

    rows.append(("select a neuron (its rows selected) + paint", timed(select_neuron, args.repeats)))
    weights = [Selection("weight", 0, 120, 60), Selection("weight", 1, 3, 100)]

    def select_weight() -> None:
        weights.reverse()
        model.select(weights[0])
        until_painted(app, painted)

    rows.append(("select a weight (scrolled to) + paint", timed(select_weight, args.repeats)))

    t0 = time.perf_counter()
    panel.start_check()
    while panel.checking:
        app.processEvents()
    rows.append((f"gradient check of all {n_rows:,} rows (time-sliced)", [(time.perf_counter() - t0) * 1000.0]))

    print(f"Inspector benchmark: {'-'.join(map(str, SIZES))}, batch {args.batch}, {n_rows:,} parameter rows, "
          f"{args.repeats} repeats, panel {args.width}×900 offscreen; times run until the table and the "
          f"equations have painted")
    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'median ms':>10}  {'max ms':>8}")
    print("-" * (width + 22))
    for name, ms in rows:
        print(f"{name:<{width}}  {statistics.median(ms):>10.1f}  {max(ms):>8.1f}")
    shown = statistics.median(dict(rows)["step → inspector shown and painted"])
    verdict = "meets" if shown <= TARGET_MS else "MISSES"
    print(f"\nstep → shown: median {shown:.1f} ms {verdict} the target of ≤ {TARGET_MS:.0f} ms")
    panel.close()
    return 0 if shown <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
