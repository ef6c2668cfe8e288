"""Session files (snapshot format version 3): every update and branch comes back bit for bit, older files
open unchanged, and a hostile archive is refused with bounded memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from snapshot_helpers import arrays_close, arrays_identical, file_params, states_close

from neuroviz.core.selection import Selection
from neuroviz.io import session, snapshot
from neuroviz.io.limits import MAX_SESSION_ARRAY_BYTES
from neuroviz.io.snapshot import SnapshotError
from neuroviz.io.timeline_codec import pack_rows, unpack_rows
from neuroviz.model import AppModel

DATA = Path(__file__).parent / "data"


def lived_session() -> AppModel:
    """A few hundred updates: traced and fast ones, updates on drawings, edits, optimiser and η changes,
    forks kept as branches and one discarded, a branch switched back to."""
    m = AppModel("circles-squares")
    m.step()
    m.time.history.train_steps(150)
    m.set_input(np.linspace(0.0, 1.0, 64))
    m.step_on_input()
    m.set_optimizer("adam", beta1=0.8)
    m.set_penalty(l2=0.01)
    m.time.history.train_steps(60)
    m.go_to(100)
    m.step()  # a fork: updates 101–213 become a branch
    m.set_lr(0.2)
    m.set_batch_size(3)
    m.time.history.train_steps(40)
    m.set_parameter(Selection("weight", 0, 1, 2), 0.25)
    m.set_schedule("step", step_size=5, gamma=0.5)
    m.step_on_input()
    m.time.history.train_steps(30)
    m.go_to(120)
    m.time.fork_policy = lambda _question: "discard"
    m.step()  # updates 121– are discarded
    m.time.fork_policy = lambda _question: "keep"
    m.time.history.train_steps(20)
    m.go_to(m.time.history.branches[0])  # back to the first try (the current one becomes a branch)
    m.go_to(170)
    return m


def every_moment(m: AppModel) -> dict[int, tuple[bytes, int]]:
    h = m.time.history
    out = {}
    for p in range(h.first, h.last + 1):
        m.go_to(p)
        out[p] = (m.network.flat_params().tobytes(), m.trainer.step_count)
    return out


def test_every_saved_update_and_branch_comes_back_bit_for_bit(tmp_path):
    m = lived_session()
    h = m.time.history
    assert h.last > 200 and len(h.branches) == 1 and h.position == 170
    position, branch_fork = h.position, h.branches[0].fork
    lived = every_moment(m)
    m.go_to(branch_fork)
    m.go_to(h.branches[0])
    lived_branch = every_moment(m)  # the other timeline, as lived
    m.go_to(h.branches[0])  # and back
    m.go_to(position)
    path = tmp_path / "lesson.nvz"
    session.save(path, m.snapshot_state())

    opened = AppModel("paper-figure-4")
    opened.restore(session.load(path), str(path))
    h2 = opened.time.history
    assert (h2.first, h2.position, h2.last, len(h2.branches)) == (h.first, position, h.last, 1)
    assert opened.network.flat_params().tobytes() == lived[position][0]
    assert (opened.trainer.lr, opened.trainer.batch_size) == (m.trainer.lr, m.trainer.batch_size)
    assert every_moment(opened) == lived
    assert h2.branches[0].fork == branch_fork and h2.can_switch(h2.branches[0])
    opened.go_to(branch_fork)
    opened.go_to(h2.branches[0])
    assert every_moment(opened) == lived_branch
    opened.go_to(h2.branches[0])  # back to the timeline saved
    for model in (m, opened):  # and both go on alike
        model.go_to(model.time.history.last)
        model.time.history.train_steps(25)
    assert opened.network.flat_params().tobytes() == m.network.flat_params().tobytes()


def test_a_session_file_is_compact_and_holds_only_numbers(tmp_path):
    m = AppModel("circles-squares")
    m.time.history.train_steps(2000)
    path = tmp_path / "s.nvz"
    session.save(path, m.snapshot_state())
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "snapshot.json" and all(n.startswith("timeline/") for n in names[1:])
        for name in names[1:]:
            with zf.open(name) as f:
                a = np.load(io.BytesIO(f.read()), allow_pickle=False)
            assert a.dtype.kind in "iuf"
        doc = json.loads(zf.read("snapshot.json"))
    assert doc["version"] == 3 and doc["timeline"]["position"] == 2000
    assert path.stat().st_size < 2000 * 1346 * 8 / 20  # far less than every update's parameters


def test_packed_rows_give_the_very_bits_back():
    rng = np.random.default_rng(1)
    rows = np.cumsum(rng.normal(size=(7, 33)), axis=0)
    rows[2, 3], rows[4, 5] = -0.0, 5e-324
    back = unpack_rows(pack_rows(rows))
    assert back.tobytes() == rows.tobytes()
    assert unpack_rows(pack_rows(np.zeros((0, 4)))).shape == (0, 4)


# ------------------------------------------------------------------ older files
def test_version_2_files_saved_before_sessions_open_unchanged():
    lesson = AppModel("circles-squares")  # the recipe that made the file (tests/io/data)
    lesson.set_optimizer("momentum", momentum=0.9)
    lesson.set_penalty(l2=0.001)
    lesson.step()
    lesson.time.history.train_steps(40)
    lesson.step_on_input()
    lesson.step()
    path = DATA / "v2-default-momentum-43-steps.nvz.json"
    snap = session.load(path)
    assert json.loads(path.read_text())["version"] == 2
    assert snap.timeline is None
    assert arrays_identical(snap.network.flat_params(), file_params(path))  # the file's numbers, bit for bit
    assert arrays_close(snap.network.flat_params(), lesson.network.flat_params())  # the recipe, on this CPU
    assert states_close(snap.trainer_state, lesson.trainer.state_dict())
    opened, again = AppModel(), AppModel()
    opened.restore(snap)
    again.restore(session.load(path))
    for model in (lesson, opened, again):
        model.time.history.train_steps(30)
    assert arrays_close(opened.network.flat_params(), lesson.network.flat_params())
    assert arrays_identical(opened.network.flat_params(), again.network.flat_params())

    paper = AppModel("paper-figure-4")
    paper.set_optimizer("adam")
    paper.set_schedule("step", step_size=2, gamma=0.5)
    for _ in range(3):
        paper.step()
    path = DATA / "v2-paper-adam-3-steps.nvz.json"
    snap = session.load(path)
    assert arrays_identical(snap.network.flat_params(), file_params(path))
    assert arrays_close(snap.network.flat_params(), paper.network.flat_params())
    assert states_close(snap.trainer_state, paper.trainer.state_dict())
    assert snap.last_trace is not None and paper.last_trace is not None
    assert arrays_close(snap.last_trace.weights_after[0], paper.last_trace.weights_after[0])


@pytest.mark.parametrize("name", ["v1-paper-figure-4.nvz.json", "v1-default-5-steps.nvz.json",
                                  "v2-default-momentum-43-steps.nvz.json", "v2-paper-adam-3-steps.nvz.json"])
def test_older_files_saved_again_as_sessions_keep_their_numbers(tmp_path, name):
    old = session.load(DATA / name)
    m = AppModel()
    m.restore(old)
    path = tmp_path / "again.nvz"
    session.save(path, m.snapshot_state())
    back = session.load(path)
    assert snapshot.dumps(back) == snapshot.dumps(old)
    assert back.start_trace is not None or old.last_trace is None  # the update shown at position 0 stays


def test_info_reports_the_timeline(tmp_path):
    m = lived_session()
    path = tmp_path / "s.nvz"
    session.save(path, m.snapshot_state())
    out = subprocess.run([sys.executable, "-m", "neuroviz", "info", "--json", str(path)], capture_output=True,
                         text=True, check=True)
    info = json.loads(out.stdout)
    h = m.time.history
    assert info["timeline"] == {
        "updates": int(np.count_nonzero(h._cols["kind"] != 2)), "edits": int(np.count_nonzero(h._cols["kind"] == 2)),
        "first": 0, "position": 170, "last": h.last, "update": m.trainer.step_count,
        "newest_update": m.time.newest_update, "branches": 1, "branch_updates": h.branches[0].n_events,
        "checkpoints": len(h.checkpoint_positions), "checkpoint_every": 64}
    assert info["trainer"]["step"] == m.trainer.step_count and info["title"] == m.document.title
    old = subprocess.run([sys.executable, "-m", "neuroviz", "info", "--json", str(DATA / "v1-paper-figure-4.nvz.json")],
                         capture_output=True, text=True, check=True)
    assert json.loads(old.stdout)["timeline"] is None


# ------------------------------------------------------------------ hostile files
def _rewrite(path: Path, change) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    change(members)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture
def saved(tmp_path) -> Path:
    m = AppModel("circles-squares")
    m.time.history.train_steps(100)
    m.go_to(40)
    m.step()
    path = tmp_path / "s.nvz"
    session.save(path, m.snapshot_state())
    return path


def _doc_change(fn):
    def change(members):
        doc = json.loads(members["snapshot.json"])
        fn(doc)
        members["snapshot.json"] = json.dumps(doc).encode()
    return change


def _npy(a: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, a, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize("change, message", [
    (_doc_change(lambda d: d["timeline"].__setitem__("position", 10**6)), "position"),
    (_doc_change(lambda d: d["timeline"].__setitem__("checkpoint_every", 1)), "more than 1 from a checkpoint"),
    (_doc_change(lambda d: d["timeline"]["segments"][0].__setitem__("events", 5)), "events"),
    (_doc_change(lambda d: d["timeline"].__setitem__("branches", [])), "segments"),
    (lambda m: m.pop("timeline/params.npy"), "params: the array is missing"),
    (lambda m: m.__setitem__("timeline/event_lr.npy", _npy(np.full(101, -1.0))), "η must be above 0"),
    (lambda m: m.__setitem__("timeline/events.npy", _npy(np.ones((101, 5), dtype=np.int64))), "counts"),
    (lambda m: m.__setitem__("timeline/orders.npy", _npy(np.zeros(1500, dtype=np.int32))), "ordering"),
    (lambda m: m.__setitem__("timeline/params.npy", b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': "
                             b"False, 'shape': (100000000000,), }" + b" " * 40 + b"\n"), "damaged"),
])
def test_a_tampered_session_is_refused_with_a_message(saved, change, message):
    _rewrite(saved, change)
    with pytest.raises(SnapshotError, match=message):
        session.load(saved)


def test_a_timeline_that_does_not_lead_to_the_saved_state_is_refused(saved):
    def other_weights(doc):
        doc["network"]["weights"][0][0][0] += 1.0
    _rewrite(saved, _doc_change(other_weights))
    with pytest.raises(SnapshotError, match="not the state saved with it"):
        session.load(saved)


def test_arrays_declaring_more_than_the_limit_are_refused_before_reading(saved, monkeypatch):
    with zipfile.ZipFile(saved) as zf:
        declared = sum(i.file_size for i in zf.infolist() if i.filename.startswith("timeline/"))
    monkeypatch.setattr(session, "MAX_SESSION_ARRAY_BYTES", declared - 1)
    with pytest.raises(SnapshotError, match="timeline arrays would take"):
        session.load(saved)
    assert declared < MAX_SESSION_ARRAY_BYTES


def test_a_truncated_session_is_refused(saved):
    saved.write_bytes(saved.read_bytes()[:5000])
    with pytest.raises(SnapshotError, match="not a whole session file"):
        session.load(saved)
