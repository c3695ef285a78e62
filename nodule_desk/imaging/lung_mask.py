"""The lungs of a chest CT on a coarse grid: where nodule detection looks.

Aerated lung is air-like (below about -400 HU) and enclosed by the body; the air outside the
patient touches the image's in-plane border. The mask is the enclosed air components big enough
to be lungs, with vessels and nodules inside filled in slice by slice, then closed with a ball so
that a nodule sitting on the pleura (a bump into the lung's outline) is inside it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.volume import VolumeGeometry

AIR_BELOW_HU = -400.0
MIN_LUNG_FRACTION = 0.1
"""A second air component counts as a lung when it is at least this fraction of the largest."""
MIN_LUNG_VOLUME_ML = 50.0
PLEURAL_CLOSING_MM = 10.0
"""Closing radius: a juxtapleural nodule up to about twice this wide is taken into the mask."""


@dataclass(frozen=True)
class LungMask:
    mask: NDArray[np.bool_]
    """Indexed [k, j, i] on ``geometry``."""
    geometry: VolumeGeometry

    @property
    def volume_ml(self) -> float:
        return float(self.mask.sum()) * self.geometry.voxel_volume_mm3 / 1000.0

    def on_grid(self, geometry: VolumeGeometry) -> NDArray[np.bool_]:
        """The mask at the voxel centres of another grid with the same axes (nearest
        neighbour): each axis maps on its own, so this costs one lookup per voxel."""
        axes = []
        for axis, size in enumerate(geometry.shape_kji[::-1]):
            ijk = np.zeros((size, 3))
            ijk[:, axis] = np.arange(size)
            world = geometry.index_to_world_lps_mm(ijk)
            index = np.rint(self.geometry.world_lps_mm_to_index(world))[:, axis].astype(int)
            axes.append(index)
        kji = axes[::-1]
        valid = [(a >= 0) & (a < n) for a, n in zip(kji, self.mask.shape, strict=True)]
        clipped = [np.clip(a, 0, n - 1) for a, n in zip(kji, self.mask.shape, strict=True)]
        picked = self.mask[np.ix_(*clipped)]
        return picked & valid[0][:, None, None] & valid[1][None, :, None] & valid[2][None, None, :]


def block_mean(
    hu: NDArray, geometry: VolumeGeometry, factors_kji: tuple[int, int, int]
) -> tuple[NDArray[np.float32], VolumeGeometry]:
    """HU averaged over blocks of ``factors_kji`` voxels (the edge remainder dropped), and the
    geometry of the block centres."""
    fk, fj, fi = factors_kji
    nk, nj, ni = (n // f for n, f in zip(hu.shape, factors_kji, strict=True))
    if min(nk, nj, ni) < 1:
        raise ValueError(f"volume {hu.shape} is smaller than one block {factors_kji}")
    out = np.zeros((nk, nj, ni), dtype=np.float32)
    for a in range(fk):
        for b in range(fj):
            for c in range(fi):
                out += hu[a : nk * fk : fk, b : nj * fj : fj, c : ni * fi : fi]
    out /= np.float32(fk * fj * fi)
    factors_ijk = np.array([fi, fj, fk], dtype=float)
    spacing = np.asarray(geometry.spacing_xyz_mm) * factors_ijk
    origin = geometry.index_to_world_lps_mm((factors_ijk - 1) / 2)
    return out, VolumeGeometry(
        (nk, nj, ni),
        tuple(float(s) for s in spacing),  # type: ignore[arg-type]
        tuple(float(o) for o in origin),  # type: ignore[arg-type]
        geometry.direction,
    )


def lung_mask(hu: NDArray, geometry: VolumeGeometry) -> LungMask:
    """The lungs of ``hu`` (on ``geometry``, ideally a grid of about 2-3 mm) with what lies inside
    them; an empty mask when there is no enclosed air the size of a lung."""
    air = hu < AIR_BELOW_HU
    labels, count = ndimage.label(air)
    if count == 0:
        return LungMask(np.zeros(hu.shape, dtype=bool), geometry)
    outside = np.unique(
        np.concatenate(
            [labels[:, 0, :].ravel(), labels[:, -1, :].ravel()]
            + [labels[:, :, 0].ravel(), labels[:, :, -1].ravel()]
        )
    )
    sizes = np.bincount(labels.ravel(), minlength=count + 1).astype(float)
    sizes[0] = 0
    sizes[outside] = 0
    voxel_ml = geometry.voxel_volume_mm3 / 1000.0
    largest = sizes.max()
    keep = (sizes >= MIN_LUNG_FRACTION * largest) & (sizes * voxel_ml >= MIN_LUNG_VOLUME_ML)
    keep[0] = False
    lungs = keep[labels]
    if not lungs.any():
        return LungMask(lungs, geometry)
    filled = np.stack([ndimage.binary_fill_holes(plane) for plane in lungs])
    corners = np.argwhere(filled)
    low, high = corners.min(axis=0), corners.max(axis=0) + 1
    box = tuple(slice(a, b) for a, b in zip(low, high, strict=True))
    closed = np.zeros_like(filled)
    spacing_kji = np.asarray(geometry.spacing_xyz_mm)[::-1]
    closed[box] = _closing(filled[box], spacing_kji, PLEURAL_CLOSING_MM)
    closed = np.stack([ndimage.binary_fill_holes(plane) for plane in closed | filled])
    return LungMask(closed, geometry)


def _closing(
    mask: NDArray[np.bool_], spacing_kji_mm: NDArray[np.float64], radius_mm: float
) -> NDArray[np.bool_]:
    """Morphological closing with a ball of ``radius_mm``, by two Euclidean distance transforms
    (far quicker than a ball-shaped structuring element of many voxels)."""
    pad = np.ceil(radius_mm / spacing_kji_mm).astype(int) + 1
    padded = np.pad(mask, [(p, p) for p in pad])
    dilated = ndimage.distance_transform_edt(~padded, sampling=spacing_kji_mm) <= radius_mm
    closed = ndimage.distance_transform_edt(dilated, sampling=spacing_kji_mm) > radius_mm
    return closed[pad[0] : -pad[0], pad[1] : -pad[1], pad[2] : -pad[2]]
