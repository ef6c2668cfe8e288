"""The autosave policy, with a fake clock: when it writes, what it writes, and what removes the file."""

from __future__ import annotations

import numpy as np

from neuroviz.io import recovery
from neuroviz.model import AppModel
from neuroviz.model.autosave import Autosave


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def started(tmp_path, interval: float = 5.0) -> tuple[AppModel, Autosave, Clock]:
    model = AppModel("circles-squares")
    clock = Clock()
    autosave = Autosave(model, tmp_path / "data", interval, clock=clock, now=lambda: 1_765_000_000.0)
    autosave.start()
    return model, autosave, clock


def test_nothing_is_written_while_nothing_changed(tmp_path) -> None:
    _model, autosave, clock = started(tmp_path)
    for _ in range(3):
        clock.t += 10
        assert not autosave.poll()
    assert not (tmp_path / "data").exists()


def test_a_change_is_saved_at_most_once_per_interval(tmp_path) -> None:
    model, autosave, clock = started(tmp_path)
    model.step()
    assert autosave.poll()
    found = recovery.read(autosave.folder)
    assert found is not None and found.step == 1 and found.saved_at == 1_765_000_000.0
    model.step()
    clock.t += 4.9
    assert not autosave.poll()  # within the interval
    clock.t += 0.1
    assert autosave.poll()
    assert recovery.read(autosave.folder).step == 2  # type: ignore[union-attr]
    clock.t += 60
    assert not autosave.poll()  # no change since


def test_a_slow_save_spaces_the_next_ones(tmp_path) -> None:
    model = AppModel("circles-squares")
    clock = Clock()

    def slow_stamp() -> float:  # called while saving: this save takes 2 s of the clock
        clock.t += 2.0
        return 1_765_000_000.0

    autosave = Autosave(model, tmp_path, 5.0, clock=clock, now=slow_stamp, max_share=0.02)
    autosave.start()
    model.step()
    assert autosave.poll() and autosave.last_duration == 2.0
    model.step()
    clock.t += 50
    assert not autosave.poll()  # 2 s / 0.02 = 100 s after the last save began must pass, not 5 s
    clock.t += 48
    assert autosave.poll()


def test_saving_the_document_or_a_clean_quit_removes_the_file(tmp_path) -> None:
    model, autosave, clock = started(tmp_path)
    model.step()
    assert autosave.poll() and recovery.recovery_path(autosave.folder).exists()
    model.document.mark_saved(str(tmp_path / "mine.nvz.json"))
    assert not recovery.recovery_path(autosave.folder).exists()
    model.step()
    clock.t += 5
    assert autosave.poll()
    autosave.discard()
    assert not recovery.recovery_path(autosave.folder).exists()


def test_autosave_leaves_the_document_file_and_its_flag_alone(tmp_path) -> None:
    model, autosave, _clock = started(tmp_path)
    model.document.mark_saved(str(tmp_path / "mine.nvz.json"))
    model.step()
    assert autosave.poll()
    assert model.document.modified and model.document.file_path == str(tmp_path / "mine.nvz.json")
    assert not (tmp_path / "mine.nvz.json").exists()
    assert recovery.read(autosave.folder).file_path == str(tmp_path / "mine.nvz.json")  # type: ignore[union-attr]


def test_restore_brings_back_the_session_as_unsaved_changes(tmp_path) -> None:
    model, autosave, _clock = started(tmp_path)
    model.document.mark_saved(str(tmp_path / "mine.nvz.json"))
    model.train_for(10.0, max_steps=7)
    assert autosave.poll()
    saved = model.network.flat_params().copy()
    found = recovery.read(autosave.folder)
    assert found is not None
    fresh = AppModel("circles-squares")
    later = Autosave(fresh, autosave.folder)
    later.restore(found)
    assert np.array_equal(fresh.network.flat_params(), saved) and fresh.trainer.step_count == 7
    assert fresh.document.modified and fresh.document.file_path == str(tmp_path / "mine.nvz.json")
    assert recovery.read(autosave.folder) is not None  # kept until saved or quit cleanly
    assert fresh.step() is not None and model.step() is not None
    assert np.array_equal(fresh.network.flat_params(), model.network.flat_params())  # training goes on the same


def test_a_failed_save_is_reported_and_tried_again(tmp_path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    model = AppModel("circles-squares")
    clock = Clock()
    autosave = Autosave(model, blocker, 5.0, clock=clock)
    autosave.start()
    model.step()
    assert not autosave.poll() and autosave.last_error
    blocker.unlink()
    clock.t += 5
    assert autosave.poll() and autosave.last_error == ""
