"""The diagram's texts: laid out once (``QStaticText``) and drawn many times, with the same pixels.

``QPainter.drawText`` lays a text out anew on every call; a prepared
``QStaticText`` is several times faster to draw.  Names and headers are
prepared the first time.  Numbers change from frame to frame while training:
one seen for the first time is drawn directly (laying out a text that never
comes back costs more than drawing it) and prepared when it comes back.
Both ways give the same pixels.  ``Scripted`` draws a symbol with stacked
sub- and superscripts (the edges' θ^{ba}_{11}).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QStaticText

from neuroviz.ui.diagram_labels import LabelLog
from neuroviz.ui.diagram_style import DiagramFonts

TEXT_CACHE = 4096
"""At most this many prepared texts (and as many widths of texts seen once, and font metrics) are kept."""

TextItem = tuple[QPointF, QStaticText, QFont, QColor]
"""A placed text: where it goes (top left), the text, its font and colour."""
PlacedText = tuple[QPointF, QStaticText] | tuple[QPointF, str] | tuple[QRectF, Qt.AlignmentFlag, str]
"""A text in a box: a prepared text at its top left, a text seen for the first time at its baseline's
left end, or (when that would differ) the box, alignment and text."""


class TextCache:
    """Prepared texts by (text, font key), the widths of texts seen once, and font metrics."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, str], tuple[QStaticText, float]] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._metrics: dict[str, QFontMetricsF] = {}

    def static_text(self, text: str, fonts: DiagramFonts, name: str) -> QStaticText:
        """``text`` laid out once in the font ``fonts.named(name)`` (cached)."""
        return self.prepared(text, fonts.named(name), fonts.key_of(name))[0]

    def prepared(self, text: str, font: QFont, font_key: str, width: float | None = None) -> tuple[QStaticText, float]:
        """``text`` laid out once in ``font`` (named ``font_key`` in the cache), and its advance ``width``."""
        key = (text, font_key)
        found = self._texts.get(key)
        if found is None:
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)  # several times faster to draw
            st.prepare(font=font)
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            if width is None:
                width = self.metrics(font, font_key).horizontalAdvance(text)
            found = self._texts[key] = (st, width)
        return found

    def prepared_if_seen(self, text: str, font: QFont, font_key: str) -> tuple[QStaticText | None, float]:
        """Like ``prepared``, but a text drawn for the first time is not laid out (``None``): only its width.

        A text that comes back is prepared (with the width measured the first time).
        """
        key = (text, font_key)
        found = self._texts.get(key)
        if found is not None:
            return found
        width = self._seen.pop(key, None)
        if width is not None:
            return self.prepared(text, font, font_key, width)
        if len(self._seen) >= TEXT_CACHE:
            self._seen.clear()
        width = self._seen[key] = self.metrics(font, font_key).horizontalAdvance(text)
        return None, width

    def metrics(self, font: QFont, font_key: str) -> QFontMetricsF:
        """The metrics of ``font`` (named ``font_key``), kept."""
        fm = self._metrics.get(font_key)
        if fm is None:
            if len(self._metrics) >= TEXT_CACHE:
                self._metrics.clear()
            fm = self._metrics[font_key] = QFontMetricsF(font)
        return fm

    def draw_at(self, p: QPainter, top_left: QPointF, text: str, fonts: DiagramFonts, name: str) -> None:
        """Draw ``text`` in the font ``fonts.named(name)`` (already set on ``p``) with its top left at ``top_left``."""
        font, font_key = fonts.named(name), fonts.key_of(name)
        st, _ = self.prepared_if_seen(text, font, font_key)
        draw_placed(p, self._at(top_left, text, st, font, font_key))

    def _at(self, top_left: QPointF, text: str, st: QStaticText | None, font: QFont, font_key: str) -> PlacedText:
        """``text`` placed with its top left at ``top_left``: prepared, or else at its baseline (the same pixels)."""
        if st is None:
            return QPointF(top_left.x(), top_left.y() + self.metrics(font, font_key).ascent()), text
        return top_left, st

    def text_in(self, box: QRectF, bottom_right: bool, text: str, font: QFont, font_key: str,
                line_height: float, dpr: float, changing: bool = False) -> PlacedText:
        """How to draw exactly what ``drawText(box, align, text)`` draws, centred or right- and bottom-aligned.

        A prepared ``QStaticText`` at the same place gives the same pixels
        when the text fits ``box`` (``drawText`` clips only text that does not
        fit, so such text still goes through it) and the device has one pixel
        per pixel (``dpr``; scaled devices place glyphs a little differently).
        A ``changing`` text (a number) is prepared only when it comes back.
        """
        st, width = (self.prepared_if_seen if changing else self.prepared)(text, font, font_key)
        if width > box.width() or line_height > box.height() or dpr != 1.0:
            align = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom if bottom_right
                     else Qt.AlignmentFlag.AlignCenter)
            return box, align, text
        if bottom_right:
            top_left = QPointF(box.right() - width, box.bottom() - line_height)
        else:
            top_left = QPointF(box.x() + (box.width() - width) / 2, box.y() + (box.height() - line_height) / 2)
        return self._at(top_left, text, st, font, font_key)


