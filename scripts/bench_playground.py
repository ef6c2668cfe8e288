"""Benchmark a network on the plane training live: every neuron's map and the output map refreshed every frame.

The network is the Playground's largest, 2-8-8-8-8-8-8-2 (six hidden layers
of 8, tanh) on the spiral, in the main window (offscreen) with the Plane
panel in front: each frame draws every neuron's map at 40×40 grid points in
the diagram (``diagram_maps.THUMB``) and the output's decision map at
100×100 in the Plane panel (``plane_view.MAP_SIZE``), both at the moment
shown.  Prints a table per window size: the headless fast path's updates
per second, the rate reached live, their ratio, the window's frames per
second, the median paint, and how many times per frame the maps were
computed (1 each: refreshed every frame).

Targets: ≥ 30 frames per second, live rate ≥ ½ × headless.  The window sizes
to run are ``BENCH_WINDOWS`` (default ``"1280x720 1920x1080"``).

Run: .venv/bin/python scripts/bench_playground.py [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_train_ui import TimedMainWindow, headless_rate, run_live
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.plane_data import plane_dataset
from neuroviz.core.trainer import Trainer
from neuroviz.model import AppModel
from neuroviz.model.playground import Playground
from neuroviz.ui.composition import build_window
from neuroviz.ui.diagram_maps import THUMB
from neuroviz.ui.plane_view import MAP_SIZE

SIZES = (2, 8, 8, 8, 8, 8, 8, 2)
WINDOWS = tuple(tuple(int(v) for v in size.split("x"))
                for size in os.environ.get("BENCH_WINDOWS", "1280x720 1920x1080").split())


class Counted:
    """Counts how often the playground computes the neuron maps and the decision map (not cache hits)."""

    def __init__(self, plane: Playground) -> None:
        self.maps = 0
        self.decisions = 0
        original = plane._cached

        def cached(store, height, width, compute):  # type: ignore[no-untyped-def]
            def counted(net):  # type: ignore[no-untyped-def]
                if store is plane._maps and (height, width) == (THUMB, THUMB):
                    self.maps += 1
                elif store is plane._decision and (height, width) == (MAP_SIZE, MAP_SIZE):
                    self.decisions += 1
                return compute(net)

            return original(store, height, width, counted)

        plane._cached = cached  # type: ignore[method-assign]

    def reset(self) -> None:
        self.maps = self.decisions = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each live run (default 5)")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    folder = tempfile.mkdtemp(prefix="bench-playground-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
    QSettings().setValue("training/pace", 0.0)  # full speed
    QSettings().setValue("tour/seen", True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    model = AppModel()
    dataset = plane_dataset("spiral")
    config = NetworkConfig(sizes=SIZES, hidden_activation="tanh", init="xavier")
    network = Network(config)
    model.open(network, dataset, Trainer(network, dataset, 0.03, 10), "bench")
    counted = Counted(model.plane)
    window = build_window(model, QSettings(), TimedMainWindow)
    # Plain SGD at η 0.03 on the spiral spikes now and then (0.02 → 0.3 after some 20,000 updates), and the
    # loss-jump guard (10× by default) would pause training and leave the window idle for the rest of the run.
    # The guard keeps watching, at its usual cost, but only a factor of 10¹² would pause (set after the window
    # has applied the preferences).
    model.loss_jump.set_factor(1e12)
    print(f"network {'-'.join(map(str, SIZES))} (tanh) on the spiral, {len(dataset)} points, batch 10; "
          f"neuron maps {THUMB}×{THUMB}, output map {MAP_SIZE}×{MAP_SIZE}; {args.seconds:g} s per run\n")
    print("| window | headless upd/s | live upd/s | live/headless | fps | paint ms (median) "
          "| neuron maps per frame | output maps per frame |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for w, h in WINDOWS:
        window.resize(w, h)
        window.show()
        app.processEvents()
        headless = headless_rate(model, args.seconds)
        counted.reset()
        live = run_live(app, window, model, args.seconds)
        frames = max(1.0, live["fps"] * args.seconds)
        print(f"| {w}×{h} | {headless:,.0f} | {live['rate']:,.0f} | {live['rate'] / headless:.2f} "
              f"| {live['fps']:.1f} | {live['paint_median']:.1f} | {counted.maps / frames:.2f} "
              f"| {counted.decisions / frames:.2f} |")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
