"""Painting into a nodule mask on its own grid: the paint / erase brush, headless.

The brush is a disc of radius r mm centred at a world LPS point, on the mask grid's slices that lie
within the displayed slice's thickness (a mask grid is often finer along z than the series).
Painting past the grid's border grows the grid (new voxels are outside the nodule) instead of
clipping the stroke silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from nodule_desk.volume import VolumeGeometry


def paint_disc(
    mask: NDArray[np.bool_],
    geometry: VolumeGeometry,
    centre_lps_mm: Sequence[float],
    radius_mm: float,
    paint: bool = True,
    depth_mm: float = 0.0,
) -> tuple[NDArray[np.bool_], VolumeGeometry]:
    """The mask with a disc set (paint) or cleared (erase) on the grid slices through the point
    (those whose centres lie within depth_mm / 2 of the nearest one along k, boundaries included,
    so neighbouring displayed slices overlap rather than leave a grid slice unpainted).

    Returns a new (mask, geometry); the grid is padded when a painted disc reaches past it.
    """
    spacing = np.asarray(geometry.spacing_xyz_mm, dtype=float)
    centre = geometry.world_lps_mm_to_index(centre_lps_mm)
    reach = np.array([radius_mm / spacing[0], radius_mm / spacing[1], 0.0])
    low = np.floor(centre - reach).astype(int)
    high = np.ceil(centre + reach).astype(int)
    half_depth = int(np.floor(max(depth_mm, 0.0) / 2 / spacing[2] + 1e-6))
    nearest_k = int(np.rint(centre[2]))
    low[2], high[2] = nearest_k - half_depth, nearest_k + half_depth
    mask = np.asarray(mask, dtype=bool)
    if paint:
        mask, geometry, shift = _grow_to_hold(mask, geometry, low, high)
        centre, low, high = centre + shift, low + shift, high + shift
    size_ijk = np.asarray(mask.shape[::-1])
    low, high = np.maximum(low, 0), np.minimum(high, size_ijk - 1)
    if np.any(high < low):
        return mask.copy(), geometry
    i, j = np.meshgrid(
        np.arange(low[0], high[0] + 1), np.arange(low[1], high[1] + 1), indexing="xy"
    )
    distance_mm = np.hypot((i - centre[0]) * spacing[0], (j - centre[1]) * spacing[1])
    inside = distance_mm <= radius_mm
    edited = mask.copy()
    for k in range(low[2], high[2] + 1):
        edited[k, j[inside], i[inside]] = paint
    return edited, geometry


def _grow_to_hold(
    mask: NDArray[np.bool_], geometry: VolumeGeometry, low_ijk: NDArray, high_ijk: NDArray
) -> tuple[NDArray[np.bool_], VolumeGeometry, NDArray[np.int64]]:
    size_ijk = np.asarray(mask.shape[::-1])
    before = np.maximum(-low_ijk, 0)
    after = np.maximum(high_ijk - (size_ijk - 1), 0)
    if not before.any() and not after.any():
        return mask, geometry, np.zeros(3, dtype=int)
    pad_kji = [(int(b), int(a)) for b, a in zip(before[::-1], after[::-1], strict=True)]
    grown = np.pad(mask, pad_kji)
    origin = geometry.index_to_world_lps_mm(-before.astype(float))
    new_geometry = dataclasses.replace(
        geometry,
        shape_kji=tuple(int(v) for v in grown.shape),
        origin_lps_mm=tuple(float(v) for v in origin),
    )
    return grown, new_geometry, before.astype(int)
