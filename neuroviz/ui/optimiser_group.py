"""The training dock's collapsible "Optimiser" group: the update rule, its hyper-parameters, λ₁, λ₂, η's schedule.

Every field calls an ``AppModel`` method (``set_optimizer``, ``set_penalty``,
``set_schedule``) when it is committed (Enter or leaving the field) and shows
the model's value back, so it can change while training.  A value the model
refuses keeps the old one: the field shows the old value again and the
group emits ``message`` with the model's reason.  Only the hyper-parameters
of the optimiser chosen are shown, and only the constants of the schedule.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from neuroviz.core.numbers import fmt, parse
from neuroviz.core.optimisers import HYPER_DEFAULTS, HYPER_SYMBOLS, OPTIMIZERS, SCHEDULES
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe

RULES: dict[str, str] = {
    "sgd": "SGD, the paper's: θ := θ − η g",
    "momentum": "Momentum: v := μ v + g;  θ := θ − η v",
    "nesterov": "Nesterov: v := μ v + g;  θ := θ − η (g + μ v)",
    "adagrad": "Adagrad: G := G + g²;  θ := θ − η g / (√G + ε)",
    "rmsprop": "RMSprop: v := α v + (1 − α) g²;  θ := θ − η g / (√v + ε)",
    "adam": "Adam: m := β₁ m + (1 − β₁) g;  v := β₂ v + (1 − β₂) g²;  m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);  "
            "θ := θ − η m̂ / (√v̂ + ε)",
    "adamw": "AdamW: θ := θ (1 − η λ) on the weights, then Adam's update",
}
"""Each optimiser's update, g being ∂L/∂θ plus the penalty's gradient (the combo's tooltips)."""

HYPER_TIPS: dict[str, str] = {
    "momentum": "μ, the momentum: how much of the last step v is kept (v := μ v + g); at least 0, below 1",
    "beta1": "β₁: decay of the mean of the gradients m (m := β₁ m + (1 − β₁) g); at least 0, below 1",
    "beta2": "β₂: decay of the mean of the squared gradients v (v := β₂ v + (1 − β₂) g²); at least 0, below 1",
    "eps": "ε: added to the root in the denominator so it is never 0 (… / (√v + ε)); above 0",
    "alpha": "α: decay of the mean of the squared gradients (v := α v + (1 − α) g²); at least 0, below 1",
    "weight_decay": "λ, AdamW's weight decay: θ := θ (1 − η λ) on the weights before the step; at least 0",
}

SCHEDULE_FIELDS: dict[str, tuple[str, ...]] = {
    "constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",), "cosine": ("t_max", "eta_min"),
}
"""The constants each schedule uses (``Schedule``'s fields)."""

SCHEDULE_TIPS: dict[str, str] = {
    "constant": "η_t = η: the same η every update (the paper's)",
    "step": "StepLR: η_t = η · γ^⌊t/step⌋, η multiplied by γ every step updates",
    "exponential": "ExponentialLR: η_t = η · γ^t, η multiplied by γ every update",
    "cosine": "CosineAnnealingLR: η_t = η_min + (η − η_min)(1 + cos(π t/T))/2, from η down to η_min in T updates",
}
SCHEDULE_LABELS: dict[str, str] = {"step_size": "Every (step)", "gamma": "Factor γ", "t_max": "Over T updates",
                                   "eta_min": "η_min"}
WHOLE = ("step_size", "t_max")
"""Schedule constants that are whole numbers."""


