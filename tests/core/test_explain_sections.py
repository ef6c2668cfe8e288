"""Which equations are written out for a selection or a phase of the walk."""

from __future__ import annotations

import numpy as np

from neuroviz.core.explain import Explainer
from neuroviz.core.explain_sections import FOCUS_NEURONS, SectionBuilder, row_of
from neuroviz.core.network import Network
from neuroviz.core.phases import phases_for
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import WEIGHT, UpdateTable


def builder(trace, config, sample=0):
    return SectionBuilder(Explainer(trace, config), UpdateTable.from_trace(trace), sample)


def fig4_builder():
    preset = paper_figure_4()
    return builder(preset.network.step(preset.inputs, preset.label, 0.01), preset.network.config)


def titles_and_lhs(sections):
    return [(title, [eq.lhs for eq in eqs]) for title, eqs in sections]


def test_each_selection_kind():
    b = fig4_builder()
    assert titles_and_lhs(b.sections(Selection("neuron", 1, 0))) == [
        ("Forward: b_1", ["b_1"]), ("Error term of b_1", ["δ^b_1"]), ("Its bias β^b_1", ["∂L/∂β^b_1", "β^b_1 :="])]
    assert titles_and_lhs(b.sections(Selection("neuron", 2, 1)))[0] == ("Forward: c_2", ["c_2", "p_2"])
    assert titles_and_lhs(b.sections(Selection("neuron", 0, 3))) == [
        ("Forward: a_4", ["a_4"]),
        ("Error term of a_4", ["δ^a_4"]),  # the recursion one layer further: δ^a_4 = Σ_m δ^b_m θ^{ba}_{m4}
        # a_4 = 1: its weights to b_1 and b_2 have the largest gradients δ^b_m · a_4 (δ^b_3 = 0)
        ("The largest gradients of its weights to layer b",
         ["∂L/∂θ^{ba}_{14}", "θ^{ba}_{14} :=", "∂L/∂θ^{ba}_{24}", "θ^{ba}_{24} :="])]
    assert titles_and_lhs(b.sections(Selection("weight", 1, 1, 0))) == [
        ("Gradient and update of θ^{cb}_{21}", ["∂L/∂θ^{cb}_{21}", "θ^{cb}_{21} :="]), ("where", ["δ^c_2", "b_1"])]
    assert titles_and_lhs(b.sections(Selection("bias", 0, 2))) == [
        ("Gradient and update of β^b_3", ["∂L/∂β^b_3", "β^b_3 :="]), ("where", ["δ^b_3"])]
    nothing = titles_and_lhs(b.sections(None))
    assert nothing[0] == ("Error terms δ of the output layer c", ["δ^c_1", "δ^c_2"])
    # every hidden layer's δ too, without selecting a neuron
    assert nothing[1] == ("Error terms δ of layer b", ["δ^b_1", "δ^b_2", "δ^b_3"])
    # the two largest |∂L/∂·| are β^c_1 and β^c_2 (|δ^c| = 0.4)
    assert nothing[2][0] == "Largest gradients"
    assert set(nothing[2][1]) == {"∂L/∂β^c_1", "β^c_1 :=", "∂L/∂β^c_2", "β^c_2 :="}
    assert b.sections(Selection("neuron", 5, 0)) == []  # a stale selection shows nothing
    assert row_of(b.table, Selection("weight", 0, 2, 3)) == b.table.find(WEIGHT, 0, 2, 3)


def test_each_phase_of_the_walk():
    b = fig4_builder()
    got = [titles_and_lhs(b.sections(None, phase)) for phase in phases_for(3)]
    assert got[0] == [("Forward layer b", ["b_1", "b_2", "b_3"])]
    assert got[1] == [("Forward layer c", ["c_1", "c_2"])]
    assert got[2] == [("Softmax", ["p_1", "p_2"]), ("Loss", ["L"])]
    assert got[3] == [("Error terms δ of layer c", ["δ^c_1", "δ^c_2"])]
    assert got[4] == [("Error terms δ of layer b", ["δ^b_1", "δ^b_2", "δ^b_3"])]
    assert got[5][0][0] == "Update" and len(got[5][0][1]) == 4
    # a selected neuron of the phase's layer is the one written out
    assert titles_and_lhs(b.sections(Selection("neuron", 1, 1), phases_for(3)[4])) == [
        ("Error terms δ of layer b: the selected b_2", ["δ^b_2"])]


def test_large_layers_show_the_largest_values_and_say_so():
    net = Network.create((64, 16, 10), seed=2)
    x = np.random.default_rng(0).random((4, 64))
    trace = net.copy().step(x, np.array([0, 1, 2, 3]), 0.1)
    b = builder(trace, net.config, sample=2)
    (title, eqs), = b.sections(None, phases_for(3)[0])
    assert title == f"Forward layer b ({FOCUS_NEURONS} of 16 neurons: the largest; select one to see it)"
    values = np.abs(trace.forward.act[1][2])
    shown = sorted(int(eq.lhs.split("_")[1].strip("{}")) - 1 for eq in eqs)
    assert shown == sorted(np.argsort(-values, kind="stable")[:FOCUS_NEURONS].tolist())
    loss = dict(b.sections(None, phases_for(3)[2]))["Loss"]
    assert [eq.lhs for eq in loss] == ["L[3]", "L"]
