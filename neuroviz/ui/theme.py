"""Light and dark themes of the diagram and the application palette.

``Theme`` holds plain ``#rrggbb`` colours (the diagram turns them into
lookup tables with ``neuroviz.ui.colormaps``); ``apply_palette`` gives the
whole application the matching Qt palette, and ``system_theme_name`` reads
the desktop's light/dark preference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from neuroviz.ui.colormaps import RGB, hex_rgb

ThemeName = Literal["light", "dark"]
ThemeChoice = Literal["light", "dark", "system"]
THEME_CHOICES: tuple[ThemeChoice, ...] = ("system", "light", "dark")


@dataclass(frozen=True)
class Theme:
    """The colours of one theme (``#rrggbb``)."""

    name: ThemeName
    background: str
    surface: str
    text: str
    muted: str
    outline: str
    negative: str
    positive: str
    highlight: str
    ink: str
    band: str
    accent: str

    def rgb(self, field: str) -> RGB:
        return hex_rgb(getattr(self, field))

    def qcolor(self, field: str) -> QColor:
        return QColor(getattr(self, field))


LIGHT = Theme(
    name="light",
    background="#fbfbfc",
    surface="#f0f1f4",
    text="#1f2329",
    muted="#5f6672",
    outline="#5b6472",
    negative="#1f63b5",
    positive="#c8321f",
    highlight="#f2a900",
    ink="#16181d",
    band="#fff1cc",
    accent="#2f7d4f",
)

DARK = Theme(
    name="dark",
    background="#15171c",
    surface="#20232a",
    text="#e6e8ec",
    muted="#9aa1ad",
    outline="#a3aab6",
    negative="#4ea1ff",
    positive="#ff6a4d",
    highlight="#ffc533",
    ink="#f4f5f7",
    band="#2e2a1a",
    accent="#5cc98a",
)

THEMES: dict[ThemeName, Theme] = {"light": LIGHT, "dark": DARK}


def system_theme_name() -> ThemeName:
    """``dark`` when the desktop prefers a dark colour scheme, else ``light``."""
    app = QGuiApplication.instance()
    if app is None:
        return "light"
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def resolve_theme(choice: str) -> Theme:
    """The theme for a choice of ``THEME_CHOICES`` (unknown choices follow the system)."""
    if choice in THEMES:
        return THEMES[choice]  # type: ignore[index]
    return THEMES[system_theme_name()]


def palette_for(theme: Theme) -> QPalette:
    """A complete widget palette in the theme's colours."""
    pal = QPalette()
    window = QColor(theme.surface)
    base = QColor(theme.background)
    text = QColor(theme.text)
    muted = QColor(theme.muted)
    button = QColor(theme.surface).darker(104) if theme.name == "light" else QColor(theme.surface).lighter(125)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: muted,
        QPalette.ColorRole.Highlight: QColor(theme.negative),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor(theme.negative),
        QPalette.ColorRole.BrightText: QColor(theme.positive),
        QPalette.ColorRole.Light: button.lighter(130),
        QPalette.ColorRole.Midlight: button.lighter(115),
        QPalette.ColorRole.Mid: button.darker(130),
        QPalette.ColorRole.Dark: button.darker(160),
        QPalette.ColorRole.Shadow: QColor("#000000"),
    }
    for role, color in roles.items():
        pal.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return pal


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (the same) to 21 (black on white)."""

    def luminance(c: QColor) -> float:
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mute(label: QWidget) -> None:
    """Draw ``label``'s text in the palette's quiet colour (placeholder text), following theme changes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def show_note(label: QLabel, text: str, error: bool = False) -> None:
    """Show ``text`` in ``label`` as a short note (an error in red), or hide the label when empty."""
    pal = label.palette()
    color = QColor("#c0392b") if error else pal.color(QPalette.ColorRole.PlaceholderText)
    pal.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(pal)
    label.setText(text)
    label.setVisible(bool(text))


def apply_palette(theme: Theme) -> None:
    """Give the running application the palette of ``theme``."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        QGuiApplication.setPalette(palette_for(theme))
