"""The chest wall and mediastinum next to a seed: tissue beyond the pleura, the lung's air hull.

A rolling ball larger than the nodule finds the thick tissue (the wall); of that, what lies inside
the convex hull of the aerated lung around the seed is nodule, not wall: the pleura is the lung's
boundary, so the hull of the air closes over a nodule sitting on it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import ConvexHull, Delaunay, QhullError

from nodule_desk.imaging.mask_geometry import ball_around

SOFT_TISSUE_HU = 40.0
"""Chest wall muscle (DOMAIN.md: soft tissue 0 to +60 HU); the pleura lies half-way to lung."""


def chest_wall(
    tissue: NDArray[np.bool_],
    smooth: NDArray[np.float32],
    lung_hu: float,
    seed_kji: NDArray[np.float64],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Tissue thicker than the nodule at the seed, outside the hull of the air around it."""
    depth = ndimage.distance_transform_edt(tissue, sampling=spacing)
    near = ball_around(seed_kji, 2.0, spacing, tissue.shape)
    inscribed_mm = float(np.max(depth[near], initial=0))
    radius_mm = min(max(inscribed_mm + 2.0, 3.0), 18.0)
    core = depth > radius_mm
    if not np.any(core):
        return np.zeros_like(tissue)
    wall = tissue & (ndimage.distance_transform_edt(~core, sampling=spacing) <= radius_mm)
    not_air = smooth > 0.5 * (lung_hu + SOFT_TISSUE_HU)
    return wall & ~air_hull(not_air, wall, seed_kji, 2.0 * inscribed_mm + 3.0, spacing)


def air_hull(
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
