"""``neuroviz step --preset paper-figure-4``, ``--version`` and ``--help``, on a machine without a display."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuroviz import __version__

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_KEYS = {"loss", "probs", "deltas", "grad_weights", "grad_biases", "weights_before", "weights_after",
                 "biases_before", "biases_after", "lr"}


def no_display_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def neuroviz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neuroviz", *args], cwd=ROOT, env=no_display_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def step_json() -> dict:
    out = neuroviz("step", "--preset", "paper-figure-4", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_json_has_every_required_key(step_json):
    assert not REQUIRED_KEYS - set(step_json), REQUIRED_KEYS - set(step_json)


def test_json_arrays_are_in_the_papers_orientation(step_json):
    # 4-3-2: Θ^{ba} is 3×4, Θ^{cb} is 2×3; one δ list per layer after the input.
    assert [np.shape(w) for w in step_json["weights_before"]] == [(3, 4), (2, 3)]
    assert [np.shape(w) for w in step_json["weights_after"]] == [(3, 4), (2, 3)]
    assert [np.shape(g) for g in step_json["grad_weights"]] == [(3, 4), (2, 3)]
    assert [np.shape(b) for b in step_json["biases_before"]] == [(3,), (2,)]
    assert [np.shape(g) for g in step_json["grad_biases"]] == [(3,), (2,)]
    assert [len(d) for d in step_json["deltas"]] == [3, 2]
    assert np.shape(step_json["probs"]) == (2,)


def test_json_numbers_are_the_papers(step_json):
    j = step_json
    tol = 1e-9
    assert j["lr"] == 0.01
    assert j["loss"] == pytest.approx(0.5108256237659907, abs=tol)
    np.testing.assert_allclose(j["probs"], [0.6, 0.4], atol=tol)
    np.testing.assert_allclose(j["deltas"][1], [-0.4, 0.4], atol=tol)
    assert j["deltas"][0][0] == pytest.approx(-0.232, abs=tol)
    assert j["grad_weights"][1][0][0] == pytest.approx(-0.12, abs=tol)   # θ^{cb}_{11}
    assert j["grad_weights"][1][1][0] == pytest.approx(0.12, abs=tol)    # θ^{cb}_{21}: row 2, column 1
    assert j["grad_weights"][0][0][0] == pytest.approx(-0.174, abs=tol)  # θ^{ba}_{11}
    assert j["weights_before"][0][0] == [0.5, -0.3, 0.1, -0.1]
    assert j["weights_after"][1][0][0] == pytest.approx(0.8012, abs=tol)
    assert j["weights_after"][1][1][0] == pytest.approx(0.2188, abs=tol)
    assert j["weights_after"][0][0][0] == pytest.approx(0.50174, abs=tol)
    np.testing.assert_allclose(j["biases_after"][1], [0.204, -0.104], atol=tol)
    assert j["biases_after"][0][0] == pytest.approx(0.15232, abs=tol)


def test_lr_option_scales_the_update():
    out = neuroviz("step", "--preset", "paper-figure-4", "--lr", "0.5", "--json")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert j["lr"] == 0.5
    assert j["weights_after"][1][0][0] == pytest.approx(0.8 + 0.5 * 0.12, abs=1e-9)
    assert j["biases_after"][0][0] == pytest.approx(0.15 + 0.5 * 0.232, abs=1e-9)


@pytest.mark.parametrize("lr", ["0", "-0.1", "nan", "inf"])
def test_bad_lr_is_a_clear_error(lr):
    out = neuroviz("step", "--preset", "paper-figure-4", "--lr", lr)
    assert out.returncode == 2
    assert "learning rate must be a finite number above 0" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_unknown_preset_is_rejected():
    out = neuroviz("step", "--preset", "nonsense")
    assert out.returncode == 2
    assert "invalid choice: 'nonsense'" in out.stderr


def test_text_output_is_in_the_papers_notation():
    out = neuroviz("step", "--preset", "paper-figure-4")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for piece in ("b_1^raw = 0.3", "b_3^raw = −0.1", "p = (0.6, 0.4)", "L = 0.510826", "δ^c_2 = 0.4",
                  "δ^b_1 = −0.232", "θ^{cb}_{21}", "δ^c_2 · b_1 = (0.4)(0.3) = 0.12", "0.2188", "β^b_1", "0.15232",
                  "η = 0.01"):
        assert piece in text, piece


def test_version_without_a_display():
    out = neuroviz("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"neuroviz {__version__}"


def test_help_without_a_display_imports_no_qt():
    code = (
        "import sys\n"
        "from neuroviz.app import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0\n"
        "print('QT' if any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules) else 'NO-QT')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=no_display_env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "usage: neuroviz" in out.stdout and "neuroviz step" in out.stdout
    assert out.stdout.strip().endswith("NO-QT")


def test_step_help_without_a_display():
    out = neuroviz("step", "--help")
    assert out.returncode == 0, out.stderr
    assert "--preset" in out.stdout and "--json" in out.stdout and "--lr" in out.stdout


def test_the_installed_command_works_too():
    script = Path(sys.executable).with_name("neuroviz")
    if not script.exists():
        pytest.skip("the neuroviz script is not installed next to this Python")
    out = subprocess.run([str(script), "--version"], env=no_display_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"neuroviz {__version__}"
    out = subprocess.run([str(script), "step", "--json"], env=no_display_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["probs"] == pytest.approx([0.6, 0.4])
