"""A non-editable wheel builds without warnings, holds every module and resource, and an install from it works."""

from __future__ import annotations

import hashlib
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
def build(tmp_path_factory) -> tuple[Path, str]:
    """Build the wheel from a copy of the sources (so the working tree gets no build files): the wheel and the log."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("neuroviz", "resources"):
        shutil.copytree(ROOT / folder, src / folder, ignore=IGNORE)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "--verbose",
         "--disable-pip-version-check", "-w", str(work / "dist")],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    wheels = list((work / "dist").glob("neuroviz-*.whl"))
    assert len(wheels) == 1
    return wheels[0], out.stdout + out.stderr


@pytest.fixture(scope="module")
def wheel(build) -> Path:
    return build[0]


def test_the_wheel_builds_without_a_warning(build):
    # setuptools' own warnings (a data folder left out, a licence in a deprecated form) and deprecations;
    # "byte-compiling is disabled" only echoes PYTHONDONTWRITEBYTECODE of the environment.
    lines = [line.strip() for line in build[1].splitlines()]
    warnings = [line for line in lines if ("warning" in line.lower() or "deprecat" in line.lower())
                and "byte-compiling is disabled" not in line]
    assert not warnings, "\n".join(warnings)


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


def dist_info(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        return next(zf.read(n).decode() for n in zf.namelist() if n.endswith(f".dist-info/{name}"))


def test_wheel_declares_a_console_and_a_gui_command(wheel):
    # A console script, so that the headless commands print on Windows too; neuroviz-gui opens no console there.
    entry_points = dist_info(wheel, "entry_points.txt")
    console, gui = entry_points.split("[gui_scripts]")
    assert "[console_scripts]" in console and "neuroviz = neuroviz.app:main" in console
    assert gui.strip() == "neuroviz-gui = neuroviz.app:main"


def test_wheel_states_its_licence_and_its_types(wheel):
    metadata = dist_info(wheel, "METADATA")
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()
    names = wheel_names(wheel)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "neuroviz/py.typed" in names


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
        "from neuroviz.model.lesson import shipped_lessons\n"
        "print(len(shipped_lessons()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(target)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    where, count, icons, lessons = run.stdout.strip().splitlines()
    assert Path(where).resolve().is_relative_to(target.resolve()), f"imported {where}, not the installed wheel"
    assert count == "1797"
    expected = sorted(p.name for p in (ROOT / "resources" / "icons").iterdir() if p.is_file())
    assert icons == repr(expected)
    assert lessons == str(len(list((ROOT / "resources" / "lessons").glob("*.md"))))
    version = subprocess.run([sys.executable, "-m", "neuroviz", "--version"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("neuroviz "), version.stderr
    # The console command prints a headless command's output.
    command = target / "bin" / "neuroviz"
    if command.exists():
        step = subprocess.run([str(command), "step"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert step.returncode == 0, step.stderr
        assert step.stdout.startswith("Forward\n  layer b:")


def test_the_venv_script_hashes_with_python_not_a_gnu_tool(tmp_path):
    # A PATH with nothing but dirname (which _venv.sh itself needs): no sha256sum, as on macOS.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dirname").symlink_to(shutil.which("dirname"))
    script = 'source scripts/_venv.sh && file_hash "$0" pyproject.toml'
    out = subprocess.run([str(shutil.which("bash")), "-c", script, sys.executable], cwd=ROOT,
                         env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
