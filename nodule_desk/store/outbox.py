"""What waits to be sent to the parent center, and what happened when it was tried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.models import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxItem, check_choice
from nodule_desk.store.reports import ReportQueries

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
    )


class OutboxQueries(ReportQueries):
    @translated
    def enqueue(
        self, kind: str, payload_path: Path, study_uid: str | None = None, user: str | None = None
    ) -> OutboxItem:
        check_choice("kind", kind, OUTBOX_KINDS)
        user = user or self.user
        with self.transaction():
            study = self.study_id(study_uid) if study_uid else None
            stamp = now_utc()
            item_id = self.db.execute(
                "INSERT INTO outbox (kind, study, payload_path, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, study, str(payload_path), stamp, stamp),
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
