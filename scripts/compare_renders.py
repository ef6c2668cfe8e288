"""Render the network diagram in many states and save or compare the pictures, pixel for pixel.

A check for changes to the diagram's code that must not change what it
draws: run ``save`` before the change and ``compare`` after it.  Every state
is reached through the diagram's and the model's public interface only
(mouse events for hover and drag), on one long-lived diagram per scenario, so
that the caches are exercised as in the app.  Scenarios: the three examples
and a large network (level of detail) × both themes × several widget sizes;
in each, edge and neuron modes before and after steps, a phase walk at every
phase, selections, hover, zoom and pan, input grid and receptive fields,
drawn inputs, a font change, a scaled (dpr 2) render, and exported SVG and
PNG files (compared as bytes).

Run: .venv/bin/python scripts/compare_renders.py save DIR
     .venv/bin/python scripts/compare_renders.py compare DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QFont, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import NetworkConfig
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.picture_export import diagram_png, diagram_svg
from neuroviz.ui.theme import DARK, LIGHT, Theme

SIZES = ((1200, 800), (900, 600), (640, 360), (320, 240))
EXAMPLES = ("circles-squares", "digits", "paper-figure-4", "64-128-128-10")
Rendered = QImage | bytes
"""A picture (compared pixel for pixel) or an exported file, SVG or PNG (compared byte for byte)."""


def mouse(diagram: NetworkDiagram, kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:
    """Send one mouse event at ``pos`` (widget coordinates)."""
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, pos, diagram.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(diagram, event)


def hover(diagram: NetworkDiagram, pos: QPointF) -> None:
    """Move the pointer, no button pressed, to ``pos``."""
    mouse(diagram, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton)


def drag(diagram: NetworkDiagram, start: QPointF, end: QPointF) -> None:
    """Drag with the left button from ``start`` to ``end`` (pans the view)."""
    left = Qt.MouseButton.LeftButton
    mouse(diagram, QEvent.Type.MouseButtonPress, start, left)
    mid = QPointF((start.x() + end.x()) / 2, (start.y() + end.y()) / 2)
    mouse(diagram, QEvent.Type.MouseMove, mid, left)
    mouse(diagram, QEvent.Type.MouseMove, end, left)
    mouse(diagram, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def open_example(model: AppModel, name: str) -> None:
    """Open one of ``EXAMPLES`` (the last is a new network of that shape on the digits)."""
    if name == "64-128-128-10":
        model.new_network(NetworkConfig(sizes=(64, 128, 128, 10)), "digits")
    else:
        model.load_example(name)


def scenario(name: str, theme: Theme, size: tuple[int, int]) -> Iterator[tuple[str, Rendered]]:
    """The states of one example at one theme and size, each with its rendered picture."""
    model = AppModel()
    open_example(model, name)
    diagram = NetworkDiagram(model, theme)
    qsize = QSize(*size)
    diagram.resize(qsize)

    def shot(label: str) -> tuple[str, QImage]:
        return label, diagram.render_image(qsize)

    last = len(model.network.sizes) - 1
    yield shot("initial")
    yield shot("initial again")
    for edge_mode in ("gradients", "updates", "weights"):
        for node_mode in ("deltas", "activations"):
            model.set_view(edge_mode=edge_mode, node_mode=node_mode)
            yield shot(f"before step {edge_mode} {node_mode}")
    model.step()
    yield shot("after one step")
    for edge_mode in ("gradients", "updates", "weights"):
        for node_mode in ("deltas", "activations"):
            model.set_view(edge_mode=edge_mode, node_mode=node_mode)
            yield shot(f"after step {edge_mode} {node_mode}")
    for edge_mode in ("weights", "gradients"):
        model.set_view(edge_mode=edge_mode, node_mode="activations")
        model.begin_phased_step()
        k = 0
        while model.phase is not None:
            yield shot(f"phase walk {edge_mode} {k} {model.phase.kind} {model.phase.layer}")
            model.next_phase()
            k += 1
        yield shot(f"after phase walk {edge_mode}")
    model.set_view(edge_mode="weights", node_mode="activations")
    if name != "paper-figure-4":
        model.set_batch_size(8)
        model.step()
        model.set_view(edge_mode="gradients", node_mode="deltas")
        yield shot("batch of 8 gradients deltas")
        model.set_view(edge_mode="weights", node_mode="activations")
        yield shot("batch of 8 weights")
    for _ in range(3):
        model.step()
    yield shot("after more steps")
    model.set_target(1 - model.target if model.target in (0, 1) else 0)
    yield shot("other target")
    for label, sel in (("hidden neuron", Selection("neuron", 1, 1)), ("weight", Selection("weight", 1, 0, 1)),
                       ("input", Selection("neuron", 0, 3)), ("output", Selection("neuron", last, 0)),
                       ("bias", Selection("bias", 0, 1))):
        model.select(sel)
        yield shot(f"selected {label}")
    hover(diagram, diagram.neuron_screen_pos(1, 0))
    yield shot("selected bias, hovered neuron")
    model.select(None)
    yield shot("hovered neuron")
    hover(diagram, diagram.edge_screen_pos(1, 0, 1, 0.4))
    yield shot("hovered edge")
    hover(diagram, diagram.neuron_screen_pos(0, 2))
    yield shot("hovered input")
    hover(diagram, QPointF(2, 2))
    yield shot("hovered nothing")
    model.select(Selection("weight", 0, 1, 2))
    diagram.zoom_by(1.25)
    yield shot("zoomed in 1.25")
    diagram.zoom_by(0.5)
    yield shot("zoomed out")
    target = diagram.neuron_screen_pos(1, 0)
    for k in range(1, 13):
        diagram.zoom_by(1.5, target)
        if k % 3 == 0:
            yield shot(f"zoomed far in ×1.5^{k}")
    hover(diagram, diagram.neuron_screen_pos(1, 0))
    yield shot("far in, hovered")
    diagram.fit_to_view()
    yield shot("fitted")
    drag(diagram, QPointF(size[0] / 2, size[1] / 2), QPointF(size[0] / 2 + 70, size[1] / 2 - 35))
    yield shot("panned")
    diagram.zoom_by(1.8, QPointF(size[0] / 3, size[1] / 3))
    yield shot("panned and zoomed")
    diagram.fit_to_view()
    model.select(Selection("neuron", 1, 2))
    diagram.set_receptive_fields(True)
    yield shot("receptive fields")
    diagram.set_input_grid(False)
    yield shot("receptive fields, no grid")
    diagram.set_receptive_fields(False)
    yield shot("no grid")
    model.select(Selection("neuron", 0, 1))
    yield shot("no grid, input selected")
    diagram.set_input_grid(True)
    diagram.set_max_edges(100)
    yield shot("max 100 edges")
    diagram.set_max_edges(2800)
    yield "dpr 2", diagram.render_image(qsize, dpr=2.0)
    for k in range(3):
        x = model.input.copy()
        x[(5 * k) % x.size] = 1.0 - x[(5 * k) % x.size]
        model.set_input(x)
        yield shot(f"input drawn {k}")
    big = QFont(diagram.font())
    big.setPointSizeF(big.pointSizeF() * 1.4)
    diagram.setFont(big)
    yield shot("bigger font")
    diagram.zoom_by(1.6, diagram.neuron_screen_pos(last, 0))
    yield shot("bigger font, zoomed")
    diagram.setFont(QFont())
    diagram.fit_to_view()
    yield shot("font back")
    other = DARK if theme is LIGHT else LIGHT
    diagram.set_theme(other)
    yield shot("other theme")
    diagram.set_theme(theme)
    yield shot("theme back")
    if size == SIZES[0]:
        yield "svg", diagram_svg(model, qsize, diagram)
        yield "svg small", diagram_svg(model, QSize(300, 200), diagram)
        yield "png export", diagram_png(model, QSize(700, 500), diagram)
        model.set_view(edge_mode="gradients", node_mode="deltas")
        yield "svg gradients", diagram_svg(model, qsize, diagram)
    diagram.deleteLater()


def all_states() -> Iterator[tuple[str, Rendered]]:
    """Every scenario's states, labelled by example, theme, size and state."""
    for name in EXAMPLES:
        for theme in (LIGHT, DARK):
            for size in SIZES:
                prefix = f"{name} {theme.name} {size[0]}x{size[1]}"
                for label, rendered in scenario(name, theme, size):
                    yield f"{prefix} {label}", rendered


