"""Segmentation of one lung nodule from a seed point (world LPS mm).

Steps, all on a small block around the seed (:mod:`nodule_desk.imaging.local_region`):

1. Levels: aerated lung from the block's air voxels; a low threshold just above the lung, so that
   ground glass (about -750 to -300 HU, DOMAIN.md) is included as well as solid tissue.
2. Chest wall and mediastinum: a morphological opening of all tissue with a ball larger than the
   nodule keeps only structures thicker than the nodule (a rolling ball on the pleural surface);
   they are removed, so a juxtapleural nodule is cut at the pleura.
3. Vessels: an opening of what is left with a ball of 0.75 x the nodule's inscribed radius
   removes tubes thinner than the nodule; the nodule is the part connected to the seed.
   (Kostis et al., IEEE TMI 2003;22:1259-1274, morphological separation of juxtavascular nodules.)
4. The mask is trimmed at the half-way level between lung and the nodule's own attenuation
   (the partial-volume iso-level), and checked for leakage (touching the block's edge, too large,
   not compact). When a check fails a SegmentationError says why, so the user measures manually.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from nodule_desk.errors import SegmentationError
from nodule_desk.imaging.chest_wall import chest_wall
from nodule_desk.imaging.local_region import LocalRegion, extract_local_region
from nodule_desk.imaging.mask_geometry import (
    ball_around,
    box_around,
    component_at,
    depth_at,
    leak_reason,
)
from nodule_desk.imaging.vessel_separation import drop_vessel_stubs, separate
from nodule_desk.volume import CTVolume, VolumeGeometry

AIR_BELOW_HU = -700.0
"""Voxels below this are aerated lung; their median is the local lung level."""
LOW_THRESHOLD_ABOVE_LUNG_HU = 90.0
SOLID_ABOVE_HU = -300.0
"""Solid attenuation starts about here; ground glass lies about -750 to -300 HU (DOMAIN.md)."""
SEARCH_RADIUS_MM = 4.0
MAX_DIAMETER_MM = 35.0
FIRST_REGION_HALF_MM = 15.0
REGION_RADII = 1.25
REGION_MARGIN_MM = 5.0
"""A region reaches this many times the nodule's inscribed radius (at the low threshold), plus
this margin, from the seed: room for the edge, the vessels to cut and the wall to recognise."""
FALLBACK_REGION_FACTOR = 2.5
"""The stronger vessel cuts run only in a region this many nodule radii wide (else: grow it)."""
WALL_CLEARANCE_MM = 3.0
"""Tissue this close to the chest wall is wall (the part the air hull kept), not a vessel."""


@dataclass(frozen=True)
class NoduleSegmentation:
    """A nodule mask on its own local grid, with the image and the levels it was cut at."""

    mask: NDArray[np.bool_]
    geometry: VolumeGeometry
    hu: NDArray[np.float32]
    """The local image on the same grid (slices interpolated between acquired ones)."""
    other_tissue: NDArray[np.bool_]
    """Tissue above the threshold that is not the nodule (wall, vessels): kept out of the volume."""
    lung_hu: float
    nodule_hu: float
    """Attenuation of the nodule's outer part (ground glass for a part-solid nodule)."""
    slices_per_native: int
    native_spacing_xyz_mm: tuple[float, float, float]
    metadata: dict[str, object] = field(default_factory=dict)

    @property
    def spacing_kji_mm(self) -> NDArray[np.float64]:
        return np.asarray(self.geometry.spacing_xyz_mm[::-1], dtype=float)

    @property
    def iso_level_hu(self) -> float:
        return 0.5 * (self.lung_hu + self.nodule_hu)


