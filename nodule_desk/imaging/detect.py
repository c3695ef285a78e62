"""Nodule candidates in a chest CT: multi-scale blobs inside the lungs, vessels left out.

1. The volume is averaged onto a grid of about 1.4 mm (fine) and 2.8 mm (coarse); the lungs are
   found on the coarse grid (lung_mask.py).
2. A bright blob of radius r gives the strongest scale-normalised Laplacian of Gaussian
   (-sigma^2 * LoG) at sigma = r / sqrt(3) (Lindeberg, Int J Comput Vis 1998;30:79-116). Local
   maxima in space of that response, on a ladder of scales (diameters about 4 to 34 mm), are the
   raw candidates; small scales run on the fine grid, large ones on the coarse grid.
3. The Hessian of the smoothed image at each maximum tells a blob from a vessel: a sphere curves
   alike in all three directions, a tube hardly at all along its axis (Frangi et al., MICCAI 1998;
   Li et al., Med Phys 2003;30:2040-2051 for nodules versus vessels). Candidates whose weakest
   curvature is a small fraction of the strongest are dropped as vessels.
4. Across scales the strongest response wins (non-maximum suppression in world mm); each survivor
   gets a diameter from the connected region above the half-way level between it and the lung, and
   a score in [0, 1] from its blob contrast and roundness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from nodule_desk.errors import NoduleDeskError
from nodule_desk.imaging.lung_mask import LungMask, block_mean, lung_mask
from nodule_desk.progress import CancelToken, Progress, ProgressCallback
from nodule_desk.volume import CTVolume, VolumeGeometry

FINE_GRID_MM = 1.4
COARSE_GRID_MM = 2.8
FINE_SIGMAS_MM = (1.2, 1.6, 2.1, 2.8)
COARSE_SIGMAS_MM = (3.7, 5.0, 6.7, 9.0)
"""sigma = r / sqrt(3): diameters from about 4 mm (1.2) to 31 mm (9.0)."""
CLIP_HU = (-1000.0, 200.0)
"""Bone is clipped to soft tissue so a rib beside the pleura does not outshine a nodule."""
LUNG_HU = -850.0
MIN_RESPONSE_HU = 40.0
"""Weakest blob response kept as a raw candidate (a faint ground-glass nodule gives about 80)."""
MIN_BLOBNESS = 0.2
"""Weakest / strongest Hessian curvature below which a bright structure is a tube (vessel)."""
FULL_SCORE_RESPONSE_HU = 300.0
"""Blob response of a clearly solid nodule: the contrast term saturates there (a 12 mm ground
glass nodule of -650 HU gives about 200)."""
ROUNDNESS_RANGE = 0.4
"""Blobness above MIN_BLOBNESS at which the roundness term saturates."""
SHELL_RADII = 2.0
SHELL_DIRECTIONS = 200
MAX_CONTACT_FRACTION = 0.6
"""Share of the shell one dense patch may cover before the candidate scores 0 (chest wall)."""
MAX_BRANCH_FRACTION = 0.08
"""Share of the shell all further patches may cover before the candidate scores 0 (a junction
of vessels, each branch leaving a patch)."""
MIN_SCORE = 0.3
MAX_CANDIDATES = 50
GROUND_GLASS_LEVEL_HU = -700.0
"""Between aerated lung (about -850) and ground glass (about -750 to -300 HU, DOMAIN.md)."""
GROUND_GLASS_BOX_MM = 40.0
PART_SOLID_RATIO = 1.4
"""A closed region above the ground-glass level this much wider than the solid part is a
part-solid nodule's ground glass (a solid nodule's own edge blur adds about 10-15 %)."""
MIN_DIAMETER_MM = 3.0
MAX_DIAMETER_MM = 35.0


class DetectionError(NoduleDeskError):
    """The series cannot be searched for nodules (no lungs found, too small a volume)."""


@dataclass(frozen=True)
class NoduleCandidate:
    center_mm: tuple[float, float, float]
    """World LPS mm."""
    diameter_mm: float
    score: float
    """0 to 1, higher is more nodule-like; candidates come sorted by it."""

    def to_dict(self) -> dict[str, object]:
        return {
            "center_mm": [round(v, 2) for v in self.center_mm],
            "diameter_mm": round(self.diameter_mm, 1),
            "score": round(self.score, 3),
        }


@dataclass
class _Raw:
    center_mm: NDArray[np.float64]
    sigma_mm: float
    response_hu: float
    blobness: float
    hu: float


def _factors(spacing_xyz_mm: tuple[float, float, float], target_mm: float) -> tuple[int, int, int]:
    i, j, k = (max(1, round(target_mm / s)) for s in spacing_xyz_mm)
    return (k, j, i)


def detect_nodules(
    volume: CTVolume,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[NoduleCandidate]:
    """Nodule candidates of a chest CT, most nodule-like first."""
    blobs, fine, fine_geometry = _blobs(volume, progress, cancel)
    candidates = _candidates(blobs, fine, fine_geometry)
    candidates = [c for c in candidates if c.score >= MIN_SCORE]
    candidates.sort(key=lambda c: -c.score)
    return candidates[:MAX_CANDIDATES]


def _blobs(
    volume: CTVolume, progress: ProgressCallback | None, cancel: CancelToken | None
) -> tuple[list[_Raw], NDArray[np.float32], VolumeGeometry]:
    """The blobs inside the lungs after vessel and scale suppression, with the fine grid."""
    fine, fine_geometry = block_mean(
        volume.hu, volume.geometry, _factors(volume.geometry.spacing_xyz_mm, FINE_GRID_MM)
    )
    coarse, coarse_geometry = block_mean(
        fine, fine_geometry, _factors(fine_geometry.spacing_xyz_mm, COARSE_GRID_MM)
    )
    lungs = lung_mask(coarse, coarse_geometry)
    if not lungs.mask.any():
        raise DetectionError("no lungs found in the series (no enclosed air the size of a lung)")
    steps = len(FINE_SIGMAS_MM) + len(COARSE_SIGMAS_MM)
    raw: list[_Raw] = []
    done = 0
    for hu, geometry, sigmas in (
        (fine, fine_geometry, FINE_SIGMAS_MM),
        (coarse, coarse_geometry, COARSE_SIGMAS_MM),
    ):
        crop, crop_geometry = _crop_to_lungs(hu, geometry, lungs)
        np.clip(crop, *CLIP_HU, out=crop)
        for found in _blob_maxima(crop, crop_geometry, sigmas, lungs):
            raw.extend(found)
            done += 1
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress(Progress(done, steps, "searching for nodules"))
    return _suppress(raw), fine, fine_geometry


def _crop_to_lungs(
    hu: NDArray[np.float32], geometry: VolumeGeometry, lungs: LungMask
) -> tuple[NDArray[np.float32], VolumeGeometry]:
    """A copy of ``hu`` cut to the lungs' bounding box plus a margin, with its geometry."""
    corners = np.argwhere(lungs.mask)
    low, high = corners.min(axis=0) - 1.0, corners.max(axis=0) + 1.0
    box_kji = np.array(
        [[a, b, c] for a in (low[0], high[0]) for b in (low[1], high[1]) for c in (low[2], high[2])]
    )
    box_mm = lungs.geometry.index_to_world_lps_mm(box_kji[:, ::-1])
    index = geometry.world_lps_mm_to_index(box_mm)[:, ::-1]
    start = np.clip(np.floor(index.min(axis=0)).astype(int) - 2, 0, None)
    stop = np.minimum(np.ceil(index.max(axis=0)).astype(int) + 3, hu.shape)
    crop = hu[start[0] : stop[0], start[1] : stop[1], start[2] : stop[2]].copy()
    origin = geometry.index_to_world_lps_mm(start[::-1].astype(float))
    return crop, VolumeGeometry(
        crop.shape,  # type: ignore[arg-type]
        geometry.spacing_xyz_mm,
        tuple(float(v) for v in origin),  # type: ignore[arg-type]
        geometry.direction,
    )


