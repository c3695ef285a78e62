"""Measuring a nodule from a click and keeping it in the store, and every edit after that.

A click measures the nodule (segment_nodule + measure_segmentation) and stores version 1 of its
measurement with the mask, joined to the prior visit's nodule when one was carried there
(:mod:`nodule_desk.followup.identity`); a click on a nodule already measured on that series
returns it instead of measuring it twice. Every correction (manual axes, density type override,
labels, a repainted mask) is a new version that points at the one it replaces, with who and when
(the store keeps both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nodule_desk.errors import StoreError
from nodule_desk.followup.identity import VolumeLoader, carried_priors, prior_partner
from nodule_desk.followup.matching import FollowupNodule
from nodule_desk.imaging.lung_zone import lung_zone
from nodule_desk.imaging.mask_codec import decode_mask, encode_mask
from nodule_desk.imaging.measure import NoduleMeasurement, measure_segmentation, round_half_up
from nodule_desk.imaging.segment import NoduleSegmentation, segment_nodule
from nodule_desk.store import Measurement, MeasurementValues, Series, Store
from nodule_desk.volume import CTVolume, VolumeGeometry

TYPICAL_LUNG_HU = -850.0
"""Aerated lung (DOMAIN.md); the partial-volume reference of a hand-painted mask."""
SAME_NODULE_DISTANCE_MM = 3.0
"""A click this close to a measured nodule's centre (or inside its mask) selects that nodule."""


def values_from(measurement: NoduleMeasurement) -> dict[str, Any]:
    """Store fields of an automatic measurement. A part-solid nodule's solid component keeps its
    mean diameter (Lung-RADS v2022 sizes by it) and its long axis (Fleischner 2017 and
    C-Lung-RADS); a solid nodule has no separate one."""
    part_solid = measurement.density_type == "part_solid"
    return {
        "center_lps_mm": measurement.center_mm,
        "volume_mm3": measurement.volume_mm3,
        "long_axis_mm": measurement.long_axis_mm,
        "short_axis_mm": measurement.short_axis_mm,
        "mean_diameter_mm": measurement.mean_diameter_mm,
        "longest_3d_mm": measurement.longest_3d_mm,
        "mean_hu": measurement.mean_hu,
        "max_hu": measurement.max_hu,
        "density_type": measurement.density_type,
        "solid_component_mean_diameter_mm": (
            measurement.solid_component_mean_diameter_mm if part_solid else None
        ),
        "solid_component_long_axis_mm": (
            measurement.solid_component_long_axis_mm if part_solid else None
        ),
        "solid_volume_mm3": measurement.solid_volume_mm3 if part_solid else None,
    }


def _contains(measurement: Measurement, store: Store, point_lps_mm: NDArray) -> bool:
    if (
        np.linalg.norm(np.asarray(measurement.center_lps_mm) - point_lps_mm)
        <= SAME_NODULE_DISTANCE_MM
    ):
        return True
    data = store.measurement_mask(measurement.id)
    if not data:
        return False
    mask = decode_mask(data)
    index = np.rint(mask.geometry.world_lps_mm_to_index(point_lps_mm)).astype(int)[::-1]
    inside = all(0 <= v < n for v, n in zip(index, mask.hu.shape, strict=True))
    return bool(inside and mask.hu[tuple(index)])


def measured_at(
    store: Store, series_uid: str, point_lps_mm: Sequence[float], stack_key: str = ""
) -> Measurement | None:
    """The current measurement on this series of the nodule at ``point_lps_mm``, if any."""
    series = store.get_series(series_uid, stack_key)
    if series is None:
        return None
    point = np.asarray(point_lps_mm, dtype=float)
    for measurement in store.current_measurements(study_uid=series.study_uid):
        if measurement.series_uid == series_uid and _contains(measurement, store, point):
            return measurement
    return None


def measure_and_record(
    store: Store,
    volume: CTVolume,
    seed_lps_mm: Sequence[float],
    series_uid: str,
    stack_key: str = "",
    user: str | None = None,
    load: VolumeLoader | None = None,
) -> tuple[Measurement, bool]:
    """Measure the nodule at the seed on this series and store it; (measurement, is_new).

    A nodule already measured there (the click inside its mask, or the new mask overlapping it)
    is returned instead. On a follow-up series the measurement joins the prior visit's nodule
    whose carried centre lies within the gate (the registration is computed once and stored;
    ``load`` reads a stored series, by default from its files). SegmentationError when the nodule
    cannot be separated: the user measures it manually.
    """
    existing = measured_at(store, series_uid, seed_lps_mm, stack_key)
    if existing is not None:
        return existing, False
    segmentation = segment_nodule(volume, seed_lps_mm)
    measurement = measure_segmentation(segmentation)
    series = store.get_series(series_uid, stack_key)
    if series is None:
        raise StoreError(f"series {series_uid} is not in the store {store.path}: import it first")
    overlapping = _overlapping(store, series, segmentation)
    if overlapping is not None:
        return overlapping, False
    carried = carried_priors(store, series, volume, load)
    partner = prior_partner(carried, measurement.center_mm)
    found = FollowupNodule(measurement.center_mm, measurement, segmentation)
    nodule_id = partner.measurement.nodule_id if partner else None
    lobe = suggested_lobe(volume, measurement.center_mm)
    stored = record_found_nodule(
        store, series, found, nodule_id, user, with_link=bool(carried), lobe=lobe
    )
    return stored, True


