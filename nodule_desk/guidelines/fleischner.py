"""Fleischner Society 2017 guidelines for incidental pulmonary nodules.

Source: MacMahon H et al., "Guidelines for Management of Incidental Pulmonary Nodules Detected on
CT Images: From the Fleischner Society 2017", Radiology 2017;284(1):228-243, Table 1. Sizes are the
average of long and short axes rounded to the nearest millimetre (same paper, "Measurement");
< 6 mm is <= 5 mm after rounding, 6-8 mm is 6, 7 or 8 mm, > 8 mm is 9 mm or more.
Not for: patients under 35, lung cancer screening, known primary cancer, immunocompromised patients
(same paper, "Scope").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding, round_mm
from nodule_desk.guidelines.fleischner_follow_up import months_until, next_step
from nodule_desk.guidelines.history import change_mm, current, months_apart, solid_tissue_mean_mm

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
    due_date: dt.date | None = None
    """When a second step counted from the nodule's first CT falls (follow-up exams)."""


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


GROWTH_MM = 2
"""Growth on a follow-up CT: average diameter (or solid component) up by 2 mm or more after
rounding to 1 mm, our reading of the Fleischner measurement statement (Bankier et al., Radiology
2017;285:584-600), which we could not open here; marked in the rule."""
GROWTH = _rec(
    "growth_on_follow_up",
    9,
    "Growth since the prior CT: no longer a stable incidental nodule; further evaluation (PET/CT, "
    "tissue sampling or resection) should be considered.",
    "与既往 CT 相比增大：不再按稳定偶发结节处理，应考虑进一步评估（PET/CT、组织取样或手术切除）。",
)
STABLE_SOLID = _rec(
    "solid_stable_2_years",
    0,
    "Solid nodule stable for 2 years or more: no further routine follow-up.",
    "实性结节稳定 ≥ 2 年：无需继续常规随访。",
)
STABLE_SOLID_YEARS = 2
STABLE_SUBSOLID_YEARS = 5
STABLE_SUBSOLID = _rec(
    "subsolid_stable_5_years",
    0,
    "Subsolid nodule stable for 5 years: follow-up may end.",
    "亚实性结节稳定满 5 年：可结束随访。",
)


def _diameter(finding: Finding) -> int:
    return int(round_mm(finding.mean_diameter_mm, "1"))


def solid_component_mm(finding: Finding) -> tuple[int | None, str]:
    """The solid component, rounded to 1 mm, by its long axis (Fleischner's measurement
    statement measures the solid component's maximal diameter); its mean diameter only when no
    long axis was given (then said: it may read the nodule lower)."""
    if finding.solid_component_long_axis_mm is not None:
        return int(round_mm(finding.solid_component_long_axis_mm, "1")), "long axis"
    if finding.solid_component_mean_diameter_mm is not None:
        return int(round_mm(finding.solid_component_mean_diameter_mm, "1")), (
            "mean diameter (long axis not given)"
        )
    return None, ""


def typical_perifissural(finding: Finding) -> bool:
    return (
        finding.location in ("perifissural", "juxtapleural")
        and finding.density_type == "solid"
        and _diameter(finding) < PERIFISSURAL_BELOW_MM
    )


def _growth(finding: Finding, exam: Exam) -> str | None:
    """Growth against any earlier CT (the paper: priors "should always be reviewed ... to
    determine possible growth or stability")."""
    now = current(finding, exam)
    for before in finding.history:
        if before.density_type == "ground_glass" and now.density_type in ("solid", "part_solid"):
            return f"new solid component since {before.exam_date}"
        total = change_mm(now.mean_diameter_mm, before.mean_diameter_mm, "1")
        if total is not None and total >= GROWTH_MM:
            return f"average diameter up {total} mm since {before.exam_date}"
        solid = change_mm(solid_tissue_mean_mm(now), solid_tissue_mean_mm(before), "1")
        if now.density_type == "part_solid" and solid is not None and solid >= GROWTH_MM:
            return f"solid component up {solid} mm since {before.exam_date}"
    return None


