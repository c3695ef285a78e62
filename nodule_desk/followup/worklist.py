"""Who is due for a follow-up CT: the branch doctor's worklist.

A patient's next follow-up is the date the signed report of their latest reported visit
recommends (its recommended interval from the exam date), unless a doctor set it by hand later,
with a reason. A follow-up CT done after that report meets the date: the patient is then waiting
for that visit's report, not overdue.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from nodule_desk.store import Store

CATEGORY_ORDER = ("0", "1", "2", "3", "4A", "4B", "4X", "S")


@dataclass(frozen=True)
class FollowUpItem:
    patient_id: str
    name: str
    next_due: str | None
    """ISO date; None while a follow-up CT waits for its report."""
    overdue_days: int
    category: str | None
    reason: str
    last_study_date: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _signed_reports(store: Store) -> dict[str, list[dict]]:
    rows = store.query_all(
        "SELECT p.patient_id, st.study_uid, st.study_date, r.signed_at, r.language, "
        "json_extract(r.content, '$.follow_up_date') AS follow_up_date, "
        "json_extract(r.content, '$.exam_category') AS category, "
        "json_extract(r.content, '$.guideline') AS guideline, "
        "json_extract(r.content, '$.management') AS management, "
        "json_extract(r.content, '$.management_zh') AS management_zh "
        "FROM reports AS r JOIN studies AS st ON st.id = r.study "
        "JOIN patients AS p ON p.id = st.patient WHERE r.status = 'signed' "
        "AND NOT EXISTS (SELECT 1 FROM reports AS newer WHERE newer.replaces = r.id "
        "AND newer.status = 'signed') ORDER BY st.study_date, r.version"
    )
    by_patient: dict[str, list[dict]] = {}
    for row in rows:
        by_patient.setdefault(row["patient_id"], []).append(row)
    return by_patient


def _item(
    store: Store, patient_id: str, reports: list[dict], today: dt.date
) -> FollowUpItem | None:
    patient = store.get_patient(patient_id)
    studies = store.studies_of_patient(patient_id)
    last_study = studies[-1].study_date if studies else None
    latest = reports[-1] if reports else None
    override = store.follow_up_override(patient_id)
    next_due: str | None = latest["follow_up_date"] if latest else None
    category = (latest["category"] or latest["guideline"]) if latest else None
    reason = ""
    if latest:
        reason = (latest["management_zh"] if latest["language"] == "zh_CN" else None) or (
            latest["management"] or ""
        )
        later = [s for s in studies if (s.study_date or "") > (latest["study_date"] or "")]
        if later:
            next_due = None
            reason = f"follow-up CT of {later[-1].study_date} awaits its report"
    if override and (latest is None or override.decided_at >= (latest["signed_at"] or "")):
        next_due, reason = override.next_due, f"set by {override.decided_by}: {override.reason}"
    if latest is None and override is None:
        return None
    overdue = 0
    if next_due:
        overdue = max(0, (today - dt.date.fromisoformat(next_due)).days)
    return FollowUpItem(
        patient_id=patient_id,
        name=patient.name if patient else "",
        next_due=next_due,
        overdue_days=overdue,
        category=category,
        reason=reason,
        last_study_date=last_study,
    )


def follow_up_worklist(
    store: Store,
    today: dt.date | None = None,
    due_before: dt.date | None = None,
    overdue_only: bool = False,
    min_category: str | None = None,
) -> list[FollowUpItem]:
    """Every patient with a recommended or set follow-up, soonest due first (waiting ones last).

    ``due_before`` keeps patients due on or before that date; ``min_category`` those whose
    Lung-RADS category is at least it ("4A" keeps 4A, 4B, 4X).
    """
    today = today or dt.date.today()
    reports = _signed_reports(store)
    overridden = {
        row["patient_id"]
        for row in store.query_all(
            "SELECT DISTINCT p.patient_id FROM follow_up_overrides AS o "
            "JOIN patients AS p ON p.id = o.patient"
        )
    }
    items = []
    for patient_id in sorted(set(reports) | overridden):
        item = _item(store, patient_id, reports.get(patient_id, []), today)
        if item is None:
            continue
        if due_before and not (item.next_due and item.next_due <= due_before.isoformat()):
            continue
        if overdue_only and item.overdue_days <= 0:
            continue
        if min_category and not _at_least(item.category, min_category):
            continue
        items.append(item)
    return sorted(items, key=lambda i: (i.next_due is None, i.next_due or "", i.patient_id))


def _at_least(category: str | None, minimum: str) -> bool:
    if category not in CATEGORY_ORDER or minimum not in CATEGORY_ORDER:
        return False
    return CATEGORY_ORDER.index(category) >= CATEGORY_ORDER.index(minimum)


def write_worklist_csv(items: Iterable[FollowUpItem], path: Path) -> Path:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese names as they are."""
    fields = ["patient_id", "name", "next_due", "overdue_days", "category", "reason"]
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for item in items:
            writer.writerow(item.to_dict())
    return Path(path)
