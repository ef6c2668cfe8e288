"""Quiet text (hints, rates, summaries) and the timeline's groove read at 4.5:1 in both themes, and follow a theme
switch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from neuroviz.ui.inspector_tables import Col
from neuroviz.ui.theme import DARK, LIGHT, contrast_ratio, palette_for
from neuroviz.ui.timeline import Timeline
from neuroviz.ui.training_loop import TrainingLoop


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


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_timeline_groove_reaches_4_5_to_1_against_its_panel(show, model, theme):
    for _ in range(4):
        model.step()
    model.go_to(1)  # a past moment: the groove is filled up to the handle, plain after it
    timeline = show(Timeline(model, TrainingLoop(model)), (640, 40))
    timeline.setPalette(palette_for(theme))
    timeline.setAutoFillBackground(True)
    slider = timeline.slider.geometry()
    image = timeline.grab().toImage()
    mid = slider.center().y()
    panel = QColor(image.pixel(slider.center().x(), slider.top() + 1))
    assert panel == QColor(theme.surface)  # the panel's own colour around the groove
    ahead = QColor(image.pixel(slider.right() - 12, mid))  # not reached yet
    behind = QColor(image.pixel(slider.left() + 6, mid))  # up to the handle
    assert ahead == QColor(theme.muted) and behind == QColor(theme.negative)
    for part in (ahead, behind):
        assert contrast_ratio(part, panel) >= 4.5, (theme.name, part.name(), panel.name())


def test_the_inspectors_quiet_text_takes_the_themes_hint_colour(main_window, qtbot):
    model = main_window.model
    model.step()
    inspector = main_window.docks["inspectorDock"].widget()
    main_window.docks["inspectorDock"].raise_()
    qtbot.waitUntil(lambda: inspector.trace is model.last_trace)
    for choice, theme in (("dark", DARK), ("light", LIGHT)):
        main_window.apply_theme(choice)
        qtbot.waitUntil(lambda t=theme: f"color:{t.muted}" in inspector.loss_label.text().replace(" ", ""))
        assert theme.muted in inspector.equations.toHtml()  # the notes and the hint under the equations
        eta = inspector.table_model.data(inspector.table_model.index(0, Col.ETA), Qt.ItemDataRole.ForegroundRole)
        assert eta == QColor(theme.muted)
        for background in (theme.background, theme.surface):
            assert contrast_ratio(QColor(theme.muted), QColor(background)) >= 4.5
