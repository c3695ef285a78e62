"""A click measures a nodule into the store; every correction is a new version, none is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.followup.nodule_records import (
    measure_and_record,
    record_edited_mask,
    record_labels,
    record_manual_axes,
)
from nodule_desk.imaging.mask_codec import decode_mask, encode_mask
from nodule_desk.store import Store
from nodule_desk.volume import VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series


@pytest.fixture()
def stored_series(tmp_path: Path):
    volume, truth = make_phantom(PhantomSpec(10.0, density="solid", slice_mm=1.25))
    identity = SeriesIdentity("NR-1", "Zhao^Lei", dt.date(2025, 4, 1))
    write_ct_series(volume, tmp_path / "ct", identity)
    store = Store.open(tmp_path / "store.sqlite", user="dr.zhao")
    store.add_scan_result(scan_paths([tmp_path / "ct"]))
    yield store, load_series_dir(tmp_path / "ct"), identity.series_uid, truth
    store.close()


def test_mask_round_trips_with_its_geometry():
    mask = np.zeros((5, 7, 9), dtype=bool)
    mask[2, 3, 4] = mask[1, 2, 3] = True
    geometry = VolumeGeometry(
        (5, 7, 9), (0.5, 0.6, 0.7), (1.0, 2.0, 3.0), (0, 1, 0, 1, 0, 0, 0, 0, -1)
    )
    back = decode_mask(encode_mask(mask, geometry))
    np.testing.assert_array_equal(back.hu.astype(bool), mask)
    assert back.geometry == geometry


def test_click_measures_and_stores_version_one_with_mask(stored_series):
    store, volume, series_uid, truth = stored_series
    measurement, is_new = measure_and_record(store, volume, (0.5, 0.0, 0.0), series_uid)
    assert is_new
    assert measurement.version == 1 and measurement.method == "auto"
    assert measurement.nodule_label == "N1"
    assert measurement.created_by == "dr.zhao"
    assert measurement.mean_diameter_mm == pytest.approx(truth.mean_diameter_mm, abs=0.6)
    assert measurement.density_type == "solid"
    mask = decode_mask(store.measurement_mask(measurement.id))
    assert mask.hu.sum() > 100


def test_second_click_on_the_same_nodule_does_not_measure_it_twice(stored_series):
    store, volume, series_uid, _ = stored_series
    first, _ = measure_and_record(store, volume, (0.0, 0.0, 0.0), series_uid)
    again, is_new = measure_and_record(store, volume, (2.0, 1.0, -1.0), series_uid)
    assert not is_new and again.id == first.id
    assert len(store.nodules_of_patient("NR-1")) == 1


def test_caliper_labels_and_override_are_new_versions(stored_series):
    store, volume, series_uid, _ = stored_series
    auto, _ = measure_and_record(store, volume, (0.0, 0.0, 0.0), series_uid)
    manual = record_manual_axes(store, auto.id, 9.0, 11.4)
    assert (manual.long_axis_mm, manual.short_axis_mm, manual.mean_diameter_mm) == (11.4, 9.0, 10.2)
    assert manual.method == "manual" and manual.replaces == auto.id
    labelled = record_labels(
        store, manual.id, {"lobe": "RUL", "margin": "spiculated", "density_type": "part_solid"}
    )
    assert labelled.version == 3 and labelled.lobe == "RUL"
    assert labelled.long_axis_mm == 11.4
    history = store.measurement_history(auto.nodule_id)
    assert [m.version for m in history] == [1, 2, 3]
    assert history[0].long_axis_mm == auto.long_axis_mm
    current = store.current_measurements(patient_id="NR-1")
    assert [m.id for m in current] == [labelled.id]


def test_unknown_label_is_refused(stored_series):
    store, volume, series_uid, _ = stored_series
    auto, _ = measure_and_record(store, volume, (0.0, 0.0, 0.0), series_uid)
    with pytest.raises(ValueError, match="colour"):
        record_labels(store, auto.id, {"colour": "red"})


def test_brush_edit_remeasures_the_mask(stored_series):
    store, volume, series_uid, _ = stored_series
    auto, _ = measure_and_record(store, volume, (0.0, 0.0, 0.0), series_uid)
    mask = decode_mask(store.measurement_mask(auto.id))
    eroded = mask.hu.astype(bool)
    eroded[: eroded.shape[0] // 2] = False
    edited = record_edited_mask(store, auto.id, volume, eroded, mask.geometry)
    assert edited.method == "edited" and edited.replaces == auto.id
    assert edited.volume_mm3 < auto.volume_mm3 * 0.8
    assert decode_mask(store.measurement_mask(edited.id)).hu.sum() == eroded.sum()
