"""Snapshots read back bit for bit, continue training exactly, and refuse bad files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from snapshot_helpers import arrays_identical, paper_snapshot, trained_snapshot

from neuroviz.core.network import NetworkConfig
from neuroviz.core.trainer import Trainer
from neuroviz.io import atomic, snapshot, snapshot_dataset
from neuroviz.io.snapshot import FORMAT_NAME, FORMAT_VERSION, Snapshot, SnapshotError

CONFIGS = [
    NetworkConfig(sizes=(64, 6, 2), hidden_activation="relu", output_activation="none", seed=1),
    NetworkConfig(sizes=(64, 5, 4, 2), hidden_activation="tanh", output_activation="sigmoid",
                  loss="squared_error", init="xavier", seed=2),
    NetworkConfig(sizes=(64, 7, 2), hidden_activation="leaky_relu", output_activation="relu", init="uniform", seed=4),
    NetworkConfig(sizes=(64, 3, 2), hidden_activation="sigmoid", init="gaussian", seed=5),
]


def assert_same_snapshot(a: Snapshot, b: Snapshot) -> None:
    """Every array and number of two snapshots is bit-identical."""
    assert a.network.config == b.network.config
    for wa, wb in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases, strict=True):
        assert arrays_identical(wa, wb)
    assert a.dataset.name == b.dataset.name and a.dataset.class_names == b.dataset.class_names
    assert a.dataset.image_shape == b.dataset.image_shape
    for key in ("X", "y", "is_test"):
        assert arrays_identical(getattr(a.dataset, key), getattr(b.dataset, key))
    assert arrays_identical(a.input, b.input) and a.target == b.target and a.title == b.title
    sa, sb = a.trainer_state, b.trainer_state
    assert sa.keys() == sb.keys()
    for key in sa:
        if key == "epochs":
            assert json.dumps(sa[key]) == json.dumps(sb[key])  # NaN-safe comparison
        else:
            assert sa[key] == sb[key], key
    ta, tb = a.last_trace, b.last_trace
    assert (ta is None) == (tb is None)
    if ta is not None and tb is not None:
        assert ta.loss.hex() == tb.loss.hex() and ta.lr.hex() == tb.lr.hex()
        for name in ("targets", "losses"):
            assert arrays_identical(getattr(ta, name), getattr(tb, name))
        assert (ta.labels is None and tb.labels is None) or arrays_identical(ta.labels, tb.labels)
        for name in ("deltas", "grad_weights", "grad_biases", "weights_before", "biases_before",
                     "weights_after", "biases_after"):
            for xa, xb in zip(getattr(ta, name), getattr(tb, name), strict=True):
                assert arrays_identical(xa, xb), name
        for xa, xb in zip(ta.forward.raw + ta.forward.act, tb.forward.raw + tb.forward.act, strict=True):
            assert arrays_identical(xa, xb)
        assert arrays_identical(ta.probs, tb.probs)


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.hidden_activation}-{c.output_activation}-{c.loss}")
def test_round_trip_is_bit_exact(tmp_path, config):
    snap, _ = trained_snapshot(config, steps=260)  # past an epoch end: epoch metrics are saved too
    path = tmp_path / "net.nvz.json"
    snapshot.save(path, snap)
    loaded = snapshot.load(path)
    assert_same_snapshot(snap, loaded)
    assert loaded.trainer_state["epochs"], "an epoch ended, so its metrics must be in the file"
    assert snapshot.dumps(loaded) == path.read_text("utf-8")


def test_round_trip_keeps_awkward_floats(small_snapshot):
    """Subnormals, −0.0, the largest double and many digits survive exactly."""
    net = small_snapshot.network.copy()
    specials = [5e-324, -0.0, 1.7976931348623157e308, 0.1 + 0.2, -2.2250738585072014e-308, 1 / 3]
    for i, v in enumerate(specials):
        net.weights[0][0, i] = v
    snap = Snapshot(net, small_snapshot.dataset, small_snapshot.trainer_state, small_snapshot.input,
                    small_snapshot.target, None, "specials")
    loaded = snapshot.loads(snapshot.dumps(snap))
    assert arrays_identical(loaded.network.weights[0], net.weights[0])
    assert np.signbit(loaded.network.weights[0][0, 1])


def test_paper_example_embeds_its_one_sample_data_set():
    snap = paper_snapshot()
    doc = snapshot.to_document(snap)
    assert doc["dataset"]["source"] == "embedded"
    assert doc["dataset"]["samples"]["X"] == [[0.75, 0.5, 0.25, 1.0]]
    assert_same_snapshot(snap, snapshot.loads(snapshot.dumps(snap)))


def test_builtin_data_set_is_named_with_parameters_and_added_samples_embedded(small_snapshot):
    ds = small_snapshot.dataset.with_added(np.linspace(0, 1, 64), 1, test=True)
    snap = Snapshot(small_snapshot.network, ds, small_snapshot.trainer_state, small_snapshot.input, 0, None, "")
    doc = snapshot.to_document(snap)
    assert doc["dataset"]["source"] == "builtin" and doc["dataset"]["name"] == "circles-squares"
    assert doc["dataset"]["parameters"] == {"n": 2000, "shape": [8, 8], "seed": 0, "noise": 0.0,
                                            "test_fraction": 0.25}
    assert len(doc["dataset"]["added"]["X"]) == 1 and doc["dataset"]["added"]["is_test"] == [True]
    assert doc["dataset"]["fingerprint"] == snapshot_dataset.fingerprint(small_snapshot.dataset)
    loaded = snapshot.loads(snapshot.dumps(snap))
    assert_same_snapshot(snap, loaded)


def test_trace_with_target_vectors_keeps_labels_null(small_snapshot):
    _, trainer = trained_snapshot(NetworkConfig(sizes=(64, 4, 2)), steps=3)
    trace = trainer.step_on(np.full((2, 64), 0.5), np.array([[0.3, 0.7], [1.0, 0.0]]))
    snap = Snapshot(trainer.network, trainer.dataset, trainer.state_dict(), np.zeros(64), 1, trace, "vectors")
    loaded = snapshot.loads(snapshot.dumps(snap))
    assert loaded.last_trace is not None and loaded.last_trace.labels is None
    assert_same_snapshot(snap, loaded)


def test_file_is_readable_json_with_format_and_version(small_snapshot):
    text = snapshot.dumps(small_snapshot)
    doc = json.loads(text)
    assert doc["format"] == FORMAT_NAME and doc["version"] == FORMAT_VERSION
    assert text.startswith(f'{{\n  "format": "neuroviz-snapshot",\n  "version": {FORMAT_VERSION},')
    assert '\n  "network": {\n    "sizes": [64, 5, 2],' in text
    assert doc["trainer"]["rng"]["state"].startswith("0x")


# ------------------------------------------------------------- continuing
@pytest.mark.parametrize("shuffle", [True, False])
def test_training_on_after_open_equals_never_saving(tmp_path, shuffle):
    config = NetworkConfig(sizes=(64, 8, 2), seed=7)
    _, original = trained_snapshot(config, steps=41, batch_size=7)
    original.shuffle = shuffle
    snap = Snapshot(original.network.copy(), original.dataset, original.state_dict(), np.zeros(64), 0, None, "")
    path = tmp_path / "mid-epoch.nvz.json"
    snapshot.save(path, snap)
    _, reopened = snapshot.load(path).build()
    # 500 more updates cross two epoch ends (new shuffles from the saved random state).
    for trainer in (original, reopened):
        trainer.train_steps(480)
        for _ in range(20):
            trainer.step()
    for wa, wb in zip(original.network.weights + original.network.biases,
                      reopened.network.weights + reopened.network.biases, strict=True):
        assert arrays_identical(wa, wb)
    assert original.epoch == reopened.epoch >= 2
    assert arrays_identical(original.history.values, reopened.history.values)
    assert arrays_identical(original.order, reopened.order)
    assert original.rng.bit_generator.state == reopened.rng.bit_generator.state
    assert [m.test_loss for m in original.epochs] == [m.test_loss for m in reopened.epochs]


# ------------------------------------------------------------------ atomic
def test_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch, small_snapshot):
    path = tmp_path / "net.nvz.json"
    snapshot.save(path, small_snapshot)
    good = path.read_bytes()
    changed = Snapshot(small_snapshot.network.with_config(seed=9), small_snapshot.dataset,
                       small_snapshot.trainer_state, small_snapshot.input, 1, None, "changed")

    def crash(src, dst):
        raise OSError("simulated power cut before the rename")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        snapshot.save(path, changed)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["net.nvz.json"], "the temporary file must be cleaned up"
    snapshot.load(path)  # still a valid snapshot


def test_crash_in_the_middle_of_writing_leaves_the_old_file_intact(tmp_path, small_snapshot):
    path = tmp_path / "net.nvz.json"
    snapshot.save(path, small_snapshot)
    good = path.read_bytes()
    with pytest.raises(RuntimeError), atomic.atomic_open(path, "wb") as fh:
        fh.write(good[: len(good) // 2])
        raise RuntimeError("the program died half-way")
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["net.nvz.json"]


def test_atomic_write_keeps_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic.atomic_write_text(path, "new")
    assert path.read_text() == "new" and (os.stat(path).st_mode & 0o777) == 0o640


# ----------------------------------------------------------------- bad files
def _doc(snap: Snapshot) -> dict:
    return json.loads(snapshot.dumps(snap))


def _load_doc(doc: object) -> Snapshot:
    return snapshot.loads(json.dumps(doc))


def test_newer_version_is_refused_with_a_clear_message(small_snapshot):
    doc = _doc(small_snapshot)
    doc["version"] = FORMAT_VERSION + 2
    with pytest.raises(SnapshotError, match=r"version.*newer than this program reads"):
        _load_doc(doc)
    doc["version"] = FORMAT_VERSION + 1  # version 3 is a session archive, never a plain JSON file
    with pytest.raises(SnapshotError, match=r"version: a version 3 snapshot is a session archive"):
        _load_doc(doc)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="something-else"), r"format: this is not a neuroviz snapshot"),
        (lambda d: d.update(version="1"), r"version: expected a whole number; found text"),
        (lambda d: d.update(version=0), r"version: 0 is below"),
        (lambda d: d["network"].pop("weights"), r"network\.weights: this field is missing"),
        (lambda d: d.pop("trainer"), r"trainer: this field is missing"),
        (lambda d: d["network"]["weights"][1].pop(), r"network\.weights\[1\]: has 1 entries; expected 2"),
        (lambda d: d["network"]["weights"][0][2].append(0.5), r"network\.weights\[0\]\[2\]: has 65 entries"),
        (lambda d: d["network"]["biases"][0].__setitem__(1, "0.3"), r"network\.biases\[0\]: .*found text"),
        (lambda d: d["network"]["biases"][0].__setitem__(1, True), r"network\.biases\[0\]: .*true/false"),
        (lambda d: d["network"].update(sizes=[64, 5000, 2]), r"network\.sizes\[1\]: 5000 is above"),
        (lambda d: d["network"].update(sizes=[64] * 20), r"network\.sizes: expected a list of 2 to 16"),
        (lambda d: d["network"].update(hidden_activation="swish"), r"hidden_activation: 'swish' is not one of"),
        (lambda d: d["network"].update(sizes=[64, 5, 3]), r"network\.weights\[1\]: has 2 entries; expected 3"),
        (lambda d: d["input"].append(0.0), r"input: has 65 entries; expected 64"),
        (lambda d: d["input"].__setitem__(0, 2.0), r"input: pixel values must lie in \[0, 1\]"),
        (lambda d: d.update(target=2), r"target: 2 is above the largest allowed value 1"),
        (lambda d: d["trainer"].update(lr=-1), r"trainer\.lr: the learning rate must be a finite number above 0"),
        (lambda d: d["trainer"].update(batch_size=10**6), r"trainer\.batch_size: 1000000 is above"),
        (lambda d: d["trainer"]["order"].__setitem__(0, d["trainer"]["order"][1]), r"trainer\.order: is not an"),
        (lambda d: d["trainer"]["rng"].update(state="12"), r"trainer\.rng\.state: expected a hexadecimal"),
        (lambda d: d["trainer"]["rng"].update(inc="0x2"), r"trainer\.rng\.inc: a PCG64 increment is always odd"),
        (lambda d: d["history"]["losses"].pop(), r"history\.losses: has \d+ entries; expected \d+"),
        (lambda d: d["dataset"].update(name="mnist"), r"dataset\.name: 'mnist' is not one of"),
        (lambda d: d["dataset"].update(fingerprint="0" * 64), r"dataset\.fingerprint: the built-in data set "
         r"'circles-squares' this neuroviz generates differs"),
        (lambda d: d["dataset"]["parameters"].update(n=10**9), r"dataset\.parameters\.n: 1000000000 is above"),
        (lambda d: d["dataset"]["added"].update(X=[[0.5] * 64], y=[7], is_test=[False]),
         r"dataset\.added\.y: holds a value outside 0 \.\. 1"),
        (lambda d: d["last_update"]["deltas"][0].append([0.0] * 5), r"last_update\.deltas\[0\]: has 9 entries"),
        (lambda d: d["last_update"].update(labels=[0.5] * 8), r"last_update\.labels: .*whole numbers"),
        (lambda d: d.update(last_update=[]), r"last_update: expected an object; found a list"),
        (lambda d: d["epochs"][0].update(test_loss="nan"), r"epochs\[0\]\.test_loss: expected a number"),
    ],
)
def test_bad_fields_are_named(small_snapshot, mutate, message):
    doc = _doc(small_snapshot)
    mutate(doc)
    with pytest.raises(SnapshotError, match=message):
        _load_doc(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "neuroviz-snapshot", "version": 1', r"not valid JSON: Expecting .* line 1"),
        ("", r"not valid JSON"),
        ("[1, 2]", r"the file: expected an object; found a list"),
        ('{"format": "neuroviz-snapshot", "format": "x"}', r"'format' appears twice"),
        ('{"a": NaN}', r"the number NaN"),
        ('{"a": -Infinity}', r"the number -Infinity"),
        ("[" * 100_000 + "]" * 100_000, r"nested too deeply"),
        ('{"a": ' + "9" * 5000 + "}", r"not valid JSON"),
    ],
)
def test_malformed_json_is_named(text, message):
    with pytest.raises(SnapshotError, match=message):
        snapshot.loads(text)


def test_non_finite_parameter_written_by_hand_is_refused(small_snapshot):
    text = snapshot.dumps(small_snapshot).replace('"biases": [\n      [', '"biases": [\n      [NaN, ', 1)
    with pytest.raises(SnapshotError, match="NaN"):
        snapshot.loads(text)


def test_numbers_too_large_for_a_double_are_refused(small_snapshot):
    doc = _doc(small_snapshot)
    doc["network"]["biases"][0][2] = 12345.678
    text = json.dumps(doc).replace("12345.678", "1e999")
    with pytest.raises(SnapshotError, match=r"network\.biases\[0\]: holds NaN or infinity"):
        snapshot.loads(text)
    doc = _doc(small_snapshot)
    doc["trainer"]["lr"] = 10**400
    with pytest.raises(SnapshotError, match=r"trainer\.lr: the number is too large"):
        _load_doc(doc)


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(SnapshotError, match="not UTF-8"):
        snapshot.loads(b'{"format": "\xff\xfe"}')


def test_too_large_files_are_refused_before_reading(tmp_path, monkeypatch, small_snapshot):
    path = tmp_path / "big.nvz.json"
    snapshot.save(path, small_snapshot)
    monkeypatch.setattr(snapshot, "MAX_FILE_BYTES", 1000)
    with pytest.raises(SnapshotError, match="the limit is"):
        snapshot.load(path)


def test_missing_file_gives_a_snapshot_error(tmp_path):
    with pytest.raises(SnapshotError, match="cannot read the file"):
        snapshot.load(tmp_path / "nope.nvz.json")


def test_snapshot_whose_parts_do_not_fit_is_refused_by_build(small_snapshot):
    state = dict(small_snapshot.trainer_state, order=[0, 1, 2])
    bad = Snapshot(small_snapshot.network, small_snapshot.dataset, state, small_snapshot.input, 0)
    with pytest.raises(SnapshotError, match="trainer: the saved epoch order"):
        bad.build()


def test_trainer_state_round_trip_matches_state_dict(small_snapshot):
    """What the file holds for the trainer is exactly ``Trainer.state_dict()``."""
    network, trainer = snapshot.loads(snapshot.dumps(small_snapshot)).build()
    assert isinstance(trainer, Trainer) and trainer.network is network
    assert json.dumps(trainer.state_dict(), default=str) == json.dumps(small_snapshot.trainer_state, default=str)
