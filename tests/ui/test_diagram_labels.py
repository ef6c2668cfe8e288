"""The diagram's layout adapts to its space: texts never overlap nor leave the widget, tooltips keep clear."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from neuroviz.core.network import NetworkConfig
from neuroviz.core.notation import neuron_label
from neuroviz.core.selection import Selection
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.diagram_labels import LabelLog
from neuroviz.ui.theme import LIGHT

WINDOWS = ((1024, 700), (1280, 720), (1366, 768), (1920, 1080))
"""Window sizes the diagram must read at: full windows, and (below) its share of them."""
SHARES = ((566, 240), (822, 260), (908, 308), (1462, 620))
"""The diagram's size in the default window layout at each of ``WINDOWS`` (measured from the main window)."""
NETWORKS = ("paper-figure-4", "circles-squares", "digits", "64-128-128-10")


def load(model, network: str) -> None:
    if network == "64-128-128-10":
        model.new_network(NetworkConfig(sizes=(64, 128, 128, 10)), "digits")
    else:
        model.load_example(network)


def drawn_texts(diagram: NetworkDiagram, size: tuple[int, int], dpr: float = 1.0) -> list[tuple[str, str, QRectF]]:
    """(kind, text, rectangle) of every text one paint at ``size`` draws."""
    diagram.label_log = LabelLog()
    diagram.render_image(QSize(*size), dpr)
    return list(diagram.label_log.rects)


def assert_apart_and_inside(texts: list[tuple[str, str, QRectF]], size: tuple[int, int]) -> None:
    area = QRectF(0, 0, *size)
    for i, (kind, text, rect) in enumerate(texts):
        assert area.contains(rect), f"{kind} {text!r} at {rect} is clipped by the {size} widget"
        for other_kind, other, other_rect in texts[i + 1:]:
            assert not rect.intersects(other_rect), f"{kind} {text!r} overlaps {other_kind} {other!r}"


@pytest.fixture
def diagram(qtbot, model):
    widget = NetworkDiagram(model, LIGHT)
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("size", SHARES + WINDOWS)
def test_no_two_texts_overlap_and_none_is_clipped(diagram, model, network, size):
    load(model, network)
    texts = drawn_texts(diagram, size)
    assert_apart_and_inside(texts, size)
    kinds = [kind for kind, _, _ in texts]
    assert kinds.count("header") >= len(model.network.sizes)  # every layer is named
    assert "output" in kinds and "info" in kinds


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("size", ((862, 240), (1280, 720)))
def test_texts_stay_apart_at_device_pixel_ratio_2(diagram, model, network, size):
    load(model, network)
    assert_apart_and_inside(drawn_texts(diagram, size, 2.0), size)


PRESENTED = ((1280, 330), (1024, 360))
"""The diagram's size in presentation mode at 1280×720 and 1024×768."""


