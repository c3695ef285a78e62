"""Fleischner Society 2017 guidelines for incidental pulmonary nodules.

Source: MacMahon H et al., "Guidelines for Management of Incidental Pulmonary Nodules Detected on
CT Images: From the Fleischner Society 2017", Radiology 2017;284(1):228-243, Table 1. Sizes are the
average of long and short axes rounded to the nearest millimetre (same paper, "Measurement");
< 6 mm is <= 5 mm after rounding, 6-8 mm is 6, 7 or 8 mm, > 8 mm is 9 mm or more.
Not for: patients under 35, lung cancer screening, known primary cancer, immunocompromised patients
(same paper, "Scope").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding, round_mm

VERSION = "Fleischner Society 2017"
MIN_AGE_YEARS = 35


@dataclass(frozen=True)
class Recommendation:
    key: str
    urgency: int
    """Orders rows so the exam takes the most demanding one (higher = sooner / more invasive)."""
    text: str
    text_zh: str
    follow_up_months: tuple[int, int] | None


def _rec(
    key: str, urgency: int, text: str, text_zh: str, months: tuple[int, int] | None = None
) -> Recommendation:
    return Recommendation(key, urgency, text, text_zh, months)


# Table 1 of MacMahon et al. 2017, row by row. Key: type / single-multiple / size band / risk.
TABLE_1 = {
    ("solid", "single", "<6", "low"): _rec(
        "solid_single_lt6_low", 0, "No routine follow-up.", "无需常规随访。"
    ),
    ("solid", "single", "<6", "high"): _rec(
        "solid_single_lt6_high",
        1,
        "Optional CT at 12 months.",
        "可选择 12 个月时复查 CT。",
        (12, 12),
    ),
    ("solid", "single", "6-8", "low"): _rec(
        "solid_single_6to8_low",
        3,
        "CT at 6-12 months, then consider CT at 18-24 months.",
        "6–12 个月复查 CT，之后考虑 18–24 个月复查 CT。",
        (6, 12),
    ),
    ("solid", "single", "6-8", "high"): _rec(
        "solid_single_6to8_high",
        4,
        "CT at 6-12 months, then CT at 18-24 months.",
        "6–12 个月复查 CT，之后 18–24 个月复查 CT。",
        (6, 12),
    ),
    ("solid", "single", ">8", "low"): _rec(
        "solid_single_gt8",
        7,
        "Consider CT at 3 months, PET/CT, or tissue sampling.",
        "考虑 3 个月复查 CT、PET/CT 或组织取样。",
        (3, 3),
    ),
    ("solid", "multiple", "<6", "low"): _rec(
        "solid_multiple_lt6_low", 0, "No routine follow-up.", "无需常规随访。"
    ),
    ("solid", "multiple", "<6", "high"): _rec(
        "solid_multiple_lt6_high",
        1,
        "Optional CT at 12 months.",
        "可选择 12 个月时复查 CT。",
        (12, 12),
    ),
    ("solid", "multiple", "6-8", "low"): _rec(
        "solid_multiple_6to8_low",
        5,
        "CT at 3-6 months, then consider CT at 18-24 months.",
        "3–6 个月复查 CT，之后考虑 18–24 个月复查 CT。",
        (3, 6),
    ),
    ("solid", "multiple", "6-8", "high"): _rec(
        "solid_multiple_6to8_high",
        5,
        "CT at 3-6 months, then at 18-24 months.",
        "3–6 个月复查 CT，之后 18–24 个月复查 CT。",
        (3, 6),
    ),
    ("solid", "multiple", ">8", "low"): _rec(
        "solid_multiple_gt8_low",
        6,
        "CT at 3-6 months, then consider CT at 18-24 months.",
        "3–6 个月复查 CT，之后考虑 18–24 个月复查 CT。",
        (3, 6),
    ),
    ("solid", "multiple", ">8", "high"): _rec(
        "solid_multiple_gt8_high",
        6,
        "CT at 3-6 months, then at 18-24 months.",
        "3–6 个月复查 CT，之后 18–24 个月复查 CT。",
        (3, 6),
    ),
    ("ground_glass", "single", "<6", "any"): _rec(
        "ggn_single_lt6", 0, "No routine follow-up.", "无需常规随访。"
    ),
    ("ground_glass", "single", ">=6", "any"): _rec(
        "ggn_single_ge6",
        2,
        "CT at 6-12 months to confirm persistence, then CT every 2 years until 5 years.",
        "6–12 个月复查 CT 确认病灶持续存在，之后每 2 年复查 CT 至满 5 年。",
        (6, 12),
    ),
    ("part_solid", "single", "<6", "any"): _rec(
        "part_solid_single_lt6", 0, "No routine follow-up.", "无需常规随访。"
    ),
    ("part_solid", "single", ">=6", "any"): _rec(
        "part_solid_single_ge6",
        5,
        "CT at 3-6 months to confirm persistence. If unchanged and solid component remains "
        "< 6 mm, annual CT should be performed for 5 years.",
        "3–6 个月复查 CT 确认病灶持续存在；若无变化且实性成分仍 < 6 mm，每年复查 CT 至满 5 年。",
        (3, 6),
    ),
    ("subsolid", "multiple", "<6", "any"): _rec(
        "subsolid_multiple_lt6",
        2,
        "CT at 3-6 months. If stable, consider CT at 2 and 4 years.",
        "3–6 个月复查 CT；若稳定，考虑 2 年和 4 年时复查 CT。",
        (3, 6),
    ),
    ("subsolid", "multiple", ">=6", "any"): _rec(
        "subsolid_multiple_ge6",
        5,
        "CT at 3-6 months. Subsequent management based on the most suspicious nodule(s).",
        "3–6 个月复查 CT；后续处理依据最可疑的结节。",
        (3, 6),
    ),
}
# Table 1 gives one cell for both risk levels of a single solid nodule > 8 mm.
TABLE_1[("solid", "single", ">8", "high")] = TABLE_1[("solid", "single", ">8", "low")]

PERIFISSURAL_BELOW_MM = 10
"""MacMahon 2017, text ("Perifissural nodules"): a solid perifissural nodule of typical
morphology under 10 mm needs no follow-up. We apply it to juxtapleural nodules too (the contract's
location says the morphology is benign-looking); the paper's text names perifissural only."""
PERIFISSURAL = _rec(
    "perifissural_lt10",
    0,
    "No routine follow-up (typical perifissural nodule < 10 mm).",
    "无需常规随访（典型叶裂旁结节 < 10 mm）。",
)


