"""Patients, studies, series and the files behind them: importing scans and finding them again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.errors import MissingFilesError, StoreError
from nodule_desk.store.connection import StoreBase, now_utc, translated
from nodule_desk.store.models import ImportSummary, Patient, Series, Study

SeriesRef = int | str | Series

_SERIES_SELECT = """
SELECT se.*, st.study_uid, st.study_date, p.patient_id
FROM series AS se JOIN studies AS st ON st.id = se.study JOIN patients AS p ON p.id = st.patient
"""
_PATIENT_SELECT = """
SELECT p.*, count(s.id) AS n_studies, max(s.study_date) AS last_study_date
FROM patients AS p LEFT JOIN studies AS s ON s.patient = p.id
"""


_OUTCOME_KEYS = (
    "patients_added",
    "studies_added",
    "series_added",
    "series_updated",
    "series_unchanged",
    "conflicts",
)


class _Conflict(Exception):
    """A series that contradicts what is stored (same UID under another study or patient)."""


def iso_date(value: str | None) -> str | None:
    """ISO date from ISO or DICOM DA (YYYYMMDD) text; None when empty or not a real date."""
    if not value:
        return None
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def series_from_row(row: dict[str, Any]) -> Series:
    return Series(
        id=row["id"],
        series_uid=row["series_uid"],
        stack_key=row["stack_key"],
        study_uid=row["study_uid"],
        patient_id=row["patient_id"],
        study_date=row["study_date"],
        frame_of_reference_uid=row["frame_of_reference_uid"],
        description=row["description"],
        number=row["number"],
        modality=row["modality"],
        rows=row["rows"],
        columns=row["columns"],
        n_slices=row["n_slices"],
        spacing_mm=(row["spacing_x_mm"], row["spacing_y_mm"], row["spacing_z_mm"]),
        slice_thickness_mm=row["slice_thickness_mm"],
        multiframe=bool(row["multiframe"]),
        warnings=tuple(json.loads(row["warnings"])),
        imported_at=row["imported_at"],
    )


def _series_columns(record: SeriesRecord) -> dict[str, Any]:
    x, y, z = (float(v) for v in record.spacing_mm)
    return {
        "frame_of_reference_uid": record.frame_of_reference_uid or "",
        "description": record.series_description or "",
        "number": record.series_number,
        "modality": record.modality or "",
        "rows": int(record.rows),
        "columns": int(record.columns),
        "n_slices": int(record.n_slices or len(record.files)),
        "spacing_x_mm": x,
        "spacing_y_mm": y,
        "spacing_z_mm": z,
        "slice_thickness_mm": record.slice_thickness_mm,
        "multiframe": int(record.multiframe),
        "warnings": json.dumps(list(record.warnings), ensure_ascii=False),
    }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CatalogQueries(StoreBase):
    @translated
    def add_scan_result(self, scan: ScanResult, user: str | None = None) -> ImportSummary:
        """Store every series of a scan: patients, studies, series and their files.

        Re-importing the same files changes nothing; a series found again with other files or
        header values is updated and its file list replaced (no duplicates). A series whose UIDs
        contradict the store (its study stored under another patient...) is left out and listed in
        ``conflicts``; the rest is stored in one transaction, so a failure stores none of it and
        loses nothing that was stored before.
        """
        user = user or self.user
        outcome: dict[str, list[Any]] = {key: [] for key in _OUTCOME_KEYS}
        with self.transaction():
            for record in scan.series:
                added: dict[str, list[Any]] = {"patients_added": [], "studies_added": []}
                try:
                    with self.db.atomic():
                        kind, series_id = self._store_series(record, user, added)
                except _Conflict as conflict:
                    outcome["conflicts"].append((record.series_uid, str(conflict)))
                    continue
                for key, values in added.items():
                    outcome[key].extend(values)
                outcome[f"series_{kind}"].append(self.get_series(series_id))
        return ImportSummary(**{k: tuple(v) for k, v in outcome.items()})

    def _store_series(
        self, record: SeriesRecord, user: str, outcome: dict[str, list[Any]]
    ) -> tuple[str, int]:
        if not record.patient_id.strip():
            raise _Conflict("the series has no PatientID, so it cannot be filed under a patient")
        patient_id = self._upsert_patient(record, user, outcome)
        study_id = self._upsert_study(record, patient_id, user, outcome)
        columns = _series_columns(record)
        paths = [str(Path(p).absolute()) for p in record.files]
        row = self.query_one(
            "SELECT * FROM series WHERE series_uid = ? AND stack_key = ?",
            (record.series_uid, record.stack_key),
        )
        if row is not None and row["study"] != study_id:
            raise _Conflict(f"series {record.series_uid} is already stored under another study")
        if row is None:
            series_id, kind = self._insert_series(record, study_id, columns), "added"
        elif self._stored_as_found(row, columns, paths):
            return "unchanged", int(row["id"])
        else:
            series_id, kind = int(row["id"]), "updated"
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self.db.execute(
                f"UPDATE series SET {assignments}, imported_at = ? WHERE id = ?",
                (*columns.values(), now_utc(), series_id),
            )
            self.db.execute("DELETE FROM series_files WHERE series = ?", (series_id,))
        self.db.conn.executemany(
            "INSERT INTO series_files (series, slice_index, path) VALUES (?, ?, ?)",
            [(series_id, index, path) for index, path in enumerate(paths)],
        )
        self.audit(
            f"import_series_{kind}",
            "series",
            series_id,
            user,
            series_uid=record.series_uid,
            stack_key=record.stack_key,
            n_files=len(paths),
        )
        return kind, series_id

    def _insert_series(self, record: SeriesRecord, study_id: int, columns: dict[str, Any]) -> int:
        names = ", ".join(columns)
        marks = ", ".join("?" * len(columns))
        series_id = self.db.execute(
            f"INSERT INTO series (series_uid, stack_key, study, imported_at, {names}) "
            f"VALUES (?, ?, ?, ?, {marks})",
            (record.series_uid, record.stack_key, study_id, now_utc(), *columns.values()),
        ).lastrowid
        return int(series_id or 0)

    def _stored_as_found(
        self, row: dict[str, Any], columns: dict[str, Any], paths: list[str]
    ) -> bool:
        stored_paths = [
            r["path"]
            for r in self.query_all(
                "SELECT path FROM series_files WHERE series = ? ORDER BY slice_index", (row["id"],)
            )
        ]
        return stored_paths == paths and all(row[k] == v for k, v in columns.items())

    def _upsert_patient(
        self, record: SeriesRecord, user: str, outcome: dict[str, list[Any]]
    ) -> int:
        values = {
            "name": record.patient_name or "",
            "birth_date": iso_date(record.patient_birth_date),
            "sex": record.patient_sex if record.patient_sex in ("M", "F", "O") else "",
        }
        row = self.query_one("SELECT * FROM patients WHERE patient_id = ?", (record.patient_id,))
        if row is None:
            stamp = now_utc()
            patient_id = self.db.execute(
                "INSERT INTO patients (patient_id, name, birth_date, sex, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (record.patient_id, *values.values(), stamp, stamp),
            ).lastrowid
            assert patient_id is not None
            outcome["patients_added"].append(record.patient_id)
            self.audit("import_patient", "patient", patient_id, user, patient_id=record.patient_id)
            return patient_id
        changed = {k: v for k, v in values.items() if v and v != row[k]}
        if changed:
            assignments = ", ".join(f"{k} = ?" for k in changed)
            self.db.execute(
                f"UPDATE patients SET {assignments}, updated_at = ? WHERE id = ?",
                (*changed.values(), now_utc(), row["id"]),
            )
            self.audit(
                "update_patient",
                "patient",
                row["id"],
                user,
                before={k: row[k] for k in changed},
                after=changed,
            )
        return int(row["id"])

    def _upsert_study(
        self, record: SeriesRecord, patient_id: int, user: str, outcome: dict[str, list[Any]]
    ) -> int:
        values = {
            "study_date": iso_date(record.study_date),
            "study_time": record.study_time or "",
            "description": record.study_description or "",
            "accession_number": record.accession_number or "",
        }
        row = self.query_one("SELECT * FROM studies WHERE study_uid = ?", (record.study_uid,))
        if row is None:
            stamp = now_utc()
            study_id = self.db.execute(
                "INSERT INTO studies (study_uid, patient, study_date, study_time, description, "
                "accession_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record.study_uid, patient_id, *values.values(), stamp, stamp),
            ).lastrowid
            assert study_id is not None
            outcome["studies_added"].append(record.study_uid)
            self.audit("import_study", "study", study_id, user, study_uid=record.study_uid)
            return study_id
        if row["patient"] != patient_id:
            raise _Conflict(f"study {record.study_uid} is already stored under another patient")
        changed = {k: v for k, v in values.items() if v and v != row[k]}
        if changed:
            assignments = ", ".join(f"{k} = ?" for k in changed)
            self.db.execute(
                f"UPDATE studies SET {assignments}, updated_at = ? WHERE id = ?",
                (*changed.values(), now_utc(), row["id"]),
            )
            self.audit(
                "update_study",
                "study",
                row["id"],
                user,
                before={k: row[k] for k in changed},
                after=changed,
            )
        return int(row["id"])

    @translated
    def search_patients(
        self,
        text: str = "",
        study_date_from: str | None = None,
        study_date_to: str | None = None,
        limit: int = 500,
    ) -> list[Patient]:
        """Patients whose ID, name (any part, '^' read as a space) or accession number contains
        ``text``, with a study in the date range if one is given; most recent study first."""
        pattern = _like(text.strip())
        rows = self.query_all(
            _PATIENT_SELECT
            + """
            WHERE (p.patient_id LIKE :p ESCAPE '\\'
                   OR replace(replace(p.name, '^', ' '), '=', ' ') LIKE :p ESCAPE '\\'
                   OR EXISTS (SELECT 1 FROM studies AS a WHERE a.patient = p.id
                              AND a.accession_number LIKE :p ESCAPE '\\'))
              AND (:since IS NULL AND :until IS NULL OR EXISTS (
                   SELECT 1 FROM studies AS d WHERE d.patient = p.id
                   AND d.study_date >= coalesce(:since, '0000-00-00')
                   AND d.study_date <= coalesce(:until, '9999-99-99')))
            GROUP BY p.id ORDER BY last_study_date DESC, p.name, p.patient_id LIMIT :limit""",
            {
                "p": pattern,
                "since": iso_date(study_date_from),
                "until": iso_date(study_date_to),
                "limit": limit,
            },
        )
        return [_patient(row) for row in rows]

    @translated
    def get_patient(self, patient_id: str) -> Patient | None:
        row = self.query_one(
            _PATIENT_SELECT + " WHERE p.patient_id = ? GROUP BY p.id", (patient_id,)
        )
        return _patient(row) if row else None

    @translated
    def studies_of_patient(self, patient_id: str) -> list[Study]:
        """The patient's studies, oldest first (the order of follow-up visits)."""
        rows = self.query_all(
            """SELECT st.*, p.patient_id, count(se.id) AS n_series FROM studies AS st
            JOIN patients AS p ON p.id = st.patient LEFT JOIN series AS se ON se.study = st.id
            WHERE p.patient_id = ? GROUP BY st.id ORDER BY st.study_date, st.study_time, st.id""",
            (patient_id,),
        )
        return [_study(row) for row in rows]

    @translated
    def series_of_study(self, study_uid: str) -> list[Series]:
        rows = self.query_all(
            _SERIES_SELECT + " WHERE st.study_uid = ? ORDER BY se.number IS NULL, se.number, se.id",
            (study_uid,),
        )
        return [series_from_row(row) for row in rows]

    @translated
    def get_series(self, series: SeriesRef, stack_key: str | None = None) -> Series | None:
        """A series by row id or SeriesInstanceUID (with ``stack_key`` when it was split)."""
        try:
            series_id = self.series_id(series, stack_key)
        except StoreError:
            return None
        row = self.query_one(_SERIES_SELECT + " WHERE se.id = ?", (series_id,))
        return series_from_row(row) if row else None

    @translated
    def series_files(
        self, series: SeriesRef, stack_key: str | None = None, *, require_present: bool = True
    ) -> list[Path]:
        """The files of a series in slice order. MissingFilesError, naming the study and where the
        files were, when any is gone (unless ``require_present`` is False)."""
        series_id = self.series_id(series, stack_key)
        rows = self.query_all(
            "SELECT path FROM series_files WHERE series = ? ORDER BY slice_index", (series_id,)
        )
        paths = [Path(row["path"]) for row in rows]
        missing = [p for p in paths if not p.is_file()] if require_present else []
        if missing:
            raise self._missing_files(series_id, missing, len(paths))
        return paths

    def _missing_files(self, series_id: int, missing: list[Path], total: int) -> MissingFilesError:
        row = self.query_one(_SERIES_SELECT + " WHERE se.id = ?", (series_id,)) or {}
        in_archive = self.query_one(
            "SELECT 1 FROM archive_instances WHERE path = ?", (str(missing[0]),)
        )
        return MissingFilesError(
            study_uid=row.get("study_uid", ""),
            series_uid=row.get("series_uid", ""),
            missing=missing,
            total=total,
            in_archive=in_archive is not None,
            patient_id=row.get("patient_id", ""),
            study_date=row.get("study_date"),
        )

    def series_id(self, series: SeriesRef, stack_key: str | None = None) -> int:
        """Row id of a series; a UID with several stacks needs ``stack_key``."""
        if isinstance(series, Series):
            return series.id
        if isinstance(series, int):
            if self.query_one("SELECT 1 FROM series WHERE id = ?", (series,)) is None:
                raise StoreError(f"store {self.path}: no series with id {series}")
            return series
        sql, params = "SELECT id FROM series WHERE series_uid = ?", (series,)
        if stack_key is not None:
            sql, params = sql + " AND stack_key = ?", (series, stack_key)
        rows = self.query_all(sql, params)
        if len(rows) != 1:
            reason = "is not stored" if not rows else "has several stacks: give its stack_key"
            raise StoreError(f"store {self.path}: series {series} {reason}")
        return int(rows[0]["id"])

    def study_id(self, study_uid: str) -> int:
        row = self.query_one("SELECT id FROM studies WHERE study_uid = ?", (study_uid,))
        if row is None:
            raise StoreError(f"store {self.path}: study {study_uid} is not stored")
        return int(row["id"])

    def patient_row_id(self, patient_id: str) -> int:
        row = self.query_one("SELECT id FROM patients WHERE patient_id = ?", (patient_id,))
        if row is None:
            raise StoreError(f"store {self.path}: patient {patient_id} is not stored")
        return int(row["id"])


def _patient(row: dict[str, Any]) -> Patient:
    return Patient(
        id=row["id"],
        patient_id=row["patient_id"],
        name=row["name"],
        birth_date=row["birth_date"],
        sex=row["sex"],
        n_studies=row["n_studies"],
        last_study_date=row["last_study_date"],
    )


def _study(row: dict[str, Any]) -> Study:
    return Study(
        id=row["id"],
        study_uid=row["study_uid"],
        patient_id=row["patient_id"],
        study_date=row["study_date"],
        study_time=row["study_time"],
        description=row["description"],
        accession_number=row["accession_number"],
        n_series=row["n_series"],
    )
