"""A worksheet as LaTeX source that compiles on its own (pdflatex, standard packages only).

``sheets_tex(sheets)`` writes the question sheets (one per variant, each
from a new page): the network drawn in LaTeX's ``picture`` environment
(straight ``\\qbezier`` edges and kernel circles; finer with ``pict2e``
when it is installed), the weights as tables, the givens, and the
questions with a framed blank for each number, and no answer.
``answers_tex(sheets)`` writes the answer key: a table of every
answer, then each part's worked arithmetic from the core's ``Equation``s (``Equation.latex``), one
``align*`` per quantity, and the part's notes.  Packages: ``fontenc``,
``inputenc``, ``amsmath``, ``geometry`` and ``color``, all in Debian's
texlive-latex-base.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from neuroviz.core.equation import to_latex
from neuroviz.core.numbers import fmt
from neuroviz.core.worksheet import Part, Prose, Worksheet, prose_parts
from neuroviz.core.worksheet_drawing import RADIUS, Drawing, drawing, number_tables
from neuroviz.io.atomic import atomic_write_text

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage[fleqn]{amsmath}
\usepackage[margin=18mm]{geometry}
\usepackage{color}
\IfFileExists{pict2e.sty}{\usepackage{pict2e}}{}
\setlength{\parindent}{0pt}
\setlength{\fboxsep}{0.8pt}
\pagestyle{empty}
\newcommand{\blank}{\framebox[27mm]{\rule{0pt}{6.5mm}}}
\newcommand{\given}[1]{\colorbox{white}{\footnotesize #1}}
\let\bigsum\sum
\renewcommand{\sum}{\bigsum\nolimits}
\setlength{\mathindent}{6mm}
"""
"""The document's preamble: ``\\blank`` is a box to write a number in, ``\\given`` a number on the drawing."""
GLANCE_COLUMNS = 4
"""Answers side by side in the key's table of them."""
TEXT_WIDTH = 174.0
"""The text's width in mm: A4 less the 18 mm margins."""

_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
             "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_TEXT_SYMBOLS = {"−": "$-$", "“": "``", "”": "''", "’": "'", "‘": "`", "–": "--", "—": "---", "…": r"\ldots{}",
                 "·": r"$\cdot$", "×": r"$\times$", "≈": r"$\approx$", "→": r"$\to$", "≥": r"$\geq$",
                 "≤": r"$\leq$", "₁₀": "$_{10}$", "½": r"$\frac12$", "²": "$^2$"}
_GREEK = {"δ": r"\delta", "θ": r"\theta", "β": r"\beta", "η": r"\eta", "σ": r"\sigma", "Σ": r"\Sigma",
          "∂": r"\partial", "Θ": r"\Theta", "ε": r"\varepsilon", "λ": r"\lambda", "μ": r"\mu"}
_SCRIPTED = re.compile(r"[\w∂/\[]*(?:[\^_](?:\{\w+\}|\w+))+|[−\d.,]*\d×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+")
"""A word with a script in prose (``c^raw``, ``∂L/∂c_1``) or a power of ten (``1.6×10⁻⁹``): written as a formula."""


def tex_text(text: str) -> str:
    """Prose as LaTeX text: specials escaped, the notation's symbols set in math, scripted words as formulas,
    and characters the standard fonts lack as ``?``."""
    out: list[str] = []
    last = 0
    for match in _SCRIPTED.finditer(text):
        out.append(_plain_text(text[last:match.start()]))
        out.append(f"${to_latex(match.group(0))}$")
        last = match.end()
    out.append(_plain_text(text[last:]))
    return "".join(out)


