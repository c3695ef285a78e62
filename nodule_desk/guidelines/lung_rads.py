"""ACR Lung-RADS v2022: one category per nodule, the exam's category, management and interval.

The thresholds are in lung_rads_table.py (source: ACR Lung-RADS v2022; Christensen et al.,
CHEST 2024;165:738-753). This module only decides which row applies: benign features, atypical
cysts, airway nodules, juxtapleural nodules, then solid / part-solid / non-solid by timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines import lung_rads_table as table
from nodule_desk.guidelines.findings import Exam, Finding, PriorFinding, round_mm
from nodule_desk.guidelines.history import (
    SOLID_TISSUE_DENSITIES,
    change_mm,
    current,
    solid_tissue_mean_mm,
    within_months,
)

VERSION = "ACR Lung-RADS v2022"


@dataclass
class NoduleCategory:
    id: str
    category: str
    rule: str
    measures: dict[str, Any] = field(default_factory=dict)
    unchecked: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """prior_category, prior_category_source and the replayed history, on follow-up exams."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "category": self.category, "rule": self.rule}
        out["measures"] = self.measures
        if self.unchecked:
            out["unchecked"] = self.unchecked
        out.update(self.extra)
        return out


def rank(category: str) -> int:
    return table.CATEGORY_ORDER.index(category)


def _higher(a: str, b: str) -> str:
    return a if rank(a) >= rank(b) else b


def _sizes(measurement: PriorFinding) -> dict[str, float | None]:
    """The table's measures: mean diameter and the solid component's mean diameter (0.1 mm).

    v2022 sizes the solid component by its mean diameter; when only its long axis was measured,
    the long axis stands in (it is never smaller, so the category is never lower)."""
    solid = measurement.solid_component_mean_diameter_mm
    if solid is None:
        solid = measurement.solid_component_long_axis_mm
    if measurement.density_type == "solid":
        solid = measurement.mean_diameter_mm
    return {
        table.MEAN: float(round_mm(measurement.mean_diameter_mm, "0.1")),
        table.SOLID: None if solid is None else float(round_mm(solid, "0.1")),
    }


def _lookup(density: str, when: str, sizes: dict[str, float | None]) -> table.Row:
    for row in table.ROWS_BY_DENSITY[density]:
        if row.matches(when, sizes):
            return row
    raise LookupError(f"no Lung-RADS row for {density} {when} {sizes}")  # table has no gap


GROWTH = Decimal(table.GROWTH_MM)


@dataclass(frozen=True)
class Point:
    """One measurement of the nodule with the category it had then (stored or derived)."""

    measurement: PriorFinding
    category: str
    source: str
    """"stored" (a report gave it) or "derived" (replayed from the history)."""


@dataclass(frozen=True)
class Change:
    when: str
    """baseline, new, growing, slow_growing, new_solid_component, enlarged, crossed or stable."""
    why: str
    unchecked: str | None = None
    rows: str | None = None
    """The density whose rows apply when not today's (a part-solid nodule turned solid whose
    solid tissue grew: the part-solid "growing solid component" rows, the higher ones)."""


def _growth(now: PriorFinding, before: PriorFinding) -> tuple[Decimal | None, str]:
    """How much the measure v2022 judges growth by went up: the solid component of a part-solid
    nodule (v2022 4A / 4B: "new or growing ... solid component"), else the mean diameter."""
    if now.density_type == "ground_glass" or before.density_type == "cyst":
        return change_mm(now.mean_diameter_mm, before.mean_diameter_mm), "mean diameter"
    if now.density_type == "cyst":
        return None, "cyst"
    both_solid = now.density_type == before.density_type == "solid"
    what = "mean diameter" if both_solid else "solid component"
    return change_mm(solid_tissue_mean_mm(now), solid_tissue_mean_mm(before)), what


def _rows_for(now: PriorFinding, before: PriorFinding) -> str | None:
    if now.density_type == "solid" and before.density_type == "part_solid":
        return "part_solid"
    return None


def _size_category(finding: Finding, measurement: PriorFinding) -> str | None:
    """The category the measurement's size alone gives (baseline rows, v2022 size thresholds)."""
    if measurement.density_type not in table.ROWS_BY_DENSITY:
        return None
    sizes = _sizes(measurement)
    if _juxtapleural_benign(finding, measurement, sizes):
        return "2"
    return _lookup(measurement.density_type, "baseline", sizes).category


