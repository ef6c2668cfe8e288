"""The New network dialog takes its parameter limit from the limit table (it accepted 218 M parameters)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from neuroviz.io.limits import MAX_PARAMETERS, parameter_count
from neuroviz.ui.new_network_dialog import NewNetworkDialog

LARGEST_K = max(k for k in range(1, 4097) if parameter_count((64, 4096, k, 2)) <= MAX_PARAMETERS)
"""The widest 64-4096-k-2 network within the limit (tests/io/test_snapshot_hardening.py saves and reopens it)."""


@pytest.fixture
def dialog(show, session):
    return show(NewNetworkDialog(session))


def type_sizes(qtbot, dialog: NewNetworkDialog, text: str) -> bool:
    """Type ``text`` as the layer sizes; True if OK is then enabled."""
    dialog.sizes_edit.selectAll()
    qtbot.keyClick(dialog.sizes_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.sizes_edit, text)
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_218_million_parameter_network_is_refused(dialog, qtbot):
    sizes = (64, *[4096] * 14, 2)
    assert parameter_count(sizes) > 218_000_000
    assert not type_sizes(qtbot, dialog, "-".join(map(str, sizes)))
    assert f"parameters; the limit is {MAX_PARAMETERS:,}" in dialog.error_label.text()


def test_the_limit_is_exactly_the_tables(dialog, qtbot):
    assert type_sizes(qtbot, dialog, f"64-4096-{LARGEST_K}-2")
    assert dialog.config().sizes == (64, 4096, LARGEST_K, 2)
    assert not type_sizes(qtbot, dialog, f"64-4096-{LARGEST_K + 1}-2")
    assert f"{parameter_count((64, 4096, LARGEST_K + 1, 2)):,} parameters" in dialog.error_label.text()