SUSPICIOUS_SOLID_COMPONENT_MM = 6
"""Table 1, comment on part-solid nodules: a persistent part-solid nodule whose solid component is
6 mm or more should be considered highly suspicious (recommendations 4A-4C)."""
SUSPICIOUS_SOLID_COMMENT = (
    "Persistent part-solid nodules with solid components >= 6 mm should be considered highly "
    "suspicious.",
    "持续存在且实性成分 ≥ 6 mm 的部分实性结节应视为高度可疑。",
)


NO_COVERED_NODULE = (
    "no nodule that Table 1 covers (benign, airway and cyst findings are outside it)"
)
EXCLUSIONS_ZH = {
    "lung cancer screening exam: use Lung-RADS": "肺癌筛查检查：请使用 Lung-RADS",
    f"patient under {MIN_AGE_YEARS} years": f"患者年龄小于 {MIN_AGE_YEARS} 岁",
    "patient with known primary cancer": "患者已知患有原发恶性肿瘤",
    "immunocompromised patient": "免疫功能低下患者",
    NO_COVERED_NODULE: "无 Fleischner 表 1 适用的结节（良性、气道结节和囊性病变不在其内）",
}


def exclusion(exam: Exam) -> str | None:
    """Why Fleischner 2017 does not apply to this exam, or None."""
    if exam.context == "screening":
        return "lung cancer screening exam: use Lung-RADS"
    if exam.patient_age is not None and exam.patient_age < MIN_AGE_YEARS:
        return f"patient under {MIN_AGE_YEARS} years"
    if exam.known_cancer:
        return "patient with known primary cancer"
    if exam.immunocompromised:
        return "immunocompromised patient"
    return None


