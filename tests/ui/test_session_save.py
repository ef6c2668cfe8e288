"""Saving a session in the window: a lesson reopens with its timeline, the window goes on while a save
runs (with its progress shown), and a failed write leaves the old file as it was."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressBar, QPushButton, QSlider, QToolButton

from neuroviz.io import session


def keep_branch_when_asked(qtbot) -> None:
    """Click "Keep as branch" in the next fork question (from inside its event loop)."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if box is None or box.objectName() != "forkBox":
            QTimer.singleShot(10, poll)
            return
        qtbot.mouseClick(box.findChild(QPushButton, "keepBranchButton"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, poll)


def lesson(qtbot, model) -> None:
    """The paper's Figure 4 network: five steps, two back, a fork kept as a branch, two more steps."""
    model.load_example("paper-figure-4")
    for _ in range(5):
        model.step()
    model.step_back()
    model.step_back()
    keep_branch_when_asked(qtbot)
    model.step()  # at update 3 of 5: the fork keeps updates 4 and 5 as a branch
    model.step()


def test_a_lesson_reopens_with_its_timeline_and_steps_back(qtbot, main_window, tmp_path):
    s = main_window.model
    lesson(qtbot, s)
    h = s.time.history
    lived = {}
    for p in range(h.first, h.last + 1):
        s.go_to(p)
        lived[p] = s.network.flat_params().tobytes()
    path = tmp_path / "lesson.nvz"
    assert main_window.file_actions.save_to(str(path))
    s.load_example("circles-squares")
    assert main_window.file_actions.open_path(str(path), ask=False)
    h = s.time.history
    slider = main_window.findChild(QSlider, "timelineSlider")
    back = main_window.findChild(QToolButton, "timelineBackButton")
    assert (h.first, h.position, h.last, len(h.branches)) == (0, 5, 5, 1)
    assert slider.maximum() == 5 and slider.value() == 5 and back.isEnabled()
    for p in range(5, -1, -1):  # step back through it with the ◀ button, every moment as it was
        assert h.position == p and slider.value() == p and s.network.flat_params().tobytes() == lived[p]
        if p:
            qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert not back.isEnabled()
    s.go_to(3)
    s.go_to(h.branches[0])  # the branch kept at the fork: updates 4 and 5 of the first try
    assert (h.position, s.trainer.step_count) == (5, 5)


def _slow_writer(monkeypatch, delay: float, fail_after: int | None = None) -> list[float]:
    """Make the archive writer take ``delay`` seconds per array (as on a slow disk); optionally fail
    after ``fail_after`` arrays.  Returns the times at which arrays were written."""
    real = session.write_archive
    written: list[float] = []

    def slow(fh, data, arrays, extra=None, progress=None):
        def report(fraction: float) -> None:
            time.sleep(delay)
            written.append(time.perf_counter())
            if fail_after is not None and len(written) > fail_after:
                raise OSError(28, "No space left on device")
            if progress is not None:
                progress(fraction)

        real(fh, data, arrays, extra, report)

    monkeypatch.setattr(session, "write_archive", slow)
    return written


def test_the_window_processes_events_while_a_save_runs(qtbot, main_window, tmp_path, monkeypatch):
    s = main_window.model
    s.train_for(10.0, max_steps=2000)
    written = _slow_writer(monkeypatch, 0.02)
    ticks: list[float] = []
    shown: list[int] = []
    bar = main_window.findChild(QProgressBar, "saveProgress")
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: (ticks.append(time.perf_counter()), shown.append(bar.value())
                                   if bar.isVisible() else None))
    timer.start()
    path = tmp_path / "big.nvz"
    assert main_window.file_actions.save_to(str(path))
    timer.stop()
    assert len(written) >= 10
    during = [t for t in ticks if written[0] < t < written[-1]]
    assert len(during) >= 5  # the event loop ran between the arrays being written
    assert shown and max(shown) > min(shown)  # the progress bar moved
    assert not bar.isVisible() and not s.document.modified
    assert session.load(path).trainer_state["step"] == 2000


def test_a_failed_save_leaves_the_old_file_intact(qtbot, main_window, tmp_path, monkeypatch):
    s = main_window.model
    s.step()
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "kept.nvz"
    assert main_window.file_actions.save_to(str(path))
    before = path.read_bytes()
    s.train_for(10.0, max_steps=300)
    _slow_writer(monkeypatch, 0.0, fail_after=3)
    assert not main_window.file_actions.save_to(str(path))
    assert path.read_bytes() == before and os.listdir(folder) == ["kept.nvz"]  # no temporary left
    assert s.document.modified and "No space left on device" in main_window.file_actions.last_error
    box = main_window.findChild(QMessageBox, "fileErrorBox")
    qtbot.waitUntil(lambda: box is not None and box.isVisible())
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert session.load(path).trainer_state["step"] == 1


def test_an_autosave_is_written_beside_the_window(qtbot, show, model, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from neuroviz.io import recovery
    from neuroviz.ui.composition import build_window

    window = show(build_window(model, QSettings(), data_folder=tmp_path), (1280, 720))
    autosave = window.autosave
    autosave.start()
    model.time.history.train_steps(500)
    model.step()
    real = recovery.write
    threads: list[str] = []

    def slow_write(*args):  # as on a slow disk
        import threading

        threads.append(threading.current_thread().name)
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(recovery, "write", slow_write)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()
    autosave.poll()
    assert autosave.busy  # the write runs on; poll returned at once
    qtbot.waitUntil(lambda: not autosave.busy, timeout=10000)
    timer.stop()
    assert threads == ["neuroviz-autosave"]
    assert len([t for t in ticks if started < t < started + 0.3]) >= 10  # events went on meanwhile
    found = recovery.read(tmp_path)
    assert found is not None and found.step == 501 and found.snapshot.timeline is not None
    assert found.snapshot.timeline.last == 501
    window.autosave.clean_quit()
    assert recovery.read(tmp_path) is None
