"""Preferences (Edit ▸ Preferences…): the memory budget of the training timeline, and the loss jump.

The budget is stored in QSettings under ``BUDGET_KEY`` (MiB), the factor by
which one update may multiply the loss before training pauses under
``JUMP_KEY`` (0: never pause); both are applied to the model when the main
window opens (``apply_saved_preferences``) and when the dialog is accepted.
The dialog also shows what the timeline holds now: its memory, the range of
updates that can still be reached and how far apart its checkpoints are.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.history import DEFAULT_BUDGET
from neuroviz.core.loss_jump import JUMP_FACTOR
from neuroviz.core.numbers import count, fixed, plural
from neuroviz.model import AppModel

BUDGET_KEY = "history/budgetMiB"
MIB = 2**20
MIN_BUDGET_MIB = 1
MAX_BUDGET_MIB = 64 * 1024
DEFAULT_BUDGET_MIB = DEFAULT_BUDGET // MIB
JUMP_KEY = "training/lossJumpFactor"
MAX_JUMP_FACTOR = 1_000_000
NEVER = 1
"""The factor spin box's lowest value, shown as "never": training never pauses for a loss jump."""


def saved_budget_mib(settings: QSettings) -> int:
    """The stored memory budget in MiB (the default if none or a bad one is stored)."""
    try:
        value = int(settings.value(BUDGET_KEY, DEFAULT_BUDGET_MIB))
    except (TypeError, ValueError):
        return DEFAULT_BUDGET_MIB
    return value if MIN_BUDGET_MIB <= value <= MAX_BUDGET_MIB else DEFAULT_BUDGET_MIB


def saved_jump_factor(settings: QSettings) -> float | None:
    """The stored loss jump factor (``None``: never pause; the default if none or a bad one is stored)."""
    try:
        value = float(str(settings.value(JUMP_KEY, JUMP_FACTOR)))
    except ValueError:
        return JUMP_FACTOR
    if value == 0:
        return None
    return value if 1 < value <= MAX_JUMP_FACTOR else JUMP_FACTOR


def apply_saved_preferences(model: AppModel, settings: QSettings) -> None:
    """Give ``model`` the stored memory budget (kept if the open network needs more) and loss jump factor."""
    model.loss_jump.set_factor(saved_jump_factor(settings))
    try:
        model.set_history_budget(saved_budget_mib(settings) * MIB)
    except ValueError:
        model.time.set_budget_for_next(saved_budget_mib(settings) * MIB)  # the next network may fit it


def timeline_summary(model: AppModel) -> tuple[str, str, str]:
    """(memory in use, reachable updates, checkpoint spacing) as shown in the dialog."""
    h = model.time.history
    used = f"{fixed(h.memory_bytes / MIB, 1)} MiB of {fixed(h.budget_bytes / MIB, 0)} MiB"
    oldest, newest = model.time.update_number(h.first), model.time.newest_update
    reach = f"updates {count(oldest)} – {count(newest)}"
    if h.first > 0:
        reach += " (older ones were forgotten to stay within the budget)"
    elif oldest == newest:
        reach = f"update {count(newest)} (nothing recorded yet)"
    else:
        reach += " (all recorded)"
    if h.branches:
        n = len(h.branches)
        reach += f"; {plural(n, 'branch', 'branches')} kept"
    spacing = (f"every {h.checkpoint_every} updates: a jump recomputes at most "
               f"{h.checkpoint_every - 1} updates from the nearest one")
    return used, reach, spacing


