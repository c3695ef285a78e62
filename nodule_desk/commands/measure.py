"""``python -m nodule_desk measure SERIES_DIR --seed X Y Z [--record] [--db FILE]``.

Prints the measurement JSON of DESIGN.md, plus the extra measurements of NoduleMeasurement. With
``--record`` the measurement is stored as a Ctrl+click stores it: the series is imported first when
the store lacks it, and on a follow-up the measurement joins the prior visit's nodule carried there;
the output then adds ``nodule_label``, ``measurement_id`` and whether it joined a prior nodule.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.dicom.scan import scan_paths
from nodule_desk.errors import DicomFileError, StoreError
from nodule_desk.imaging.measure import measure_nodule
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume


def run(args: argparse.Namespace) -> dict[str, Any]:
    series_dir = Path(args.series_dir)
    if not series_dir.is_dir():
        raise DicomFileError(series_dir, "not a folder of DICOM files")
    volume = load_series_dir(series_dir)
    if getattr(args, "record", False):
        return _record(args, series_dir, volume)
    result = measure_nodule(volume, args.seed).to_dict()
    result["series_uid"] = volume.series_uid
    result["seed_mm"] = [float(v) for v in args.seed]
    return result


def _record(args: argparse.Namespace, series_dir: Path, volume: CTVolume) -> dict[str, Any]:
    from nodule_desk.followup.nodule_records import measure_and_record

    stack_key = str(volume.metadata.get("stack_key") or "")
    with Store.open(args.db) as store:
        if store.get_series(volume.series_uid, stack_key) is None:
            store.add_scan_result(scan_paths([series_dir]))
        if store.get_series(volume.series_uid, stack_key) is None:
            raise StoreError(f"series {volume.series_uid} in {series_dir} could not be imported")
        before = {n.id for n in store.nodules_of_patient(str(volume.metadata.get("patient_id")))}
        measurement, is_new = measure_and_record(
            store, volume, args.seed, volume.series_uid, stack_key
        )
    return {
        **_measurement_json(measurement),
        "series_uid": volume.series_uid,
        "seed_mm": [float(v) for v in args.seed],
        "nodule_label": measurement.nodule_label,
        "measurement_id": measurement.id,
        "tracking_uid": measurement.tracking_uid,
        "already_measured": not is_new,
        "joined_prior_nodule": measurement.nodule_id in before,
    }


def _measurement_json(m: Any) -> dict[str, Any]:
    """The stored measurement in the measure contract's fields; a solid nodule's solid component
    is the nodule itself, as the unrecorded measure prints it."""
    solid = m.density_type == "solid"
    return {
        "volume_mm3": m.volume_mm3,
        "long_axis_mm": m.long_axis_mm,
        "short_axis_mm": m.short_axis_mm,
        "mean_diameter_mm": m.mean_diameter_mm,
        "longest_3d_mm": m.longest_3d_mm,
        "mean_hu": m.mean_hu,
        "max_hu": m.max_hu,
        "density_type": m.density_type,
        "solid_component_long_axis_mm": m.long_axis_mm
        if solid
        else (m.solid_component_long_axis_mm or 0.0),
        "solid_component_mean_diameter_mm": m.mean_diameter_mm
        if solid
        else (m.solid_component_mean_diameter_mm or 0.0),
        "solid_volume_mm3": m.volume_mm3 if solid else (m.solid_volume_mm3 or 0.0),
        "center_mm": list(m.center_lps_mm),
    }
