"""Is a clicked point on a stored nodule? So that a second click on a measured lesion selects it
instead of measuring the same lesion again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from nodule_desk.volume import CTVolume


def mask_contains_world_point(
    mask: CTVolume, world_lps_mm: Sequence[float], margin_mm: float = 1.5
) -> bool:
    """True when the point lies in the mask or within ``margin_mm`` of it (a click on the rim)."""
    ijk = np.rint(mask.geometry.world_lps_mm_to_index(world_lps_mm)).astype(int)
    spacing = np.asarray(mask.geometry.spacing_xyz_mm)
    reach = np.ceil(margin_mm / spacing).astype(int)
    kji = ijk[::-1]
    reach_kji = reach[::-1]
    shape = np.asarray(mask.hu.shape)
    if np.any(kji < 0) or np.any(kji >= shape):
        return False
    low = np.maximum(kji - reach_kji, 0)
    high = np.minimum(kji + reach_kji + 1, shape)
    if np.any(high <= low):
        return False
    window = mask.hu[low[0] : high[0], low[1] : high[1], low[2] : high[2]] > 0
    if not window.any():
        return False
    distance = ndimage.distance_transform_edt(~window, sampling=spacing[::-1])
    centre = tuple(kji - low)
    return bool(distance[centre] <= margin_mm)


def near_point(a: Sequence[float], b: Sequence[float], radius_mm: float) -> bool:
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float))) <= radius_mm
