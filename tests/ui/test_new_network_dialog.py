"""File ▸ New network…: bad entries are shown inline and cannot be accepted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from neuroviz.io.limits import MAX_PARAMETERS, parameter_count
from neuroviz.ui.new_network_dialog import NewNetworkDialog, parse_sizes

LARGEST_K = max(k for k in range(1, 4097) if parameter_count((64, 4096, k, 2)) <= MAX_PARAMETERS)
"""The widest 64-4096-k-2 network within the limit (tests/io/test_snapshot_hardening.py saves and reopens it)."""


@pytest.fixture
def dialog(show, model):
    return show(NewNetworkDialog(model))


def type_sizes(qtbot, dialog: NewNetworkDialog, text: str) -> None:
    dialog.sizes_edit.selectAll()
    qtbot.keyClick(dialog.sizes_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.sizes_edit, text)


def ok_button(dialog: NewNetworkDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


@pytest.mark.parametrize(("text", "message"), [
    ("64-0-2", "at least 1 neuron"),
    ("64-abc-2", "not a whole number"),
    ("10-16-2", "needs 64 neurons"),
    ("64-16-3", "2 classes"),
    ("64", "at least an input and an output layer"),
    ("", "enter the layer sizes"),
    ("64-5000-2", "the limit is"),
])
def test_bad_sizes_are_shown_and_cannot_be_accepted(dialog, qtbot, model, text, message):
    type_sizes(qtbot, dialog, text)
    assert message.lower() in dialog.error_label.text().lower()
    assert not ok_button(dialog).isEnabled()
    qtbot.keyClick(dialog.sizes_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert model.network.sizes == (64, 16, 16, 2)


def test_good_entries_open_a_new_network(dialog, qtbot, model):
    type_sizes(qtbot, dialog, "64-8-2")
    dialog.hidden_box.setCurrentIndex(dialog.hidden_box.findData("tanh"))
    dialog.seed_box.setValue(7)
    assert dialog.error_label.text() == ""
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    dialog.apply()
    assert model.network.sizes == (64, 8, 2)
    assert model.config.hidden_activation == "tanh" and model.config.seed == 7


def test_choosing_a_dataset_fits_the_input_and_output_sizes(dialog, model):
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findData("digits"))
    assert dialog.sizes_edit.text() == "64-16-16-10"
    assert ok_button(dialog).isEnabled()
    dialog.apply()
    assert model.dataset.name == "digits" and model.network.sizes[-1] == 10


def test_parse_sizes_accepts_common_separators():
    assert parse_sizes("64, 16 ,16 × 2") == (64, 16, 16, 2)
    with pytest.raises(ValueError, match="whole number"):
        parse_sizes("64-1.5-2")


def test_the_218_million_parameter_network_is_refused(dialog, qtbot):
    sizes = (64, *[4096] * 14, 2)
    assert parameter_count(sizes) > 218_000_000
    type_sizes(qtbot, dialog, "-".join(map(str, sizes)))
    assert not ok_button(dialog).isEnabled()
    assert f"parameters; the limit is {MAX_PARAMETERS:,}" in dialog.error_label.text()


def test_the_parameter_limit_is_exactly_the_tables(dialog, qtbot):
    type_sizes(qtbot, dialog, f"64-4096-{LARGEST_K}-2")
    assert ok_button(dialog).isEnabled() and dialog.config().sizes == (64, 4096, LARGEST_K, 2)
    type_sizes(qtbot, dialog, f"64-4096-{LARGEST_K + 1}-2")
    assert not ok_button(dialog).isEnabled()
    assert f"{parameter_count((64, 4096, LARGEST_K + 1, 2)):,} parameters" in dialog.error_label.text()


def test_the_dialog_opens_valid_on_the_open_network_and_its_data_set(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from neuroviz.model import AppModel
    from neuroviz.ui.new_network_dialog import NewNetworkDialog

    model = AppModel("paper-figure-4")
    dialog = NewNetworkDialog(model)
    qtbot.addWidget(dialog)
    assert dialog.sizes_edit.text() == "4-3-2" and dialog.error_label.text() == ""
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.sizes_edit.clear()
    qtbot.keyClicks(dialog.sizes_edit, "4-5-2")
    dialog.apply()
    assert model.network.sizes == (4, 5, 2) and model.dataset.name == "paper-figure-4"


@pytest.mark.parametrize("text", ["64--2", "64,,16,2", "-64-2", "64-16-"])
def test_a_layer_with_no_size_is_refused_with_a_message(qtbot, text):
    from PySide6.QtWidgets import QDialogButtonBox

    from neuroviz.model import AppModel
    from neuroviz.ui.new_network_dialog import NewNetworkDialog

    dialog = NewNetworkDialog(AppModel())
    qtbot.addWidget(dialog)
    dialog.sizes_edit.clear()
    qtbot.keyClicks(dialog.sizes_edit, text)
    assert "has a layer with no size" in dialog.error_label.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def type_activations(qtbot, dialog: NewNetworkDialog, text: str) -> None:
    dialog.per_layer_edit.selectAll()
    qtbot.keyClick(dialog.per_layer_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.per_layer_edit, text)


def test_each_hidden_layer_can_have_its_own_activation(dialog, qtbot, model):
    assert dialog.per_layer_edit.text() == ""  # the default: the one hidden activation everywhere
    assert dialog.config().hidden_activations == ()
    type_sizes(qtbot, dialog, "64-16-8-2")
    type_activations(qtbot, dialog, "tanh, Sigmoid")
    assert ok_button(dialog).isEnabled()
    assert dialog.config().hidden_activations == ("tanh", "sigmoid")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    dialog.apply()
    assert model.config.hidden_activations == ("tanh", "sigmoid")
    assert model.config.sizes == (64, 16, 8, 2)


@pytest.mark.parametrize(("text", "message"), [
    ("relu", "2 hidden layers, so give 2 activations"),
    ("relu, tanh, relu", "not 3"),
    ("relu, swish", "Unknown hidden activation 'swish'"),
    ("relu,,tanh", "missing between two commas"),
])
def test_bad_per_layer_activations_are_shown_on_their_field(dialog, qtbot, text, message):
    type_activations(qtbot, dialog, text)
    assert message in dialog.error_label.text()
    assert not ok_button(dialog).isEnabled()
    assert dialog.per_layer_edit.styleSheet() and not dialog.sizes_edit.styleSheet()
    type_activations(qtbot, dialog, "")
    assert ok_button(dialog).isEnabled()


def test_a_data_set_on_the_plane_with_its_features(dialog, qtbot, model):
    assert dialog.form.isRowVisible(dialog.features_edit) is False
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findData("spiral"))
    assert dialog.form.isRowVisible(dialog.features_edit)
    assert dialog.sizes_edit.text().startswith("2-") and dialog.sizes_edit.text().endswith("-2")
    dialog.features_edit.selectAll()
    qtbot.keyClick(dialog.features_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.features_edit, "x1, x2, x1x2")
    assert dialog.sizes_edit.text().startswith("3-") and ok_button(dialog).isEnabled()
    qtbot.keyClicks(dialog.features_edit, ", x7")
    assert not ok_button(dialog).isEnabled() and "nknown feature" in dialog.error_label.text()
    dialog.features_edit.setText("x1, x2, x1x2")
    dialog.points_box.setValue(100)
    dialog.apply()
    assert model.plane.active and model.plane.info.features == ("x1", "x2", "x1x2") and len(model.dataset) == 100
    assert model.network.sizes[0] == 3


def test_a_regression_data_set_asks_for_the_squared_error(dialog, qtbot, model):
    dialog.dataset_box.setCurrentIndex(dialog.dataset_box.findData("multi-gauss"))
    assert dialog.loss_box.currentData() == "squared_error" and dialog.sizes_edit.text().endswith("-1")
    assert ok_button(dialog).isEnabled()
    dialog.loss_box.setCurrentIndex(dialog.loss_box.findData("cross_entropy"))
    assert not ok_button(dialog).isEnabled() and "squared error" in dialog.error_label.text()