def _juxtapleural_benign(
    finding: Finding, measurement: PriorFinding, sizes: dict[str, float | None]
) -> bool:
    mean = sizes[table.MEAN]
    return (
        finding.location in ("juxtapleural", "perifissural")
        and measurement.density_type == "solid"
        and mean is not None
        and mean < table.JUXTAPLEURAL_BENIGN_BELOW_MM
    )


def _first_when(measurement: PriorFinding, exam: Exam) -> tuple[str, str]:
    """Was the nodule's first measurement at the baseline screen or new on a later one?"""
    first = exam.baseline_exam_date
    if first is None or measurement.exam_date is None or measurement.exam_date <= first:
        said = (
            ""
            if first is not None
            else " (no baseline_exam_date: first measurement read as baseline)"
        )
        return "baseline", f"first measured at baseline{said}"
    return "new", f"first measured on {measurement.exam_date}, after the baseline {first}: new"


def _change(finding: Finding, now: PriorFinding, earlier: list[Point]) -> Change:
    """How the nodule changed against every earlier measurement (v2022 growth and size notes)."""
    last = earlier[-1].measurement
    if now.density_type in SOLID_TISSUE_DENSITIES and last.density_type == "ground_glass":
        return Change("new_solid_component", "new solid component in a previously non-solid nodule")
    grown, grown_at = [], []
    for index, point in enumerate(earlier):
        delta, what = _growth(now, point.measurement)
        if delta is not None and delta > GROWTH:
            grown.append((point, delta, what))
            grown_at.append(index)
    within = [
        g
        for g in grown
        if within_months(g[0].measurement.exam_date, now.exam_date, table.GROWTH_WINDOW_MONTHS)
    ]
    if within:
        point, delta, what = within[-1]
        return Change(
            "growing",
            f"{what} up by more than {table.GROWTH_MM} mm within 12 months "
            f"({delta} mm since {point.measurement.exam_date})",
            rows=_rows_for(now, point.measurement),
        )
    if grown:
        point, delta, what = grown[0]
        since = point.measurement.exam_date
        if grown_at[0] < len(earlier) - 1:
            return Change(
                "slow_growing",
                f"{what} up {delta} mm since {since} over {len(earlier) - grown_at[0]} exams: "
                "slow growth over multiple screening exams",
            )
        return Change(
            "growing",
            f"{what} up {delta} mm since {since}, more than 12 months ago (safer reading: growing)",
            "v2022 defines growth within 12 months and 4B slow growth over multiple exams; a "
            "nodule enlarged by more than 1.5 mm over one longer interval fits neither. Safer "
            "reading: growing (the higher category); stepped management is only for nodules "
            "stable or decreased in size.",
            rows=_rows_for(now, point.measurement),
        )
    for point in earlier:
        enlarged = change_mm(now.mean_diameter_mm, point.measurement.mean_diameter_mm)
        if enlarged is not None and enlarged > GROWTH:
            return Change(
                "enlarged",
                f"total mean diameter up {enlarged} mm since {point.measurement.exam_date} but "
                "solid component not growing: by size",
            )
    total = change_mm(now.mean_diameter_mm, last.mean_diameter_mm)
    size_now, size_before = _size_category(finding, now), _size_category(finding, last)
    if (
        size_now is not None
        and size_before is not None
        and rank(size_now) > rank(size_before)
        and total is not None
        and total > 0
    ):
        return Change("crossed", "crossed a size threshold without meeting the growth definition")
    return Change("stable", f"stable or decreased (not up by more than {table.GROWTH_MM} mm)")


def _by_size(finding: Finding, now: PriorFinding, change: Change) -> tuple[str, str, str | None]:
    sizes = _sizes(now)
    when = change.when
    if when in ("baseline", "new") and _juxtapleural_benign(finding, now, sizes):
        return "2", f"{finding.location} solid nodule < 10 mm at baseline or new", None
    density = change.rows or now.density_type
    if when == "new_solid_component":
        density, when = "part_solid", "growing"
    row = _lookup(density, when, sizes)
    return row.category, row.text, row.unchecked


