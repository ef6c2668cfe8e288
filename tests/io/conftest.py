"""Fixtures of the io tests."""

from __future__ import annotations

import pytest
from snapshot_helpers import small_trained_snapshot

from neuroviz.io.snapshot import Snapshot


@pytest.fixture(scope="module")
def small_snapshot() -> Snapshot:
    """A small trained network's snapshot (see ``snapshot_helpers``)."""
    return small_trained_snapshot()
