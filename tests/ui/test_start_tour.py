"""Help ▸ Start here: the first-run tour points at each panel in turn, is dismissed, shown once, reopened."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QWidget

from neuroviz.ui.composition import build_window
from neuroviz.ui.start_tour import SEEN_KEY, TOUR

LEFT = Qt.MouseButton.LeftButton


def rect_in(window, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_the_tour_walks_draw_step_inspector_walk_play_and_is_shown_once(show, qtbot, model):
    window = show(build_window(model, QSettings()), (1280, 720))
    qtbot.wait(20)
    tour = window.tour
    assert not tour.isVisible()  # building a window shows nothing; a first run offers it
    assert window.offer_tour() and tour.isVisible()
    assert [title.split(" · ")[1] for title, _, _ in TOUR] == ["Draw", "Step", "Read the inspector", "Walk", "Play"]
    seen_targets = []
    for i, (_title, _text, name) in enumerate(TOUR):
        assert tour.index == i and tour.counter.text() == f"{i + 1} of {len(TOUR)}"
        qtbot.wait(10)
        target = window.docks[name]
        assert target is not None and not target.visibleRegion().isEmpty(), name  # in front
        outline = rect_in(window, tour.outline)
        assert tour.outline.isVisible() and outline.contains(rect_in(window, target)), name  # points at it
        card = rect_in(window, tour)
        assert window.rect().contains(card)  # the card stays in the window
        assert not card.intersects(rect_in(window, target)) or name == "inspectorDock", name
        seen_targets.append(name)
        assert tour.back_button.isEnabled() == (i > 0)
        if i < len(TOUR) - 1:
            qtbot.mouseClick(tour.next_button, LEFT)
    assert not tour.next_button.isEnabled()
    qtbot.mouseClick(tour.back_button, LEFT)
    assert tour.index == len(TOUR) - 2
    # not modal: the window answers while the card is up
    qtbot.mouseClick(window.panels["trainingControlsDock"].step_button, LEFT)
    assert model.trainer.step_count == 1
    qtbot.mouseClick(tour.done_button, LEFT)
    assert not tour.isVisible() and not tour.outline.isVisible()
    assert QSettings().value(SEEN_KEY) in (True, "true")
    assert not window.offer_tour() and not tour.isVisible()  # shown once
    window.tour_action.trigger()  # Help ▸ Start here
    assert tour.isVisible() and tour.index == 0
    qtbot.mouseClick(tour.findChild(QWidget, "tourClose"), LEFT)
    assert not tour.isVisible()


def test_the_tour_never_opens_by_itself_once_dismissed(show, qtbot, model):
    QSettings().setValue(SEEN_KEY, True)
    window = show(build_window(model, QSettings()), (1024, 768))
    assert not window.offer_tour() and not window.tour.isVisible()
    assert window.tour_action.text().replace("&", "") == "Start here"
    assert window.tour_action in window.help_menu.actions()
