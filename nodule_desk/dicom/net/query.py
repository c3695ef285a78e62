"""C-FIND as SCU: what the hospital PACS holds for a patient, at patient, study or series level.

    >>> find(node, "NODULEDESK", "study", QueryKeys(patient_id="P001", study_date="20240101-"))

Patient level uses the Patient Root model, study and series levels the Study Root model
(PS3.4 C.6); keys not given are sent empty so the PACS returns them (universal matching).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import (
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
)

from nodule_desk.dicom.net.association import associate, check_final_status
from nodule_desk.dicom.net.nodes import NodeSettingsError, RemoteNode
from nodule_desk.dicom.scan import iso_date
from nodule_desk.progress import CancelToken

QueryLevel = Literal["patient", "study", "series"]
_DATE = re.compile(r"^\d{8}$")
_RETURN_KEYS: dict[str, tuple[str, ...]] = {
    "patient": ("PatientID", "PatientName", "PatientBirthDate", "PatientSex",
                "NumberOfPatientRelatedStudies"),
    "study": ("PatientID", "PatientName", "StudyInstanceUID", "StudyDate", "StudyTime",
              "AccessionNumber", "StudyDescription", "ModalitiesInStudy",
              "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"),
    "series": ("StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber",
               "SeriesDescription", "NumberOfSeriesRelatedInstances"),
}  # fmt: skip


@dataclass(frozen=True)
class QueryKeys:
    patient_id: str = ""
    patient_name: str = ""
    """DICOM wildcards: ``ZHANG*``."""
    study_date: str = ""
    """A date or range: ``20240101``, ``20240101-20241231``, ``-20241231``, ``20240101-``;
    ISO dates (2024-01-01) are accepted too."""
    modality: str = ""
    accession_number: str = ""
    study_uid: str = ""


def dicom_date_range(text: str) -> str:
    """A study-date key in DICOM DA range form; NodeSettingsError when it is not a date range."""
    text = text.strip().replace("..", "-").replace(" ", "")
    if not text:
        return ""
    text = re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\1\2\3", text)
    start, dash, end = text.partition("-")
    if not all(not v or _DATE.match(v) for v in (start, end)) or not (start or end):
        raise NodeSettingsError(
            f"study date {text!r}: give YYYYMMDD, or a range YYYYMMDD-YYYYMMDD (either side open)"
        )
    return f"{start}{dash}{end}"


def query_dataset(level: QueryLevel, keys: QueryKeys) -> Dataset:
    if level == "series" and not keys.study_uid:
        raise NodeSettingsError("a series-level query needs the study's StudyInstanceUID")
    ds = Dataset()
    ds.QueryRetrieveLevel = level.upper()
    for keyword in _RETURN_KEYS[level]:
        setattr(ds, keyword, "")
    if level in ("patient", "study"):
        ds.PatientID = keys.patient_id
        ds.PatientName = keys.patient_name
    if level == "study":
        ds.StudyDate = dicom_date_range(keys.study_date)
        ds.AccessionNumber = keys.accession_number
        ds.ModalitiesInStudy = keys.modality
        ds.StudyInstanceUID = keys.study_uid
    if level == "series":
        ds.StudyInstanceUID = keys.study_uid
        ds.Modality = keys.modality
    return ds


def find(
    node: RemoteNode,
    local_ae_title: str,
    level: QueryLevel,
    keys: QueryKeys,
    cancel: CancelToken | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The matches, as plain dicts with radiologist's names (``study_date`` in ISO)."""
    model = (
        PatientRootQueryRetrieveInformationModelFind
        if level == "patient"
        else StudyRootQueryRetrieveInformationModelFind
    )
    ae = AE(ae_title=local_ae_title)
    ae.add_requested_context(model)
    matches: list[dict[str, Any]] = []
    with associate(ae, node) as assoc:
        responses = assoc.send_c_find(query_dataset(level, keys), model)
        last_status = None
        for status, identifier in responses:
            last_status = status
            if cancel is not None and cancel.cancelled:
                assoc.send_c_cancel(1, query_model=model)
                cancel.raise_if_cancelled()
            if status and status.Status in (0xFF00, 0xFF01) and identifier is not None:
                if len(matches) < limit:
                    matches.append(_match(level, identifier))
        check_final_status(node, "C-FIND", last_status)
    return matches


def _text(ds: Dataset, keyword: str) -> str:
    return str(ds.get(keyword, "") or "")


def _number(ds: Dataset, keyword: str) -> int | None:
    value = ds.get(keyword)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _match(level: QueryLevel, ds: Dataset) -> dict[str, Any]:
    if level == "patient":
        return {
            "patient_id": _text(ds, "PatientID"),
            "patient_name": _text(ds, "PatientName"),
            "birth_date": iso_date(ds.get("PatientBirthDate")),
            "sex": _text(ds, "PatientSex"),
            "n_studies": _number(ds, "NumberOfPatientRelatedStudies"),
        }
    if level == "study":
        modalities = ds.get("ModalitiesInStudy", "")
        return {
            "patient_id": _text(ds, "PatientID"),
            "patient_name": _text(ds, "PatientName"),
            "study_uid": _text(ds, "StudyInstanceUID"),
            "study_date": iso_date(ds.get("StudyDate")),
            "study_time": _text(ds, "StudyTime"),
            "accession_number": _text(ds, "AccessionNumber"),
            "description": _text(ds, "StudyDescription"),
            "modalities": [str(m) for m in modalities] if modalities else [],
            "n_series": _number(ds, "NumberOfStudyRelatedSeries"),
            "n_instances": _number(ds, "NumberOfStudyRelatedInstances"),
        }
    return {
        "study_uid": _text(ds, "StudyInstanceUID"),
        "series_uid": _text(ds, "SeriesInstanceUID"),
        "modality": _text(ds, "Modality"),
        "series_number": _number(ds, "SeriesNumber"),
        "description": _text(ds, "SeriesDescription"),
        "n_instances": _number(ds, "NumberOfSeriesRelatedInstances"),
    }
