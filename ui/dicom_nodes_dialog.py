"""DICOM nodes: this workstation's AE title and port, the PACS and scanners it talks to (each with
a Verify = C-ECHO button), the receive queue of the running node, and query / retrieve."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.dicom.net.association import echo
from nodule_desk.dicom.net.nodes import (
    NodeSettings,
    RemoteNode,
    load_node_settings,
    save_node_settings,
)
from nodule_desk.dicom.net.receiver import ReceiveEvent
from nodule_desk.errors import NoduleDeskError
from ui.dicom_node_service import DicomNodeService
from ui.jobs import Job, JobRunner, describe_error
from ui.retrieve_panel import RetrievePanel

COLUMNS = ("name", "ae_title", "host", "port", "retrieve_method")


class DicomNodesDialog(QDialog):
    def __init__(
        self,
        db_path: Path,
        service: DicomNodeService,
        jobs: JobRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("DICOM nodes"))
        self.db_path = Path(db_path)
        self.service = service
        self.jobs = jobs
        self.settings = load_node_settings(self.db_path)
        self.ae_title_edit = QLineEdit(self.settings.ae_title)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(self.settings.port)
        self.listen_button = QPushButton()
        self.listen_button.clicked.connect(self.toggle_listening)
        self.listen_label = QLabel()
        self.nodes_table = QTableWidget(0, len(COLUMNS))
        self.nodes_table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("AE title"), self.tr("Host"), self.tr("Port"),
             self.tr("Retrieve by")]
        )  # fmt: skip
        self.nodes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.nodes_table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton(self.tr("Add node"))
        self.add_button.clicked.connect(lambda: self.add_node(RemoteNode("PACS", "PACS", "", 104)))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_node)
        self.verify_button = QPushButton(self.tr("Verify (C-ECHO)"))
        self.verify_button.clicked.connect(self.verify_selected)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.queue_list = QListWidget()
        self.retrieve_panel = RetrievePanel(
            self.db_path, lambda: self.settings, jobs, receiver=lambda: service.receiver
        )
        for node in self.settings.nodes:
            self.add_node(node)
        self._layout()
        service.received.connect(self.show_event)
        service.running_changed.connect(lambda _running: self._show_listening())
        self._show_listening()

    def _layout(self) -> None:
        local = QGroupBox(self.tr("This workstation"))
        form = QFormLayout(local)
        form.addRow(self.tr("AE title"), self.ae_title_edit)
        form.addRow(self.tr("Port"), self.port_spin)
        listen = QHBoxLayout()
        listen.addWidget(self.listen_label, 1)
        listen.addWidget(self.listen_button)
        form.addRow(listen)
        remote = QGroupBox(self.tr("Remote nodes (PACS, CT scanners)"))
        remote_layout = QVBoxLayout(remote)
        remote_layout.addWidget(self.nodes_table)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.verify_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        remote_layout.addLayout(buttons)
        settings_page = QWidget()
        page = QVBoxLayout(settings_page)
        page.addWidget(local)
        page.addWidget(remote)
        page.addWidget(self.status_label)
        self.tabs = QTabWidget()
        self.tabs.addTab(settings_page, self.tr("Connections"))
        self.tabs.addTab(self.queue_list, self.tr("Receive queue"))
        self.tabs.addTab(self.retrieve_panel, self.tr("Query / retrieve"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def add_node(self, node: RemoteNode) -> None:
        row = self.nodes_table.rowCount()
        self.nodes_table.insertRow(row)
        for column, name in enumerate(COLUMNS[:-1]):
            self.nodes_table.setItem(row, column, QTableWidgetItem(str(getattr(node, name))))
        method = QComboBox()
        method.addItem("C-MOVE", "move")
        method.addItem("C-GET", "get")
        method.setCurrentIndex(max(0, method.findData(node.retrieve_method)))
        self.nodes_table.setCellWidget(row, len(COLUMNS) - 1, method)
        self.nodes_table.selectRow(row)

    def remove_node(self) -> None:
        row = self.nodes_table.currentRow()
        if row >= 0:
            self.nodes_table.removeRow(row)

    def edited_settings(self) -> NodeSettings:
        """What the dialog shows, checked; NoduleDeskError naming the bad field."""
        nodes = []
        for row in range(self.nodes_table.rowCount()):
            text = [self.nodes_table.item(row, c).text().strip() for c in range(len(COLUMNS) - 1)]
            try:
                port = int(text[3])
            except ValueError:
                port = 0
            method = self.nodes_table.cellWidget(row, len(COLUMNS) - 1).currentData()
            nodes.append(RemoteNode(text[0], text[1], text[2], port, method))
        edited = replace(
            self.settings,
            ae_title=self.ae_title_edit.text().strip(),
            port=self.port_spin.value(),
            nodes=nodes,
        )
        return edited.check()

    def save(self) -> bool:
        try:
            self.settings = self.edited_settings()
            save_node_settings(self.settings, self.db_path)
        except NoduleDeskError as error:
            self.status_label.setText(describe_error(error))
            return False
        if self.service.receiver is not None:
            self.service.receiver.update_settings(self.settings)
        self.retrieve_panel.refresh_nodes()
        self.status_label.setText(self.tr("Saved."))
        return True

    def verify_selected(self) -> Job | None:
        row = self.nodes_table.currentRow()
        try:
            settings = self.edited_settings()
        except NoduleDeskError as error:
            self.status_label.setText(describe_error(error))
            return None
        if row < 0:
            return None
        node = settings.nodes[row]
        job = Job(lambda progress, cancel: echo(node, settings.ae_title))
        job.signals.finished.connect(
            lambda seconds: self.status_label.setText(
                self.tr("%1 answered the C-ECHO in %2 ms")
                .replace("%1", node.name)
                .replace("%2", f"{seconds * 1000:.0f}")
            )
        )
        job.signals.failed.connect(lambda error: self.status_label.setText(describe_error(error)))
        self.status_label.setText(self.tr("Verifying %1…").replace("%1", node.name))
        return self.jobs.start(job)

    def toggle_listening(self) -> None:
        if self.service.running:
            self.service.stop()
            return
        if not self.save():
            return
        try:
            self.service.start(self.settings)
        except NoduleDeskError as error:
            self.status_label.setText(describe_error(error))

    def _show_listening(self) -> None:
        if self.service.running and self.service.receiver is not None:
            self.listen_label.setText(
                self.tr("Receiving as %1 on port %2")
                .replace("%1", self.service.receiver.settings.ae_title)
                .replace("%2", str(self.service.receiver.port))
            )
            self.listen_button.setText(self.tr("Stop receiving"))
        else:
            self.listen_label.setText(self.tr("Not receiving"))
            self.listen_button.setText(self.tr("Start receiving"))

    def show_event(self, event: ReceiveEvent) -> None:
        """One line per series assembled, refusal or failure; single instances update the
        line of their sender so a 1,000-image push does not flood the list."""
        stamp = time.strftime("%H:%M:%S")
        if event.kind == "stored":
            text = self.tr("%1: receiving, %2 image(s) so far")
            text = text.replace("%1", event.calling_ae).replace("%2", str(event.instances))
            last = self.queue_list.item(self.queue_list.count() - 1)
            if last is not None and last.data(256) == ("stored", event.calling_ae):
                last.setText(f"{stamp}  {text}")
                return
            self.queue_list.addItem(f"{stamp}  {text}")
            self.queue_list.item(self.queue_list.count() - 1).setData(
                256, ("stored", event.calling_ae)
            )
            return
        if event.kind == "series":
            text = self.tr("%1: series %2 complete, %3 slice(s)")
            text = text.replace("%2", event.detail or event.series_uid)
            text = text.replace("%3", str(event.instances))
        elif event.kind == "refused":
            text = self.tr("%1 at %2 refused: not a configured node").replace("%2", event.address)
        else:
            text = self.tr("%1: failed: %2").replace("%2", event.detail)
        self.queue_list.addItem(f"{stamp}  {text.replace('%1', event.calling_ae)}")
