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
from scipy.spatial import ConvexHull, Delaunay, QhullError

from nodule_desk.errors import SegmentationError
from nodule_desk.imaging.local_region import LocalRegion, extract_local_region
from nodule_desk.volume import CTVolume, VolumeGeometry

AIR_BELOW_HU = -700.0
"""Voxels below this are aerated lung; their median is the local lung level."""
LOW_THRESHOLD_ABOVE_LUNG_HU = 90.0
SOFT_TISSUE_HU = 40.0
"""Chest wall muscle (DOMAIN.md: soft tissue 0 to +60 HU); the pleura lies half-way to lung."""
SOLID_ABOVE_HU = -300.0
"""Solid attenuation starts about here; ground glass lies about -750 to -300 HU (DOMAIN.md)."""
SEARCH_RADIUS_MM = 4.0
MAX_DIAMETER_MM = 35.0
VESSEL_CUT_FRACTION = 0.75
"""Opening radius as a fraction of the nodule's inscribed radius (at the low threshold)."""
THICK_VESSEL_MAX_RADIUS_MM = 8.0
"""Vessels thicker than this next to a nodule are hilar; the nodule is then measured by hand."""
FIRST_REGION_HALF_MM = 15.0
REGION_RADII = 1.25
REGION_MARGIN_MM = 5.0
"""A region reaches this many times the nodule's inscribed radius (at the low threshold), plus
this margin, from the seed: room for the edge, the vessels to cut and the wall to recognise."""
FALLBACK_REGION_FACTOR = 2.5
"""The stronger vessel cuts run only in a region this many nodule radii wide (else: grow it)."""
EQUAL_VESSEL_CUT_FRACTIONS = (0.95, 0.85, 0.75)
SHARP_SMOOTHING_MM = 0.5
BALL_CLIP_FILL = 0.4
"""A shell around the seed filled less than this lies beyond the nodule's surface."""
MIN_COMPACTNESS = 0.08
WALL_CLEARANCE_MM = 3.0
"""Tissue this close to the chest wall is wall (the part the air hull kept), not a vessel."""
MIN_COMPACTNESS_AFTER_CUT = 0.25
"""The stronger vessel cuts must leave a roundish object (a ball is 1, a 2:1 ellipsoid 0.25)."""
"""Mask volume over that of the ball reaching its farthest voxel: vessel trees are far below."""


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
    near_seed = _ball_around(seed_kji, search_mm, spacing, tissue.shape)
    if not np.any(tissue & near_seed):
        raise SegmentationError(
            f"no nodule within {search_mm:g} mm of the seed: only aerated lung "
            f"(about {lung_hu:.0f} HU) there"
        )
    candidate = tissue & ~_chest_wall(tissue, smooth, lung_hu, seed_kji, spacing)
    start = _start_voxel(smooth, candidate & near_seed, seed_kji, lung_hu, spacing)
    if start is None:
        raise SegmentationError(
            "the seed lies on the chest wall or mediastinum, not on a nodule in the lung"
        )
    depth_mm = _depth_at(tissue, start, spacing)
    needed_mm = REGION_RADII * depth_mm + REGION_MARGIN_MM
    if needed_mm > half_size_mm and not last:
        return _RegionTooSmall("the nodule is larger than the region", needed_mm)
    fallbacks = last or FALLBACK_REGION_FACTOR * depth_mm + 2.0 <= half_size_mm
    nodule, separation, reason = _separate(
        candidate, region.hu, start, lung_hu, spacing, max_diameter_mm, fallbacks
    )
    if reason:
        return _RegionTooSmall(reason, 0.0)
    box = _box_around(
        nodule, spacing, 4.0 + 0.5 * region.native_spacing_xyz_mm[2], region.slices_per_native
    )
    hu, smooth, nodule, tissue = region.hu[box], smooth[box], nodule[box], tissue[box]
    start = tuple(int(v - b.start) for v, b in zip(start, box, strict=True))
    nodule_hu, trimmed = _trim_at_iso_level(hu, smooth, nodule, start, lung_hu, region)
    wall = tissue & ~candidate[box]
    away_from_wall = ndimage.distance_transform_edt(~wall, sampling=spacing) > WALL_CLEARANCE_MM
    vessels = candidate[box] & ~nodule & away_from_wall
    if separation != "thick_vessel":  # against a thicker vessel the contact is no stub
        trimmed, nodule = _drop_vessel_stubs(trimmed, nodule, vessels, start, spacing)
    reason = _leak_reason(trimmed, spacing, max_diameter_mm)
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


