"""Small shared look: message colours, invalid-field marking, case markers (hold, restricted).

Colours follow the application palette: a light and a dark scheme, chosen from the window colour
of the palette the OS gives (or the one set on the app). The module's *_STYLE, *_BG and BANNER_*
names are computed when read (PEP 562 module __getattr__), so a view built after the palette is
known gets colours that are readable on it; table models call scheme() at paint time. The overdue
red and hold amber markers stay distinct in both schemes, and never carry meaning by colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

LIGHT = {
    "error": "#b00020", "ok": "#1b5e20", "info": "#555555", "warn": "#8a5a00",
    "hold_bg": "#fff3cd", "hold_fg": "#5c4400", "hold_border": "#e0c060",
    "restricted_bg": "#e8e0f5", "restricted_fg": "#3b2a63", "restricted_border": "#a898d0",
    "readonly_bg": "#eeeeee", "readonly_fg": "#333333", "readonly_border": "#bbbbbb",
    "overdue_bg": "#fde7ea", "overdue_fg": "#b00020", "closed_fg": "#6b6b6b",
}
DARK = {
    "error": "#ff8a80", "ok": "#81c995", "info": "#b4b4b4", "warn": "#ffcc66",
    "hold_bg": "#4a3b00", "hold_fg": "#ffe8a3", "hold_border": "#8a6d00",
    "restricted_bg": "#3a2f5a", "restricted_fg": "#e4dcff", "restricted_border": "#6f5fa8",
    "readonly_bg": "#2b2b2b", "readonly_fg": "#d0d0d0", "readonly_border": "#555555",
    "overdue_bg": "#5a1d26", "overdue_fg": "#ff9aa5", "closed_fg": "#9a9a9a",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette's window colour is dark (the OS dark theme, or a dark palette set on the app)."""
    if palette is None:
        if QGuiApplication.instance() is None:
            return False
        palette = QGuiApplication.palette()
    return palette.color(QPalette.Window).lightness() < 128


def scheme(palette: QPalette | None = None) -> dict[str, str]:
    return DARK if is_dark(palette) else LIGHT


def _banner_style(kind: str) -> str:
    c = scheme()
    return (f"background: {c[kind + '_bg']}; color: {c[kind + '_fg']}; "
            f"border: 1px solid {c[kind + '_border']};")  # padding: banner() sets a margin


_DYNAMIC = {
    "ERROR_STYLE": lambda: f"color: {scheme()['error']};",
    "OK_STYLE": lambda: f"color: {scheme()['ok']}; font-weight: bold;",
    "INFO_STYLE": lambda: f"color: {scheme()['info']};",
    "WARN_STYLE": lambda: f"color: {scheme()['warn']};",
    "HOLD_BG": lambda: QColor(scheme()["hold_bg"]),              # amber: legal hold, nothing may be deleted
    "RESTRICTED_BG": lambda: QColor(scheme()["restricted_bg"]),  # lilac: processing restricted, read-only
    "BANNER_HOLD": lambda: _banner_style("hold"),
    "BANNER_RESTRICTED": lambda: _banner_style("restricted"),
    "BANNER_READONLY": lambda: _banner_style("readonly"),
}


def __getattr__(name: str):
    if name in _DYNAMIC:
        return _DYNAMIC[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_only_style() -> str:
    c = scheme()
    return f"background: {c['readonly_bg']}; color: {c['readonly_fg']};"


def apply_dark_palette(app) -> None:
    """A dark Fusion palette like the one an OS dark theme gives (screenshots and tests)."""
    app.setStyle("Fusion")
    p = QPalette()
    for role, colour in ((QPalette.Window, "#353535"), (QPalette.WindowText, "#f0f0f0"),
                         (QPalette.Base, "#252525"), (QPalette.AlternateBase, "#303030"),
                         (QPalette.Text, "#f0f0f0"), (QPalette.Button, "#3c3c3c"),
                         (QPalette.ButtonText, "#f0f0f0"), (QPalette.ToolTipBase, "#202020"),
                         (QPalette.ToolTipText, "#f0f0f0"), (QPalette.Highlight, "#2f65ca"),
                         (QPalette.HighlightedText, "#ffffff"), (QPalette.Link, "#8ab4f8"),
                         (QPalette.PlaceholderText, "#9a9a9a"), (QPalette.BrightText, "#ff5555"),
                         (QPalette.Light, "#505050"), (QPalette.Midlight, "#454545"),
                         (QPalette.Mid, "#2a2a2a"), (QPalette.Dark, "#202020"), (QPalette.Shadow, "#101010")):
        p.setColor(role, QColor(colour))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor("#7a7a7a"))
    app.setPalette(p)


def error_label(accessible_name: str = "") -> QLabel:
    """A hidden red message under an input; plain text so user input in it is never markup."""
    label = QLabel("")
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {scheme()['error']};")
    if accessible_name:
        label.setAccessibleName(accessible_name)
    label.hide()
    return label


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Mark an input red (the error text next to it says why)."""
    widget.setStyleSheet(f"border: 1px solid {scheme()['error']};" if invalid else "")


def banner(text: str, style: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setMargin(6)  # a stylesheet padding is left out of heightForWidth: wrapped lines were clipped
    label.setAccessibleName(text)
    return label


_ICONS: dict[str, QIcon] = {}


def marker_icon(kind: str) -> QIcon:
    """A small badge: 'H' on amber for legal hold, 'R' on lilac for restricted, both when both."""
    if kind in _ICONS:
        return _ICONS[kind]
    letters = {"hold": [("H", "#c98a00")], "restricted": [("R", "#6a4fb3")],
               "both": [("H", "#c98a00"), ("R", "#6a4fb3")]}[kind]
    size = 16
    pix = QPixmap(size * len(letters), size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    p.setFont(font)
    for i, (letter, colour) in enumerate(letters):
        rect = QRectF(i * size + 1, 1, size - 2, size - 2)
        p.setBrush(QColor(colour))
        p.setPen(Qt.NoPen)
        p.drawRoundedRect(rect, 3, 3)
        p.setPen(QColor("white"))
        p.drawText(rect, Qt.AlignCenter, letter)
    p.end()
    _ICONS[kind] = QIcon(pix)
    return _ICONS[kind]


_FALLBACK_FONTS = ("DroidSansFallbackFull.ttf", "NanumSquareR.ttf")  # Chinese and Japanese; Korean
_fonts_registered = False


def register_fallback_fonts() -> None:
    """Make the shipped CJK fonts (the ones the PDF reports embed) available to Qt's font fallback, so
    a Chinese, Japanese or Korean name shows as letters, not boxes, on a system without such a font.
    Registering names the file only (about 5 ms); glyphs load when such text is first drawn. Once
    per process; a missing file is skipped (the system's fonts still apply)."""
    global _fonts_registered
    if _fonts_registered:
        return
    _fonts_registered = True
    from PySide6.QtGui import QFontDatabase

    from desktop.paths import resource

    for name in _FALLBACK_FONTS:
        path = resource("fonts", name)
        if path.is_file():
            QFontDatabase.addApplicationFont(str(path))
