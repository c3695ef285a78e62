"""Old stores open with new code: each fixture in tests/data/store is migrated as a copy."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from nodule_desk.errors import StoreError
from nodule_desk.store import Store
from nodule_desk.store.connection import connect
from nodule_desk.store.migrations import MIGRATIONS, create_v1, migrate, user_version

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "store"
TABLES = ("patients", "studies", "series", "series_files", "nodules", "measurements", "reports",
          "audit_log", "outbox")
V1_COUNTS = {"patients": 2, "studies": 3, "series": 3, "series_files": 11, "nodules": 1,
             "measurements": 3, "reports": 2, "audit_log": 16, "outbox": 1}


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def version_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def schema_of(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE "
                            "'sqlite_%' ORDER BY type, name").fetchall()
    finally:
        conn.close()
    return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


def test_the_v1_fixture_opens_at_the_current_version_with_every_row(tmp_path):
    path = copy_fixture("store_v1.sqlite", tmp_path)
    assert counts(path) == V1_COUNTS
    with Store.open(path) as store:
        assert store.schema_version() == Store.code_schema_version()
        (li,) = store.search_patients("李华")
        assert (li.patient_id, li.n_studies, li.last_study_date) == ("P0001", 2, "2024-07-15")
        (nodule,) = store.nodules_of_patient("P0001")
        assert nodule.tracking_uid == "1.2.826.0.1.3680043.10.99"
        history = store.measurement_history(nodule.id)
        assert [(m.version, m.method, m.long_axis_mm) for m in history] == [
            (1, "auto", 7.5), (2, "edited", 7.8), (1, "manual", 7.5)]
        assert store.measurement_mask(history[1].id) == b"\x00\x01\x01\x00"
        reports = store.report_history("1.2.826.0.1.3680043.10.1")
        assert [(r.version, r.status) for r in reports] == [(1, "signed"), (2, "draft")]
        assert len(store.series_files("1.2.826.0.1.3680043.10.2.1", require_present=False)) == 4
    assert counts(path) == V1_COUNTS


def test_a_migrated_store_has_the_schema_of_a_new_one(tmp_path):
    old = copy_fixture("store_v1.sqlite", tmp_path)
    Store.open(old).close()
    fresh = tmp_path / "fresh.sqlite"
    Store.open(fresh).close()
    assert schema_of(old) == schema_of(fresh)


def _add_referral_note(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE studies ADD COLUMN referral_note TEXT NOT NULL DEFAULT ''")


def _broken_step(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE studies ADD COLUMN half_done TEXT")
    db.execute("INSERT INTO no_such_table VALUES (1)")


def _open_raw(path: Path) -> sqlite_utils.Database:
    return connect(path)


def test_a_new_step_runs_once_keeps_rows_and_leaves_a_backup(tmp_path):
    path = copy_fixture("store_v1.sqlite", tmp_path)
    steps = [*MIGRATIONS, _add_referral_note]
    db = _open_raw(path)
    try:
        assert migrate(db, path, steps) == 1
        assert user_version(db) == len(MIGRATIONS) + 1
        assert migrate(db, path, steps) == len(MIGRATIONS) + 1
        assert "referral_note" in db["studies"].columns_dict
    finally:
        db.close()
    assert counts(path) == V1_COUNTS
    backup = tmp_path / "store_v1.sqlite.v1.bak"
    assert counts(backup) == V1_COUNTS
    assert version_of(backup) == 1


def test_a_failing_step_leaves_the_file_at_the_version_before_it(tmp_path):
    path = copy_fixture("store_v1.sqlite", tmp_path)
    db = _open_raw(path)
    try:
        with pytest.raises(StoreError, match=f"store {path}: migration from version 1 to 2 failed, "
                                             "the file is unchanged at version 1"):
            migrate(db, path, [create_v1, _broken_step])
        assert user_version(db) == 1
        assert "half_done" not in db["studies"].columns_dict
    finally:
        db.close()
    assert counts(path) == V1_COUNTS


def test_a_store_from_a_newer_nodule_desk_is_refused_and_left_alone(tmp_path):
    path = copy_fixture("store_v1.sqlite", tmp_path)
    newer = Store.code_schema_version() + 1
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = schema_of(path)
    with pytest.raises(StoreError, match=f"store {path}: schema version {newer} was written by a "
                                         "newer NoduleDesk"):
        Store.open(path)
    assert version_of(path) == newer
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert schema_of(path) == before and counts(path) == V1_COUNTS


def test_an_empty_file_becomes_a_new_store_without_a_backup(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    with Store.open(path) as store:
        assert store.schema_version() == Store.code_schema_version()
        assert store.search_patients() == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".bak") == []
