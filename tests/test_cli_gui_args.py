"""The window's options: a bad --size or --screenshot is one line and exit code 2, before Qt starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from neuroviz import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "big"], "--size must look like 1200x800; got 'big'"),
        (["--size", "1400x"], "--size must look like 1200x800"),
        (["--size", "1x2x3"], "--size must look like 1200x800"),
        (["--size", "0x900"], "--size must be from 1x1 to 16384x16384; got '0x900'"),
        (["--screenshot", "shot.png", "--size=-5x10"], "--size must be from 1x1"),
        (["--screenshot", "shot.txt"],
         "--screenshot needs a file name ending in .png, .jpg, .jpeg, .bmp; got 'shot.txt'"),
        (["--screenshot", ""], "--screenshot needs a file name ending in .png"),
        (["--screenshot", "no/such/folder/shot.png"], "--screenshot: the folder 'no/such/folder' does not exist"),
    ],
)
def test_a_bad_window_option_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert app.main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("neuroviz: error: ") and message in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert not any(tmp_path.iterdir()), "nothing is written"


def test_a_bad_size_reaches_the_shell_without_qt_or_a_traceback(tmp_path):
    code = (
        "import sys\n"
        "from neuroviz.app import main\n"
        "code = main(['--screenshot', 'shot.png', '--size', '1400by900'])\n"
        "qt = any(m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph') for m in sys.modules)\n"
        "print('QT' if qt else 'NO-QT', code)\n"
    )
    env = {"PATH": "", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "NO-QT 2", out.stderr
    assert out.stderr == "neuroviz: error: --size must look like 1200x800; got '1400by900'\n"
    assert not (tmp_path / "shot.png").exists()
