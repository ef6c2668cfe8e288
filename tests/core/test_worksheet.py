"""Worksheets: the numbers a sheet gives, its variants, and answers the core computes from exactly those numbers."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.notation import delta_label, neuron_label
from neuroviz.core.numbers import fmt
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.update_table import WEIGHT, UpdateTable
from neuroviz.core.worksheet import (
    GIVEN_DECIMALS,
    MAX_PARAMETERS,
    Exercise,
    WorksheetError,
    chosen_rows,
    exercises,
    prose_parts,
    worksheet,
)
from neuroviz.core.worksheet_drawing import drawing, number_tables


def figure_4(variants: int | None = None, seed: int = 0) -> list[Exercise]:
    p = paper_figure_4()
    return exercises(p.network, p.inputs, p.label, p.class_names, p.lr, p.title, variants, seed)


def printed(exercise: Exercise) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The weights, biases and input read back from the text the sheet prints (tables and drawing)."""
    def num(text: str) -> float:
        return float(text.replace("−", "-"))

    weights, biases = [], []
    for t in number_tables(exercise):
        cells = np.array([[num(c) for c in row] for row in t.cells])
        weights.append(cells[:, :-1])
        biases.append(cells[:, -1])
    x = np.array([num(n.text) for n in drawing(exercise).notes])
    return weights, biases, x


def test_the_default_sheet_is_figure_4_rounded_to_two_decimals():
    (ex,) = figure_4()
    p = paper_figure_4()
    for mine, theirs in zip(ex.network.weights, p.network.weights):
        np.testing.assert_array_equal(mine, np.round(theirs, GIVEN_DECIMALS))
    assert ex.network.weights[1][0, 1] == 0.15  # the completion's θ^{cb}_{12} = 0.1477… rounds to 0.15
    np.testing.assert_array_equal(ex.inputs, [0.75, 0.5, 0.25, 1.0])
    assert ex.caption == "" and ex.seed is None


@pytest.mark.parametrize("variants", [None, 3])
def test_the_answers_are_the_update_of_exactly_the_printed_numbers(variants):
    for ex in figure_4(variants, seed=4):
        weights, biases, x = printed(ex)
        net = Network(ex.network.config, weights, biases)
        trace = net.step(x[None, :], np.array([ex.label]), ex.lr)
        sheet = worksheet(ex)
        answers = {b.label: b.answer for b in sheet.blanks}
        for l in range(1, 3):
            for i in range(net.sizes[l]):
                assert answers[neuron_label(l, i)] == trace.forward.act[l][0, i]
                assert answers[neuron_label(l, i, raw=True)] == trace.forward.raw[l][0, i]
                assert answers[delta_label(l, i)] == trace.deltas[l - 1][0, i]
        assert answers["L"] == trace.loss
        assert answers["p_1"] == trace.probs[0, 0]
        table = UpdateTable.from_trace(trace)
        for r in chosen_rows(table):
            assert answers[f"∂L/∂{table.label(r)}"] == table.grad[r]
            assert answers[table.label(r)] == table.new[r]


def test_each_working_ends_in_its_blanks_answer():
    for part in worksheet(figure_4()[0]).parts:
        for q in part.questions:
            assert q.working[-1].rhs[-1] == fmt(q.blanks[-1].answer)
            assert q.working[0].target == q.blanks[0].label.removesuffix("^raw")


def test_the_sheet_asks_every_forward_value_the_loss_every_delta_and_chosen_updates():
    sheet = worksheet(figure_4()[0])
    labels = [b.label for b in sheet.blanks]
    assert labels[:4] == ["b_1^raw", "b_1", "b_2^raw", "b_2"]
    assert {"c_1^raw", "c_2", "p_1", "p_2", "L"} <= set(labels)
    assert [lab for lab in labels if lab.startswith("δ")] == ["δ^c_1", "δ^c_2", "δ^b_1", "δ^b_2", "δ^b_3"]
    updates = sheet.parts[3].questions
    assert len(updates) == 2 * 2 + 2  # two weights and one bias per layer
    table = UpdateTable.from_trace(sheet.trace)
    for layer in (0, 1):  # the chosen weights are the layer's largest |∂L/∂θ|
        rows = [r for r in chosen_rows(table) if table.layer[r] == layer and table.kind[r] == WEIGHT]
        others = np.abs(table.grad[(table.layer == layer) & (table.kind == WEIGHT)])
        assert sorted(np.abs(table.grad[rows]).tolist()) == sorted(others)[-2:]
    assert [b.relation for b in updates[0].blanks] == ["=", ":="]


def numbers(e: Exercise) -> np.ndarray:
    return np.concatenate([*(w.ravel() for w in e.network.weights), *e.network.biases, e.inputs, [e.label]])


