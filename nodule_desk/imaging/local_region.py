"""A small block of the scan around a seed point, resampled along the slice axis.

Segmentation works on this block so its cost does not grow with the scan. Slices are
interpolated linearly so that the voxels are close to cubic (morphology with balls then means
millimetres in every direction), while every acquired slice is kept unchanged at every
``slices_per_native``-th plane, so axial measurements are made on the slices the radiologist sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nodule_desk.errors import SegmentationError
from nodule_desk.volume import CTVolume, VolumeGeometry


@dataclass(frozen=True)
class LocalRegion:
    hu: NDArray[np.float32]
    geometry: VolumeGeometry
    slices_per_native: int
    native_spacing_xyz_mm: tuple[float, float, float]

    @property
    def spacing_kji_mm(self) -> NDArray[np.float64]:
        return np.asarray(self.geometry.spacing_xyz_mm[::-1], dtype=float)

    def world_to_kji(self, world_lps_mm: ArrayLike) -> NDArray[np.float64]:
        return self.geometry.world_lps_mm_to_index(world_lps_mm)[..., ::-1]

    def kji_to_world(self, kji: ArrayLike) -> NDArray[np.float64]:
        return self.geometry.index_to_world_lps_mm(np.asarray(kji, dtype=float)[..., ::-1])


def extract_local_region(
    volume: CTVolume, seed_lps_mm: ArrayLike, half_size_mm: float
) -> LocalRegion:
    """The block of ``volume`` within ``half_size_mm`` of the seed (clipped to the scan)."""
    geometry = volume.geometry
    if not geometry.contains_world_lps_mm(seed_lps_mm):
        raise SegmentationError(
            f"seed {tuple(round(float(v), 1) for v in np.asarray(seed_lps_mm))} mm (LPS) "
            "lies outside the scan"
        )
    seed_kji = np.rint(geometry.world_lps_mm_to_index(seed_lps_mm))[::-1].astype(int)
    spacing_kji = np.asarray(geometry.spacing_xyz_mm[::-1], dtype=float)
    half_vox = np.ceil(half_size_mm / spacing_kji).astype(int)
    low = np.maximum(seed_kji - half_vox, 0)
    high = np.minimum(seed_kji + half_vox + 1, np.asarray(geometry.shape_kji))
    block = volume.hu[low[0] : high[0], low[1] : high[1], low[2] : high[2]].astype(np.float32)

    sz, sy, sx = spacing_kji
    n = max(1, int(round(sz / min(sx, sy))))
    if n > 1 and block.shape[0] > 1:
        block = _interpolate_slices(block, n)
    else:
        n = 1
    origin = geometry.index_to_world_lps_mm(low[::-1].astype(float))
    local = VolumeGeometry(
        shape_kji=tuple(int(v) for v in block.shape),  # type: ignore[arg-type]
        spacing_xyz_mm=(float(sx), float(sy), float(sz / n)),
        origin_lps_mm=tuple(float(v) for v in origin),  # type: ignore[arg-type]
        direction=geometry.direction,
    )
    return LocalRegion(block, local, n, tuple(float(v) for v in geometry.spacing_xyz_mm))  # type: ignore[arg-type]


def _interpolate_slices(block: NDArray[np.float32], n: int) -> NDArray[np.float32]:
    position = np.arange((block.shape[0] - 1) * n + 1) / n
    lower = np.minimum(np.floor(position).astype(int), block.shape[0] - 2)
    weight = (position - lower).astype(np.float32)[:, None, None]
    return block[lower] * (1 - weight) + block[lower + 1] * weight