def _category_at(
    finding: Finding, now: PriorFinding, earlier: list[Point], exam: Exam
) -> tuple[str, str, str | None]:
    """The v2022 category of a parenchymal or airway nodule at one measurement."""
    if not earlier:
        when, why = ("baseline", "baseline exam") if exam.baseline else ("new", "no prior")
        if now.exam_date != exam.date:
            when, why = _first_when(now, exam)
        change = Change(when, why)
    else:
        change = _change(finding, now, earlier)
    if finding.location == "airway":
        return _airway(finding, change)
    before = earlier[-1] if earlier else None
    if change.when == "slow_growing":
        if now.density_type == "ground_glass":
            return "2", f"slowly growing non-solid nodule ({change.why})", None
        return "4B", f"solid or part-solid nodule growing slowly ({change.why})", None
    if change.when in ("enlarged", "crossed"):
        size = _size_category(finding, now) or "2"
        assert before is not None
        category = _higher(size, before.category)
        return (
            category,
            f"by size {size}, not below the prior {before.category} ({change.why})",
            None,
        )
    if change.when == "stable":
        assert before is not None
        return _stepped(finding, now, before, change)
    category, text, unchecked = _by_size(finding, now, change)
    return category, f"{text} ({change.why})", change.unchecked or unchecked


def _stepped(
    finding: Finding, now: PriorFinding, before: Point, change: Change
) -> tuple[str, str, str | None]:
    """v2022 stepped management of a nodule stable or decreased in size: 4A -> 3, 3 -> 2."""
    said = f"prior Lung-RADS {before.category} ({before.source})"
    if before.category in ("0", "1"):
        size = _size_category(finding, now) or "2"
        return size, f"by size (prior was {before.category}); {change.why}", None
    stepped = table.STEPPED_DOWN.get(before.category, before.category)
    if stepped != before.category:
        return (
            stepped,
            f"{said} stable or decreased: stepped management to {stepped}; {change.why}",
            None,
        )
    return stepped, f"{said}, stable or decreased: stays {stepped}; {change.why}", None


def _history_points(finding: Finding, exam: Exam) -> list[Point]:
    """Each earlier measurement with its category: the stored one, else replayed in order."""
    points: list[Point] = []
    for measurement in finding.history:
        if measurement.lung_rads_category is not None:
            points.append(Point(measurement, measurement.lung_rads_category, "stored"))
            continue
        if measurement.density_type not in table.ROWS_BY_DENSITY and finding.location != "airway":
            points.append(Point(measurement, "2", "derived"))
            continue
        category, _, _ = _category_at(finding, measurement, points, exam)
        points.append(Point(measurement, category, "derived"))
    return points


_CYST_CHANGE_4B = {
    "growing_wall_or_nodularity": "thick-walled cyst with growing wall thickness or nodularity",
    "growing_multilocular": "growing multilocular cyst (mean diameter)",
    "increased_loculation_or_opacity": "multilocular cyst with increased loculation or new or "
    "increased opacity",
}


def _cyst(finding: Finding, exam: Exam) -> tuple[str, str, str | None]:
    """v2022 atypical pulmonary cysts (thick-walled >= 2 mm, or multilocular)."""
    cyst = finding.cyst
    assert cyst is not None
    if cyst.change in _CYST_CHANGE_4B:
        return "4B", _CYST_CHANGE_4B[cyst.change], None
    if cyst.change == "became_multilocular":
        return "4A", "thin- or thick-walled cyst that becomes multilocular", None
    if cyst.change == "growing_cystic_component" and cyst.wall == "thick":
        return "3", "growing cystic component (mean diameter) of a thick-walled cyst", None
    if cyst.wall == "thick" or cyst.multilocular:
        what = "multilocular" if cyst.multilocular else "thick-walled"
        if exam.baseline or finding.prior is None:
            return "4A", f"{what} cyst at baseline (or new)", None
        return (
            "3",
            f"{what} cyst, unchanged: stepped management 4A -> 3",
            ("v2022 has no cell for an unchanged atypical cyst; stepped management applied"),
        )
    return (
        "1",
        "thin-walled unilocular cyst: not a Lung-RADS finding",
        ("v2022 does not classify thin-walled unilocular cysts; reported as 1"),
    )


