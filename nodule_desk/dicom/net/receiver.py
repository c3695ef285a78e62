"""The workstation's DICOM node: a C-ECHO and C-STORE SCP that writes every arrival through the
local archive and groups arrivals into series when their association ends.

    >>> receiver = DicomReceiver(db_path, load_node_settings(db_path))
    >>> receiver.start()            # listens in the background; receiver.stop() ends it

Only the configured nodes' AE titles may associate (others are refused with "calling AE title not
recognised", PS3.8 9.3.4, and logged), and only for CT, Enhanced CT, secondary capture, SR, key
object selection and encapsulated PDF, in any transfer syntax (stored as sent).

One writer thread owns the store connection and the archive (SQLite connections belong to one
thread), so every association thread hands its instance to the writer and answers the C-STORE only
once the instance is on disk (fsync'ed) and indexed: a success status means it is stored. An
instance whose transfer was cut is never handed over (pynetdicom assembles the whole dataset
first), so nothing of it reaches the archive.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom.uid import UID
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
from pynetdicom.sop_class import (
    BasicTextSRStorage,
    ComprehensiveSRStorage,
    CTImageStorage,
    EncapsulatedPDFStorage,
    EnhancedCTImageStorage,
    EnhancedSRStorage,
    KeyObjectSelectionDocumentStorage,
    MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    MultiFrameSingleBitSecondaryCaptureImageStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    SecondaryCaptureImageStorage,
    Verification,
)

from nodule_desk.archive import Archive, index_series
from nodule_desk.archive.files import identity_of
from nodule_desk.dicom.net.nodes import NodeSettings
from nodule_desk.errors import NoduleDeskError
from nodule_desk.store import Store

log = logging.getLogger(__name__)

COMPREHENSIVE_3D_SR_STORAGE = UID("1.2.840.10008.5.1.4.1.1.88.34")
ACCEPTED_STORAGE_CLASSES: tuple[UID, ...] = (
    CTImageStorage,
    EnhancedCTImageStorage,
    SecondaryCaptureImageStorage,
    MultiFrameSingleBitSecondaryCaptureImageStorage,
    MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    BasicTextSRStorage,
    EnhancedSRStorage,
    ComprehensiveSRStorage,
    COMPREHENSIVE_3D_SR_STORAGE,
    KeyObjectSelectionDocumentStorage,
    EncapsulatedPDFStorage,
)
STATUS_SUCCESS = 0x0000
STATUS_OUT_OF_RESOURCES = 0xA700
STATUS_CANNOT_UNDERSTAND = 0xC000
# A-ASSOCIATE-RJ: rejected-permanent, by the service user, calling AE title not recognised
REJECT_PERMANENT, REJECT_SOURCE_USER, REJECT_CALLING_AE = 0x01, 0x01, 0x03


@dataclass(frozen=True)
class ReceiveEvent:
    """What the receive queue shows. ``kind``: ``refused`` (an unknown caller), ``stored`` (one
    instance), ``series`` (a series assembled, ``detail`` its UID and slice count) or ``failed``."""

    kind: str
    calling_ae: str
    address: str
    detail: str = ""
    series_uid: str = ""
    instances: int = 0


ReceiveCallback = Callable[[ReceiveEvent], None]


def _no_delay(event: Any) -> None:
    """Send each small C-STORE response at once: with Nagle's algorithm on, it waits for the
    peer's delayed ACK (40 ms on Linux) and a push of small instances crawls."""
    sock = getattr(getattr(event.assoc.dul, "socket", None), "socket", None)
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Association:
    def __init__(self) -> None:
        self.series_uids: set[str] = set()
        self.closed = False
        self.stored = 0


