"""The paper's notation as rich text: real super- and subscripts for the plain style.

The core writes ``θ^{cb}_{11}``, ``b_1^raw`` and ``e^{c_1}``; a ``QTextDocument``
shows them as θ<sup>cb</sup><sub>11</sub> etc.  ``equation_html`` lays an
``Equation`` out as a small table whose ``=`` signs line up.
"""

from __future__ import annotations

import html
import re

from neuroviz.core.explain import Equation

_BRACED = re.compile(r"([\^_])\{([^{}]*)\}")
_SINGLE = re.compile(r"([\^_])(raw|[A-Za-z0-9])")
_TAGS = {"^": "sup", "_": "sub"}


def _tag(match: re.Match[str]) -> str:
    tag = _TAGS[match.group(1)]
    return f"<{tag}>{match.group(2)}</{tag}>"


def to_html(text: str) -> str:
    """Escape ``text`` and turn ``^{…}``/``_{…}``/``^x``/``_x`` into ``<sup>``/``<sub>``."""
    out = html.escape(text, quote=False)
    previous = None
    while previous != out:  # innermost braces first: e^{c_{12}}
        previous = out
        out = _BRACED.sub(_tag, out)
    return _SINGLE.sub(_tag, out)


def equation_html(eq: Equation, value_colour: str = "", muted_colour: str = "#6b7280") -> str:
    """``eq`` as an HTML table: one form per row, the ``=`` signs aligned, notes below."""
    rows = []
    for i, form in enumerate(eq.rhs):
        lhs = to_html(eq.target) if i == 0 else ""
        rel = eq.relation if i == 0 else "="
        body = to_html(form)
        if i == len(eq.rhs) - 1 and len(eq.rhs) > 1:
            style = f' style="color:{value_colour}"' if value_colour else ""
            body = f"<b{style}>{body}</b>"
        rows.append(
            f'<tr><td align="right" style="padding-right:4px">{lhs}</td>'
            f'<td align="center" style="padding:0 4px">{rel}</td><td>{body}</td></tr>'
        )
    notes = "".join(
        f'<div style="color:{muted_colour}; font-size:small; margin-left:12px">{to_html(n)}</div>' for n in eq.notes
    )
    return f'<table cellspacing="0" cellpadding="1">{"".join(rows)}</table>{notes}'


_EXPONENT = re.compile(r"×10\^([−-]?\d+)")
_SUPERSCRIPT = str.maketrans("0123456789−-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")


def unicode_exponent(text: str) -> str:
    """``1.5×10^−7`` → ``1.5×10⁻⁷`` (for plain-text cells)."""
    return _EXPONENT.sub(lambda m: "×10" + m.group(1).translate(_SUPERSCRIPT), text)
