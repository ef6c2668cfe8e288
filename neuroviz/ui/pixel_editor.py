"""The pixel editor: draw the input image a (H×W pixels, white = 1, black = 0).

Left-drag paints with the brush value, right-drag erases to 0; a whole stroke
is one command on the model's undo stack.  Tools clear, fill, invert, add
noise and shift the drawing; an image file dropped on the editor, or an image
pasted with Ctrl+V, becomes the input (grayscale, area-averaged to H×W).
Every edit goes through the model, which re-runs the forward pass, so the
diagram and the prediction bars repaint in the same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neuroviz.core.numbers import fmt
from neuroviz.io.dataset_import import DatasetImportError, load_image
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe
from neuroviz.ui.math_text import to_html
from neuroviz.ui.panel_protocol import MenuEntry
from neuroviz.ui.pixel_grid import NOISE_AMPLITUDE, PixelGrid, image_file, qimage_to_png, shifted
from neuroviz.ui.point_features import PointFeatures
from neuroviz.ui.prediction_bars import PredictionBars
from neuroviz.ui.theme import mute, show_note
from neuroviz.ui.window_shortcuts import PanelKeys, key_name, with_shortcut

MIN_HEIGHT = 370
"""The panel's least height (pixels): its contents with two classes' bars fit; with more, it scrolls."""


MIN_HEIGHT = 370
"""The panel's least height (pixels): its contents with two classes' bars fit; with more, it scrolls."""


class PixelEditor(QWidget):
    """The dock's contents: brush controls, the grid, tools, target, prediction bars."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("pixelEditor")
        self.setAcceptDrops(True)
        self._rng = np.random.default_rng(0)
        self.grid = PixelGrid(model, self)
        self.bars = PredictionBars(model, self)
        self.readout = QLabel(self)
        self.readout.setObjectName("pixelReadout")
        self.message = QLabel(self)
        self.message.setObjectName("editorMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.tool_buttons: dict[str, QToolButton] = {}
        self.keys = PanelKeys(self, "Input image panel")
        self._build()
        self.grid.hovered.connect(self._show_readout)
        subscribe(self, model.drawing.changed, self._on_input_changed)
        subscribe(self, model.walk.changed, self._on_walk_changed)
        for signal in (model.view.changed, model.walk.changed, model.time.changed, model.showing.changed,
                       model.stepped, model.document.network_changed, model.drawing.changed):
            subscribe(self, signal, self._show_overlay_caption)
        subscribe(self, model.document.architecture_changed, self._on_architecture_changed)
        subscribe(self, model.document.dataset_changed, self._on_architecture_changed)
        self._on_architecture_changed()
        self._show_overlay_caption()

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        # The panel scrolls when its dock is short (ten classes' bars would make the window taller than 720).
        content = _Contents(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.point_features = PointFeatures(self.model, self)
        layout.addWidget(self.point_features)
        # The drawing's own controls; a network on the plane shows your point's features instead.
        self.drawing_area = QWidget(self)
        drawing = QVBoxLayout(self.drawing_area)
        drawing.setContentsMargins(0, 0, 0, 0)
        drawing.setSpacing(6)
        layout.addWidget(self.drawing_area, 1)
        drawing.addLayout(self._brush_row())
        drawing.addWidget(self.grid, 1)
        self.overlay_caption = QLabel(self)
        self.overlay_caption.setObjectName("overlayCaption")
        self.overlay_caption.setWordWrap(True)
        self.overlay_caption.setTextFormat(Qt.TextFormat.RichText)
        self.overlay_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        drawing.addWidget(self.overlay_caption)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.readout.setWordWrap(True)  # a narrow panel wraps it instead of widening the window
        mute(self.readout)
        drawing.addWidget(self.readout)
        drawing.addLayout(self._tool_rows())
        layout.addWidget(self.message)
        layout.addLayout(self._target_row())
        self.bars_heading = QLabel(self)
        font = self.bars_heading.font()
        font.setBold(True)
        self.bars_heading.setFont(font)
        layout.addWidget(self.bars_heading)
        layout.addWidget(self.bars)
        layout.addStretch(0)
        # Ctrl+V while the editor has focus; a window lists it as Edit ▸ Paste Image as Input, window-wide.
        self.paste_action = QAction("&Paste Image as Input", self)
        self.paste_action.setShortcut(QKeySequence.StandardKey.Paste)
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.paste_action.setToolTip(with_shortcut(
            "Load the clipboard's image (or image file) as the input drawing: grayscale, averaged to the "
            "input's size", self.paste_action))
        self.paste_action.triggered.connect(self.paste)
        self.addAction(self.paste_action)

    def sizeHint(self) -> QSize:
        """What the panel's contents ask for (not the scroll area's own guess): a dock shows them whole."""
        return self.scroll.widget().sizeHint()

    def minimumSizeHint(self) -> QSize:
        """The contents' least size, up to ``MIN_HEIGHT`` tall: a taller panel (many classes' bars) scrolls
        rather than make the window taller than the screen."""
        contents = self.scroll.widget()
        least = contents.minimumSizeHint()
        width = max(self.scroll.viewport().width(), least.width())
        return QSize(least.width(), min(contents.heightForWidth(width), MIN_HEIGHT))

    def _brush_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("Brush", self)
        self.brush_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.brush_slider.setRange(0, 100)
        self.brush_slider.setValue(100)
        self.brush_slider.setToolTip("Brush value: what a left-drag paints (1 = white, 0 = black)")
        self.brush_spin = QDoubleSpinBox(self)
        self.brush_spin.setRange(0.0, 1.0)
        self.brush_spin.setSingleStep(0.05)
        self.brush_spin.setDecimals(2)
        self.brush_spin.setValue(1.0)
        self.brush_spin.setToolTip(self.brush_slider.toolTip())
        self.brush_slider.valueChanged.connect(lambda v: self.brush_spin.setValue(v / 100))
        self.brush_spin.valueChanged.connect(self._set_brush_value)
        self.soft_box = QCheckBox("Soft", self)
        self.soft_box.setToolTip("Soft brush: also paints the 8 neighbouring cells, half as strongly (S on the grid)")
        self.soft_box.toggled.connect(self._set_soft)
        self._grid_shortcut("S", self.soft_box.toggle, "Soft brush on or off")
        self._grid_shortcut("Esc", self.grid.cancel_stroke, "Cancel the stroke being drawn")
        row.addWidget(label)
        row.addWidget(self.brush_slider, 1)
        row.addWidget(self.brush_spin)
        row.addWidget(self.soft_box)
        return row

    def _tool_rows(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(4)
        tools = [
            ("clear", "Clear", "Set every pixel to 0 (black)", "Delete", self.clear),
            ("fill", "Fill", "Set every pixel to the brush value", "A", self.fill),
            ("invert", "Invert", "Replace each value v by 1 − v", "I", self.invert),
            ("noise", "Noise", f"Add uniform noise of ±{NOISE_AMPLITUDE} to every pixel", "R", self.add_noise),
        ]
        for i, (key, text, tip, shortcut, slot) in enumerate(tools):
            grid.addWidget(self._tool_button(key, text, tip, shortcut, slot), 0, i)
        shifts = [
            ("left", "←", "Shift the drawing one pixel left", "Shift+Left", (0, -1)),
            ("up", "↑", "Shift the drawing one pixel up", "Shift+Up", (-1, 0)),
            ("down", "↓", "Shift the drawing one pixel down", "Shift+Down", (1, 0)),
            ("right", "→", "Shift the drawing one pixel right", "Shift+Right", (0, 1)),
        ]
        for i, (key, text, tip, shortcut, (dr, dc)) in enumerate(shifts):
            move = lambda _=False, dr=dr, dc=dc: self.shift(dr, dc)  # noqa: E731
            grid.addWidget(self._tool_button(key, text, tip, shortcut, move), 1, i)
        self.overlay_action = QAction("Input −δᵃ tint", self)
        self.overlay_action.setCheckable(True)
        self.overlay_action.setToolTip(
            "Tint each pixel by −δᵃ = −∂L/∂a (δᵃₙ = Σₘ δᵇₘ θᵇᵃₘₙ, the δ recursion one layer further): "
            "blue where a brighter pixel would lower the loss, red where a darker one would; the stronger, the "
            "more (of the input and moment shown) (D on the grid)")
        self.overlay_action.toggled.connect(self.model.view.set_input_overlay)
        overlay = QToolButton(self)
        overlay.setObjectName("tool_overlay")
        overlay.setDefaultAction(self.overlay_action)
        overlay.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._grid_shortcut("D", self.overlay_action.toggle, "The −δ^a tint on or off")
        self.tool_buttons["overlay"] = overlay
        grid.addWidget(overlay, 0, len(tools), 2, 1)
        return grid

    def _tool_button(self, key: str, text: str, tip: str, shortcut: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"tool_{key}")
        button.setText(text)
        button.setToolTip(f"{tip} ({key_name(shortcut)} on the grid)")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.clicked.connect(slot)
        self._grid_shortcut(shortcut, slot, tip)
        self.tool_buttons[key] = button
        return button

    def _grid_shortcut(self, key: str, slot: Callable[[], None], what: str = "") -> None:
        """A key that acts while the grid has keyboard focus (so other fields keep their keys)."""
        self.grid.keys[QKeySequence(key)[0].toCombined()] = slot
        if what:
            self.keys.note(key, what, "input grid")

    def key_help(self) -> list[tuple[str, str]]:
        """(what, key) of every key this panel answers (listed in Help ▸ Keyboard shortcuts)."""
        return list(self.keys.help)

    def menu_entries(self) -> list[MenuEntry]:
        """Edit ▸ Paste Image as Input, window-wide; View ▸ Input δ^a overlay."""
        return [MenuEntry("Edit", 0, self.paste_action, window_wide=True),
                MenuEntry("View", 0, self.overlay_action, separator_before=True)]

    def _target_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("Target r", self)
        self.target_box = QComboBox(self)
        self.target_box.setObjectName("targetBox")
        self.target_box.setToolTip("The class this drawing is: sets r for the next single step")
        self.target_box.activated.connect(self._on_target_chosen)
        label.setBuddy(self.target_box)
        self.train_button = QPushButton("Train on this drawing", self)
        self.train_button.setObjectName("trainOnDrawing")
        self.train_button.setToolTip("One SGD step on this drawing and its target r (Ctrl+Return)")
        self.train_button.clicked.connect(self.train_on_drawing)
        self.keys.add("Ctrl+Return", self.train_on_drawing, "Train on this drawing: one update")
        self.walk_button = QPushButton("Walk…", self)
        self.walk_button.setObjectName("walkOnDrawing")
        self.walk_button.setToolTip("Walk through the update on this drawing and its target r phase by phase, "
                                    "in the inspector, before it is applied (Ctrl+Shift+Return)")
        self.walk_button.clicked.connect(self.walk_on_drawing)
        self.keys.add("Ctrl+Shift+Return", self.walk_on_drawing,
                      "Walk through the update on this drawing, phase by phase")
        row.addWidget(label)
        row.addWidget(self.target_box, 1)
        row.addWidget(self.train_button)
        row.addWidget(self.walk_button)
        return row

    # ---------------------------------------------------------------- state
    def _on_architecture_changed(self) -> None:
        on_plane = self.model.plane.active
        self.point_features.setVisible(on_plane)
        self.drawing_area.setVisible(not on_plane)
        self.train_button.setText("Train on this point" if on_plane else "Train on this drawing")
        self.target_box.clear()
        self.target_box.addItems(list(self.model.class_names))
        self.bars_heading.setText(self.bars.title())
        self._on_input_changed()

    def _show_overlay_caption(self, *_: object) -> None:
        """Say what the −δ^a tint shows (of which input and moment), or why it shows nothing."""
        on = self.model.view.input_overlay
        if self.overlay_action.isChecked() != on:
            self.overlay_action.setChecked(on)
        if not on:
            self.overlay_caption.hide()
            return
        shown = self.model.shown()
        if self.grid.input_delta() is None:
            text = "−δ<sup>a</sup> tint: not known yet (the walk reaches it with δ<sup>b</sup>)" if shown.walking \
                else "−δ<sup>a</sup> tint: the loss is not finite"
        else:
            pal = self.palette()
            blue = pal.color(QPalette.ColorRole.Highlight).name()
            red = pal.color(QPalette.ColorRole.BrightText).name()
            text = (f"−δ<sup>a</sup> of {to_html(shown.words())}: <span style='color:{blue}'>■</span> brighter, "
                    f"<span style='color:{red}'>■</span> darker lowers L")
            if shown.showing.input != "drawing" and not shown.walking:
                text += " — of another input than this drawing (Showing bar: Your drawing)"
            elif shown.walking and not np.array_equal(shown.act(0), self.model.input):
                text += " — of the walked sample, not this drawing"
        self.overlay_caption.setText(text)
        self.overlay_caption.show()

    def _on_input_changed(self) -> None:
        if self.target_box.currentIndex() != self.model.target:
            self.target_box.setCurrentIndex(self.model.target)
        self._show_readout(self.grid.hover)

    def _show_readout(self, index: int) -> None:
        if index >= 0:
            self.readout.setText(self.grid.describe(index))
        else:
            h, w = self.model.image_shape
            self.readout.setText(f"{h}×{w} input · left-drag paints, right-drag erases · drop or paste an image")

    def _set_brush_value(self, value: float) -> None:
        self.grid.brush_value = float(value)
        self.brush_slider.blockSignals(True)
        self.brush_slider.setValue(round(value * 100))
        self.brush_slider.blockSignals(False)

    def _set_soft(self, soft: bool) -> None:
        self.grid.soft = soft

    def _on_target_chosen(self, index: int) -> None:
        if index >= 0 and index != self.model.target:
            self.model.set_target(index)

    def show_message(self, text: str, error: bool = False) -> None:
        """Show a short note (an import note, or an error in red) under the tools."""
        show_note(self.message, text, error)

    # ---------------------------------------------------------------- tools
    def _image(self) -> np.ndarray:
        return self.model.input.reshape(self.model.image_shape)

    def _edit(self, image: np.ndarray, text: str) -> None:
        self.grid.cancel_stroke()
        self.model.edit_input(np.clip(image, 0.0, 1.0).reshape(-1), text)

    def clear(self) -> None:
        self._edit(np.zeros_like(self._image()), "Clear")

    def fill(self) -> None:
        value = self.grid.brush_value
        self._edit(np.full_like(self._image(), value), f"Fill ({fmt(value, 3)})")

    def invert(self) -> None:
        self._edit(1.0 - self._image(), "Invert")

    def add_noise(self) -> None:
        img = self._image()
        self._edit(img + self._rng.uniform(-NOISE_AMPLITUDE, NOISE_AMPLITUDE, img.shape), "Add noise")

    def shift(self, d_row: int, d_col: int) -> None:
        name = {(0, -1): "left", (-1, 0): "up", (1, 0): "down", (0, 1): "right"}[(d_row, d_col)]
        self._edit(shifted(self._image(), d_row, d_col), f"Shift {name}")

    def train_on_drawing(self) -> None:
        """One traced SGD step on the current drawing and target (``model.step_on_input``)."""
        self.grid.cancel_stroke()
        self.model.step_on_input()

    def _on_walk_changed(self) -> None:
        """While an update is walked through, Walk… is unavailable (the inspector goes on with it)."""
        self.walk_button.setEnabled(self.model.pending_trace is None)

    def walk_on_drawing(self) -> None:
        """Begin a phase walk through the update on the current drawing and target (not applied until it ends)."""
        self.grid.cancel_stroke()
        if self.model.pending_trace is None:
            self.model.begin_phased_step(on_input=True)

    # ----------------------------------------------------- drop and paste
    def load_image(self, source: Path | bytes, name: str) -> bool:
        """Make an image file (or its bytes) the input; False (with a message) if unreadable."""
        try:
            x = load_image(source, self.model.image_shape)
        except DatasetImportError as exc:
            self.show_message(str(exc), error=True)
            return False
        h, w = self.model.image_shape
        self._edit(x, f"Load image {name}")
        self.show_message(f"Loaded {name}: grayscale, area-averaged to {h}×{w}.")
        return True

    def paste(self) -> bool:
        """Load the clipboard's image (or image file) as the input (Ctrl+V)."""
        mime = QGuiApplication.clipboard().mimeData()
        return self._load_mime(mime) if mime is not None else False

    def _load_mime(self, mime: QMimeData) -> bool:
        path = image_file(mime)
        if path is not None:
            return self.load_image(path, path.name)
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                return self.load_image(qimage_to_png(image), "from the clipboard")
        self.show_message("Nothing to load: drop or paste a PNG or JPEG image.", error=True)
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_file(event.mimeData()) is not None or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._load_mime(event.mimeData()):
            event.acceptProposedAction()


class _Contents(QWidget):
    """The editor's scrolled contents: as tall as the dock when they fit in it, else as short as they can be
    (a scroll area would make wrapped texts ask for their preferred height, not their least)."""

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.totalMinimumHeightForWidth(width) if layout is not None else -1
