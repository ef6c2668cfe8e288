"""The texts and legends around the network: layer headers, the outputs' values, the mode line, colour bars.

Headers name each layer by its letter (a, b, c, …) with its size and
activation; each output gets its class name, p (or o for a loss without
softmax) and a probability bar; the mode line says what edges and neurons
show; the legends give the colour scales' ends.  All are measured first:
``margins`` keeps room for them around the network, and each is placed on
the view's ``LabelBoard`` (a header is shortened, an output's label goes on
one line, a legend shrinks, or the text is left out, when it finds no room).
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from neuroviz.core.network import NetworkConfig
from neuroviz.core.notation import layer_letter, neuron_label
from neuroviz.core.numbers import count, fmt
from neuroviz.core.phases import Phase
from neuroviz.ui.diagram_labels import PAD, LabelBoard
from neuroviz.ui.diagram_legend import LEGEND_HEIGHT, LEGEND_WIDTH, compact_size, draw_compact_legend, draw_legend
from neuroviz.ui.diagram_neurons import NAMED_NEURON
from neuroviz.ui.diagram_sprites import render_sprite
from neuroviz.ui.diagram_style import DiagramFonts, ThemedCache
from neuroviz.ui.diagram_text import TextCache, TextItem, draw_items
from neuroviz.ui.diagram_values import EDGE_SYMBOLS, EDGE_TITLES, DiagramValues
from neuroviz.ui.diagram_view import Frame, Margins

MAX_LEGEND_IMAGES = 4096
"""At most this many pre-rendered legends (one per title, tick texts and device) are kept."""
VALUE_TEMPLATE = "8.88×10⁻⁸⁸"
"""The widest output value (``fmt`` with 3 digits, after a minus sign for o) a label makes room for;
a wider one is written with one digit."""
BAR_WIDTH = 70.0
"""Width (pixels) of an output's probability bar."""
FULL_LEGENDS, COMPACT_LEGENDS = (560, 520), (300, 300)
"""Least widget width and height (pixels) for full legends, and for compact ones (below: none)."""
HEADER_GAP = 14.0
"""Pixels at least between two layers' detail lines (else all take a shorter form)."""
HEADER_BACKDROP = 215
"""Opacity (0-255) of the background under a header's text."""
STACKED_HEADERS = 360
"""In a widget at least this tall (pixels) a layer's letter stands over its detail line, else beside it."""
ONE_LINE_TARGET = "  ◂"
"""The target's mark after its value when an output's label stands on one line."""
INFO_TOP, SIDE = 8.0, 12.0
"""Top of the mode line, and the pixels kept free at the widget's sides."""


class OutputRow(NamedTuple):
    """Where an output's value line goes (top left), its bar (``None``: no room) and its texts."""

    index: int
    x: float
    y: float
    bar_y: float | None
    name: str
    target: str
    two_lines: bool
    """True: the name (and target mark) stand above the value."""
    width: float
    """The width (pixels) kept for the label."""
    neuron_y: float | None = None
    """The y of its neuron's centre when the label was moved off it (outputs closer than a line apart)."""


class Legend(NamedTuple):
    """A legend placed at the bottom left: its top left corner and which scale it shows."""

    x: float
    y: float
    kind: str
    """``edge``, ``neuron`` or ``input``."""
    compact: bool


class Placed(NamedTuple):
    """The annotations of one view, placed: headers, the outputs' rows, the legends."""

    headers: list[TextItem]
    rows: list[OutputRow]
    legends: list[Legend]


class Outputs(NamedTuple):
    """What is written beside the output layer (plain data from the model)."""

    probs: np.ndarray
    """Shape (n_L,): p (or o) of each output for the current input."""
    loss: str
    """The network's loss: with ``cross_entropy`` the outputs are probabilities, written as p with bars."""
    class_names: tuple[str, ...]
    target: int
    known: bool = True
    """False while a phase walk has not computed p yet: the values are written "—", without bars."""


