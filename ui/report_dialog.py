"""Report dialog: review the engine's category and management, override with a reason, preview,
export and sign. A signed report is read-only and shown as it was signed; Amend, or a change to
the measurements after signing, makes a new version pending signature."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QSettings, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.names import display_name
from nodule_desk.reports.amendment import amend_if_changed
from nodule_desk.reports.nodule_table import nodule_table
from nodule_desk.reports.overrides import category_management
from nodule_desk.reports.pdf_report import category_line
from nodule_desk.reports.pdf_text import TEXT
from nodule_desk.reports.size_bands import size_notes
from nodule_desk.reports.visit_report import build_visit_report, draft_report, override
from nodule_desk.settings import load_settings
from nodule_desk.store import Store
from ui.jobs import Job, JobRunner

CATEGORIES = ("0", "1", "2", "3", "4A", "4B", "4X")
RADIOLOGIST_KEY = "report/radiologist"
EXPORT_FOLDER_KEY = "report/export_folder"
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
        self._showing = False
        self._build()
        amend_if_changed(store, study_uid)
        self.report = store.current_report(study_uid) or draft_report(
            store, study_uid, self.settings
        )
        self.retranslate_ui()
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
        self.category.currentIndexChanged.connect(self._category_chosen)
        self.management = QPlainTextEdit()
        self.management.setTabChangesFocus(True)
        self.management.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
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
        self.status = QLabel()
        self.status.setObjectName("ReportStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        self.language_note = QLabel()
        self.language_note.setWordWrap(True)
        layout.addWidget(self.language_note)
        layout.addLayout(self.form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
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
        self.language_note.setText(
            self.tr(
                "The preview and the exported report are in the report language; "
                "this window follows the interface language."
            )
        )
        if hasattr(self, "report"):
            self._show_status()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _show_status(self) -> None:
        report = self.report
        if report.status == "signed":
            text = self.tr("Signed version %1 by %2: it is final and shown as it was signed.")
            text = text.replace("%1", str(report.version)).replace("%2", report.signed_by or "")
        elif report.is_amendment_pending:
            text = self.tr("Amended version %1, pending signature: it replaces signed version %2.")
            text = text.replace("%1", str(report.version)).replace("%2", str(report.version - 1))
        else:
            text = self.tr("Draft version %1, not signed.").replace("%1", str(report.version))
        self.status.setText(text)

    # --- showing --------------------------------------------------------------------------------
    def _show_report(self) -> None:
        report = self.report
        signed = report.status == "signed"
        content = report.content
        self._showing = True
        self.language.setCurrentIndex(max(self.language.findData(report.language), 0))
        self.category.setCurrentIndex(max(self.category.findData(content.get("exam_category")), 0))
        zh = report.language == "zh_CN"
        self.management.setPlainText(
            content.get("management_zh" if zh else "management") or content.get("management", "")
        )
        date = content.get("follow_up_date")
        self.follow_up.setDate(QDate.fromString(date, "yyyy-MM-dd") if date else NO_DATE)
        self._showing = False
        self._show_status()
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

    def _category_chosen(self) -> None:
        """A category chosen by hand brings its Lung-RADS management and date (editable)."""
        category = self.category.currentData()
        if self._showing or category == self.report.content.get("exam_category"):
            return
        exam_date = build_visit_report(self.store, self.study_uid, self.settings).study_date
        wanted = category_management(category, exam_date)
        zh = self.language.currentData() == "zh_CN"
        self.management.setPlainText(wanted["management_zh" if zh else "management"])
        date = wanted["follow_up_date"]
        self.follow_up.setDate(QDate.fromString(date, "yyyy-MM-dd") if date else NO_DATE)

    def preview_html(self) -> str:
        """The report's content as the PDF shows it: a signed version exactly as it was signed."""
        visit = build_visit_report(self.store, self.study_uid, self.settings)
        text = TEXT[visit.language]
        headings, cells = nodule_table(visit)
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells
        )
        if not visit.nodules:
            rows = f"<tr><td colspan='{len(headings)}'>{html.escape(text['no_nodules'])}</td></tr>"
        name = display_name(visit.patient_name, visit.language)
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in size_notes(visit))
        override = ""
        if visit.override_reason:
            who = f" ({html.escape(visit.override_by)})" if visit.override_by else ""
            reason = html.escape(visit.override_reason)
            override = f"<br><b>{text['override_reason']}:</b> {reason}{who}"
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
            f"{notes}"
            f"<p><b>{text['category']}:</b> {html.escape(category_line(visit))}<br>"
            f"<b>{text['management']}:</b> {html.escape(visit.management or '—')}<br>"
            f"<b>{text['follow_up']}:</b> {visit.follow_up_date or '—'}{override}</p>"
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
            management_key: self.management.toPlainText(),
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
        if sign and not self.confirm_signing(radiologist):
            return None
        folder = self.choose_export_folder()
        if not folder:
            return None
        if sign:
            QSettings().setValue(RADIOLOGIST_KEY, radiologist)
        return self.publish_to(Path(folder), radiologist if sign else None)

    def confirm_signing(self, radiologist: str) -> bool:
        """Signing is final: the radiologist confirms the patient and the category first."""
        visit = build_visit_report(self.store, self.study_uid, self.settings)
        name = display_name(visit.patient_name, "zh_CN" if self._ui_is_chinese() else "en")
        text = self.tr(
            "Sign the report of %1 (ID %2) with Lung-RADS category %3 as %4? "
            "A signed report cannot be changed, only amended."
        )
        for n, value in enumerate(
            (name, visit.patient_id, visit.exam_lung_rads_category or "—", radiologist), start=1
        ):
            text = text.replace(f"%{n}", value)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Sign the report"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmSigning")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Sign"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _ui_is_chinese(self) -> bool:
        from ui import i18n

        return i18n.current_language() == "zh_CN"

    def export_start_folder(self) -> str:
        """The folder used last, else the user's documents (never the program's folder)."""
        last = str(QSettings().value(EXPORT_FOLDER_KEY, "") or "")
        if last and Path(last).is_dir():
            return last
        location = QStandardPaths.StandardLocation.DocumentsLocation
        return QStandardPaths.writableLocation(location) or str(Path.home())

    def choose_export_folder(self) -> str:
        dialog = QFileDialog(self, self.tr("Export the report to"), self.export_start_folder())
        dialog.setObjectName("ExportFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if not dialog.exec() or not dialog.selectedFiles():
            return ""
        folder = dialog.selectedFiles()[0]
        QSettings().setValue(EXPORT_FOLDER_KEY, folder)
        return folder

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
        self._set_busy(True)
        self.tell(self.tr("Writing the report…"))
        self.jobs.start(job)
        return job

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for button in (self.export_button, self.sign_button, self.amend_button):
            button.setEnabled(not busy)

    def _published(self, result: dict[str, Any]) -> None:
        self._set_busy(False)
        self.report = self.store.current_report(self.study_uid) or self.report
        self._show_report()
        self.tell(self.tr("Report written to %1").replace("%1", result["pdf"]))

    def _failed(self, error: BaseException) -> None:
        from ui.jobs import describe_error

        self._set_busy(False)
        self._show_report()
        self.tell(describe_error(error), error=True)

    def tell(self, text: str, error: bool = False) -> None:
        """Messages stay in the dialog, beside the buttons, instead of stacking modal boxes."""
        self.message.setStyleSheet("color: #ff6b6b;" if error else "color: #8fd18f;")
        self.message.setText(text)
