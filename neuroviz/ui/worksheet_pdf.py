"""A worksheet as PDF, drawn with Qt: ``QPdfWriter``, ``QPainter`` and ``QTextDocument``, no display needed.

``worksheet_pdf(sheets)`` draws the question sheets (each from a new page):
the heading and a line for the name, the givens, the network (from
``neuroviz.core.worksheet_drawing``) beside the tables of its weights and
biases, and each part's questions with a box to write each number in.
``worksheet_pdf(sheets, answers=True)`` draws the answer key: a table of
every answer, then each part's worked arithmetic (the core's ``Equation``s,
as in the inspector) and its notes.  What a sheet says is decided in ``neuroviz.core.worksheet``; this
module only draws it.  ``write_worksheet`` writes the PDFs (and the LaTeX
source) atomically.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QTextDocument

from neuroviz.core.equation import Equation
from neuroviz.core.numbers import fmt
from neuroviz.core.worksheet import Part, Prose, Worksheet, prose_parts
from neuroviz.core.worksheet_drawing import RADIUS, Drawing, Note, NumberTable, drawing, number_tables
from neuroviz.io.atomic import atomic_write_bytes
from neuroviz.io.worksheet_tex import GLANCE_COLUMNS, export_tex
from neuroviz.ui.math_text import equation_html, to_html

RESOLUTION = 300
"""Dots per inch of the PDF's coordinates."""
MARGIN = 18.0
"""Page margins (mm), as the LaTeX source's."""
FONT = "DejaVu Serif"
BOX = QSizeF(30.0, 8.5)
"""A blank: the box to write a number in (mm)."""
MUTED = "#555555"


def mm(x: float) -> float:
    """Millimetres in the PDF's device units."""
    return x * RESOLUTION / 25.4


def prose_html(text: Prose) -> str:
    """``Prose`` as rich text: formulas with real scripts, in italics as the paper sets its symbols."""
    return "".join(to_html(piece) if formula else html.escape(piece) for piece, formula in prose_parts(text))


class _Pages:
    """A painter over a ``QPdfWriter`` and a cursor that moves down the page, starting a new one when full."""

    def __init__(self, writer: QPdfWriter, footer: str) -> None:
        self.writer = writer
        self.painter = QPainter(writer)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.width = writer.width()
        self.height = writer.height()
        self.y = 0.0
        self.page = 1
        self.footer = footer
        self._first = True

    def start(self, footer: str) -> None:
        """Begin a sheet on a new page (the first sheet on the first page)."""
        if not self._first:
            self.new_page()
        self._first = False
        self.footer = footer
        self.page = 1
        self.y = 0.0

    def new_page(self) -> None:
        self._draw_footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0

    def _draw_footer(self) -> None:
        doc = self.document(f"<span style='color:{MUTED}'>{html.escape(self.footer)} · page {self.page}</span>",
                            8.0)
        doc.drawContents(self._at(0, self.height - doc.size().height() + mm(MARGIN) * 0.5))

    def _at(self, x: float, y: float) -> QPainter:
        self.painter.resetTransform()
        self.painter.translate(x, y)
        return self.painter

    def document(self, rich: str, points: float = 10.0, width: float | None = None) -> QTextDocument:
        """A laid-out ``QTextDocument`` of ``rich`` at this PDF's resolution."""
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.writer)
        font = QFont(FONT)
        font.setPointSizeF(points)
        doc.setDefaultFont(font)
        doc.setDocumentMargin(0)
        doc.setHtml(rich)
        doc.setTextWidth(self.width if width is None else width)
        return doc

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor (a block taller than a page gets one)."""
        if self.y > 0 and self.y + height > self.height - mm(6):
            self.new_page()

    def block(self, rich: str, points: float = 10.0, gap: float = 1.5) -> None:
        """A paragraph of rich text across the page, then ``gap`` mm."""
        doc = self.document(rich, points)
        self.need(doc.size().height())
        doc.drawContents(self._at(0, self.y))
        self.y += doc.size().height() + mm(gap)

    def finish(self) -> None:
        self._draw_footer()
        self.painter.end()


# ------------------------------------------------------------------ drawing
def _note(pages: _Pages, note: Note, origin: QPointF, points: float) -> None:
    doc = pages.document(to_html(note.text), points)
    doc.setTextWidth(doc.idealWidth())
    w, h = doc.idealWidth(), doc.size().height()
    x = origin.x() + mm(note.x) - {"left": 0.0, "right": w, "center": w / 2}[note.align]
    doc.drawContents(pages._at(x, origin.y() + mm(note.y) - h / 2))


def _network(pages: _Pages, d: Drawing, origin: QPointF) -> None:
    """Edges (boundary to boundary), circles, the labels inside them and the input values."""
    p = pages._at(0, 0)
    p.setPen(QPen(QColor("#333333"), mm(0.25)))
    for a, b in d.edges():
        start = origin + QPointF(mm(a.x), mm(a.y))
        end = origin + QPointF(mm(b.x), mm(b.y))
        along = end - start
        unit = along / (along.x() ** 2 + along.y() ** 2) ** 0.5
        p.drawLine(start + unit * mm(RADIUS), end - unit * mm(RADIUS))
    p.setPen(QPen(QColor("#111111"), mm(0.3)))
    p.setBrush(QColor("white"))
    for s in d.spots:
        p.drawEllipse(origin + QPointF(mm(s.x), mm(s.y)), mm(RADIUS), mm(RADIUS))
    for note in d.labels:
        _note(pages, note, origin, 9.0)
    for note in d.notes:
        _note(pages, note, origin, 9.0)


def _table_html(t: NumberTable) -> str:
    """A ``NumberTable`` as a rich-text table: the neurons fed down the left, the weights' sources and β across."""
    def cell(tag: str, text: str, align: str = "right") -> str:
        return f"<{tag} align='{align}' style='padding:1px 6px; white-space:nowrap'>{to_html(text)}</{tag}>"

    head = cell("th", t.corner, "left") + "".join(cell("th", c) for c in t.columns)
    rows = "".join(f"<tr>{cell('th', r)}{''.join(cell('td', v) for v in cells)}</tr>"
                   for r, cells in zip(t.rows, t.cells))
    return f"<table cellspacing='0' style='margin-bottom:8px'><tr>{head}</tr>{rows}</table>"


