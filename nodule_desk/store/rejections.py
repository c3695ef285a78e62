"""Rejecting a finding: the radiologist says a measured "nodule" is not one (a vessel clicked by
mistake). The measurement versions stay; a rejection record takes the finding out of the current
measurements, and so out of the guidelines and the report."""

from __future__ import annotations

from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.measurements import MeasurementQueries
from nodule_desk.store.models import Rejection

_REJECTION_SELECT = (
    "SELECT r.*, n.label AS nodule_label, se.series_uid FROM rejections AS r "
    "JOIN nodules AS n ON n.id = r.nodule JOIN series AS se ON se.id = r.series"
)


def _rejection(row: dict[str, Any]) -> Rejection:
    return Rejection(
        id=row["id"],
        nodule_id=row["nodule"],
        nodule_label=row["nodule_label"],
        series_uid=row["series_uid"],
        measurement_id=row["measurement"],
        reason=row["reason"],
        rejected_by=row["rejected_by"],
        rejected_at=row["rejected_at"],
    )


class RejectionQueries(MeasurementQueries):
    @translated
    def reject_finding(
        self, measurement_id: int, reason: str, user: str | None = None
    ) -> Rejection:
        """Reject the finding whose current version is ``measurement_id``, saying why."""
        user = user or self.user
        if not reason.strip():
            raise StoreError("rejecting a finding needs a reason")
        with self.transaction():
            measurement = self.get_measurement(measurement_id)
            if self.query_one("SELECT 1 FROM measurements WHERE replaces = ?", (measurement_id,)):
                raise StoreError(
                    f"measurement {measurement_id} of {measurement.nodule_label} was revised: "
                    "reject its current version"
                )
            series_id = self.series_id(measurement.series_uid, measurement.stack_key)
            if self.query_one(
                "SELECT 1 FROM rejections WHERE nodule = ? AND series = ?",
                (measurement.nodule_id, series_id),
            ):
                raise StoreError(f"{measurement.nodule_label} was already rejected on this series")
            new_id = self.db.execute(
                "INSERT INTO rejections (nodule, series, measurement, reason, rejected_by, "
                "rejected_at) VALUES (?, ?, ?, ?, ?, ?)",
                (measurement.nodule_id, series_id, measurement_id, reason.strip(), user, now_utc()),
            ).lastrowid
            self.audit(
                "reject_finding",
                "measurement",
                measurement_id,
                user,
                nodule=measurement.nodule_label,
                series_uid=measurement.series_uid,
                reason=reason.strip(),
            )
        return self.get_rejection(int(new_id or 0))

    @translated
    def get_rejection(self, rejection_id: int) -> Rejection:
        row = self.query_one(_REJECTION_SELECT + " WHERE r.id = ?", (rejection_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no rejection with id {rejection_id}")
        return _rejection(row)

    @translated
    def rejections_of_study(self, study_uid: str) -> list[Rejection]:
        rows = self.query_all(
            _REJECTION_SELECT + " JOIN studies AS st ON st.id = se.study "
            "WHERE st.study_uid = ? ORDER BY r.id",
            (study_uid,),
        )
        return [_rejection(row) for row in rows]