_SCRIPTS = re.compile(r"^(.*?)(?:\^\{([^{}]*)\})?(?:_\{([^{}]*)\})?$")


class Scripted(NamedTuple):
    """A symbol with a stacked superscript and subscript (``θ^{ba}_{11}``), measured in two fonts."""

    base: str
    sup: str
    sub: str
    base_width: float
    width: float
    """Advance width (pixels) of the whole."""
    rise: float
    """How far (pixels) the superscript's baseline sits above the base's, and the subscript's below."""

    @classmethod
    def of(cls, text: str, fm: QFontMetricsF, script_fm: QFontMetricsF) -> Scripted:
        """``text`` (``X``, ``X^{…}``, ``X_{…}`` or ``X^{…}_{…}``) measured in a font and its script font."""
        match = _SCRIPTS.match(text)
        base, sup, sub = (match.group(1), match.group(2) or "", match.group(3) or "") if match else (text, "", "")
        base_width = fm.horizontalAdvance(base)
        width = base_width + max(script_fm.horizontalAdvance(sup), script_fm.horizontalAdvance(sub)) + 1
        return cls(base, sup, sub, base_width, width, 0.42 * fm.ascent())

    def draw(self, p: QPainter, x: float, baseline: float, font: QFont, script_font: QFont) -> None:
        """Draw it with its base's baseline starting at (``x``, ``baseline``); sets the pen's font."""
        p.setFont(font)
        p.drawText(QPointF(x, baseline), self.base)
        p.setFont(script_font)
        if self.sup:
            p.drawText(QPointF(x + self.base_width + 0.5, baseline - self.rise), self.sup)
        if self.sub:
            p.drawText(QPointF(x + self.base_width + 0.5, baseline + 0.55 * self.rise), self.sub)


def draw_placed(p: QPainter, placed: PlacedText) -> None:
    """Draw a text placed by ``TextCache.text_in``."""
    if len(placed) == 3 or isinstance(placed[1], str):
        p.drawText(*placed)
    else:
        p.drawStaticText(*placed)


def draw_items(p: QPainter, items: list[TextItem], log: LabelLog | None = None, kind: str = "") -> None:
    """Draw placed texts, changing font and pen only when they differ from the previous text's.

    Each text's rectangle is noted in ``log`` (as ``kind``) when there is one.
    """
    font = color = None
    for pos, text, f, c in items:
        if f is not font:
            p.setFont(f)
            font = f
        if c is not color:
            p.setPen(c)
            color = c
        p.drawStaticText(pos, text)
        if log is not None:
            log.add(kind, text.text(), QRectF(pos, text.size()))
