"""Render the app offscreen to docs/images/*.png (the README shows them).

Run: .venv/bin/python scripts/screenshots.py [--out docs/images]

Each picture is made from a fresh model, trained a fixed number of
updates, so the pictures are the same on every run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QSize
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import NetworkConfig
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel
from neuroviz.ui.application import make_application
from neuroviz.ui.composition import build_window
from neuroviz.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
WINDOW = QSize(1400, 900)


def train(model: AppModel, updates: int) -> None:
    """Exactly ``updates`` fast updates, then one traced update (so gradients and δ exist)."""
    if updates:
        model.train_for(3600.0, max_steps=updates)
    model.step()


def settle(app: QApplication) -> None:
    """Let queued repaints and the status bar's timer run."""
    QTest.qWait(250)
    app.processEvents()


class Shooter:
    """Makes windows with a scratch QSettings and saves pictures of them."""

    def __init__(self, out: Path) -> None:
        self.app = make_application()
        self.out = out
        self.scratch = tempfile.TemporaryDirectory(prefix="neuroviz-shots-")
        self.count = 0

    def window(self, theme: str = "light", size: QSize | None = None) -> MainWindow:
        self.count += 1
        settings = QSettings(str(Path(self.scratch.name) / f"s{self.count}.ini"), QSettings.Format.IniFormat)
        window = build_window(AppModel(), settings)
        window.apply_theme(theme)
        window.resize(size or WINDOW)
        window.show()
        settle(self.app)
        return window

    def save_window(self, window: MainWindow, name: str) -> None:
        settle(self.app)
        window.diagram.fit_to_view()
        settle(self.app)
        self._save(window.grab().toImage(), name)
        window.close()

    def save_diagram(self, window: MainWindow, name: str, size: QSize) -> None:
        settle(self.app)
        diagram = window.diagram
        diagram.setParent(None)
        diagram.resize(size)
        diagram.fit_to_view()
        self._save(diagram.render_image(size), name)
        diagram.close()
        window.close()

    def _save(self, image: object, name: str) -> None:
        path = self.out / name
        if not image.save(str(path)):  # type: ignore[attr-defined]
            raise OSError(f"could not write {path}")
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main_window_light(s: Shooter) -> None:
    w = s.window("light")
    train(w.model, 400)
    w.model.load_sample(3)
    s.save_window(w, "main.png")


def main_window_dark(s: Shooter) -> None:
    w = s.window("dark")
    w.model.load_example("digits")
    train(w.model, 1500)
    w.model.load_sample(7)
    w.model.set_view(edge_mode="gradients", node_mode="activations")
    s.save_window(w, "main-dark.png")


def paper_figure_4(s: Shooter) -> None:
    w = s.window("light")
    w.model.load_example("paper-figure-4")
    s.save_diagram(w, "paper-figure-4.png", QSize(1000, 560))


def paper_backward(s: Shooter) -> None:
    w = s.window("light")
    w.model.load_example("paper-figure-4")
    w.model.begin_phased_step()
    while w.model.phase is not None and not (w.model.phase.kind == "backward" and w.model.phase.layer == 1):
        w.model.next_phase()
    s.save_diagram(w, "paper-figure-4-backward.png", QSize(1000, 560))


def receptive_fields(s: Shooter) -> None:
    w = s.window("dark")
    w.model.load_example("digits")
    train(w.model, 3000)
    w.set_receptive_fields(True)
    w.model.select(Selection("neuron", 1, 5))
    s.save_diagram(w, "receptive-fields.png", QSize(1200, 760))


def large_network(s: Shooter) -> None:
    w = s.window("light")
    w.model.new_network(NetworkConfig(sizes=(64, 128, 128, 10)), "digits")
    train(w.model, 300)
    s.save_diagram(w, "large-network.png", QSize(1200, 760))


SHOTS: tuple[Callable[[Shooter], None], ...] = (
    main_window_light, main_window_dark, paper_figure_4, paper_backward, receptive_fields, large_network,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="folder for the PNGs")
    args = parser.parse_args()
    limit_blas_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(args.out.resolve())
    for shot in SHOTS:
        shot(shooter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
