"""Small measures and selections on boolean masks, in millimetres of the (k, j, i) grid."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

MIN_COMPACTNESS = 0.08
"""Mask volume over that of the ball reaching its farthest voxel: vessel trees are far below."""


def component_at(mask: NDArray[np.bool_], voxel: tuple[int, int, int]) -> NDArray[np.bool_]:
    labels, _ = ndimage.label(mask)
    label = labels[voxel]
    if label == 0:
        return np.zeros_like(mask)
    return labels == label


def ball_around(
    center_kji: NDArray[np.float64], radius_mm: float, spacing: NDArray[np.float64], shape: tuple
) -> NDArray[np.bool_]:
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    dist2 = sum(((g - c) * s) ** 2 for g, c, s in zip(grids, center_kji, spacing, strict=True))
    return np.asarray(dist2 <= radius_mm**2)


def touches_edge(mask: NDArray[np.bool_]) -> bool:
    return any(np.any(np.take(mask, [0, -1], axis=a)) for a in range(3) if mask.shape[a] > 2)


def box_around(
    mask: NDArray[np.bool_], spacing: NDArray[np.float64], margin_mm: float, slices_per_native: int
) -> tuple[slice, slice, slice]:
    """Bounding box of the mask plus a margin; it starts on an acquired slice."""
    where = np.argwhere(mask)
    margin = np.ceil(margin_mm / spacing).astype(int)
    low = np.maximum(where.min(axis=0) - margin, 0)
    low[0] -= low[0] % slices_per_native
    high = np.minimum(where.max(axis=0) + margin + 1, mask.shape)
    return tuple(slice(int(a), int(b)) for a, b in zip(low, high, strict=True))  # type: ignore[return-value]


def compactness(nodule: NDArray[np.bool_], spacing: NDArray[np.float64]) -> float:
    """Volume over that of the ball, around the centroid, reaching the farthest voxel."""
    points = np.argwhere(nodule) * spacing
    volume_mm3 = len(points) * float(np.prod(spacing))
    reach_mm = float(np.max(np.linalg.norm(points - points.mean(axis=0), axis=1)))
    return volume_mm3 / (4 / 3 * np.pi * (reach_mm + 0.5 * float(np.min(spacing))) ** 3)


def leak_reason(
    nodule: NDArray[np.bool_], spacing: NDArray[np.float64], max_diameter_mm: float
) -> str:
    if not np.any(nodule):
        return "no nodule could be separated at the seed"
    points = np.argwhere(nodule) * spacing
    volume_mm3 = len(points) * float(np.prod(spacing))
    if volume_mm3 > np.pi / 6 * max_diameter_mm**3:
        return f"the segmented object is larger than a {max_diameter_mm:g} mm nodule"
    roundness = compactness(nodule, spacing)
    if roundness < MIN_COMPACTNESS:
        return (
            f"the segmented object is not compact ({roundness:.2f}): "
            "it follows a vessel or the wall"
        )
    return ""


def depth_at(
    mask: NDArray[np.bool_], voxel: tuple[int, int, int], spacing: NDArray[np.float64]
) -> float:
    return float(ndimage.distance_transform_edt(mask, sampling=spacing)[voxel])