def _second_derivative(
    smooth: NDArray[np.float32], axis: int, spacing_mm: float
) -> NDArray[np.float32]:
    return ndimage.correlate1d(smooth, [1.0, -2.0, 1.0], axis=axis, mode="nearest") / np.float32(
        spacing_mm**2
    )


def _blob_maxima(
    hu: NDArray[np.float32],
    geometry: VolumeGeometry,
    sigmas_mm: tuple[float, ...],
    lungs: LungMask,
):
    """For each scale, the local maxima of -sigma^2 LoG inside the lungs, with their Hessian."""
    spacing_kji = np.asarray(geometry.spacing_xyz_mm)[::-1]
    smooth = hu
    previous = np.zeros(3)
    inside = lungs.on_grid(geometry)
    for sigma_mm in sigmas_mm:
        target = sigma_mm / spacing_kji
        smooth = ndimage.gaussian_filter(smooth, np.sqrt(target**2 - previous**2), mode="nearest")
        previous = target
        laplacian = sum(_second_derivative(smooth, a, spacing_kji[a]) for a in range(3))
        response = laplacian * np.float32(-(sigma_mm**2))
        index_kji = _local_maxima(response, MIN_RESPONSE_HU, inside)
        centers = geometry.index_to_world_lps_mm(index_kji[:, ::-1].astype(float))
        at = tuple(index_kji.T)
        blobness = _blobness(smooth, index_kji, spacing_kji)
        yield [
            _Raw(center, sigma_mm, float(r), float(b), float(h))
            for center, r, b, h in zip(centers, response[at], blobness, smooth[at], strict=True)
        ]


