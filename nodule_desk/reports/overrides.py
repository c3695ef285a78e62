"""The radiologist's override of the guideline: a category with its own management and date,
the reason, who and when; and what the report says about it.

Lung-RADS v2022 ties management to the category ("Management" column of the v2022 table): a
category changed by hand without its management would report, say, 4B with a 12-month LDCT.
So an override of the category brings that category's management and follow-up interval unless
the radiologist gives their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dateutil.relativedelta import relativedelta

from nodule_desk.errors import NoduleDeskError
from nodule_desk.guidelines.lung_rads_table import MANAGEMENT
from nodule_desk.store import Report, Store
from nodule_desk.store.connection import now_utc


class OverrideRefused(NoduleDeskError):
    """An override without its reason, or of a study without a draft."""


def category_management(category: str, exam_date: dt.date) -> dict[str, Any]:
    """The Lung-RADS v2022 management of ``category`` and its follow-up date from the exam."""
    management, management_zh, months = MANAGEMENT[category]
    return {
        "management": management,
        "management_zh": management_zh,
        "follow_up_months": months,
        "follow_up_date": (exam_date + relativedelta(months=months)).isoformat()
        if months
        else None,
    }


def whole_override(
    content: Mapping[str, Any], changes: Mapping[str, Any], exam_date: dt.date
) -> dict[str, Any]:
    """``changes`` with the management and date of a changed category filled in where the
    radiologist did not give their own."""
    whole = dict(changes)
    category = changes.get("exam_category")
    if category and category != content.get("exam_category") and category in MANAGEMENT:
        for key, value in category_management(category, exam_date).items():
            whole.setdefault(key, value)
    return whole


def record_override(
    store: Store,
    study_uid: str,
    changes: Mapping[str, Any],
    reason: str,
    exam_date: dt.date,
    user: str | None = None,
) -> Report:
    if not reason.strip():
        raise OverrideRefused("an override of the guideline needs a reason")
    report = store.current_report(study_uid)
    if report is None:
        raise OverrideRefused(f"study {study_uid} has no draft report to change")
    whole = whole_override(report.content, changes, exam_date)
    entry = {"changes": whole, "reason": reason.strip(), "by": user or store.user, "at": now_utc()}
    return store.save_draft(
        study_uid,
        {**report.content, **whole},
        user=user,
        language=report.language,
        override_reasons=[*report.override_reasons, entry],
    )


def guideline_category(content: Mapping[str, Any]) -> str | None:
    """The exam category the guideline engine gave, before any override."""
    classification = content.get("classification") or {}
    return (classification.get("lung_rads") or {}).get("category")


def override_facts(report: Report) -> dict[str, Any]:
    """For the report: the guideline's own category, and the last override's reason and author."""
    facts: dict[str, Any] = {"guideline_category": guideline_category(report.content)}
    if report.override_reasons:
        last = report.override_reasons[-1]
        facts.update(override_reason=last.get("reason", ""), override_by=last.get("by", ""))
    return facts
