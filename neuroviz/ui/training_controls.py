"""The training controls dock: play, step, train for epochs, reset, η, batch, speed.

Every control calls a ``AppModel`` method (or the model's ``TrainingLoop``)
and every shown value is read back from the model, so the dock stays right
whatever else changes the model.  Problems (a rejected learning rate, an
update that diverged) appear in an inline banner under the Run buttons; an
update that multiplied the loss (``AppModel.loss_jump``) in a second one,
whose Step back button goes to the moment before it.

Play, Step and Epoch, and the pace beside them (a class's 2 updates/s in
one click, the default of a first run; the pace chosen is kept in
QSettings), stand above the part that scrolls, so a message never pushes
them out of sight.

Shortcuts (shown in the tooltips): Space plays / pauses, → makes one update
(back in time: moves to the next recorded one; ← is the timeline's).
They are window-wide: the actions are added to the main window the dock lives
in, and text fields keep their own use of those keys.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.numbers import count, fixed, fmt, percent, plural
from neuroviz.model import AppModel
from neuroviz.model.loss_jump import LossJumpReport
from neuroviz.ui.binding import subscribe
from neuroviz.ui.log_spin_box import LogSpinBox
from neuroviz.ui.message_banner import MessageBanner
from neuroviz.ui.optimiser_group import OptimiserGroup
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.theme import mute
from neuroviz.ui.training_loop import SPEEDS, TrainingLoop, speed_text
from neuroviz.ui.window_shortcuts import WindowShortcuts, with_shortcut

LR_MIN = 1e-5
LR_MAX = 10.0
DEFAULT_EPOCHS = 5
MAX_EPOCHS = 100_000
MAX_SEED = 2**31 - 1
POSITION_REFRESH_MS = 200
"""While training, the update/epoch line is rewritten at most this often."""
CLASS_PACE = 2.0
"""Updates per second of the class pace: the button beside Play, and the pace of a first run."""
PACE_KEY = "training/pace"
"""QSettings key of the pace last chosen (updates per second; 0: full speed)."""


def saved_pace(settings: QSettings) -> float | None:
    """The pace chosen last time (None: full speed); ``CLASS_PACE`` on a first run or if unreadable."""
    try:
        rate = float(str(settings.value(PACE_KEY, CLASS_PACE)))
    except ValueError:
        return CLASS_PACE
    if rate == 0:
        return None
    return rate if rate in SPEEDS else CLASS_PACE



class WheelGuard(QObject):
    """An event filter: a wheel over a field without focus scrolls ``scroll`` instead of changing the field."""

    def __init__(self, scroll: QScrollArea, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scroll = scroll

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)


class TrainingControls(QWidget):
    """The dock's widget over ``model``, driving training through ``loop``."""

    def __init__(self, model: AppModel, loop: TrainingLoop, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingControls")
        self.model = model
        self.loop = loop
        self.settings = settings if settings is not None else QSettings()
        """Where the chosen pace is kept (the window's settings)."""
        self._make_actions()
        self._build()
        self.loop.set_rate(saved_pace(self.settings))
        subscribe(self, model.document.architecture_changed, self._sync_options)
        subscribe(self, model.document.dataset_changed, self._sync_options)
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(POSITION_REFRESH_MS)
        self._position_timer.timeout.connect(self._update_position)
        subscribe(self, model.document.network_changed, self._schedule_position)
        subscribe(self, model.running_changed, self._on_running_changed)
        subscribe(self, model.diverged, self._on_diverged)
        subscribe(self, model.loss_jump.loss_jumped, self._on_loss_jumped)
        subscribe(self, model.loss_jump.withdrawn, lambda: self.jump_banner.hide())
        subscribe(self, model.rate_changed, self._update_rate)
        self.loop.progressChanged.connect(self._on_progress)
        self.loop.runFinished.connect(self._on_run_finished)
        self.loop.rateChanged.connect(self._sync_speed)
        self._sync_options()
        self._on_running_changed(model.running)

    # ---------------------------------------------------------------- actions
    def key_help(self) -> list[tuple[str, str]]:
        """The training keys are window shortcuts (Space, →), listed with the menus."""
        return []

    def menu_entries(self) -> list[MenuEntry]:
        """Step (→) in the History menu, after Step back."""
        return [MenuEntry("History", 1, self.step_action)]

    def _make_actions(self) -> None:
        icon = self.style().standardIcon
        px = QStyle.StandardPixmap
        self.play_action = QAction(icon(px.SP_MediaPlay), "Play", self)
        self.play_action.setObjectName("playAction")
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setCheckable(True)
        self.play_action.triggered.connect(self._on_play_triggered)
        self.step_action = QAction(icon(px.SP_MediaSkipForward), "Step", self)
        self.step_action.setObjectName("stepAction")
        self.step_action.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.step_action.triggered.connect(self._on_step)
        self.epoch_action = QAction(icon(px.SP_MediaSeekForward), "Epoch", self)
        self.epoch_action.setObjectName("epochAction")
        self.epoch_action.triggered.connect(lambda: self._start_epochs(1, full_speed=True))
        self.reset_action = QAction(icon(px.SP_BrowserReload), "Reset weights", self)
        self.reset_action.setObjectName("resetAction")
        self.reset_action.triggered.connect(self._on_reset)
        self.play_action.setToolTip(with_shortcut("Train continuously; press again to pause", self.play_action))
        self.step_action.setToolTip(
            with_shortcut("Make one update on the next mini-batch, recording every number; back in time "
                          "(← steps back), go to the next recorded update", self.step_action)
        )
        self.epoch_action.setToolTip("Train to the end of the current epoch, at full speed")
        self.reset_action.setToolTip("Re-draw the weights from the seed and forget all training")
        self.shortcut_actions = (self.play_action, self.step_action)
        for action in (self.play_action, self.step_action, self.epoch_action, self.reset_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        # Space and → work anywhere in the main window, even with the dock closed.
        self.window_shortcuts = WindowShortcuts(self, self.shortcut_actions)

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.banner = MessageBanner(self)
        self.jump_banner = MessageBanner(self, "lossJumpBanner", "Step back",
                                         "Go back to the moment before the jump (through time travel)")
        self.jump_banner.acted.connect(self.model.loss_jump.back_before_jump)

        run_box = QGroupBox("Run", self)
        self.play_button = self._tool_button(self.play_action, "playButton")
        self.step_button = self._tool_button(self.step_action, "stepButton")
        self.epoch_button = self._tool_button(self.epoch_action, "epochButton")
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self.play_button, self.step_button, self.epoch_button):
            buttons.addWidget(button)

        self.epochs_spin = QSpinBox(run_box)
        self.epochs_spin.setObjectName("epochsSpin")
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setValue(DEFAULT_EPOCHS)
        self.epochs_spin.setSuffix(" epochs")
        self.epochs_spin.setToolTip("How many epochs “Train” runs")
        self.train_button = QPushButton("Train", run_box)
        self.train_button.setObjectName("trainEpochsButton")
        self.train_button.setToolTip("Train for the chosen number of epochs, with progress; Cancel stops")
        self.train_button.clicked.connect(lambda: self._start_epochs(self.epochs_spin.value()))
        epochs_row = QHBoxLayout()
        epochs_row.addWidget(self.epochs_spin, 1)
        epochs_row.addWidget(self.train_button)

        self.progress = QProgressBar(run_box)
        self.progress.setObjectName("epochsProgress")
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", run_box)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the run of epochs here (the updates made so far are kept)")
        self.cancel_button.clicked.connect(self.loop.pause)
        self.progress_row = QWidget(run_box)
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()

        self.reset_button = self._tool_button(self.reset_action, "resetButton")
        self.reset_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.position_label = QLabel(run_box)
        self.position_label.setObjectName("positionLabel")
        self.rate_label = QLabel(run_box)
        self.rate_label.setObjectName("rateLabel")
        self.rate_label.setToolTip("Updates per second while training")
        self._mute_rate_label()

        run_layout = QVBoxLayout(run_box)
        run_layout.addLayout(epochs_row)
        run_layout.addWidget(self.progress_row)
        run_layout.addWidget(self.reset_button)
        run_layout.addWidget(self.position_label)
        run_layout.addWidget(self.rate_label)

        options_box = QGroupBox("Options", self)
        self.lr_spin = LogSpinBox(LR_MIN, LR_MAX, self.model.trainer.lr, options_box)
        self.lr_spin.setObjectName("lrSpin")
        self.lr_spin.setMinimumWidth(110)
        self.lr_spin.setToolTip(
            "Learning rate η of the update θ ← θ − η ∂L/∂θ (the optimiser's η; its schedule makes η_t). "
            "Arrows step 1, 2, 5 × 10^k; type any number above 0, e.g. 0.003 or 1e-4. "
            "Takes effect at the next update, also while training."
        )
        self.lr_spin.textCommitted.connect(self._on_lr_typed)
        self.lr_spin.valueStepped.connect(self._on_lr_stepped)

        self.batch_spin = QSpinBox(options_box)
        self.batch_spin.setObjectName("batchSpin")
        self.batch_spin.setToolTip("Samples averaged in one update (1 = plain SGD, all = full batch)")
        self.batch_spin.valueChanged.connect(self._on_batch_changed)

        self.shuffle_check = QCheckBox("new order each epoch", options_box)
        self.shuffle_check.setObjectName("shuffleCheck")
        self.shuffle_check.setToolTip("Visit the training samples in a new random order every epoch")
        self.shuffle_check.toggled.connect(self.model.set_shuffle)

        self.seed_spin = QSpinBox(options_box)
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setToolTip("Seed of the initial weights and of the sample order, used by Reset weights")
        self.seed_spin.valueChanged.connect(self.model.set_seed)

        form = QFormLayout(options_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Learning rate η", self.lr_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Shuffle", self.shuffle_check)
        form.addRow("Seed", self.seed_spin)

        self.optimiser_group = OptimiserGroup(self.model, options_box)
        self.optimiser_group.message.connect(self.show_message)
        self.optimiser_group.accepted.connect(self.banner.hide)
        form.addRow(self.optimiser_group)

        # Play, Step, Epoch and the pace never scroll; a message comes under them; the rest scrolls.
        run_bar = QWidget(self)
        run_bar.setObjectName("runBar")
        bar_layout = QVBoxLayout(run_bar)
        bar_layout.setContentsMargins(0, 0, 0, 0)
        bar_layout.addLayout(buttons)
        bar_layout.addLayout(self._pace_row())
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(run_box)
        content_layout.addWidget(options_box)
        content_layout.addStretch(1)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidget(content)
        # The wheel scrolls the panel: it changes a field (η, the optimiser …) only once that field has focus.
        self._wheel_guard = WheelGuard(scroll, self)
        group = self.optimiser_group
        for field in (self.epochs_spin, self.lr_spin, self.batch_spin, self.seed_spin, group.optimizer_combo,
                      group.schedule_combo):
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            field.installEventFilter(self._wheel_guard)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(run_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.jump_banner)
        layout.addWidget(scroll, 1)

    def _pace_row(self) -> QHBoxLayout:
        """The pace beside Play: a class's pace in one click, or any speed from the list."""
        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("speedCombo")
        for rate in SPEEDS:
            self.speed_combo.addItem(speed_text(rate), 0.0 if rate is None else float(rate))  # 0: full speed
        self.speed_combo.setToolTip(
            "How fast Play trains. Full speed trains as fast as the window allows; a slower speed makes each "
            "update a recorded step, so every one can be watched on the diagram"
        )
        self.speed_combo.currentIndexChanged.connect(self._on_speed_chosen)
        self.class_pace_button = QToolButton(self)
        self.class_pace_button.setObjectName("classPaceButton")
        self.class_pace_button.setText(f"Class pace ({speed_text(CLASS_PACE)})")
        self.class_pace_button.setCheckable(True)
        self.class_pace_button.setToolTip(
            f"Play at {speed_text(CLASS_PACE)}, slow enough for a class to watch each update land; "
            "press again for full speed")
        self.class_pace_button.clicked.connect(
            lambda on: self.loop.set_rate(CLASS_PACE if on else None))
        row = QHBoxLayout()
        label = QLabel("Pace", self)
        label.setBuddy(self.speed_combo)
        row.addWidget(label)
        row.addWidget(self.speed_combo, 1)
        row.addWidget(self.class_pace_button)
        return row

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._mute_rate_label()
        super().changeEvent(event)

    def _mute_rate_label(self) -> None:
        """The rate line in the theme's placeholder colour (quieter than the text)."""
        mute(self.rate_label)

    def _tool_button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    # ---------------------------------------------------------------- syncing
    def _sync_options(self) -> None:
        """Show the model's η, batch size, shuffle and seed; limit the batch size to the data."""
        trainer = self.model.trainer
        self.lr_spin.setValue(trainer.lr)
        n_train = len(self.model.dataset.train_indices)
        quiet = (self.batch_spin, self.shuffle_check, self.seed_spin)  # showing is not choosing
        for widget in quiet:
            widget.blockSignals(True)
        self.batch_spin.setRange(1, max(1, n_train))
        self.batch_spin.setSuffix(f" of {n_train}")
        self.batch_spin.setValue(trainer.batch_size)
        self.shuffle_check.setChecked(trainer.shuffle)
        self.seed_spin.setValue(self.model.config.seed)
        for widget in quiet:
            widget.blockSignals(False)
        self._sync_speed(self.loop.rate)
        self._update_position()

    def _sync_speed(self, rate: float | None) -> None:
        self.class_pace_button.setChecked(rate == CLASS_PACE)
        self.settings.setValue(PACE_KEY, 0.0 if rate is None else float(rate))
        index = self.speed_combo.findData(0.0 if rate is None else float(rate))
        if index >= 0 and index != self.speed_combo.currentIndex():
            self.speed_combo.blockSignals(True)
            self.speed_combo.setCurrentIndex(index)
            self.speed_combo.blockSignals(False)

    def _schedule_position(self) -> None:
        if not self.model.running:
            self._update_position()
        elif not self._position_timer.isActive():
            self._position_timer.start()

    def _update_position(self) -> None:
        trainer = self.model.trainer
        text = f"Update {count(trainer.step_count)}\n{plural(trainer.epoch, 'epoch')} done"
        if round(100 * trainer.epoch_progress):
            text += f" + {percent(trainer.epoch_progress, 0)} of the next"
        if trainer.epochs:
            last = trainer.epochs[-1]
            if math.isfinite(last.test_accuracy):  # there is a test split
                text += f"\nTest accuracy after epoch {count(last.epoch)}: {percent(last.test_accuracy)}"
        self.position_label.setText(text)

    def _update_rate(self, rate: float) -> None:
        if rate > 0:
            self.rate_label.setText(f"Training at {fixed(rate, 0)} updates/s")
        else:
            self.rate_label.setText("Training" if self.model.running else "Paused")

    def _on_running_changed(self, running: bool) -> None:
        px = QStyle.StandardPixmap
        self.play_action.setChecked(running)
        self.play_action.setText("Pause" if running else "Play")
        self.play_action.setIcon(self.style().standardIcon(px.SP_MediaPause if running else px.SP_MediaPlay))
        self._update_rate(0.0)
        if running:
            self.banner.hide()
        else:
            self._update_position()

    # --------------------------------------------------------------- commands
    def _on_play_triggered(self) -> None:
        self.loop.toggle()
        self.play_action.setChecked(self.model.running)

    def _on_step(self) -> None:
        self.banner.hide()
        self.loop.step_once()

    def _start_epochs(self, n: int, full_speed: bool = False) -> None:
        self.banner.hide()
        self.loop.run_epochs(n, full_speed)

    def _on_reset(self) -> None:
        self.banner.hide()
        self.model.reset_weights()

    def _on_progress(self, done: int, total: int) -> None:
        running = total > 0
        self.progress_row.setVisible(running)
        self.train_button.setEnabled(not running)
        if running:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"{count(done)} of {count(total)} updates")

    def _on_run_finished(self, completed: bool) -> None:
        self.progress_row.hide()
        self.train_button.setEnabled(True)

    def _on_diverged(self, message: str) -> None:
        self.show_message(message)

    def _on_loss_jumped(self, jump: LossJumpReport) -> None:
        factor = self.model.loss_jump.factor
        self.jump_banner.show_message(jump.words(factor or 0.0))
        self.scroll.verticalScrollBar().setValue(0)

    def show_message(self, text: str) -> None:
        """The banner under the Run buttons, with the scrolled part back at its top."""
        self.banner.show_message(text)
        self.scroll.verticalScrollBar().setValue(0)

    def _on_lr_typed(self, text: str) -> None:
        try:
            self.model.set_lr(text)  # type: ignore[arg-type]  # check_lr parses the text and explains bad text
        except ValueError as exc:
            kept = fmt(self.model.trainer.lr)
            self.show_message(f"{str(exc).capitalize()}. The learning rate stays η = {kept}.")
            self.lr_spin.revert()
            return
        self.banner.hide()
        self.lr_spin.setValue(self.model.trainer.lr)

    def _on_lr_stepped(self, value: float) -> None:
        self.model.set_lr(value)
        self.lr_spin.setValue(self.model.trainer.lr)

    def _on_batch_changed(self, value: int) -> None:
        try:
            self.model.set_batch_size(value)
        except ValueError as exc:
            self.show_message(str(exc).capitalize())
            self._sync_options()

    def _on_speed_chosen(self, index: int) -> None:
        rate = float(self.speed_combo.itemData(index))
        self.loop.set_rate(rate or None)
