"""Settings dialog: the interface language (applied at once) and later preferences."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from ui import i18n


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("Follow the system"), "system")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.addItem("English", "en")
        current = str(QSettings().value(i18n.SETTINGS_KEY, "system"))
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current)))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Language"), self.language_combo)
        form.addRow(buttons)

    def selected_language(self) -> str:
        return str(self.language_combo.currentData())
