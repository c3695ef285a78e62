"""Query a PACS node for a patient's studies and retrieve the chosen ones into the archive, each
retrieve a background job with its own progress bar and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.dicom.net.nodes import NodeSettings
from nodule_desk.dicom.net.query import QueryKeys, find
from nodule_desk.dicom.net.receiver import DicomReceiver
from nodule_desk.dicom.net.retrieve import RetrieveResult, retrieve_study
from ui.jobs import Job, JobRunner, describe_error

STUDY_UID_COLUMN = 4


class RetrievePanel(QWidget):
    retrieved = Signal(object)
    """a RetrieveResult, once its series are in the store"""

    def __init__(
        self,
        db_path: Path,
        settings: Callable[[], NodeSettings],
        jobs: JobRunner,
        parent: QWidget | None = None,
        receiver: Callable[[], DicomReceiver | None] = lambda: None,
    ) -> None:
        """``receiver``: the app's running node, which receives what a C-MOVE sends."""
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._settings = settings
        self._receiver = receiver
        self.jobs = jobs
        self.node_combo = QComboBox()
        self.patient_id_edit = QLineEdit()
        self.patient_id_edit.setPlaceholderText(self.tr("Patient ID"))
        self.study_date_edit = QLineEdit()
        self.study_date_edit.setPlaceholderText(self.tr("Study date, e.g. 20230101-20241231"))
        self.find_button = QPushButton(self.tr("Find studies"))
        self.find_button.clicked.connect(self.find_studies)
        self.results = QTableWidget(0, 5)
        self.results.setHorizontalHeaderLabels(
            [self.tr("Patient"), self.tr("Date"), self.tr("Description"), self.tr("Images"),
             self.tr("Study UID")]
        )  # fmt: skip
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.retrieve_button = QPushButton(self.tr("Retrieve selected"))
        self.retrieve_button.clicked.connect(self.retrieve_selected)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.current_job: Job | None = None
        self._layout()
        self.refresh_nodes()

    def _layout(self) -> None:
        query = QHBoxLayout()
        for widget in (
            self.node_combo,
            self.patient_id_edit,
            self.study_date_edit,
            self.find_button,
        ):
            query.addWidget(widget)  # fmt: skip
        actions = QHBoxLayout()
        for widget in (self.retrieve_button, self.cancel_button, self.progress):
            actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(query)
        layout.addWidget(self.results)
        layout.addLayout(actions)
        layout.addWidget(self.status_label)

    def refresh_nodes(self) -> None:
        current = self.node_combo.currentText()
        self.node_combo.clear()
        for node in self._settings().nodes:
            self.node_combo.addItem(node.name)
        self.node_combo.setCurrentIndex(max(0, self.node_combo.findText(current)))

    def find_studies(self) -> Job | None:
        name = self.node_combo.currentText()
        if not name:
            self.status_label.setText(self.tr("Add a PACS node first."))
            return None
        settings = self._settings()
        node = settings.node(name)
        keys = QueryKeys(
            patient_id=self.patient_id_edit.text().strip(),
            study_date=self.study_date_edit.text().strip(),
        )
        job = Job(lambda progress, cancel: find(node, settings.ae_title, "study", keys, cancel))
        job.signals.finished.connect(self._show_matches)
        job.signals.failed.connect(lambda error: self.status_label.setText(describe_error(error)))
        self.status_label.setText(self.tr("Searching %1…").replace("%1", name))
        return self.jobs.start(job)

    def _show_matches(self, matches: list[dict[str, Any]]) -> None:
        self.results.setRowCount(len(matches))
        for row, match in enumerate(matches):
            values = [
                match["patient_name"] or match["patient_id"],
                match["study_date"] or "",
                match["description"],
                str(match["n_instances"] or ""),
                match["study_uid"],
            ]
            for column, value in enumerate(values):
                self.results.setItem(row, column, QTableWidgetItem(value))  # fmt: skip
        if matches:
            self.results.selectRow(0)
        self.status_label.setText(self.tr("%n study(ies) found", "", len(matches)))

    def retrieve_selected(self) -> Job | None:
        row = self.results.currentRow()
        if row < 0 or self.current_job is not None:
            return None
        study_uid = self.results.item(row, STUDY_UID_COLUMN).text()
        settings, name = self._settings(), self.node_combo.currentText()
        receiver = self._receiver()

        def work(progress: Any, cancel: Any) -> RetrieveResult:
            return retrieve_study(self.db_path, settings, name, study_uid, receiver=receiver,
                                  progress=progress, cancel=cancel)  # fmt: skip

        job = Job(work)
        self.current_job = job
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(True)
        job.signals.progress.connect(self._progress)
        job.signals.finished.connect(self._retrieved)
        job.signals.failed.connect(lambda error: self._ended(describe_error(error)))
        job.signals.cancelled.connect(lambda: self._ended(self.tr("Retrieve cancelled")))
        self.status_label.setText(self.tr("Retrieving %1…").replace("%1", study_uid))
        return self.jobs.start(job)

    def cancel(self) -> None:
        if self.current_job is not None:
            self.current_job.cancel()

    def _progress(self, done: int, total: int, _stage: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _retrieved(self, result: RetrieveResult) -> None:
        message = self.tr("Retrieved %1 image(s), %2 failed").replace("%1", str(result.completed))
        self._ended(message.replace("%2", str(result.failed)))
        self.retrieved.emit(result)

    def _ended(self, message: str) -> None:
        self.current_job = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.status_label.setText(message)