class PreferencesDialog(QDialog):
    """Edit ▸ Preferences…: the timeline's memory budget and what it holds now; the loss jump factor."""

    def __init__(self, model: AppModel, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.model = model
        self.settings = settings

        box = QGroupBox("Time travel (History ▸ Step back, ←)", self)
        self.budget_spin = QSpinBox(box)
        self.budget_spin.setObjectName("budgetSpin")
        self.budget_spin.setRange(MIN_BUDGET_MIB, MAX_BUDGET_MIB)
        self.budget_spin.setSuffix(" MiB")
        self.budget_spin.setSingleStep(16)
        self.budget_spin.setMaximumWidth(self.fontMetrics().horizontalAdvance("000,000 MiB") + 48)
        self.budget_spin.setValue(round(model.time.history.budget_bytes / MIB))
        self.budget_spin.setToolTip(
            f"Memory the timeline of updates may use (default {DEFAULT_BUDGET_MIB} MiB). When it is full, "
            "kept branches go first, then the oldest updates can no longer be reached.")
        self.used_label = QLabel(box)
        self.used_label.setObjectName("memoryUsedLabel")
        self.reach_label = QLabel(box)
        self.reach_label.setObjectName("reachableLabel")
        self.reach_label.setWordWrap(True)
        self.checkpoint_label = QLabel(box)
        self.checkpoint_label.setWordWrap(True)
        self.error_label = QLabel(box)
        self.error_label.setObjectName("budgetError")
        self.error_label.setStyleSheet("color: #b3261e")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Memory budget", self.budget_spin)
        form.addRow("In use now", self.used_label)
        form.addRow("Reachable", self.reach_label)
        form.addRow("Checkpoints", self.checkpoint_label)
        form.addRow(self.error_label)

        training = QGroupBox("Training", self)
        self.jump_spin = QSpinBox(training)
        self.jump_spin.setObjectName("jumpFactorSpin")
        self.jump_spin.setRange(NEVER, MAX_JUMP_FACTOR)
        self.jump_spin.setSpecialValueText("never")
        self.jump_spin.setSuffix(" ×")
        self.jump_spin.setMaximumWidth(self.budget_spin.maximumWidth())
        factor = model.loss_jump.factor
        self.jump_spin.setValue(NEVER if factor is None else round(factor))
        self.jump_spin.setToolTip(
            f"When one update (or one slice of Play) multiplies the loss by more than this (default "
            f"{JUMP_FACTOR:g} ×), training pauses and the Training panel offers to step back before it. "
            "The lowest value, never, turns this off.")
        training_form = QFormLayout(training)
        training_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        training_form.addRow("Pause when the loss grows more than", self.jump_spin)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        buttons.setObjectName("preferencesButtons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.setToolTip(f"Memory budget {DEFAULT_BUDGET_MIB} MiB; pause when the loss grows {JUMP_FACTOR:g} ×")
        defaults.clicked.connect(lambda: self.budget_spin.setValue(DEFAULT_BUDGET_MIB))
        defaults.clicked.connect(lambda: self.jump_spin.setValue(round(JUMP_FACTOR)))
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(training)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.refresh()

    def refresh(self) -> None:
        """Show the timeline's memory use, reachable range and checkpoint spacing now."""
        used, reach, spacing = timeline_summary(self.model)
        self.used_label.setText(used)
        self.reach_label.setText(reach)
        self.checkpoint_label.setText(spacing)

    def accept(self) -> None:
        """Apply and store the budget (a budget the open network cannot live with is explained, not taken)."""
        mib = self.budget_spin.value()
        try:
            self.model.set_history_budget(mib * MIB)
        except ValueError as exc:
            self.error_label.setText(f"{str(exc).capitalize()}.")
            self.error_label.show()
            return
        self.settings.setValue(BUDGET_KEY, mib)
        jump = self.jump_spin.value()
        self.model.loss_jump.set_factor(None if jump == NEVER else float(jump))
        self.settings.setValue(JUMP_KEY, 0 if jump == NEVER else jump)
        self.settings.sync()
        super().accept()


def show_preferences(model: AppModel, settings: QSettings, parent: QWidget) -> PreferencesDialog:
    """Open the (window-modal) preferences dialog; returns it."""
    dialog = PreferencesDialog(model, settings, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
