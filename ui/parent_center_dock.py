"""The parent center on the open case: what was sent and how it went (queued, sending, sent,
failed with the reason), consultation and referral requests, and the parent's opinions. Sync now
runs the same service as ``python -m nodule_desk sync``; a timer syncs in the background, each
item waiting out its backoff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.settings import load_settings, settings_path
from nodule_desk.store import Store
from nodule_desk.sync.queue import request_parent_opinion
from nodule_desk.sync.service import sync_store
from ui.jobs import Job, JobRunner, describe_error
from ui.parent_request_dialog import ParentRequestDialog

BACKGROUND_SYNC_MS = 5 * 60 * 1000


class ParentCenterDock(QDockWidget):
    opinions_received = Signal(int)
    """How many opinions the last sync brought back (the window announces them)."""

    def __init__(self, store: Store, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ParentCenterDock")
        self.store = store
        self.jobs = jobs
        self.study_uid: str | None = None
        self.series_uid: str | None = None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.consult_button = QPushButton()
        self.consult_button.clicked.connect(lambda: self.ask("consultation"))
        self.refer_button = QPushButton()
        self.refer_button.clicked.connect(lambda: self.ask("referral"))
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(lambda: self.sync_now())
        buttons = QHBoxLayout()
        for button in (self.consult_button, self.refer_button, self.sync_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status_label)
        self.setWidget(body)
        self.timer = QTimer(self)
        self.timer.setInterval(BACKGROUND_SYNC_MS)
        self.timer.timeout.connect(lambda: self.sync_now(background=True))
        self.timer.start()
        self.retranslate_ui()
        self.refresh()

    @property
    def db_path(self) -> Path:
        return Path(self.store.path)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Parent center"))
        self.tree.setHeaderLabels([self.tr("Item"), self.tr("Status"), self.tr("Details")])
        self.consult_button.setText(self.tr("Send for consultation…"))
        self.refer_button.setText(self.tr("Refer to parent center…"))
        self.sync_button.setText(self.tr("Sync now"))
        if self.isVisible():  # a closed window's store may be closed already
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def configured(self) -> bool:
        return load_settings(settings_path(self.db_path)).parent_center.configured

    def show_case(self, study_uid: str | None, series_uid: str | None = None) -> None:
        self.study_uid, self.series_uid = study_uid, series_uid
        self.refresh()

    def _status_word(self, status: str) -> str:
        words = {
            "queued": self.tr("queued"),
            "sending": self.tr("sending"),
            "sent": self.tr("sent"),
            "failed": self.tr("failed"),
            "requested": self.tr("requested"),
            "answered": self.tr("answered"),
            "referred": self.tr("referred"),
            "accepted": self.tr("accepted"),
            "returned": self.tr("returned for follow-up"),
        }
        return words.get(status, status)

    def _kind_word(self, kind: str) -> str:
        words = {
            "case_summary": self.tr("Case summary"),
            "series": self.tr("Consultation series"),
            "referral": self.tr("Referral series"),
            "consultation": self.tr("Consultation"),
        }
        return words.get(kind, kind)

    def refresh(self) -> None:
        self.tree.clear()
        configured = self.configured()
        has_case = self.study_uid is not None
        for button in (self.consult_button, self.refer_button):
            button.setEnabled(configured and has_case and self.series_uid is not None)
        self.sync_button.setEnabled(configured)
        if not configured:
            self.status_label.setText(self.tr("No parent center is set: Tools > Parent center…"))
            return
        if not has_case:
            self.status_label.setText(self.tr("Open a study to see what was sent for it."))
            return
        self._fill(self.study_uid or "")

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        self.tree.addTopLevelItem(item)
        item.setExpanded(True)
        return item

    def _fill(self, study_uid: str) -> None:
        sent = self._section(self.tr("Sent to the parent center"))
        for item in self.store.outbox_of_study(study_uid):
            detail = item.last_error or (item.sent_at or "")[:16].replace("T", " ")
            row = QTreeWidgetItem(
                [self._kind_word(item.kind), self._status_word(item.display_status), detail]
            )
            row.setToolTip(2, detail)
            sent.addChild(row)
        asked = self._section(self.tr("Requests"))
        for request in self.store.requests_of_study(study_uid):
            kind = (
                self._kind_word(request.kind) if request.kind != "referral" else self.tr("Referral")
            )
            asked.addChild(
                QTreeWidgetItem([kind, self._status_word(request.status), request.question])
            )
        answers = self._section(self.tr("Parent center opinions"))
        for opinion in self.store.opinions(study_uid=study_uid):
            line = f"{opinion.opinion_date or ''} {opinion.expert} {opinion.title}".strip()
            row = QTreeWidgetItem([line, "", opinion.text])
            row.setToolTip(2, opinion.text)
            answers.addChild(row)
        for column in range(3):
            self.tree.resizeColumnToContents(column)

    def ask(self, kind: str) -> Job | None:
        if self.study_uid is None or self.series_uid is None:
            return None
        dialog = ParentRequestDialog(kind, self.study_uid, self)
        if not dialog.exec():
            return None
        return self.queue_request(kind, dialog.question(), dialog.urgency())

    def queue_request(self, kind: str, question: str, urgency: str) -> Job:
        db_path, study_uid, series_uid = self.db_path, self.study_uid, self.series_uid
        settings = load_settings(settings_path(db_path))

        def run(progress: Any, cancel: Any) -> Any:
            with Store.open(db_path) as store:
                return request_parent_opinion(
                    store, study_uid, series_uid, kind, question, urgency, settings
                )

        self.status_label.setText(self.tr("Preparing the de-identified series…"))
        job = Job(run)
        job.signals.finished.connect(lambda _result: self._queued())
        job.signals.failed.connect(self._failed)
        return self.jobs.start(job)

    def _queued(self) -> None:
        self.status_label.setText(self.tr("Queued: it is sent at the next sync."))
        self.refresh()

    def sync_now(self, background: bool = False) -> Job | None:
        if not self.configured() or not self.sync_button.isEnabled():
            return None
        db_path = self.db_path
        self.sync_button.setEnabled(False)
        if not background:
            self.status_label.setText(self.tr("Syncing with the parent center…"))
        job = Job(lambda progress, cancel: sync_store(db_path, respect_backoff=background))
        job.signals.finished.connect(self._synced)
        job.signals.failed.connect(self._failed)
        return self.jobs.start(job)

    def _synced(self, result: dict[str, Any]) -> None:
        self.sync_button.setEnabled(True)
        text = self.tr("Sent %1, pending %2, opinions received %3")
        for n, key in enumerate(("sent", "pending", "opinions"), start=1):
            text = text.replace(f"%{n}", str(len(result[key])))
        if result.get("stopped_because"):
            text += "\n" + self.tr("Stopped: %1").replace("%1", result["stopped_because"])
        self.status_label.setText(text)
        self.refresh()
        if result["opinions"]:
            self.opinions_received.emit(len(result["opinions"]))

    def _failed(self, error: BaseException) -> None:
        self.sync_button.setEnabled(self.configured())
        self.status_label.setText(describe_error(error))