def _stable_for_years(finding: Finding, exam: Exam) -> int | None:
    oldest = finding.history[0].exam_date if finding.history else None
    months = months_apart(oldest, exam.date)
    return None if months is None else months // 12


def _row_for(
    finding: Finding, exam: Exam, multiple_solid: bool, multiple_subsolid: bool, risk: str
) -> tuple[Recommendation, int, str]:
    diameter = _diameter(finding)
    grew = _growth(finding, exam)
    if grew is not None:
        return GROWTH, diameter, f"{grew} (growth: >= {GROWTH_MM} mm, our reading)"
    years = _stable_for_years(finding, exam)
    if finding.history and years is not None:
        if finding.density_type == "solid" and years >= STABLE_SOLID_YEARS:
            return STABLE_SOLID, diameter, f"stable since {finding.history[0].exam_date}"
        if finding.subsolid and years >= STABLE_SUBSOLID_YEARS:
            return STABLE_SUBSOLID, diameter, f"stable since {finding.history[0].exam_date}"
    if typical_perifissural(finding):
        return PERIFISSURAL, diameter, ""
    if finding.density_type == "solid":
        count = "multiple" if multiple_solid else "single"
        key = ("solid", count, solid_band(diameter), risk)
    else:
        band = "<6" if diameter < 6 else ">=6"
        kind = "subsolid" if multiple_subsolid else finding.density_type
        key = (kind, "multiple" if multiple_subsolid else "single", band, "any")
    row = TABLE_1[key]
    if not finding.history:
        return row, diameter, ""
    step = next_step(row.key, finding, exam, solid_component_mm(finding)[0])
    if step is None:
        return row, diameter, "unchanged since the prior CT: Table 1 row as at first detection"
    text, text_zh, due = step
    months = None if due is None else (months_until(exam.date, due),) * 2
    follow = Recommendation(
        f"{row.key}_next_step", row.urgency if due else 0, text, text_zh, months, due
    )
    return follow, diameter, "unchanged: Table 1's next step"


def _not_applicable(result: dict[str, Any], reason: str) -> dict[str, Any]:
    plain = reason not in (NO_COVERED_NODULE, "lung cancer screening exam: use Lung-RADS")
    text = f"Not applicable: {reason}."
    text_zh = f"不适用：{EXCLUSIONS_ZH[reason]}。"
    if plain:
        text += " No guideline here covers this patient's incidental nodule; manage clinically."
        text_zh += "本系统的指南均不适用于该患者的偶发结节，请临床处理。"
    return {
        **result,
        "applicable": False,
        "reason": reason,
        "recommendation": text,
        "recommendation_zh": text_zh,
        "rule": f"exclusion: {reason}",
        "follow_up_months": None,
        "nodules": [],
    }


def _exam_row(
    exam: Exam, covered: list[Finding], risk: str
) -> tuple[
    list[tuple[Finding, Recommendation, int, str]], tuple[Finding, Recommendation, int, str]
]:
    solid = [n for n in covered if n.density_type == "solid" and not typical_perifissural(n)]
    subsolid = [n for n in covered if n.subsolid]
    rows = [(n, *_row_for(n, exam, len(solid) > 1, len(subsolid) > 1, risk)) for n in covered]
    return rows, max(rows, key=lambda r: (r[1].urgency, r[2]))


def _texts(nodule: Finding, chosen: Recommendation, diameter: int) -> tuple[str, str, str]:
    text, text_zh, solid_note = chosen.text, chosen.text_zh, ""
    if nodule.density_type == "part_solid":
        solid_mm, measure = solid_component_mm(nodule)
        if solid_mm is not None:
            solid_note = f", solid component {solid_mm} mm ({measure})"
            if diameter >= 6 and solid_mm >= SUSPICIOUS_SOLID_COMPONENT_MM:
                text = f"{text} {SUSPICIOUS_SOLID_COMMENT[0]}"
                text_zh = f"{text_zh}{SUSPICIOUS_SOLID_COMMENT[1]}"
    return text, text_zh, solid_note


