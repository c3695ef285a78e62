"""One nodule, one identity over all the patient's visits, kept in the store.

The prior visit's nodules are carried onto a follow-up series through the registration of the two
series (computed once, then kept in the store). A nodule measured on the follow-up within the gate
of a carried prior joins that prior nodule (same label, same tracking UID); one without a partner is
new. ``track_series`` looks for every prior nodule on the follow-up by itself: each ends ``matched``
or ``resolved``. The radiologist can confirm, re-link or split; each decision is stored with who and
when, and no measurement is lost (the chain of versions moves whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nodule_desk.followup.matching import FollowupNodule, PriorNodule, gate_mm, match_priors
from nodule_desk.followup.registration import VisitRegistration, register_visits
from nodule_desk.progress import CancelToken, ProgressCallback
from nodule_desk.store import Measurement, Series, Store, Study
from nodule_desk.store.followup import NoduleLink
from nodule_desk.volume import CTVolume

VolumeLoader = Callable[[Series], CTVolume]


def load_stored_series(store: Store) -> VolumeLoader:
    def load(series: Series) -> CTVolume:
        from nodule_desk.dicom.load import load_series

        return load_series(store.series_files(series))

    return load


@dataclass(frozen=True)
class CarriedPrior:
    """A prior visit's nodule, as its latest earlier measurement, carried onto the follow-up."""

    measurement: Measurement
    carried_lps_mm: tuple[float, float, float]
    registration: VisitRegistration

    @property
    def diameter_mm(self) -> float:
        m = self.measurement
        return float(max(m.long_axis_mm or 0.0, m.mean_diameter_mm or 0.0, 1.0))


@dataclass(frozen=True)
class TrackedNodule:
    status: str
    """matched or resolved"""
    prior: Measurement
    followup: Measurement | None


def earlier_studies(store: Store, study_uid: str) -> tuple[Study | None, list[Study]]:
    """The study and the patient's studies before it, oldest first."""
    row = store.query_one(
        "SELECT p.patient_id FROM studies AS st JOIN patients AS p ON p.id = st.patient "
        "WHERE st.study_uid = ?",
        (study_uid,),
    )
    if row is None:
        return None, []
    studies = store.studies_of_patient(row["patient_id"])
    index = next(i for i, s in enumerate(studies) if s.study_uid == study_uid)
    return studies[index], studies[:index]


def latest_prior_measurements(store: Store, series: Series) -> list[Measurement]:
    """Each of the patient's nodules as last measured on a study before this series' study, for
    the nodules not yet measured on this series."""
    study, before = earlier_studies(store, series.study_uid)
    if study is None or not before:
        return []
    earlier = {s.study_uid for s in before}
    current = store.current_measurements(patient_id=series.patient_id)
    here = {m.nodule_id for m in current if m.series_uid == series.series_uid}
    latest: dict[int, Measurement] = {}
    for m in current:  # ordered by study date
        if m.study_uid in earlier and m.nodule_id not in here:
            latest[m.nodule_id] = m
    return list(latest.values())


