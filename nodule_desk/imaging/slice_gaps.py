"""Slices missing from a series: which grid slices the loader had to interpolate, and refusing
automatic volumetry of a nodule that reaches them (its volume there would be invented)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from nodule_desk.errors import SegmentationError
from nodule_desk.volume import CTVolume, VolumeGeometry

INTERPOLATED_KEY = "interpolated_slices"
"""CTVolume.metadata: grid slice indices (k) that no file provided."""


class VolumetryAcrossGap(SegmentationError):
    """The nodule reaches slices that are missing from the series."""

    def __init__(self, slices: Sequence[int]) -> None:
        self.slices = list(slices)
        super().__init__(
            f"the nodule reaches slice(s) {describe_ranges(self.slices)} that are missing from the "
            "series (interpolated): no automatic volume across the gap; measure it with the "
            "caliper on real slices"
        )


def interpolated_slot_indices(along_mm: NDArray[np.float64], spacing_mm: float) -> list[int]:
    """Grid slices between the files' positions that no file fills."""
    slots = np.rint((np.asarray(along_mm) - along_mm[0]) / spacing_mm).astype(int)
    return sorted(set(range(int(slots[-1]) + 1)) - {int(s) for s in slots})


def interpolated_slices(volume: CTVolume) -> list[int]:
    return [int(k) for k in volume.metadata.get(INTERPOLATED_KEY, [])]  # type: ignore[union-attr]


def describe_ranges(slices: Iterable[int], one_based: bool = True) -> str:
    """ "12-13, 40" for slices 11, 12, 39 (numbered from 1 as the viewer shows them)."""
    ordered = sorted(set(slices))
    ranges: list[tuple[int, int]] = []
    for k in ordered:
        if ranges and k == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], k)
        else:
            ranges.append((k, k))
    shift = 1 if one_based else 0
    return ", ".join(f"{a + shift}" if a == b else f"{a + shift}-{b + shift}" for a, b in ranges)


def refuse_across_gaps(volume: CTVolume, mask: NDArray[np.bool_], geometry: VolumeGeometry) -> None:
    """VolumetryAcrossGap when the mask (on its own grid) covers a slice of ``volume`` that was
    interpolated, or lies within one slice of it."""
    gaps = interpolated_slices(volume)
    if not gaps or not mask.any():
        return
    inside = np.argwhere(mask)[:, ::-1].astype(float)
    world = geometry.index_to_world_lps_mm(inside)
    k = volume.geometry.world_lps_mm_to_index(world)[:, 2]
    low, high = int(np.floor(k.min())) - 1, int(np.ceil(k.max())) + 1
    touched = [g for g in gaps if low <= g <= high]
    if touched:
        raise VolumetryAcrossGap(touched)
