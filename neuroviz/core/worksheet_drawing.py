"""Where a worksheet's network drawing puts its neurons and numbers, in millimetres.

``drawing(exercise)`` lays the layers out as columns from the input (left)
to the output (right), each column centred, and says what is written where:
each neuron's label inside its circle, each input value a_j to the left of
its neuron.  The weights and biases are printed as tables beside the drawing
(one row per neuron they feed), since labels among crossing edges do not
stay readable.  Coordinates start at the drawing's top left, y down;
both the PDF and the LaTeX renderers draw from this one layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from neuroviz.core.notation import layer_letter, neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.core.worksheet import Exercise

RADIUS = 4.5
"""Radius of a neuron's circle (mm)."""
LAYER_GAP = 30.0
"""Horizontal distance between layers (mm)."""
ROW_GAP = 15.0
"""Vertical distance between neurons of a layer (mm)."""
LEFT = 16.0
"""Room left of the input layer for the input values (mm)."""
TOP = 6.0
"""Room above the highest neuron (mm)."""
BESIDE = 0.58
"""The tables go beside a drawing at most this share of the text's width wide, else below it."""

Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Spot:
    """The centre (``x``, ``y``) of neuron ``index`` of ``layer`` (0-based; layer 0 is the input)."""

    layer: int
    index: int
    x: float
    y: float


@dataclass(frozen=True)
class Note:
    """A plain-style text (``β^b_1 = 0.15``) at (``x``, ``y``): its baseline's middle height, aligned by ``align``."""

    x: float
    y: float
    text: str
    align: Align


@dataclass(frozen=True)
class Drawing:
    """The network of one sheet: ``spots`` (every neuron), ``labels`` (inside the circles), ``notes``
    (the input values), in a box ``width`` × ``height`` mm."""

    width: float
    height: float
    spots: tuple[Spot, ...]
    labels: tuple[Note, ...]
    notes: tuple[Note, ...]

    def beside(self, text_width: float) -> bool:
        """True if the tables of the numbers fit beside the drawing on a text ``text_width`` mm wide."""
        return self.width <= BESIDE * text_width

    def edges(self) -> list[tuple[Spot, Spot]]:
        """Every weight as (from, to), from neuron n of layer l to neuron m of layer l + 1."""
        by_layer: dict[int, list[Spot]] = {}
        for s in self.spots:
            by_layer.setdefault(s.layer, []).append(s)
        return [(a, b) for layer in sorted(by_layer)[:-1] for b in by_layer[layer + 1] for a in by_layer[layer]]


def drawing(exercise: Exercise) -> Drawing:
    """The layout of ``exercise``'s network with its input values."""
    sizes = exercise.network.sizes
    tallest = max(sizes)
    height = 2 * TOP + (tallest - 1) * ROW_GAP
    spots, labels, notes = [], [], []
    for layer, n in enumerate(sizes):
        x = LEFT + RADIUS + layer * LAYER_GAP
        top = TOP + (tallest - n) * ROW_GAP / 2
        for i in range(n):
            y = top + i * ROW_GAP
            spots.append(Spot(layer, i, x, y))
            labels.append(Note(x, y, neuron_label(layer, i), "center"))
            if layer == 0:
                notes.append(Note(x - RADIUS - 1.5, y, fmt(float(exercise.inputs[i])), "right"))
    width = LEFT + 2 * RADIUS + (len(sizes) - 1) * LAYER_GAP + 2.0
    return Drawing(width, height, tuple(spots), tuple(labels), tuple(notes))


@dataclass(frozen=True)
class NumberTable:
    """The weights and biases into one layer: a row per neuron m it feeds (``rows``), a column per neuron n
    of the layer below and a last one for the bias (``columns``); ``cells`` hold the numbers as text."""

    corner: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]


def number_tables(exercise: Exercise) -> list[NumberTable]:
    """One ``NumberTable`` per weight matrix, from the input up: θ^{ba}_{mn} and β^b_m, θ^{cb}_{mn} and β^c_m …"""
    net = exercise.network
    out = []
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        to, frm = layer_letter(layer + 1), layer_letter(layer)
        out.append(NumberTable(
            corner=f"θ^{{{to}{frm}}}_{{mn}}",
            columns=(*(neuron_label(layer, n) for n in range(w.shape[1])), f"β^{to}_m"),
            rows=tuple(neuron_label(layer + 1, m) for m in range(w.shape[0])),
            cells=tuple((*(fmt(float(v)) for v in w[m]), fmt(float(b[m]))) for m in range(w.shape[0])),
        ))
    return out