def registration_between(
    store: Store,
    baseline: Series,
    followup: Series,
    followup_volume: CTVolume | None = None,
    load: VolumeLoader | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> VisitRegistration:
    """The stored registration of the two series, computed and stored the first time."""
    stored = store.registration(baseline.id, followup.id)
    if stored is not None:
        return VisitRegistration(stored.matrix, stored.lung_dice, stored.seconds, stored.method)
    load = load or load_stored_series(store)
    fixed = load(baseline)
    moving = followup_volume if followup_volume is not None else load(followup)
    result = register_visits(fixed, moving, progress=progress, cancel=cancel)
    store.save_registration(
        baseline.id,
        followup.id,
        result.followup_world_from_baseline_world,
        result.lung_dice,
        result.seconds,
        result.method,
    )
    return result


def carried_priors(
    store: Store,
    series: Series,
    volume: CTVolume | None = None,
    load: VolumeLoader | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[CarriedPrior]:
    """The prior visits' nodules carried onto ``series`` (registrations computed as needed)."""
    carried = []
    registrations: dict[int, VisitRegistration] = {}
    for prior in latest_prior_measurements(store, series):
        prior_series = store.get_series(prior.series_uid, prior.stack_key)
        if prior_series is None:
            continue
        if prior_series.id not in registrations:
            registrations[prior_series.id] = registration_between(
                store, prior_series, series, volume, load, progress, cancel
            )
        registration = registrations[prior_series.id]
        point = registration.to_followup_lps_mm(prior.center_lps_mm)
        carried.append(CarriedPrior(prior, tuple(float(v) for v in point), registration))  # type: ignore[arg-type]
    return carried


def prior_partner(
    carried: list[CarriedPrior], center_lps_mm: tuple[float, float, float]
) -> CarriedPrior | None:
    """The carried prior whose gate holds ``center_lps_mm``, nearest first."""
    best, best_distance = None, np.inf
    for prior in carried:
        distance = float(np.linalg.norm(np.asarray(prior.carried_lps_mm) - center_lps_mm))
        if distance <= gate_mm(prior.diameter_mm) and distance < best_distance:
            best, best_distance = prior, distance
    return best


def track_series(
    store: Store,
    series: Series,
    volume: CTVolume,
    user: str | None = None,
    load: VolumeLoader | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TrackedNodule]:
    """Look for every prior nodule on this follow-up series and record what was found: a
    measurement joined to the prior nodule (``matched``) or ``resolved``. Nodules already measured
    on the series take part and keep their measurements."""
    from nodule_desk.followup.nodule_records import record_found_nodule

    carried = carried_priors(store, series, volume, load, progress, cancel)
    if not carried:
        return []
    known = [
        FollowupNodule(m.center_lps_mm, key=m)
        for m in store.current_measurements(study_uid=series.study_uid)
        if m.series_uid == series.series_uid
    ]
    priors = [
        PriorNodule(i, c.measurement.center_lps_mm, c.diameter_mm, c.measurement.volume_mm3)
        for i, c in enumerate(carried)
    ]
    points = [c.carried_lps_mm for c in carried]
    tracked = []
    for match in match_priors(volume, priors, points, known):
        prior = carried[int(match.prior.key)]  # type: ignore[call-overload]
        nodule_id = prior.measurement.nodule_id
        if match.followup is None:
            store.record_link(nodule_id, series.id, "resolved", user=user)
            tracked.append(TrackedNodule("resolved", prior.measurement, None))
            continue
        if isinstance(match.followup.key, Measurement):
            found: Measurement = match.followup.key
            if found.nodule_id != nodule_id:
                store.record_link(
                    nodule_id,
                    series.id,
                    "relinked",
                    "carried prior within the gate",
                    user=user,
                    from_nodule_id=found.nodule_id,
                )
                found = store.get_measurement(found.id)
        else:
            found = record_found_nodule(store, series, match.followup, nodule_id, user)
        tracked.append(TrackedNodule("matched", prior.measurement, found))
    return tracked


def relink(
    store: Store, measurement: Measurement, nodule_id: int, reason: str, user: str | None = None
) -> NoduleLink:
    """The radiologist says this follow-up measurement is of nodule ``nodule_id``."""
    return store.record_link(
        nodule_id,
        _series_id(store, measurement),
        "relinked",
        reason,
        user=user,
        from_nodule_id=measurement.nodule_id,
    )


def _series_id(store: Store, measurement: Measurement) -> int:
    return store.series_id(measurement.series_uid, measurement.stack_key)


def confirm(
    store: Store, measurement: Measurement, reason: str = "", user: str | None = None
) -> NoduleLink:
    return store.record_link(
        measurement.nodule_id, _series_id(store, measurement), "confirmed", reason, user=user
    )


def split(
    store: Store, measurement: Measurement, reason: str, user: str | None = None
) -> NoduleLink:
    """This measurement is not of the nodule it was matched to: it becomes a new nodule."""
    with store.transaction():
        series = store.get_series(measurement.series_uid, measurement.stack_key)
        patient_id = series.patient_id if series else ""
        nodule = store.create_nodule(patient_id, user=user)
        return store.record_link(
            nodule.id,
            _series_id(store, measurement),
            "split",
            reason,
            user=user,
            from_nodule_id=measurement.nodule_id,
        )
