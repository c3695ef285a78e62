"""Slab projections and the window/level table."""

from __future__ import annotations

import numpy as np
import pytest

from nodule_desk.imaging.reslice import Orientation, VolumeReslicer
from nodule_desk.imaging.slab import SlabMode, WindowLut, plane_hu, window_float
from nodule_desk.volume import CTVolume, VolumeGeometry


def lung_block(spacing_z_mm: float = 1.0) -> CTVolume:
    hu = np.full((40, 32, 32), -850, dtype=np.int16)
    return CTVolume(hu, VolumeGeometry((40, 32, 32), (0.7, 0.7, spacing_z_mm), (0.0, 0.0, 0.0)))


@pytest.mark.parametrize("offset_mm", [0, 2, 4])
def test_bright_dot_inside_the_slab_appears_in_the_mip(offset_mm: int) -> None:
    volume = lung_block()
    volume.hu[20 + offset_mm, 10, 12] = 200
    reslicer = VolumeReslicer(volume)
    mip = plane_hu(reslicer, Orientation.AXIAL, 20, SlabMode.MIP, 10.0)
    assert mip[10, 12] == 200
    assert plane_hu(reslicer, Orientation.AXIAL, 20)[10, 12] == (200 if offset_mm == 0 else -850)


@pytest.mark.parametrize("offset_mm", [6, 10])
def test_bright_dot_outside_the_slab_does_not(offset_mm: int) -> None:
    volume = lung_block()
    volume.hu[20 + offset_mm, 10, 12] = 200
    mip = plane_hu(VolumeReslicer(volume), Orientation.AXIAL, 20, SlabMode.MIP, 10.0)
    assert mip[10, 12] == -850


def test_minip_average_and_thickness_in_mm_not_slices() -> None:
    volume = lung_block(spacing_z_mm=2.5)
    volume.hu[19:22, 5, 5] = -1000
    volume.hu[19:21, 6, 6] = 100
    reslicer = VolumeReslicer(volume)
    assert len(reslicer.slab_range(Orientation.AXIAL, 20, 10.0)) == 4
    assert plane_hu(reslicer, Orientation.AXIAL, 20, SlabMode.MINIP, 7.5)[5, 5] == -1000
    average = plane_hu(reslicer, Orientation.AXIAL, 20, SlabMode.AVERAGE, 7.5)
    assert average[6, 6] == (100 + 100 - 850) // 3
    # slabs work across the other planes too: sagittal slabs run along x
    sagittal = plane_hu(reslicer, Orientation.SAGITTAL, 6, SlabMode.MIP, 3.0)
    assert sagittal.max() == 100


def test_slab_thickness_is_clamped_to_1_to_20_mm() -> None:
    volume = lung_block()
    volume.hu[20 + 12, 3, 3] = 300
    reslicer = VolumeReslicer(volume)
    assert plane_hu(reslicer, Orientation.AXIAL, 20, SlabMode.MIP, 50.0)[3, 3] == -850
    assert plane_hu(reslicer, Orientation.AXIAL, 20, SlabMode.MIP, 30.0)[3, 3] == -850
    assert plane_hu(reslicer, Orientation.AXIAL, 25, SlabMode.MIP, 20.0)[3, 3] == 300
    volume.hu[20, 4, 4] = 300
    assert plane_hu(reslicer, Orientation.AXIAL, 21, SlabMode.MIP, 0.2)[4, 4] == -850


def test_window_table_matches_float_math_for_every_hu() -> None:
    values = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16).reshape(256, 256)
    lut = WindowLut()
    for centre, width in [(-600, 1500), (40, 400), (400, 1800), (50, 350), (0, 2)]:
        np.testing.assert_array_equal(
            lut.apply(values, centre, width), window_float(values, centre, width)
        )


def test_lung_window_makes_lung_dark_and_soft_tissue_bright() -> None:
    grey = WindowLut().apply(np.array([[-850, 40, -1000, 400]], dtype=np.int16), -600, 1500)
    assert grey[0, 2] < grey[0, 0] < 90 and grey[0, 1] > 200 and grey[0, 3] == 255