def record_found_nodule(
    store: Store,
    series: Series,
    found: FollowupNodule,
    nodule_id: int | None,
    user: str | None = None,
    with_link: bool = True,
    lobe: str | None = None,
) -> Measurement:
    """Store a measured nodule on ``series`` in one transaction: as a measurement of prior nodule
    ``nodule_id`` (``matched``, keeping the lobe the radiologist gave it) or of a new nodule
    (``new`` when the series is a follow-up) with ``lobe`` as suggested from the lung mask."""
    assert found.measurement is not None and found.segmentation is not None
    mask = encode_mask(found.segmentation.mask, found.segmentation.geometry)
    values = values_from(found.measurement)
    prior_lobe = _latest_lobe(store, nodule_id) if nodule_id is not None else None
    values["lobe"] = prior_lobe or lobe
    with store.transaction():
        if nodule_id is None:
            nodule_id = store.create_nodule(series.patient_id, user=user).id
            action = "new"
        else:
            action = "matched"
        stored = store.add_measurement(
            nodule_id,
            series.id,
            MeasurementValues(**values),
            method="auto",
            user=user,
            mask=mask,
        )
        if with_link:
            store.record_link(nodule_id, series.id, action, user=user)
    return stored


def _latest_lobe(store: Store, nodule_id: int) -> str | None:
    lobes = [m.lobe for m in store.measurement_history(nodule_id) if m.lobe]
    return lobes[-1] if lobes else None


def suggested_lobe(volume: CTVolume, center_lps_mm: Sequence[float]) -> str | None:
    """The lobe the lung mask suggests for a point (the radiologist confirms or changes it)."""
    zone = lung_zone(volume, center_lps_mm)
    return zone.suggested_lobe if zone else None


def _overlapping(
    store: Store, series: Series, segmentation: NoduleSegmentation
) -> Measurement | None:
    """The current measurement on this series whose stored mask shares voxels with the new one."""
    inside = np.argwhere(segmentation.mask)[:, ::-1].astype(float)
    points = segmentation.geometry.index_to_world_lps_mm(inside)
    for measurement in store.current_measurements(study_uid=series.study_uid):
        if measurement.series_uid != series.series_uid or not measurement.has_mask:
            continue
        data = store.measurement_mask(measurement.id)
        if not data:
            continue
        other = decode_mask(data)
        index = np.rint(other.geometry.world_lps_mm_to_index(points)).astype(int)
        shape_ijk = np.asarray(other.hu.shape[::-1])
        valid = np.all((index >= 0) & (index < shape_ijk), axis=1)
        index = index[valid]
        if len(index) and other.hu[index[:, 2], index[:, 1], index[:, 0]].any():
            return measurement
    return None


def record_manual_axes(
    store: Store,
    measurement_id: int,
    long_axis_mm: float,
    short_axis_mm: float,
    user: str | None = None,
) -> Measurement:
    """The radiologist's caliper: long and short axis replace the automatic ones; the mean
    diameter follows (Lung-RADS v2022, 0.1 mm). The volume stays the segmentation's."""
    long_axis, short_axis = sorted((float(long_axis_mm), float(short_axis_mm)), reverse=True)
    changes = {
        "long_axis_mm": round(long_axis, 1),
        "short_axis_mm": round(short_axis, 1),
        "mean_diameter_mm": round_half_up((long_axis + short_axis) / 2, "0.1"),
    }
    return store.revise_measurement(measurement_id, changes, user=user, method="manual")


def record_labels(
    store: Store, measurement_id: int, labels: Mapping[str, Any], user: str | None = None
) -> Measurement:
    """Lobe, margin, calcification, location, features, or a density-type override."""
    allowed = {"lobe", "margin", "calcification", "location", "features", "density_type", "comment"}
    unknown = set(labels) - allowed
    if unknown:
        raise ValueError(f"not a nodule label: {', '.join(sorted(unknown))}")
    return store.revise_measurement(measurement_id, dict(labels), user=user, method="edited")


def record_edited_mask(
    store: Store,
    measurement_id: int,
    volume: CTVolume,
    mask: NDArray[np.bool_],
    geometry: VolumeGeometry,
    user: str | None = None,
) -> Measurement:
    """A mask corrected with the paint / erase brush, on its own grid: measured again and stored
    as a new version (method "edited")."""
    if not mask.any():
        raise ValueError("the edited mask is empty: delete the nodule instead")
    hu = sample_on_grid(volume, geometry)
    segmentation = NoduleSegmentation(
        mask=mask.astype(bool),
        geometry=geometry,
        hu=hu,
        other_tissue=np.zeros(mask.shape, dtype=bool),
        lung_hu=TYPICAL_LUNG_HU,
        nodule_hu=float(np.median(hu[mask])),
        slices_per_native=1,
        native_spacing_xyz_mm=volume.geometry.spacing_xyz_mm,
    )
    values = values_from(measure_segmentation(segmentation))
    values["mask"] = encode_mask(mask, geometry)
    return store.revise_measurement(measurement_id, values, user=user, method="edited")


def sample_on_grid(volume: CTVolume, geometry: VolumeGeometry) -> NDArray[np.float32]:
    """HU of ``volume`` at the voxel centres of another grid (nearest neighbour)."""
    k, j, i = np.indices(geometry.shape_kji)
    ijk = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1).astype(float)
    source = np.rint(volume.geometry.world_lps_mm_to_index(geometry.index_to_world_lps_mm(ijk)))
    source = np.clip(source.astype(int), 0, np.asarray(volume.hu.shape[::-1]) - 1)
    values = volume.hu[source[:, 2], source[:, 1], source[:, 0]]
    return values.reshape(geometry.shape_kji).astype(np.float32)
