"""The app's DICOM node: the core's receiver running in the background, its events re-emitted as
a Qt signal on the GUI thread (pynetdicom calls back on its own threads)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from nodule_desk.dicom.net.nodes import NodeSettings, load_node_settings
from nodule_desk.dicom.net.receiver import DicomReceiver, ReceiveEvent


class DicomNodeService(QObject):
    received = Signal(object)
    """a ReceiveEvent: an instance stored, a series assembled, a caller refused, a failure"""
    running_changed = Signal(bool)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.receiver: DicomReceiver | None = None

    @property
    def running(self) -> bool:
        return self.receiver is not None

    def start(self, settings: NodeSettings | None = None) -> None:
        """Listen with ``settings`` (the saved ones by default); NoduleDeskError when the port
        cannot be opened."""
        self.stop()
        settings = settings or load_node_settings(self.db_path)
        receiver = DicomReceiver(self.db_path, settings, on_event=self._forward)
        try:
            receiver.start()
        except Exception:
            receiver.close()
            raise
        self.receiver = receiver
        self.running_changed.emit(True)

    def stop(self) -> None:
        if self.receiver is not None:
            self.receiver.close()
            self.receiver = None
            self.running_changed.emit(False)

    def _forward(self, event: ReceiveEvent) -> None:
        self.received.emit(event)
