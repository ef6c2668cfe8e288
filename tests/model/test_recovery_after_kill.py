"""A training process killed with SIGKILL: the next start restores its last autosave bit for bit."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from neuroviz.io import recovery
from neuroviz.model import AppModel
from neuroviz.model.autosave import Autosave

CHILD = textwrap.dedent(
    """
    import hashlib, os, sys
    from neuroviz.model import AppModel
    from neuroviz.model.autosave import Autosave

    folder, side = sys.argv[1], sys.argv[2]
    model = AppModel("circles-squares")
    autosave = Autosave(model, folder, interval=0.2, max_share=0.5)

    def record(snap):  # after each autosave: the update number and a digest of the state it saved
        digest = hashlib.sha256(snap.network.flat_params().tobytes() + snap.input.tobytes()).hexdigest()
        with open(side, "a") as fh:
            fh.write(f"{snap.trainer_state['step']} {digest}\\n")
            fh.flush()
            os.fsync(fh.fileno())

    autosave.saved.connect(record)
    autosave.start()
    while True:  # trains until killed
        model.train_for(0.01)
        autosave.poll()
    """
)


def digest(model: AppModel) -> str:
    return hashlib.sha256(model.network.flat_params().tobytes() + model.input.tobytes()).hexdigest()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_training_is_restored_bit_for_bit(tmp_path) -> None:
    folder, side = tmp_path / "data", tmp_path / "saved.txt"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(side)])
    try:
        deadline = time.monotonic() + 120  # a generous bound for a loaded machine, not a measurement
        while time.monotonic() < deadline and child.poll() is None:
            if side.exists() and len(side.read_text().splitlines()) >= 4:
                break
            time.sleep(0.005)
        assert child.poll() is None, "the training process ended on its own"
        os.kill(child.pid, signal.SIGKILL)  # right after an autosave was recorded, well before the next
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    lines = side.read_text().splitlines()
    assert len(lines) >= 4
    last_step, last_digest = lines[-1].split()
    steps = [int(line.split()[0]) for line in lines]
    assert steps == sorted(steps) and steps[-1] > steps[0]  # it trained between autosaves

    found = recovery.read(folder)  # the next start
    assert found is not None and found.step == int(last_step)
    model = AppModel("circles-squares")
    Autosave(model, folder).restore(found)
    assert model.trainer.step_count == int(last_step)
    assert digest(model) == last_digest
    assert model.document.modified
    # the autosave kept the whole timeline: every update back to the start, each as it was lived
    history = model.time.history
    assert (history.first, model.time.update_number(history.first)) == (0, 0)
    middle = int(last_step) // 2
    model.go_to(middle)
    fresh = AppModel("circles-squares")
    fresh.time.history.train_steps(middle)
    assert model.network.flat_params().tobytes() == fresh.network.flat_params().tobytes()
    model.go_to(history.last)
    assert digest(model) == last_digest
