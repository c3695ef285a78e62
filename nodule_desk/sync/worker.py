"""The sync worker: drain the outbox to the parent center, one item at a time.

One worker per store at a time (a lock file beside the store; the operating system releases it
when the process dies, however it dies). Holding the lock, an item left 'sending' can only be one
whose worker died mid-send: it is sent again, and since the parent accepts an instance it already
stores as the same object, delivery stays exactly once. A dead server stops the run at the first
refused or timed-out connection (the rest stay queued); each failure is kept with its reason and
the item is due again after a backoff with jitter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from nodule_desk.store import OutboxItem, Store
from nodule_desk.sync.backoff import BackoffSchedule
from nodule_desk.sync.dicomweb import (
    DicomWebClient,
    ParentAuthError,
    ParentCenterError,
    ParentUnreachable,
)
from nodule_desk.sync.package_format import MANIFEST

STOW_BATCH = 50
"""Instances per STOW-RS request: a CT series goes in a few requests, each resumable."""
MAX_ITEMS_PER_STOW = 16
SENT_STATUS = {"consultation": "sent", "referral": "referred"}


@dataclass
class DrainResult:
    sent: list[dict[str, Any]] = field(default_factory=list)
    stopped_because: str | None = None
    """Why the run stopped before the queue was empty (server down, wrong password, busy)."""


@contextmanager
def outbox_lock(store_path: Path) -> Iterator[bool]:
    """True if this process now holds the store's outbox lock; False if another one does."""
    lock = FileLock(str(store_path) + ".outbox.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def payload_folder(store_path: Path, item: OutboxItem) -> Path:
    return Path(store_path).parent / item.payload_path


def payload_files(folder: Path) -> tuple[str, list[Path]]:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return manifest["study_uid"], [folder / entry["file"] for entry in manifest["instances"]]


def send_item(client: DicomWebClient, folder: Path) -> int:
    study_uid, files = payload_files(folder)
    for start in range(0, len(files), STOW_BATCH):
        client.store(files[start : start + STOW_BATCH], study_uid)
    return len(files)


def _after_sent(store: Store, item: OutboxItem, instances: int) -> None:
    with store.transaction():
        store.mark_sent(item.id, instances)
        if item.request_id is not None:
            request = store.get_request(item.request_id)
            if request.status == "requested":
                store.set_request_status(request.id, SENT_STATUS[request.kind])


class _Run:
    """One drain: claims items (small ones several to a STOW-RS request), records outcomes."""

    def __init__(
        self, store: Store, schedule: BackoffSchedule, respect_backoff: bool, result: DrainResult
    ) -> None:
        self.store, self.schedule, self.result = store, schedule, result
        self.respect_backoff = respect_backoff
        self.tried: list[int] = []
        self.carry: OutboxItem | None = None

    def claim(self) -> OutboxItem | None:
        item = self.store.claim_due(
            self.schedule.lease_s,
            take_abandoned=True,
            ignore_backoff=not self.respect_backoff,
            skip=self.tried,
        )
        if item is not None:
            self.tried.append(item.id)
        return item

    def claim_batch(self) -> list[OutboxItem]:
        """Small summaries travel together: one round trip for up to STOW_BATCH instances. An
        item that does not fit is kept claimed for the next batch."""
        batch = [self.carry] if self.carry is not None else []
        self.carry = None
        while len(batch) < MAX_ITEMS_PER_STOW:
            item = self.claim()
            if item is None:
                break
            size = sum(i.instances for i in batch) + item.instances
            if batch and (not item.instances or size > STOW_BATCH):
                self.carry = item
                break
            batch.append(item)
            if not item.instances or size >= STOW_BATCH:
                break
        return batch

    def failed(self, item: OutboxItem, error: ParentCenterError) -> None:
        if error.retryable:
            delay = self.schedule.delay_s(item.attempts)
            self.store.schedule_retry(item.id, error.reason, delay)
        else:
            self.store.mark_outbox(item.id, "failed", error=error.reason)

    def sent(self, item: OutboxItem, instances: int) -> None:
        _after_sent(self.store, item, instances)
        self.result.sent.append({"study_uid": item.study_uid, "instances": instances})


def _send_batch(client: DicomWebClient, run: _Run, batch: list[OutboxItem]) -> bool:
    """Send a batch; False when the parent is unreachable or refuses the login (stop the run)."""
    folders = [payload_folder(run.store.path, item) for item in batch]
    try:
        packages = [payload_files(folder) for folder in folders]
    except (OSError, ValueError, KeyError) as error:
        for item in batch:
            run.store.mark_outbox(item.id, "failed", error=f"the package cannot be read: {error}")
        return True
    try:
        if len(batch) == 1:
            send_item(client, folders[0])
        else:
            client.store([path for _, files in packages for path in files])
    except ParentCenterError as error:
        if len(batch) > 1 and not error.retryable:
            return all(_send_batch(client, run, [item]) for item in batch)  # find the bad one
        for item in batch:
            run.failed(item, error)
        if isinstance(error, (ParentUnreachable, ParentAuthError)):
            run.result.stopped_because = error.reason
            return False
        return True
    for item, (_, files) in zip(batch, packages, strict=True):
        run.sent(item, len(files))
    return True


def drain(
    store: Store,
    client: DicomWebClient,
    schedule: BackoffSchedule | None = None,
    respect_backoff: bool = True,
    on_item: Callable[[OutboxItem], None] | None = None,
) -> DrainResult:
    """Send what is due. ``respect_backoff=False`` (a manual or nightly run) tries every queued
    item once now; the app's background worker respects each item's next_attempt_at."""
    result = DrainResult()
    with outbox_lock(store.path) as held:
        if not held:
            result.stopped_because = "another sync of this store is sending"
            return result
        run = _Run(store, schedule or BackoffSchedule(), respect_backoff, result)
        while batch := run.claim_batch():
            for item in batch:
                if on_item is not None:
                    on_item(item)
            if not _send_batch(client, run, batch):
                if run.carry is not None:  # claimed but not tried: back in the queue as it was
                    store.schedule_retry(run.carry.id, result.stopped_because or "", 0.0)
                break
    return result


def pending_report(store: Store, stopped_because: str | None) -> list[dict[str, Any]]:
    """Every item not sent yet, with why: its last error, or why this run did not try it."""
    pending = []
    for item in store.outbox_items(None):
        if item.status == "sent":
            continue
        reason = item.last_error or stopped_because or "queued, not tried yet"
        if item.status == "failed":
            reason = f"failed: {reason}"
        pending.append(
            {
                "study_uid": item.study_uid,
                "reason": reason,
                "status": item.display_status,
                "kind": item.kind,
                "attempts": item.attempts,
            }
        )
    return pending
