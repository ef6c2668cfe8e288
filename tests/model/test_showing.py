"""The showing state: which input at which moment every panel shows, and the numbers of it."""

from __future__ import annotations

import numpy as np
import pytest

from neuroviz.core.network import Network
from neuroviz.core.numbers import fmt
from neuroviz.core.phases import Phase
from neuroviz.core.selection import Selection
from neuroviz.model import AppModel


def recorder(signal):
    calls = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def drawn(model: AppModel, seed: int = 5) -> np.ndarray:
    x = np.random.default_rng(seed).random(model.config.n_inputs)
    model.edit_input(x, "Paint stroke")
    return model.drawing.image.copy()


def forward_with(model: AppModel, weights, biases, x: np.ndarray):
    return Network(model.config, list(weights), list(biases)).forward(x)


def test_without_an_update_only_the_drawing_now_is_shown():
    model = AppModel("circles-squares")
    model.show("sample", 3, "before")
    s = model.shown()
    assert s.update is None and s.showing.input == "drawing" and s.words() == "start · your drawing"
    assert np.array_equal(s.probs, model.probabilities())
    assert s.delta(1) is not None  # the drawing's δ with its target, before any update


def test_time_travel_keeps_the_drawing_and_shows_its_prediction_at_each_moment():
    model = AppModel("circles-squares")
    first = drawn(model)
    target = model.target
    x2 = drawn(model, 6)
    for _ in range(5):
        model.step()
    traces = []
    for n in range(5, 0, -1):
        if n < 5:
            model.step_back()
        traces.append(model.last_trace)
        assert np.array_equal(model.input, x2) and model.target == target  # never replaced
        s = model.shown()
        assert s.words() == f"update {n} · after · your drawing"
        after = forward_with(model, model.last_trace.weights_after, model.last_trace.biases_after, x2)
        assert np.array_equal(s.probs, after.probs[0])
        model.show(moment="before")
        s = model.shown()
        before = forward_with(model, model.last_trace.weights_before, model.last_trace.biases_before, x2)
        assert s.words() == f"update {n} · before · your drawing"
        assert np.array_equal(s.probs, before.probs[0])
        assert np.array_equal(s.weights[0], model.last_trace.weights_before[0])
        model.show(moment="after")
    model.go_to(model.time.history.last)
    model.step_forward()  # at the newest: a new update, the drawing stays
    assert np.array_equal(model.input, x2)
    model.drawing.undo_stack.undo()  # undo still brings back the previous strokes
    assert np.array_equal(model.input, first)


def test_a_sample_before_is_the_update_itself_and_after_is_computed_with_the_new_parameters():
    model = AppModel("circles-squares")
    trace = model.step()
    model.show("sample", 2, "before")
    s = model.shown()
    assert s.trace is trace and s.row == 2 and s.words() == f"update 1 · before · sample 3 of {trace.batch_size}"
    assert np.array_equal(s.act(2), trace.forward.act[2][2]) and np.array_equal(s.delta(1), trace.deltas[0][2])
    assert np.array_equal(s.target, trace.targets[2])
    model.show(moment="after")
    s = model.shown()
    again = Network(model.config, list(trace.weights_after), list(trace.biases_after)).compute_step(
        trace.inputs, trace.labels, trace.lr)
    assert np.array_equal(s.act(3), again.forward.act[3][2]) and np.array_equal(s.delta(2), again.deltas[1][2])
    assert np.array_equal(s.weights[1], trace.weights_after[1])
    model.show("mean")
    s = model.shown()
    assert s.row is None and s.words().endswith(f"mean of the batch of {trace.batch_size}")
    assert np.array_equal(s.delta(1), again.deltas[0].mean(axis=0))
    table = s.neuron_table()
    assert np.array_equal(table.act[table.find(2, 4)], again.forward.act[2].mean(axis=0)[4])
    model.show(sample=99)  # clamped to the batch
    model.show("sample")
    assert model.shown().showing.sample == trace.batch_size - 1


