"""Benchmark the network diagram: full redraws with changing weights, and hover hit-tests.

Renders offscreen (raster) at 1200×800 and prints a table of medians.
Targets: full redraw of 64-16-16-2 ≤ 5 ms; 64-128-128-10 ≤ 16 ms with its
level of detail; hover hit-test ≤ 1 ms.

The frames of the three networks are taken in turns, a tenth of each at a
time, so that all of them are measured under the same conditions.  Just
before each frame a fixed pure-Python loop (the speed probe) is timed; the
table gives the median over all frames and over the frames whose probe ran
within 20 % of its best time in the run ("at full speed"), and below it each
tenth's median with the probe's speed during it.

Run: .venv/bin/python scripts/bench_render.py [--frames N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import NetworkConfig
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.diagram import NetworkDiagram

SIZE = QSize(1200, 800)
ROUNDS = 10
"""The frames of each network are taken in this many turns."""
FULL_SPEED = 1.2
"""A frame counts as taken at full speed when its speed probe ran within this factor of the best one."""
CASES = (
    ("64-16-16-2", (64, 16, 16, 2), "circles-squares", 5.0),
    ("64-32-16-10", (64, 32, 16, 10), "digits", None),
    ("64-128-128-10 (LOD)", (64, 128, 128, 10), "digits", 16.0),
)


def redraw_times(diagram: NetworkDiagram, model: AppModel, frames: int,
                 rng: np.random.Generator) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU times (ms) of ``frames`` frames, and the speed probe (ms) taken just before each:
    all weights change (so do the activations), then the whole diagram is repainted.

    The CPU time (of this process) is less disturbed by other programs
    running at the same time.
    """
    image = QImage(SIZE, QImage.Format.Format_RGB32)  # the diagram is opaque
    times, cpu, probes = [], [], []
    for _ in range(frames):
        for w in model.network.weights:
            w += rng.normal(0.0, 0.01, w.shape)
        # Through the model, so that the forward pass (and so every neuron's colour) changes too.
        first = model.network.weights[0]
        model.set_parameter(Selection("weight", 0, 0, 0), float(first[0, 0]))
        probes.append(probe_ms())
        t0, c0 = time.perf_counter(), time.process_time()
        p = QPainter(image)
        diagram.paint(p, SIZE.width(), SIZE.height())
        p.end()
        times.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    return times, cpu, probes


def probe_ms() -> float:
    """Best of three timings of a fixed pure-Python loop: how fast the processor runs right now."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(3_000):
            total += i
        best = min(best, 1000 * (time.perf_counter() - t0))
    return best


def hit_ms(diagram: NetworkDiagram, frames: int, rng: np.random.Generator) -> float:
    """Median time of one hover hit-test at a random point of the diagram."""
    times = []
    for _ in range(frames * 4):
        pos = QPointF(rng.uniform(0, SIZE.width()), rng.uniform(0, SIZE.height()))
        t0 = time.perf_counter()
        diagram.hit(pos)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames per case (default 60)")
    args = parser.parse_args()
    limit_blas_threads(1)
    QApplication(sys.argv[:1])
    rng = np.random.default_rng(0)
    shown = []
    for _name, sizes, dataset, _target in CASES:
        model = AppModel()
        model.new_network(NetworkConfig(sizes=sizes), dataset)
        diagram = NetworkDiagram(model)
        diagram.resize(SIZE)
        diagram.render_image()
        shown.append((model, diagram))
    turns = ROUNDS if args.frames >= ROUNDS else 1
    # Per case, per tenth: (frame ms, speed probe ms) of each frame.
    blocks: list[list[list[tuple[float, float]]]] = [[] for _ in CASES]
    cpu: list[list[float]] = [[] for _ in CASES]
    for turn in range(turns):
        for case, (model, diagram) in enumerate(shown):
            n = args.frames // turns + (1 if turn < args.frames % turns else 0)
            wall, used, probes = redraw_times(diagram, model, n, rng)
            blocks[case].append(list(zip(wall, probes)))
            cpu[case].extend(used)
    all_probes = [probe for case_blocks in blocks for block in case_blocks for _, probe in block]
    best = float(np.percentile(all_probes, 2))  # the probe's time when nothing slows it (the very least is noise)
    print(f"median of {args.frames} frames at {SIZE.width()}×{SIZE.height()}")
    print(f"{'network':<22}{'edges':>8}{'drawn':>8}{'redraw ms':>11}{'at full speed':>15}{'(cpu ms)':>10}"
          f"{'target':>8}{'hit-test ms':>13}{'target':>8}")
    for (name, _sizes, _dataset, target), (_session, diagram), case_blocks, used in zip(CASES, shown, blocks, cpu):
        frames = [frame for block in case_blocks for frame in block]
        redraw = statistics.median([t for t, _ in frames])
        fast = [t for t, probe in frames if probe <= FULL_SPEED * best]
        fast_text = f"{statistics.median(fast):.2f} ({len(fast)})" if fast else "—"
        hit = hit_ms(diagram, args.frames, rng)
        t = f"≤ {target:g}" if target else "—"
        print(f"{name:<22}{diagram.layout_.n_edges:>8,}{diagram.drawn_edge_count():>8,}{redraw:>11.2f}"
              f"{fast_text:>15}{statistics.median(used):>10.2f}{t:>8}{hit:>13.3f}{'≤ 1':>8}")
    print(f"\n(n): frames taken at full speed (speed probe within {FULL_SPEED - 1:.0%} of {1000 * best:.0f} µs). "
          "Each tenth in the order taken: median ms @ probe speed (best probe / median probe):")
    for (name, *_rest), case_blocks in zip(CASES, blocks):
        print(f"{name:<22}" + " ".join(
            f"{statistics.median([t for t, _ in block]):5.2f}@{best / statistics.median([q for _, q in block]):4.0%}"
            for block in case_blocks if block))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
