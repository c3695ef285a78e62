"""Measurements of a segmented nodule, in the radiologist's words and units.

- Volume counts the partial-volume edge: voxels within the blur of the edge count by where their
  HU lies between lung and nodule attenuation; deeper voxels count whole.
- Long and short axis on the acquired axial slice where the nodule is largest; mean diameter
  (long + short) / 2 to 0.1 mm (Lung-RADS v2022) and the Fleischner average rounded to the nearest
  millimetre (MacMahon et al., Radiology 2017;284:228-243; Bankier et al., Radiology 2017;285:584).
- Density type from the attenuation inside the mask: solid when the nodule's own edge is above
  about -300 HU, part-solid when a solid core stands inside ground glass, ground glass otherwise
  (ground glass about -750 to -300 HU, soft tissue about 0 to +60: DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from nodule_desk.imaging.axial_diameters import contour_points_mm, long_and_short_axis_mm
from nodule_desk.imaging.segment import SOLID_ABOVE_HU, NoduleSegmentation, segment_nodule
from nodule_desk.volume import CTVolume

MIN_SOLID_CORE_MM = 2.0
"""A core thinner than this (equivalent-sphere diameter) is noise, not a solid component."""
AXIAL_SMOOTHING_MM = 0.4


@dataclass(frozen=True)
class NoduleMeasurement:
    volume_mm3: float
    long_axis_mm: float
    short_axis_mm: float
    mean_diameter_mm: float
    fleischner_average_mm: int
    longest_3d_mm: float
    mean_hu: float
    max_hu: float
    density_type: str
    """"solid", "part_solid" or "ground_glass"."""
    solid_component_long_axis_mm: float
    """Long axis of the solid part on its largest axial slice (the whole nodule when solid)."""
    solid_component_mean_diameter_mm: float
    solid_volume_mm3: float
    center_mm: tuple[float, float, float]
    """Centre of mass, world LPS mm."""

    def to_dict(self) -> dict[str, object]:
        result = asdict(self)
        result["center_mm"] = list(self.center_mm)
        return result


def round_half_up(value: float, step: str) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP))


def measure_nodule(volume: CTVolume, seed_lps_mm: ArrayLike) -> NoduleMeasurement:
    """Segment the nodule at the seed and measure it; SegmentationError if it cannot be cut out."""
    return measure_segmentation(segment_nodule(volume, seed_lps_mm))


def measure_segmentation(seg: NoduleSegmentation) -> NoduleMeasurement:
    spacing = seg.spacing_kji_mm
    edge_mm = 0.5 * max(seg.native_spacing_xyz_mm) + float(np.max(spacing))
    zone, weight = _partial_volume_weights(seg, seg.mask, seg.lung_hu, seg.nodule_hu, edge_mm)
    volume_mm3 = float(np.sum(weight)) * seg.geometry.voxel_volume_mm3
    long_axis, short_axis = _largest_axial_axes(seg, seg.mask, zone, seg.iso_level_hu)
    mean_diameter = round_half_up((long_axis + short_axis) / 2, "0.1")
    inside = seg.hu[seg.mask]
    density, core = _density_type(seg)
    if density == "solid":
        solid_long, solid_mean, solid_volume = long_axis, mean_diameter, volume_mm3
    elif density == "part_solid":
        solid_long, solid_mean, solid_volume = _solid_component(seg, core, edge_mm)
    else:
        solid_long, solid_mean, solid_volume = 0.0, 0.0, 0.0
    centroid = np.average(np.argwhere(zone), axis=0, weights=weight[zone])
    return NoduleMeasurement(
        volume_mm3=round(volume_mm3, 1),
        long_axis_mm=round(long_axis, 1),
        short_axis_mm=round(short_axis, 1),
        mean_diameter_mm=mean_diameter,
        fleischner_average_mm=int(round_half_up((long_axis + short_axis) / 2, "1")),
        longest_3d_mm=round(_longest_3d_mm(seg.mask, spacing), 1),
        mean_hu=round(float(np.mean(inside)), 1),
        max_hu=round(float(np.max(inside)), 1),
        density_type=density,
        solid_component_long_axis_mm=round(solid_long, 1),
        solid_component_mean_diameter_mm=solid_mean,
        solid_volume_mm3=round(max(solid_volume, 0.0), 1),
        center_mm=tuple(round(float(v), 2) for v in seg_world(seg, centroid)),  # type: ignore[arg-type]
    )


def seg_world(seg: NoduleSegmentation, kji: NDArray[np.float64]) -> NDArray[np.float64]:
    return seg.geometry.index_to_world_lps_mm(np.asarray(kji, dtype=float)[::-1])


def _partial_volume_weights(
    seg: NoduleSegmentation, mask: NDArray[np.bool_], low_hu: float, high_hu: float, edge_mm: float
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Where the object's edge blur lies, and each voxel's fraction of object there.

    Voxels deeper than ``edge_mm`` inside count 1. Around the edge the fraction is
    (HU - low) / (high - low), not clipped below 0 so that noise in the lung averages out;
    voxels nearer to other tissue (wall, vessels) than to the object are left out.
    """
    spacing = seg.spacing_kji_mm
    depth_inside = ndimage.distance_transform_edt(mask, sampling=spacing)
    distance_outside = ndimage.distance_transform_edt(~mask, sampling=spacing)
    others = seg.other_tissue & ~mask
    if np.any(others):
        distance_other = ndimage.distance_transform_edt(~others, sampling=spacing)
        nearer_object = distance_outside < distance_other
    else:
        nearer_object = np.ones_like(mask)
    zone = mask | ((distance_outside <= edge_mm) & nearer_object)
    fraction = np.clip((seg.hu - low_hu) / (high_hu - low_hu), -1.0, 1.0)
    weight = np.where(zone, fraction, 0.0)
    weight[depth_inside > edge_mm] = 1.0
    return zone, weight


