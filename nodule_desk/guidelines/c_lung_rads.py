"""C-Lung-RADS (Nature Medicine 2024, Table 1): categories 0-4 by nodule type and size.

Source: Nature Medicine 2024;30(11):3184-3195 (doi:10.1038/s41591-024-03211-3), Table 1
"C-Lung-RADS assessment categories". Its categories run 0 (negative: calcifications) to 4; note
that C-Lung-RADS 0 means negative, unlike Lung-RADS 0, so findings outside Table 1 (airway
nodules, cysts) are "not categorized", never 0. Sizes: mean diameter rounded to 0.1 mm as in
Lung-RADS (Table 1 says "total mean diameter"); the solid component by its long axis when given
(Table 1 does not say; the larger measure is the safer reading). The national screening
programme's "positive nodule" is in china_screening.py.
"""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding, round_mm

VERSION = "C-Lung-RADS (Nature Medicine 2024, Table 1)"

# Each row: category, measure, [lower, upper) mm, the table's words. The first row that matches
# wins: a part-solid nodule < 6 mm total is 1 whatever its solid component, as in Table 1.
SOLID = (
    ("1", "mean", None, 6, "solid < 6 mm"),
    ("2", "mean", 6, 10, "solid >= 6 to < 10 mm"),
    ("3", "mean", 10, 18, "solid >= 10 to < 18 mm"),
    ("4", "mean", 18, None, "solid >= 18 mm"),
)
PART_SOLID = (
    ("1", "mean", None, 6, "part-solid (mGGN) < 6 mm"),
    ("4", "solid", 10, None, "part-solid (mGGN) with solid component >= 10 mm"),
    ("3", "solid", 6, 10, "part-solid (mGGN) >= 6 mm total with solid component >= 6 to < 10 mm"),
    ("2", "solid", None, 6, "part-solid (mGGN) >= 6 mm total with solid component < 6 mm"),
)
GROUND_GLASS = (
    ("1", "mean", None, 6, "non-solid (pGGN) < 6 mm"),
    ("2", "mean", 6, 20, "non-solid (pGGN) >= 6 to < 20 mm"),
    ("3", "mean", 20, None, "non-solid (pGGN) >= 20 mm"),
)
ROWS = {"solid": SOLID, "part_solid": PART_SOLID, "ground_glass": GROUND_GLASS}
ORDER = ("0", "1", "2", "3", "4")
MODEL_PROBABILITY_FOR_4 = 0.5
"""Table 1: category 2 or 3 nodules with a model-predicted malignant probability >= 0.5 are 4."""

ANNUAL = "Continue annual screening with LDCT in 12 months."
ANNUAL_ZH = "继续年度低剂量 CT 筛查（12 个月）。"
MANAGEMENT = {
    "0": (
        "Continue annual screening with LDCT in 12 months.",
        "继续年度低剂量 CT 筛查（12 个月）。",
        12,
    ),
    "1": (
        "Continue annual screening with LDCT in 12 months.",
        "继续年度低剂量 CT 筛查（12 个月）。",
        12,
    ),
    "2": ("Six-month CT.", "6 个月后复查 CT。", 6),
    "3": (
        "Three-month CT; high-resolution CT or PET/CT may be considered.",
        "3 个月后复查 CT；可考虑高分辨率 CT 或 PET/CT。",
        3,
    ),
    "4": (
        "Immediate clinical assessment: diagnostic chest CT with or without contrast, PET/CT "
        "(particularly for a solid nodule or solid component >= 8 mm), tissue sampling and/or "
        "referral for clinical evaluation.",
        "立即临床评估：诊断性胸部 CT（平扫或增强）、PET/CT（尤其实性结节或实性成分 ≥ 8 mm）、"
        "组织取样和/或转诊临床评估。",
        None,
    ),
}


def _in(value: float | None, lower: float | None, upper: float | None) -> bool:
    if value is None:
        return False
    return (lower is None or value >= lower) and (upper is None or value < upper)