def segment_nodule(
    volume: CTVolume,
    seed_lps_mm: ArrayLike,
    *,
    search_radius_mm: float = SEARCH_RADIUS_MM,
    max_diameter_mm: float = MAX_DIAMETER_MM,
) -> NoduleSegmentation:
    """Segment the nodule at ``seed_lps_mm``; SegmentationError when it cannot be separated."""
    seed = np.asarray(seed_lps_mm, dtype=float)
    largest_mm = 0.5 * max_diameter_mm + 8.0
    half_size_mm = FIRST_REGION_HALF_MM
    while True:
        region = extract_local_region(volume, seed, half_size_mm)
        last = half_size_mm >= largest_mm
        result = _segment_region(
            region, seed, search_radius_mm, max_diameter_mm, half_size_mm, last
        )
        if isinstance(result, NoduleSegmentation):
            return result
        if last:
            raise SegmentationError(f"{result.reason}; measure this nodule manually")
        half_size_mm = min(max(result.needed_half_mm, half_size_mm + 1.0), largest_mm)


@dataclass(frozen=True)
class _RegionTooSmall:
    reason: str
    needed_half_mm: float


def _segment_region(
    region: LocalRegion,
    seed: NDArray[np.float64],
    search_mm: float,
    max_diameter_mm: float,
    half_size_mm: float,
    last: bool,
) -> NoduleSegmentation | _RegionTooSmall:
    """The segmentation, or why the region was not enough and how big the next one should be."""
    spacing = region.spacing_kji_mm
    smooth = ndimage.gaussian_filter(region.hu, sigma=0.8 / spacing, mode="nearest")
    lung_hu = _lung_level(region.hu, smooth)
    tissue = smooth > lung_hu + LOW_THRESHOLD_ABOVE_LUNG_HU
    seed_kji = region.world_to_kji(seed)
    near_seed = ball_around(seed_kji, search_mm, spacing, tissue.shape)
    if not np.any(tissue & near_seed):
        raise SegmentationError(
            f"no nodule within {search_mm:g} mm of the seed: only aerated lung "
            f"(about {lung_hu:.0f} HU) there"
        )
    candidate = tissue & ~chest_wall(tissue, smooth, lung_hu, seed_kji, spacing)
    start = _start_voxel(smooth, candidate & near_seed, seed_kji, lung_hu, spacing)
    if start is None:
        raise SegmentationError(
            "the seed lies on the chest wall or mediastinum, not on a nodule in the lung"
        )
    depth_mm = depth_at(tissue, start, spacing)
    needed_mm = REGION_RADII * depth_mm + REGION_MARGIN_MM
    if needed_mm > half_size_mm and not last:
        return _RegionTooSmall("the nodule is larger than the region", needed_mm)
    fallbacks = last or FALLBACK_REGION_FACTOR * depth_mm + 2.0 <= half_size_mm
    nodule, separation, reason = separate(
        candidate, region.hu, start, lung_hu, spacing, max_diameter_mm, fallbacks
    )
    if reason:
        return _RegionTooSmall(reason, 0.0)
    box = box_around(
        nodule, spacing, 4.0 + 0.5 * region.native_spacing_xyz_mm[2], region.slices_per_native
    )
    hu, smooth, nodule, tissue = region.hu[box], smooth[box], nodule[box], tissue[box]
    start = tuple(int(v - b.start) for v, b in zip(start, box, strict=True))
    nodule_hu, trimmed = _trim_at_iso_level(hu, smooth, nodule, start, lung_hu, region)
    wall = tissue & ~candidate[box]
    away_from_wall = ndimage.distance_transform_edt(~wall, sampling=spacing) > WALL_CLEARANCE_MM
    vessels = candidate[box] & ~nodule & away_from_wall
    if separation != "thick_vessel":  # against a thicker vessel the contact is no stub
        trimmed, nodule = drop_vessel_stubs(trimmed, nodule, vessels, start, spacing)
    reason = leak_reason(trimmed, spacing, max_diameter_mm)
    if reason:
        return _RegionTooSmall(reason, 0.0)
    low = np.array([b.start for b in box], dtype=float)
    geometry = VolumeGeometry(
        shape_kji=tuple(int(v) for v in hu.shape),  # type: ignore[arg-type]
        spacing_xyz_mm=region.geometry.spacing_xyz_mm,
        origin_lps_mm=tuple(float(v) for v in region.kji_to_world(low)),  # type: ignore[arg-type]
        direction=region.geometry.direction,
    )
    return NoduleSegmentation(
        mask=trimmed,
        geometry=geometry,
        hu=hu,
        other_tissue=tissue & ~nodule,
        lung_hu=lung_hu,
        nodule_hu=nodule_hu,
        slices_per_native=region.slices_per_native,
        native_spacing_xyz_mm=region.native_spacing_xyz_mm,
        metadata={"separation": separation},
    )


