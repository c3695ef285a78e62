"""``python -m nodule_desk import`` on real DICOM files, checked in the SQLite file afterwards."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

REPO = Path(__file__).resolve().parents[2]


def _write_series(folder: Path, identity: SeriesIdentity, spacing_z_mm: float, n_slices: int):
    geometry = VolumeGeometry(shape_kji=(n_slices, 16, 20),
                              spacing_xyz_mm=(0.75, 0.75, spacing_z_mm),
                              origin_lps_mm=(-7.5, -6.0, -100.0))
    hu = np.full(geometry.shape_kji, -850, dtype=np.int16)
    hu[:, 6:10, 8:12] = 30
    return write_ct_series(CTVolume(hu=hu, geometry=geometry), folder, identity)


@pytest.fixture(scope="module")
def dicom_tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("incoming")
    baseline = SeriesIdentity("NDP-01", "Zhou^Min", dt.date(2024, 3, 5))
    followup = SeriesIdentity("NDP-01", "Zhou^Min", dt.date(2024, 9, 9))
    other = SeriesIdentity("NDP-02", "Sun^Li", dt.date(2025, 1, 2))
    _write_series(root / "cd1" / "a", baseline, 1.25, 6)
    _write_series(root / "cd1" / "b", followup, 2.5, 4)
    _write_series(root / "usb", other, 1.0, 5)
    broken = root / "cd1" / "a" / "CT9999.dcm"
    broken.write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI")
    return {"root": root, "identities": (baseline, followup, other), "broken": broken}


def run_import(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nodule_desk", "import", *map(str, args)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_import_stores_every_series_and_lists_bad_files_and_missing_paths(dicom_tree, tmp_path):
    root: Path = dicom_tree["root"]  # type: ignore[assignment]
    baseline, followup, other = dicom_tree["identities"]  # type: ignore[misc]
    db = tmp_path / "store.sqlite"
    missing = root / "no-such-folder"
    done = run_import(root / "cd1", root / "usb", missing, "--db", db)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    by_uid = {s["series_uid"]: s for s in result["series"]}
    assert set(by_uid) == {baseline.series_uid, followup.series_uid, other.series_uid}
    first = by_uid[baseline.series_uid]
    assert (first["patient_id"], first["study_date"], first["n_slices"]) == (
        "NDP-01", "2024-03-05", 6)
    assert first["spacing_mm"] == pytest.approx([0.75, 0.75, 1.25])
    assert by_uid[followup.series_uid]["spacing_mm"] == pytest.approx([0.75, 0.75, 2.5])
    error_paths = {e["path"] for e in result["errors"]}
    assert {str(missing), str(dicom_tree["broken"])} <= error_paths
    assert all(e["error"] for e in result["errors"])

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
        patients = conn.execute("SELECT patient_id, name FROM patients ORDER BY patient_id")
        assert patients.fetchall() == [("NDP-01", "Zhou^Min"), ("NDP-02", "Sun^Li")]
        assert conn.execute("SELECT count(*) FROM studies").fetchone()[0] == 3
        files = conn.execute(
            "SELECT f.path FROM series_files f JOIN series s ON s.id = f.series "
            "WHERE s.series_uid = ? ORDER BY f.slice_index", (baseline.series_uid,)).fetchall()
    finally:
        conn.close()
    # copied into the local archive beside the store (issue 17 item 7), in slice order
    originals = [root / "cd1" / "a" / f"CT{k:04d}.dcm" for k in range(1, 7)]
    assert [Path(p).read_bytes() for (p,) in files] == [o.read_bytes() for o in originals]
    assert all(Path(p).is_relative_to(tmp_path / "archive") for (p,) in files)
    assert all(s["archived"] for s in result["series"])


def test_importing_again_changes_nothing_in_the_store(dicom_tree, tmp_path):
    root: Path = dicom_tree["root"]  # type: ignore[assignment]
    db = tmp_path / "store.sqlite"
    assert run_import(root, "--db", db).returncode == 0
    again = run_import(root / "usb", root, "--db", db)
    assert again.returncode == 0, again.stderr
    assert {s["stored"] for s in json.loads(again.stdout)["series"]} == {"unchanged"}
    conn = sqlite3.connect(db)
    try:
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("patients", "studies", "series", "series_files")]
    finally:
        conn.close()
    assert counts == [2, 3, 3, 15]


def test_a_store_that_cannot_be_written_fails_the_command_and_names_the_file(dicom_tree, tmp_path):
    root: Path = dicom_tree["root"]  # type: ignore[assignment]
    db = tmp_path / "not-a-store.sqlite"
    db.write_text("this is a text file, not SQLite " * 200)
    done = run_import(root / "usb", "--db", db)
    assert done.returncode == 2 and done.stdout == ""
    assert str(db) in done.stderr and "not a NoduleDesk store" in done.stderr
    assert db.read_text().startswith("this is a text file")


def test_a_missing_path_alone_is_an_error_item_and_the_store_is_still_created(isolated_home):
    missing = isolated_home / "DICOM" / "gone"
    done = run_import(missing)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "series": [], "errors": [{"path": str(missing), "error": "no such file or folder"}]}
    conn = sqlite3.connect(isolated_home / "data" / "nodule_desk.sqlite")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    finally:
        conn.close()


def test_link_in_place_stores_the_original_files_and_copies_nothing(dicom_tree, tmp_path):
    root: Path = dicom_tree["root"]  # type: ignore[assignment]
    db = tmp_path / "store.sqlite"
    done = run_import(root / "usb", "--db", db, "--link-in-place")
    assert done.returncode == 0, done.stderr
    (series,) = json.loads(done.stdout)["series"]
    assert series["archived"] is False
    conn = sqlite3.connect(db)
    try:
        files = [p for (p,) in conn.execute("SELECT path FROM series_files ORDER BY slice_index")]
        assert conn.execute("SELECT count(*) FROM archive_instances").fetchone()[0] == 0
    finally:
        conn.close()
    assert files == [str(root / "usb" / f"CT{k:04d}.dcm") for k in range(1, 6)]
    assert not (tmp_path / "archive").exists()
