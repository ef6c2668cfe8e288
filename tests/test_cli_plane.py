"""``neuroviz new --dataset …`` on the plane, ``neuroviz train`` and ``export --decision-png`` (the contracts)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from neuroviz import cli
from neuroviz.core.features import feature_map
from neuroviz.core.plane_data import plane_dataset
from neuroviz.io import plane_picture, snapshot


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_makes_a_network_on_the_plane_with_its_features(tmp_path, capsys):
    path = str(tmp_path / "c.nvz.json")
    code, _, err = run(capsys, "new", "--dataset", "circle", "--noise", "0.3", "--points", "120",
                         "--test-ratio", "0.25", "--features", "x1,x2,x1^2", "--sizes", "3-4-2",
                         "--activations", "tanh", "--seed", "2", "--save", path)
    assert code == 0, err
    snap = snapshot.load(path)
    expected = plane_dataset("circle", 0.3, 120, 0.25, ("x1", "x2", "x1^2"), 2)
    plane = snap.dataset.plane
    assert plane is not None and plane.features == ("x1", "x2", "x1^2") and plane.task == "classification"
    np.testing.assert_array_equal(plane.points, expected.plane.points)
    np.testing.assert_array_equal(snap.dataset.X, expected.X)
    np.testing.assert_array_equal(snap.dataset.is_test, expected.is_test)
    assert snap.network.sizes == (3, 4, 2) and snap.network.config.hidden_activation == "tanh"
    np.testing.assert_array_equal(snap.input, feature_map(np.array([snap.point]), plane.features)[0])


def test_new_regression_defaults_to_squared_error_and_one_output(tmp_path, capsys):
    path = str(tmp_path / "r.nvz.json")
    assert run(capsys, "new", "--dataset", "plane", "--save", path)[0] == 0
    snap = snapshot.load(path)
    assert snap.network.sizes == (2, 8, 8, 1) and snap.network.config.loss == "squared_error"
    assert snap.dataset.is_regression and snap.dataset.plane.task == "regression"
    code, _, err = run(capsys, "new", "--dataset", "plane", "--loss", "cross_entropy", "--save", path)
    assert code == 2 and "squared_error" in err


@pytest.mark.parametrize(("args", "words"), [
    (["--features", "x1,x9"], "unknown feature"),
    (["--sizes", "3-8-2"], "2 feature"),
    (["--sizes", "2-8-3"], "two outputs"),
    (["--points", "1"], "points"),
    (["--noise", "-0.5"], "noise"),
    (["--test-ratio", "1"], "test ratio"),
])
def test_new_refuses_bad_plane_options_by_name(tmp_path, capsys, args, words):
    path = tmp_path / "x.nvz.json"
    code, _, err = run(capsys, "new", "--dataset", "xor", *args, "--save", str(path))
    assert code == 2 and words in err and not path.exists()


def test_image_networks_still_need_their_sizes(tmp_path, capsys):
    code, _, err = run(capsys, "new", "--save", str(tmp_path / "x.json"))
    assert code == 2 and "--sizes" in err


def test_train_prints_loss_and_accuracy_and_saves(tmp_path, capsys):
    path, out_path = str(tmp_path / "g.nvz.json"), str(tmp_path / "g2.nvz.json")
    assert run(capsys, "new", "--dataset", "gauss", "--points", "200", "--sizes", "2-4-2", "--save", path)[0] == 0
    code, out, err = run(capsys, "train", path, "--epochs", "5", "--lr", "0.05", "--batch", "20",
                         "--optimizer", "adam", "--beta1", "0.8", "--save", out_path)
    assert code == 0, err
    assert "train  loss" in out and "test   loss" in out and "accuracy" in out and "wrote" in out
    after = snapshot.load(out_path)
    st = after.trainer_state
    assert st["epoch"] == 5 and st["batch_size"] == 20 and st["lr"] == 0.05
    assert st["optimizer"]["name"] == "adam"
    code, out, err = run(capsys, "train", out_path, "--epochs", "2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"epochs", "epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                         "per_epoch"}
    assert data["epochs"] == 2 and data["epoch"] == 7 and len(data["per_epoch"]) == 2
    assert data["test_accuracy"] >= 0.95
    assert data["per_epoch"][-1]["test_loss"] == data["test_loss"]


def test_train_json_has_null_accuracy_for_regression(tmp_path, capsys):
    path = str(tmp_path / "m.nvz.json")
    assert run(capsys, "new", "--dataset", "multi-gauss", "--points", "100", "--save", path)[0] == 0
    data = json.loads(run(capsys, "train", path, "--epochs", "3", "--json")[1])
    assert data["train_accuracy"] is None and data["test_accuracy"] is None
    assert data["per_epoch"][0]["train_loss"] > data["train_loss"]
    code, out, _ = run(capsys, "info", path)
    assert code == 0 and "points of the plane, features x1, x2, regression" in out


def test_train_refuses_bad_options(tmp_path, capsys):
    path = str(tmp_path / "g.nvz.json")
    run(capsys, "new", "--dataset", "gauss", "--points", "50", "--save", path)
    assert run(capsys, "train", path, "--epochs", "0")[0] == 2
    code, _, err = run(capsys, "train", path, "--epochs", "1", "--batch", "0")
    assert code == 2 and "batch" in err
    code, _, err = run(capsys, "train", str(tmp_path / "nope.json"), "--epochs", "1")
    assert code == 2 and "cannot open" in err


def test_export_decision_png_has_the_size_and_both_class_colours(tmp_path, capsys):
    path, png = str(tmp_path / "x.nvz.json"), tmp_path / "d.png"
    run(capsys, "new", "--dataset", "xor", "--points", "200", "--activations", "tanh", "--save", path)
    run(capsys, "train", path, "--epochs", "20", "--optimizer", "adam", "--save", path)
    code, out, err = run(capsys, "export", path, "--decision-png", str(png), "--size", "320x240")
    assert code == 0, err
    assert str(png) in out
    image = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert image.shape == (240, 320, 3)
    # The background at each end of the scale (drawn paler, behind the points) and the points' full colours.
    for colour in (plane_picture.NEGATIVE, plane_picture.POSITIVE):
        full = np.abs(image - np.array(colour)).sum(axis=2) < 12
        pale = np.abs(image - plane_picture.map_rgb(np.array([[1.0 if colour == plane_picture.POSITIVE else -1.0]]),
                                                    1.0, plane_picture.BACKGROUND_STRENGTH)[0, 0]).sum(axis=2) < 12
        assert full.sum() > 20 and pale.mean() > 0.1
    # XOR: the top-right and bottom-left quadrants are one class, the other two the other.
    assert np.abs(image[30, 290] - image[210, 30]).sum() < np.abs(image[30, 290] - image[30, 30]).sum()


def test_export_decision_png_needs_a_network_on_the_plane(tmp_path, capsys):
    path = str(tmp_path / "i.nvz.json")
    run(capsys, "new", "--sizes", "64-4-2", "--save", path)
    code, _, err = run(capsys, "export", path, "--decision-png", str(tmp_path / "d.png"))
    assert code == 2 and "plane" in err


def test_snapshots_of_the_plane_round_trip_with_added_points(tmp_path):
    from neuroviz.core.network import Network
    from neuroviz.core.plane_data import with_point
    from neuroviz.core.trainer import Trainer

    ds = with_point(plane_dataset("multi-gauss", points=30, features=("x1", "sin_x2")), (1.0, 2.0), -0.5, True)
    net = Network.create((2, 3, 1), loss="squared_error")
    trainer = Trainer(net, ds)
    path = tmp_path / "r.nvz.json"
    snapshot.save(path, snapshot.Snapshot(net, ds, trainer.state_dict(), ds.X[3].copy(), 0, point=(0.5, -7.0)))
    back = snapshot.load(path)
    np.testing.assert_array_equal(back.dataset.plane.points, ds.plane.points)
    np.testing.assert_array_equal(back.dataset.targets, ds.targets)
    np.testing.assert_array_equal(back.dataset.is_test, ds.is_test)
    assert back.dataset.plane.n_generated == 30 and back.point == (0.5, -7.0)
    doc = json.loads(path.read_text())
    doc["dataset"]["points"][0][0] = 1e9
    path.write_text(json.dumps(doc))
    with pytest.raises(snapshot.SnapshotError, match="points"):
        snapshot.load(path)


def test_map_colours_run_from_orange_through_grey_to_blue():
    rgb = plane_picture.map_rgb(np.array([[-2.0, -1.0, 0.0, 1.0, 5.0, np.nan]]), 1.0)[0]
    assert rgb[0].tolist() == rgb[1].tolist() == list(plane_picture.NEGATIVE)
    assert rgb[3].tolist() == rgb[4].tolist() == list(plane_picture.POSITIVE)
    assert np.abs(rgb[2].astype(int) - plane_picture.ZERO).sum() < 6 and rgb[5].tolist() == rgb[2].tolist()
    pale = plane_picture.map_rgb(np.array([[1.0]]), 1.0, 0.5)[0, 0].astype(int)
    full = np.abs(np.array(plane_picture.POSITIVE) - plane_picture.ZERO).sum()
    assert 0 < np.abs(pale - plane_picture.ZERO).sum() < full