_NEIGHBOURS = np.array([offset for offset in np.ndindex(3, 3, 3) if offset != (1, 1, 1)]) - 1


def _local_maxima(
    response: NDArray[np.float32], floor: float, where: NDArray[np.bool_]
) -> NDArray[np.intp]:
    """[k, j, i] of the voxels of ``where`` above ``floor`` that no neighbour exceeds, off the
    border."""
    above = (response > floor) & where
    above[[0, -1], :, :] = False
    above[:, [0, -1], :] = False
    above[:, :, [0, -1]] = False
    index = np.argwhere(above)
    values = response[tuple(index.T)]
    keep = np.ones(len(index), dtype=bool)
    for offset in _NEIGHBOURS:
        shifted = index + offset
        keep &= values >= response[shifted[:, 0], shifted[:, 1], shifted[:, 2]]
    return index[keep]


def _blobness(
    smooth: NDArray[np.float32], index_kji: NDArray[np.intp], spacing_kji: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Weakest over strongest curvature of a bright blob at each point (central differences of
    the smoothed image); 0 where the point is not curved down in every direction."""
    if len(index_kji) == 0:
        return np.zeros(0)

    def at(offset: tuple[int, int, int]) -> NDArray[np.float64]:
        shifted = index_kji + np.asarray(offset)
        return smooth[shifted[:, 0], shifted[:, 1], shifted[:, 2]].astype(np.float64)

    centre = at((0, 0, 0))
    hessian = np.empty((len(index_kji), 3, 3))
    for a in range(3):
        step = [0, 0, 0]
        step[a] = 1
        ahead, behind = at(tuple(step)), at(tuple(-s for s in step))
        hessian[:, a, a] = (ahead - 2 * centre + behind) / spacing_kji[a] ** 2
        for b in range(a + 1, 3):
            corners = {}
            for da in (-1, 1):
                for db in (-1, 1):
                    offset = [0, 0, 0]
                    offset[a], offset[b] = da, db
                    corners[(da, db)] = at(tuple(offset))
            mixed = (corners[(1, 1)] - corners[(1, -1)] - corners[(-1, 1)] + corners[(-1, -1)]) / (
                4 * spacing_kji[a] * spacing_kji[b]
            )
            hessian[:, a, b] = hessian[:, b, a] = mixed
    eigenvalues = np.linalg.eigvalsh(hessian)
    weakest, strongest = eigenvalues[:, 2], eigenvalues[:, 0]
    return np.where(weakest < 0, weakest / np.minimum(strongest, -1e-9), 0.0)


def _suppress(raw: list[_Raw]) -> list[_Raw]:
    """Strongest first; a candidate within the radius of a stronger kept one is the same blob."""
    blobs = [c for c in raw if c.blobness >= MIN_BLOBNESS]
    if not blobs:
        return []
    centers = np.array([c.center_mm for c in blobs])
    radii = np.array([c.sigma_mm for c in blobs]) * np.sqrt(3)
    tree = cKDTree(centers)
    suppressed = np.zeros(len(blobs), dtype=bool)
    kept: list[_Raw] = []
    for index in np.argsort([-c.response_hu for c in blobs], kind="stable"):
        if suppressed[index]:
            continue
        kept.append(blobs[index])
        near = np.asarray(tree.query_ball_point(centers[index], radii.max()), dtype=int)
        distance = np.linalg.norm(centers[near] - centers[index], axis=1)
        suppressed[near[distance < np.maximum(radii[near], radii[index])]] = True
    return kept


def _fibonacci_sphere(n: int) -> NDArray[np.float64]:
    """``n`` nearly evenly spread unit vectors."""
    golden = np.pi * (3 - np.sqrt(5))
    index = np.arange(n)
    z = 1 - 2 * (index + 0.5) / n
    ring = np.sqrt(1 - z * z)
    return np.stack([ring * np.cos(golden * index), ring * np.sin(golden * index), z], axis=1)


_SHELL = _fibonacci_sphere(SHELL_DIRECTIONS)
_SHELL_NEIGHBOURS = cKDTree(_SHELL).query(_SHELL, 7)[1][:, 1:]


def _shell_contacts(
    blobs: list[_Raw], fine: NDArray[np.float32], geometry: VolumeGeometry
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For each blob, what touches a sphere of twice its radius around it: the fraction of the
    sphere taken by the largest dense patch (the pleura of a juxtapleural nodule, or a vessel),
    and by all the other patches together (the branches that make a vessel junction)."""
    n = len(blobs)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    centers = np.array([b.center_mm for b in blobs])
    radii = np.array([b.sigma_mm for b in blobs]) * np.sqrt(3) * SHELL_RADII
    levels = (np.maximum([b.hu for b in blobs], -700.0) + LUNG_HU) / 2
    points = centers[:, None, :] + radii[:, None, None] * _SHELL[None]
    index = geometry.world_lps_mm_to_index(points.reshape(-1, 3))[:, ::-1].T
    values = ndimage.map_coordinates(fine, index, order=1, mode="nearest").reshape(n, -1)
    dense = values > levels[:, None]
    m = SHELL_DIRECTIONS
    source = np.repeat(np.arange(n * m), _SHELL_NEIGHBOURS.shape[1])
    target = (np.arange(n)[:, None, None] * m + _SHELL_NEIGHBOURS[None]).ravel()
    flat = dense.ravel()
    both = flat[source] & flat[target]
    graph = coo_matrix(
        (np.ones(int(both.sum())), (source[both], target[both])), shape=(n * m, n * m)
    )
    _, labels = connected_components(graph, directed=False)
    largest = np.zeros(n)
    for blob in np.nonzero(dense.any(axis=1))[0]:
        patch_labels = labels[blob * m : (blob + 1) * m][dense[blob]]
        largest[blob] = np.bincount(patch_labels).max() / m
    return largest, dense.mean(axis=1) - largest


def _candidates(
    blobs: list[_Raw], fine: NDArray[np.float32], geometry: VolumeGeometry
) -> list[NoduleCandidate]:
    """Score: contrast (blob response), roundness (Hessian), and few contacts on the shell: a
    nodule stands alone or on one structure (pleura, one vessel); a vessel junction branches."""
    largest, others = _shell_contacts(blobs, fine, geometry)
    result = []
    for blob, touching, branches in zip(blobs, largest, others, strict=True):
        contrast = min(1.0, blob.response_hu / FULL_SCORE_RESPONSE_HU)
        roundness = float(np.clip((blob.blobness - MIN_BLOBNESS) / ROUNDNESS_RANGE, 0.0, 1.0))
        alone = max(0.0, 1 - touching / MAX_CONTACT_FRACTION)
        unbranched = max(0.0, 1 - branches / MAX_BRANCH_FRACTION)
        score = contrast * (0.25 + 0.75 * roundness) * alone * unbranched
        center = tuple(float(v) for v in blob.center_mm)
        result.append(NoduleCandidate(center, _diameter_mm(blob, fine, geometry), score))  # type: ignore[arg-type]
    return result


def _diameter_mm(raw: _Raw, fine: NDArray[np.float32], geometry: VolumeGeometry) -> float:
    """Equivalent-sphere diameter of the nodule at the blob.

    The solid part is the region above half-way between the blob and the lung, within twice the
    scale's radius (the scale's diameter when that region leaks away). A part-solid nodule's
    strongest blob is its solid core; when the region above the ground-glass level around it is
    closed and much larger, that region is the nodule."""
    scale_diameter = 2 * np.sqrt(3) * raw.sigma_mm
    solid = _region_diameter_mm(
        fine,
        geometry,
        raw.center_mm,
        scale_diameter,
        lambda peak: (max(peak, raw.hu) + LUNG_HU) / 2,
    )
    diameter = scale_diameter if solid is None else solid
    with_halo = _region_diameter_mm(
        fine, geometry, raw.center_mm, GROUND_GLASS_BOX_MM / 2, lambda peak: GROUND_GLASS_LEVEL_HU
    )
    if with_halo is not None and with_halo >= PART_SOLID_RATIO * diameter:
        diameter = with_halo
    return float(np.clip(diameter, MIN_DIAMETER_MM, MAX_DIAMETER_MM))


def _region_diameter_mm(
    fine: NDArray[np.float32],
    geometry: VolumeGeometry,
    center_mm: NDArray[np.float64],
    half_box_mm: float,
    level_of: Callable[[float], float],
) -> float | None:
    """Equivalent-sphere diameter of the connected region above ``level_of(HU at the centre)``
    that holds the centre, in a box of ``2 * half_box_mm``; None when it reaches the box's edge
    (it runs into a vessel or the wall) or the centre is not in it."""
    spacing_kji = np.asarray(geometry.spacing_xyz_mm)[::-1]
    centre = np.rint(geometry.world_lps_mm_to_index(center_mm)[::-1]).astype(int)
    half = np.ceil(half_box_mm / spacing_kji).astype(int) + 1
    low = np.maximum(centre - half, 0)
    high = np.minimum(centre + half + 1, fine.shape)
    box = fine[low[0] : high[0], low[1] : high[1], low[2] : high[2]]
    seed = tuple(centre - low)
    if box.size == 0 or any(s < 0 or s >= n for s, n in zip(seed, box.shape, strict=True)):
        return None
    labels, _ = ndimage.label(box > level_of(float(box[seed])))
    if not labels[seed]:
        return None
    region = labels == labels[seed]
    if region[[0, -1], :, :].any() or region[:, [0, -1], :].any() or region[:, :, [0, -1]].any():
        return None
    volume_mm3 = float(region.sum()) * geometry.voxel_volume_mm3
    return float((6 * volume_mm3 / np.pi) ** (1 / 3))