def _number(text: str, what: str, whole: bool = False) -> float | int:
    """``text`` as a number (an int if ``whole``; ``1e-8`` or ``1×10⁻⁸``), or ``ValueError`` naming ``what``."""
    try:
        return int(text) if whole else parse(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{what} must be {kind}; got {text!r}") from None


class OptimiserGroup(QWidget):
    """The optimiser's fields over ``model``; ``message(text)`` says why a value was refused, ``accepted`` clears it."""

    message = Signal(str)
    accepted = Signal()

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("optimiserGroup")
        self.model = model
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("optimiserToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip("Show or hide the optimiser, the weight penalties and η's schedule")
        self.toggle.toggled.connect(self.set_expanded)
        self.body = QWidget(self)
        form = self.form = QFormLayout(self.body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.optimizer_combo = QComboBox(self.body)
        self.optimizer_combo.setObjectName("optimizerCombo")
        for i, name in enumerate(OPTIMIZERS):
            self.optimizer_combo.addItem(name, name)
            self.optimizer_combo.setItemData(i, RULES[name], 3)  # Qt.ToolTipRole
        self.optimizer_combo.activated.connect(self._on_optimizer_chosen)
        form.addRow("Optimiser", self.optimizer_combo)
        self.hyper_edits: dict[str, QLineEdit] = {}
        for key in HYPER_TIPS:
            self.hyper_edits[key] = self._edit(f"hyper_{key}", HYPER_TIPS[key], lambda k=key: self._on_hyper(k))
            form.addRow(HYPER_SYMBOLS[key] if key != "weight_decay" else "Weight decay λ", self.hyper_edits[key])
        self.l1_edit = self._edit("l1Edit", "λ₁ of the L1 penalty λ₁ Σ|θ| on the weights (not the biases); adds "
                                  "λ₁ sign(θ) to each weight's gradient; 0 = none", lambda: self._on_penalty("l1"))
        self.l2_edit = self._edit("l2Edit", "λ₂ of the L2 penalty λ₂/2 Σθ² on the weights (not the biases); adds "
                                  "λ₂ θ to each weight's gradient; 0 = none", lambda: self._on_penalty("l2"))
        form.addRow("L1 penalty λ₁", self.l1_edit)
        form.addRow("L2 penalty λ₂", self.l2_edit)
        self.schedule_combo = QComboBox(self.body)
        self.schedule_combo.setObjectName("scheduleCombo")
        for i, name in enumerate(SCHEDULES):
            self.schedule_combo.addItem(name, name)
            self.schedule_combo.setItemData(i, SCHEDULE_TIPS[name], 3)
        self.schedule_combo.activated.connect(lambda _i: self._on_schedule(None))
        form.addRow("η schedule", self.schedule_combo)
        self.schedule_edits: dict[str, QLineEdit] = {}
        for key, label in SCHEDULE_LABELS.items():
            self.schedule_edits[key] = self._edit(f"schedule_{key}", f"{label} of the schedule",
                                                  lambda k=key: self._on_schedule(k))
            form.addRow(label, self.schedule_edits[key])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        subscribe(self, model.optimizer_changed, lambda _opt: self.sync())
        subscribe(self, model.document.architecture_changed, self.sync)
        subscribe(self, model.time.changed, self.sync)  # going back in time brings that moment's optimiser
        self.set_expanded(False)
        self.sync()

    def _edit(self, name: str, tip: str, commit: object) -> QLineEdit:
        edit = QLineEdit(self.body)
        edit.setObjectName(name)
        edit.setToolTip(tip + ". Takes effect at the next update, also while training.")
        # Only typed text is committed: leaving a field untouched changes nothing.
        edit.editingFinished.connect(lambda: edit.isModified() and commit())  # type: ignore[operator]
        return edit

    def set_expanded(self, expanded: bool) -> None:
        """Show the fields (True) or only the group's title with the optimiser's name."""
        self.toggle.setChecked(expanded)
        self.body.setVisible(expanded)
        self._title()

    def _title(self) -> None:
        arrow = "▾" if self.toggle.isChecked() else "▸"
        self.toggle.setText(f"{arrow} Optimiser: {self.model.optimizer.name}")

    # ---------------------------------------------------------------- syncing
    def sync(self, keep_typing: bool = True) -> None:
        """Show the model's optimiser, hyper-parameters, penalties and schedule; only the rows that apply.

        With ``keep_typing`` a field being typed into keeps its text (training changes the model meanwhile).
        """
        opt = self.model.optimizer

        def show(edit: QLineEdit, text: str) -> None:
            if not (keep_typing and edit.isModified()):
                edit.setText(text)
        self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(opt.name))
        self.optimizer_combo.setToolTip(RULES[opt.name] + "; g = ∂L/∂θ + the penalty's gradient")
        hyper = opt.config.as_dict()
        for key, edit in self.hyper_edits.items():
            self.form.setRowVisible(edit, key in hyper)
            if key in hyper:
                show(edit, fmt(hyper[key]))
        show(self.l1_edit, fmt(opt.penalty.l1))
        show(self.l2_edit, fmt(opt.penalty.l2))
        schedule = opt.schedule.as_dict()
        self.schedule_combo.setCurrentIndex(self.schedule_combo.findData(opt.schedule.name))
        self.schedule_combo.setToolTip(f"{SCHEDULE_TIPS[opt.schedule.name]}; now {opt.schedule.formula()}")
        for key, edit in self.schedule_edits.items():
            self.form.setRowVisible(edit, key in SCHEDULE_FIELDS[opt.schedule.name])
            show(edit, str(schedule[key]) if key in WHOLE else fmt(float(schedule[key])))
        self._title()

    # --------------------------------------------------------------- commands
    def _apply(self, change: object) -> None:
        """Call ``change()``; a refusal shows the model's reason and the old values again."""
        before = self.model.optimizer
        try:
            change()  # type: ignore[operator]
        except ValueError as exc:
            self.message.emit(f"{str(exc)[:1].upper()}{str(exc)[1:]}. The old value is kept.")
        else:
            if self.model.optimizer is not before:
                self.accepted.emit()
        self.sync(keep_typing=False)

    def _on_optimizer_chosen(self, _index: int) -> None:
        name = self.optimizer_combo.currentData()
        if name != self.model.optimizer.name:
            self._apply(lambda: self.model.set_optimizer(name))

    def _on_hyper(self, key: str) -> None:
        opt = self.model.optimizer
        if key not in HYPER_DEFAULTS[opt.name]:
            return

        def change() -> None:
            value = _number(self.hyper_edits[key].text(), f"{key} ({HYPER_SYMBOLS[key]})")
            self.model.set_optimizer(opt.name, **{**opt.config.as_dict(), key: float(value)})
        self._apply(change)

    def _on_penalty(self, which: str) -> None:
        edit = self.l1_edit if which == "l1" else self.l2_edit
        symbol = "λ₁" if which == "l1" else "λ₂"
        self._apply(lambda: self.model.set_penalty(**{which: float(_number(edit.text(), f"{symbol} ({which})"))}))

    def _on_schedule(self, key: str | None) -> None:
        name = self.schedule_combo.currentData()
        current = self.model.optimizer.schedule.as_dict()

        def change() -> None:
            params = {k: current[k] for k in SCHEDULE_LABELS}
            if key is not None:
                params[key] = _number(self.schedule_edits[key].text(), f"the schedule's {key}", key in WHOLE)
            self.model.set_schedule(name, **params)  # type: ignore[arg-type]
        self._apply(change)
