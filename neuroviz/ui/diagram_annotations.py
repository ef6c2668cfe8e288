"""The texts and legends around the network: layer headers, the outputs' values, the mode line, colour bars.

Headers name each layer by its letter (a, b, c, …) with its size and
activation; each output gets its class name, p (or o for a loss without
softmax) and a probability bar; the mode line says what edges and neurons
show; the legends give the colour scales' ends.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QImage, QPainter

from neuroviz.core.network import NetworkConfig
from neuroviz.core.notation import layer_letter
from neuroviz.core.phases import Phase
from neuroviz.ui.diagram_legend import LEGEND_HEIGHT, LEGEND_WIDTH, draw_legend
from neuroviz.ui.diagram_neurons import NAMED_NEURON
from neuroviz.ui.diagram_sprites import render_sprite
from neuroviz.ui.diagram_style import ThemedCache
from neuroviz.ui.diagram_text import TextCache, TextItem, draw_items
from neuroviz.ui.diagram_values import EDGE_SYMBOLS, EDGE_TITLES, DiagramValues
from neuroviz.ui.diagram_view import Frame, Memo
from neuroviz.ui.math_text import shown_number

MAX_LEGEND_IMAGES = 4096
"""At most this many pre-rendered legends (one per title, tick texts and device) are kept."""


class OutputRow(NamedTuple):
    """Where an output's value line goes (top left), its bar (``None``: no room) and its texts."""

    x: float
    y: float
    bar_y: float | None
    name: str
    target: str


class Outputs(NamedTuple):
    """What is written beside the output layer (plain data from the model)."""

    probs: np.ndarray
    """Shape (n_L,): p (or o) of each output for the current input."""
    loss: str
    """The network's loss: with ``cross_entropy`` the outputs are probabilities, written as p with bars."""
    class_names: tuple[str, ...]
    target: int


