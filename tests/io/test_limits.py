"""The limit table: one source, documented as it is, and used by every reader and writer."""

from __future__ import annotations

import re
from pathlib import Path

from neuroviz.core import network
from neuroviz.io import dataset_import, image_import, limits, snapshot

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"


def test_docs_limits_lists_every_limit_with_its_value():
    rows = dict(re.findall(r"^\| `(\w+)` \| ([\d,]+) \|", DOC.read_text(), re.MULTILINE))
    assert rows == {name: f"{value:,}" for name, value, _ in limits.LIMITS}


def test_readers_and_writers_use_the_tables_numbers():
    assert (limits.MAX_LAYERS, limits.MAX_LAYER_SIZE) == (network.MAX_LAYERS, network.MAX_LAYER_SIZE)
    assert snapshot.MAX_PARAMETERS is limits.MAX_PARAMETERS and snapshot.MAX_FILE_BYTES is limits.MAX_FILE_BYTES
    assert dataset_import.DEFAULT_MAX_ROWS == limits.MAX_IMPORT_ROWS
    assert image_import.MAX_SOURCE_PIXELS == limits.MAX_SOURCE_PIXELS == 4096 * 4096


def test_parameter_count():
    assert limits.parameter_count((4, 2, 2)) == 4 * 2 + 2 + 2 * 2 + 2
    assert limits.parameter_count((64, 4096, 179, 2)) == network.Network.create((64, 4096, 179, 2)).n_params
