"""A nodule's measurements over time, as the guidelines compare them.

Each guideline compares today's measurement with every earlier one (not only the last): growth
over the actual interval between two exams, and growth accumulated over several exams. The
measurements are the ``priors`` of the classify contract plus today's, oldest first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding, PriorFinding, round_mm

SOLID_TISSUE_DENSITIES = ("solid", "part_solid")


def current(finding: Finding, exam: Exam) -> PriorFinding:
    """Today's measurement of ``finding`` in the same shape as its earlier ones."""
    return PriorFinding(
        mean_diameter_mm=finding.mean_diameter_mm,
        solid_component_mean_diameter_mm=finding.solid_component_mean_diameter_mm,
        density_type=finding.density_type,
        exam_date=exam.date,
        long_axis_mm=finding.long_axis_mm,
        short_axis_mm=finding.short_axis_mm,
        volume_mm3=finding.volume_mm3,
        solid_component_long_axis_mm=finding.solid_component_long_axis_mm,
    )


def within_months(earlier: dt.date | None, later: dt.date | None, months: int) -> bool:
    """``later`` no more than ``months`` calendar months after ``earlier`` (unknown: False)."""
    if earlier is None or later is None:
        return False
    return later <= earlier + relativedelta(months=months)


def solid_tissue_mean_mm(measurement: PriorFinding) -> Decimal | None:
    """The mean diameter of the nodule's solid tissue: the whole of a solid nodule, the solid
    component of a part-solid one (its long axis when only that was measured), 0 for GGN."""
    if measurement.density_type == "solid":
        return measurement.mean_diameter_mm
    if measurement.density_type == "part_solid":
        return (
            measurement.solid_component_mean_diameter_mm or measurement.solid_component_long_axis_mm
        )
    if measurement.density_type == "ground_glass":
        return Decimal(0)
    return None


def change_mm(now: Decimal | None, before: Decimal | None, step: str = "0.1") -> Decimal | None:
    """``now - before`` on values rounded to ``step`` as the guideline reports them."""
    if now is None or before is None:
        return None
    return round_mm(now, step) - round_mm(before, step)


def months_apart(earlier: dt.date | None, later: dt.date | None) -> int | None:
    if earlier is None or later is None:
        return None
    delta = relativedelta(later, earlier)
    return delta.years * 12 + delta.months
