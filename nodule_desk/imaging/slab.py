"""Thick-slab projections and window/level to 8-bit grey, for drawing CT planes fast.

Slab MIP of 5-10 mm is how readers separate small nodules from vessels (a nodule stays round while a
vessel becomes a branching line): Gruden et al., AJR 2002;179:149-157; Kawel et al., Radiology
2009;253:1-8 for thickness. MinIP shows airways and emphysema.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from numpy.typing import NDArray

from nodule_desk.imaging.reslice import Orientation, VolumeReslicer

MIN_SLAB_MM = 1.0
MAX_SLAB_MM = 20.0

WINDOW_PRESETS: dict[str, tuple[float, float]] = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (40.0, 400.0),
    "bone": (400.0, 1800.0),
    "soft_tissue": (50.0, 350.0),
}
"""(centre HU, width HU) per preset, in the order of keys 1-4."""


class SlabMode(str, Enum):
    OFF = "off"
    MIP = "mip"
    MINIP = "minip"
    AVERAGE = "average"


def project_slab(stack: NDArray[np.int16], mode: SlabMode) -> NDArray[np.int16]:
    """Collapse a [slice, row, column] stack to one plane."""
    mode = SlabMode(mode)
    if mode is SlabMode.OFF or stack.shape[0] == 1:
        return stack[stack.shape[0] // 2]
    if mode is SlabMode.MIP:
        return stack.max(axis=0)
    if mode is SlabMode.MINIP:
        return stack.min(axis=0)
    total = stack.sum(axis=0, dtype=np.int32)
    return (total // stack.shape[0]).astype(np.int16)


def plane_hu(
    reslicer: VolumeReslicer,
    orientation: Orientation,
    slice_index: int,
    mode: SlabMode = SlabMode.OFF,
    thickness_mm: float = 0.0,
) -> NDArray[np.int16]:
    """The plane to draw: the slice itself, or the slab of ``thickness_mm`` (clamped 1-20 mm)."""
    if SlabMode(mode) is SlabMode.OFF:
        return reslicer.slice_hu(orientation, slice_index)
    thickness = float(np.clip(thickness_mm, MIN_SLAB_MM, MAX_SLAB_MM))
    return project_slab(reslicer.slab_stack(orientation, slice_index, thickness), mode)


class WindowLut:
    """Window/level as a 65,536-entry table indexed by the int16 value's bit pattern.

    Reinterpreting int16 as uint16 is the same as adding a 32,768 offset modulo 2**16, so the table
    is the offset table rolled by half its length; drawing a plane is then one ``np.take``.
    """

    def __init__(self) -> None:
        self._key: tuple[float, float] | None = None
        self._table = np.zeros(65536, dtype=np.uint8)

    def table(self, centre_hu: float, width_hu: float) -> NDArray[np.uint8]:
        key = (float(centre_hu), max(float(width_hu), 1.0))
        if key != self._key:
            self._table = window_table(*key)
            self._key = key
        return self._table

    def apply(
        self, plane: NDArray[np.int16], centre_hu: float, width_hu: float
    ) -> NDArray[np.uint8]:
        """uint8 grey, C-contiguous, same shape as ``plane``."""
        table = self.table(centre_hu, width_hu)
        return np.take(table, plane.view(np.uint16))


def window_table(centre_hu: float, width_hu: float) -> NDArray[np.uint8]:
    """DICOM PS3.3 C.11.2.1.2.1 linear VOI LUT function, for every int16 value."""
    hu = np.arange(-32768, 32768, dtype=np.float64)
    width = max(width_hu, 2.0)
    scaled = ((hu - (centre_hu - 0.5)) / (width - 1.0) + 0.5) * 255.0
    by_offset = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return np.roll(by_offset, -32768)


def window_float(
    plane: NDArray[np.generic], centre_hu: float, width_hu: float
) -> NDArray[np.uint8]:
    """The same window in float math per pixel: the benchmark baseline, the tests' oracle."""
    width = max(float(width_hu), 2.0)
    scaled = ((plane.astype(np.float32) - (centre_hu - 0.5)) / (width - 1.0) + 0.5) * 255.0
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
