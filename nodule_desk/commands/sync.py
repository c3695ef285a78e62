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

from nodule_desk.paths import default_db_path
from nodule_desk.sync.service import sync_store

EXIT_PENDING = 1


def run(args: argparse.Namespace) -> dict[str, Any]:
    return sync_store(args.db or default_db_path())


def exit_code(result: dict[str, Any]) -> int:
    return EXIT_PENDING if result["pending"] else 0