def _separate(
    candidate: NDArray[np.bool_],
    hu: NDArray[np.float32],
    start: tuple[int, int, int],
    lung_hu: float,
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
    fallbacks: bool,
) -> tuple[NDArray[np.bool_], str, str]:
    """The nodule cut off from vessels, trying the gentlest separation first.

    1. Vessels thinner than the nodule: opening with a ball a bit smaller than the nodule's own.
    2. A vessel thicker than the nodule, which the nodule sits on: the vessel is what a ball larger
       than the nodule can roll through; the smallest such ball that frees the seed is used.
    3. A vessel of the nodule's own calibre: at the half-way level between lung and the tissue
       at the seed the junction is no longer inflated by the blur, and an opening with a ball
       nearly as large as the nodule keeps the nodule and drops the tube.
    The first result that stays inside the region and is compact wins; otherwise the reason of
    the first attempt is returned.
    """
    component = _component_at(candidate, start)
    sharp = np.zeros(0, dtype=bool)

    def sharp_object() -> NDArray[np.bool_]:
        nonlocal sharp
        if sharp.size == 0:
            sharp = _sharp_component(hu, component, start, lung_hu, spacing)
        return sharp

    attempts = {
        "thin_vessels": lambda: _cut_vessels(component, start, spacing),
        "thick_vessel": lambda: _cut_thick_vessel(
            component, sharp_object(), start, spacing, max_diameter_mm
        ),
        "equal_vessel": lambda: _cut_equal_vessel(component, sharp_object(), start, spacing),
        "ball_clip": lambda: _clip_to_ball(component, sharp_object(), start, spacing),
    }
    first_reason = ""
    for name, attempt in attempts.items():
        nodule = attempt()
        reason = _separation_problem(nodule, start, spacing, max_diameter_mm)
        if (
            not reason
            and name != "thin_vessels"
            and _compactness(nodule, spacing) < MIN_COMPACTNESS_AFTER_CUT
        ):
            reason = "after cutting the vessels the object is still not round: a vessel remains"
        if not reason:
            return nodule, name, ""
        first_reason = first_reason or reason
        if not fallbacks:
            break
    return component, "", first_reason


def _depth_at(
    mask: NDArray[np.bool_], voxel: tuple[int, int, int], spacing: NDArray[np.float64]
) -> float:
    return float(ndimage.distance_transform_edt(mask, sampling=spacing)[voxel])