def _native_planes(seg: NoduleSegmentation) -> NDArray[np.int64]:
    return np.arange(0, seg.mask.shape[0], seg.slices_per_native)


def _largest_axial_axes(
    seg: NoduleSegmentation, mask: NDArray[np.bool_], zone: NDArray[np.bool_], level_hu: float
) -> tuple[float, float]:
    planes = _native_planes(seg)
    areas = mask[planes].sum(axis=(1, 2))
    if not np.any(areas):
        return 0.0, 0.0
    k = int(planes[int(np.argmax(areas))])
    pixel_ji = seg.spacing_kji_mm[1:]
    image = ndimage.gaussian_filter(seg.hu[k], sigma=AXIAL_SMOOTHING_MM / pixel_ji)
    image = np.where(zone[k], image, seg.lung_hu)
    return long_and_short_axis_mm(contour_points_mm(image, level_hu, pixel_ji))


def _density_type(seg: NoduleSegmentation) -> tuple[str, NDArray[np.bool_]]:
    empty = np.zeros_like(seg.mask)
    if seg.nodule_hu >= SOLID_ABOVE_HU:
        return "solid", seg.mask
    smooth = ndimage.gaussian_filter(seg.hu, sigma=0.5 / seg.spacing_kji_mm)
    away = ndimage.distance_transform_edt(~seg.other_tissue, sampling=seg.spacing_kji_mm) > 1.5
    inside = ndimage.distance_transform_edt(seg.mask, sampling=seg.spacing_kji_mm) > 1.0
    core = seg.mask & away & inside & (smooth > SOLID_ABOVE_HU)
    if not np.any(core):
        return "ground_glass", empty
    labels, _ = ndimage.label(core)
    sizes = np.bincount(labels.ravel())[1:]
    core = labels == 1 + int(np.argmax(sizes))
    core_mm3 = float(np.max(sizes)) * seg.geometry.voxel_volume_mm3
    if core_mm3 < np.pi / 6 * MIN_SOLID_CORE_MM**3:
        return "ground_glass", empty
    return "part_solid", core


def _solid_component(
    seg: NoduleSegmentation, core: NDArray[np.bool_], edge_mm: float
) -> tuple[float, float, float]:
    """Long axis, mean diameter and volume of the solid core, cut at its own half-way level."""
    solid_hu = max(float(np.percentile(seg.hu[core], 90)), SOLID_ABOVE_HU + 100.0)
    level = 0.5 * (seg.nodule_hu + solid_hu)
    zone, weight = _partial_volume_weights(seg, core, seg.nodule_hu, solid_hu, edge_mm)
    weight = np.where(seg.mask | zone, weight, 0.0)
    long_axis, short_axis = _largest_axial_axes(seg, core, zone, level)
    volume = float(np.sum(weight)) * seg.geometry.voxel_volume_mm3
    return long_axis, round_half_up((long_axis + short_axis) / 2, "0.1"), volume


def _longest_3d_mm(mask: NDArray[np.bool_], spacing: NDArray[np.float64]) -> float:
    """Longest distance between voxel centres of the mask, plus one voxel for the edges."""
    from scipy.spatial import ConvexHull, QhullError

    points = np.argwhere(mask) * spacing
    if len(points) < 2:
        return float(np.max(spacing))
    try:
        points = points[ConvexHull(points).vertices]
    except QhullError:
        pass
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    return float(np.max(dist)) + float(np.mean(spacing))
