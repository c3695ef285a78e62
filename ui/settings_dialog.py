"""Settings dialog: the interface language (applied at once) and the site's report settings.

The language is a preference of this workstation (QSettings); the hospital's name, logo, report
language and guideline context are the site's (nodule_desk.settings, shared with the CLI).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from nodule_desk.settings import SiteSettings, load_settings, save_settings
from ui import i18n


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language_combo = QComboBox()
        self.language_combo.addItem("", "system")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.addItem("English", "en")
        current = str(QSettings().value(i18n.SETTINGS_KEY, "system"))
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current)))
        site = load_settings()
        self.institution_edit = QLineEdit(site.institution_name)
        self.logo_edit = QLineEdit(site.logo_path)
        browse = QPushButton()
        self.browse_button = browse
        browse.clicked.connect(self._choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_edit, 1)
        logo_row.addWidget(browse)
        self.report_language_combo = QComboBox()
        self.report_language_combo.addItem("简体中文", "zh_CN")
        self.report_language_combo.addItem("English", "en")
        self.report_language_combo.setCurrentIndex(
            max(0, self.report_language_combo.findData(site.report_language))
        )
        self.context_combo = QComboBox()
        self.context_combo.addItem("", "screening")
        self.context_combo.addItem("", "incidental")
        self.context_combo.setCurrentIndex(
            max(0, self.context_combo.findData(site.default_context))
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        self.labels = [QLabel() for _ in range(5)]
        fields = (
            self.language_combo,
            self.institution_edit,
            logo_row,
            self.report_language_combo,
            self.context_combo,
        )
        for label, field in zip(self.labels, fields, strict=True):
            form.addRow(label, field)
        form.addRow(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        self.language_combo.setItemText(0, self.tr("Follow the system"))
        self.browse_button.setText(self.tr("Choose…"))
        self.context_combo.setItemText(0, self.tr("Screening (Lung-RADS)"))
        self.context_combo.setItemText(1, self.tr("Incidental (Fleischner)"))
        names = (
            self.tr("Language"),
            self.tr("Hospital name on reports"),
            self.tr("Hospital logo"),
            self.tr("Report language"),
            self.tr("Default guideline"),
        )
        for label, text in zip(self.labels, names, strict=True):
            label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Hospital logo"), "", self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.logo_edit.setText(path)

    def selected_language(self) -> str:
        return str(self.language_combo.currentData())

    def site_settings(self) -> SiteSettings:
        return replace(  # keeps what this dialog does not show (the parent center)
            load_settings(),
            institution_name=self.institution_edit.text().strip() or SiteSettings.institution_name,
            logo_path=self.logo_edit.text().strip(),
            report_language=str(self.report_language_combo.currentData()),
            default_context=str(self.context_combo.currentData()),
        )

    def accept(self) -> None:
        save_settings(self.site_settings())
        super().accept()
