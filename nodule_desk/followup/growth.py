"""Growth of a nodule between two visits, with the uncertainty of the measurements themselves.

VDT = Δt · ln 2 / ln(V2 / V1) (Schwartz 1961; as used by the Fleischner Society and in NELSON).

Repeat volumetry of the same nodule is not exact: the surface of a small nodule on thick slices is
placed to within a fraction of a voxel, and that error is a large part of a small volume. The
model (docs/followup.md) takes the surface position error as a fraction of the voxel size along
each axis, turns it into a relative volume error through the nodule's size (a sphere's dV/V is
3 dr/D), adds a floor per density type, and combines the two visits:

    sigma_ln_v = sqrt(floor² + (3 · surface_sd_mm / D)²)        per visit
    limit      = 1.96 · sqrt(sigma_1² + sigma_2²)                 95 % limit of ln(V2 / V1)

Calibrated so that an 8 mm solid nodule on 1 mm slices gets a limit of about ±25 % in volume, the
NELSON trial's threshold for a real change (van Klaveren RJ et al., NEJM 2009;361:2221-2229), and
so that the limit grows with thinner nodules, thicker slices and ground glass, as the QIBA CT
Volumetry profile describes (QIBA Profile: CT Tumor Volume Change, and Small Lung Nodule Volume
Assessment and Monitoring in Low Dose CT Screening, 2018 consensus).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

GrowthStatus = Literal["growing", "stable", "shrinking", "indeterminate"]

SURFACE_SD_PER_SLICE = 0.14
"""Surface position error (1 SD) as a fraction of the slice thickness."""
SURFACE_SD_PER_PIXEL = 0.14
"""... and of the in-plane pixel size; the two add in quadrature."""
REPEATABILITY_FLOOR = {"solid": 0.04, "part_solid": 0.07, "ground_glass": 0.09}
"""Relative volume error (1 SD of ln V) that remains on any grid: segmentation and noise."""
NAIVE_VOLUME_CHANGE = 0.25
"""A volume change the eye (or a simple rule) reads as real: NELSON's 25 %."""
LUNG_RADS_GROWTH_MM = 1.5
"""Lung-RADS v2022: growth is an increase in mean diameter of more than 1.5 mm within 12 months."""
Z_95 = 1.96


@dataclass(frozen=True)
class MeasuredSize:
    """What growth needs of one visit's measurement."""

    volume_mm3: float | None
    mean_diameter_mm: float | None
    density_type: str = "solid"
    slice_thickness_mm: float = 1.0
    pixel_mm: float = 0.7
    solid_component_mean_diameter_mm: float | None = None


@dataclass(frozen=True)
class Growth:
    interval_days: int
    volume_change_mm3: float | None
    volume_change_pct: float | None
    volume_doubling_time_days: float | None
    """None when the volume did not change or is unknown; negative when the nodule shrank."""
    diameter_change_mm: float | None
    solid_component_change_mm: float | None
    volume_change_limit_pct: tuple[float, float] | None
    """95 % limits of the volume change that repeat measurement of an unchanged nodule gives."""
    status: GrowthStatus

    @property
    def beyond_measurement_variability(self) -> bool:
        return self.status in ("growing", "shrinking")


def volume_doubling_time_days(
    volume1_mm3: float, volume2_mm3: float, interval_days: float
) -> float | None:
    """Days for the volume to double at the observed exponential rate; None if it did not change."""
    if volume1_mm3 <= 0 or volume2_mm3 <= 0:
        raise ValueError(f"volumes must be positive, got {volume1_mm3} and {volume2_mm3}")
    if interval_days <= 0:
        raise ValueError(f"the interval between visits must be positive, got {interval_days} days")
    ratio = volume2_mm3 / volume1_mm3
    if ratio == 1.0:
        return None
    return interval_days * math.log(2) / math.log(ratio)


def _diameter_mm(size: MeasuredSize) -> float | None:
    if size.volume_mm3 and size.volume_mm3 > 0:
        return (6.0 * size.volume_mm3 / math.pi) ** (1.0 / 3.0)
    return size.mean_diameter_mm


def volume_sd_ln(size: MeasuredSize) -> float | None:
    """1 SD of ln(volume) for repeat measurement of this nodule on this grid."""
    diameter = _diameter_mm(size)
    if not diameter:
        return None
    surface_sd = math.hypot(
        SURFACE_SD_PER_SLICE * size.slice_thickness_mm, SURFACE_SD_PER_PIXEL * size.pixel_mm
    )
    floor = REPEATABILITY_FLOOR.get(size.density_type, REPEATABILITY_FLOOR["ground_glass"])
    return math.hypot(floor, 3.0 * surface_sd / diameter)


def change_limit_ln(first: MeasuredSize, second: MeasuredSize) -> float | None:
    """95 % limit of ln(V2/V1) when the nodule did not change."""
    sd1, sd2 = volume_sd_ln(first), volume_sd_ln(second)
    if sd1 is None or sd2 is None:
        return None
    return Z_95 * math.hypot(sd1, sd2)


def _status(
    log_change: float | None, limit: float | None, diameter_change_mm: float | None
) -> GrowthStatus:
    """Beyond the limit: growing or shrinking. Inside it: stable when the change is also below
    what a simple reading would call growth (NELSON 25 % in volume, Lung-RADS 1.5 mm); otherwise
    indeterminate, because the measurement cannot tell."""
    if log_change is not None and limit is not None:
        if log_change > limit:
            return "growing"
        if log_change < -limit:
            return "shrinking"
        looks_changed = abs(log_change) > math.log1p(NAIVE_VOLUME_CHANGE)
    elif diameter_change_mm is not None:
        if diameter_change_mm > 2 * LUNG_RADS_GROWTH_MM:
            return "growing"
        if diameter_change_mm < -2 * LUNG_RADS_GROWTH_MM:
            return "shrinking"
        looks_changed = False
    else:
        return "indeterminate"
    if diameter_change_mm is not None and abs(diameter_change_mm) > LUNG_RADS_GROWTH_MM:
        looks_changed = True
    return "indeterminate" if looks_changed else "stable"


def growth_between(interval_days: int, first: MeasuredSize, second: MeasuredSize) -> Growth:
    """Change from ``first`` (earlier visit) to ``second`` over ``interval_days``."""
    volume_change = volume_pct = vdt = log_change = None
    v1, v2 = first.volume_mm3, second.volume_mm3
    if v1 and v2 and v1 > 0 and v2 > 0:
        volume_change = v2 - v1
        volume_pct = 100.0 * volume_change / v1
        log_change = math.log(v2 / v1)
        if interval_days > 0:
            vdt = volume_doubling_time_days(v1, v2, interval_days)
    diameter_change = _difference(first.mean_diameter_mm, second.mean_diameter_mm)
    solid_change = _difference(
        first.solid_component_mean_diameter_mm, second.solid_component_mean_diameter_mm
    )
    limit = change_limit_ln(first, second)
    limits_pct = None
    if limit is not None:
        limits_pct = (100.0 * math.expm1(-limit), 100.0 * math.expm1(limit))
    return Growth(
        interval_days=interval_days,
        volume_change_mm3=volume_change,
        volume_change_pct=volume_pct,
        volume_doubling_time_days=vdt,
        diameter_change_mm=diameter_change,
        solid_component_change_mm=solid_change,
        volume_change_limit_pct=limits_pct,
        status=_status(log_change, limit, diameter_change),
    )


def _difference(first: float | None, second: float | None) -> float | None:
    if first is None or second is None:
        return None
    return round(second - first, 2)
