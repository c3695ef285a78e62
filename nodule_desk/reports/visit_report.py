"""From the store to a visit's report: findings for the guidelines, the draft, the outputs.

The store is the single source of truth: the draft's content (categories, management, follow-up
date, the radiologist's overrides) lives in the ``reports`` table; the PDF, SR, Encapsulated PDF
and KOS are made from it and from the current measurements, and their UIDs are recorded on signing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from dateutil.relativedelta import relativedelta
from pydicom.dataset import Dataset

from nodule_desk.errors import NoduleDeskError, SegmentationError
from nodule_desk.followup.growth import growth_between
from nodule_desk.reports.frozen import thaw
from nodule_desk.reports.model import ReportedNodule, ReportSignature, VisitReport
from nodule_desk.reports.overrides import category_management, override_facts
from nodule_desk.settings import SiteSettings
from nodule_desk.store import Measurement, Series, Store, Study

# Erasmus JJ et al., RadioGraphics 2000;20:43-58: the calcification patterns read as benign.
BENIGN_CALCIFICATIONS = {"diffuse", "central", "laminated", "popcorn"}


class ReportNotReady(NoduleDeskError):
    """The visit cannot be reported yet (no such study, nothing measured, no draft)."""


def _iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _study_and_prior(store: Store, study_uid: str) -> tuple[Study, Study | None, str]:
    for patient_id in _patients_of_study(store, study_uid):
        studies = store.studies_of_patient(patient_id)
        index = next(i for i, s in enumerate(studies) if s.study_uid == study_uid)
        return studies[index], (studies[index - 1] if index > 0 else None), patient_id
    raise ReportNotReady(f"study {study_uid} is not in the store {store.path}")


def _patients_of_study(store: Store, study_uid: str) -> list[str]:
    row = store.query_one(
        "SELECT p.patient_id FROM studies AS st JOIN patients AS p ON p.id = st.patient "
        "WHERE st.study_uid = ?",
        (study_uid,),
    )
    return [row["patient_id"]] if row else []


def _age_years(birth_date: str | None, on: dt.date) -> int | None:
    born = _iso(birth_date)
    return relativedelta(on, born).years if born else None


def _finding(
    current: Measurement, prior: Measurement | None, prior_category: str | None = None
) -> dict[str, Any]:
    features = set(current.features)
    finding: dict[str, Any] = {
        "id": current.nodule_label,
        "density_type": current.density_type,
        "long_axis_mm": current.long_axis_mm,
        "short_axis_mm": current.short_axis_mm,
        "mean_diameter_mm": current.mean_diameter_mm,
        "solid_component_mm": current.solid_component_mean_diameter_mm,
        "volume_mm3": current.volume_mm3,
        "location": current.location or "parenchymal",
        "calcification": "benign" if current.calcification in BENIGN_CALCIFICATIONS else "none",
        "fat_containing": "fat" in features,
        "prior": None,
    }
    if current.location == "airway":
        proximal = "segmental_or_proximal" in features
        finding["airway_level"] = "segmental_or_proximal" if proximal else "subsegmental"
    if prior is not None:
        finding["prior"] = {
            "mean_diameter_mm": prior.mean_diameter_mm,
            "solid_component_mm": prior.solid_component_mean_diameter_mm,
            "density_type": prior.density_type,
            "volume_mm3": prior.volume_mm3,
        }
        if prior_category:
            finding["prior"]["lung_rads_category"] = prior_category
    return finding


def _measurements_with_priors(
    store: Store, study: Study, prior: Study | None, patient_id: str
) -> list[tuple[Measurement, Measurement | None]]:
    current = store.current_measurements(study_uid=study.study_uid)
    if prior is None:
        return [(m, None) for m in current]
    earlier = {
        m.nodule_id: m
        for m in store.current_measurements(patient_id=patient_id)
        if m.study_uid == prior.study_uid
    }
    return [(m, earlier.get(m.nodule_id)) for m in current]


def classification_input(
    store: Store, study_uid: str, context: str, high_risk: bool | None = None
) -> dict[str, Any]:
    """The study's findings in the form the guideline engines take (the classify contract)."""
    study, prior, patient_id = _study_and_prior(store, study_uid)
    exam_date = _iso(study.study_date) or dt.date.today()
    patient = store.get_patient(patient_id)
    exam: dict[str, Any] = {
        "date": exam_date.isoformat(),
        "context": context,
        "prior_exam_date": prior.study_date if prior else None,
        "patient_age": _age_years(patient.birth_date if patient else None, exam_date),
    }
    if high_risk is not None:
        exam["high_risk"] = high_risk
    pairs = _measurements_with_priors(store, study, prior, patient_id)
    prior_report = store.current_report(prior.study_uid) if prior else None
    prior_categories = prior_report.content.get("nodule_categories", {}) if prior_report else {}
    nodules = [_finding(m, p, prior_categories.get(m.nodule_label)) for m, p in pairs]
    return {"exam": exam, "nodules": nodules}


