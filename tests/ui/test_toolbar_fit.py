"""The diagram toolbar fits the window: at 1024 pixels wide every action is in sight (nothing behind »)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QToolButton

from neuroviz.model import AppModel
from neuroviz.ui.composition import build_window
from neuroviz.ui.toolbar_fit import full_text


def in_sight(bar) -> list[str]:
    """The toolbar's items that are shown whole inside it (not moved to the extension menu)."""
    seen = []
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if widget is not None and widget.isVisible() and bar.rect().contains(widget.geometry()):
            seen.append(action.text() or widget.objectName() or type(widget).__name__)
    return seen


@pytest.mark.parametrize("size", [(1024, 700), (1280, 720), (1920, 1080)])
def test_every_toolbar_action_is_in_sight(show, qtbot, size):
    window = show(build_window(AppModel("circles-squares"), QSettings()), size)
    bar = window.diagram_toolbar
    qtbot.waitUntil(lambda: len(in_sight(bar)) == len(bar.actions()))
    assert not bar.findChild(QToolButton, "qt_toolbar_ext_button").isVisible()
    assert window.showing_control.isVisible() and bar.rect().contains(window.showing_control.geometry())
    weights = window.edge_actions["weights"]
    if size[0] >= 1280:  # room for the words
        assert not window.toolbar_fit.compact and bar.widgetForAction(weights).text() == "Weights θ"
    else:
        assert window.toolbar_fit.compact and bar.widgetForAction(weights).text() == "θ"
        assert weights.text() == "&Weights θ" and "weights θ" in bar.widgetForAction(weights).toolTip()


def test_the_full_texts_come_back_when_the_window_widens(show, qtbot):
    window = show(build_window(AppModel("circles-squares"), QSettings()), (1024, 700))
    bar, fit = window.diagram_toolbar, window.toolbar_fit
    qtbot.waitUntil(lambda: fit.compact)
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: not fit.compact)
    assert [bar.widgetForAction(a).text() for a in window.edge_actions.values()] == [
        full_text(a) for a in window.edge_actions.values()]
    window.model.step()  # a batch: the Showing control's list gets longer ("Sample 1 of 8"), the texts hold
    qtbot.wait(20)
    assert not fit.compact and len(in_sight(bar)) == len(bar.actions())