@pytest.mark.parametrize("network", NETWORKS[:3])
@pytest.mark.parametrize("scale", (1.25, 1.5, 2.0))
@pytest.mark.parametrize("size", PRESENTED)
def test_at_a_presentation_scale_every_output_keeps_its_label_and_the_texts_stay_apart(diagram, model, network,
                                                                                       scale, size):
    load(model, network)
    font = QFont(diagram.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    diagram.setFont(font)
    texts = drawn_texts(diagram, size)
    assert_apart_and_inside(texts, size)
    outputs = [text for kind, text, _ in texts if kind == "output"]
    names = model.class_names
    labelled = [name for name in names if any(text == name or text.startswith(f"{name} ") for text in outputs)]
    best = names[int(np.argmax(model.shown().probs))]
    assert best in labelled and names[model.target] in labelled, outputs  # the prediction and r, always
    if diagram.fontMetrics().height() * len(names) * 1.2 < size[1] - 40:
        assert labelled == list(names), outputs  # none is dropped where all fit
    headers = [text for kind, text, _ in texts if kind == "header"]
    assert sum(1 for text in headers if any(c.isdigit() for c in text)) >= len(model.network.sizes) - 1, headers


@pytest.mark.parametrize("network", ("paper-figure-4", "digits"))
@pytest.mark.parametrize("window_size", WINDOWS)
def test_the_diagram_in_a_real_window_keeps_its_texts_apart(qtbot, model, network, window_size):
    from PySide6.QtCore import QSettings

    from neuroviz.ui.composition import build_window

    window = build_window(model, QSettings())
    qtbot.addWidget(window)
    window.resize(*window_size)
    with qtbot.waitExposed(window):
        window.show()
    diagram = window.findChild(NetworkDiagram)
    load(model, network)
    model.step()
    qtbot.wait(10)
    assert window.size().toTuple() == window_size
    size = diagram.size().toTuple()
    diagram.label_log = LabelLog()
    diagram.repaint()
    assert_apart_and_inside(diagram.label_log.rects, size)
    outputs = [text for kind, text, _ in diagram.label_log.rects if kind == "output"]
    assert {"header", "info"} <= {kind for kind, _, _ in diagram.label_log.rects}
    assert any(text.startswith(model.class_names[int(np.argmax(model.shown().probs))]) for text in outputs)


@pytest.mark.parametrize("size", ((862, 240), (1280, 720), (1920, 1080)))
def test_figure_4_keeps_its_neuron_names_and_names_every_weight_on_its_own_edge(diagram, model, size):
    model.load_example("paper-figure-4")
    texts = drawn_texts(diagram, size)
    names = {text for kind, text, _ in texts if kind == "name"}
    assert {neuron_label(0, i, "unicode") for i in range(4)} <= names
    labels = [(text, rect) for kind, text, rect in texts if kind == "edge"]
    lay, view = diagram.layout_, diagram.view
    assert len(labels) == lay.n_edges  # every weight gets its label
    # Each label is centred on its own edge: on the segment's line, crossed by no other edge where possible.
    placed = diagram._texts_placed.kept.edges
    segments = diagram.edges.screen_segments(lay, view)
    for label in placed:
        x0, y0, x1, y1 = segments[label.index]
        c = label.rect.center()
        cross = (x1 - x0) * (c.y() - y0) - (y1 - y0) * (c.x() - x0)
        assert abs(cross) / ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 0.5
    if size[1] >= 700:
        named = [label for label in placed if label.name is not None]
        assert len(named) == lay.n_edges
        first = next(label for label in named if label.index == lay.edge_index(0, 0, 0))
        assert (first.name.base, first.name.sup, first.name.sub) == ("θ", "ba", "11")


@pytest.mark.parametrize("size", ((862, 240), (600, 600), (1502, 599)))
def test_the_network_fills_its_space_at_any_aspect(diagram, model, size):
    model.load_example("paper-figure-4")
    diagram.resize(*size)
    x0, y0, x1, y1 = diagram.layout_.bounds
    tl, br = diagram.to_screen(x0, y0), diagram.to_screen(x1, y1)
    free_w, free_h = diagram._margins(True).free(*size)
    assert br.x() - tl.x() > 0.85 * free_w and br.y() - tl.y() > 0.85 * free_h


def test_legends_shrink_then_fold_away_when_space_is_short(diagram, model):
    def legends(size: tuple[int, int]) -> list[QRectF]:
        return [rect for kind, _, rect in drawn_texts(diagram, size) if kind == "legend"]

    full, compact, none = legends((1200, 800)), legends((900, 400)), legends((900, 260))
    assert len(full) == len(compact) == 3 and none == []
    assert compact[0].height() < full[0].height() / 1.5


def test_fit_to_view_lays_out_again_for_the_new_shape(diagram, model, qtbot):
    model.load_example("paper-figure-4")
    diagram.resize(900, 600)
    diagram.zoom_by(2.0)
    diagram.resize(900, 260)
    zoomed_gap = float(diagram.layout_.layer_x[1] - diagram.layout_.layer_x[0])
    diagram.fit_to_view()
    gap = float(diagram.layout_.layer_x[1] - diagram.layout_.layer_x[0])
    assert gap > 1.5 * zoomed_gap  # wider and shorter: the columns move apart


def test_a_point_near_an_edge_snaps_to_the_nearest_edge(diagram, model):
    model.load_example("paper-figure-4")
    diagram.resize(900, 600)
    on = diagram.edge_screen_pos(1, 0, 1, 0.3)
    a, b = diagram.edge_screen_pos(1, 0, 1, 0.0), diagram.edge_screen_pos(1, 0, 1, 1.0)
    d = b - a
    normal = QPointF(-d.y(), d.x()) / (d.x() ** 2 + d.y() ** 2) ** 0.5
    assert diagram.hit(on + 5 * normal) == Selection("weight", 1, 0, 1)
    assert diagram.hit(on - 5 * normal) == Selection("weight", 1, 0, 1)
    assert diagram.hit(on + 9 * normal) != Selection("weight", 1, 0, 1)


def tip_label():
    return next((w for w in QApplication.topLevelWidgets() if w.inherits("QLabel") and w.isVisible()
                 and w.metaObject().className() == "QTipLabel"), None)


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise the tip
def test_tooltips_are_rich_text_and_keep_clear_of_the_output_labels(show, model, qtbot):
    diagram = show(NetworkDiagram(model, LIGHT), (700, 420))
    model.load_example("paper-figure-4")
    diagram.refresh()
    diagram.repaint()
    for item, pos in ((Selection("weight", 1, 0, 0), diagram.edge_screen_pos(1, 0, 0, 0.8)),
                      (Selection("neuron", 2, 0), diagram.neuron_screen_pos(2, 0))):
        point = pos.toPoint()
        assert diagram.hit(QPointF(point)) == item
        qtbot.mouseMove(diagram, point)  # hover, then the tooltip event Qt sends after its delay
        QApplication.sendEvent(diagram, QHelpEvent(QEvent.Type.ToolTip, point, diagram.mapToGlobal(point)))
        qtbot.waitUntil(lambda: tip_label() is not None)
        tip = tip_label()
        assert "<sub>" in tip.text() and "<sup>" in tip.text() and "^{" not in tip.text()
        geometry = QRect(diagram.mapFromGlobal(tip.geometry().topLeft()), tip.geometry().size())
        labels = diagram.output_label_rects()
        assert labels and not any(QRectF(geometry).intersects(r) for r in labels)
        QToolTip.hideText()
        qtbot.waitUntil(lambda: tip_label() is None)


def test_tooltip_html_renders_raw_and_delta_scripts():
    from neuroviz.ui.math_text import tooltip_html

    html = tooltip_html("b_7 = 0.5 · b_7^raw = 1\nδ^b_7 = 2")
    assert "b<sub>7</sub><sup>raw</sup>" in html and "δ<sup>b</sup><sub>7</sub>" in html and "<br>" in html
