"""The DICOM node's place in the main window: Tools > DICOM nodes…, the running receiver (started
with the app when nodes are configured), and the worklist refreshed as series arrive.

The window calls ``DicomNodesMenu(window)`` once; everything else lives here."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction

from nodule_desk.dicom.net.nodes import load_node_settings, settings_file_for
from nodule_desk.dicom.net.receiver import ReceiveEvent
from nodule_desk.errors import NoduleDeskError
from ui.dicom_node_service import DicomNodeService
from ui.dicom_nodes_dialog import DicomNodesDialog

log = logging.getLogger(__name__)


class DicomNodesMenu(QObject):
    def __init__(self, window: Any, autostart: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.service = DicomNodeService(window.store.path, self)
        self.service.received.connect(self._arrived)
        self.action = QAction(window)
        self.action.triggered.connect(self.show_dialog)
        window.tools_menu.addAction(self.action)
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.service.stop)
        self.retranslate_ui()
        if autostart:
            self._autostart()

    def _autostart(self) -> None:
        """Receive from the first moment when nodes are configured; a busy port is said in the
        status bar, not a dialog at start-up."""
        if not settings_file_for(self.window.store.path).exists():
            return
        try:
            settings = load_node_settings(self.window.store.path)
            if settings.nodes:
                self.service.start(settings)
        except NoduleDeskError as error:
            log.warning("DICOM node not started: %s", error)
            self.window.statusBar().showMessage(str(error), 15000)

    def retranslate_ui(self) -> None:
        self.action.setText(self.tr("&DICOM nodes…"))
        self.action.setStatusTip(
            self.tr("PACS and CT scanner connections, receive queue, retrieve")
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False

    def _arrived(self, event: ReceiveEvent) -> None:
        if event.kind == "series":
            self.window.worklist.refresh()

    def show_dialog(self) -> DicomNodesDialog:
        dialog = DicomNodesDialog(self.window.store.path, self.service, self.window.jobs,
                                  self.window)  # fmt: skip
        dialog.retrieve_panel.retrieved.connect(lambda _result: self.window.worklist.refresh())
        dialog.open()
        return dialog
