"""Writes store_v1.sqlite: a schema-v1 store holding one of every kind of row.

Run once, with the code of schema version 1, from the repository root:

    .venv/bin/python tests/data/store/make_store_v1.py

Never regenerate it after schema version 2 exists: the file must stay what version 1 wrote, so
that the migration tests keep proving an old user's store still opens.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.store import MeasurementValues, Store

HERE = Path(__file__).resolve().parent
TARGET = HERE / "store_v1.sqlite"
FILES = Path("/data/ct")


def _record(patient_id: str, name: str, study_uid: str, date: str, n_slices: int) -> SeriesRecord:
    return SeriesRecord(
        series_uid=f"{study_uid}.1", study_uid=study_uid, patient_id=patient_id,
        files=[FILES / study_uid / f"CT{k:04d}.dcm" for k in range(n_slices)],
        frame_of_reference_uid=f"{study_uid}.0", patient_name=name, patient_birth_date="1958-05-06",
        patient_sex="F", study_date=date, study_time="083000", study_description="CT CHEST",
        accession_number=f"A{study_uid[-1]}", series_description="Lung 1.25", series_number=2,
        rows=512, columns=512, n_slices=n_slices, spacing_mm=(0.68, 0.68, 1.25),
        slice_thickness_mm=1.25, warnings=["uneven spacing: 1.25 mm to 1.30 mm"],
    )


def main() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{TARGET}{suffix}").unlink(missing_ok=True)
    with Store.open(TARGET, user="fixture") as store:
        assert store.schema_version() == 1, "this fixture is the version-1 file"
        store.add_scan_result(ScanResult(series=[
            _record("P0001", "Li^Hua=李华", "1.2.826.0.1.3680043.10.1", "2024-01-10", 4),
            _record("P0001", "Li^Hua=李华", "1.2.826.0.1.3680043.10.2", "2024-07-15", 4),
            _record("P0002", "Chen^Jing=陈静", "1.2.826.0.1.3680043.10.3", "2024-03-01", 3),
        ]))
        nodule = store.create_nodule("P0001", tracking_uid="1.2.826.0.1.3680043.10.99")
        values = MeasurementValues(
            center_lps_mm=(-80.5, 20.0, -120.0), volume_mm3=150.0, long_axis_mm=7.5,
            short_axis_mm=6.0, mean_diameter_mm=6.8, longest_3d_mm=7.9, mean_hu=15.0,
            max_hu=70.0, density_type="part_solid", solid_component_mm=3.1,
            solid_volume_mm3=20.0, lobe="RUL", margin="lobulated", calcification="absent",
            location="juxtapleural", features=("cystic",), comment="baseline",
        )
        first = store.add_measurement(nodule.id, "1.2.826.0.1.3680043.10.1.1", values,
                                      mask=b"\x00\x01\x01\x00")
        store.revise_measurement(first.id, {"long_axis_mm": 7.8, "mean_diameter_mm": 6.9})
        store.add_measurement(nodule.id, "1.2.826.0.1.3680043.10.2.1", values, method="manual")
        report = store.save_draft("1.2.826.0.1.3680043.10.1", {"impression": "右上叶部分实性结节"})
        signed = store.sign(report.id, output_sop_instance_uids=["1.2.826.0.1.3680043.10.500"])
        store.amend(signed.id, content={"impression": "右上叶部分实性结节，建议随访"})
        store.enqueue("report", Path("/data/outbox/sr.dcm"), study_uid="1.2.826.0.1.3680043.10.1")
    conn = sqlite3.connect(TARGET)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.close()
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