def _plain_text(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in _TEXT_SYMBOLS:
            out.append(_TEXT_SYMBOLS[pair])
            i += 2
            continue
        ch = text[i]
        if ch in _SPECIALS:
            out.append(_SPECIALS[ch])
        elif ch in _TEXT_SYMBOLS:
            out.append(_TEXT_SYMBOLS[ch])
        elif ch in _GREEK:
            out.append(f"${_GREEK[ch]}$")
        elif ord(ch) < 0x180 and (ch.isprintable() or ch == "\n"):
            out.append(ch)
        else:
            out.append("?")
        i += 1
    return "".join(out)


def math(text: str) -> str:
    """A plain-style formula as inline math."""
    return f"${to_latex(text)}$"


def prose(text: Prose) -> str:
    """``Prose`` (formulas between ``$``) as LaTeX."""
    return "".join(math(piece) if formula else tex_text(piece) for piece, formula in prose_parts(text))


# ------------------------------------------------------------------ drawing
def picture(d: Drawing) -> str:
    """The network of ``d`` as a ``picture`` (1 mm units, y up): edges, circles, labels, then the numbers."""
    h = d.height
    rows = [r"\setlength{\unitlength}{1mm}", f"\\begin{{picture}}({d.width:.1f},{h:.1f})"]
    for a, b in d.edges():
        dx, dy = b.x - a.x, b.y - a.y
        length = (dx * dx + dy * dy) ** 0.5
        ux, uy = dx / length * RADIUS, dy / length * RADIUS
        x1, y1, x2, y2 = a.x + ux, h - (a.y + uy), b.x - ux, h - (b.y - uy)
        rows.append(f"\\qbezier({x1:.2f},{y1:.2f})({(x1 + x2) / 2:.2f},{(y1 + y2) / 2:.2f})({x2:.2f},{y2:.2f})")
    for s in d.spots:
        rows.append(f"\\put({s.x:.2f},{h - s.y:.2f}){{\\circle{{{2 * RADIUS:.1f}}}}}")
    for n in d.labels:
        rows.append(f"\\put({n.x:.2f},{h - n.y:.2f}){{\\makebox(0,0){{\\small {math(n.text)}}}}}")
    for n in d.notes:
        where = {"left": "[l]", "right": "[r]", "center": ""}[n.align]
        rows.append(f"\\put({n.x:.2f},{h - n.y:.2f}){{\\makebox(0,0){where}{{\\given{{{math(n.text)}}}}}}}")
    rows.append(r"\end{picture}")
    return "\n".join(rows)


def weight_tables(sheet: Worksheet, stacked: bool) -> str:
    """Each layer's weights and biases as a table (``number_tables``), one below the other if ``stacked``,
    else side by side."""
    tables = []
    for t in number_tables(sheet.exercise):
        head = " & ".join(math(h) for h in t.columns)
        body = " \\\\\n".join(math(label) + " & " + " & ".join(math(v) for v in row)
                              for label, row in zip(t.rows, t.cells))
        tables.append(f"\\begin{{tabular}}{{r|{'r' * (len(t.columns) - 1)}|r}}\n"
                      f"{math(t.corner)} & {head} \\\\ \\hline\n{body}\n\\end{{tabular}}")
    return ("\\par\\medskip\n" if stacked else "\\qquad\n").join(tables)


# ------------------------------------------------------------------ sheets
def _heading(sheet: Worksheet, what: str) -> str:
    ex = sheet.exercise
    title = _plain_text(ex.subtitle)  # a file's title: its _ and ^ are text
    caption = f"\\hfill {tex_text(ex.caption)}" if ex.caption else ""
    sizes = "-".join(map(str, ex.network.sizes))
    return (f"{{\\Large\\bfseries {what}: one update of a {sizes} network}}{caption}\\par\n"
            f"\\smallskip {title}\\par\\medskip\n")


def _part(number: int, part: Part) -> str:
    """A part's title, hint and a table of its questions, ``part.per_row`` to a row."""
    qs = list(part.questions)
    per_row = part.per_row
    width = per_row * max(len(q.blanks) for q in qs)
    rows = []
    for start in range(0, len(qs), per_row):
        cells = [f"{math(b.label)}\\ {math(b.relation)} & \\blank" for q in qs[start:start + per_row] for b in q.blanks]
        cells += ["&"] * (width - len(cells))
        rows.append(" & ".join(cells) + r" \\[1.5mm]")
    spec = "@{}" + "r@{\\,}l@{\\hspace{4mm}}" * width
    return (f"\\subsection*{{{number}. {tex_text(part.title)}}}\n\\begin{{minipage}}{{\\textwidth}}\n"
            f"{{\\small {prose(part.hint)}}}\\par\\smallskip\n"
            f"\\begin{{tabular}}{{{spec}}}\n" + "\n".join(rows) + "\n\\end{tabular}\n\\end{minipage}\n")


def sheet_tex(sheet: Worksheet) -> str:
    """One question sheet's body: heading, name line, givens, drawing and tables, and the parts."""
    setup = "\\\\\n".join(prose(line) for line in sheet.setup())
    parts = "".join(_part(i, p) for i, p in enumerate(sheet.parts, 1))
    d = drawing(sheet.exercise)
    if d.beside(TEXT_WIDTH):
        figure = (f"\\begin{{minipage}}[c]{{{d.width:.0f}mm}}\n{picture(d)}\n\\end{{minipage}}\\hfill\n"
                  f"\\begin{{minipage}}[c]{{{TEXT_WIDTH - d.width - 4:.0f}mm}}\n{weight_tables(sheet, True)}\n"
                  "\\end{minipage}\\par\n")
    else:
        figure = f"{picture(d)}\\par\\medskip\n{{\\raggedright {weight_tables(sheet, False)}\\par}}\n"
    return (_heading(sheet, "Worksheet") + "Name: \\rule{70mm}{0.4pt}\\par\\medskip\n"
            + f"{setup}\\par\\medskip\n{figure}{parts}")


def _glance(sheet: Worksheet) -> str:
    """Every blank's answer in a table, ``GLANCE_COLUMNS`` to a row, for marking."""
    cells = [f"{math(b.label)} & {math(b.relation + ' ' + fmt(b.answer))}" for b in sheet.blanks]
    rows = [" & ".join(cells[i:i + GLANCE_COLUMNS]) + r" \\[1mm]" for i in range(0, len(cells), GLANCE_COLUMNS)]
    spec = "@{}" + "r@{\\ }l@{\\hspace{6mm}}" * GLANCE_COLUMNS
    return (f"\\subsection*{{Answers}}\n{{\\small\\begin{{tabular}}{{{spec}}}\n" + "\n".join(rows)
            + "\n\\end{tabular}}\n")


def answer_tex(sheet: Worksheet) -> str:
    """One sheet's answer key: every question's worked arithmetic, part by part, with the part's notes."""
    out = [_heading(sheet, "Answer key"), _glance(sheet)]
    for i, part in enumerate(sheet.parts, 1):
        out.append(f"\\subsection*{{{i}. {tex_text(part.title)}}}\n{{\\small")
        for q in part.questions:
            for eq in q.working:
                out.append(f"\\begin{{align*}}\n{eq.latex()}\n\\end{{align*}}")
        out.append("}")
        if part.notes:
            items = "\n".join(f"\\item {tex_text(n)}" for n in part.notes)
            out.append(f"{{\\footnotesize\\begin{{itemize}}\n{items}\n\\end{{itemize}}}}")
    return "\n".join(out) + "\n"


def _document(bodies: Sequence[str]) -> str:
    return PREAMBLE + "\\begin{document}\n" + "\\clearpage\n".join(bodies) + "\\end{document}\n"


def sheets_tex(sheets: Sequence[Worksheet]) -> str:
    """The question sheets as a standalone LaTeX document, each sheet from a new page."""
    return _document([sheet_tex(s) for s in sheets])


def answers_tex(sheets: Sequence[Worksheet]) -> str:
    """The answer key of ``sheets`` as a standalone LaTeX document, each sheet's key from a new page."""
    return _document([answer_tex(s) for s in sheets])


def answers_path(tex_path: str | os.PathLike[str]) -> str:
    """Where the answer key's source goes beside the sheets' ``OUT.tex``: ``OUT-answers.tex``."""
    stem, ext = os.path.splitext(os.fspath(tex_path))
    return f"{stem}-answers{ext or '.tex'}"


def export_tex(path: str | os.PathLike[str], sheets: Sequence[Worksheet], answers: bool) -> list[str]:
    """Write the sheets' source to ``path`` (and, if ``answers``, the key's to ``answers_path(path)``)
    atomically; returns the paths written."""
    atomic_write_text(path, sheets_tex(sheets))
    written = [os.fspath(path)]
    if answers:
        atomic_write_text(answers_path(path), answers_tex(sheets))
        written.append(answers_path(path))
    return written
