"""The inspector's equations: the update's arithmetic in the paper's notation, every number written out.

``EquationsView`` shows the sections ``neuroviz.core.explain_sections``
picks for a selection or for the phase being walked through, each equation one
form per line with its ``=`` signs aligned (``math_text.equation_html``), and
copies them as LaTeX.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from neuroviz.core.equation import Equation
from neuroviz.core.explain_sections import Section
from neuroviz.core.selection import Selection
from neuroviz.ui.math_text import HangingIndent, equation_html, to_html

"""The colour of notes and hints."""
FONT_SCALE = 1.08
"""The equations' font size relative to the panel's."""


class EquationsView(QTextBrowser):
    """The equations of one update for what the user looks at."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: tuple[list[Section], bool, Selection | None] | None = None
        self.setObjectName("inspectorEquations")
        self.setOpenLinks(False)
        self.document().setUndoRedoEnabled(False)
        self._set_fonts()
        self.sections: list[Section] = []
        """The sections shown, in order."""
        self.menu_actions: list[QAction] = []
        """Actions the context menu offers after the standard ones (e.g. the panel's Copy as LaTeX)."""
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    def _set_fonts(self) -> None:
        """The equations' font: the widget's (the application's), a little larger."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
        self.document().setDefaultFont(font)
        self._indent = HangingIndent(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # e.g. presentation mode scales the application's font
            self._set_fonts()
        if event.type() == QEvent.Type.PaletteChange and self._shown is not None:
            self.show_sections(*self._shown)  # the quiet text takes the theme's colour

    def muted(self) -> str:
        """The colour of quiet text (hints, notes): the palette's hint colour, 4.5:1 in either theme."""
        return self.palette().color(QPalette.ColorRole.PlaceholderText).name()

    def show_sections(self, sections: list[Section], has_update: bool, selection: Selection | None) -> None:
        """Write out ``sections`` (``neuroviz.model.Shown.sections``: of the input and moment shown, for
        ``selection`` or the phase walked through); ``has_update`` False: there is no update, say what will
        appear here.  The scroll position is kept."""
        self.sections = sections
        self._shown = (sections, has_update, selection)
        muted = self.muted()
        if not has_update:
            self.setHtml(f"<p style='color:{muted}'>No update yet: press Step (→), or Walk (W) to go through "
                         "one phase by phase. Its equations appear here, in the paper's notation, with every "
                         "number.</p>")
            return
        body = []
        for title, eqs in self.sections:
            body.append(f"<p style='margin:8px 0 2px 0'><b>{to_html(title)}</b></p>")
            shared = _shared_notes(eqs)
            body += [equation_html(replace(eq, notes=tuple(n for n in eq.notes if n not in shared)),
                                   muted_colour=muted, indent=self._indent) for eq in eqs]
            body += [f"<p style='margin:0 0 0 14px; color:{muted}; font-size:small'>{to_html(n)}</p>"
                     for n in shared]
        if selection is None:
            hint = "Select a neuron or a parameter (in the diagram or the tables) to see its equations."
            body.append(f"<p style='color:{muted}'>{to_html(hint)}</p>")
        bar = self.verticalScrollBar().value()
        self.setHtml("".join(body))
        self.verticalScrollBar().setValue(bar)

    def latex(self) -> str:
        """The equations shown, one ``aligned`` environment per section (titles as comments)."""
        parts = []
        for title, eqs in self.sections:
            rows = " \\\\[4pt]\n".join(eq.latex() for eq in eqs)
            parts.append(f"% {title}\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}")
        return "\n\n".join(parts)

    def copy_latex(self) -> None:
        """Put ``latex()`` on the clipboard (nothing if no equation is shown)."""
        text = self.latex()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _menu(self, pos: QPoint) -> None:
        menu = self.createStandardContextMenu()
        menu.addSeparator()
        menu.addActions(self.menu_actions)
        menu.exec(self.mapToGlobal(pos))
        menu.deleteLater()


def _shared_notes(eqs: list[Equation]) -> list[str]:
    """Notes that more than one equation of a section carries (shown once, after them), in order."""
    if len(eqs) < 2:
        return []
    counts: dict[str, int] = {}
    for eq in eqs:
        for n in eq.notes:
            counts[n] = counts.get(n, 0) + 1
    return [n for n, c in counts.items() if c > 1]


__all__ = ["EquationsView"]
