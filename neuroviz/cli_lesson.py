"""Headless ``neuroviz lesson --check [FILE …]``: play lessons' scripted solutions through the model layer.

Each lesson file carries its solution (``@solve`` lines: the actions and the
answers that complete every step); ``--check`` plays it on a fresh model,
prints one line per lesson (``PASS …`` or ``FAIL …: where and why``) and a
final ``N passed, N failed``; the exit status is 1 if any failed.  Without
FILE it checks every lesson shipped with neuroviz.  No Qt is imported.
"""

from __future__ import annotations

import argparse
from typing import Any

from neuroviz.cli_train import CliError


class LessonChecksFailedError(Exception):
    """Some lessons failed their check: ``report`` is printed as is and the exit status is 1."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def add_lesson_command(sub: Any) -> None:
    """The ``neuroviz lesson`` sub-command."""
    lesson = sub.add_parser(
        "lesson",
        help="check lessons: play each one's scripted solution headless",
        description=(
            "With --check, play the scripted solution of every lesson shipped with neuroviz (or of the lesson "
            "FILEs given, see docs/lesson-format.md) through the model layer, without a window: each step's "
            "set-up, its solution's actions and answers, its done condition and its @check claims.  Prints one "
            "line per lesson (PASS or FAIL, and for a failure the step, the file's line and why) and a final "
            "'N passed, N failed'; the exit status is 1 if any lesson failed, 2 if a file cannot be read."
        ),
    )
    lesson.add_argument("files", nargs="*", metavar="FILE", help="lesson files to check (default: the shipped ones)")
    lesson.add_argument("--check", action="store_true", required=True,
                        help="play each lesson's solution and report whether it completes every step")


def run_lesson(args: argparse.Namespace) -> str:
    from neuroviz.blas import limit_blas_threads
    from neuroviz.model.lesson import check_lessons, shipped_lessons
    from neuroviz.model.lesson_format import LessonError, load_lesson

    try:
        lessons = tuple(load_lesson(f) for f in args.files) if args.files else shipped_lessons()
    except LessonError as exc:
        raise CliError(str(exc)) from None
    limits = limit_blas_threads(1)  # the lessons' networks are small: one BLAS thread trains them faster
    try:
        results = check_lessons(lessons)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    failed = sum(not r.passed for r in results)
    report = "\n".join([*(r.line() for r in results), f"{len(results) - failed} passed, {failed} failed"])
    if failed:
        raise LessonChecksFailedError(report)
    return report