@dataclass(frozen=True)
class _Answer:
    """The exam's most demanding row under one risk column."""

    rows: list[tuple[Finding, Recommendation, int, str]]
    nodule: Finding
    chosen: Recommendation
    diameter: int
    note: str
    text: str
    text_zh: str
    solid_note: str

    @property
    def due(self) -> dt.date | None:
        return self.chosen.due_date


def _answer(exam: Exam, covered: list[Finding], risk: str) -> _Answer:
    rows, (nodule, chosen, diameter, note) = _exam_row(exam, covered, risk)
    text, text_zh, solid_note = _texts(nodule, chosen, diameter)
    return _Answer(rows, nodule, chosen, diameter, note, text, text_zh, solid_note)


def _follow_up(exam: Exam, answers: list[_Answer]) -> dict[str, Any]:
    """The soonest follow-up over the risk columns shown (both when the risk is unknown)."""
    timed = [a for a in answers if a.chosen.follow_up_months]
    if not timed:
        return {"follow_up_months": None, "follow_up_months_range": None, "follow_up_date": None}
    soonest = min(timed, key=lambda a: a.chosen.follow_up_months[0])  # type: ignore[index]
    months = soonest.chosen.follow_up_months
    assert months is not None
    due = soonest.due or exam.date + relativedelta(months=months[0])
    return {
        "follow_up_months": months[0],
        "follow_up_months_range": list(months),
        "follow_up_date": due.isoformat(),
    }


def classify_exam(exam: Exam, nodules: list[Finding]) -> dict[str, Any]:
    """Fleischner 2017 for the exam: the most demanding row over its nodules. Without the
    patient's risk both columns are given (Table 1 has no default risk)."""
    result: dict[str, Any] = {"guideline": VERSION}
    reason = exclusion(exam)
    covered = [
        n for n in nodules if not n.benign and n.location != "airway" and n.density_type != "cyst"
    ]
    if reason is None and not covered:
        reason = NO_COVERED_NODULE
    if reason is not None:
        return _not_applicable(result, reason)
    risks = ["high" if exam.high_risk else "low"] if exam.high_risk is not None else ["low", "high"]
    answers = {risk: _answer(exam, covered, risk) for risk in risks}
    shown = answers[risks[-1]]
    text, text_zh = shown.text, shown.text_zh
    risk_note = f"{risks[0]} risk"
    if len(risks) == 2:
        low = answers["low"]
        same = low.text == shown.text
        if not same:
            text = f"Risk not given: low risk: {low.text} High risk: {shown.text}"
            text_zh = f"未提供风险分层：低危：{low.text_zh}高危：{shown.text_zh}"
        risk_note = f"risk not given ({'both columns agree' if same else 'both columns shown'})"
    chosen, nodule = shown.chosen, shown.nodule
    source = "Table 1" if chosen in TABLE_1.values() else "follow-up rule"
    multiple = "multiple" if "multiple" in chosen.key else "single"
    out = {
        **result,
        "applicable": True,
        "recommendation": text,
        "recommendation_zh": text_zh,
        "rule": f"{source} {chosen.key} from nodule {nodule.id}: {nodule.density_type}, "
        f"{multiple}, {shown.diameter} mm (average diameter rounded to 1 mm)"
        f"{shown.solid_note}, {risk_note}" + (f"; {shown.note}" if shown.note else ""),
        "risk": risks[0] if len(risks) == 1 else "unknown",
        **_follow_up(exam, list(answers.values())),
        "nodules": [
            {
                "id": n.id,
                "diameter_mm": d,
                "row": r.key,
                "recommendation": r.text,
                **({"note": why} if why else {}),
            }
            for n, r, d, why in shown.rows
        ],
    }
    if len(risks) == 2:
        out["missing_inputs"] = ["high_risk"]
        out["by_risk"] = {
            risk: {"recommendation": a.text, "recommendation_zh": a.text_zh, "row": a.chosen.key}
            for risk, a in answers.items()
        }
    return out
