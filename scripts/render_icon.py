"""Render resources/icons/neuroviz.svg to PNGs (256 and 64 px) for the window and the .desktop file.

Run: .venv/bin/python scripts/render_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(ICONS / "neuroviz.svg"))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(p)
    p.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv[:1])
    for size in (256, 64):
        out = ICONS / f"neuroviz-{size}.png"
        if not render(size).save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
