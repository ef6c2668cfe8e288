"""A lesson's Markdown as rich text, the paper's notation set with real sub- and superscripts.

Lessons use a small part of Markdown: paragraphs (separated by blank
lines), ``- `` list items, ``### `` headings, ``**bold**``, ``*italic*`` and
```code```.  Everything else is text: it is escaped, never read as HTML, and
``θ^{cb}_{11}`` becomes θ<sup>cb</sup><sub>11</sub> (``math_text.to_html``).
"""

from __future__ import annotations

import re

from neuroviz.ui.math_text import to_html

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")


def inline_html(text: str) -> str:
    """One line or paragraph of lesson text as HTML (escaped; notation, bold, italic, code)."""
    out = to_html(text)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def lesson_html(text: str) -> str:
    """Paragraphs, lists and headings of lesson text as HTML."""
    blocks: list[str] = []
    items: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(f"<p>{inline_html(' '.join(lines))}</p>")
            lines.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("- "):
            if lines:
                flush()
            items.append(line[2:])
        elif line.startswith("### "):
            flush()
            blocks.append(f"<h4>{inline_html(line[4:])}</h4>")
        else:
            if items:
                flush()
            lines.append(line)
    flush()
    return "".join(blocks)
