"""Start here: a short tour of the window (draw, Step, read the inspector, Walk, Play).

``StartTour(window, stops, settings)`` is a small card floating over the
main window, not modal: the window answers while it is open.  Each stop
names a widget; the card sits beside it and a frame outlines it (a dock
behind another tab is brought forward).  Back, Next
and Done (or ×) move through it or close it.  Closing it records
``SEEN_KEY`` in QSettings, so ``offer`` shows it only on a first run;
Help ▸ Start here opens it again at any time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from neuroviz.ui.close_button import close_button

SEEN_KEY = "tour/seen"
"""QSettings key: true once the tour was closed (it then no longer opens by itself)."""
CARD_WIDTH = 340
MARGIN = 12
OUTLINE = "#e0a000"


@dataclass(frozen=True)
class Stop:
    """One stop of the tour: a title, a short text, and the widget it points at (``target()``, None: none)."""

    title: str
    text: str
    target: Callable[[], QWidget | None]


class Outline(QFrame):
    """A coloured frame around the widget a stop points at; the mouse goes through it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tourOutline")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(f"#tourOutline {{ border: 3px solid {OUTLINE}; border-radius: 4px; }}")
        self.hide()


class StartTour(QFrame):
    """The tour's card over ``window``: ``stops`` one after another with Back, Next and Done."""

    def __init__(self, window: QWidget, stops: list[Stop], settings: QSettings) -> None:
        super().__init__(window)
        self.setObjectName("startTour")
        self.stops = stops
        self.settings = settings
        self.index = 0
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.ToolTipBase))
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.ToolTipText))
        self.setPalette(palette)
        # a style sheet paints the frame's background itself (the palette's fill no longer does)
        self.setStyleSheet(f"#startTour {{ border: 2px solid {OUTLINE}; border-radius: 6px; "
                           f"background: {palette.color(QPalette.ColorRole.Window).name()}; }}")
        self.outline = Outline(window)
        self.title = QLabel(self)
        self.title.setObjectName("tourTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        close = close_button(self, "tourClose", "Close the tour (Help ▸ Start here opens it again)", self.done)
        self.text = QLabel(self)
        self.text.setObjectName("tourText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.counter = QLabel(self)
        self.back_button = QPushButton("Back", self)
        self.back_button.setObjectName("tourBack")
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button = QPushButton("Next", self)
        self.next_button.setObjectName("tourNext")
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.done_button = QPushButton("Done", self)
        self.done_button.setObjectName("tourDone")
        self.done_button.clicked.connect(self.done)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter, 1)
        for button in (self.back_button, self.next_button, self.done_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.setFixedWidth(CARD_WIDTH)
        window.installEventFilter(self)
        self.hide()

    # ------------------------------------------------------------ commands
    def offer(self) -> bool:
        """Open the tour if it was never closed before (a first run); True if it opened."""
        seen = self.settings.value(SEEN_KEY, False)
        if seen in (True, "true", "1", 1):
            return False
        self.start()
        return True

    def start(self) -> None:
        """Open the tour at its first stop."""
        self.show()
        self.raise_()
        self.go(0)

    def go(self, index: int) -> None:
        """Show stop ``index`` (clamped to the stops)."""
        self.index = max(0, min(index, len(self.stops) - 1))
        stop = self.stops[self.index]
        self.title.setText(f"<b>{stop.title}</b>")
        self.text.setText(stop.text)
        self.counter.setText(f"{self.index + 1} of {len(self.stops)}")
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.stops) - 1)
        self.next_button.setDefault(self.index < len(self.stops) - 1)
        self.done_button.setDefault(self.index == len(self.stops) - 1)
        self._bring_forward(stop.target())
        self.place()
        QTimer.singleShot(0, self.place)  # a dock brought forward takes its place on the next tick

    def _bring_forward(self, widget: QWidget | None) -> None:
        """Show the dock (a tab behind another, or closed) that holds ``widget``."""
        while widget is not None:
            if isinstance(widget, QDockWidget):
                widget.show()
                widget.raise_()
            widget = widget.parentWidget()

    def done(self) -> None:
        """Close the tour and remember that it was seen."""
        self.hide()
        self.outline.hide()
        self.settings.setValue(SEEN_KEY, True)
        self.settings.sync()

    def target(self) -> QWidget | None:
        """The widget the current stop points at, if it is shown."""
        widget = self.stops[self.index].target()
        return widget if widget is not None and not widget.visibleRegion().isEmpty() else None

    # ------------------------------------------------------------ placing
    def place(self) -> None:
        """Outline the target and put the card beside it (right of it, else left, else over it), in the window."""
        window = self.parentWidget()
        assert window is not None
        self.adjustSize()
        target = self.target()
        if target is None:
            self.outline.hide()
            self.move((window.width() - self.width()) // 2, (window.height() - self.height()) // 2)
            return
        rect = QRect(target.mapTo(window, QPoint(0, 0)), target.size())
        self.outline.setGeometry(rect.adjusted(-3, -3, 3, 3))
        self.outline.show()
        self.outline.raise_()
        # beside the dock that holds the target, so that its neighbours stay in sight
        dock = target
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        anchor = QRect(dock.mapTo(window, QPoint(0, 0)), dock.size()) if dock is not None else rect
        y = max(MARGIN, min(rect.top(), window.height() - self.height() - MARGIN))
        if anchor.right() + MARGIN + self.width() <= window.width():
            x = anchor.right() + MARGIN
        elif anchor.left() - MARGIN - self.width() >= 0:
            x = anchor.left() - MARGIN - self.width()
        else:  # a dock across the window: above it, at the target, or under it
            x = max(MARGIN, min(rect.left(), window.width() - self.width() - MARGIN))
            above = anchor.top() - MARGIN - self.height()
            y = above if above >= 0 else min(anchor.bottom() + MARGIN, window.height() - self.height() - MARGIN)
        self.move(x, y)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.isVisible() and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.place()
        return False


TOUR = (
    ("1 · Draw", "Draw on the <b>Input image</b> grid: the left button paints, the right one erases. "
     "The diagram and the prediction bars answer at once: this is the forward pass of your drawing.",
     "pixelEditorDock"),
    ("2 · Step", "Press <b>Step</b> (→) to make one update on the next mini-batch. Every number of it is "
     "recorded; ← goes back in time.", "trainingControlsDock"),
    ("3 · Read the inspector", "The <b>Inspector</b> writes the update out in the paper's notation: the "
     "forward equations, the loss, every δ, and one row per parameter with its gradient written out "
     "(δ · input), η, Δ and the new value.", "inspectorDock"),
    ("4 · Walk", "Press <b>Walk</b> (W) to go through the next update phase by phase: Next (N) shows each "
     "layer forward, the loss, each δ backward, then the update; Finish (F) applies it, Cancel (C) drops it.",
     "inspectorDock"),
    ("5 · Play", "Press <b>Play</b> (Space) to train continuously at the pace chosen beside it: "
     "2 updates/s lets a class watch every update land; Full speed trains as fast as it can.", "trainingControlsDock"),
)
"""(title, text, the dock pointed at) of each stop of the window's tour."""


def window_stops(docks: Mapping[str, QWidget]) -> list[Stop]:
    """The stops of ``TOUR``, pointing at the window's ``docks`` (by object name; a missing one is skipped)."""
    return [Stop(title, text, lambda name=name: docks.get(name)) for title, text, name in TOUR]


__all__ = ["SEEN_KEY", "TOUR", "StartTour", "Stop", "window_stops"]
