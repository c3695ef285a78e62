"""Finding a prior visit's nodules on the follow-up CT, one to one.

Each prior nodule's centre is carried through the registration. The carried point can miss a small
nodule by a few millimetres (breathing, growth, the registration's own error), so the follow-up is
searched around it: first the existing measurer from the carried point, then from the densest
blob-like points nearby. Candidates found for several priors are merged when they are the same
object, and priors are assigned to candidates one to one by distance
(``scipy.optimize.linear_sum_assignment``) within a gate that grows with the nodule's size. A prior
without a partner is ``resolved``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage
from scipy.optimize import linear_sum_assignment

from nodule_desk.errors import SegmentationError
from nodule_desk.imaging.measure import NoduleMeasurement, measure_segmentation
from nodule_desk.imaging.segment import NoduleSegmentation, segment_nodule
from nodule_desk.volume import CTVolume

GATE_MIN_MM = 4.0
GATE_DIAMETER_FRACTION = 0.5
"""A follow-up nodule matches a carried prior when its centre is within max(GATE_MIN_MM, this
fraction of the prior's diameter) of the carried centre."""
SEARCH_MARGIN_MM = 4.0
SAME_OBJECT_MM = 2.0
MAX_BLOB_STARTS = 6
MIN_MEAN_HU = -780.0
"""Ground glass is about -750 to -300 HU (DOMAIN.md); with its partial-volume rim averaged in, a
real nodule's mean stays above this, while a segmentation of aerated lung (about -850) does not."""
MIN_NODULE_MM = 2.5
VOLUME_RATIO_RANGE = (0.1, 27.0)
"""A partner's volume against the prior's: from a tenth (a nodule mostly resolved) to 27 times
(three times the diameter); outside it the object found is something else."""
BLOB_ABOVE_HU = -650.0
"""A start point for the search must be denser than this: ground glass is about -750 to -300 HU
(DOMAIN.md), smoothed over a few millimetres its peak stays above."""


@dataclass(frozen=True)
class PriorNodule:
    """A nodule of the earlier visit, as the matcher needs it."""

    key: object
    """The caller's handle (a seed index, a nodule id)."""
    center_lps_mm: tuple[float, float, float]
    """On the baseline, world LPS mm."""
    diameter_mm: float
    volume_mm3: float | None = None


@dataclass(frozen=True)
class FollowupNodule:
    """A nodule found (or already measured) on the follow-up CT."""

    center_lps_mm: tuple[float, float, float]
    measurement: NoduleMeasurement | None = None
    segmentation: NoduleSegmentation | None = None
    key: object = None
    """For a nodule already measured on the follow-up: the caller's handle."""


@dataclass(frozen=True)
class Match:
    prior: PriorNodule
    carried_lps_mm: tuple[float, float, float]
    followup: FollowupNodule | None
    """None: not found on the follow-up (resolved)."""
    distance_mm: float | None


def gate_mm(diameter_mm: float) -> float:
    return max(GATE_MIN_MM, GATE_DIAMETER_FRACTION * diameter_mm)


def _blob_starts(volume: CTVolume, point: NDArray, radius_mm: float) -> list[NDArray]:
    """World points of the densest local maxima within ``radius_mm``, nearest first."""
    geometry = volume.geometry
    spacing_xyz = np.asarray(geometry.spacing_xyz_mm)
    centre = geometry.world_lps_mm_to_index(point)
    low = np.maximum(np.floor(centre - radius_mm / spacing_xyz).astype(int), 0)
    high = np.minimum(
        np.ceil(centre + radius_mm / spacing_xyz).astype(int) + 1, geometry.shape_kji[::-1]
    )
    if np.any(high <= low):
        return []
    block = volume.hu[low[2] : high[2], low[1] : high[1], low[0] : high[0]].astype(np.float32)
    spacing_kji = spacing_xyz[::-1]
    smooth = ndimage.gaussian_filter(block, sigma=1.0 / spacing_kji, mode="nearest")
    size = np.maximum(3, np.rint(3.0 / spacing_kji).astype(int) | 1)
    peaks = (smooth == ndimage.maximum_filter(smooth, size=tuple(size))) & (smooth > BLOB_ABOVE_HU)
    kji = np.argwhere(peaks)
    if not len(kji):
        return []
    world = geometry.index_to_world_lps_mm(kji[:, ::-1] + low)
    distance = np.linalg.norm(world - point, axis=1)
    inside = distance <= radius_mm
    world, distance = world[inside], distance[inside]
    return [world[i] for i in np.argsort(distance)[:MAX_BLOB_STARTS]]


def search_near(
    volume: CTVolume,
    carried_lps_mm: NDArray,
    prior_diameter_mm: float,
    prior_volume_mm3: float | None = None,
) -> list[FollowupNodule]:
    """Nodules whose centre lies within the gate of ``carried_lps_mm`` on the follow-up."""
    gate = gate_mm(prior_diameter_mm)
    starts = [carried_lps_mm, *_blob_starts(volume, carried_lps_mm, gate + SEARCH_MARGIN_MM)]
    found: list[FollowupNodule] = []
    for start in starts:
        if any(_inside(f, start) for f in found):
            continue
        try:
            segmentation = segment_nodule(volume, start, search_radius_mm=SEARCH_MARGIN_MM)
            measurement = measure_segmentation(segmentation)
        except SegmentationError:
            continue
        centre = np.asarray(measurement.center_mm)
        if np.linalg.norm(centre - carried_lps_mm) > gate:
            continue
        if not plausible(measurement, prior_volume_mm3):
            continue
        if any(np.linalg.norm(centre - f.center_lps_mm) < SAME_OBJECT_MM for f in found):
            continue
        found.append(FollowupNodule(measurement.center_mm, measurement, segmentation))
        if np.linalg.norm(centre - carried_lps_mm) < 0.25 * gate:
            break
    return found


def plausible(measurement: NoduleMeasurement, prior_volume_mm3: float | None = None) -> bool:
    """A segmentation that is a nodule at all: denser than aerated lung on average, at least the
    volume of a MIN_NODULE_MM sphere (what the measurer returns in noise is neither), and, with
    the prior's volume known, within VOLUME_RATIO_RANGE of it."""
    if measurement.mean_hu < MIN_MEAN_HU or measurement.volume_mm3 < np.pi / 6 * MIN_NODULE_MM**3:
        return False
    if prior_volume_mm3:
        ratio = measurement.volume_mm3 / prior_volume_mm3
        return VOLUME_RATIO_RANGE[0] <= ratio <= VOLUME_RATIO_RANGE[1]
    return True


def _near(found: FollowupNodule, point: NDArray, distance_mm: float) -> bool:
    return float(np.linalg.norm(np.asarray(found.center_lps_mm) - point)) < distance_mm


def _inside(found: FollowupNodule, point: NDArray) -> bool:
    seg = found.segmentation
    if seg is None:
        return False
    index = np.rint(seg.geometry.world_lps_mm_to_index(point)).astype(int)[::-1]
    if np.any(index < 0) or np.any(index >= seg.mask.shape):
        return False
    return bool(seg.mask[tuple(index)])


def assign(
    priors: Sequence[PriorNodule],
    carried: Sequence[NDArray],
    candidates: Sequence[FollowupNodule],
    alternates: Sequence[Sequence[NDArray]] | None = None,
) -> list[Match]:
    """One-to-one assignment by distance (to the carried centre, or the nearer of it and the
    prior's alternate points) within each prior's gate; priors in input order."""
    matches: list[Match] = []
    alternates = alternates or [[] for _ in priors]
    cost = np.full((len(priors), max(1, len(candidates))), 1e6)
    for p, (prior, point) in enumerate(zip(priors, carried, strict=True)):
        points = [point, *alternates[p]]
        for c, candidate in enumerate(candidates):
            centre = np.asarray(candidate.center_lps_mm)
            distance = min(float(np.linalg.norm(centre - q)) for q in points)
            if distance <= gate_mm(prior.diameter_mm):
                cost[p, c] = distance
    partner: dict[int, int] = {}
    if candidates and priors:
        rows, cols = linear_sum_assignment(cost)
        partner = {int(r): int(c) for r, c in zip(rows, cols, strict=True) if cost[r, c] < 1e6}
    for p, (prior, point) in enumerate(zip(priors, carried, strict=True)):
        carried_mm = tuple(float(v) for v in point)
        if p in partner:
            candidate = candidates[partner[p]]
            distance = float(cost[p, partner[p]])
            matches.append(Match(prior, carried_mm, candidate, round(distance, 2)))  # type: ignore[arg-type]
        else:
            matches.append(Match(prior, carried_mm, None, None))  # type: ignore[arg-type]
    return matches


def match_priors(
    volume: CTVolume,
    priors: Sequence[PriorNodule],
    carried_lps_mm: Sequence[ArrayLike],
    known: Sequence[FollowupNodule] = (),
    alternates_lps_mm: Sequence[Sequence[ArrayLike]] | None = None,
) -> list[Match]:
    """Search around each prior's carried centre (follow-up world mm) and assign. ``known`` are
    nodules already measured on the follow-up (the radiologist's): they take part in the
    assignment, and a prior is searched for only when no known nodule lies within its gate.
    ``alternates_lps_mm`` are further carried points per prior to search from (the seed the
    radiologist clicked, when the measured centre may have been pulled aside by a vessel)."""
    carried = [np.asarray(point, dtype=float) for point in carried_lps_mm]
    alternates = [
        [np.asarray(q, dtype=float) for q in points]
        for points in (alternates_lps_mm or [[] for _ in priors])
    ]
    candidates: list[FollowupNodule] = list(known)
    for prior, point, extra in zip(priors, carried, alternates, strict=True):
        gate = gate_mm(prior.diameter_mm)
        if any(np.linalg.norm(np.asarray(k.center_lps_mm) - point) <= gate for k in known):
            continue
        found_here = search_near(volume, point, prior.diameter_mm, prior.volume_mm3)
        for start in extra:
            if any(_near(f, start, 0.25 * gate) for f in found_here):
                continue
            found_here += search_near(volume, start, prior.diameter_mm, prior.volume_mm3)
        for found in found_here:
            if all(
                np.linalg.norm(np.asarray(found.center_lps_mm) - np.asarray(c.center_lps_mm))
                >= SAME_OBJECT_MM
                for c in candidates
            ):
                candidates.append(found)
    return assign(priors, carried, candidates, alternates)
