"""Opinions back from the parent center: poll, fetch, re-link, store.

The parent's experts store their opinion (an SR or an Encapsulated PDF) in the pseudonymised
study the branch sent. For each such study, QIDO-RS lists its series; those the branch did not
send are the parent's; each instance not yet stored is fetched with WADO-RS, checked to belong to
the patient's pseudonym, re-identified (the branch's PatientID, name, birth date, StudyInstanceUID
and dates shifted back), written beside the store and recorded as part of the patient's history.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset

from nodule_desk.store import Store
from nodule_desk.sync.dicomweb import DicomWebClient, ParentRejected
from nodule_desk.sync.package_format import DEIDENTIFICATION_KEYWORDS

SOP_INSTANCE_UID, SERIES_INSTANCE_UID = "00080018", "0020000E"
SHIFTED_DATES = ("StudyDate", "SeriesDate", "ContentDate", "InstanceCreationDate")


def _value(item: dict[str, Any], tag: str) -> str | None:
    values = (item.get(tag) or {}).get("Value") or []
    return str(values[0]) if values else None


def opinions_root(store_path: Path) -> Path:
    return Path(store_path).parent / "opinions"


def _shift_back(ds: Dataset, days: int) -> None:
    for keyword in SHIFTED_DATES:
        value = str(ds.get(keyword) or "")
        if len(value) == 8 and value.isdigit():
            day = dt.datetime.strptime(value, "%Y%m%d").date() - dt.timedelta(days=days)
            setattr(ds, keyword, day.strftime("%Y%m%d"))


def _expert(ds: Dataset) -> str:
    for sequence in ("VerifyingObserverSequence", "AuthorObserverSequence"):
        for item in ds.get(sequence) or []:
            name = item.get("VerifyingObserverName") or item.get("PersonName")
            if name:
                return str(name)
    return str(ds.get("ContentCreatorName") or ds.get("OperatorsName") or "")


def _texts(ds: Dataset) -> list[str]:
    texts = []
    for item in ds.get("ContentSequence") or []:
        if item.get("TextValue"):
            texts.append(str(item.TextValue))
        texts.extend(_texts(item))
    return texts


def _title(ds: Dataset) -> str:
    concept = ds.get("ConceptNameCodeSequence")
    if concept:
        return str(concept[0].CodeMeaning)
    return str(ds.get("DocumentTitle") or ds.get("SeriesDescription") or "")


def _reidentify(ds: Dataset, study: dict[str, str], store: Store, shift_days: int) -> None:
    patient = store.get_patient(study["patient_id"])
    ds.PatientID = study["patient_id"]
    ds.PatientName = patient.name if patient else ""
    ds.PatientBirthDate = (patient.birth_date or "").replace("-", "") if patient else ""
    ds.StudyInstanceUID = study["study_uid"]
    _shift_back(ds, shift_days)
    for keyword in DEIDENTIFICATION_KEYWORDS[1:4]:
        if keyword in ds:
            delattr(ds, keyword)
    ds.PatientIdentityRemoved = "NO"


def poll_opinions(
    store: Store, client: DicomWebClient, dates_shifted: bool = True
) -> list[dict[str, str]]:
    """Fetch and store what is new in every pseudonymised study; what was stored this time.
    ``dates_shifted``: the branch sends dates shifted (they are shifted back on the way in)."""
    known = store.known_opinion_uids()
    received = []
    for study in store.parent_studies():
        uid = study["deidentified_study_uid"]
        try:
            series = client.search(f"studies/{uid}/series")
        except ParentRejected:
            continue  # 404: nothing of this study has reached the parent yet
        own = store.sent_series_uids(uid)
        for series_uid in (_value(s, SERIES_INSTANCE_UID) for s in series):
            if not series_uid or series_uid in own:
                continue
            for instance in client.search(f"studies/{uid}/series/{series_uid}/instances"):
                sop_uid = _value(instance, SOP_INSTANCE_UID)
                if not sop_uid or sop_uid in known:
                    continue
                stored = _receive(store, client, study, series_uid, sop_uid, dates_shifted)
                if stored is not None:
                    known.add(sop_uid)
                    received.append(stored)
    return received


def _receive(
    store: Store,
    client: DicomWebClient,
    study: dict[str, str],
    series_uid: str,
    sop_uid: str,
    dates_shifted: bool,
) -> dict[str, str] | None:
    data = client.retrieve(study["deidentified_study_uid"], series_uid, sop_uid)
    ds = dcmread(BytesIO(data))
    if str(ds.get("PatientID", "")) != study["pseudonym"]:
        return None  # stored in the study under another patient: not this patient's opinion
    pseudonym = store.pseudonym_by_name(study["pseudonym"])
    _reidentify(ds, study, store, pseudonym.date_shift_days if dates_shifted else 0)
    folder = opinions_root(store.path) / study["study_uid"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sop_uid}.dcm"
    temporary = path.with_suffix(".partial")
    ds.save_as(temporary, enforce_file_format=False)
    temporary.replace(path)
    content_date = str(ds.get("ContentDate") or "")
    store.add_opinion(
        study["study_uid"],
        path,
        sop_instance_uid=sop_uid,
        sop_class_uid=str(ds.SOPClassUID),
        modality=str(ds.get("Modality", "")),
        expert=_expert(ds),
        opinion_date=f"{content_date[:4]}-{content_date[4:6]}-{content_date[6:8]}"
        if len(content_date) == 8
        else None,
        title=_title(ds),
        text="\n".join(_texts(ds)),
    )
    return {
        "patient_id": study["patient_id"],
        "study_uid": study["study_uid"],
        "sop_instance_uid": sop_uid,
    }
