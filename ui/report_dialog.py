"""Report dialog: review the engine's category and management, override with a reason, preview,
export and sign. A signed report is read-only; Amend makes a new draft version."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.names import display_name
from nodule_desk.reports.nodule_table import nodule_table
from nodule_desk.reports.pdf_text import TEXT
from nodule_desk.reports.visit_report import build_visit_report, draft_report, override
from nodule_desk.settings import load_settings
from nodule_desk.store import Store
from ui.jobs import Job, JobRunner

CATEGORIES = ("0", "1", "2", "3", "4A", "4B", "4X")
RADIOLOGIST_KEY = "report/radiologist"
NO_DATE = QDate(2000, 1, 1)
"""Shown as "—": the guideline recommends no follow-up date (e.g. 4B: work-up, not a CT)."""


class ReportDialog(QDialog):
    def __init__(
        self, store: Store, study_uid: str, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReportDialog")
        self.store, self.study_uid, self.jobs = store, study_uid, jobs
        self.settings = load_settings()
        self.last_job: Job | None = None
        self._build()
        self.retranslate_ui()
        self.report = store.current_report(study_uid) or draft_report(
            store, study_uid, self.settings
        )
        self._show_report()

    def _build(self) -> None:
        self.preview = QTextBrowser()
        self.preview.setMinimumSize(620, 360)
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.category = QComboBox()
        for category in CATEGORIES:
            self.category.addItem(category, category)
        self.management = QLineEdit()
        self.follow_up = QDateEdit(calendarPopup=True)
        self.follow_up.setDisplayFormat("yyyy-MM-dd")
        self.follow_up.setMinimumDate(NO_DATE)
        self.follow_up.setSpecialValueText("—")
        self.reason = QLineEdit()
        self.radiologist = QLineEdit(str(QSettings().value(RADIOLOGIST_KEY, "")))
        self.form = QFormLayout()
        self.form_labels = [QLabel() for _ in range(6)]
        widgets = (
            self.language,
            self.category,
            self.management,
            self.follow_up,
            self.reason,
            self.radiologist,
        )
        for label, widget in zip(self.form_labels, widgets, strict=True):
            self.form.addRow(label, widget)
        self.redraft_button, self.save_button = QPushButton(), QPushButton()
        self.export_button, self.sign_button = QPushButton(), QPushButton()
        self.amend_button = QPushButton()
        self.redraft_button.clicked.connect(self.redraft)
        self.save_button.clicked.connect(self.save_changes)
        self.export_button.clicked.connect(lambda: self.publish(sign=False))
        self.sign_button.clicked.connect(lambda: self.publish(sign=True))
        self.amend_button.clicked.connect(self.amend)
        buttons = QHBoxLayout()
        for button in (
            self.redraft_button,
            self.save_button,
            self.amend_button,
            self.export_button,
            self.sign_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(self.form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Report"))
        labels = [
            self.tr("Report language"),
            self.tr("Lung-RADS category"),
            self.tr("Management"),
            self.tr("Follow-up date"),
            self.tr("Reason for a change"),
            self.tr("Radiologist"),
        ]
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        self.reason.setPlaceholderText(
            self.tr("Required when you change the guideline's category, management or date")
        )
        self.redraft_button.setText(self.tr("Re-run guidelines"))
        self.save_button.setText(self.tr("Save changes"))
        self.amend_button.setText(self.tr("Amend"))
        self.export_button.setText(self.tr("Export…"))
        self.sign_button.setText(self.tr("Sign and export…"))

    # --- showing --------------------------------------------------------------------------------
    def _show_report(self) -> None:
        report = self.report
        signed = report.status == "signed"
        content = report.content
        self.language.setCurrentIndex(max(self.language.findData(report.language), 0))
        self.category.setCurrentIndex(max(self.category.findData(content.get("exam_category")), 0))
        zh = report.language == "zh_CN"
        self.management.setText(
            content.get("management_zh" if zh else "management") or content.get("management", "")
        )
        date = content.get("follow_up_date")
        self.follow_up.setDate(QDate.fromString(date, "yyyy-MM-dd") if date else NO_DATE)
        for widget in (
            self.language,
            self.category,
            self.management,
            self.follow_up,
            self.reason,
            self.redraft_button,
            self.save_button,
            self.sign_button,
        ):
            widget.setEnabled(not signed)
        self.amend_button.setEnabled(signed)
        self.preview.setHtml(self.preview_html())

    def preview_html(self) -> str:
        """The report's content as the PDF will show it, for review before signing."""
        visit = build_visit_report(self.store, self.study_uid, self.settings)
        text = TEXT[visit.language]
        headings, cells = nodule_table(visit)
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells
        )
        name = display_name(visit.patient_name, visit.language)
        status = (
            f"{text['signed_by']}: {html.escape(visit.signature.radiologist)}"
            if visit.signature
            else text["draft"]
        )
        return (
            f"<h3>{html.escape(visit.institution_name)} — {text['title']}</h3>"
            f"<p>{text['patient']}: {html.escape(name)} "
            f"&nbsp; ID: {html.escape(visit.patient_id)} &nbsp; {text['exam_date']}: "
            f"{visit.study_date}</p>"
            f"<table border='1' cellspacing='0' cellpadding='3'><tr>{head}</tr>{rows}</table>"
            f"<p><b>{text['category']}:</b> {visit.exam_lung_rads_category or '—'}<br>"
            f"<b>{text['management']}:</b> {html.escape(visit.management or '—')}<br>"
            f"<b>{text['follow_up']}:</b> {visit.follow_up_date or '—'}</p>"
            f"<p><i>{status}</i> (v{visit.version})</p>"
        )

    # --- commands -------------------------------------------------------------------------------
    def redraft(self) -> None:
        self.report = draft_report(
            self.store, self.study_uid, self.settings, language=self.language.currentData()
        )
        self._show_report()

    def _changes(self) -> dict[str, Any]:
        content = self.report.content
        zh = self.language.currentData() == "zh_CN"
        management_key = "management_zh" if zh else "management"
        wanted = {
            "exam_category": self.category.currentData(),
            management_key: self.management.text(),
            "follow_up_date": None
            if self.follow_up.date() == NO_DATE
            else self.follow_up.date().toString("yyyy-MM-dd"),
        }
        return {k: v for k, v in wanted.items() if (content.get(k) or None) != (v or None)}

    def save_changes(self) -> bool:
        """Overrides need a reason; a language change alone does not."""
        changes = self._changes()
        language = self.language.currentData()
        if changes and not self.reason.text().strip():
            self.tell(self.tr("Say why you change the guideline's recommendation."), error=True)
            self.reason.setFocus()
            return False
        if changes:
            self.report = override(self.store, self.study_uid, changes, self.reason.text())
        if language != self.report.language:
            self.report = self.store.save_draft(
                self.study_uid,
                self.report.content,
                language=language,
                override_reasons=self.report.override_reasons,
            )
        self._show_report()
        return True

    def amend(self) -> None:
        self.report = self.store.amend(self.report.id)
        self._show_report()

    def publish(self, sign: bool) -> Job | None:
        if self.report.status == "draft" and not self.save_changes():
            return None
        radiologist = self.radiologist.text().strip()
        if sign and not radiologist:
            self.tell(self.tr("Enter the radiologist's name."), error=True)
            self.radiologist.setFocus()
            return None
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export the report to"))
        if not folder:
            return None
        if sign:
            QSettings().setValue(RADIOLOGIST_KEY, radiologist)
        return self.publish_to(Path(folder), radiologist if sign else None)

    def publish_to(self, folder: Path, sign_as: str | None) -> Job:
        """Write (and sign) in the background, in the job's own store connection."""
        db_path, study_uid, settings = self.store.path, self.study_uid, self.settings

        def run(progress: Any, cancel: Any) -> dict[str, Any]:
            from nodule_desk.reports.publish import publish_report

            with Store.open(db_path) as store:
                return publish_report(store, study_uid, folder, settings, sign_as=sign_as)

        job = Job(run)
        job.signals.finished.connect(self._published)
        job.signals.failed.connect(self._failed)
        self.last_job = job
        self.jobs.start(job)
        return job

    def _published(self, result: dict[str, Any]) -> None:
        self.report = self.store.current_report(self.study_uid) or self.report
        self._show_report()
        self.tell(self.tr("Report written to %1").replace("%1", result["pdf"]))

    def _failed(self, error: BaseException) -> None:
        from ui.jobs import describe_error

        self.tell(describe_error(error), error=True)

    def tell(self, text: str, error: bool = False) -> None:
        """Messages stay in the dialog, beside the buttons, instead of stacking modal boxes."""
        self.message.setStyleSheet("color: #ff6b6b;" if error else "color: #8fd18f;")
        self.message.setText(text)
