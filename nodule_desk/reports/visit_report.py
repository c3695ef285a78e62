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

from nodule_desk.errors import NoduleDeskError
from nodule_desk.followup.history import (
    NoduleVisit,
    classification_input,
    growth_since,
    study_with_priors,
)
from nodule_desk.followup.identity import earlier_studies
from nodule_desk.reports.frozen import thaw
from nodule_desk.reports.model import ReportedNodule, ReportSignature, VisitReport
from nodule_desk.reports.overrides import category_management, override_facts
from nodule_desk.settings import SiteSettings
from nodule_desk.store import Series, Store, Study
from nodule_desk.volume import CTVolume

__all__ = ["classification_input", "draft_report", "build_visit_report", "override"]


class ReportNotReady(NoduleDeskError):
    """The visit cannot be reported yet (no such study, nothing measured, no draft)."""


def _iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _study_and_prior(store: Store, study_uid: str) -> tuple[Study, Study | None, str]:
    study, before = earlier_studies(store, study_uid)
    if study is None:
        raise ReportNotReady(f"study {study_uid} is not in the store {store.path}")
    return study, (before[-1] if before else None), study.patient_id


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
    pairs = study_with_priors(store, study_uid)
    series = _reported_series(store, study_uid, pairs)
    patient = store.get_patient(patient_id)
    categories = report.content.get("nodule_categories", {})
    study_date = _iso(study.study_date) or dt.date.today()
    nodules = [
        _reported(
            current, priors, categories.get(current.measurement.nodule_label), evidence, key_images
        )
        for current, priors in pairs
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
    store: Store, study_uid: str, pairs: Sequence[tuple[NoduleVisit, list[NoduleVisit]]]
) -> Series:
    """The series the nodules were measured on, else (a negative exam) the study's first."""
    first = pairs[0][0].measurement if pairs else None
    found = store.get_series(first.series_uid, first.stack_key) if first else None
    if found is None:
        candidates = store.series_of_study(study_uid)
        if not candidates:
            raise ReportNotReady(f"study {study_uid} has no series in the store")
        found = candidates[0]
    return found


def _reported(
    visit: NoduleVisit,
    priors: list[NoduleVisit],
    category: str | None,
    evidence: Sequence[Dataset],
    key_images: Mapping[str, Path] | None,
) -> ReportedNodule:
    current = visit.measurement
    prior = priors[-1].measurement if priors else None
    growth = growth_since(priors[-1], visit) if priors else None
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
        volume_doubling_time_days=growth.volume_doubling_time_days if growth else None,
        key_image_sop_instance_uid=_key_image_uid(evidence, current.center_lps_mm),
        key_image_path=(key_images or {}).get(current.nodule_label),
    )


def stored_masks(store: Store, study_uid: str) -> dict[str, CTVolume]:
    """Each nodule's current mask on the study, as stored (the radiologist's brush edits kept)."""
    from nodule_desk.imaging.mask_codec import decode_mask

    masks = {}
    for measurement in store.current_measurements(study_uid=study_uid):
        data = store.measurement_mask(measurement.id) if measurement.has_mask else None
        if data:
            masks[measurement.nodule_label] = decode_mask(data)
    return masks


def render_key_images(
    report: VisitReport, out_dir: Path, masks: Mapping[str, CTVolume] | None = None
) -> dict[str, Path]:
    """A PNG per nodule: the axial slice through its centre, outlined by its stored mask (a nodule
    measured by caliper only has no outline)."""
    from nodule_desk.dicom.load import load_series
    from nodule_desk.reports.key_images import render_key_image

    volume = load_series(report.source_files)
    masks = masks or {}
    return {
        nodule.label: render_key_image(
            volume,
            nodule.center_mm,
            out_dir / f"key_{nodule.label}.png",
            mask=masks.get(nodule.label),
        )
        for nodule in report.nodules
    }