def _trim_at_iso_level(
    hu: NDArray[np.float32],
    smooth: NDArray[np.float32],
    nodule: NDArray[np.bool_],
    start: tuple[int, int, int],
    lung_hu: float,
    region: LocalRegion,
) -> tuple[float, NDArray[np.bool_]]:
    """The nodule's outer attenuation, and the mask cut half-way between it and the lung."""
    trimmed = nodule
    nodule_hu = lung_hu
    for rim_rule in (False, True):
        nodule_hu = _outer_attenuation(
            hu, trimmed, region.spacing_kji_mm, region.native_spacing_xyz_mm, rim_rule
        )
        iso = 0.5 * (lung_hu + nodule_hu)
        if smooth[start] > iso:
            trimmed = component_at(nodule & (smooth > iso), start)
    return nodule_hu, trimmed


def _lung_level(hu: NDArray[np.float32], smooth: NDArray[np.float32]) -> float:
    air = smooth < AIR_BELOW_HU
    if np.count_nonzero(air) < 0.05 * air.size:
        raise SegmentationError(
            "the seed is not in the lung: less than 5 % aerated lung within the region around it"
        )
    return float(np.median(hu[air]))


def _start_voxel(
    smooth: NDArray[np.float32],
    allowed: NDArray[np.bool_],
    seed_kji: NDArray[np.float64],
    lung_hu: float,
    spacing: NDArray[np.float64],
) -> tuple[int, int, int] | None:
    """The tissue voxel nearest the seed that is well above the half-way level.

    Not simply the brightest voxel near the seed: next to a small nodule that is often a
    thicker vessel.
    """
    if not np.any(allowed):
        return None
    brightest = float(np.max(smooth[allowed]))
    dense = allowed & (smooth >= lung_hu + 0.75 * (brightest - lung_hu))
    where = np.argwhere(dense)
    nearest = where[np.argmin(np.sum(((where - seed_kji) * spacing) ** 2, axis=1))]
    return tuple(int(v) for v in nearest)  # type: ignore[return-value]


def _outer_attenuation(
    hu: NDArray[np.float32],
    nodule: NDArray[np.bool_],
    spacing: NDArray[np.float64],
    native_spacing_xyz_mm: tuple[float, float, float],
    rim_rule: bool = False,
) -> float:
    """Median HU just inside the nodule's edge, beyond the partial-volume blur.

    Depth is counted in units of the blur: about 1 mm in-plane, one acquired slice through-plane.
    For a part-solid nodule this is the ground-glass rim, which sets the nodule's outer edge: with
    ``rim_rule``, when most of the shallow shell is ground glass, a solid core reaching into it
    does not count.
    """
    blur_kji = np.array([native_spacing_xyz_mm[2], 1.0, 1.0])
    depth = ndimage.distance_transform_edt(nodule, sampling=spacing / blur_kji)
    if rim_rule:
        rim = hu[nodule & (depth >= 0.8) & (depth <= 1.6)]
        ground_glass = rim[rim <= SOLID_ABOVE_HU]
        if len(rim) >= 10 and len(ground_glass) > 0.5 * len(rim):
            return float(np.median(ground_glass))
    shell = nodule & (depth >= 1.0) & (depth <= 2.0)
    if np.count_nonzero(shell) < 10:
        shell = nodule & (depth >= 0.7 * float(np.max(depth)))
    return float(np.median(hu[shell]))
