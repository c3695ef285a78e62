"""A nodule's visits, oldest first, and what the guidelines and the report read from them.

The tracked identity (:mod:`nodule_desk.followup.identity`) makes every measurement of one nodule,
on every visit, share one nodule id; this module reads them back per visit, with the category the
signed (or draft) report of that visit gave, and turns a study's measurements and their priors into
the findings the guideline engines take (the ``classify`` contract, docs/guidelines.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.followup.growth import Growth, MeasuredSize, growth_between
from nodule_desk.followup.identity import earlier_studies
from nodule_desk.store import Measurement, Store, Study

# Erasmus JJ et al., RadioGraphics 2000;20:43-58: the calcification patterns read as benign.
BENIGN_CALCIFICATIONS = {"diffuse", "central", "laminated", "popcorn"}


@dataclass(frozen=True)
class NoduleVisit:
    """One nodule on one visit: its current measurement and what that visit's report said."""

    measurement: Measurement
    study_date: dt.date | None
    lung_rads_category: str | None
    slice_thickness_mm: float
    pixel_mm: float

    def size(self) -> MeasuredSize:
        m = self.measurement
        return MeasuredSize(
            volume_mm3=m.volume_mm3,
            mean_diameter_mm=m.mean_diameter_mm,
            density_type=m.density_type or "solid",
            slice_thickness_mm=self.slice_thickness_mm,
            pixel_mm=self.pixel_mm,
            solid_component_mean_diameter_mm=m.solid_component_mean_diameter_mm,
        )


def _iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _visit(store: Store, measurement: Measurement, studies: dict[str, Study]) -> NoduleVisit:
    series = store.get_series(measurement.series_uid, measurement.stack_key)
    spacing = series.spacing_mm if series else (0.7, 0.7, 1.0)
    thickness = max(series.slice_thickness_mm or 0.0, spacing[2]) if series else spacing[2]
    report = store.current_report(measurement.study_uid)
    categories = report.content.get("nodule_categories", {}) if report else {}
    study = studies.get(measurement.study_uid)
    return NoduleVisit(
        measurement=measurement,
        study_date=_iso(study.study_date) if study else None,
        lung_rads_category=categories.get(measurement.nodule_label),
        slice_thickness_mm=float(thickness),
        pixel_mm=float(max(spacing[:2])),
    )


def nodule_history(store: Store, nodule_id: int) -> list[NoduleVisit]:
    """The nodule's current measurement on each visit, oldest first (one per study)."""
    nodule = store.get_nodule(nodule_id)
    studies = {s.study_uid: s for s in store.studies_of_patient(nodule.patient_id)}
    visits: dict[str, NoduleVisit] = {}
    for m in store.current_measurements(patient_id=nodule.patient_id):
        if m.nodule_id == nodule_id and m.study_uid not in visits:
            visits[m.study_uid] = _visit(store, m, studies)
    return sorted(visits.values(), key=lambda v: v.study_date or dt.date.min)


def study_with_priors(store: Store, study_uid: str) -> list[tuple[NoduleVisit, list[NoduleVisit]]]:
    """Each nodule measured on the study, with its visits before this study (oldest first)."""
    study, before = earlier_studies(store, study_uid)
    if study is None:
        return []
    earlier = {s.study_uid for s in before}
    result = []
    seen: set[int] = set()
    for m in store.current_measurements(study_uid=study_uid):
        if m.nodule_id in seen:
            continue
        seen.add(m.nodule_id)
        history = nodule_history(store, m.nodule_id)
        current = next(v for v in history if v.measurement.study_uid == study_uid)
        result.append((current, [v for v in history if v.measurement.study_uid in earlier]))
    return result


def growth_since(prior: NoduleVisit, current: NoduleVisit) -> Growth | None:
    if prior.study_date is None or current.study_date is None:
        return None
    days = (current.study_date - prior.study_date).days
    if days <= 0:
        return None
    return growth_between(days, prior.size(), current.size())


def _measures(m: Measurement) -> dict[str, Any]:
    return {
        "mean_diameter_mm": m.mean_diameter_mm,
        "long_axis_mm": m.long_axis_mm,
        "short_axis_mm": m.short_axis_mm,
        "volume_mm3": m.volume_mm3,
        "density_type": m.density_type,
        "solid_component_mm": m.solid_component_mean_diameter_mm,
        "solid_component_mean_diameter_mm": m.solid_component_mean_diameter_mm,
        "solid_component_long_axis_mm": m.solid_component_long_axis_mm,
    }


def _prior_json(visit: NoduleVisit) -> dict[str, Any]:
    prior = {
        "exam_date": visit.study_date.isoformat() if visit.study_date else None,
        **_measures(visit.measurement),
    }
    if visit.lung_rads_category:
        prior["lung_rads_category"] = visit.lung_rads_category
    return prior


def finding(current: NoduleVisit, priors: list[NoduleVisit]) -> dict[str, Any]:
    """One nodule as the guideline engines take it, with its most recent prior and all of them."""
    m = current.measurement
    features = set(m.features)
    result: dict[str, Any] = {
        "id": m.nodule_label,
        **_measures(m),
        "location": m.location or "parenchymal",
        "calcification": "benign" if m.calcification in BENIGN_CALCIFICATIONS else "none",
        "fat_containing": "fat" in features,
        "prior": _prior_json(priors[-1]) if priors else None,
    }
    if priors:
        result["priors"] = [_prior_json(v) for v in priors]
    if m.location == "airway":
        proximal = "segmental_or_proximal" in features
        result["airway_level"] = "segmental_or_proximal" if proximal else "subsegmental"
    return result


def classification_input(
    store: Store, study_uid: str, context: str, high_risk: bool | None = None
) -> dict[str, Any]:
    """The study's findings in the form the guideline engines take (the classify contract)."""
    study, before = earlier_studies(store, study_uid)
    if study is None:
        from nodule_desk.errors import NoduleDeskError

        raise NoduleDeskError(f"study {study_uid} is not in the store {store.path}")
    exam_date = _iso(study.study_date) or dt.date.today()
    patient = store.get_patient(study.patient_id)
    born = _iso(patient.birth_date) if patient else None
    exam: dict[str, Any] = {
        "date": exam_date.isoformat(),
        "context": context,
        "prior_exam_date": before[-1].study_date if before else None,
        "baseline_exam_date": before[0].study_date if before else study.study_date,
        "screening_round": "annual" if before else "baseline",
        "patient_age": relativedelta(exam_date, born).years if born else None,
    }
    if high_risk is not None:
        exam["high_risk"] = high_risk
    nodules = [finding(current, priors) for current, priors in study_with_priors(store, study_uid)]
    return {"exam": exam, "nodules": nodules}
