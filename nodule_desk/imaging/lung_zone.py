"""Where in the lungs a point lies: left or right lung, upper / middle / lower zone, and the lobe
that zone and position suggest.

The lungs are found on a coarse grid (every few voxels): aerated tissue (below -400 HU) inside
the body, not connected to the air around the patient, the two largest parts kept (one part split
at the midline when the lungs touch). Zones are thirds of that lung's craniocaudal extent, the
division CT scoring of lung disease uses. Without the fissures, the lobe is a suggestion from
zone and position: upper zone -> upper lobe; middle zone -> the right middle lobe or lingula
anteriorly, the lower lobe posteriorly; lower zone -> lower lobe. The radiologist confirms it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.volume import CTVolume, VolumeGeometry

AERATED_BELOW_HU = -400.0
COARSE_STEP_MM = 3.0
MIN_LUNG_ML = 100.0
"""Smaller aerated parts (trachea, bowel gas) are not lungs."""
ZONES = ("upper", "middle", "lower")


@dataclass(frozen=True)
class LungZone:
    side: str
    """right or left (the patient's)."""
    zone: str
    """upper, middle or lower third of that lung's craniocaudal extent."""
    suggested_lobe: str
    """RUL, RML, RLL, LUL, lingula or LLL, from zone and position (not from fissures)."""


@dataclass(frozen=True)
class LungMask:
    """The lungs on a coarse grid; ``labels`` is 1 for the right lung, 2 for the left."""

    labels: NDArray[np.uint8]
    geometry: VolumeGeometry


def lung_mask(volume: CTVolume, step_mm: float = COARSE_STEP_MM) -> LungMask:
    spacing = np.asarray(volume.geometry.spacing_xyz_mm)
    steps = np.maximum(1, np.round(step_mm / spacing).astype(int))  # i, j, k
    coarse = volume.hu[:: steps[2], :: steps[1], :: steps[0]]
    air = coarse < AERATED_BELOW_HU
    outside, _ = ndimage.label(air)
    border = np.unique(
        np.concatenate(
            [
                outside[:, 0, :].ravel(),
                outside[:, -1, :].ravel(),
                outside[:, :, 0].ravel(),
                outside[:, :, -1].ravel(),
            ]
        )
    )
    inside = air & ~np.isin(outside, border[border > 0])
    inside = ndimage.binary_opening(inside, iterations=1)
    parts, count = ndimage.label(inside)
    geometry = VolumeGeometry(
        shape_kji=coarse.shape,  # type: ignore[arg-type]
        spacing_xyz_mm=tuple(float(v) for v in spacing * steps),  # type: ignore[arg-type]
        origin_lps_mm=volume.geometry.origin_lps_mm,
        direction=volume.geometry.direction,
    )
    voxel_ml = geometry.voxel_volume_mm3 / 1000.0
    sizes = ndimage.sum_labels(inside, parts, index=np.arange(1, count + 1)) * voxel_ml
    kept = [i + 1 for i in np.argsort(sizes)[::-1][:2] if sizes[i] >= MIN_LUNG_ML]
    labels = np.zeros(coarse.shape, np.uint8)
    x_world = _world_x(geometry)
    midline = float(np.median(x_world[np.isin(parts, kept)])) if kept else 0.0
    for part in kept:
        members = parts == part
        if len(kept) == 1:  # touching lungs: split at the midline
            labels[members & (x_world < midline)] = 1
            labels[members & (x_world >= midline)] = 2
        else:
            labels[members] = 1 if float(np.mean(x_world[members])) < midline else 2
    return LungMask(labels, geometry)


def _world_x(geometry: VolumeGeometry) -> NDArray[np.float64]:
    """World x (LPS: towards the patient's left) of every voxel, by broadcasting each axis."""
    row = geometry.direction_matrix[0] * np.asarray(geometry.spacing_xyz_mm)
    nk, nj, ni = geometry.shape_kji
    return (
        geometry.origin_lps_mm[0]
        + row[0] * np.arange(ni)[None, None, :]
        + row[1] * np.arange(nj)[None, :, None]
        + row[2] * np.arange(nk)[:, None, None]
    )


def lung_zone(
    volume: CTVolume, world_lps_mm: Sequence[float], mask: LungMask | None = None
) -> LungZone | None:
    """The lung and zone of the point; None when it is not in or beside a lung."""
    mask = mask or lung_mask(volume)
    labels = mask.labels
    if not labels.any():
        return None
    geometry = mask.geometry
    k, j, i = np.nonzero(labels)
    world = geometry.index_to_world_lps_mm(np.stack([i, j, k], axis=-1))
    point = np.asarray(world_lps_mm, dtype=float)
    nearest = int(np.argmin(np.sum((world - point) ** 2, axis=1)))
    if float(np.linalg.norm(world[nearest] - point)) > 20.0:
        return None
    lung = labels[k[nearest], j[nearest], i[nearest]]
    side = "right" if lung == 1 else "left"
    same = world[labels[k, j, i] == lung]
    top, bottom = float(same[:, 2].max()), float(same[:, 2].min())
    fraction = (top - point[2]) / max(top - bottom, 1e-6)
    zone = ZONES[min(int(np.clip(fraction, 0.0, 0.999) * 3), 2)]
    at_level = same[np.abs(same[:, 2] - point[2]) <= geometry.spacing_xyz_mm[2]]
    front, back = (at_level[:, 1].min(), at_level[:, 1].max()) if len(at_level) else (0.0, 0.0)
    anterior = point[1] < (front + back) / 2  # LPS: y grows towards the back
    return LungZone(side, zone, _suggested_lobe(side, zone, bool(anterior)))


def _suggested_lobe(side: str, zone: str, anterior: bool) -> str:
    if zone == "upper":
        return "RUL" if side == "right" else "LUL"
    if zone == "middle" and anterior:
        return "RML" if side == "right" else "lingula"
    return "RLL" if side == "right" else "LLL"
