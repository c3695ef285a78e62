"""Nodules (one identity across visits) and their measurements (versions, never overwritten)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydicom.uid import generate_uid

from nodule_desk.errors import StoreError
from nodule_desk.store.catalog import CatalogQueries, SeriesRef
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.models import METHODS, Measurement, MeasurementValues, Nodule, check_choice

_MEASUREMENT_SELECT = """
SELECT m.*, n.label AS nodule_label, n.tracking_uid, se.series_uid, se.stack_key, st.study_uid,
       m.mask IS NOT NULL AS has_mask
FROM {table} AS m JOIN nodules AS n ON n.id = m.nodule JOIN series AS se ON se.id = m.series
JOIN studies AS st ON st.id = se.study
"""
_ORDER = " ORDER BY st.study_date, st.study_time, se.id, n.label, m.version"
_NODULE_SELECT = "SELECT n.*, p.patient_id FROM nodules AS n JOIN patients AS p ON p.id = n.patient"
_VALUE_COLUMNS = tuple(
    name for name in MeasurementValues.value_names() if name not in ("center_lps_mm", "features")
)


def _measurement(row: dict[str, Any]) -> Measurement:
    values = {name: row[name] for name in _VALUE_COLUMNS}
    return Measurement(
        **values,
        center_lps_mm=(row["center_x_mm"], row["center_y_mm"], row["center_z_mm"]),
        features=tuple(json.loads(row["features"])),
        id=row["id"],
        nodule_id=row["nodule"],
        nodule_label=row["nodule_label"],
        tracking_uid=row["tracking_uid"],
        series_uid=row["series_uid"],
        stack_key=row["stack_key"],
        study_uid=row["study_uid"],
        version=row["version"],
        replaces=row["replaces"],
        method=row["method"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        has_mask=bool(row["has_mask"]),
    )


def _nodule(row: dict[str, Any]) -> Nodule:
    return Nodule(
        id=row["id"],
        patient_id=row["patient_id"],
        label=row["label"],
        tracking_uid=row["tracking_uid"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


def _value_columns(values: MeasurementValues) -> dict[str, Any]:
    x, y, z = values.center_lps_mm
    columns = {name: getattr(values, name) for name in _VALUE_COLUMNS}
    columns.update(
        center_x_mm=x,
        center_y_mm=y,
        center_z_mm=z,
        features=json.dumps(list(values.features), ensure_ascii=False),
    )
    return columns


class MeasurementQueries(CatalogQueries):
    @translated
    def create_nodule(
        self,
        patient_id: str,
        label: str | None = None,
        user: str | None = None,
        tracking_uid: str | None = None,
    ) -> Nodule:
        """A new nodule of the patient, labelled N1, N2... unless ``label`` is given. Its
        tracking UID stays the same at every visit (DICOM TID 1500 Tracking Identifier)."""
        user = user or self.user
        with self.transaction():
            patient = self.patient_row_id(patient_id)
            if label is None:
                count = self.query_one(
                    "SELECT count(*) AS n FROM nodules WHERE patient = ?", (patient,)
                )
                taken = {
                    r["label"]
                    for r in self.query_all(
                        "SELECT label FROM nodules WHERE patient = ?", (patient,)
                    )
                }
                number = (count["n"] if count else 0) + 1
                while f"N{number}" in taken:
                    number += 1
                label = f"N{number}"
            elif self.query_one(
                "SELECT 1 FROM nodules WHERE patient = ? AND label = ?", (patient, label)
            ):
                raise StoreError(f"patient {patient_id} already has a nodule labelled {label}")
            nodule_id = self.db.execute(
                "INSERT INTO nodules (patient, label, tracking_uid, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (patient, label, tracking_uid or generate_uid(), user, now_utc()),
            ).lastrowid
            self.audit(
                "create_nodule", "nodule", nodule_id, user, patient_id=patient_id, label=label
            )
        return self.get_nodule(int(nodule_id or 0))

    @translated
    def get_nodule(self, nodule_id: int) -> Nodule:
        row = self.query_one(_NODULE_SELECT + " WHERE n.id = ?", (nodule_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no nodule with id {nodule_id}")
        return _nodule(row)

    @translated
    def nodules_of_patient(self, patient_id: str) -> list[Nodule]:
        rows = self.query_all(
            _NODULE_SELECT + " WHERE p.patient_id = ? ORDER BY n.id", (patient_id,)
        )
        return [_nodule(row) for row in rows]

    @translated
    def add_measurement(
        self,
        nodule_id: int,
        series: SeriesRef,
        values: MeasurementValues,
        *,
        method: str = "auto",
        user: str | None = None,
        mask: bytes | None = None,
        stack_key: str | None = None,
    ) -> Measurement:
        """The first measurement of a nodule on a series (version 1). To change it later, use
        revise_measurement: the store keeps every version."""
        user = user or self.user
        check_choice("method", method, METHODS)
        with self.transaction():
            nodule = self.get_nodule(nodule_id)
            series_id = self.series_id(series, stack_key)
            owner = self.query_one(
                "SELECT p.patient_id FROM series AS se JOIN studies AS st ON st.id = se.study "
                "JOIN patients AS p ON p.id = st.patient WHERE se.id = ?",
                (series_id,),
            )
            if owner is None or owner["patient_id"] != nodule.patient_id:
                raise StoreError(
                    f"nodule {nodule.label} of patient {nodule.patient_id} cannot be "
                    f"measured on a series of another patient"
                )
            if self.query_one(
                "SELECT 1 FROM measurements WHERE nodule = ? AND series = ?", (nodule_id, series_id)
            ):
                raise StoreError(
                    f"nodule {nodule.label} is already measured on this series: "
                    "revise that measurement instead"
                )
            new_id = self._insert_measurement(
                nodule_id, series_id, 1, None, method, user, _value_columns(values), mask
            )
            self.audit(
                "add_measurement", "measurement", new_id, user, nodule=nodule.label, method=method
            )
        return self.get_measurement(new_id)

    @translated
    def revise_measurement(
        self,
        old_id: int,
        changes: Mapping[str, Any],
        user: str | None = None,
        method: str = "edited",
    ) -> Measurement:
        """A new version of measurement ``old_id`` with ``changes`` applied (names as in
        MeasurementValues, plus ``mask`` as new bytes; without it the mask is kept); the old row
        stays as it was, and the new one records
        who and when. Only the current version can be revised."""
        user = user or self.user
        check_choice("method", method, METHODS)
        changes = dict(changes)
        new_mask = changes.pop("mask", None)
        unknown = set(changes) - set(MeasurementValues.value_names())
        if unknown:
            raise StoreError(
                f"cannot revise unknown measurement fields: {', '.join(sorted(unknown))}"
            )
        with self.transaction():
            old = self.get_measurement(old_id)
            if self.query_one("SELECT id FROM measurements WHERE replaces = ?", (old_id,)):
                raise StoreError(
                    f"measurement {old_id} was already revised: revise the current one"
                )
            base = {name: getattr(old, name) for name in MeasurementValues.value_names()}
            values = MeasurementValues(**{**base, **changes})
            series_id = self.series_id(old.series_uid, old.stack_key)
            new_id = self._insert_measurement(
                old.nodule_id,
                series_id,
                old.version + 1,
                old_id,
                method,
                user,
                _value_columns(values),
                new_mask,
            )
            self.audit(
                "revise_measurement",
                "measurement",
                new_id,
                user,
                replaces=old_id,
                changes={k: v for k, v in changes.items() if base.get(k) != v},
            )
        return self.get_measurement(new_id)

    def _insert_measurement(
        self,
        nodule_id: int,
        series_id: int,
        version: int,
        replaces: int | None,
        method: str,
        user: str,
        columns: dict[str, Any],
        mask: bytes | None,
    ) -> int:
        names = [
            "nodule",
            "series",
            "version",
            "replaces",
            "method",
            "created_by",
            "created_at",
            "mask",
            *columns,
        ]
        params = [
            nodule_id,
            series_id,
            version,
            replaces,
            method,
            user,
            now_utc(),
            mask,
            *columns.values(),
        ]
        if mask is None and replaces is not None:
            params[names.index("mask")] = self.query_one(
                "SELECT mask FROM measurements WHERE id = ?", (replaces,)
            )["mask"]  # type: ignore[index]
        new_id = self.db.execute(
            f"INSERT INTO measurements ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            params,
        ).lastrowid
        return int(new_id or 0)

    @translated
    def get_measurement(self, measurement_id: int) -> Measurement:
        row = self.query_one(
            _MEASUREMENT_SELECT.format(table="measurements") + " WHERE m.id = ?", (measurement_id,)
        )
        if row is None:
            raise StoreError(f"store {self.path}: no measurement with id {measurement_id}")
        return _measurement(row)

    @translated
    def measurement_mask(self, measurement_id: int) -> bytes | None:
        row = self.query_one("SELECT mask FROM measurements WHERE id = ?", (measurement_id,))
        return None if row is None else row["mask"]

    @translated
    def current_measurements(
        self, patient_id: str | None = None, study_uid: str | None = None
    ) -> list[Measurement]:
        """The versions in force (not replaced by a newer one), of a patient or of one study."""
        if (patient_id is None) == (study_uid is None):
            raise StoreError("current_measurements needs exactly one of patient_id or study_uid")
        select = _MEASUREMENT_SELECT.format(table="current_measurements")
        if study_uid is not None:
            rows = self.query_all(select + " WHERE st.study_uid = ?" + _ORDER, (study_uid,))
        else:
            rows = self.query_all(
                select + " JOIN patients AS p ON p.id = n.patient WHERE p.patient_id = ?" + _ORDER,
                (patient_id,),
            )
        return [_measurement(row) for row in rows]

    @translated
    def measurement_history(self, nodule_id: int) -> list[Measurement]:
        """Every version of every measurement of the nodule, visit by visit, oldest first."""
        rows = self.query_all(
            _MEASUREMENT_SELECT.format(table="measurements") + " WHERE m.nodule = ?" + _ORDER,
            (nodule_id,),
        )
        return [_measurement(row) for row in rows]
