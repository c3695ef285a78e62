"""C-Lung-RADS and the national screening programme's "positive nodule".

C-Lung-RADS source: Nature Medicine 2024;30(11):3184-3195 (doi:10.1038/s41591-024-03211-3),
Table 1 "C-Lung-RADS assessment categories". Its categories run 0 (negative: calcifications)
to 4; note that C-Lung-RADS 0 means negative, unlike Lung-RADS 0.
Sizes: mean diameter rounded to 0.1 mm as in Lung-RADS (UNCHECKED: Table 1 does not restate how
to measure; we assume the Lung-RADS convention the paper builds on).

Positive nodule source: 中国肺癌筛查与早诊早治指南 (China guideline for lung cancer screening and
early detection and treatment, 2021), baseline screening: solid or part-solid nodule >= 5 mm,
non-solid nodule >= 8 mm, or an endobronchial nodule. UNCHECKED against the primary text: whether
"diameter" there is the mean or the longest diameter (we use the mean), and the guideline's
separate rules for annual repeat screening (new nodules, growth), which are not implemented.
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

# China 2021 screening guideline, "positive nodule" at baseline: density -> minimum mean diameter.
POSITIVE_FROM_MM = {"solid": 5, "part_solid": 5, "ground_glass": 8}


def _in(value: float | None, lower: float | None, upper: float | None) -> bool:
    if value is None:
        return False
    return (lower is None or value >= lower) and (upper is None or value < upper)


def categorize(finding: Finding) -> dict[str, Any]:
    mean = float(round_mm(finding.mean_diameter_mm, "0.1"))
    solid = None
    if finding.solid_component_mm is not None:
        solid = float(round_mm(finding.solid_component_mm, "0.1"))
    out: dict[str, Any] = {"id": finding.id, "measures": {"mean_diameter_mm": mean}}
    if solid is not None:
        out["measures"]["solid_component_mm"] = solid
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
        return {
            **out,
            "category": None,
            "rule": "not covered by C-Lung-RADS Table 1 (airway nodule or cyst)",
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
    return {**out, "category": category, "rule": text}


def classify_exam(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    per_nodule = [categorize(n) for n in nodules]
    rated = [c for c in per_nodule if c["category"] is not None]
    if rated:
        worst = max(rated, key=lambda c: ORDER.index(c["category"]))
        category, rule = worst["category"], f"most suspicious nodule {worst['id']}: {worst['rule']}"
    else:
        category, rule = "0", "no nodule C-Lung-RADS categorizes: negative [unchecked reading]"
    management, management_zh, months = MANAGEMENT[category]
    return {
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


def positive_nodule(finding: Finding) -> tuple[bool, str]:
    """Is this a "positive nodule" of the national screening programme (baseline definition)?"""
    if finding.benign:
        return False, "calcified or fat-containing"
    if finding.location == "airway":
        return True, "endobronchial nodule"
    threshold = POSITIVE_FROM_MM.get(finding.density_type)
    if threshold is None:
        return False, "atypical cyst: not in the definition"
    mean = float(round_mm(finding.mean_diameter_mm, "0.1"))
    name = finding.density_type.replace("_", "-")
    if mean >= threshold:
        return True, f"{name} {mean} mm >= {threshold} mm"
    return False, f"{name} {mean} mm < {threshold} mm"


def screening_positive(nodules: list[Finding]) -> dict[str, Any]:
    rows = [(n.id, *positive_nodule(n)) for n in nodules]
    return {
        "positive": any(p for _, p, _ in rows),
        "source": "China guideline for lung cancer screening and early diagnosis and "
        "treatment (2021), baseline positive-nodule definition",
        "nodules": [{"id": i, "positive": p, "rule": r} for i, p, r in rows],
    }
