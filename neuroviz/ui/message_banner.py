"""An inline message strip (the Training panel's): a warning, a close button, and perhaps one action."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QStyle, QWidget

from neuroviz.ui.close_button import close_button


class MessageBanner(QFrame):
    """An inline, dismissable message: a warning strip with a close button and, given ``action``'s text, a
    button for what to do about it (``acted``)."""

    closed = Signal()
    acted = Signal()

    def __init__(self, parent: QWidget | None = None, name: str = "messageBanner", action: str = "",
                 action_tip: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        # The same warm colours in light and dark themes: a message must stand out.
        palette = self.palette()
        for role, colour in (
            (QPalette.ColorRole.Window, "#fdecea"),
            (QPalette.ColorRole.WindowText, "#7a1c14"),
            (QPalette.ColorRole.Button, "#fdecea"),
            (QPalette.ColorRole.ButtonText, "#7a1c14"),
        ):
            palette.setColor(role, QColor(colour))
        self.setPalette(palette)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        close = close_button(self, "bannerClose", "Dismiss this message", self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.action_button: QPushButton | None = None
        if action:
            self.action_button = QPushButton(action, self)
            self.action_button.setObjectName("bannerAction")
            self.action_button.setToolTip(action_tip)
            self.action_button.clicked.connect(lambda _=False: self.acted.emit())
            layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # After this resize is laid out: a minimum set during it would leave the layout at the old size.
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        """At least as tall as the wrapped text needs at the banner's width (a dock does not ask its
        contents' height for their width, and would cut the last lines off)."""
        needed = self.heightForWidth(self.width())  # the layout's, with the frame and the margins
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()

    @property
    def text(self) -> str:
        return self.label.text()
