"""Test set-up shared by all tests: Qt (where used) runs offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_addoption(parser):
    """The monkey test's length and seed (``scripts/monkey`` sets them; tests/ui/test_monkey.py)."""
    group = parser.getgroup("monkey", "the monkey test (random UI moves over each example)")
    group.addoption("--monkey-actions", type=int, default=int(os.environ.get("NEUROVIZ_MONKEY_ACTIONS", "0")),
                    help="moves per example (default: the suite's short run; env NEUROVIZ_MONKEY_ACTIONS)")
    group.addoption("--monkey-seed", type=int, default=int(os.environ.get("NEUROVIZ_MONKEY_SEED", "1")),
                    help="the seed of the moves (default 1; env NEUROVIZ_MONKEY_SEED)")