class Annotations:
    """Draws the headers, the outputs' texts, the mode line and the legends (placed once per view)."""

    def __init__(self, texts: TextCache) -> None:
        self._texts = texts
        self._headers: Memo[list[TextItem]] = Memo()
        self._outputs: Memo[tuple[list[TextItem], list[OutputRow]]] = Memo()
        self._legends: ThemedCache[QImage] = ThemedCache(MAX_LEGEND_IMAGES)

    # ------------------------------------------------------------ headers
    def paint_headers(self, p: QPainter, frame: Frame, config: NetworkConfig, image_shape: tuple[int, int]) -> None:
        """Each layer's letter and detail line (size, activation) above it."""
        draw_items(p, self._headers.get((*frame.key, config, image_shape),
                                        lambda: self._place_headers(frame, config, image_shape)))

    def _place_headers(self, frame: Frame, config: NetworkConfig, image_shape: tuple[int, int]) -> list[TextItem]:
        """Each layer's letter and detail line, placed; letters first, then details."""
        lay, view, fonts, texts = frame.layout, frame.view, frame.fonts, self._texts
        hidden_x = lay.layer_x[1:]
        gap = float(np.diff(hidden_x).min()) * view.scale if hidden_x.size > 1 else np.inf
        letters: list[TextItem] = []
        details: list[TextItem] = []
        for l in range(len(lay.sizes)):
            if l == 0 and lay.grid is not None:
                x = lay.layer_x[0]
                top = lay.grid.y0
            else:
                x = lay.layer_x[l]
                top = float(lay.centers[l][:, 1].min() - lay.radius[l])
            pt = view.to_screen(float(x), float(top))
            if lay.radius[l] * view.scale >= NAMED_NEURON and not (l == 0 and lay.grid is not None):
                pt.setY(pt.y() - 14)
            roomy = gap >= 150
            if l == 0:
                h, w = image_shape
                size = f"{h}×{w}" if lay.grid is not None else f"{lay.sizes[0]}"
                detail = f"input · {size}" if roomy else size
            else:
                act = config.activation_of(l)
                act = act if act != "none" else "linear"
                kind = "output" if l == len(lay.sizes) - 1 else "hidden"
                detail = f"{kind} · {lay.sizes[l]} · {act}" if roomy else f"{lay.sizes[l]} · {act}"
            for items, text, name, color, dy in ((letters, layer_letter(l), "bold", "text", 44),
                                                 (details, detail, "small", "muted", 26)):
                st = texts.static_text(text, fonts, name)
                items.append((QPointF(pt.x() - st.size().width() / 2, pt.y() - dy), st, fonts.named(name),
                              frame.palette.color(color)))
        return letters + details

    # ------------------------------------------------------------ outputs
    def paint_outputs(self, p: QPainter, frame: Frame, out: Outputs) -> None:
        """Each output's class name, p (or o) and probability bar right of it; the largest p in bold."""
        pal, fonts, texts = frame.palette, frame.fonts, self._texts
        sym = "p" if out.loss == "cross_entropy" else "o"
        best = int(np.argmax(out.probs))
        names, rows = self._outputs.get((*frame.key, out.class_names, out.target, best),
                                        lambda: self._place_outputs(frame, out, best))
        draw_items(p, names)
        p.setPen(pal.color("text"))
        shown = out.probs.tolist()
        for i, row in enumerate(rows):
            value = f"{sym} = {shown_number(shown[i], 3)}"
            if names:  # two lines: the value under the name
                p.setFont(fonts.base)
                texts.draw_at(p, QPointF(row.x, row.y), value, fonts, "base")
            else:
                font = "bold" if i == best else "base"
                p.setFont(fonts.named(font))
                texts.draw_at(p, QPointF(row.x, row.y), f"{row.name}  {value}{row.target}", fonts, font)
            if sym == "p" and row.bar_y is not None:
                full = 70.0
                p.fillRect(QRectF(row.x, row.bar_y, full, 4), pal.color("surface"))
                p.fillRect(QRectF(row.x, row.bar_y, full * min(max(shown[i], 0.0), 1.0), 4), pal.color("accent"))

    def _place_outputs(self, frame: Frame, out: Outputs, best: int) -> tuple[list[TextItem], list[OutputRow]]:
        """Where the outputs' texts go: the names (and target mark) when there is room for two lines, and a row each.

        Without room for two lines the names list is empty and each row
        writes name, value and target mark on one line.
        """
        lay, view, pal, fonts, texts = frame.layout, frame.view, frame.palette, frame.fonts, self._texts
        L = len(lay.sizes) - 1
        line = fonts.line_height
        r = float(lay.radius[L]) * view.scale
        spacing = (float(lay.centers[L][1, 1] - lay.centers[L][0, 1]) * view.scale
                   if lay.sizes[L] > 1 else 3 * line)
        two_lines = spacing >= 2.2 * line
        with_bar = spacing >= 3.0 * line
        names: list[TextItem] = []
        rows: list[OutputRow] = []
        for i, (cx, cy) in enumerate(view.points(lay.centers[L]).tolist()):
            x = cx + r + 8
            if L == 1 and i < lay.rf_rects.shape[0]:  # labels go right of the outputs' heat-maps
                rx, _, rw, _ = lay.rf_rects[i]
                x = max(x, (rx + rw) * view.scale + view.offset[0] + 8)
            name = out.class_names[i] if i < len(out.class_names) else str(i)
            target = "  ◂ target" if i == out.target else ""
            if two_lines:
                top = cy - line - 1
                font = "bold" if i == best else "base"
                name_text = texts.static_text(name, fonts, font)
                names.append((QPointF(x, top), name_text, fonts.named(font), pal.color("text")))
                if target:
                    names.append((QPointF(x + name_text.size().width() + 4, top),
                                  texts.static_text(target.strip(), fonts, "base"), fonts.base, pal.color("muted")))
                rows.append(OutputRow(x, top + line, top + 2 * line + 2 if with_bar else None, name, target))
            else:
                rows.append(OutputRow(x, cy - line / 2, cy + line / 2 if with_bar else None, name, target))
        return names, rows

    # ------------------------------------------------------------ mode line and legends
    def paint_info(self, p: QPainter, frame: Frame, v: DiagramValues, phase: Phase | None,
                   drawn_of: tuple[int, int] | None) -> None:
        """The mode line at the top left: the phase, what edges and neurons show, the level of detail.

        ``drawn_of``: (drawn, all) edges when the level of detail leaves some out.
        """
        fonts = frame.fonts
        p.setFont(fonts.base)
        p.setPen(frame.palette.color("muted"))
        node_word = "δ" if v.node_mode == "deltas" else "activations"
        parts = [f"Edges: {EDGE_TITLES[v.edge_mode]}", f"Neurons: {node_word}"]
        if v.batch > 1 and (phase is not None or v.edge_mode != "weights" or v.node_mode == "deltas"):
            parts.append(f"mean over a batch of {v.batch}")
        if phase is not None:
            parts.insert(0, phase.title())
        if drawn_of is not None:
            parts.append(f"level of detail: the {drawn_of[0]:,} strongest of {drawn_of[1]:,} edges")
        if v.note:
            parts.append(v.note)
        p.drawStaticText(QPointF(12, 10), self._texts.static_text("   ·   ".join(parts), fonts, "base"))

    def paint_legends(self, p: QPainter, frame: Frame, v: DiagramValues, edge_vmax: float, node_vmax: float) -> None:
        """The colour bars of the edges, the neurons and (room permitting) the input, at the bottom left."""
        pal, w = frame.palette, frame.width
        node_title = "neuron δ" if v.node_mode == "deltas" else "neuron activation"
        edge_title = f"edge {EDGE_SYMBOLS[v.edge_mode]}"
        y = frame.height - 78.0
        x = self._legend(p, frame, 14.0, y, edge_title, edge_vmax, pal.node_lut, wedge=True)
        if x + 14 + LEGEND_WIDTH + 24 <= w:
            x = self._legend(p, frame, x + 14, y, node_title, node_vmax, pal.node_lut, wedge=False)
        if x + 14 + LEGEND_WIDTH / 2 + 24 <= w:
            self._legend(p, frame, x + 14, y, "input a", 1.0, pal.ink_lut, wedge=False, sequential=True)

    def _legend(self, p: QPainter, frame: Frame, x: float, y: float, title: str, vmax: float, lut: np.ndarray,
                wedge: bool, sequential: bool = False) -> float:
        """One colour-bar legend at (x, y) (drawn once per text and kept); returns its right edge."""
        bar_w = LEGEND_WIDTH if not sequential else LEGEND_WIDTH / 2
        lo, mid, hi = ("0", "", "1") if sequential else (shown_number(-vmax, 2), "0", shown_number(vmax, 2))
        fonts, theme = frame.fonts, frame.palette.theme
        key = (title, lo, hi, wedge, bar_w, frame.dpr, fonts.key)
        image = self._legends.get(frame.palette, key, lambda: render_sprite(
            QSize(int(bar_w) + 24, LEGEND_HEIGHT), frame.dpr, fonts.base,
            lambda q: draw_legend(q, theme, fonts.base, title, (lo, mid, hi), lut, wedge, bar_w)))
        p.drawImage(QPointF(x, y), image)
        return x + bar_w + 24