def draft_report(
    store: Store,
    study_uid: str,
    settings: SiteSettings,
    language: str | None = None,
    context: str | None = None,
    user: str | None = None,
) -> Any:
    """Classify the study's current measurements and save (or refresh) the draft report."""
    from nodule_desk.guidelines import classify_findings

    context = context or settings.default_context
    findings = classification_input(store, study_uid, context)
    if not findings["nodules"]:
        classification: dict[str, Any] = {
            "lung_rads": {
                "category": "1",
                "rule": "no lung nodules",
                "nodules": [],
                **category_management("1", dt.date.fromisoformat(findings["exam"]["date"])),
            }
        }
    else:
        classification = classify_findings(findings)
    lung_rads = classification.get("lung_rads", {})
    primary = classification.get(classification.get("primary_guideline", "lung_rads"), lung_rads)
    fleischner = primary is not lung_rads
    months = primary.get("follow_up_months")
    exam_date = dt.date.fromisoformat(findings["exam"]["date"])
    content = {
        "context": context,
        "guideline": classification.get("primary_guideline", "lung_rads"),
        "classification": classification,
        "exam_category": None if fleischner else lung_rads.get("category"),
        "management": primary.get("recommendation" if fleischner else "management", ""),
        "management_zh": primary.get("recommendation_zh" if fleischner else "management_zh", ""),
        "follow_up_months": months,
        "follow_up_date": (exam_date + relativedelta(months=int(months))).isoformat()
        if months
        else None,
        "nodule_categories": {n["id"]: n["category"] for n in lung_rads.get("nodules", [])},
        "impression": "",
    }
    return store.save_draft(
        study_uid, content, user=user, language=language or settings.report_language
    )


def override(
    store: Store, study_uid: str, changes: Mapping[str, Any], reason: str, user: str | None = None
) -> Any:
    """The radiologist departs from the engine (category, management, date) and says why; a
    changed category brings its own management and date unless they are given."""
    from nodule_desk.reports.overrides import OverrideRefused, record_override

    study, _, _ = _study_and_prior(store, study_uid)
    try:
        return record_override(
            store, study_uid, changes, reason, _iso(study.study_date) or dt.date.today(), user
        )
    except OverrideRefused as error:
        raise ReportNotReady(str(error)) from error


def _key_image_uid(evidence: Sequence[Dataset], center_lps_mm: Sequence[float]) -> str | None:
    """The source image whose plane is nearest the nodule's centre."""
    best, best_distance = None, np.inf
    for ds in evidence:
        if "ImagePositionPatient" not in ds or "ImageOrientationPatient" not in ds:
            continue
        orientation = np.asarray(ds.ImageOrientationPatient, dtype=float)
        normal = np.cross(orientation[:3], orientation[3:])
        offset = np.asarray(center_lps_mm, dtype=float) - np.asarray(ds.ImagePositionPatient, float)
        distance = abs(float(np.dot(offset, normal)))
        if distance < best_distance:
            best, best_distance = str(ds.SOPInstanceUID), distance
    return best