def _givens(pages: _Pages, sheet: Worksheet) -> None:
    """The drawing and, beside or below it, the tables of the weights and biases."""
    d = drawing(sheet.exercise)
    each = [_table_html(t) for t in number_tables(sheet.exercise)]
    if d.beside(pages.width / mm(1)):
        tables = "".join(each)
        doc = pages.document(tables, 9.5, pages.width - mm(d.width + 6))
        height = max(mm(d.height), doc.size().height())
        pages.need(height)
        _network(pages, d, QPointF(0, pages.y + (height - mm(d.height)) / 2))
        doc.drawContents(pages._at(mm(d.width + 6), pages.y + (height - doc.size().height()) / 2))
        pages.y += height + mm(3)
    else:
        tables = "<table><tr>" + "".join(f"<td style='padding-right:24px'>{t}</td>" for t in each) + "</tr></table>"
        pages.need(mm(d.height))
        _network(pages, d, QPointF(0, pages.y))
        pages.y += mm(d.height + 2)
        pages.block(tables, 9.5, 3)


# ------------------------------------------------------------------ sheets
def _heading(pages: _Pages, sheet: Worksheet, what: str) -> None:
    ex = sheet.exercise
    sizes = "-".join(map(str, ex.network.sizes))
    caption = f"<td align='right'>{html.escape(ex.caption)}</td>" if ex.caption else ""
    pages.block(f"<table width='100%'><tr><td><span style='font-size:15pt; font-weight:bold'>{what}: one update "
                f"of a {sizes} network</span></td>{caption}</tr></table>", 10.0, 0.5)
    pages.block(html.escape(ex.subtitle), 10.0, 3)


