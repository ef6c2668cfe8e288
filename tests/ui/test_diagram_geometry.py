"""The diagram's geometry, colour scales and shown values (pure NumPy, no widgets)."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.phases import Phase
from neuroviz.ui.colormaps import LEVELS, buckets, diverging_lut, map_diverging, robust_max
from neuroviz.ui.diagram_layout import compute_layout, edge_at, neuron_at, segment_distance2
from neuroviz.ui.diagram_values import diagram_values


def test_segments_follow_the_weight_matrix_order():
    lay = compute_layout((4, 3, 2), (2, 2), input_grid=False)
    seg = lay.segments[1]
    # θ_{mn} of weights[1] runs from neuron n of layer b to neuron m of layer c.
    m, n = 1, 2
    assert seg[m * 3 + n].tolist() == [*lay.centers[1][n], *lay.centers[2][m]]
    assert lay.edge_index(1, m, n) == 12 + m * 3 + n
    assert lay.edge_of(lay.edge_index(1, m, n)) == (1, m, n)
    assert lay.n_edges == 4 * 3 + 3 * 2


def test_grid_input_cells_and_edges_start_at_the_grid_edge():
    lay = compute_layout((64, 16, 2), (8, 8))
    assert lay.grid is not None
    x, y, w, h = lay.grid.rect
    assert lay.grid.cell_at(x + 2.5 * lay.grid.cell, y + 1.5 * lay.grid.cell) == 1 * 8 + 2
    assert lay.grid.cell_at(x - 1, y) is None
    assert np.allclose(lay.segments[0][:, 0], x + w)
    # Every line leaves the picture itself: none starts above or below it.
    starts_y = lay.segments[0][:, 1]
    assert starts_y.min() >= y - 1e-9 and starts_y.max() <= y + h + 1e-9
    assert np.isclose(starts_y.min(), y) and np.isclose(starts_y.max(), y + h)
    # Each segment still points along the line from its cell's centre to its neuron.
    c = lay.centers[0][10]
    s = lay.segments[0][3 * 64 + 10]
    direction = np.array([s[2] - c[0], s[3] - c[1]])
    part = np.array([s[0] - c[0], s[1] - c[1]])
    assert abs(direction[0] * part[1] - direction[1] * part[0]) < 1e-6


def test_small_inputs_are_circles_even_when_a_grid_is_asked_for():
    assert compute_layout((4, 3, 2), (2, 2), input_grid=True).grid is None


def test_hit_tests_find_neurons_and_the_nearest_edge():
    lay = compute_layout((4, 3, 2), (2, 2), input_grid=False)
    cx, cy = lay.centers[1][2]
    assert neuron_at(lay, cx + 0.5 * lay.radius[1], cy) == (1, 2)
    assert neuron_at(lay, cx + 3 * lay.radius[1], cy) is None
    x0, y0, x1, y1 = lay.segments[0][2 * 4 + 1]
    px, py = x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)
    assert edge_at(lay, px, py + 0.5, tolerance=2.0) == (0, 2, 1)
    assert edge_at(lay, px, py + 500, tolerance=2.0) is None
    d2 = segment_distance2(np.array([[0.0, 0.0, 10.0, 0.0]]), 5.0, 3.0)
    assert d2[0] == pytest.approx(9.0)


def test_receptive_fields_make_room_beside_the_first_hidden_layer():
    plain = compute_layout((64, 16, 16, 2), (8, 8))
    with_rf = compute_layout((64, 16, 16, 2), (8, 8), receptive_fields=True)
    assert with_rf.rf_rects.shape == (16, 4)
    right = (with_rf.rf_rects[:, 0] + with_rf.rf_rects[:, 2]).max()
    assert right < with_rf.layer_x[2]
    assert with_rf.layer_x[2] > plain.layer_x[2]
    assert (with_rf.rf_rects[:, 0] > with_rf.layer_x[1]).all()


def test_buckets_split_by_sign_and_magnitude():
    values = np.array([-2.0, -0.99, -0.01, 0.0, 0.01, 0.5, 0.99, 5.0, np.nan])
    b = buckets(values, 1.0)
    assert b[0] == b[1] == LEVELS - 1
    assert b[2] == 0 and b[3] == 0
    assert b[4] == LEVELS and b[7] == 2 * LEVELS - 1
    assert b[5] == LEVELS + LEVELS // 2
    assert 0 <= b[8] < 2 * LEVELS


def test_colour_scale_is_centred_on_the_background():
    lut = diverging_lut((0, 0, 255), (250, 250, 250), (255, 0, 0))
    colours = map_diverging(np.array([-1.0, 0.0, 1.0, 7.0]), 1.0, lut)
    assert colours[0].tolist() == [0, 0, 255]
    assert colours[1].tolist() == [250, 250, 250]
    assert colours[2].tolist() == colours[3].tolist() == [255, 0, 0]
    assert robust_max([np.zeros(5), None]) == 1.0
    assert robust_max([np.array([0.5, -3.0])]) == 3.0


def test_values_follow_modes_and_phases():
    net = Network(NetworkConfig(sizes=(4, 3, 2), seed=1))
    x = np.array([[0.1, 0.9, 0.4, 0.0]])
    trace = net.compute_step(x, np.array([1]), lr=0.5)
    acts = [a[0] for a in trace.forward.act]
    deltas = [d[0] for d in trace.deltas]
    v = diagram_values(net.weights, acts, None, None, "gradients", "deltas")
    assert v.edges == [None, None] and v.nodes[1] is None and "first update" in v.note and "not finite" in v.note
    v = diagram_values(net.weights, acts, deltas, trace, "updates", "deltas", showing="update 1 · after · drawing")
    assert np.allclose(v.edges[0], trace.weights_after[0] - trace.weights_before[0])
    assert np.allclose(v.nodes[2], trace.deltas[1][0]) and v.note == "update 1 · after · drawing"
    v = diagram_values(net.weights, acts, deltas, trace, "weights", "activations", Phase("forward", 1))
    assert v.active_layer == 1 and v.nodes[2] is None and v.dim_edges == [False, True]
    v = diagram_values(net.weights, acts, deltas, trace, "gradients", "activations", Phase("backward", 2))
    assert v.node_mode == "deltas" and v.nodes[1] is None
    assert v.edges[0] is None and np.allclose(v.edges[1], trace.grad_weights[1])


def test_robust_max_quantile_equals_numpy():
    values = np.abs(np.random.default_rng(3).normal(size=1312))
    assert robust_max([values]) == float(np.quantile(values, 0.995))
    assert robust_max([values], 0.5) == float(np.quantile(values, 0.5))
