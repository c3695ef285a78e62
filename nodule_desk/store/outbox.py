"""What waits to be sent to the parent center, and what happened when it was tried.

An item is 'pending' (shown as queued) until a worker claims it: the claim sets 'sending', counts
the attempt and leases the item until ``next_attempt_at``. A worker that dies mid-send leaves it
'sending'; the next worker takes it again once the lease is over, or at once when it holds the
outbox lock (then no other worker can be sending). Delivery to the parent is exactly once because
re-sending an instance the parent already stored is accepted there as the same object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.models import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxItem, check_choice
from nodule_desk.store.parent_center import ParentCenterQueries

_OUTBOX_SELECT = (
    "SELECT o.*, st.study_uid FROM outbox AS o LEFT JOIN studies AS st ON st.id = o.study"
)


def _item(row: dict[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        kind=row["kind"],
        study_uid=row["study_uid"],
        payload_path=row["payload_path"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
        next_attempt_at=row.get("next_attempt_at"),
        request_id=row.get("request"),
        instances=row.get("instances") or 0,
        deidentified_study_uid=row.get("deidentified_study_uid"),
    )


def stamp_in(seconds: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds")


class OutboxQueries(ParentCenterQueries):
    @translated
    def enqueue(
        self,
        kind: str,
        payload_path: Path,
        study_uid: str | None = None,
        user: str | None = None,
        request_id: int | None = None,
        instances: int = 0,
        deidentified_study_uid: str | None = None,
    ) -> OutboxItem:
        check_choice("kind", kind, OUTBOX_KINDS)
        user = user or self.user
        with self.transaction():
            study = self.study_id(study_uid) if study_uid else None
            stamp = now_utc()
            item_id = self.db.execute(
                "INSERT INTO outbox (kind, study, payload_path, created_at, updated_at, request, "
                "instances, deidentified_study_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    study,
                    str(payload_path),
                    stamp,
                    stamp,
                    request_id,
                    instances,
                    deidentified_study_uid,
                ),
            ).lastrowid
            self.audit("enqueue", "outbox", item_id, user, kind=kind, study_uid=study_uid)
        return self.get_outbox_item(int(item_id or 0))

    @translated
    def mark_outbox(
        self, item_id: int, status: str, error: str | None = None, user: str | None = None
    ) -> OutboxItem:
        """Record a send attempt's outcome; 'sending' counts an attempt, 'sent' stamps sent_at."""
        check_choice("status", status, OUTBOX_STATUSES)
        user = user or self.user
        with self.transaction():
            self.get_outbox_item(item_id)
            stamp = now_utc()
            self.db.execute(
                "UPDATE outbox SET status = ?, last_error = ?, updated_at = ?, "
                "attempts = attempts + (? = 'sending'), "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                (status, error, stamp, status, status, stamp, item_id),
            )
            self.audit(f"outbox_{status}", "outbox", item_id, user, error=error)
        return self.get_outbox_item(item_id)

    @translated
    def claim_due(
        self,
        lease_s: float,
        take_abandoned: bool = False,
        ignore_backoff: bool = False,
        skip: Sequence[int] = (),
    ) -> OutboxItem | None:
        """The oldest item due now, marked 'sending' and leased for ``lease_s`` seconds.

        Due: queued and past its backoff (any queued one with ``ignore_backoff``), or 'sending'
        past its lease (its worker died); ``take_abandoned`` takes every 'sending' item (the
        caller holds the outbox lock). Items in ``skip`` (tried in this run) are left."""
        skipped = ",".join(str(int(i)) for i in skip) or "0"
        with self.transaction():
            row = self.query_one(
                "SELECT id FROM outbox WHERE id NOT IN (" + skipped + ") AND ("
                "(status = 'pending' AND (:any OR next_attempt_at IS NULL "
                "OR next_attempt_at <= :now)) OR (status = 'sending' AND (:all OR "
                "next_attempt_at IS NULL OR next_attempt_at <= :now))) ORDER BY id LIMIT 1",
                {"now": now_utc(), "all": int(take_abandoned), "any": int(ignore_backoff)},
            )
            if row is None:
                return None
            self.db.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?, "
                "next_attempt_at = ? WHERE id = ?",
                (now_utc(), stamp_in(lease_s), row["id"]),
            )
            self.audit("outbox_sending", "outbox", row["id"], self.user)
        return self.get_outbox_item(row["id"])

    @translated
    def schedule_retry(self, item_id: int, error: str, delay_s: float) -> OutboxItem:
        """Back to the queue with the reason, due again in ``delay_s`` seconds."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'pending', last_error = ?, updated_at = ?, "
                "next_attempt_at = ? WHERE id = ?",
                (error, now_utc(), stamp_in(delay_s), item_id),
            )
            self.audit("outbox_retry", "outbox", item_id, self.user, error=error, delay_s=delay_s)
        return self.get_outbox_item(item_id)

    @translated
    def mark_sent(self, item_id: int, instances: int) -> OutboxItem:
        with self.transaction():
            stamp = now_utc()
            self.db.execute(
                "UPDATE outbox SET status = 'sent', last_error = NULL, updated_at = ?, "
                "sent_at = ?, next_attempt_at = NULL, instances = ? WHERE id = ?",
                (stamp, stamp, instances, item_id),
            )
            self.audit("outbox_sent", "outbox", item_id, self.user, instances=instances)
        return self.get_outbox_item(item_id)

    @translated
    def requeue(self, item_id: int) -> OutboxItem:
        """A failed item back in the queue, due at once (the user fixed the cause)."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = NULL, updated_at = ? "
                "WHERE id = ? AND status IN ('failed', 'pending')",
                (now_utc(), item_id),
            )
            self.audit("outbox_requeue", "outbox", item_id, self.user)
        return self.get_outbox_item(item_id)

    @translated
    def get_outbox_item(self, item_id: int) -> OutboxItem:
        row = self.query_one(_OUTBOX_SELECT + " WHERE o.id = ?", (item_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no outbox item with id {item_id}")
        return _item(row)

    @translated
    def outbox_items(self, status: str | None = "pending") -> list[OutboxItem]:
        check_choice("status", status, OUTBOX_STATUSES)
        rows = self.query_all(
            _OUTBOX_SELECT + " WHERE :s IS NULL OR o.status = :s ORDER BY o.id", {"s": status}
        )
        return [_item(row) for row in rows]

    @translated
    def outbox_of_study(self, study_uid: str) -> list[OutboxItem]:
        """Every item of one study, oldest first: the per-case status shows the newest."""
        rows = self.query_all(
            _OUTBOX_SELECT + " WHERE st.study_uid = ? ORDER BY o.id", (study_uid,)
        )
        return [_item(row) for row in rows]
