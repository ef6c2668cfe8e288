"""A non-editable wheel holds every module and resource, and an install from it finds its data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources, so the working tree gets no build files."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("neuroviz", "resources"):
        shutil.copytree(ROOT / folder, src / folder, ignore=IGNORE)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "--quiet",
         "--disable-pip-version-check", "-w", str(work / "dist")],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    wheels = list((work / "dist").glob("neuroviz-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_holds_the_digits_and_the_icons(wheel):
    names = wheel_names(wheel)
    assert "neuroviz/resources/data/optdigits-8x8.csv.gz" in names
    resources = [p for p in (ROOT / "resources").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    icons = [p for p in resources if p.suffix in (".png", ".svg", ".ico", ".desktop")]
    assert icons, "resources/ should hold the application icon"
    missing = [str(p.relative_to(ROOT)) for p in resources
               if f"neuroviz/resources/{p.relative_to(ROOT / 'resources').as_posix()}" not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_wheel_holds_every_module(wheel):
    names = wheel_names(wheel)
    modules = [p.relative_to(ROOT).as_posix() for p in (ROOT / "neuroviz").rglob("*.py")
               if "__pycache__" not in p.parts]
    missing = [m for m in modules if m not in names]
    assert not missing, f"modules left out of the wheel (add their package to pyproject.toml): {missing}"


def test_wheel_declares_the_entry_point(wheel):
    with zipfile.ZipFile(wheel) as zf:
        entry_points = next(zf.read(n).decode() for n in zf.namelist() if n.endswith("entry_points.txt"))
    assert "[gui_scripts]" in entry_points
    assert "neuroviz = neuroviz.app:main" in entry_points


def test_an_installed_wheel_reads_its_resources(wheel, tmp_path):
    target = tmp_path / "site"
    out = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    code = (
        "import importlib.resources, neuroviz\n"
        "from neuroviz.core.datasets import digits\n"
        "print(neuroviz.__file__)\n"
        "print(len(digits()))\n"
        "icons = importlib.resources.files('neuroviz.resources').joinpath('icons')\n"
        "print(sorted(p.name for p in icons.iterdir()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(target)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    where, count, icons = run.stdout.strip().splitlines()
    assert Path(where).resolve().is_relative_to(target.resolve()), f"imported {where}, not the installed wheel"
    assert count == "1797"
    expected = sorted(p.name for p in (ROOT / "resources" / "icons").iterdir() if p.is_file())
    assert icons == repr(expected)
    version = subprocess.run([sys.executable, "-m", "neuroviz", "--version"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("neuroviz "), version.stderr
