"""The vocabularies in nodule_desk.store.models and the schema's CHECK constraints agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.store import Store, models

MEASUREMENT_VOCABULARIES = {
    "lobe": models.LOBES, "margin": models.MARGINS, "calcification": models.CALCIFICATIONS,
    "location": models.LOCATIONS, "density_type": models.DENSITY_TYPES, "method": models.METHODS,
}


@pytest.fixture
def conn(tmp_path: Path):
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        store.add_scan_result(ScanResult(series=[
            SeriesRecord(series_uid="1.1.1", study_uid="1.1", patient_id="P1", files=[])]))
        store.create_nodule("P1")
    connection = sqlite3.connect(path, isolation_level=None)
    yield connection
    connection.close()


def _accepts(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> bool:
    conn.execute("BEGIN")
    try:
        conn.execute(sql, params)
        return True
    except sqlite3.IntegrityError as error:
        assert "CHECK constraint failed" in str(error)
        return False
    finally:
        conn.execute("ROLLBACK")


def _measurement_accepts(conn: sqlite3.Connection, column: str, value: str) -> bool:
    values = {"method": "auto", column: value}
    return _accepts(
        conn,
        "INSERT INTO measurements (nodule, series, version, created_by, created_at, center_x_mm, "
        f"center_y_mm, center_z_mm, {', '.join(values)}) "
        f"VALUES (1, 1, 1, 'x', 'now', 0, 0, 0, {', '.join('?' * len(values))})",
        tuple(values.values()),
    )


@pytest.mark.parametrize("column", sorted(MEASUREMENT_VOCABULARIES))
def test_every_measurement_label_is_accepted_and_nothing_else(conn, column):
    vocabulary = MEASUREMENT_VOCABULARIES[column]
    accepted = [_measurement_accepts(conn, column, value) for value in (*vocabulary, "other")]
    assert accepted == [True] * len(vocabulary) + [False]


def test_report_languages_and_outbox_vocabularies_match_the_schema(conn):
    report_sql = ("INSERT INTO reports (study, version, status, language, content, created_by, "
                  "created_at, updated_at) VALUES (1, 1, 'draft', ?, '{}', 'x', 'now', 'now')")
    assert [_accepts(conn, report_sql, (v,)) for v in (*models.LANGUAGES, "fr")] == [
        True, True, False]
    outbox_sql = ("INSERT INTO outbox (kind, status, payload_path, created_at, updated_at) "
                  "VALUES (?, ?, 'p', 'now', 'now')")
    kinds = [_accepts(conn, outbox_sql, (v, "pending")) for v in (*models.OUTBOX_KINDS, "fax")]
    statuses = [_accepts(conn, outbox_sql, ("report", v))
                for v in (*models.OUTBOX_STATUSES, "lost")]
    assert kinds == [True] * len(models.OUTBOX_KINDS) + [False]
    assert statuses == [True] * len(models.OUTBOX_STATUSES) + [False]


def test_dates_and_units_are_checked(conn):
    study_sql = ("INSERT INTO studies (study_uid, patient, study_date, created_at, updated_at) "
                 "VALUES ('9', 1, ?, 'now', 'now')")
    assert [_accepts(conn, study_sql, (v,)) for v in ("2025-01-31", "20250131", None)] == [
        True, False, True]
    axes_sql = ("INSERT INTO measurements (nodule, series, version, method, created_by, "
                "created_at, center_x_mm, center_y_mm, center_z_mm, long_axis_mm, short_axis_mm) "
                "VALUES (1, 1, 1, 'auto', 'x', 'now', 0, 0, 0, ?, ?)")
    assert [_accepts(conn, axes_sql, v) for v in ((9.0, 7.0), (7.0, 9.0), (-1.0, None))] == [
        True, False, False]
