"""The Store: one SQLite file holding everything NoduleDesk knows and decided.

    >>> store = Store.open()                      # the user's data dir, created on first start
    >>> summary = store.add_scan_result(scan_paths([folder]))
    >>> store.search_patients("zhang")

Reading and writing live by concern in catalog.py (patients, studies, series), measurements.py
(nodules, measurement versions), reports.py (drafts, signing, amendments), outbox.py and
instances.py (the local archive's index); every change writes the audit log in the same
transaction.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

from nodule_desk.paths import default_db_path
from nodule_desk.store.connection import connect, store_error, translated, use_wal
from nodule_desk.store.followup import FollowupQueries
from nodule_desk.store.instances import InstanceQueries
from nodule_desk.store.migrations import migrate, refuse_newer, schema_version, user_version
from nodule_desk.store.outbox import OutboxQueries


class Store(OutboxQueries, InstanceQueries, FollowupQueries):
    @classmethod
    def open(cls, path: Path | None = None, user: str | None = None) -> Store:
        """Open (or create) the store at ``path`` and bring its schema up to date.

        Raises StoreError naming the file when it cannot be created, is read-only, locked,
        corrupt, or was written by a newer NoduleDesk.
        """
        path = Path(path) if path is not None else default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = connect(path)
        except (sqlite3.Error, OSError) as error:
            raise store_error(path, error) from error
        try:
            refuse_newer(db, path)
            use_wal(db)
            migrate(db, path)
        except (sqlite3.Error, OSError) as error:
            db.close()
            raise store_error(path, error) from error
        except BaseException:
            db.close()
            raise
        return cls(path, db, user or cls.default_user())

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @translated
    def schema_version(self) -> int:
        return user_version(self.db)

    @staticmethod
    def code_schema_version() -> int:
        return schema_version()

    @translated
    def audit_entries(
        self, entity: str | None = None, entity_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Audit rows, oldest first, with ``detail`` decoded."""
        rows = self.query_all(
            "SELECT * FROM audit_log WHERE (:e IS NULL OR entity = :e) "
            "AND (:i IS NULL OR entity_id = :i) ORDER BY id",
            {"e": entity, "i": entity_id},
        )
        return [{**row, "detail": json.loads(row["detail"])} for row in rows]
