"""The local archive's index: which SOP instances NoduleDesk holds a copy of, where, and their
SHA-256. The files themselves are written by ``nodule_desk.archive``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from typing import Any

from nodule_desk.store.connection import StoreBase, now_utc, translated


@dataclass(frozen=True)
class ArchivedInstance:
    sop_instance_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    patient_id: str
    modality: str
    path: str
    """Absolute path of the archive's copy."""
    sha256: str
    size_bytes: int
    source: str
    """Where it came from: ``import``, ``C-STORE from AE``, ``retrieve from NODE``."""
    original_path: str = ""
    """The file it was copied from, for an import; empty for a network arrival."""
    stored_at: str = ""


_COLUMNS = tuple(f.name for f in fields(ArchivedInstance))


def _instance(row: dict[str, Any]) -> ArchivedInstance:
    return ArchivedInstance(**{name: row[name] for name in _COLUMNS})


class InstanceQueries(StoreBase):
    @translated
    def add_archived_instance(self, instance: ArchivedInstance) -> bool:
        """Index one archived instance in its own transaction; False when its SOP Instance UID is
        already indexed (a re-sent instance is stored once)."""
        values = {**{n: getattr(instance, n) for n in _COLUMNS}, "stored_at": now_utc()}
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        try:
            with self.transaction():
                self.db.execute(
                    f"INSERT INTO archive_instances ({names}) VALUES ({marks})",
                    tuple(values.values()),
                )
        except sqlite3.IntegrityError:
            if self.archived_instance(instance.sop_instance_uid) is not None:
                return False
            raise
        return True

    @translated
    def archived_instance(self, sop_instance_uid: str) -> ArchivedInstance | None:
        row = self.query_one(
            "SELECT * FROM archive_instances WHERE sop_instance_uid = ?", (sop_instance_uid,)
        )
        return _instance(row) if row else None

    @translated
    def archived_instances(
        self, series_uid: str | None = None, study_uid: str | None = None
    ) -> list[ArchivedInstance]:
        """Instances of a series or a study (all of them when neither is given), oldest first."""
        rows = self.query_all(
            "SELECT * FROM archive_instances WHERE (:se IS NULL OR series_uid = :se) "
            "AND (:st IS NULL OR study_uid = :st) ORDER BY id",
            {"se": series_uid, "st": study_uid},
        )
        return [_instance(row) for row in rows]

    @translated
    def count_archived_instances(self) -> int:
        row = self.query_one("SELECT count(*) AS n FROM archive_instances")
        return int(row["n"]) if row else 0

    @translated
    def repair_archived_instance(self, instance: ArchivedInstance) -> None:
        """Record a re-written archive file (its copy had gone missing) with its new checksum."""
        with self.transaction():
            self.db.execute(
                "UPDATE archive_instances SET path = ?, sha256 = ?, size_bytes = ?, source = ?, "
                "original_path = ?, stored_at = ? WHERE sop_instance_uid = ?",
                (
                    instance.path,
                    instance.sha256,
                    instance.size_bytes,
                    instance.source,
                    instance.original_path,
                    now_utc(),
                    instance.sop_instance_uid,
                ),
            )
