"""Parent-center settings: DICOMweb URL, branch ID, user, CA file, what to send, de-identification
options, and a Test connection button. The password goes to the system keyring, never to
settings.json; without a keyring backend the dialog says to use NODULE_DESK_PARENT_PASSWORD."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
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

from nodule_desk.settings import ParentCenterSettings, load_settings, save_settings, settings_path
from nodule_desk.sync.credentials import parent_password, save_parent_password
from nodule_desk.sync.service import check_connection
from ui.jobs import Job, JobRunner, describe_error


class ParentCenterSettingsDialog(QDialog):
    def __init__(self, db_path: Path, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParentCenterSettingsDialog")
        self.setWindowTitle(self.tr("Parent center"))
        self.db_path = Path(db_path)
        self.jobs = jobs
        current = load_settings(settings_path(self.db_path)).parent_center
        self.url_edit = QLineEdit(current.url)
        self.url_edit.setPlaceholderText("https://pacs.example.org/dicom-web")
        self.branch_edit = QLineEdit(current.branch_id)
        self.user_edit = QLineEdit(current.username)
        self.password_edit = QLineEdit(parent_password(current) or "")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_edit = QLineEdit(current.ca_file)
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.send_combo = QComboBox()
        self.send_combo.addItem(self.tr("Report summary (SR, PDF, key images)"), "summary")
        self.send_combo.addItem(self.tr("Summary and the CT series"), "summary_and_series")
        self.send_combo.setCurrentIndex(max(0, self.send_combo.findData(current.send)))
        options = current.deidentification
        self.dates_combo = QComboBox()
        self.dates_combo.addItem(self.tr("Shift dates per patient (intervals kept)"), "shift")
        self.dates_combo.addItem(self.tr("Keep dates as they are"), "keep")
        self.dates_combo.setCurrentIndex(
            max(0, self.dates_combo.findData(options.get("dates", "shift")))
        )
        self.characteristics_check = QCheckBox(self.tr("Keep sex, age, size and weight"))
        self.characteristics_check.setChecked(options.get("retain_patient_characteristics", True))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("DICOMweb URL"), self.url_edit)
        form.addRow(self.tr("Branch ID"), self.branch_edit)
        form.addRow(self.tr("User name"), self.user_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow(self.tr("CA certificate file"), ca_row)
        form.addRow(self.tr("Send on signing"), self.send_combo)
        form.addRow(self.tr("Dates"), self.dates_combo)
        form.addRow("", self.characteristics_check)
        form.addRow(self.test_button, self.status_label)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def _choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("CA certificate file"), "", self.tr("Certificates (*.pem *.crt)")
        )
        if path:
            self.ca_edit.setText(path)

    def parent_settings(self) -> ParentCenterSettings:
        current = load_settings(settings_path(self.db_path)).parent_center
        return replace(
            current,
            url=self.url_edit.text().strip(),
            branch_id=self.branch_edit.text().strip(),
            username=self.user_edit.text().strip(),
            ca_file=self.ca_edit.text().strip(),
            send=str(self.send_combo.currentData()),
            deidentification={
                **current.deidentification,
                "dates": str(self.dates_combo.currentData()),
                "retain_patient_characteristics": self.characteristics_check.isChecked(),
            },
        )

    def test_connection(self) -> Job:
        settings, password = self.parent_settings(), self.password_edit.text()
        self.test_button.setEnabled(False)
        self.status_label.setText(self.tr("Connecting…"))
        job = Job(lambda progress, cancel: check_connection(settings, password))
        job.signals.finished.connect(self._tested)
        job.signals.failed.connect(self._test_failed)
        return self.jobs.start(job)

    def _tested(self, answer: str) -> None:
        self.test_button.setEnabled(True)
        self.status_label.setText(self.tr("Connected: %1").replace("%1", answer))

    def _test_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.status_label.setText(
            self.tr("Cannot connect: %1").replace("%1", describe_error(error))
        )

    def accept(self) -> None:
        path = settings_path(self.db_path)
        site = load_settings(path)
        parent = self.parent_settings()
        save_settings(replace(site, parent_center=parent), path)
        password = self.password_edit.text()
        if password and not save_parent_password(parent, password):
            self.status_label.setText(
                self.tr("No system keyring: set NODULE_DESK_PARENT_PASSWORD instead.")
            )
        super().accept()
