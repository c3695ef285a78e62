"""Fleischner 2017 Table 1's second steps, for a nodule that is unchanged on a follow-up CT.

Table 1 words most cells as a first CT and what follows it ("CT at 6-12 months, then CT at 18-24
months"; "CT at 6-12 months to confirm persistence, then CT every 2 years until 5 years"). On a
follow-up exam of an unchanged nodule the next step is due, counted from the nodule's first CT
where the table counts from it, and not the first step again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from nodule_desk.guidelines.findings import Exam, Finding


@dataclass(frozen=True)
class NextStep:
    text: str
    text_zh: str
    milestones_months: tuple[int, ...]
    """When the next CTs fall, in months after the nodule's first CT."""
    every_months: int | None = None
    """Repeat interval after the first follow-up (``until_months`` after the first CT)."""
    until_months: int | None = None


SOLID_18_24 = NextStep("then CT at 18-24 months", "之后 18–24 个月复查 CT", (18,))
SOLID_CONSIDER_18_24 = NextStep(
    "then consider CT at 18-24 months", "之后考虑 18–24 个月复查 CT", (18,)
)
SECOND_STEPS = {
    "solid_single_6to8_low": SOLID_CONSIDER_18_24,
    "solid_single_6to8_high": SOLID_18_24,
    "solid_multiple_6to8_low": SOLID_CONSIDER_18_24,
    "solid_multiple_6to8_high": SOLID_18_24,
    "solid_multiple_gt8_low": SOLID_CONSIDER_18_24,
    "solid_multiple_gt8_high": SOLID_18_24,
    "solid_single_lt6_high": NextStep("optional CT at 12 months", "可选择 12 个月时复查 CT", (12,)),
    "solid_multiple_lt6_high": NextStep(
        "optional CT at 12 months", "可选择 12 个月时复查 CT", (12,)
    ),
    "ggn_single_ge6": NextStep(
        "persistent: CT every 2 years until 5 years",
        "病灶持续存在：每 2 年复查 CT 至满 5 年",
        (),
        every_months=24,
        until_months=60,
    ),
    "part_solid_single_ge6": NextStep(
        "persistent, unchanged, solid component < 6 mm: annual CT for 5 years",
        "病灶持续存在、无变化且实性成分 < 6 mm：每年复查 CT 至满 5 年",
        (),
        every_months=12,
        until_months=60,
    ),
    "subsolid_multiple_lt6": NextStep(
        "stable: consider CT at 2 and 4 years", "稳定：考虑 2 年和 4 年时复查 CT", (24, 48)
    ),
}


def _due(step: NextStep, first: dt.date, today: dt.date) -> dt.date | None:
    """The next CT's date after ``today``, or None when the table schedules nothing more."""
    if step.every_months is not None:
        end = first + relativedelta(months=step.until_months or 0)
        if today >= end:
            return None
        return min(today + relativedelta(months=step.every_months), end)
    upcoming = [first + relativedelta(months=m) for m in step.milestones_months]
    later = [d for d in upcoming if d > today]
    return later[0] if later else None


def next_step(
    key: str, finding: Finding, exam: Exam, solid_component_mm: int | None
) -> tuple[str, str, dt.date | None] | None:
    """(text, text_zh, due date or None) for an unchanged nodule whose Table 1 row is ``key``,
    or None when the row has no second step (or its condition does not hold)."""
    step = SECOND_STEPS.get(key)
    first = finding.history[0].exam_date if finding.history else None
    if step is None or first is None:
        return None
    if key == "part_solid_single_ge6" and (solid_component_mm is None or solid_component_mm >= 6):
        return None
    due = _due(step, first, exam.date)
    since = f"Unchanged since {first}: "
    if due is None:
        return (
            f"{since}Table 1 schedule complete ({step.text}); no further routine follow-up.",
            f"自 {first} 起无变化：表 1 随访已完成（{step.text_zh}）；无需继续常规随访。",
            None,
        )
    return (
        f"{since}{step.text}; next CT due {due}.",
        f"自 {first} 起无变化：{step.text_zh}；下次 CT 约在 {due}。",
        due,
    )


def months_until(today: dt.date, due: dt.date) -> int:
    delta = relativedelta(due, today)
    return max(0, delta.years * 12 + delta.months)
