"""``python -m nodule_desk followups [--db FILE] [--due-before DATE] [--csv FILE]``.

Prints ``{"patients": [{"patient_id", "name", "next_due", "overdue_days", "category", "reason"}]}``
soonest due first; ``--csv`` also writes the list for Excel (UTF-8 with BOM).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from dateutil.parser import isoparse

from nodule_desk.errors import NoduleDeskError
from nodule_desk.followup.worklist import follow_up_worklist, write_worklist_csv
from nodule_desk.store import Store


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return isoparse(value).date()
    except ValueError as error:
        raise NoduleDeskError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from error


def run(args: argparse.Namespace) -> dict[str, Any]:
    with Store.open(args.db) as store:
        items = follow_up_worklist(
            store,
            today=_date(args.today, "--today"),
            due_before=_date(args.due_before, "--due-before"),
            overdue_only=args.overdue,
            min_category=args.min_category,
        )
    if args.csv:
        write_worklist_csv(items, args.csv)
    return {"patients": [item.to_dict() for item in items]}
