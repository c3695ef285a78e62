"""``python -m nodule_desk sync [--db FILE]``: send what is queued, pull the parent's opinions.

Prints {"sent": [{"study_uid", "instances"}], "pending": [{"study_uid", "reason"}],
"opinions": [{"patient_id", "study_uid", "sop_instance_uid"}]}; the exit code is 0 when nothing
is pending and 1 while something is (a nightly job sees it), 2 on an error. The parent center is
set in settings.json beside the store; the password comes from the keyring or
NODULE_DESK_PARENT_PASSWORD. A manual run tries every queued item once, whatever its backoff.
"""

from __future__ import annotations

import argparse
from typing import Any

from nodule_desk.errors import NoduleDeskError
from nodule_desk.paths import default_db_path
from nodule_desk.settings import load_settings, settings_path
from nodule_desk.store import Store
from nodule_desk.sync.credentials import parent_password
from nodule_desk.sync.dicomweb import DicomWebClient, ParentCenterError
from nodule_desk.sync.opinions import poll_opinions
from nodule_desk.sync.profile import DeidentificationOptions
from nodule_desk.sync.worker import drain, pending_report

EXIT_PENDING = 1


def run(args: argparse.Namespace) -> dict[str, Any]:
    db = args.db or default_db_path()
    path = settings_path(db)
    parent = load_settings(path).parent_center
    if not parent.configured:
        raise NoduleDeskError(f"{path}: no parent center (set parent_center.url and .branch_id)")
    client = DicomWebClient(parent, parent_password(parent))
    try:
        with Store.open(db) as store:
            drained = drain(store, client, respect_backoff=False)
            opinions: list[dict[str, str]] = []
            stopped = drained.stopped_because
            if stopped is None:
                shifted = DeidentificationOptions.from_json(parent.deidentification).dates
                try:
                    opinions = poll_opinions(store, client, dates_shifted=shifted == "shift")
                except ParentCenterError as error:
                    stopped = f"opinions not fetched: {error.reason}"
            pending = pending_report(store, drained.stopped_because)
    finally:
        client.close()
    return {
        "sent": drained.sent,
        "pending": pending,
        "opinions": opinions,
        "stopped_because": stopped,
    }


def exit_code(result: dict[str, Any]) -> int:
    return EXIT_PENDING if result["pending"] else 0