def test_a_walk_shows_its_batch_before_the_update():
    model = AppModel("circles-squares")
    model.step()
    model.show(moment="after")
    pending = model.begin_phased_step()
    s = model.shown()
    assert s.walking and s.update is pending and s.showing.moment == "before" and s.row is None
    assert s.words() == f"update 2 · walking, before it · mean of the batch of {pending.batch_size}"
    assert np.array_equal(s.act(1), pending.forward.act[1].mean(axis=0))
    model.show("sample", 1)
    assert model.shown().trace is pending and model.shown().row == 1
    assert model.shown().progress(Phase("forward", 1)).forward_upto == 1
    model.show("mean")
    loss = model.shown().sections(model.network, None, Phase("loss", 3))
    assert loss[-1][0] == "Loss" and loss[-1][1][0].rhs[-1] == fmt(pending.loss)


def test_fast_updates_and_edits_leave_no_traced_update_to_show():
    model = AppModel("circles-squares")
    model.step()
    assert model.shown().update is model.last_trace
    model.train_for(5.0, 3)
    s = model.shown()
    assert s.update is None and s.words() == "update 4 · your drawing"
    model.step()
    model.set_parameter(Selection("bias", 0, 0), 0.25)
    assert model.shown().update is None and model.shown().biases[0][0] == 0.25


def test_the_choice_is_checked_and_announced_once():
    model = AppModel("circles-squares")
    changes = recorder(model.showing.changed)
    model.show("sample", 1, "before")
    model.show("sample", 1, "before")
    assert len(changes) == 1
    with pytest.raises(ValueError, match="unknown input"):
        model.show("batch")
    with pytest.raises(ValueError, match="before or after"):
        model.show(moment="later")
    with pytest.raises(ValueError, match="from 1"):
        model.show(sample=-1)


@pytest.mark.parametrize("choice", [("drawing", 0, "before"), ("drawing", 0, "after"), ("sample", 1, "after"),
                                    ("mean", 0, "before")])
def test_the_equations_end_in_the_numbers_shown(choice):
    model = AppModel("paper-figure-4")
    model.step()
    model.show(*choice)
    s = model.shown()
    sections = s.sections(model.network, Selection("neuron", 1, 0), None)
    forward = sections[0][1][0]
    assert forward.rhs[-1] == fmt(float(s.act(1)[0]))
    assert any(t.startswith("Error term") for t, _ in sections)
    params = s.sections(model.network, Selection("weight", 0, 0, 0), None)
    assert params[0][0].startswith("Gradient and update")


@pytest.mark.parametrize("batch", [8, 32])
def test_a_batch_mean_lists_its_terms_while_they_fit_and_stays_true_as_printed(batch):
    import re

    from neuroviz.core.numbers import parse
    from neuroviz.model.showing import MEAN_TERMS

    model = AppModel("circles-squares")
    model.set_batch_size(batch)
    model.step()
    model.show("mean")
    s = model.shown()
    for selection, title in ((Selection("neuron", 1, 3), "Forward"), (Selection("neuron", 2, 0), "Error term")):
        eq = next(eqs[0] for t, eqs in s.sections(model.network, selection, None) if t.startswith(title))
        listed, mean = eq.rhs[1], eq.rhs[2]
        numbers = re.findall(r"−?\d+(?:,\d{3})*(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?", listed.split(")(", 1)[1])
        rest = re.search(r"⟨(\d+) more: ", listed)
        assert (rest is None) == (batch <= MEAN_TERMS)
        assert len(numbers) == min(batch, MEAN_TERMS) + (2 if rest else 0)  # the count and the sum of the rest
        values = [parse(n) for n in numbers]
        if rest:
            assert int(rest[1]) == batch - MEAN_TERMS and values[-2] == batch - MEAN_TERMS
            values = values[:-2] + values[-1:]
        total = sum(values) / batch
        assert fmt(total) == mean, (listed, mean)  # (1/B)(…) = mean, from the printed numbers


def test_fast_training_computes_the_numbers_shown_once_for_every_panel(monkeypatch):
    """Training emits network_changed and then time.changed: the panels reading ``shown()`` after either
    get one computation; a traced step after it shows its own update."""
    import neuroviz.model.app_model as app_model

    made = []
    real = app_model.shown

    def counted(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(app_model, "shown", counted)
    model = AppModel()
    seen = []
    model.document.network_changed.connect(lambda: seen.append(model.shown()))
    model.time.changed.connect(lambda: seen.append(model.shown()))
    assert model.train_for(0.01) > 0
    assert len(made) == 1 and len(seen) == 2 and seen[0] is seen[1]
    assert seen[0].update is None and seen[0].number == model.trainer.step_count
    trace = model.step()
    assert model.shown().update is trace and model.shown().number == model.trainer.step_count