def test_variants_differ_are_nice_seeded_and_stable_in_their_count():
    sheets = figure_4(5, seed=11)
    assert [e.variant for e in sheets] == [1, 2, 3, 4, 5]
    assert sheets[1].caption == "Variant 2 of 5 (seed 11)"
    flat = [numbers(e) for e in sheets]
    assert len({f.tobytes() for f in flat}) == 5
    assert all(np.array_equal(a, numbers(b)) for a, b in zip(flat, figure_4(5, seed=11)))  # the seed repeats them
    assert np.array_equal(flat[2], numbers(figure_4(3, 11)[2]))  # sheet 3 is sheet 3 whatever the count
    assert not np.array_equal(flat[0], numbers(figure_4(5, 12)[0]))
    for e in sheets:
        for w in e.network.weights:
            assert np.all(w != 0) and np.all(np.abs(w) <= 0.9)
            assert np.array_equal(w, np.round(w, 1))
        for b in e.network.biases:
            assert np.array_equal(b * 20, np.round(b * 20)) and np.all(np.abs(b) <= 0.2)
        assert np.array_equal(e.inputs * 4, np.round(e.inputs * 4)) and np.all(e.inputs > 0)
        trace = e.trace()
        assert all(np.any(g != 0) for g in trace.grad_weights)  # every matrix gets a gradient
        assert np.all(np.abs(trace.forward.raw[1]) > 1e-9)  # no ReLU sits on its kink
        assert np.count_nonzero(trace.forward.raw[1] < 0) <= 1 and np.all(trace.forward.raw[2] > 0)


def test_any_small_network_makes_a_sheet_and_squared_error_has_no_softmax():
    config = NetworkConfig(sizes=(2, 3, 3, 2), hidden_activations=("sigmoid", "tanh"), output_activation="none",
                           loss="squared_error", init="uniform", seed=3)
    net = Network(config)
    (ex,) = exercises(net, np.array([0.3, 0.8]), 1, ("x", "y"), 0.1)
    sheet = worksheet(ex)
    labels = [b.label for b in sheet.blanks]
    assert "p_1" not in labels and "L" in labels
    assert "d_1^raw" not in labels and "d_1" in labels  # the identity output has one value to find
    assert sheet.parts[1].title == "Loss"
    assert [lab for lab in labels if lab.startswith("δ")][:2] == ["δ^d_1", "δ^d_2"]
    assert len(sheet.parts[3].questions) == 3 * 3  # three weight matrices: two weights and a bias each


def test_a_network_too_large_is_refused_with_its_size():
    net = Network(NetworkConfig(sizes=(6, 5, 2)))
    assert net.n_params == 47 > MAX_PARAMETERS
    with pytest.raises(WorksheetError, match="at most 40 weights and biases; this 6-5-2 network has 47"):
        exercises(net, np.zeros(6), 0, ("a", "b"), 0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"variants": 0}, "from 1 to 200"), ({"variants": 201}, "from 1 to 200"),
    ({"variants": 2, "seed": -1}, "non-negative"), ({"label": 2}, "not one of"), ({"inputs": np.zeros(3)}, "shape"),
])
def test_bad_options_are_refused(kwargs, message):
    p = paper_figure_4()
    args = {"network": p.network, "inputs": p.inputs, "label": p.label, "class_names": p.class_names,
            "lr": p.lr, **kwargs}
    with pytest.raises(WorksheetError, match=message):
        exercises(**args)


def test_prose_splits_formulas_from_words_and_the_setup_names_the_givens():
    assert prose_parts("Layer $b$ (hidden)") == [("Layer ", False), ("b", True), (" (hidden)", False)]
    setup = worksheet(figure_4()[0]).setup()
    assert setup[0] == "Layer $b$ (hidden): ReLU, $b_m = max{0, b_m^raw}$"
    assert "Target $r = (1, 0)$ (circle), learning rate $η = 0.01$" in setup


def test_the_drawing_puts_layers_in_columns_and_each_input_value_beside_its_neuron():
    ex = figure_4()[0]
    d = drawing(ex)
    assert [s.layer for s in d.spots] == [0] * 4 + [1] * 3 + [2] * 2
    assert len(d.edges()) == 12 + 6
    xs = {s.layer: s.x for s in d.spots}
    assert xs[0] < xs[1] < xs[2] <= d.width
    assert [n.text for n in d.notes] == ["0.75", "0.5", "0.25", "1"]
    assert all(n.x < xs[0] for n in d.notes)
    assert all(0 < s.y < d.height for s in d.spots)
    t = number_tables(ex)[1]
    assert t.columns == ("b_1", "b_2", "b_3", "β^c_m") and t.rows == ("c_1", "c_2")
    assert t.cells[0] == ("0.8", "0.15", "0.5", "0.2")