def _solid_component_mm(finding: Finding) -> tuple[float | None, str | None]:
    """Table 1 says "total mean diameter" for the nodule but not how the solid component is
    measured; of its mean diameter and long axis the larger (the long axis) gives the higher
    category, so it is used when given (safer reading)."""
    long_axis = finding.solid_component_long_axis_mm
    mean = finding.solid_component_mean_diameter_mm
    if long_axis is not None:
        return float(round_mm(long_axis, "0.1")), "long axis (safer reading: Table 1 does not say)"
    if mean is not None:
        return float(round_mm(mean, "0.1")), "mean diameter"
    return None, None


def categorize(finding: Finding) -> dict[str, Any]:
    mean = float(round_mm(finding.mean_diameter_mm, "0.1"))
    out: dict[str, Any] = {"id": finding.id, "measures": {"mean_diameter_mm": mean}}
    solid, solid_measure = (None, None)
    if finding.density_type == "part_solid":
        solid, solid_measure = _solid_component_mm(finding)
        out["measures"]["solid_component_mm"] = solid
        out["measures"]["solid_component_measure"] = solid_measure
    if finding.benign:
        return {
            **out,
            "category": "0",
            "rule": "calcified or fat-containing: negative",
            "unchecked": None
            if finding.calcification == "benign"
            else "Table 1 names calcifications only; fat-containing nodules read as 0",
        }
    if finding.location == "airway" or finding.density_type == "cyst":
        what = "airway nodule" if finding.location == "airway" else "atypical cyst"
        return {
            **out,
            "category": None,
            "rule": f"not covered by C-Lung-RADS Table 1 ({what}): not negative, see Lung-RADS",
        }
    values = {"mean": mean, "solid": solid}
    category, text = next(
        (row[0], row[4]) for row in ROWS[finding.density_type] if _in(values[row[1]], *row[2:4])
    )
    probability = finding.malignancy_probability
    if (
        category in ("2", "3")
        and probability is not None
        and probability >= MODEL_PROBABILITY_FOR_4
    ):
        text = f"{text}, model-predicted malignant probability {probability:.2f} >= 0.5"
        category = "4"
    if solid_measure is not None and solid_measure != "mean diameter":
        text = f"{text} (solid component by its {solid_measure})"
    return {**out, "category": category, "rule": text}


NOT_CATEGORIZED = (
    "Not categorized by C-Lung-RADS: the exam's findings are outside Table 1; manage by Lung-RADS "
    "or clinically, not as negative.",
    "C-Lung-RADS 未能分类：检查所见不在其表 1 范围内；请按 Lung-RADS 或临床处理，不可视为阴性。",
)


def classify_exam(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    """The most suspicious categorized nodule's category. 0 is Table 1's "negative:
    calcifications": an exam with no nodule or only calcified ones. Findings outside Table 1
    (airway nodules, cysts) leave the exam uncategorized rather than negative."""
    per_nodule = [categorize(n) for n in nodules]
    rated = [c for c in per_nodule if c["category"] is not None]
    uncovered = [c["id"] for c in per_nodule if c["category"] is None]
    months: int | None
    if rated and (uncovered == [] or max(ORDER.index(c["category"]) for c in rated) > 0):
        worst = max(rated, key=lambda c: ORDER.index(c["category"]))
        category, rule = worst["category"], f"most suspicious nodule {worst['id']}: {worst['rule']}"
        management, management_zh, months = MANAGEMENT[category]
        if uncovered:
            rule += f"; nodule(s) {', '.join(uncovered)} outside Table 1, not categorized"
    elif uncovered:
        category = None
        rule = f"nodule(s) {', '.join(uncovered)} outside Table 1: not categorized, not negative"
        (management, management_zh), months = NOT_CATEGORIZED, None
    else:
        category, rule = "0", "no nodules, or calcified nodules only: negative"
        management, management_zh, months = MANAGEMENT["0"]
    result = {
        "guideline": VERSION,
        "category": category,
        "management": management,
        "management_zh": management_zh,
        "follow_up_months": months,
        "follow_up_date": (exam.date + relativedelta(months=months)).isoformat()
        if months
        else None,
        "rule": rule,
        "nodules": per_nodule,
    }
    if uncovered:
        result["not_categorized"] = uncovered
    return result
