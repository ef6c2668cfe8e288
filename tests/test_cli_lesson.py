"""``neuroviz lesson --check``: one line per lesson, a final count, and the exit status."""

from __future__ import annotations

import subprocess
import sys

from neuroviz import cli
from neuroviz.model.lesson import shipped_lessons

GOOD = """# Good
## Only
@example paper-figure-4
@task Step.
@until updates >= 1
@check abs(θ^{cb}_{11} - 0.8012) < 1e-12
@solve step
"""


def test_every_shipped_lesson_passes(capsys):
    assert cli.main(["lesson", "--check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    lessons = shipped_lessons()
    assert len(lines) == len(lessons) + 1
    for line, lesson in zip(lines, lessons):
        assert line == f"PASS {lesson.id}: {lesson.title} ({len(lesson.steps)} steps)"
    assert lines[-1] == f"{len(lessons)} passed, 0 failed"


def test_a_failing_lesson_fails_the_command(tmp_path, capsys):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD.replace("@solve step", "@solve lr 0.5"), encoding="utf-8")
    assert cli.main(["lesson", "--check", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "PASS good: Good (1 step)"
    assert lines[1].startswith("FAIL bad: Good: step 1 “Only” (line 2): the task is not done: 'updates >= 1' (0 >= 1)")
    assert lines[2] == "1 passed, 1 failed"


def test_a_broken_file_is_an_error_naming_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("@until updates >= 1", "@until import os"), encoding="utf-8")
    assert cli.main(["lesson", "--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"neuroviz lesson: error: {bad}, line 5: ")


def test_the_command_is_in_the_help_and_imports_no_qt(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    code = (f"import sys; from neuroviz import cli; cli.main(['lesson', '--check', {str(good)!r}]); "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("False"), out.stderr
    helptext = subprocess.run([sys.executable, "-m", "neuroviz", "lesson", "--help"], capture_output=True,
                              text=True, timeout=60).stdout
    assert "--check" in helptext and "N passed, N failed" in helptext
    assert "neuroviz lesson --check" in subprocess.run([sys.executable, "-m", "neuroviz", "--help"],
                                                       capture_output=True, text=True, timeout=60).stdout