def file_name(label: str) -> str:
    """``label`` made safe as a file name."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in label)


def pixels(image: QImage) -> np.ndarray:
    """The bytes of ``image``'s rows as RGB32, shape (H, bytes per line)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine()).copy()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path, help="where the pictures (PNG, SVG) and their digests go")
    args = parser.parse_args()
    limit_blas_threads(1)
    QApplication(sys.argv[:1])
    args.folder.mkdir(parents=True, exist_ok=True)
    manifest = args.folder / "digests.json"
    saved: dict[str, str] = json.loads(manifest.read_text()) if args.action == "compare" else {}
    digests: dict[str, str] = {}
    differ: list[str] = []
    for label, rendered in all_states():
        name = file_name(label)
        if name in digests:
            raise ValueError(f"two states named {label!r}")
        if isinstance(rendered, bytes):
            digests[name] = hashlib.sha256(rendered).hexdigest()
            suffix = ".png" if rendered.startswith(b"\x89PNG") else ".svg"
        else:
            data = pixels(rendered)
            header = f"{rendered.width()} {rendered.height()} {rendered.devicePixelRatio()}".encode()
            digests[name] = hashlib.sha256(header + data.tobytes()).hexdigest()
            suffix = ".png"
        if args.action == "compare" and saved.get(name) == digests[name]:
            continue
        path = args.folder / (name + suffix if args.action == "save" else f"{name}.new{suffix}")
        if args.action == "compare":
            differ.append(label)
        if isinstance(rendered, bytes):
            path.write_bytes(rendered)
        else:
            rendered.save(str(path))
    if args.action == "save":
        manifest.write_text(json.dumps(digests, indent=0))
        print(f"{len(digests)} states saved in {args.folder}")
        return 0
    missing = sorted(set(saved) - set(digests))
    print(f"{len(digests)} states compared: {len(digests) - len(differ)} identical, {len(differ)} differ"
          f"{f', {len(missing)} saved states not rendered' if missing else ''}")
    for label in differ:
        print("  differs:", label)
    return 1 if differ or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