def build_visit_report(
    store: Store,
    study_uid: str,
    settings: SiteSettings,
    evidence: Sequence[Dataset] = (),
    key_images: Mapping[str, Path] | None = None,
) -> VisitReport:
    """The visit's report as plain records: a signed version exactly as it was signed (its
    frozen values), a draft from the current measurements. A study without nodules is reported
    as a negative exam."""
    report = store.current_report(study_uid)
    if report is None:
        raise ReportNotReady(f"study {study_uid} has no report yet: draft one first")
    if report.status == "signed" and report.frozen is not None:
        return thaw(report.frozen)
    study, prior, patient_id = _study_and_prior(store, study_uid)
    pairs = _measurements_with_priors(store, study, prior, patient_id)
    series = _reported_series(store, study_uid, pairs)
    patient = store.get_patient(patient_id)
    categories = report.content.get("nodule_categories", {})
    study_date = _iso(study.study_date) or dt.date.today()
    nodules = [
        _reported(m, p, categories.get(m.nodule_label), study_date, prior, evidence, key_images)
        for m, p in pairs
    ]
    signature = None
    if report.status == "signed" and report.signed_at:
        signature = ReportSignature(
            report.signed_by or "", dt.datetime.fromisoformat(report.signed_at)
        )
    language = report.language
    management = report.content.get("management_zh" if language == "zh_CN" else "management")
    return VisitReport(
        patient_id=patient_id,
        patient_name=patient.name if patient else "",
        study_uid=study_uid,
        study_date=study_date,
        series_uid=series.series_uid,
        frame_of_reference_uid=series.frame_of_reference_uid,
        source_files=store.series_files(series.series_uid, series.stack_key),
        nodules=nodules,
        patient_sex=patient.sex if patient else "",
        patient_birth_date=_iso(patient.birth_date) if patient else None,
        accession_number=study.accession_number,
        institution_name=settings.institution_name,
        prior_study_date=_iso(prior.study_date) if prior else None,
        exam_lung_rads_category=report.content.get("exam_category"),
        management=management or report.content.get("management", ""),
        follow_up_date=_iso(report.content.get("follow_up_date")),
        impression=report.content.get("impression", ""),
        language=language,
        signature=signature,
        version=report.version,
        **override_facts(report),
    )


def _reported_series(
    store: Store, study_uid: str, pairs: Sequence[tuple[Measurement, Measurement | None]]
) -> Series:
    """The series the nodules were measured on, else (a negative exam) the study's first."""
    found = store.get_series(pairs[0][0].series_uid, pairs[0][0].stack_key) if pairs else None
    if found is None:
        candidates = store.series_of_study(study_uid)
        if not candidates:
            raise ReportNotReady(f"study {study_uid} has no series in the store")
        found = candidates[0]
    return found


def _reported(
    current: Measurement,
    prior: Measurement | None,
    category: str | None,
    study_date: dt.date,
    prior_study: Study | None,
    evidence: Sequence[Dataset],
    key_images: Mapping[str, Path] | None,
) -> ReportedNodule:
    vdt = None
    if prior is not None and prior_study is not None and prior_study.study_date:
        interval = (study_date - dt.date.fromisoformat(prior_study.study_date)).days
        if interval > 0 and prior.volume_mm3 and current.volume_mm3:
            vdt = growth_between(
                interval, prior.volume_mm3, current.volume_mm3
            ).volume_doubling_time_days
    return ReportedNodule(
        label=current.nodule_label,
        tracking_uid=current.tracking_uid,
        density_type=current.density_type or "solid",
        center_mm=current.center_lps_mm,
        long_axis_mm=current.long_axis_mm,
        short_axis_mm=current.short_axis_mm,
        mean_diameter_mm=current.mean_diameter_mm,
        volume_mm3=current.volume_mm3,
        solid_component_long_axis_mm=current.solid_component_long_axis_mm,
        solid_component_mean_diameter_mm=current.solid_component_mean_diameter_mm,
        mean_hu=current.mean_hu,
        lobe=current.lobe,
        lung_rads_category=category,
        prior_mean_diameter_mm=prior.mean_diameter_mm if prior else None,
        prior_volume_mm3=prior.volume_mm3 if prior else None,
        volume_doubling_time_days=vdt,
        key_image_sop_instance_uid=_key_image_uid(evidence, current.center_lps_mm),
        key_image_path=(key_images or {}).get(current.nodule_label),
    )


def render_key_images(report: VisitReport, out_dir: Path) -> dict[str, Path]:
    """A PNG per nodule: the axial slice through its centre, outlined where it segments."""
    from nodule_desk.dicom.load import load_series
    from nodule_desk.imaging.segment import segment_nodule
    from nodule_desk.reports.key_images import render_key_image
    from nodule_desk.volume import CTVolume

    volume = load_series(report.source_files)
    images = {}
    for nodule in report.nodules:
        try:
            segmentation = segment_nodule(volume, nodule.center_mm)
            mask = CTVolume(segmentation.mask.astype(np.uint8), segmentation.geometry)
        except SegmentationError:
            mask = None
        images[nodule.label] = render_key_image(
            volume, nodule.center_mm, out_dir / f"key_{nodule.label}.png", mask=mask
        )
    return images
