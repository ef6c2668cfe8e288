"""neuroviz.show opens the window on a network from a script or a notebook's running event loop."""

from __future__ import annotations

import numpy as np

import neuroviz
from neuroviz.core.network import Network, NetworkConfig


def test_show_opens_a_window_on_a_copy_of_the_network_and_returns_at_once_in_a_running_loop(qtbot):
    net = Network(NetworkConfig(sizes=(4, 3, 2), hidden_activation="tanh", seed=3))
    window = neuroviz.show(net, title="mine")
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    model = window.model
    assert model.document.title == "mine" and model.dataset.name == "blank"
    assert np.array_equal(model.network.flat_params(), net.flat_params()) and model.network is not net
    model.set_input(np.array([0.2, 0.9, 0.4, 1.0]))
    assert model.step_on_input() is not None
    assert not np.array_equal(model.network.flat_params(), net.flat_params())  # the caller's network is untouched


def test_the_core_shows_pictures_in_a_notebook():
    net = Network(NetworkConfig(sizes=(64, 16, 2)))
    svg = net._repr_svg_()
    assert svg.startswith("<svg") and svg.count("<circle") == 40 + 16 + 2 and "… 24 more" in svg
    trace = net.copy().step(np.zeros((1, 64)), np.array([1]), 0.01)
    table = trace._repr_html_()
    assert table.count("<tr>") == 1 + 200 and f"of {net.n_params:,}" in table
    small = Network(NetworkConfig(sizes=(4, 3, 2)))
    table = small.copy().step(np.ones((1, 4)), np.array([0]), 0.01)._repr_html_()
    assert table.count("<tr>") == 1 + small.n_params and "θᵇᵃ₁₁" in table and "loss L = " in table
