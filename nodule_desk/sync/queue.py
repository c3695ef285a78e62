"""Putting things in the outbox: a signed visit's summary, a consultation or a referral.

The package is written to disk first (nothing in the store points at it yet), then the store
records the pseudonymised study, its series and the outbox item in one transaction, which the
caller can widen (signing a report and queueing its summary commit together).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from pydicom.dataset import Dataset

from nodule_desk.errors import NoduleDeskError
from nodule_desk.reports.model import VisitReport
from nodule_desk.settings import SiteSettings
from nodule_desk.store import OutboxItem, Store
from nodule_desk.store.models import ParentRequest, Study
from nodule_desk.sync.summary import Package, outbox_root, prepare_case_summary, prepare_request

REQUEST_OUTBOX_KINDS = {"consultation": "series", "referral": "referral"}


def case_summary_for_parent(
    store: Store,
    visit: VisitReport,
    evidence: Sequence[Dataset],
    outputs: dict[str, Path],
    settings: SiteSettings,
) -> Package:
    parent = settings.parent_center
    pseudonym = store.pseudonym_for(visit.patient_id, parent.branch_id)
    target = outbox_root(store.path) / f"{visit.study_uid}-v{visit.version}-summary"
    return prepare_case_summary(visit, evidence, outputs, pseudonym, parent, target)


def queue_package(
    store: Store,
    package: Package,
    kind: str,
    study_uid: str,
    request_id: int | None = None,
) -> OutboxItem:
    with store.transaction():
        store.record_parent_study(study_uid, package.pseudonym, package.deidentified_study_uid)
        store.record_sent_series(package.deidentified_study_uid, list(package.series_uids))
        return store.enqueue(
            kind,
            _relative_to_store(store, package.directory),
            study_uid=study_uid,
            request_id=request_id,
            instances=package.instances,
            deidentified_study_uid=package.deidentified_study_uid,
        )


def _relative_to_store(store: Store, directory: Path) -> Path:
    """Payloads are recorded relative to the store's folder, so store and queue move together."""
    try:
        return directory.relative_to(store.path.parent)
    except ValueError:
        return directory


def request_parent_opinion(
    store: Store,
    study_uid: str,
    series_uid: str,
    kind: str,
    question: str,
    urgency: str,
    settings: SiteSettings,
    user: str | None = None,
) -> tuple[ParentRequest, OutboxItem]:
    """Queue a consultation or referral of ``study_uid`` with its series ``series_uid``."""
    parent = settings.parent_center
    if not parent.configured:
        raise NoduleDeskError("no parent center is configured: set its URL and branch ID first")
    files = store.series_files(series_uid)
    if not files:
        raise NoduleDeskError(f"series {series_uid} has no files in the store")
    study = next((s for s in _studies(store, study_uid)), None)
    if study is None:
        raise NoduleDeskError(f"study {study_uid} is not in the store")
    patient = store.get_patient(study.patient_id)
    pseudonym = store.pseudonym_for(study.patient_id, parent.branch_id)
    target = outbox_root(store.path) / f"{study_uid}-{kind}-{secrets.token_hex(4)}"
    extra = [patient.name, patient.patient_id, study.accession_number] if patient else []
    package = prepare_request(files, pseudonym, parent, target, kind, question, urgency, extra)
    with store.transaction():
        request = store.create_request(study_uid, kind, question, urgency, user=user)
        item = queue_package(store, package, REQUEST_OUTBOX_KINDS[kind], study_uid, request.id)
    return request, item


def _studies(store: Store, study_uid: str) -> list[Study]:
    row = store.query_one(
        "SELECT p.patient_id FROM studies AS st JOIN patients AS p ON p.id = st.patient "
        "WHERE st.study_uid = ?",
        (study_uid,),
    )
    if row is None:
        return []
    return [s for s in store.studies_of_patient(row["patient_id"]) if s.study_uid == study_uid]
