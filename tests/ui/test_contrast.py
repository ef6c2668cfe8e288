"""Quiet text (hints, rates, summaries) reads at 4.5:1 in both themes, and follows a theme switch."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from neuroviz.ui.theme import DARK, LIGHT, contrast_ratio, palette_for


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_hint_text_reaches_4_5_to_1_on_panels_and_fields(theme):
    pal = palette_for(theme)
    hint = pal.color(QPalette.ColorRole.PlaceholderText)
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast_ratio(hint, pal.color(role)) >= 4.5, (theme.name, role)
    assert contrast_ratio(pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)) >= 7


def test_contrast_ratio_is_wcags():
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1)


def test_the_input_panels_hint_follows_the_theme(main_window, qtbot):
    editor = main_window.panels["pixelEditorDock"]
    label = editor.readout
    for choice, theme in (("dark", DARK), ("light", LIGHT)):
        main_window.apply_theme(choice)
        qtbot.waitUntil(lambda t=theme: label.palette().color(label.foregroundRole()) == QColor(t.muted))
        colour = label.palette().color(label.foregroundRole())
        assert contrast_ratio(colour, label.palette().color(QPalette.ColorRole.Window)) >= 4.5
