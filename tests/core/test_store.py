"""The store catalog on a real SQLite file: opening, importing, finding, failing safely."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nodule_desk.dicom.records import FileProblem, ScanResult, SeriesRecord
from nodule_desk.errors import StoreError
from nodule_desk.paths import default_db_path
from nodule_desk.store import Store, connection

REPO = Path(__file__).resolve().parents[2]


def make_record(
    root: Path, patient_id: str = "P001", study_uid: str = "1.2.826.0.1.1", series_uid: str = "",
    n_slices: int = 3, **overrides: object,
) -> SeriesRecord:
    series_uid = series_uid or f"{study_uid}.1"
    values: dict[str, object] = dict(
        series_uid=series_uid, study_uid=study_uid, patient_id=patient_id,
        files=[root / series_uid / f"CT{k:04d}.dcm" for k in range(n_slices)],
        frame_of_reference_uid=f"{study_uid}.9", patient_name="Zhang^San=张三",
        patient_birth_date="1961-03-04", patient_sex="M", study_date="2025-01-15",
        study_time="090000", study_description="CT CHEST", accession_number="ACC1",
        series_description="Lung 1.0", series_number=2, rows=512, columns=512,
        n_slices=n_slices, spacing_mm=(0.7, 0.7, 1.25), slice_thickness_mm=1.25,
    )
    values.update(overrides)
    return SeriesRecord(**values)  # type: ignore[arg-type]


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("patients", "studies", "series", "series_files", "audit_log")}
    finally:
        conn.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path, user="dr.li") as opened:
        yield opened


def test_open_without_path_creates_the_store_in_the_data_dir_with_wal_and_foreign_keys():
    with Store.open() as store:
        assert store.path == default_db_path()
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert store.schema_version() == Store.code_schema_version() >= 1
    assert default_db_path().is_file()


def test_scan_is_stored_with_patient_study_series_and_files_in_order(store, db_path, tmp_path):
    record = make_record(tmp_path)
    summary = store.add_scan_result(ScanResult(series=[record]))
    assert summary.patients_added == ("P001",)
    assert summary.studies_added == ("1.2.826.0.1.1",)
    (series,) = summary.series_added
    assert (series.series_uid, series.patient_id, series.study_date) == (
        record.series_uid, "P001", "2025-01-15")
    assert series.spacing_mm == (0.7, 0.7, 1.25) and series.n_slices == 3
    assert store.series_files(record.series_uid, require_present=False) == record.files
    assert store.series_files(series.id, require_present=False) == record.files
    store.close()
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT p.name, p.birth_date, st.study_date, se.rows, se.spacing_z_mm "
                       "FROM series se JOIN studies st ON st.id = se.study "
                       "JOIN patients p ON p.id = st.patient").fetchone()
    assert row == ("Zhang^San=张三", "1961-03-04", "2025-01-15", 512, 1.25)
    assert conn.execute("SELECT action FROM audit_log ORDER BY id").fetchall() == [
        ("import_patient",), ("import_study",), ("import_series_added",)]
    conn.close()


def test_reimporting_the_same_files_changes_nothing(store, db_path, tmp_path):
    scan = ScanResult(series=[make_record(tmp_path), make_record(tmp_path, series_uid="1.2.3.4")])
    store.add_scan_result(scan)
    before = table_counts(db_path)
    again = store.add_scan_result(scan)
    assert [s.series_uid for s in again.series_unchanged] == ["1.2.826.0.1.1.1", "1.2.3.4"]
    assert again.series_added == again.series_updated == again.patients_added == ()
    assert table_counts(db_path) == before == {
        "patients": 1, "studies": 1, "series": 2, "series_files": 6, "audit_log": 4}


def test_reimport_from_a_new_place_replaces_the_file_list_without_duplicates(store, tmp_path):
    store.add_scan_result(ScanResult(series=[make_record(tmp_path / "cd")]))
    moved = make_record(tmp_path / "copy", n_slices=4)
    summary = store.add_scan_result(ScanResult(series=[moved]))
    (series,) = summary.series_updated
    assert series.n_slices == 4
    assert store.series_files(moved.series_uid, require_present=False) == moved.files
    assert [e["action"] for e in store.audit_entries("series")] == [
        "import_series_added", "import_series_updated"]


def test_a_series_that_contradicts_the_store_is_reported_and_the_rest_is_stored(store, tmp_path):
    store.add_scan_result(ScanResult(series=[make_record(tmp_path)]))
    clash = make_record(tmp_path, patient_id="P999", series_uid="1.2.826.0.1.1.7")
    fine = make_record(tmp_path, patient_id="P002", study_uid="1.2.826.0.2")
    summary = store.add_scan_result(ScanResult(series=[clash, fine]))
    assert summary.conflicts == (
        ("1.2.826.0.1.1.7", "study 1.2.826.0.1.1 is already stored under another patient"),)
    assert summary.patients_added == ("P002",)
    assert store.get_patient("P999") is None
    assert [p.patient_id for p in store.search_patients()] == ["P001", "P002"]


def test_search_by_name_part_id_chinese_name_accession_and_study_date(store, tmp_path):
    store.add_scan_result(ScanResult(series=[
        make_record(tmp_path),
        make_record(tmp_path, patient_id="P002", study_uid="9.1", patient_name="Wang^Fang=王芳",
                    study_date="2024-06-01", accession_number="A_77"),
        make_record(tmp_path, patient_id="P002", study_uid="9.2", patient_name="Wang^Fang=王芳",
                    study_date="2025-03-01"),
    ]))
    ids = lambda patients: [p.patient_id for p in patients]  # noqa: E731
    assert ids(store.search_patients("zhang san")) == ["P001"]
    assert ids(store.search_patients("王芳")) == ["P002"]
    assert ids(store.search_patients("p00")) == ["P002", "P001"]
    assert ids(store.search_patients("A_77")) == ["P002"]
    assert ids(store.search_patients("%")) == []
    assert ids(store.search_patients(study_date_from="2024-01-01", study_date_to="2024-12-31")) == [
        "P002"]
    assert ids(store.search_patients("", study_date_from="20250110")) == ["P002", "P001"]
    (wang,) = store.search_patients("wang")
    assert (wang.n_studies, wang.last_study_date) == (2, "2025-03-01")
    assert [s.study_date for s in store.studies_of_patient("P002")] == ["2024-06-01", "2025-03-01"]


def test_series_of_a_study_and_stacks_of_one_series(store, tmp_path):
    axial = make_record(tmp_path, series_uid="5.5", series_number=3)
    other = make_record(tmp_path, series_uid="5.5", stack_key="512x400", series_number=3, rows=400)
    first = make_record(tmp_path, series_uid="5.4", series_number=1)
    store.add_scan_result(ScanResult(series=[axial, other, first]))
    listed = store.series_of_study("1.2.826.0.1.1")
    assert [(s.series_uid, s.stack_key) for s in listed] == [
        ("5.4", ""), ("5.5", ""), ("5.5", "512x400")]
    assert store.get_series("5.5", stack_key="512x400").rows == 400
    assert store.get_series("no.such.uid") is None
    with pytest.raises(StoreError, match="several stacks"):
        store.series_files("5.5")


def test_a_failing_import_stores_nothing_of_it_and_keeps_what_was_there(store, db_path, tmp_path):
    store.add_scan_result(ScanResult(series=[make_record(tmp_path)]))
    before = table_counts(db_path)
    good = make_record(tmp_path, patient_id="P002", study_uid="7.7")
    broken = make_record(tmp_path, patient_id="P003", study_uid="8.8", rows=-1)
    with pytest.raises(StoreError, match=f"store {db_path}: CHECK constraint failed"):
        store.add_scan_result(ScanResult(series=[good, broken]))
    assert table_counts(db_path) == before
    assert store.get_patient("P002") is None
    assert store.add_scan_result(ScanResult(series=[good])).patients_added == ("P002",)


def test_a_full_disk_is_a_store_error_and_loses_nothing(store, db_path, tmp_path):
    store.add_scan_result(ScanResult(series=[make_record(tmp_path)]))
    before = table_counts(db_path)
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = ScanResult(series=[make_record(tmp_path / ("x" * 200), patient_id=f"Q{n}",
                                         study_uid=f"3.{n}", n_slices=300) for n in range(5)])
    with pytest.raises(StoreError, match=f"store {db_path}: the disk is full"):
        store.add_scan_result(big)
    assert table_counts(db_path) == before


def test_a_locked_store_is_a_store_error_naming_the_file(db_path, tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.2)
    Store.open(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(db_path) as store, pytest.raises(StoreError, match="locked"):
            store.add_scan_result(ScanResult(series=[make_record(tmp_path)]))
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_file_that_is_not_a_store_is_a_store_error(tmp_path):
    path = tmp_path / "photo.sqlite"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4096))
    with pytest.raises(StoreError, match=f"store {path}: the file is not a NoduleDesk store"):
        Store.open(path)
    assert path.read_bytes().startswith(b"\x89PNG")


_READ_ONLY_CHILD = """
import json, os, sys
from pathlib import Path
from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.errors import StoreError
from nodule_desk.store import Store
if os.geteuid() == 0:  # root ignores file permissions: write as the user 'nobody'
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
record = SeriesRecord(series_uid="4.4", study_uid="4", patient_id="P4", files=[Path("/x/1.dcm")])
try:
    with Store.open(Path(sys.argv[1])) as store:
        store.add_scan_result(ScanResult(series=[record]))
    print(json.dumps({"error": None}))
except StoreError as error:
    print(json.dumps({"error": str(error)}))
"""


def test_a_read_only_store_is_a_store_error_and_keeps_its_rows(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="nd-readonly-"))
    try:
        folder.chmod(0o755)
        path = folder / "store.sqlite"
        with Store.open(path) as store:
            store.add_scan_result(ScanResult(series=[make_record(tmp_path)]))
        before = table_counts(path)
        path.chmod(0o444)
        child = subprocess.run(
            [sys.executable, "-c", _READ_ONLY_CHILD, str(path)], capture_output=True, text=True,
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True, timeout=60)
        error = json.loads(child.stdout)["error"]
        assert error.startswith(f"store {path}: ")
        assert "read-only" in error or "cannot be opened" in error
        assert table_counts(path) == before
    finally:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


def test_file_problems_of_a_scan_do_not_stop_its_series(store, tmp_path):
    scan = ScanResult(series=[make_record(tmp_path)],
                      problems=[FileProblem(tmp_path / "junk.txt", "not a DICOM file")])
    assert len(store.add_scan_result(scan).series_added) == 1
