"""What the CLI's ``sync`` and the app's "Sync now" both do: send the outbox, fetch opinions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodule_desk.errors import NoduleDeskError
from nodule_desk.settings import ParentCenterSettings, load_settings, settings_path
from nodule_desk.store import Store
from nodule_desk.sync.credentials import parent_password
from nodule_desk.sync.dicomweb import DicomWebClient, ParentCenterError
from nodule_desk.sync.opinions import poll_opinions
from nodule_desk.sync.profile import DeidentificationOptions
from nodule_desk.sync.worker import drain, pending_report


def parent_center_of(db_path: Path) -> ParentCenterSettings:
    path = settings_path(db_path)
    parent = load_settings(path).parent_center
    if not parent.configured:
        raise NoduleDeskError(f"{path}: no parent center (set parent_center.url and .branch_id)")
    return parent


def sync_store(db_path: Path, respect_backoff: bool = False) -> dict[str, Any]:
    """{"sent", "pending", "opinions", "stopped_because"} of one run on the store at db_path."""
    parent = parent_center_of(db_path)
    client = DicomWebClient(parent, parent_password(parent))
    try:
        with Store.open(db_path) as store:
            drained = drain(store, client, respect_backoff=respect_backoff)
            opinions: list[dict[str, str]] = []
            stopped = drained.stopped_because
            if stopped is None:
                dates = DeidentificationOptions.from_json(parent.deidentification).dates
                try:
                    opinions = poll_opinions(store, client, dates_shifted=dates == "shift")
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


def check_connection(settings: ParentCenterSettings, password: str | None) -> str:
    """What answered at the parent center; raises ParentCenterError saying why it cannot."""
    client = DicomWebClient(settings, password)
    try:
        return client.test_connection()
    finally:
        client.close()