def _questions(pages: _Pages, number: int, part: Part) -> None:
    """The part's title, hint and its blanks: ``part.per_row`` questions a row, a label and a box each."""
    title = pages.document(f"<b style='font-size:12pt'>{number}. {html.escape(part.title)}</b>")
    hint = pages.document(f"<span style='color:{MUTED}'>{prose_html(part.hint)}</span>", 9.0)
    row_height = mm(BOX.height() + 2.5)
    rows = -(-len(part.questions) // part.per_row)
    whole = title.size().height() + hint.size().height() + mm(4) + rows * row_height
    pages.need(whole if whole < pages.height / 2 else whole - (rows - 1) * row_height)  # together if it is short
    title.drawContents(pages._at(0, pages.y))
    pages.y += title.size().height() + mm(1)
    hint.drawContents(pages._at(0, pages.y))
    pages.y += hint.size().height() + mm(2.5)
    qs = list(part.questions)
    cells = part.per_row * max(len(q.blanks) for q in qs)
    cell_width = pages.width / cells
    for start in range(0, len(qs), part.per_row):
        pages.need(row_height)
        row = [b for q in qs[start:start + part.per_row] for b in q.blanks]
        for i, blank in enumerate(row):
            label = pages.document(f"{to_html(blank.label)} {blank.relation}", 10.5)
            label.setTextWidth(label.idealWidth())
            box_w = min(mm(BOX.width()), cell_width - label.idealWidth() - mm(5))
            box_x = (i + 1) * cell_width - box_w - mm(3)
            box = QRectF(box_x, pages.y, box_w, mm(BOX.height()))
            label.drawContents(pages._at(box_x - label.idealWidth() - mm(1.5),
                                         box.center().y() - label.size().height() / 2))
            p = pages._at(0, 0)
            p.setPen(QPen(QColor("#222222"), mm(0.3)))
            p.setBrush(QColor("white"))
            p.drawRect(box)
        pages.y += row_height
    pages.y += mm(2)


def _sheet(pages: _Pages, sheet: Worksheet) -> None:
    _heading(pages, sheet, "Worksheet")
    pages.block("Name: " + "_" * 40, 10.5, 3)
    pages.block("<br>".join(prose_html(line) for line in sheet.setup()), 10.0, 2)
    _givens(pages, sheet)
    for i, part in enumerate(sheet.parts, 1):
        _questions(pages, i, part)


def _answers(pages: _Pages, sheet: Worksheet) -> None:
    """The key: every answer in a table, then each part's worked equations and notes."""
    _heading(pages, sheet, "Answer key")
    cells = [f"<td align='right' style='padding:1px 3px 1px 12px'>{to_html(b.label)}</td>"
             f"<td style='padding:1px 3px'>{html.escape(b.relation)} <b>{to_html(fmt(b.answer))}</b></td>"
             for b in sheet.blanks]
    rows = "".join(f"<tr>{''.join(cells[i:i + GLANCE_COLUMNS])}</tr>" for i in range(0, len(cells), GLANCE_COLUMNS))
    pages.block("<b style='font-size:12pt'>Answers</b>", 10.0, 1)
    pages.block(f"<table cellspacing='0'>{rows}</table>", 9.5, 3)
    for i, part in enumerate(sheet.parts, 1):
        pages.need(mm(20))
        pages.block(f"<b style='font-size:12pt'>{i}. {html.escape(part.title)}</b>", 10.0, 1)
        for q in part.questions:
            for eq in q.working:
                pages.block(equation_html(Equation(eq.lhs, eq.rhs)), 9.5, 1.5)
        if part.notes:
            notes = "".join(f"<li>{to_html(n)}</li>" for n in part.notes)
            pages.block(f"<ul style='color:{MUTED}; margin-left:0'>{notes}</ul>", 8.5, 2)


def worksheet_pdf(sheets: Sequence[Worksheet], answers: bool = False) -> bytes:
    """The question sheets (or, with ``answers``, their answer key) as the bytes of an A4 PDF."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN, MARGIN, MARGIN, MARGIN), QPageLayout.Unit.Millimeter))
    writer.setTitle(("Answer key" if answers else "Worksheet") + (f": {sheets[0].exercise.title}"
                                                                  if sheets and sheets[0].exercise.title else ""))
    writer.setCreator("neuroviz")
    pages = _Pages(writer, "")
    for sheet in sheets:
        ex = sheet.exercise
        what = "Answer key" if answers else "Worksheet"
        pages.start(" · ".join(t for t in (what, ex.title, ex.caption) if t))
        (_answers if answers else _sheet)(pages, sheet)
    pages.finish()
    buffer.close()
    data: QByteArray = buffer.data()
    return bytes(data.data())


def write_worksheet(sheets: Sequence[Worksheet], pdf: str | os.PathLike[str],
                    answers: str | os.PathLike[str] | None = None,
                    tex: str | os.PathLike[str] | None = None) -> list[str]:
    """Write the sheets' PDF to ``pdf``, the answer key's to ``answers`` and the LaTeX source to ``tex``
    (and, with ``answers``, the key's source beside it), each atomically; returns the paths written."""
    atomic_write_bytes(pdf, worksheet_pdf(sheets))
    written = [os.fspath(pdf)]
    if answers is not None:
        atomic_write_bytes(answers, worksheet_pdf(sheets, answers=True))
        written.append(os.fspath(answers))
    if tex is not None:
        written += export_tex(tex, sheets, answers is not None)
    return written
