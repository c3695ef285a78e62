"""What the store keeps for following nodules across visits: registrations between two series,
identity decisions (which nodule a measurement belongs to, and who said so), follow-up overrides."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.catalog import SeriesRef
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.measurements import MeasurementQueries

LINK_ACTIONS = ("matched", "confirmed", "relinked", "split", "resolved", "new")


@dataclass(frozen=True)
class StoredRegistration:
    baseline_series_uid: str
    followup_series_uid: str
    matrix: tuple[tuple[float, ...], ...]
    """followup_world_from_baseline_world, 4×4 row-major, LPS mm."""
    lung_dice: float
    seconds: float
    method: str
    created_at: str


@dataclass(frozen=True)
class NoduleLink:
    id: int
    nodule_id: int
    nodule_label: str
    series_uid: str
    study_uid: str
    action: str
    from_nodule_id: int | None
    reason: str
    decided_by: str
    decided_at: str


@dataclass(frozen=True)
class FollowUpOverride:
    patient_id: str
    next_due: str | None
    reason: str
    decided_by: str
    decided_at: str


_REGISTRATION_SELECT = """
SELECT r.*, b.series_uid AS baseline_series_uid, f.series_uid AS followup_series_uid
FROM registrations AS r JOIN series AS b ON b.id = r.baseline_series
JOIN series AS f ON f.id = r.followup_series
"""
_LINK_SELECT = """
SELECT l.*, n.label, se.series_uid, st.study_uid FROM nodule_links AS l
JOIN nodules AS n ON n.id = l.nodule JOIN series AS se ON se.id = l.series
JOIN studies AS st ON st.id = se.study
"""


def _registration(row: dict[str, Any]) -> StoredRegistration:
    return StoredRegistration(
        baseline_series_uid=row["baseline_series_uid"],
        followup_series_uid=row["followup_series_uid"],
        matrix=tuple(tuple(float(v) for v in r) for r in json.loads(row["matrix"])),
        lung_dice=row["lung_dice"],
        seconds=row["seconds"],
        method=row["method"],
        created_at=row["created_at"],
    )


def _link(row: dict[str, Any]) -> NoduleLink:
    return NoduleLink(
        id=row["id"],
        nodule_id=row["nodule"],
        nodule_label=row["label"],
        series_uid=row["series_uid"],
        study_uid=row["study_uid"],
        action=row["action"],
        from_nodule_id=row["from_nodule"],
        reason=row["reason"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )


class FollowupQueries(MeasurementQueries):
    @translated
    def save_registration(
        self,
        baseline: SeriesRef,
        followup: SeriesRef,
        matrix: Any,
        lung_dice: float,
        seconds: float,
        method: str,
        user: str | None = None,
    ) -> StoredRegistration:
        """Keep a registration; one per pair of series and method (a second save is ignored)."""
        user = user or self.user
        rows = [[float(v) for v in row] for row in matrix]
        if len(rows) != 4 or any(len(row) != 4 for row in rows):
            raise StoreError("a registration matrix is 4×4")
        with self.transaction():
            b, f = self.series_id(baseline), self.series_id(followup)
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO registrations (baseline_series, followup_series, matrix, "
                "lung_dice, seconds, method, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (b, f, json.dumps(rows), lung_dice, seconds, method, user, now_utc()),
            )
            if cursor.rowcount:
                self.audit("register", "series", f, user, baseline_series=b, lung_dice=lung_dice)
        found = self.registration(baseline, followup, method)
        assert found is not None
        return found

    @translated
    def registration(
        self, baseline: SeriesRef, followup: SeriesRef, method: str | None = None
    ) -> StoredRegistration | None:
        b, f = self.series_id(baseline), self.series_id(followup)
        row = self.query_one(
            _REGISTRATION_SELECT
            + " WHERE r.baseline_series = ? AND r.followup_series = ? "
            "AND (:m IS NULL OR r.method = :m) ORDER BY r.id DESC LIMIT 1".replace(":m", "?"),
            (b, f, method, method),
        )
        return _registration(row) if row else None

    @translated
    def record_link(
        self,
        nodule_id: int,
        series: SeriesRef,
        action: str,
        reason: str = "",
        user: str | None = None,
        from_nodule_id: int | None = None,
    ) -> NoduleLink:
        """An identity decision about ``nodule_id`` on ``series``. For ``relinked`` and ``split``
        the series' measurement chain of ``from_nodule_id`` moves to ``nodule_id`` in the same
        transaction; its values and versions stay as they were."""
        if action not in LINK_ACTIONS:
            raise StoreError(
                f"identity decision {action!r} is not one of {', '.join(LINK_ACTIONS)}"
            )
        user = user or self.user
        moves = action in ("relinked", "split")
        if moves != (from_nodule_id is not None):
            raise StoreError(f"a {action} decision {'needs' if moves else 'takes no'} from_nodule")
        with self.transaction():
            series_id = self.series_id(series)
            nodule = self.get_nodule(nodule_id)
            if moves:
                source = self.get_nodule(int(from_nodule_id or 0))
                if source.patient_id != nodule.patient_id:
                    raise StoreError("a measurement cannot move to a nodule of another patient")
                if self.query_one(
                    "SELECT 1 FROM measurements WHERE nodule = ? AND series = ?",
                    (nodule_id, series_id),
                ):
                    raise StoreError(
                        f"nodule {nodule.label} is already measured on this series: reject or "
                        "split that measurement first"
                    )
            link_id = self.db.execute(
                "INSERT INTO nodule_links (nodule, series, action, from_nodule, reason, "
                "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (nodule_id, series_id, action, from_nodule_id, reason, user, now_utc()),
            ).lastrowid
            if moves:
                self.db.execute(
                    "UPDATE measurements SET nodule = ? WHERE nodule = ? AND series = ?",
                    (nodule_id, from_nodule_id, series_id),
                )
            self.audit(
                f"nodule_{action}",
                "nodule",
                nodule_id,
                user,
                series=series_id,
                from_nodule=from_nodule_id,
                reason=reason,
            )
        return self._get_link(int(link_id or 0))

    def _get_link(self, link_id: int) -> NoduleLink:
        row = self.query_one(_LINK_SELECT + " WHERE l.id = ?", (link_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no identity decision {link_id}")
        return _link(row)

    @translated
    def nodule_links(
        self, nodule_id: int | None = None, patient_id: str | None = None
    ) -> list[NoduleLink]:
        """Identity decisions, oldest first, about one nodule (as target or source) or a patient."""
        if nodule_id is not None:
            rows = self.query_all(
                _LINK_SELECT + " WHERE l.nodule = ? OR l.from_nodule = ? ORDER BY l.id",
                (nodule_id, nodule_id),
            )
        else:
            rows = self.query_all(
                _LINK_SELECT + " JOIN patients AS p ON p.id = n.patient WHERE p.patient_id = ? "
                "ORDER BY l.id",
                (patient_id,),
            )
        return [_link(row) for row in rows]

    @translated
    def override_follow_up(
        self, patient_id: str, next_due: str | None, reason: str, user: str | None = None
    ) -> FollowUpOverride:
        """The branch doctor sets the patient's next follow-up date by hand, saying why."""
        if not reason.strip():
            raise StoreError("a follow-up date set by hand needs a reason")
        user = user or self.user
        with self.transaction():
            patient = self.patient_row_id(patient_id)
            stamp = now_utc()
            self.db.execute(
                "INSERT INTO follow_up_overrides (patient, next_due, reason, decided_by, "
                "decided_at) VALUES (?, ?, ?, ?, ?)",
                (patient, next_due, reason, user, stamp),
            )
            self.audit(
                "override_follow_up", "patient", patient, user, next_due=next_due, reason=reason
            )
        return FollowUpOverride(patient_id, next_due, reason, user, stamp)

    @translated
    def follow_up_override(self, patient_id: str) -> FollowUpOverride | None:
        row = self.query_one(
            "SELECT o.*, p.patient_id FROM follow_up_overrides AS o JOIN patients AS p "
            "ON p.id = o.patient WHERE p.patient_id = ? ORDER BY o.id DESC LIMIT 1",
            (patient_id,),
        )
        if row is None:
            return None
        return FollowUpOverride(
            row["patient_id"], row["next_due"], row["reason"], row["decided_by"], row["decided_at"]
        )
