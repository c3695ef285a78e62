"""Dark theme (Fusion + a dark palette + resources/styles/dark.qss) and a CJK-capable font."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
# Latin text in Noto Sans / DejaVu, Chinese from Noto Sans CJK SC (Debian fonts-noto-cjk).
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Micro Hei"]


def apply_font(app: QApplication, point_size: int = 10) -> None:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(point_size)
    app.setFont(font)


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e0e0e0",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#e0e0e0",
        QPalette.ColorRole.Text: "#e0e0e0",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e0e0e0",
        QPalette.ColorRole.BrightText: "#ff5555",
        QPalette.ColorRole.Link: "#4aa3ff",
        QPalette.ColorRole.Highlight: "#2f6fb3",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return palette


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette())
    qss = RESOURCES / "styles" / "dark.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