def solid_band(diameter_mm: int) -> str:
    return "<6" if diameter_mm < 6 else ("6-8" if diameter_mm <= 8 else ">8")


def _row_for(finding: Finding, multiple: bool, risk: str) -> tuple[Recommendation, int]:
    diameter = int(round_mm(finding.mean_diameter_mm, "1"))
    if finding.location in ("perifissural", "juxtapleural") and finding.density_type == "solid":
        if diameter < PERIFISSURAL_BELOW_MM:
            return PERIFISSURAL, diameter
    if finding.density_type == "solid":
        key = ("solid", "multiple" if multiple else "single", solid_band(diameter), risk)
    else:
        band = "<6" if diameter < 6 else ">=6"
        kind = "subsolid" if multiple else finding.density_type
        key = (kind, "multiple" if multiple else "single", band, "any")
    return TABLE_1[key], diameter


def classify_exam(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    """Fleischner 2017 for the exam: the most demanding row over its nodules."""
    result: dict[str, Any] = {"guideline": VERSION}
    reason = exclusion(exam)
    covered = [
        n for n in nodules if not n.benign and n.location != "airway" and n.density_type != "cyst"
    ]
    if reason is None and not covered:
        reason = NO_COVERED_NODULE
    if reason is not None:
        return {
            **result,
            "applicable": False,
            "reason": reason,
            "recommendation": f"Not applicable: {reason}.",
            "recommendation_zh": f"不适用：{EXCLUSIONS_ZH[reason]}。",
            "rule": f"exclusion: {reason}",
            "follow_up_months": None,
            "nodules": [],
        }
    risk = "high" if exam.high_risk in (True, None) else "low"
    multiple = len(covered) > 1
    rows = [(n, *_row_for(n, multiple, risk)) for n in covered]
    nodule, chosen, diameter = max(rows, key=lambda r: (r[1].urgency, r[2]))
    months = chosen.follow_up_months
    risk_note = "high risk (not given: high assumed)" if exam.high_risk is None else f"{risk} risk"
    text, text_zh = chosen.text, chosen.text_zh
    solid_note = ""
    if nodule.density_type == "part_solid" and nodule.solid_component_mm is not None:
        solid_mm = int(round_mm(nodule.solid_component_mm, "1"))
        solid_note = f", solid component {solid_mm} mm"
        if diameter >= 6 and solid_mm >= SUSPICIOUS_SOLID_COMPONENT_MM:
            text = f"{text} {SUSPICIOUS_SOLID_COMMENT[0]}"
            text_zh = f"{text_zh}{SUSPICIOUS_SOLID_COMMENT[1]}"
    return {
        **result,
        "applicable": True,
        "recommendation": text,
        "recommendation_zh": text_zh,
        "rule": f"Table 1 {chosen.key} from nodule {nodule.id}: {nodule.density_type}, "
        f"{'multiple' if multiple else 'single'}, {diameter} mm (average diameter rounded to "
        f"1 mm){solid_note}, {risk_note}",
        "risk": risk,
        "follow_up_months": months[0] if months else None,
        "follow_up_months_range": list(months) if months else None,
        "follow_up_date": (exam.date + relativedelta(months=months[0])).isoformat()
        if months
        else None,
        "nodules": [
            {"id": n.id, "diameter_mm": d, "row": r.key, "recommendation": r.text}
            for n, r, d in rows
        ],
    }
