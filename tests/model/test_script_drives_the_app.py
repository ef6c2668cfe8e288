"""A script drives the whole app through the model, with no Qt: the model is the app's state."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from neuroviz.io import snapshot
    from neuroviz.model import AppModel, KEEP_BRANCH

    model = AppModel("paper-figure-4", fork_policy=KEEP_BRANCH)
    assert model.network.sizes == (4, 3, 2)
    model.load_example("circles-squares")
    events = []
    model.document.network_changed.connect(lambda: events.append("network"))
    model.time.changed.connect(lambda: events.append("time"))

    # draw on the input: two strokes, each one undo command
    x = model.input.copy()
    x[:8] = 1.0
    model.edit_input(x, "Brush stroke")
    y = x.copy()
    y[8:16] = 0.5
    model.edit_input(y, "Brush stroke")
    assert model.drawing.undo_stack.undo_text == "Brush stroke" and len(model.drawing.undo_stack) == 2

    # steps, then a walk through one update phase by phase: the same numbers as plain steps
    twin = AppModel("circles-squares")
    params = [twin.network.flat_params().copy()]
    for _ in range(6):
        twin.step()
        params.append(twin.network.flat_params().copy())
    for _ in range(5):
        assert model.step() is not None
    model.begin_phased_step()
    shown = [model.phase]
    while model.pending_trace is not None:
        model.next_phase()
        if model.phase is not None:
            shown.append(model.phase)
    assert shown == model.phases and model.trainer.step_count == 6
    assert np.array_equal(model.network.flat_params(), params[6])
    assert model.last_trace.loss == twin.last_trace.loss

    # back three updates: exactly the parameters of update 3
    model.step_back(); model.step_back(); model.step_back()
    assert model.trainer.step_count == 3 and not model.at_newest
    assert np.array_equal(model.network.flat_params(), params[3])

    # undo a stroke
    model.drawing.undo_stack.undo()
    assert np.array_equal(model.input, np.clip(x, 0, 1))

    # fork: a step at update 3 keeps updates 4-6 as a branch
    assert model.step() is not None
    h = model.time.history
    assert model.trainer.step_count == 4 and model.at_newest and len(h.branches) == 1
    assert "network" in events and "time" in events

    # save and reopen: every number back
    path = sys.argv[1]
    snapshot.save(path, model.snapshot_state())
    reopened = AppModel()
    reopened.restore(snapshot.load(path), path)
    assert reopened.document.file_path == path and not reopened.document.modified
    assert np.array_equal(reopened.network.flat_params(), model.network.flat_params())
    assert np.array_equal(reopened.input, model.input) and reopened.target == model.target
    assert reopened.trainer.step_count == 4
    a, b = reopened.step(), model.step()
    assert np.array_equal(a.probs, b.probs) and a.loss == b.loss

    qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"))
    print("qt:", qt)
    sys.exit(1 if qt else 0)
    """
)


def test_a_script_draws_steps_walks_travels_forks_undoes_saves_and_reopens(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "s.nvz.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "qt: []" in done.stdout
