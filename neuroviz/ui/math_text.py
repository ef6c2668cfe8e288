"""The paper's notation as rich text: real super- and subscripts for the plain style.

The core writes ``θ^{cb}_{11}``, ``b_1^raw`` and ``e^{c_1}``; a ``QTextDocument``
shows them as θ<sup>cb</sup><sub>11</sub> etc.  ``equation_html`` lays an
``Equation`` out one form per line, the ``=`` signs lined up.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtGui import QFont, QTextDocument

from neuroviz.core.equation import Equation

_BRACED = re.compile(r"([\^_])\{([^{}]*)\}")
_SINGLE = re.compile(r"([\^_])(raw|[A-Za-z0-9])")
_TAGS = {"^": "sup", "_": "sub"}


def _tag(match: re.Match[str]) -> str:
    tag = _TAGS[match.group(1)]
    return f"<{tag}>{match.group(2)}</{tag}>"


_HATTED = re.compile("(\\w)\u0302")
HAT_FONT = "DejaVu Serif, serif"
"""A font that places a combining hat over its letter (m̂, v̂); Qt's rich text misplaces it in DejaVu Sans."""


def to_html(text: str) -> str:
    """Escape ``text`` and turn ``^{…}``/``_{…}``/``^x``/``_x`` into ``<sup>``/``<sub>``;
    a letter with a hat (m̂) is set in ``HAT_FONT``.  Numbers keep their superscript powers (``1×10⁻⁸``)."""
    out = html.escape(text, quote=False)
    out = _HATTED.sub(lambda m: f"<span style=\"font-family:{HAT_FONT}\">{m.group(0)}</span>", out)
    previous = None
    while previous != out:  # innermost braces first: e^{c_{12}}
        previous = out
        out = _BRACED.sub(_tag, out)
    return _SINGLE.sub(_tag, out)


def tooltip_html(text: str) -> str:
    """A tooltip of the paper's notation (``\n`` between lines) as rich text with real sub- and superscripts."""
    lines = "<br>".join(to_html(line) for line in text.split("\n"))
    return f"<p style='white-space:pre'>{lines}</p>"


def equation_html(eq: Equation, value_colour: str = "", muted_colour: str = "#6b7280",
                  indent: Callable[[str], float] | None = None) -> str:
    """``eq`` as HTML paragraphs, one form per line, the ``=`` signs aligned, notes below.

    Continuation lines start with an invisible copy of the left-hand side, so
    the ``=`` signs line up exactly in any font (paragraphs lay out many times
    faster than tables).  ``indent(html)`` (pixels, e.g. ``HangingIndent``)
    makes a long form that wraps continue under its own first term.
    """
    lhs = to_html(eq.target)
    ghost = f"<span style='color:transparent'>{lhs}</span>"
    hang = ""
    if indent is not None:
        px = indent(f"{lhs} {eq.relation}&nbsp;")
        hang = f"margin-left:{px:.0f}px; text-indent:-{px:.0f}px; "
    forms = []
    for i, form in enumerate(eq.rhs):
        body = to_html(form)
        if i == len(eq.rhs) - 1 and len(eq.rhs) > 1:
            style = f" style='color:{value_colour}'" if value_colour else ""
            body = f"<b{style}>{body}</b>"
        text = f"{lhs if i == 0 else ghost} {eq.relation if i == 0 else '='} {body}"
        forms.append(f"<p style='{hang}margin-top:{2 if i == 0 else 0}px; margin-bottom:0'>{text}</p>")
    notes = "".join(
        f"<p style='margin:0 0 0 14px; color:{muted_colour}; font-size:small'>{to_html(n)}</p>" for n in eq.notes
    )
    return "".join(forms) + notes


class HangingIndent:
    """Measures the width of a bit of rich text in a font: the indent of wrapped equation lines."""

    def __init__(self, font: QFont) -> None:
        self._doc = QTextDocument()
        self._doc.setDefaultFont(font)
        self._doc.setDocumentMargin(0)
        self._cache: dict[str, float] = {}

    def __call__(self, html_text: str) -> float:
        if html_text not in self._cache:
            self._doc.setHtml(html_text)
            self._cache[html_text] = self._doc.idealWidth()
        return self._cache[html_text]