class Annotations:
    """Measures and places the headers, the outputs' texts, the mode line and the legends, and draws them."""

    def __init__(self, texts: TextCache) -> None:
        self._texts = texts
        self._legends: ThemedCache[QImage] = ThemedCache(MAX_LEGEND_IMAGES)

    # ------------------------------------------------------------ room
    def margins(self, fonts: DiagramFonts, sizes: tuple[int, ...], grid: bool, out: Outputs,
                width: float, height: float, named: bool) -> Margins:
        """The pixels to keep free around the network in a ``width``×``height`` widget for its texts.

        Top: the mode line, a header (letter over detail, or on one line in
        a short widget) and, when the neurons are ``named``, a row of names;
        right: the widest output label; bottom: the legends (as large as
        they are drawn at this size); left: the input neurons' names.
        """
        texts = self._texts
        header = fonts.bold_height + fonts.small_height if height >= STACKED_HEADERS else fonts.small_height
        top = INFO_TOP + fonts.line_height + 6 + header + (fonts.small_height + 2 if named else 0.0) + 6
        # Room for the target's mark on every output: the margins do not move with the target.
        label = max(self._output_width(fonts, out, i, two, True) for i in range(sizes[-1]) for two in (True, False))
        right = SIDE + label + 10
        legends = legend_style(width, height)
        bottom = SIDE if legends is None else (legend_height(fonts, legends == "compact") + 2 * SIDE)
        left = SIDE
        if not grid and named:
            left += texts.metrics(fonts.small, fonts.key_of("small")).horizontalAdvance(
                neuron_label(0, sizes[0] - 1, "unicode")) + 4
        return Margins(left, top, right, bottom)

    def place(self, frame: Frame, board: LabelBoard, config: NetworkConfig, image_shape: tuple[int, int],
              out: Outputs) -> Placed:
        """Place the mode line's row, the legends, the outputs' labels and the headers on ``board``, in that order
        (an output's label says what the network predicts; a header gives way to it with a shorter form)."""
        board.take(QRectF(0, 0, frame.width, INFO_TOP + frame.fonts.line_height + 2))
        legends = self._place_legends(frame, board)
        rows = self._place_outputs(frame, board, out)
        return Placed(self._place_headers(frame, board, config, image_shape), rows, legends)

    # ------------------------------------------------------------ headers
    def paint_headers(self, p: QPainter, frame: Frame, placed: Placed) -> None:
        """Each layer's letter and detail line (size, activation) above it, on the background's colour where
        edges pass under it (a fan converging on a small output layer)."""
        backdrop = QColor(frame.palette.color("background"))
        backdrop.setAlpha(HEADER_BACKDROP)
        for item in placed.headers:
            p.fillRect(_rect(item).adjusted(-2, 0, 2, 0), backdrop)
        draw_items(p, placed.headers, frame.log, "header")

    def _place_headers(self, frame: Frame, board: LabelBoard, config: NetworkConfig,
                       image_shape: tuple[int, int]) -> list[TextItem]:
        """Each layer's letter and the longest detail line that fits (the same form for all layers if it can).

        In a short widget the letter leads the detail on one line.
        """
        lay, view, fonts, texts = frame.layout, frame.view, frame.fonts, self._texts
        stacked = frame.height >= STACKED_HEADERS
        letters: list[TextItem] = []
        details: list[list[TextItem]] = []  # per layer: its detail's forms, longest first
        for l in range(len(lay.sizes)):
            grid = l == 0 and lay.grid is not None
            top = lay.grid.y0 if grid and lay.grid is not None else float(lay.centers[l][:, 1].min() - lay.radius[l])
            pt = view.to_screen(float(lay.layer_x[l]), top)
            named = lay.radius[l] * view.scale >= NAMED_NEURON and not grid
            bottom = pt.y() - 3 - (fonts.small_height + 2 if named else 0.0)
            if l == 0:
                size = f"{image_shape[0]}×{image_shape[1]}" if grid else f"{lay.sizes[0]}"
                forms = [f"input · {size}", size]
            else:
                act = config.activation_of(l)
                act = act if act != "none" else "linear"
                kind = "output" if l == len(lay.sizes) - 1 else "hidden"
                forms = [f"{kind} · {lay.sizes[l]} · {act}", f"{lay.sizes[l]} · {act}", f"{lay.sizes[l]}"]
            if not stacked:
                forms = [f"{layer_letter(l)} · {form}" for form in forms] + [layer_letter(l)]
            details.append([self._centred(texts, fonts, form, "small", "muted", pt.x(), bottom, frame)
                            for form in forms])
            if stacked:
                letters.append(self._centred(texts, fonts, layer_letter(l), "bold", "text", pt.x(),
                                             _rect(details[-1][0]).top() - 2, frame))
        placed = [item for item in letters if board.claim(_rect(item))]
        levels = max(len(forms) for forms in details) - (0 if stacked else 1)  # letters alone: per layer only
        for level in range(levels):
            chosen = [forms[min(level, len(forms) - 1)] for forms in details]
            rects = [_rect(item) for item in chosen]
            apart = not any(a.adjusted(0, 0, HEADER_GAP, 0).intersects(b) for a, b in pairwise(rects))
            if apart and all(board.free(r) for r in rects):
                for r in rects:
                    board.take(r)
                return placed + chosen
        for forms in details:  # no form fits every layer: each takes the longest that fits
            found = next((item for item in forms if board.claim(_rect(item))), None)
            if found is not None:
                placed.append(found)
        return placed

    @staticmethod
    def _centred(texts: TextCache, fonts: DiagramFonts, text: str, font: str, color: str, x: float, bottom: float,
                 frame: Frame) -> TextItem:
        """``text`` in the named ``font`` centred on ``x`` with its bottom at ``bottom``."""
        st = texts.static_text(text, fonts, font)
        size = st.size()
        return (QPointF(x - size.width() / 2, bottom - size.height()), st, fonts.named(font),
                frame.palette.color(color))

    # ------------------------------------------------------------ outputs
    def paint_outputs(self, p: QPainter, frame: Frame, placed: Placed, out: Outputs) -> None:
        """Each output's class name, p (or o) and probability bar right of it; the largest p in bold."""
        pal, fonts, texts, log = frame.palette, frame.fonts, self._texts, frame.log
        sym = "p" if out.loss == "cross_entropy" else "o"
        best = int(np.argmax(out.probs)) if out.known else -1
        names: list[TextItem] = []
        for row in placed.rows:
            if row.two_lines:
                top, font = QPointF(row.x, row.y - fonts.line_height - 1), "bold" if row.index == best else "base"
                names.append((top, texts.static_text(row.name, fonts, font), fonts.named(font), pal.color("text")))
                if row.target:
                    names.append((QPointF(row.x + self._width(fonts, "bold", row.name) + 4, top.y()),
                                  texts.static_text("◂ target", fonts, "small"), fonts.small, pal.color("muted")))
        draw_items(p, names, log, "output")
        p.setPen(QPen(pal.color("muted"), 1))
        for row in placed.rows:  # a label moved off its neuron points back at it
            if row.neuron_y is not None:
                p.drawLine(QPointF(row.x - 7, row.neuron_y), QPointF(row.x - 2, row.y + fonts.line_height / 2))
        p.setPen(pal.color("text"))
        shown = out.probs.tolist()
        room = self._width(fonts, "bold", value_template(out.loss))
        for row in placed.rows:
            i = row.index
            font = "base" if row.two_lines or i != best else "bold"
            value = f"{sym} = {fmt(shown[i], 3)}" if out.known else f"{sym} = —"
            if out.known and self._width(fonts, font, value) > room:
                value = f"{sym} = {fmt(shown[i], 1)}"
            text = value if row.two_lines else f"{row.name}  {value}{row.target}"
            p.setFont(fonts.named(font))
            texts.draw_at(p, QPointF(row.x, row.y), text, fonts, font)
            if log is not None:
                log.add("output", text, QRectF(row.x, row.y, self._width(fonts, font, text), fonts.line_height))
            if sym == "p" and row.bar_y is not None:
                p.fillRect(QRectF(row.x, row.bar_y, BAR_WIDTH, 4), pal.color("surface"))
                if out.known:
                    p.fillRect(QRectF(row.x, row.bar_y, BAR_WIDTH * min(max(shown[i], 0.0), 1.0), 4),
                               pal.color("accent"))

    def _width(self, fonts: DiagramFonts, font: str, text: str) -> float:
        """The advance width (pixels) of ``text`` in the named ``font``."""
        return self._texts.metrics(fonts.named(font), fonts.key_of(font)).horizontalAdvance(text)

    def _output_width(self, fonts: DiagramFonts, out: Outputs, i: int, two_lines: bool, target: bool) -> float:
        """The width (pixels) output ``i``'s label takes (with the ``target``'s mark), with room for its
        widest value, in bold."""
        name = out.class_names[i] if i < len(out.class_names) else str(i)
        value = self._width(fonts, "bold", value_template(out.loss))
        if two_lines:
            mark = 4 + self._width(fonts, "small", "◂ target") if target else 0.0
            return max(self._width(fonts, "bold", name) + mark, value, BAR_WIDTH)
        mark = self._width(fonts, "bold", ONE_LINE_TARGET) if target else 0.0
        return max(self._width(fonts, "bold", f"{name}  ") + value + mark, BAR_WIDTH)

    def _place_outputs(self, frame: Frame, board: LabelBoard, out: Outputs) -> list[OutputRow]:
        """Where the outputs' texts go: on two lines (name over value) where there is room, else on one, else none.

        Outputs closer than a line apart get labels spread evenly about the
        column (each pointing back at its neuron), kept inside the widget; the
        predicted output and the target are placed first, so that they are the
        last to be left out.
        """
        lay, view, fonts = frame.layout, frame.view, frame.fonts
        L = len(lay.sizes) - 1
        line = fonts.line_height
        r = float(lay.radius[L]) * view.scale
        spacing = (float(lay.centers[L][1, 1] - lay.centers[L][0, 1]) * view.scale
                   if lay.sizes[L] > 1 else 3 * line)
        centres = view.points(lay.centers[L]).tolist()
        n = len(centres)
        best = int(np.argmax(out.probs)) if out.probs.size else 0
        apart = line + 2 * PAD + 1  # one-line labels closer than this would collide: spread them evenly
        spread = spacing < apart and n > 1
        ys = [cy for _, cy in centres]
        if spread:
            half = (n - 1) / 2 * apart
            middle = (ys[0] + ys[-1]) / 2
            low, high = INFO_TOP + 1.5 * line + 4, frame.height - line / 2 - 2  # a row's centre, below the mode line
            while high > low and not board.free(QRectF(centres[-1][0] + r + 8, high - line / 2, BAR_WIDTH, line)):
                high -= 2  # above the legends
            if high - low >= 2 * half:
                middle = min(max(middle, low + half), high - half)
            else:  # not all fit: the predicted output's row stays inside, as near its neuron as it can
                middle = min(max(ys[best], low), high) - (best - (n - 1) / 2) * apart
            ys = [middle + (i - (n - 1) / 2) * apart for i in range(n)]
        rows: list[OutputRow] = []
        for i in sorted(range(n), key=lambda k: (k != best, k != out.target, k)):
            cx, neuron_y = centres[i]
            cy = ys[i]
            x = cx + r + 8
            if L == 1 and i < lay.rf_rects.shape[0]:  # labels go right of the outputs' heat-maps
                rx, _, rw, _ = lay.rf_rects[i]
                x = max(x, (rx + rw) * view.scale + view.offset[0] + 8)
            name = out.class_names[i] if i < len(out.class_names) else str(i)
            target = ONE_LINE_TARGET if i == out.target else ""
            two = QRectF(x, cy - line - 1, self._output_width(fonts, out, i, True, i == out.target), 2 * line + 6)
            one = QRectF(x, cy - line / 2, self._output_width(fonts, out, i, False, i == out.target), line + 6)
            if spacing >= 2.2 * line and board.claim(two):
                rows.append(OutputRow(i, x, two.top() + line + 1, two.top() + 2 * line + 3, name, target, True,
                                      two.width()))
            elif board.claim(one.adjusted(0, 0, 0, -6)):
                room_for_bar = spacing >= line + 8 and board.claim(QRectF(x, cy + line / 2, BAR_WIDTH, 6))
                rows.append(OutputRow(i, x, cy - line / 2, cy + line / 2 + 1 if room_for_bar else None, name,
                                      target, False, one.width(), neuron_y if abs(cy - neuron_y) > 1 else None))
        return sorted(rows, key=lambda row: row.index)

    # ------------------------------------------------------------ mode line and legends
    def paint_info(self, p: QPainter, frame: Frame, v: DiagramValues, phase: Phase | None,
                   drawn_of: tuple[int, int] | None) -> None:
        """The mode line at the top left: the phase, what edges and neurons show, the level of detail.

        ``drawn_of``: (drawn, all) edges when the level of detail leaves some out.  A line too
        long for the widget ends in an ellipsis.
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
            parts.append(f"level of detail: the {count(drawn_of[0])} strongest of {count(drawn_of[1])} edges")
        if v.note:
            parts.append(v.note)
        fm = self._texts.metrics(fonts.base, fonts.key_of("base"))
        text = fm.elidedText("   ·   ".join(parts), Qt.TextElideMode.ElideRight, max(frame.width - 2 * SIDE, 0.0))
        st = self._texts.static_text(text, fonts, "base")
        p.drawStaticText(QPointF(SIDE, INFO_TOP), st)
        if frame.log is not None and text:
            frame.log.add("info", text, QRectF(QPointF(SIDE, INFO_TOP), st.size()))

    def _place_legends(self, frame: Frame, board: LabelBoard) -> list[Legend]:
        """The legends that fit along the bottom, left to right: edges, neurons, input; full or compact."""
        style = legend_style(frame.width, frame.height)
        if style is None:
            return []
        compact = style == "compact"
        h = legend_height(frame.fonts, compact)
        y = frame.height - SIDE - h
        x = SIDE
        placed = []
        for kind in ("edge", "neuron", "input"):
            w = legend_width(frame.fonts, compact, kind == "input")
            if board.claim(QRectF(x, y, w, h)):
                placed.append(Legend(x, y, kind, compact))
            x += w + 14
        return placed

    def paint_legends(self, p: QPainter, frame: Frame, placed: Placed, v: DiagramValues, edge_vmax: float,
                      node_vmax: float) -> None:
        """The colour bars of the edges, the neurons and (room permitting) the input, at the bottom left."""
        pal = frame.palette
        node_title = "neuron δ" if v.node_mode == "deltas" else "neuron activation"
        scales = {"edge": (f"edge {EDGE_SYMBOLS[v.edge_mode]}", edge_vmax, pal.node_lut, True),
                  "neuron": (node_title, node_vmax, pal.node_lut, False),
                  "input": ("input a", 1.0, pal.ink_lut, False)}
        for legend in placed.legends:
            title, vmax, lut, wedge = scales[legend.kind]
            self._legend(p, frame, legend, title, vmax, lut, wedge)

    def _legend(self, p: QPainter, frame: Frame, legend: Legend, title: str, vmax: float, lut: np.ndarray,
                wedge: bool) -> None:
        """One colour-bar legend (drawn once per text and kept)."""
        sequential = legend.kind == "input"
        bar_w = LEGEND_WIDTH if not sequential else LEGEND_WIDTH / 2
        lo, mid, hi = ("0", "", "1") if sequential else (fmt(-vmax, 2), "0", fmt(vmax, 2))
        fonts, theme = frame.fonts, frame.palette.theme
        w, h = legend_width(fonts, legend.compact, sequential), legend_height(fonts, legend.compact)
        key = (title, lo, hi, wedge, bar_w, legend.compact, frame.dpr, fonts.key)
        if legend.compact:
            def draw(q: QPainter) -> None:
                draw_compact_legend(q, theme, fonts.base, title, (lo, hi), lut)
        else:
            def draw(q: QPainter) -> None:
                draw_legend(q, theme, fonts.base, title, (lo, mid, hi), lut, wedge, bar_w)
        image = self._legends.get(frame.palette, key, lambda: render_sprite(
            QSize(int(np.ceil(w)), int(np.ceil(h))), frame.dpr, fonts.base, draw))
        p.drawImage(QPointF(legend.x, legend.y), image)
        if frame.log is not None:
            frame.log.add("legend", title, QRectF(legend.x, legend.y, w, h))


def row_rect(row: OutputRow, fonts: DiagramFonts) -> QRectF:
    """The rectangle an output's label (name, value, bar) takes (its name's line, on two lines, included)."""
    top = row.y - fonts.line_height - 1 if row.two_lines else row.y
    bottom = (row.bar_y + 4) if row.bar_y is not None else row.y + fonts.line_height
    return QRectF(row.x, top, row.width, bottom - top)


def value_template(loss: str) -> str:
    """The widest output value a label makes room for: p (a probability) with ``cross_entropy``, else o."""
    return f"p = {VALUE_TEMPLATE}" if loss == "cross_entropy" else f"o = −{VALUE_TEMPLATE}"


def legend_style(width: float, height: float) -> str | None:
    """How the legends are drawn in a ``width``×``height`` widget: ``full``, ``compact`` or ``None`` (folded away)."""
    if width >= FULL_LEGENDS[0] and height >= FULL_LEGENDS[1]:
        return "full"
    if width >= COMPACT_LEGENDS[0] and height >= COMPACT_LEGENDS[1]:
        return "compact"
    return None


def legend_height(fonts: DiagramFonts, compact: bool) -> float:
    """Height (pixels) of a legend box."""
    return compact_size(fonts.base)[1] if compact else float(LEGEND_HEIGHT)


def legend_width(fonts: DiagramFonts, compact: bool, sequential: bool) -> float:
    """Width (pixels) of a legend box (the input's full legend has a bar half as long)."""
    if compact:
        return compact_size(fonts.base)[0]
    return (LEGEND_WIDTH / 2 if sequential else LEGEND_WIDTH) + 24


def _rect(item: TextItem) -> QRectF:
    """The rectangle a placed text covers."""
    return QRectF(item[0], item[1].size())