class DicomReceiver:
    def __init__(
        self,
        db_path: Path,
        settings: NodeSettings,
        on_event: ReceiveCallback | None = None,
        source_label: str = "C-STORE from",
    ) -> None:
        self.db_path = Path(db_path)
        self.settings = settings.check()
        self.on_event = on_event
        self._source_label = source_label
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self._writer_state = threading.local()
        self._associations: dict[int, _Association] = {}
        self._lock = threading.Lock()
        self._server: Any = None
        self.ae = self._make_ae()

    def _make_ae(self) -> AE:
        ae = AE(ae_title=self.settings.ae_title)
        ae.require_called_aet = True
        ae.maximum_pdu_size = 0  # no limit: fewer, larger PDUs
        ae.add_supported_context(Verification)
        for sop_class in ACCEPTED_STORAGE_CLASSES:
            ae.add_supported_context(sop_class, ALL_TRANSFER_SYNTAXES)
        return ae

    @property
    def allowed_callers(self) -> set[str]:
        return self.settings.allowed_callers()

    def update_settings(self, settings: NodeSettings) -> None:
        """New allowed callers take effect for the next association; a new AE title or port
        needs a restart (stop, then start)."""
        self.settings = settings.check()

    def handlers(self) -> list[tuple[Any, Callable[..., Any]]]:
        return [
            (evt.EVT_CONN_OPEN, _no_delay),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_C_ECHO, lambda event: STATUS_SUCCESS),
            (evt.EVT_C_STORE, self._on_store),
            (evt.EVT_CONN_CLOSE, self._on_closed),
        ]

    def start(self) -> None:
        """Listen in the background; NoduleDeskError when the port cannot be opened."""
        address = (self.settings.bind_address, self.settings.port)
        try:
            self._server = self.ae.start_server(address, block=False, evt_handlers=self.handlers())
        except OSError as error:
            raise NoduleDeskError(
                f"cannot listen for DICOM on port {self.settings.port} ({error}): another "
                "program (or another NoduleDesk) may hold it; choose another port in the settings"
            ) from error
        log.info(
            "DICOM node %s listening on %s:%s",
            self.settings.ae_title,
            self.settings.bind_address or "*",
            self.port,
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1]) if self._server else self.settings.port

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        self._writer.submit(self._close_store).result()

    def close(self) -> None:
        self.stop()
        self._writer.shutdown(wait=True)

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until everything handed to the writer so far is stored and indexed."""
        self._writer.submit(lambda: None).result(timeout=timeout_s)

    # -- handlers, on pynetdicom's threads --------------------------------------------------

    def _on_requested(self, event: Any) -> None:
        calling = str(event.assoc.requestor.primitive.calling_ae_title or "").strip()
        if calling in self.allowed_callers:
            return
        address = f"{event.assoc.requestor.address}:{event.assoc.requestor.port}"
        log.warning("refused association from AE %r at %s: not a configured node", calling, address)
        self._emit(ReceiveEvent("refused", calling, address, "not a configured DICOM node"))
        event.assoc.acse.send_reject(REJECT_PERMANENT, REJECT_SOURCE_USER, REJECT_CALLING_AE)
        event.assoc.kill()  # as pynetdicom's own rejection does: the DUL sends the PDU first

    def busy(self) -> bool:
        """True while an association is open or its instances are still being grouped."""
        with self._lock:
            if self._associations:
                return True
        return bool(self.ae.active_associations)

    def store_handler_for(self, peer_ae_title: str) -> Callable[[Any], int]:
        """A C-STORE handler for instances that come back on our own association (C-GET),
        where the peer is the acceptor, not the caller."""
        return lambda event: self._on_store(event, peer_ae_title)

    def _on_store(self, event: Any, peer_ae_title: str | None = None) -> int:
        peer = event.assoc.acceptor if peer_ae_title else event.assoc.requestor
        calling = peer_ae_title or str(event.assoc.requestor.ae_title).strip()
        address = f"{peer.address}:{peer.port}"
        state = self._state(event.assoc)
        data = event.encoded_dataset()
        try:
            stored, grouped = self._writer.submit(
                self._store, data, f"{self._source_label} {calling}", state
            ).result()
        except NoduleDeskError as error:
            log.warning("C-STORE from %s: %s", calling, error)
            self._emit(ReceiveEvent("failed", calling, address, str(error)))
            return STATUS_CANNOT_UNDERSTAND
        except OSError as error:
            log.error("C-STORE from %s: cannot write the instance (%s)", calling, error)
            self._emit(ReceiveEvent("failed", calling, address, str(error)))
            return STATUS_OUT_OF_RESOURCES
        self._emit(
            ReceiveEvent(
                "stored",
                calling,
                address,
                stored.outcome,
                series_uid=stored.instance.series_uid,
                instances=state.stored,
            )
        )
        if grouped:
            self._grouped(grouped, calling, address)
        return STATUS_SUCCESS

    def _on_closed(self, event: Any) -> None:
        with self._lock:
            state = self._associations.pop(id(event.assoc), None)
        if state is None or not state.series_uids:
            return
        state.closed = True
        calling = str(event.assoc.requestor.ae_title).strip()
        address = f"{event.assoc.requestor.address}:{event.assoc.requestor.port}"
        future = self._writer.submit(self._index, set(state.series_uids))
        future.add_done_callback(lambda done: self._grouped_or_failed(done, calling, address))

    def _state(self, assoc: Any) -> _Association:
        with self._lock:
            return self._associations.setdefault(id(assoc), _Association())

    # -- the writer thread -------------------------------------------------------------------

    def _archive(self) -> Archive:
        archive = getattr(self._writer_state, "archive", None)
        if archive is None:
            store = Store.open(self.db_path)
            archive = Archive(store)
            self._writer_state.archive = archive
        return archive

    def _close_store(self) -> None:
        archive = getattr(self._writer_state, "archive", None)
        if archive is not None:
            archive.store.close()
            self._writer_state.archive = None

    def _store(self, data: bytes, source: str, state: _Association) -> tuple[Any, list[Any]]:
        archive = self._archive()
        stored = archive.put_bytes(data, source, identity_of(data))
        state.stored += 1
        state.series_uids.add(stored.instance.series_uid)
        # arrived after its association was seen to close: group it now, not never
        grouped = self._index({stored.instance.series_uid}) if state.closed else []
        return stored, grouped

    def _index(self, series_uids: set[str]) -> list[Any]:
        store = self._archive().store
        return list(index_series(store, series_uids).summary.series)

    def _grouped_or_failed(self, future: Any, calling: str, address: str) -> None:
        error = future.exception()
        if error is not None:
            log.error("grouping the series from %s failed: %s", calling, error)
            self._emit(ReceiveEvent("failed", calling, address, str(error)))
            return
        self._grouped(future.result(), calling, address)

    def _grouped(self, series: list[Any], calling: str, address: str) -> None:
        for item in series:
            log.info("series %s from %s: %d slice(s)", item.series_uid, calling, item.n_slices)
            self._emit(
                ReceiveEvent(
                    "series",
                    calling,
                    address,
                    item.description,
                    series_uid=item.series_uid,
                    instances=item.n_slices,
                )
            )

    def _emit(self, event: ReceiveEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a broken listener must not fail a C-STORE
                log.exception("receive listener failed")