def _airway(finding: Finding, change: Change) -> tuple[str, str, str | None]:
    """v2022 airway nodules: subsegmental 2 at baseline, new or stable; segmental or more
    proximal 4A at baseline or new, 4B when stable or growing at follow-up."""
    growing = change.when in ("growing", "slow_growing", "new_solid_component")
    if finding.airway_level == "subsegmental":
        if not growing:
            return (
                "2",
                f"subsegmental airway nodule at baseline, new or stable ({change.why})",
                None,
            )
        category = (
            "4B"
            if change.when == "slow_growing"
            else _lookup(
                "solid", "growing", {table.MEAN: float(round_mm(finding.mean_diameter_mm, "0.1"))}
            ).category
        )
        return (
            category,
            f"growing subsegmental airway nodule, read as a growing solid nodule ({change.why})",
            "v2022 gives subsegmental airway nodules 2 only at baseline, new or stable and has no "
            "cell for a growing one; safer reading: the growing solid nodule rows.",
        )
    if change.when in ("baseline", "new"):
        return (
            "4A",
            f"segmental or more proximal airway nodule at baseline or new ({change.why})",
            None,
        )
    return "4B", f"segmental or more proximal airway nodule, stable or growing ({change.why})", None


def _measures(finding: Finding, exam: Exam) -> dict[str, Any]:
    sizes = _sizes(current(finding, exam))
    measures: dict[str, Any] = {table.MEAN: sizes[table.MEAN]}
    if finding.density_type == "part_solid":
        measures[table.SOLID] = sizes[table.SOLID]
        measures["solid_component_mm"] = sizes[table.SOLID]
    if finding.prior is not None:
        prior = _sizes(finding.prior)
        measures["prior_mean_diameter_mm"] = prior[table.MEAN]
        if finding.prior.density_type == "part_solid":
            measures["prior_solid_component_mean_diameter_mm"] = prior[table.SOLID]
            measures["prior_solid_component_mm"] = prior[table.SOLID]
    return measures


def categorize(finding: Finding, exam: Exam) -> NoduleCategory:
    """The v2022 category of one nodule, with the rule that fired and the measures it used."""
    measures = _measures(finding, exam)
    unchecked = None
    extra: dict[str, Any] = {}
    if finding.benign:
        what = "benign calcification" if finding.calcification == "benign" else "fat-containing"
        return NoduleCategory(finding.id, "1", f"{what} nodule", measures)
    if finding.density_type == "cyst":
        category, rule, unchecked = _cyst(finding, exam)
    elif finding.slow_growing and finding.location != "airway":
        if finding.density_type == "ground_glass":
            category, rule = "2", "slowly growing non-solid nodule (slow_growing given)"
        else:
            category = "4B"
            rule = (
                "solid or part-solid nodule growing slowly over multiple exams (slow_growing given)"
            )
    else:
        points = _history_points(finding, exam)
        category, rule, unchecked = _category_at(finding, current(finding, exam), points, exam)
        if points:
            extra["prior_category"] = points[-1].category
            extra["prior_category_source"] = points[-1].source
            extra["history"] = [
                {
                    "exam_date": str(p.measurement.exam_date),
                    "category": p.category,
                    "source": p.source,
                }
                for p in points
            ]
    if finding.suspicious_features and category in ("3", "4A", "4B"):
        features = ", ".join(finding.suspicious_features)
        rule = f"{category} with additional features increasing suspicion ({features}): {rule}"
        category = "4X"
    result = NoduleCategory(finding.id, category, rule, measures, unchecked)
    result.extra = extra
    return result


def classify_exam(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    """The exam's Lung-RADS: the most suspicious nodule's category, or 0 for an incomplete exam."""
    per_nodule = [categorize(n, exam) for n in nodules]
    if exam.incomplete is not None:
        category = "0"
        key = "0-infectious" if exam.incomplete == "infectious_inflammatory" else "0"
        rule = f"incomplete exam: {exam.incomplete.replace('_', ' ')}"
    elif per_nodule:
        worst = max(per_nodule, key=lambda c: rank(c.category))
        category = key = worst.category
        rule = f"most suspicious nodule {worst.id}: {worst.rule}"
    else:
        category = key = "1"
        rule = "no lung nodules"
    management, management_zh, months = table.MANAGEMENT[key]
    result: dict[str, Any] = {
        "guideline": VERSION,
        "category": category,
        "s_modifier": bool(exam.significant_other_findings),
        "category_label": category + ("S" if exam.significant_other_findings else ""),
        "management": management,
        "management_zh": management_zh,
        "follow_up_months": months,
        "follow_up_date": (exam.date + relativedelta(months=months)).isoformat()
        if months
        else None,
        "rule": rule,
        "nodules": [c.as_dict() for c in per_nodule],
    }
    if exam.significant_other_findings:
        result["s_findings"] = list(exam.significant_other_findings)
        result["management"] += " " + table.S_MODIFIER[0]
        result["management_zh"] += table.S_MODIFIER[1]
    return result
