"""Shared by the worksheet tests: sheets to render, and the check that a text gives away no answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.numbers import fmt
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.worksheet import Worksheet, exercises, worksheet
from neuroviz.core.worksheet_drawing import drawing, number_tables

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def figure_4_sheets(variants: int | None = None, seed: int = 0) -> list[Worksheet]:
    p = paper_figure_4()
    return [worksheet(e) for e in exercises(p.network, p.inputs, p.label, p.class_names, p.lr, p.title,
                                            variants, seed)]


def deep_sheets(variants: int | None = 2) -> list[Worksheet]:
    """Sheets of a 3-3-3-2 sigmoid/tanh network (its drawing too wide for the tables beside it)."""
    net = Network(NetworkConfig(sizes=(3, 3, 3, 2), hidden_activations=("sigmoid", "tanh"), init="uniform", seed=2))
    return [worksheet(e) for e in exercises(net, [0.5, 0.25, 1.0], 1, ("left", "right"), 0.1, "Deep & narrow",
                                            variants, 3)]


def given(sheets: Sequence[Worksheet]) -> set[str]:
    """Every number the sheets print as a given, unsigned."""
    out = set()
    for s in sheets:
        out |= {c.lstrip("−") for t in number_tables(s.exercise) for row in t.cells for c in row}
        out |= {n.text for n in drawing(s.exercise).notes}
        out.add(fmt(s.exercise.lr))
    return out


def answers(sheets: Sequence[Worksheet]) -> set[str]:
    """Every answer that could be recognised in a text (not a whole number), as the key writes it and rounded
    to 4 and 3 significant digits, unsigned, less those equal to a given number."""
    out = set()
    for s in sheets:
        for b in s.blanks:
            for digits in (6, 4, 3):
                text = fmt(b.answer, digits).lstrip("−")
                if "." in text:
                    out.add(text)
    return out - given(sheets)


def numbers_in(text: str) -> set[str]:
    """The unsigned decimal numbers written in ``text``."""
    return set(_NUMBER.findall(text))
