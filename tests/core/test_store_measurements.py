"""Nodules and measurement versions: an edit never overwrites, history and 'current' are exact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.errors import StoreError
from nodule_desk.store import MeasurementValues, Store


def _record(root: Path, patient_id: str, study_uid: str, study_date: str) -> SeriesRecord:
    return SeriesRecord(
        series_uid=f"{study_uid}.1", study_uid=study_uid, patient_id=patient_id,
        files=[root / study_uid / f"{k}.dcm" for k in range(2)], study_date=study_date,
        rows=512, columns=512, n_slices=2, spacing_mm=(0.7, 0.7, 1.0),
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store.sqlite", user="dr.li") as opened:
        opened.add_scan_result(ScanResult(series=[
            _record(tmp_path, "P1", "1.1", "2024-01-10"),
            _record(tmp_path, "P1", "1.2", "2024-07-12"),
            _record(tmp_path, "P2", "2.1", "2024-03-03"),
        ]))
        yield opened


SOLID = MeasurementValues(
    center_lps_mm=(-92.5, 30.25, -110.0), volume_mm3=268.1, long_axis_mm=9.1, short_axis_mm=7.3,
    mean_diameter_mm=8.2, longest_3d_mm=9.4, mean_hu=21.0, max_hu=88.0, density_type="solid",
    lobe="RUL", margin="smooth", location="parenchymal", features=("cystic",),
)


def test_nodules_get_labels_and_a_tracking_uid(store):
    first = store.create_nodule("P1")
    second = store.create_nodule("P1")
    other = store.create_nodule("P2", label="A")
    assert (first.label, second.label, other.label) == ("N1", "N2", "A")
    assert first.tracking_uid != second.tracking_uid
    assert first.tracking_uid.replace(".", "").isdigit() and len(first.tracking_uid) <= 64
    assert [n.label for n in store.nodules_of_patient("P1")] == ["N1", "N2"]
    with pytest.raises(StoreError, match="already has a nodule labelled N1"):
        store.create_nodule("P1", label="N1")
    with pytest.raises(StoreError, match="patient NOBODY is not stored"):
        store.create_nodule("NOBODY")


def test_a_measurement_keeps_every_value_and_label(store):
    nodule = store.create_nodule("P1")
    stored = store.add_measurement(nodule.id, "1.1.1", SOLID, mask=b"\x01\x02")
    assert stored.version == 1 and stored.replaces is None and stored.method == "auto"
    assert stored.created_by == "dr.li" and stored.has_mask
    for name in MeasurementValues.value_names():
        assert getattr(stored, name) == getattr(SOLID, name), name
    assert (stored.study_uid, stored.series_uid, stored.tracking_uid) == (
        "1.1", "1.1.1", nodule.tracking_uid)
    assert store.measurement_mask(stored.id) == b"\x01\x02"


def test_an_edit_makes_a_new_version_and_the_old_one_stays(store):
    nodule = store.create_nodule("P1")
    first = store.add_measurement(nodule.id, "1.1.1", SOLID, mask=b"m")
    edited = store.revise_measurement(first.id, {"long_axis_mm": 10.0, "mean_diameter_mm": 8.7,
                                                 "margin": "lobulated"}, user="dr.wang")
    assert (edited.version, edited.replaces, edited.method) == (2, first.id, "edited")
    assert (edited.created_by, edited.long_axis_mm, edited.margin) == ("dr.wang", 10.0, "lobulated")
    assert edited.volume_mm3 == SOLID.volume_mm3 and store.measurement_mask(edited.id) == b"m"
    assert store.get_measurement(first.id) == first
    assert [m.id for m in store.current_measurements(patient_id="P1")] == [edited.id]
    assert [m.version for m in store.measurement_history(nodule.id)] == [1, 2]
    audit = store.audit_entries("measurement", edited.id)
    assert audit[0]["user"] == "dr.wang"
    assert audit[0]["detail"]["changes"] == {"long_axis_mm": 10.0, "mean_diameter_mm": 8.7,
                                             "margin": "lobulated"}
    with pytest.raises(StoreError, match="already revised"):
        store.revise_measurement(first.id, {"long_axis_mm": 11.0})


def test_current_measurements_by_patient_and_by_study_across_visits(store):
    nodule = store.create_nodule("P1")
    baseline = store.add_measurement(nodule.id, "1.1.1", SOLID)
    followup = store.add_measurement(nodule.id, "1.2.1", SOLID, method="manual")
    revised = store.revise_measurement(followup.id, {"volume_mm3": 300.0})
    other = store.add_measurement(store.create_nodule("P2").id, "2.1.1", SOLID)
    assert [m.id for m in store.current_measurements(patient_id="P1")] == [baseline.id, revised.id]
    assert [m.id for m in store.current_measurements(study_uid="1.2")] == [revised.id]
    assert [m.id for m in store.current_measurements(patient_id="P2")] == [other.id]
    history = store.measurement_history(nodule.id)
    assert [(m.study_uid, m.version) for m in history] == [("1.1", 1), ("1.2", 1), ("1.2", 2)]


def test_wrong_measurements_are_refused_with_the_reason(store):
    nodule = store.create_nodule("P1")
    with pytest.raises(StoreError, match="another patient"):
        store.add_measurement(nodule.id, "2.1.1", SOLID)
    with pytest.raises(StoreError, match="lobe 'RUQ' is not one of"):
        MeasurementValues(center_lps_mm=(0, 0, 0), lobe="RUQ")
    with pytest.raises(StoreError, match="short_axis_mm 9.0 is longer"):
        MeasurementValues(center_lps_mm=(0, 0, 0), long_axis_mm=5.0, short_axis_mm=9.0)
    first = store.add_measurement(nodule.id, "1.1.1", SOLID)
    with pytest.raises(StoreError, match="already measured on this series"):
        store.add_measurement(nodule.id, "1.1.1", SOLID)
    with pytest.raises(StoreError, match="unknown measurement fields: diameter"):
        store.revise_measurement(first.id, {"diameter": 3})
    with pytest.raises(StoreError, match="volume_mm3 cannot be negative"):
        store.revise_measurement(first.id, {"volume_mm3": -1.0})
    assert len(store.measurement_history(nodule.id)) == 1


def test_sql_cannot_overwrite_or_delete_a_measurement(store):
    nodule = store.create_nodule("P1")
    first = store.add_measurement(nodule.id, "1.1.1", SOLID)
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
            conn.execute("UPDATE measurements SET volume_mm3 = 1 WHERE id = ?", (first.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM measurements")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
        with pytest.raises(sqlite3.IntegrityError, match="previous version on the same series"):
            conn.execute(
                "INSERT INTO measurements (nodule, series, version, replaces, method, created_by, "
                "created_at, center_x_mm, center_y_mm, center_z_mm) "
                "SELECT nodule, series, 5, id, 'edited', 'x', 'now', 0, 0, 0 FROM measurements")
    finally:
        conn.close()
    assert store.get_measurement(first.id) == first