def _drop_vessel_stubs(
    mask: NDArray[np.bool_],
    nodule: NDArray[np.bool_],
    vessels: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """The mask and the low-threshold nodule without the vessel stubs left at the iso level.

    At the low threshold the blur fattens the junction, so the vessel cut keeps a stub of each
    vessel; at the iso level an opening shows them as thin parts. Only those touching a vessel
    are dropped: spicules, lobe tips and the sliver against the pleura stay.
    """
    thin = mask & ~_cut_vessels(mask, start, spacing)
    if not np.any(thin) or not np.any(vessels):
        return mask, nodule
    labels, _ = ndimage.label(thin)
    touching = np.unique(labels[ndimage.binary_dilation(vessels, iterations=2) & thin])
    stubs = np.isin(labels, touching[touching > 0])
    if not np.any(stubs):
        return mask, nodule
    return mask & ~stubs, nodule & ~ndimage.binary_dilation(stubs, iterations=2)


def _separation_problem(
    nodule: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
) -> str:
    if not nodule[start]:
        return "no nodule could be separated at the seed"
    if _touches_edge(nodule):
        return "the segmentation reaches the edge of the region: it leaks into a vessel or the wall"
    return _leak_reason(nodule, spacing, max_diameter_mm)


def _cut_thick_vessel(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
) -> NDArray[np.bool_]:
    """Remove what a ball thicker than the nodule at the seed rolls through, then thin vessels.

    Of the balls that free the nodule, the largest is used: it bites least into the nodule.
    """
    depth = ndimage.distance_transform_edt(sharp, sampling=spacing)
    radius_mm = float(depth[start]) + 0.5
    best = np.zeros_like(nodule)
    while radius_mm <= THICK_VESSEL_MAX_RADIUS_MM:
        core = depth > radius_mm
        if not np.any(core):
            break
        thick = ndimage.distance_transform_edt(~core, sampling=spacing) <= radius_mm
        rest = _component_at(sharp & ~thick, start)
        if np.any(rest):
            rest = _grow_back(_cut_vessels(rest, start, spacing), nodule & ~sharp & ~thick)
            if not _separation_problem(rest, start, spacing, max_diameter_mm):
                best = rest
        radius_mm += 0.5
    return best


def _cut_equal_vessel(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Opening of the half-way-level object with a ball nearly the nodule's inscribed one."""
    depth = ndimage.distance_transform_edt(sharp, sampling=spacing)
    for fraction in EQUAL_VESSEL_CUT_FRACTIONS:
        radius_mm = fraction * float(depth[start])
        if radius_mm < 1.2 * float(np.min(spacing)):
            break
        core = _component_at(depth > radius_mm, start)
        opened = sharp & (
            ndimage.distance_transform_edt(~core, sampling=spacing)
            <= radius_mm + 0.5 * float(np.min(spacing))
        )
        if not _touches_edge(opened):
            return _grow_back(opened, nodule & ~sharp)
    return np.zeros_like(nodule)


def _clip_to_ball(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """The object inside the sphere where it stops filling the shells around the seed.

    Last resort for a vessel at least as thick as the nodule, which no opening removes: a
    vessel fills only a small cap of each shell beyond the nodule's surface, the nodule fills
    them all. The nodule is then assumed roughly round (its lobes beyond the sphere are lost).
    """
    grids = np.ogrid[tuple(slice(0, n) for n in sharp.shape)]
    distance = np.sqrt(
        sum(((g - c) * s) ** 2 for g, c, s in zip(grids, start, spacing, strict=True))
    )
    step_mm = float(np.max(spacing))
    radius_mm = step_mm
    limit_mm = 0.5 * float(np.min(np.asarray(sharp.shape) * spacing))
    while radius_mm < limit_mm:
        shell = (distance >= radius_mm - 0.5 * step_mm) & (distance < radius_mm + 0.5 * step_mm)
        if np.mean(sharp[shell]) < BALL_CLIP_FILL:
            break
        radius_mm += 0.5 * step_mm
    else:
        return np.zeros_like(nodule)
    if _runs_through(sharp, distance, radius_mm, start, spacing):
        return np.zeros_like(nodule)
    clipped = _component_at(sharp & (distance <= radius_mm), start)
    blur = nodule & ~sharp & (distance <= radius_mm + 2 * step_mm)
    return _grow_back(_cut_vessels(clipped, start, spacing), blur)


def _runs_through(
    sharp: NDArray[np.bool_],
    distance: NDArray[np.float64],
    radius_mm: float,
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> bool:
    """Whether the object leaves the ball on opposite sides: a vessel through the seed."""
    outside = sharp & (distance > radius_mm) & (distance <= radius_mm + 2.0)
    labels, count = ndimage.label(outside)
    if count < 2:
        return False
    exits = np.array(ndimage.center_of_mass(outside, labels, range(1, count + 1)))
    directions = (exits - np.asarray(start)) * spacing
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return bool(np.min(directions @ directions.T) < -0.85)


def _sharp_component(
    hu: NDArray[np.float32],
    nodule: NDArray[np.bool_],
    start: tuple[int, int, int],
    lung_hu: float,
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """The object at the half-way level between lung and the seed, with little smoothing.

    At the low threshold the blur inflates every junction; at this level a vessel and the
    nodule have their own calibres and the neck between them is narrow.
    """
    sharp = ndimage.gaussian_filter(hu, sigma=SHARP_SMOOTHING_MM / spacing, mode="nearest")
    level = 0.5 * (lung_hu + float(sharp[start]))
    return _component_at(nodule & (sharp > level), start)


def _grow_back(core: NDArray[np.bool_], blur: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The separated object plus the blurred edge (below the sharp level) around it."""
    grown = core | (ndimage.binary_dilation(core, iterations=2) & blur)
    return grown if not _touches_edge(grown) else core


def _chest_wall(
    tissue: NDArray[np.bool_],
    smooth: NDArray[np.float32],
    lung_hu: float,
    seed_kji: NDArray[np.float64],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Tissue thicker than the nodule at the seed, outside the hull of the air around it."""
    depth = ndimage.distance_transform_edt(tissue, sampling=spacing)
    near = _ball_around(seed_kji, 2.0, spacing, tissue.shape)
    inscribed_mm = float(np.max(depth[near], initial=0))
    radius_mm = min(max(inscribed_mm + 2.0, 3.0), 18.0)
    core = depth > radius_mm
    if not np.any(core):
        return np.zeros_like(tissue)
    wall = tissue & (ndimage.distance_transform_edt(~core, sampling=spacing) <= radius_mm)
    not_air = smooth > 0.5 * (lung_hu + SOFT_TISSUE_HU)
    return wall & ~_air_hull(not_air, wall, seed_kji, 2.0 * inscribed_mm + 3.0, spacing)


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
            trimmed = _component_at(nodule & (smooth > iso), start)
    return nodule_hu, trimmed


def _touches_edge(mask: NDArray[np.bool_]) -> bool:
    return any(np.any(np.take(mask, [0, -1], axis=a)) for a in range(3) if mask.shape[a] > 2)


def _box_around(
    mask: NDArray[np.bool_], spacing: NDArray[np.float64], margin_mm: float, slices_per_native: int
) -> tuple[slice, slice, slice]:
    """Bounding box of the mask plus a margin; it starts on an acquired slice."""
    where = np.argwhere(mask)
    margin = np.ceil(margin_mm / spacing).astype(int)
    low = np.maximum(where.min(axis=0) - margin, 0)
    low[0] -= low[0] % slices_per_native
    high = np.minimum(where.max(axis=0) + margin + 1, mask.shape)
    return tuple(slice(int(a), int(b)) for a, b in zip(low, high, strict=True))  # type: ignore[return-value]


def _lung_level(hu: NDArray[np.float32], smooth: NDArray[np.float32]) -> float:
    air = smooth < AIR_BELOW_HU
    if np.count_nonzero(air) < 0.05 * air.size:
        raise SegmentationError(
            "the seed is not in the lung: less than 5 % aerated lung within the region around it"
        )
    return float(np.median(hu[air]))


def _ball_around(
    center_kji: NDArray[np.float64], radius_mm: float, spacing: NDArray[np.float64], shape: tuple
) -> NDArray[np.bool_]:
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    dist2 = sum(((g - c) * s) ** 2 for g, c, s in zip(grids, center_kji, spacing, strict=True))
    return np.asarray(dist2 <= radius_mm**2)


def _air_hull(
    not_air: NDArray[np.bool_],
    candidates: NDArray[np.bool_],
    center_kji: NDArray[np.float64],
    half_mm: float,
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """The ``candidates`` inside the convex hull of the aerated lung near the seed.

    The pleura is locally flat or convex towards the lung, so the hull of the air closes over a
    nodule sitting on it and stops at the pleural surface: the wall lies outside.
    """
    half = np.ceil(half_mm / spacing).astype(int)
    center = np.rint(center_kji).astype(int)
    low = np.maximum(center - half, 0)
    high = np.minimum(center + half + 1, not_air.shape)
    block = tuple(slice(a, b) for a, b in zip(low, high, strict=True))
    air = np.argwhere(~not_air[block]) * spacing
    inside = np.zeros_like(not_air)
    if len(air) < 4:
        return inside
    try:
        hull = Delaunay(air[ConvexHull(air).vertices])
    except QhullError:
        return inside
    solid = np.argwhere(candidates[block])
    keep = hull.find_simplex(solid * spacing, tol=1e-6) >= 0
    kept = solid[keep] + low
    inside[tuple(kept.T)] = True
    return inside


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


def _component_at(mask: NDArray[np.bool_], voxel: tuple[int, int, int]) -> NDArray[np.bool_]:
    labels, _ = ndimage.label(mask)
    label = labels[voxel]
    if label == 0:
        return np.zeros_like(mask)
    return labels == label


def _cut_vessels(
    nodule: NDArray[np.bool_], start: tuple[int, int, int], spacing: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Remove tubes thinner than the nodule: opening with a ball a bit smaller than its own."""
    depth = ndimage.distance_transform_edt(nodule, sampling=spacing)
    local = _ball_around(np.asarray(start, dtype=float), 3.0, spacing, nodule.shape) & nodule
    inscribed_mm = float(np.max(depth[local], initial=0))
    radius_mm = VESSEL_CUT_FRACTION * inscribed_mm
    if radius_mm < 1.2 * float(np.min(spacing)):
        return nodule
    core = depth > radius_mm
    center = np.unravel_index(np.argmax(np.where(local, depth, 0)), depth.shape)
    core = _component_at(core, tuple(int(v) for v in center))  # type: ignore[arg-type]
    reach = ndimage.distance_transform_edt(~core, sampling=spacing)
    return nodule & (reach <= radius_mm + 0.5 * float(np.min(spacing)))


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


def _compactness(nodule: NDArray[np.bool_], spacing: NDArray[np.float64]) -> float:
    """Volume over that of the ball, around the centroid, reaching the farthest voxel."""
    points = np.argwhere(nodule) * spacing
    volume_mm3 = len(points) * float(np.prod(spacing))
    reach_mm = float(np.max(np.linalg.norm(points - points.mean(axis=0), axis=1)))
    return volume_mm3 / (4 / 3 * np.pi * (reach_mm + 0.5 * float(np.min(spacing))) ** 3)


def _leak_reason(
    nodule: NDArray[np.bool_], spacing: NDArray[np.float64], max_diameter_mm: float
) -> str:
    if not np.any(nodule):
        return "no nodule could be separated at the seed"
    points = np.argwhere(nodule) * spacing
    volume_mm3 = len(points) * float(np.prod(spacing))
    if volume_mm3 > np.pi / 6 * max_diameter_mm**3:
        return f"the segmented object is larger than a {max_diameter_mm:g} mm nodule"
    compactness = _compactness(nodule, spacing)
    if compactness < MIN_COMPACTNESS:
        return (
            f"the segmented object is not compact ({compactness:.2f}): "
            "it follows a vessel or the wall"
        )
    return ""
