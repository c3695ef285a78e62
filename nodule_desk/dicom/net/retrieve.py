"""C-MOVE and C-GET as SCU: fetch a study from the PACS into the local archive, with progress and
cancel (a C-CANCEL to the PACS), then assemble its CT series in the store.

C-MOVE makes the PACS open its own association back to our C-STORE SCP (our AE title must be in
its list of destinations): the running node of the app receives them, or, from the command line,
a receiver started for the duration. C-GET brings the instances back on the same association, for
PACS that cannot reach the workstation (a firewall, a laptop on another subnet).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, build_role, evt
from pynetdicom.sop_class import (
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

from nodule_desk.archive import index_series
from nodule_desk.dicom.net.association import DicomNetworkError, associate, check_final_status
from nodule_desk.dicom.net.nodes import NodeSettings, RemoteNode, RetrieveMethod
from nodule_desk.dicom.net.receiver import ACCEPTED_STORAGE_CLASSES, DicomReceiver
from nodule_desk.errors import NoduleDeskError
from nodule_desk.progress import CancelToken, Progress, ProgressCallback
from nodule_desk.store import Store

_PENDING = (0xFF00, 0xFF01)


@dataclass
class RetrieveResult:
    node: str
    study_uid: str
    method: RetrieveMethod
    completed: int = 0
    failed: int = 0
    warning: int = 0
    cancelled: bool = False
    series: list[dict[str, Any]] = field(default_factory=list)
    """The CT series of the study now in the store: uid, description, n_slices."""

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "study_uid": self.study_uid,
            "method": self.method,
            "completed": self.completed,
            "failed": self.failed,
            "warning": self.warning,
            "cancelled": self.cancelled,
            "series": self.series,
        }


def _identifier(study_uid: str) -> Dataset:
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = study_uid
    return ds


def retrieve_study(
    db_path: Path,
    settings: NodeSettings,
    node_name: str,
    study_uid: str,
    *,
    method: RetrieveMethod | None = None,
    receiver: DicomReceiver | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> RetrieveResult:
    """Fetch ``study_uid`` from the node into the archive of the store at ``db_path``.

    ``receiver``: the app's running node, which receives the C-MOVE's instances; without one, a
    receiver is started on the settings' port for the duration of the move.
    """
    node = settings.node(node_name)
    chosen: RetrieveMethod = method or node.retrieve_method
    result = RetrieveResult(node.name, study_uid, chosen)
    if chosen == "get":
        _get(db_path, settings, node, study_uid, result, progress, cancel)
    else:
        own = receiver is None
        receiver = receiver or DicomReceiver(db_path, settings, source_label="C-MOVE from")
        if own:
            receiver.start()
        try:
            _move(settings, node, study_uid, result, progress, cancel)
            _wait_for_arrivals(receiver, result)
        finally:
            if own:
                receiver.close()
    with Store.open(db_path) as store:
        uids = {i.series_uid for i in store.archived_instances(study_uid=study_uid)}
        summary = index_series(store, uids).summary
    result.series = [
        {"series_uid": s.series_uid, "description": s.description, "n_slices": s.n_slices}
        for s in summary.series
    ]
    return result


def _report(status: Dataset, result: RetrieveResult, progress: ProgressCallback | None) -> None:
    for keyword, name in (
        ("NumberOfCompletedSuboperations", "completed"),
        ("NumberOfFailedSuboperations", "failed"),
        ("NumberOfWarningSuboperations", "warning"),
    ):
        if keyword in status and status.get(keyword) is not None:
            setattr(result, name, int(status.get(keyword)))
    remaining = status.get("NumberOfRemainingSuboperations")
    done = result.completed + result.failed + result.warning
    total = done + int(remaining) if remaining is not None else done
    if progress is not None:
        progress(Progress(done, max(total, done), f"retrieving from {result.node}"))


def _follow(
    responses: Any, assoc: Any, model: Any, node: RemoteNode, service: str,
    result: RetrieveResult, progress: ProgressCallback | None, cancel: CancelToken | None,
) -> None:  # fmt: skip
    last = None
    cancel_sent = False
    for status, _identifier_ds in responses:
        if not status:
            break
        last = status
        _report(status, result, progress)
        if cancel is not None and cancel.cancelled and not cancel_sent:
            assoc.send_c_cancel(1, query_model=model)
            cancel_sent = True
    if last is not None and int(last.Status) == 0xFE00:
        result.cancelled = True
        return
    check_final_status(node, service, last)
    if cancel_sent:
        result.cancelled = True


def _move(
    settings: NodeSettings, node: RemoteNode, study_uid: str, result: RetrieveResult,
    progress: ProgressCallback | None, cancel: CancelToken | None,
) -> None:  # fmt: skip
    model = StudyRootQueryRetrieveInformationModelMove
    ae = AE(ae_title=settings.ae_title)
    ae.add_requested_context(model)
    with associate(ae, node) as assoc:
        responses = assoc.send_c_move(_identifier(study_uid), settings.ae_title, model)
        _follow(responses, assoc, model, node, "C-MOVE", result, progress, cancel)


def _wait_for_arrivals(receiver: DicomReceiver, result: RetrieveResult) -> None:
    """The PACS answers the C-MOVE when its sub-operations are done; the instances are then on
    their way through the writer, which is drained here."""
    deadline = time.monotonic() + 30.0
    receiver.wait_idle()
    while receiver.busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    receiver.wait_idle()


def _get(
    db_path: Path, settings: NodeSettings, node: RemoteNode, study_uid: str,
    result: RetrieveResult, progress: ProgressCallback | None, cancel: CancelToken | None,
) -> None:  # fmt: skip
    model = StudyRootQueryRetrieveInformationModelGet
    ae = AE(ae_title=settings.ae_title)
    ae.add_requested_context(model)
    roles = []
    for sop_class in ACCEPTED_STORAGE_CLASSES:
        ae.add_requested_context(sop_class)
        roles.append(build_role(sop_class, scp_role=True))
    sink = DicomReceiver(db_path, settings, source_label="C-GET from")
    handlers = [(evt.EVT_C_STORE, sink.store_handler_for(node.ae_title))]
    try:
        with associate(ae, node, ext_neg=roles, evt_handlers=handlers) as assoc:
            responses = assoc.send_c_get(_identifier(study_uid), model)
            _follow(responses, assoc, model, node, "C-GET", result, progress, cancel)
        sink.wait_idle()
    except NoduleDeskError:
        raise
    except OSError as error:
        raise DicomNetworkError(node, f"C-GET: {error}") from error
    finally:
        sink.close()
