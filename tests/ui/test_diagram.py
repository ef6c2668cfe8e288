"""The network diagram: colours and widths follow the model, hover, click, zoom, themes, modes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QStaticText, QWheelEvent
from PySide6.QtWidgets import QApplication

from neuroviz.core.network import NetworkConfig
from neuroviz.core.numbers import fmt
from neuroviz.core.selection import Selection
from neuroviz.ui.colormaps import LEVELS
from neuroviz.ui.diagram import NetworkDiagram
from neuroviz.ui.diagram_style import THICK, THIN, DiagramFonts, Palette, ThemedCache
from neuroviz.ui.diagram_text import TextCache, draw_placed
from neuroviz.ui.diagram_view import MAX_SCALE, Margins, ViewTransform
from neuroviz.ui.picture_export import svg_bytes
from neuroviz.ui.theme import DARK, LIGHT


@pytest.fixture
def diagram(show, model):
    """The diagram over the default model (64-16-16-2), shown at 900×600."""
    return show(NetworkDiagram(model, LIGHT), (900, 600))


@pytest.fixture
def paper_diagram(diagram, model):
    """The diagram showing the paper's 4-3-2 example (few edges, easy to aim at)."""
    model.load_example("paper-figure-4")
    diagram.refresh()
    return diagram


def pixels(image: QImage) -> np.ndarray:
    """Shape (H, W) uint32 copy of a rendered RGB32 image."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return arr.reshape(image.height(), image.width()).copy()


def test_weight_change_changes_that_edges_colour_and_width(diagram, model):
    sel = Selection("weight", 1, 2, 3)
    vmax = diagram.edge_vmax
    model.set_parameter(sel, 10 * vmax)
    strong_pos, width_pos = diagram.edge_style(1, 2, 3)
    assert width_pos == pytest.approx(THIN + (THICK - THIN) * (LEVELS - 0.5) / LEVELS)
    assert diagram.edge_value(1, 2, 3) == pytest.approx(10 * vmax)
    model.set_parameter(sel, -10 * vmax)
    strong_neg, width_neg = diagram.edge_style(1, 2, 3)
    assert width_neg == pytest.approx(width_pos)
    assert strong_neg != strong_pos
    assert strong_neg.blue() > strong_neg.red() and strong_pos.red() > strong_pos.blue()
    model.set_parameter(sel, 0.0)
    faint, width_zero = diagram.edge_style(1, 2, 3)
    assert width_zero < width_pos
    assert faint not in (strong_pos, strong_neg)
    other_before = diagram.edge_style(0, 5, 7)
    model.set_parameter(sel, 0.0)
    assert diagram.edge_style(0, 5, 7) == other_before


def test_hovering_an_edge_shows_its_label_and_values(paper_diagram, model, qtbot):
    pos = paper_diagram.edge_screen_pos(1, 0, 1, t=0.35).toPoint()
    qtbot.mouseMove(paper_diagram, pos)
    w = float(model.network.weights[1][0, 1])
    qtbot.waitUntil(lambda: paper_diagram.toolTip().startswith(f"θ^{{cb}}_{{12}} = {fmt(w, 4)}"))
    assert paper_diagram.hover == Selection("weight", 1, 0, 1)
    assert "∂L/∂θ" not in paper_diagram.toolTip()
    trace = model.step()
    assert trace is not None
    qtbot.mouseMove(paper_diagram, paper_diagram.neuron_screen_pos(2, 0).toPoint())
    qtbot.mouseMove(paper_diagram, pos)
    g = float(trace.grad_weights[1][0, 1])
    d = float(trace.weights_after[1][0, 1] - trace.weights_before[1][0, 1])
    w = float(model.network.weights[1][0, 1])
    expected = f"θ^{{cb}}_{{12}} = {fmt(w, 4)} · ∂L/∂θ = {fmt(g, 4)} · Δ = {fmt(d, 4)}"
    qtbot.waitUntil(lambda: paper_diagram.toolTip().startswith(expected))


def test_opening_a_smaller_network_while_hovering_a_neuron_drops_the_hover(diagram, model, qtbot):
    # The timeline's change was announced before the new layout: the tooltip of the old network's
    # neuron 15 was written from the new network's numbers (an IndexError).
    qtbot.mouseMove(diagram, diagram.neuron_screen_pos(1, 15).toPoint())
    qtbot.waitUntil(lambda: diagram.hover == Selection("neuron", 1, 15))
    model.load_example("paper-figure-4")
    assert diagram.hover is None
    qtbot.mouseMove(diagram, QPoint(1, 1))
    qtbot.mouseMove(diagram, diagram.neuron_screen_pos(1, 2).toPoint())
    qtbot.waitUntil(lambda: diagram.toolTip().startswith("b_3 = "))


def test_hovering_a_neuron_shows_its_values(paper_diagram, model, qtbot):
    qtbot.mouseMove(paper_diagram, paper_diagram.neuron_screen_pos(1, 0).toPoint())
    fwd = model.forward()
    qtbot.waitUntil(lambda: paper_diagram.toolTip().startswith(f"b_1 = {fmt(float(fwd.act[1][0, 0]), 4)}"))
    qtbot.mouseMove(paper_diagram, paper_diagram.neuron_screen_pos(2, 1).toPoint())
    p = model.probabilities()[1]
    qtbot.waitUntil(lambda: f"class “square” · p = {fmt(float(p), 4)}" in paper_diagram.toolTip())


def test_hovering_an_input_pixel_names_its_row_and_column(diagram, model, qtbot):
    qtbot.mouseMove(diagram, diagram.neuron_screen_pos(0, 10).toPoint())
    qtbot.waitUntil(lambda: diagram.toolTip().startswith("a_{11} = "))
    assert "pixel row 2, column 3" in diagram.toolTip()


def test_click_selects_and_escape_clears(paper_diagram, model, qtbot):
    qtbot.mouseClick(paper_diagram, Qt.MouseButton.LeftButton, pos=paper_diagram.neuron_screen_pos(1, 2).toPoint())
    assert model.selection == Selection("neuron", 1, 2)
    qtbot.mouseClick(paper_diagram, Qt.MouseButton.LeftButton,
                     pos=paper_diagram.edge_screen_pos(0, 1, 3, t=0.3).toPoint())
    assert model.selection == Selection("weight", 0, 1, 3)
    qtbot.keyClick(paper_diagram, Qt.Key.Key_Escape)
    assert model.selection is None
    qtbot.mouseClick(paper_diagram, Qt.MouseButton.LeftButton, pos=paper_diagram.neuron_screen_pos(2, 0).toPoint())
    qtbot.mouseClick(paper_diagram, Qt.MouseButton.LeftButton, pos=QPoint(5, 300))
    assert model.selection is None


def test_selected_neuron_highlights_its_edges(paper_diagram, model):
    before = pixels(paper_diagram.render_image())
    model.select(Selection("neuron", 1, 0))
    after = pixels(paper_diagram.render_image())
    # An edge attached to b_1 keeps its colour; one that is not fades toward the background.
    attached = paper_diagram.edge_screen_pos(1, 1, 0, t=0.5)
    other = paper_diagram.edge_screen_pos(1, 1, 2, t=0.25)
    ax, ay = round(attached.x()), round(attached.y())
    ox, oy = round(other.x()), round(other.y())
    assert after[oy - 1:oy + 2, ox - 1:ox + 2].tolist() != before[oy - 1:oy + 2, ox - 1:ox + 2].tolist()
    assert (after[ay - 1:ay + 2, ax - 1:ax + 2] != 0).all()


def test_rendered_image_changes_where_the_changed_edge_is(paper_diagram, model):
    before = pixels(paper_diagram.render_image())
    old = float(model.network.weights[0][1, 3])
    model.set_parameter(Selection("weight", 0, 1, 3), -old if old else 0.5)
    after = pixels(paper_diagram.render_image())
    changed = before != after
    a = paper_diagram.edge_screen_pos(0, 1, 3, t=0.15)
    b = paper_diagram.edge_screen_pos(0, 1, 3, t=0.85)
    x0, x1 = sorted((round(a.x()), round(b.x())))
    y0, y1 = sorted((round(a.y()), round(b.y())))
    assert changed[y0:y1 + 1, x0:x1 + 1].sum() > 20
    # Nothing changes above the network (the mode line) or left of the input neurons.
    left = round(paper_diagram.neuron_screen_pos(0, 0).x() - 40)
    assert not changed[:, :max(left, 1)].any()
    assert not changed[:30, :].any()


def test_theme_switch_changes_the_background(diagram):
    light = pixels(diagram.render_image())
    assert light[3, 3] & 0xFFFFFF == int(LIGHT.background[1:], 16)
    diagram.set_theme(DARK)
    dark = pixels(diagram.render_image())
    assert dark[3, 3] & 0xFFFFFF == int(DARK.background[1:], 16)


def test_edge_and_neuron_modes_show_the_last_update(diagram, model):
    model.set_view(edge_mode="gradients", node_mode="deltas")
    assert np.isnan(diagram.edge_value(0, 0, 0))
    assert diagram.values is not None and "after the first update" in diagram.values.note
    trace = model.step()
    assert trace is not None
    assert diagram.edge_value(2, 1, 4) == pytest.approx(float(trace.grad_weights[2][1, 4]))
    assert np.array_equal(diagram.values.nodes[2], model.shown().delta(2))  # the drawing's δ, after the update
    model.show("mean", moment="before")
    diagram.refresh()
    assert np.array_equal(diagram.values.nodes[2], trace.deltas[1].mean(axis=0))
    assert "update 1 · before · mean of the batch" in diagram.values.note
    model.set_view(edge_mode="updates")
    delta = float(trace.weights_after[0][3, 9] - trace.weights_before[0][3, 9])
    assert diagram.edge_value(0, 3, 9) == pytest.approx(delta)


def test_phase_walk_highlights_the_active_layer(diagram, model):
    assert model.begin_phased_step() is not None
    assert model.phase is not None and model.phase.kind == "forward" and model.phase.layer == 1
    diagram.refresh()
    v = diagram.values
    assert v is not None and v.active_layer == 1
    assert v.nodes[1] is not None and v.nodes[2] is None
    assert v.dim_edges == [False, True, True]
    while model.phase is not None and model.phase.kind != "backward":
        model.next_phase()
    diagram.refresh()
    v = diagram.values
    assert v.node_mode == "deltas" and v.active_layer == 3
    assert v.nodes[3] == pytest.approx(model.pending_trace.deltas[2].mean(axis=0))
    assert v.nodes[1] is None
    while model.phase is not None and model.phase.kind != "update":
        model.next_phase()
    diagram.refresh()
    trace = model.pending_trace
    assert diagram.values.edge_mode == "updates"
    assert diagram.edge_value(1, 0, 0) == pytest.approx(float(trace.weights_after[1][0, 0]
                                                              - trace.weights_before[1][0, 0]))


def test_large_network_draws_the_strongest_edges(diagram, model):
    model.new_network(NetworkConfig(sizes=(64, 128, 128, 10)), "digits")
    assert diagram.layout_.n_edges == 64 * 128 + 128 * 128 + 128 * 10
    assert diagram.drawn_edge_count() == diagram.max_edges < diagram.layout_.n_edges
    drawn = diagram.edges.drawn
    lay = diagram.layout_
    for l, w in enumerate(model.network.weights):
        mine = drawn[(drawn >= lay.offsets[l]) & (drawn < lay.offsets[l] + w.size)] - lay.offsets[l]
        assert mine.size > 0
        # Within each layer, the drawn edges are that layer's strongest.
        assert np.abs(w.ravel()[mine]).min() >= np.sort(np.abs(w.ravel()))[-mine.size] - 1e-12
    assert len(np.unique(pixels(diagram.render_image()))) > 2 * LEVELS


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_many_changes_between_frames_cost_one_repaint(diagram, model, qtbot):
    paints = PaintCounter()
    diagram.installEventFilter(paints)
    QApplication.processEvents()
    start = paints.count
    for _ in range(50):
        model.train_for(0.0, max_steps=1)
        model.document.network_changed.emit()
    qtbot.waitUntil(lambda: paints.count > start)
    QApplication.processEvents()
    assert paints.count - start == 1
    assert diagram.edge_value(0, 0, 0) == pytest.approx(float(model.network.weights[0][0, 0]))


def test_receptive_fields_draw_first_hidden_weights(diagram, model):
    diagram.set_receptive_fields(True)
    rects = diagram.layout_.rf_rects
    assert rects.shape == (16, 4)
    image = pixels(diagram.render_image())
    x, y, w, h = rects[0]
    tl = diagram.to_screen(x, y)
    br = diagram.to_screen(x + w, y + h)
    block = image[round(tl.y()) + 1:round(br.y()) - 1, round(tl.x()) + 1:round(br.x()) - 1]
    assert len(np.unique(block)) > 4
    diagram.set_receptive_fields(False)
    assert diagram.layout_.rf_rects.shape == (0, 4)


def test_wheel_zooms_drag_pans_and_f_fits(diagram, qtbot):
    scale = diagram.scale
    centre = QPointF(450, 300)
    event = QWheelEvent(centre, diagram.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(diagram, event)
    assert diagram.scale > 1.3 * scale
    before = diagram.neuron_screen_pos(1, 0)
    qtbot.mousePress(diagram, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(diagram, QPoint(340, 320))
    qtbot.mouseMove(diagram, QPoint(380, 340))
    qtbot.mouseRelease(diagram, Qt.MouseButton.LeftButton, pos=QPoint(380, 340))
    after = diagram.neuron_screen_pos(1, 0)
    assert after.x() - before.x() == pytest.approx(80, abs=1)
    qtbot.keyClick(diagram, Qt.Key.Key_Home)
    assert diagram.scale == pytest.approx(scale)


def test_high_dpi_render_is_sharp(paper_diagram):
    image = paper_diagram.render_image(dpr=2.0)
    assert image.width() == 2 * paper_diagram.width() and image.devicePixelRatio() == 2.0


def test_zoomed_far_in_still_draws_and_hits(diagram, model):
    target = diagram.neuron_screen_pos(1, 3)
    for _ in range(30):
        diagram.zoom_by(1.5, target)
    assert diagram.scale > 20 * diagram.view.fit_scale
    image = pixels(diagram.render_image())
    assert len(np.unique(image)) > 3
    assert diagram.hit(diagram.neuron_screen_pos(1, 3)) == Selection("neuron", 1, 3)
    diagram.zoom_by(1 / 1.5**30, target)
    diagram.set_max_edges(100)
    assert diagram.drawn_edge_count() == 100


def test_cached_headers_and_texts_follow_theme_zoom_font_and_architecture(diagram, model, qtbot):
    """After each change the long-lived diagram (with its caches) paints exactly what a new one paints."""

    def fresh(theme=LIGHT, zoom: float = 1.0, font: QFont | None = None) -> np.ndarray:
        other = NetworkDiagram(model, theme)
        qtbot.addWidget(other)
        other.resize(diagram.size())
        if font is not None:
            other.setFont(font)
        other.refresh()
        if zoom != 1.0:
            other.zoom_by(zoom)
        return pixels(other.render_image())

    shown = pixels(diagram.render_image())
    assert np.array_equal(shown, fresh())
    diagram.set_theme(DARK)
    dark = pixels(diagram.render_image())
    assert np.array_equal(dark, fresh(DARK))
    qtbot.keyClick(diagram, Qt.Key.Key_Plus)  # zooms by 1.25 about the centre: headers move and grow
    zoomed = pixels(diagram.render_image())
    assert not np.array_equal(zoomed, dark)
    assert np.array_equal(zoomed, fresh(DARK, 1.25))
    big = QFont(diagram.font())
    big.setPointSizeF(big.pointSizeF() * 1.5)
    diagram.setFont(big)  # zoomed in, the view stays (the layout follows a font change only while fitted)
    larger = pixels(diagram.render_image())
    assert not np.array_equal(larger, zoomed)
    diagram.fit_to_view()
    assert np.array_equal(pixels(diagram.render_image()), fresh(DARK, 1.0, big))
    model.new_network(NetworkConfig(sizes=(64, 16, 16, 2), hidden_activation="tanh"))
    tanh = pixels(diagram.render_image())
    assert np.array_equal(tanh, fresh(DARK, 1.0, big))
    model.set_target(1 - model.target)  # the "◂ target" mark moves to the other output
    moved = pixels(diagram.render_image())
    assert not np.array_equal(moved, tanh)
    assert np.array_equal(moved, fresh(DARK, 1.0, big))


def test_edges_stop_inside_the_circles_that_cover_their_ends(diagram, model, monkeypatch):
    lay, edges = diagram.layout_, diagram.edges
    full = edges.screen_segments(lay, diagram.view)
    drawn = edges.drawn_segments(lay, diagram.view, 1.0)
    assert drawn.shape == full.shape
    for l in range(len(lay.sizes) - 1):
        rows = slice(lay.offsets[l], lay.offsets[l] + lay.sizes[l] * lay.sizes[l + 1])
        f, d = full[rows], drawn[rows]
        # Still the same lines: the drawn ends lie on the full segments, in the same direction.
        direction = f[:, 2:] - f[:, :2]
        for end in (d[:, :2], d[:, 2:]):
            offset = end - f[:, :2]
            assert np.allclose(direction[:, 0] * offset[:, 1] - direction[:, 1] * offset[:, 0], 0, atol=1e-6)
        r = lay.radius[l + 1] * diagram.scale
        target_gap = np.hypot(*(f[:, 2:] - d[:, 2:]).T)
        assert np.all(target_gap > 0.3 * r) and np.all(target_gap < r - 2)  # inside the circle
        if l == 0:
            assert np.array_equal(d[:, :2], f[:, :2])  # from the input picture's edge, as before
        else:
            r_source = lay.radius[l] * diagram.scale
            source_gap = np.hypot(*(d[:, :2] - f[:, :2]).T)
            assert np.all(source_gap > 0.3 * r_source) and np.all(source_gap < r_source - 2)
    # The picture is the same but for single pixels where the rasterizer rounds a shortened line differently.
    shortened = pixels(diagram.render_image())
    monkeypatch.setattr(edges, "drawn_segments", lambda lay, view, *_: edges.screen_segments(lay, view))
    whole = pixels(diagram.render_image())
    assert 0 < np.count_nonzero(shortened != whole) < 0.002 * whole.size

    # A vector file keeps the whole lines: it never asks for the shortened ones.
    def shortened_in_svg(lay, view, *_):
        raise AssertionError("an SVG drawing took the shortened segments")

    monkeypatch.setattr(edges, "drawn_segments", shortened_in_svg)
    size = diagram.size()
    assert b"<svg" in svg_bytes(lambda p: diagram.paint(p, size.width(), size.height()), size, "diagram")


def test_numbers_drawn_for_the_first_time_look_as_when_they_come_back(paper_diagram, model):
    # A number seen for the first time is drawn directly, one that comes back from a prepared layout:
    # the pixels must not tell the two apart.
    model.set_parameter(Selection("weight", 1, 0, 1), 0.123456)
    first = pixels(paper_diagram.render_image())
    again = pixels(paper_diagram.render_image())
    assert np.array_equal(first, again)
    assert np.array_equal(again, pixels(paper_diagram.render_image()))


@pytest.mark.parametrize("bottom_right", [False, True])
def test_a_text_is_prepared_when_it_comes_back_and_looks_the_same(qtbot, bottom_right):
    fonts = DiagramFonts.of(QApplication.font())
    texts = TextCache()

    def placed(box: QRectF):
        return texts.text_in(box, bottom_right, "−0.125", fonts.base, fonts.key_of("base"), fonts.line_height, 1.0,
                             changing=True)

    def drawn(how) -> np.ndarray:
        image = QImage(QSize(100, 40), QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        p = QPainter(image)
        p.setFont(fonts.base)
        draw_placed(p, how)
        p.end()
        return pixels(image)

    box = QRectF(10.3, 5.6, 80, 30)
    first, again = placed(box), placed(box)
    assert isinstance(first[1], str) and isinstance(again[1], QStaticText)  # drawn directly, then prepared
    assert np.array_equal(drawn(first), drawn(again)) and len(np.unique(drawn(first))) > 2
    assert len(placed(QRectF(10, 5, 12, 30))) == 3  # too wide for its box: drawText (which clips it), every time


def test_what_is_drawn_in_one_palette_is_drawn_again_in_another_and_the_cache_starts_over_when_full():
    light, dark = Palette.of(LIGHT), Palette.of(DARK)
    cache: ThemedCache[str] = ThemedCache(limit=2)
    built: list[str] = []

    def get(palette: Palette, key: str) -> str:
        return cache.get(palette, key, lambda: built.append(key) or f"{key} in {palette.theme.name}")

    assert get(light, "a") == "a in light" and get(light, "a") == "a in light"
    assert get(dark, "a") == "a in dark"
    assert built == ["a", "a"]
    get(dark, "b")
    get(dark, "c")  # a third key: the cache starts over, keeping only "c"
    get(dark, "c")
    get(dark, "a")
    assert built == ["a", "a", "b", "c", "a"]


def test_the_view_fits_the_network_between_the_margins_and_zooms_about_a_still_point():
    view = ViewTransform()
    margins = Margins(20.0, 80.0, 150.0, 40.0)
    view.fit((2.0, 1.0, 52.0, 26.0), 900, 600, margins)
    tl, br = view.to_screen(2.0, 1.0), view.to_screen(52.0, 26.0)
    free_w, free_h = 900 - 20 - 150, 600 - 80 - 40
    assert view.scale == view.fit_scale == pytest.approx(min(free_w / 50, free_h / 25))
    assert (tl.x() + br.x()) / 2 == pytest.approx(20 + free_w / 2)
    assert (tl.y() + br.y()) / 2 == pytest.approx(80 + free_h / 2)
    anchor = QPointF(123.0, 45.0)
    world = view.to_world(anchor)
    view.zoom_by(2.0, np.array([anchor.x(), anchor.y()]))
    assert view.scale == pytest.approx(2 * view.fit_scale) and not view.auto_fit
    assert view.to_screen(*world) == anchor
    view.pan(10.0, -5.0)
    assert view.to_screen(*world) == anchor + QPointF(10.0, -5.0)
    view.zoom_by(1e9, np.array([0.0, 0.0]))
    assert view.scale == MAX_SCALE
