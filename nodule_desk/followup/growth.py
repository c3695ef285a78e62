"""Growth of a nodule between two visits: volume change and volume doubling time.

VDT = Δt · ln 2 / ln(V2 / V1) (Schwartz 1961; as used by the Fleischner Society and in NELSON).
Repeat volumetry of the same small nodule varies by up to about ±25 % (more on slices thicker than
1.5 mm), so a change inside that band is reported as "within measurement variability", not growth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REPEATABILITY_THIN_SLICE = 0.25
"""Relative volume change below which two measurements may be the same nodule, unchanged."""
REPEATABILITY_THICK_SLICE = 0.35
THICK_SLICE_MM = 1.5


@dataclass(frozen=True)
class Growth:
    interval_days: int
    volume_change_pct: float | None
    volume_doubling_time_days: float | None
    """None when the volume did not change; negative when the nodule shrank."""
    diameter_change_mm: float | None
    beyond_measurement_variability: bool
    """True when the volume change is larger than repeat volumetry's variability."""


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


def growth_between(
    interval_days: int,
    volume1_mm3: float | None,
    volume2_mm3: float | None,
    mean_diameter1_mm: float | None = None,
    mean_diameter2_mm: float | None = None,
    slice_thickness_mm: float | None = None,
) -> Growth:
    volume_change = vdt = None
    beyond = False
    if volume1_mm3 and volume2_mm3:
        volume_change = 100.0 * (volume2_mm3 - volume1_mm3) / volume1_mm3
        vdt = volume_doubling_time_days(volume1_mm3, volume2_mm3, interval_days)
        thick = slice_thickness_mm is not None and slice_thickness_mm > THICK_SLICE_MM
        band = REPEATABILITY_THICK_SLICE if thick else REPEATABILITY_THIN_SLICE
        beyond = abs(volume_change) > 100.0 * band
    diameter_change = None
    if mean_diameter1_mm is not None and mean_diameter2_mm is not None:
        diameter_change = mean_diameter2_mm - mean_diameter1_mm
    return Growth(interval_days, volume_change, vdt, diameter_change, beyond)
