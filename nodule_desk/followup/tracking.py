"""Two visits of one patient, headless: register, find each baseline nodule again, measure growth.

This is what ``python -m nodule_desk track`` prints, and what the store-backed follow-up
(:mod:`nodule_desk.followup.identity`) does with the nodules it already knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nodule_desk.errors import SegmentationError
from nodule_desk.followup.growth import Growth, MeasuredSize, growth_between
from nodule_desk.followup.matching import Match, PriorNodule, match_priors
from nodule_desk.followup.registration import VisitRegistration, register_visits
from nodule_desk.imaging.measure import NoduleMeasurement, measure_nodule
from nodule_desk.progress import CancelToken, ProgressCallback
from nodule_desk.volume import CTVolume


class SeedError(SegmentationError):
    """A baseline seed does not lie on a nodule that can be measured."""


@dataclass(frozen=True)
class TrackedPair:
    seed_lps_mm: tuple[float, float, float]
    baseline: NoduleMeasurement
    match: Match
    growth: Growth | None

    @property
    def followup(self) -> NoduleMeasurement | None:
        return self.match.followup.measurement if self.match.followup else None

    @property
    def status(self) -> str:
        return "matched" if self.match.followup is not None else "resolved"


def interval_days(baseline: CTVolume, followup: CTVolume) -> int | None:
    dates = [volume.metadata.get("study_date") for volume in (baseline, followup)]
    if not all(isinstance(d, str) and d for d in dates):
        return None
    first, second = (dt.date.fromisoformat(str(d)) for d in dates)
    return (second - first).days


def measured_size(measurement: NoduleMeasurement, volume: CTVolume) -> MeasuredSize:
    thickness = volume.metadata.get("slice_thickness_mm")
    spacing = volume.geometry.spacing_xyz_mm
    slice_mm = max(float(thickness), spacing[2]) if isinstance(thickness, float) else spacing[2]
    part_solid = measurement.density_type == "part_solid"
    return MeasuredSize(
        volume_mm3=measurement.volume_mm3,
        mean_diameter_mm=measurement.mean_diameter_mm,
        density_type=measurement.density_type,
        slice_thickness_mm=slice_mm,
        pixel_mm=float(max(spacing[:2])),
        solid_component_mean_diameter_mm=(
            measurement.solid_component_mean_diameter_mm if part_solid else None
        ),
    )


def _baseline_measurement(volume: CTVolume, seed: Sequence[float]) -> NoduleMeasurement:
    try:
        return measure_nodule(volume, seed)
    except SegmentationError as error:
        where = ", ".join(f"{v:.1f}" for v in seed)
        raise SeedError(f"baseline seed ({where}) mm: {error}") from error


def track_seeds(
    baseline: CTVolume,
    followup: CTVolume,
    seeds_lps_mm: Sequence[Sequence[float]],
    registration: VisitRegistration | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[VisitRegistration, list[TrackedPair]]:
    """Each seed's nodule on the baseline, found again on the follow-up; pairs in seed order."""
    measured = [_baseline_measurement(baseline, seed) for seed in seeds_lps_mm]
    if registration is None:
        registration = register_visits(baseline, followup, progress=progress, cancel=cancel)
    priors = [
        PriorNodule(i, m.center_mm, max(m.long_axis_mm, m.mean_diameter_mm), m.volume_mm3)
        for i, m in enumerate(measured)
    ]
    carried = [registration.to_followup_lps_mm(p.center_lps_mm) for p in priors]
    seeds = [[registration.to_followup_lps_mm(seed)] for seed in seeds_lps_mm]
    matches = match_priors(followup, priors, carried, alternates_lps_mm=seeds)
    days = interval_days(baseline, followup)
    pairs = []
    for seed, measurement, match in zip(seeds_lps_mm, measured, matches, strict=True):
        growth = None
        if match.followup is not None and match.followup.measurement is not None:
            growth = growth_between(
                days or 0,
                measured_size(measurement, baseline),
                measured_size(match.followup.measurement, followup),
            )
        seed_mm = tuple(float(v) for v in seed)
        pairs.append(TrackedPair(seed_mm, measurement, match, growth))  # type: ignore[arg-type]
    return registration, pairs


def pair_json(pair: TrackedPair) -> dict[str, Any]:
    """One pair as the ``track`` contract of DESIGN.md prints it (plus the evidence behind it)."""
    growth = pair.growth
    followup = pair.followup
    return {
        "seed_mm": list(pair.seed_lps_mm),
        "status": pair.status,
        "baseline": pair.baseline.to_dict(),
        "followup": followup.to_dict() if followup else None,
        "volume_change_pct": _rounded(growth.volume_change_pct, 1) if growth else None,
        "vdt_days": _rounded(growth.volume_doubling_time_days, 0) if growth else None,
        "diameter_change_mm": growth.diameter_change_mm if growth else None,
        "growth": growth.status if growth else "indeterminate",
        "solid_component_change_mm": growth.solid_component_change_mm if growth else None,
        "volume_change_limits_pct": (
            [round(v, 1) for v in growth.volume_change_limit_pct]
            if growth and growth.volume_change_limit_pct
            else None
        ),
        "carried_mm": [round(v, 2) for v in pair.match.carried_lps_mm],
        "match_distance_mm": pair.match.distance_mm,
    }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def track_json(
    registration: VisitRegistration, pairs: Sequence[TrackedPair], days: int | None
) -> dict[str, Any]:
    return {
        "registration": {
            "followup_world_from_baseline_world": [
                list(row) for row in np.round(registration.matrix, 6).tolist()
            ],
            "seconds": registration.seconds,
            "lung_dice": registration.lung_dice,
            "method": registration.method,
        },
        "interval_days": days,
        "pairs": [pair_json(pair) for pair in pairs],
    }
