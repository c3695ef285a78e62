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

VERSION = "ACR Lung-RADS v2022"


@dataclass
class NoduleCategory:
    id: str
    category: str
    rule: str
    measures: dict[str, Any] = field(default_factory=dict)
    unchecked: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "category": self.category, "rule": self.rule}
        out["measures"] = self.measures
        if self.unchecked:
            out["unchecked"] = self.unchecked
        return out


def rank(category: str) -> int:
    return table.CATEGORY_ORDER.index(category)


def _sizes(mean: Decimal, solid: Decimal | None) -> dict[str, float | None]:
    return {
        table.MEAN: float(round_mm(mean, "0.1")),
        table.SOLID: None if solid is None else float(round_mm(solid, "0.1")),
    }


def _lookup(density: str, when: str, sizes: dict[str, float | None]) -> table.Row:
    for row in table.ROWS_BY_DENSITY[density]:
        if row.matches(when, sizes):
            return row
    raise LookupError(f"no Lung-RADS row for {density} {when} {sizes}")  # table has no gap


def _within_growth_window(exam: Exam) -> bool:
    assert exam.prior_exam_date is not None
    return exam.date <= exam.prior_exam_date + relativedelta(months=table.GROWTH_WINDOW_MONTHS)


def _grew(now: Decimal | None, before: Decimal | None) -> bool:
    if now is None or before is None:
        return False
    return round_mm(now, "0.1") - round_mm(before, "0.1") > Decimal(table.GROWTH_MM)


def timing(finding: Finding, exam: Exam) -> tuple[str, str]:
    """baseline / new / growing / stable, with the reason in words."""
    if exam.baseline:
        return "baseline", "baseline exam"
    prior = finding.prior
    if prior is None:
        return "new", "no prior on a follow-up exam"
    if finding.density_type == "part_solid" and prior.density_type == "ground_glass":
        return "growing", "new solid component in a previously non-solid nodule"
    grew_mean = _grew(finding.mean_diameter_mm, prior.mean_diameter_mm)
    grew_solid = finding.density_type == "part_solid" and _grew(
        finding.solid_component_mm, prior.solid_component_mm
    )
    if grew_mean or grew_solid:
        what = "mean diameter" if grew_mean else "solid component"
        if _within_growth_window(exam):
            return "growing", f"{what} up by more than {table.GROWTH_MM} mm within 12 months"
        return "stable", f"{what} up by more than {table.GROWTH_MM} mm but over more than 12 months"
    return "stable", f"not up by more than {table.GROWTH_MM} mm since the prior"


def _prior_sizes(prior: PriorFinding) -> dict[str, float | None]:
    return _sizes(prior.mean_diameter_mm, prior.solid_component_mm)


def _prior_category(prior: PriorFinding) -> tuple[str | None, str]:
    """The category the prior exam gave, else the one its size gives at baseline (said so)."""
    if prior.lung_rads_category is not None:
        return prior.lung_rads_category, f"prior Lung-RADS {prior.lung_rads_category}"
    if prior.density_type not in table.ROWS_BY_DENSITY:
        return None, "prior was not a nodule"
    row = _lookup(prior.density_type, "baseline", _prior_sizes(prior))
    return row.category, f"prior {row.text} (its category read from its size)"


def _stable(finding: Finding, sizes: dict[str, float | None]) -> tuple[str, str]:
    """v2022 size-threshold note, then stepped management (4A -> 3 -> 2) for a stable nodule."""
    assert finding.prior is not None
    now = _lookup(finding.density_type, "baseline", sizes)
    before, said = _prior_category(finding.prior)
    if before is None:
        return now.category, f"{now.text} (by size; {said})"
    if rank(now.category) > rank(before):
        return now.category, f"{now.text} (reached a higher size category than the {said})"
    stepped = table.STEPPED_DOWN.get(before, before)
    if stepped != before:
        return stepped, f"{before} stable or decreased: stepped management to {stepped} ({said})"
    return stepped, f"stable or decreased since the prior ({said})"


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


def _airway(finding: Finding, exam: Exam) -> tuple[str, str]:
    if finding.airway_level == "subsegmental":
        return "2", "subsegmental airway nodule (baseline, new or stable)"
    if exam.baseline or finding.prior is None:
        return "4A", "segmental or more proximal airway nodule at baseline or new"
    return "4B", "segmental or more proximal airway nodule persistent at follow-up"


def _parenchymal(
    finding: Finding, exam: Exam, sizes: dict[str, float | None]
) -> tuple[str, str, str | None]:
    when, why = timing(finding, exam)
    mean = sizes[table.MEAN]
    assert mean is not None
    benign_shape = finding.location in ("juxtapleural", "perifissural")
    if benign_shape and finding.density_type == "solid" and when != "growing":
        if mean < table.JUXTAPLEURAL_BENIGN_BELOW_MM:
            return "2", f"{finding.location} solid nodule < 10 mm ({why})", None
    if finding.slow_growing:
        if finding.density_type == "ground_glass":
            return "2", "slowly growing non-solid nodule", None
        return "4B", "solid or part-solid nodule growing slowly over multiple exams", None
    if when == "stable":
        category, text = _stable(finding, sizes)
        return category, f"{text}; {why}", None
    row = _lookup(finding.density_type, when, sizes)
    return row.category, f"{row.text} ({why})", row.unchecked


def categorize(finding: Finding, exam: Exam) -> NoduleCategory:
    """The v2022 category of one nodule, with the rule that fired and the measures it used."""
    sizes = _sizes(finding.mean_diameter_mm, finding.solid_component_mm)
    measures: dict[str, Any] = {k: v for k, v in sizes.items() if v is not None}
    if finding.prior is not None:
        measures["prior_mean_diameter_mm"] = _prior_sizes(finding.prior)[table.MEAN]
        if finding.prior.solid_component_mm is not None:
            measures["prior_solid_component_mm"] = _prior_sizes(finding.prior)[table.SOLID]
    unchecked = None
    if finding.benign:
        what = "benign calcification" if finding.calcification == "benign" else "fat-containing"
        return NoduleCategory(finding.id, "1", f"{what} nodule", measures)
    if finding.density_type == "cyst":
        category, rule, unchecked = _cyst(finding, exam)
    elif finding.location == "airway":
        category, rule = _airway(finding, exam)
    else:
        category, rule, unchecked = _parenchymal(finding, exam, sizes)
    if finding.suspicious_features and category in ("3", "4A", "4B"):
        features = ", ".join(finding.suspicious_features)
        rule = f"{category} with additional features increasing suspicion ({features}): {rule}"
        category = "4X"
    return NoduleCategory(finding.id, category, rule, measures, unchecked)


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
