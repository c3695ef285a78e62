"""The Chinese national LDCT screening programme: "positive" by screening round, and management.

Sources: 中国肺癌筛查与早诊早治指南 (2021, 北京), He J et al., 中华肿瘤杂志 2021;43(3):243-268
(doi:10.3760/cma.j.cn112152-20210119-00060), and its companion revision 中国肺癌低剂量CT筛查指南
(2023 年版), 中国肺癌杂志 2023;26(1):1-9 (PMC9987116), whose abstract says it moved "部分阳性结节的
随访时间由3个月调整为6个月" (the follow-up of some positive nodules from 3 to 6 months).

Baseline positive (2021): a non-calcified solid or part-solid nodule >= 5 mm, a non-solid nodule
>= 8 mm, or an airway (endobronchial) lesion. Repeat (annual) screening positive (2021, as we
read it): a new non-calcified nodule or airway lesion, or an existing nodule that grew or whose
solid component increased. The primary texts' nodule-management sections were not available
while writing this; see docs/guidelines.md for what is our reading.
"""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding, round_mm
from nodule_desk.guidelines.history import change_mm, current, solid_tissue_mean_mm

SOURCE = "中国肺癌筛查与早诊早治指南 (2021) and 中国肺癌低剂量CT筛查指南 (2023 revision)"
POSITIVE_FROM_MM = {"solid": 5, "part_solid": 5, "ground_glass": 8}
"""Baseline round: density -> smallest mean diameter (mm) that is positive."""
GROWTH_MM = 1.5
"""Repeat round "增大" (grew): no number in what we could read; the 1.5 mm that Lung-RADS v2022
also uses as the smallest reliable caliper change (our reading, said in the rule)."""
WORK_UP_FROM_MM = 15
"""Solid / part-solid nodules from 15 mm: clinical work-up rather than a repeat LDCT."""

MANAGEMENT = {
    "negative": (
        "Negative: continue annual LDCT screening.",
        "阴性：继续年度低剂量 CT 筛查。",
        12,
    ),
    "short_interval": (
        "Positive: repeat LDCT in 6 months (2023 revision; 3 months in earlier versions).",
        "阳性：6 个月后复查低剂量 CT（2023 年版；此前版本为 3 个月）。",
        6,
    ),
    "repeat_positive": (
        "Positive on repeat screening (new nodule or growth): repeat LDCT in 3 months, or "
        "multidisciplinary (MDT) evaluation when suspicious.",
        "年度筛查阳性（新发结节或结节增大）：3 个月后复查低剂量 CT，可疑者多学科（MDT）评估。",
        3,
    ),
    "work_up": (
        "Positive, solid component >= 15 mm or airway lesion: clinical evaluation by a "
        "multidisciplinary team (bronchoscopy for airway lesions, PET/CT or biopsy as indicated).",
        "阳性，实性成分 ≥ 15 mm 或气道病变：多学科团队临床评估"
        "（气道病变行支气管镜，酌情 PET/CT 或活检）。",
        None,
    ),
}


def _baseline_positive(finding: Finding) -> tuple[bool, str]:
    if finding.location == "airway":
        return True, "airway (endobronchial) lesion"
    threshold = POSITIVE_FROM_MM.get(finding.density_type)
    if threshold is None:
        return False, "atypical cyst: not in the definition"
    mean = float(round_mm(finding.mean_diameter_mm, "0.1"))
    name = finding.density_type.replace("_", "-")
    if mean >= threshold:
        return True, f"{name} {mean} mm >= {threshold} mm (baseline definition)"
    return False, f"{name} {mean} mm < {threshold} mm (baseline definition)"


def _grew(finding: Finding, exam: Exam) -> str | None:
    """Why the nodule counts as grown on a repeat screen, against any earlier measurement."""
    now = current(finding, exam)
    for before in finding.history:
        if before.density_type == "ground_glass" and now.density_type in ("solid", "part_solid"):
            return f"solid component appeared since {before.exam_date} (实性成分增加)"
        total = change_mm(now.mean_diameter_mm, before.mean_diameter_mm)
        if total is not None and total > GROWTH_MM:
            return f"mean diameter up {total} mm since {before.exam_date} (增大)"
        solid = change_mm(solid_tissue_mean_mm(now), solid_tissue_mean_mm(before))
        if now.density_type == "part_solid" and solid is not None and solid > GROWTH_MM:
            return f"solid component up {solid} mm since {before.exam_date} (实性成分增加)"
    return None


def positive_nodule(finding: Finding, exam: Exam) -> tuple[bool, str]:
    """Is this a "positive nodule" of the national programme in this exam's screening round?"""
    if finding.benign:
        return False, "calcified or fat-containing"
    if exam.round == "baseline":
        return _baseline_positive(finding)
    if not finding.history:
        kind = "airway lesion" if finding.location == "airway" else "non-calcified nodule"
        return True, f"new {kind} on repeat screening"
    grew = _grew(finding, exam)
    if grew is not None:
        return True, f"{grew}, on repeat screening (threshold {GROWTH_MM} mm: our reading)"
    return False, "known nodule, not grown: not positive on repeat screening"


def _management_key(finding: Finding, exam: Exam) -> str:
    """For a positive nodule: work-up, else the round's short-interval LDCT (on a repeat screen
    a positive nodule is always new or grown)."""
    solid = solid_tissue_mean_mm(current(finding, exam))
    if finding.location == "airway" or (solid is not None and solid >= WORK_UP_FROM_MM):
        return "work_up"
    return "repeat_positive" if exam.round == "annual" else "short_interval"


_ORDER = ("negative", "short_interval", "repeat_positive", "work_up")


def screening_positive(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    """The programme's answer for the exam: positive or not, per nodule, with the management."""
    rows = []
    for nodule in nodules:
        positive, why = positive_nodule(nodule, exam)
        key = _management_key(nodule, exam) if positive else "negative"
        rows.append({"id": nodule.id, "positive": positive, "rule": why, "management_key": key})
    key = max((r["management_key"] for r in rows), key=_ORDER.index, default="negative")
    management, management_zh, months = MANAGEMENT[key]
    return {
        "positive": any(r["positive"] for r in rows),
        "screening_round": exam.round,
        "source": f"{SOURCE}, {exam.round} round definition",
        "management": management,
        "management_zh": management_zh,
        "follow_up_months": months,
        "follow_up_date": (exam.date + relativedelta(months=months)).isoformat()
        if months
        else None,
        "nodules": rows,
    }
