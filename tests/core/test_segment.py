"""Nodule segmentation from a seed on small phantoms with partial volume and noise.

The phantoms (benchmarks/phantoms.py) are supersampled analytic shapes in -850 HU lung, so the
true volume and the true position of the chest wall and vessel are known exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.errors import SegmentationError
from nodule_desk.imaging.segment import NoduleSegmentation, segment_nodule
from nodule_desk.volume import CTVolume, VolumeGeometry


def _mask_world_mm(seg: NoduleSegmentation) -> np.ndarray:
    return seg.geometry.index_to_world_lps_mm(np.argwhere(seg.mask)[:, ::-1].astype(float))


def test_isolated_sphere_mask_matches_the_sphere() -> None:
    volume, truth = make_phantom(PhantomSpec(8.0, noise_hu=20.0))
    seg = segment_nodule(volume, (0.0, 0.0, 0.0))
    mask_mm3 = seg.mask.sum() * seg.geometry.voxel_volume_mm3
    assert mask_mm3 == pytest.approx(truth.volume_mm3, rel=0.15)
    assert np.max(np.linalg.norm(_mask_world_mm(seg), axis=1)) < 4.0 + 0.8
    assert seg.nodule_hu == pytest.approx(30.0, abs=25.0)
    assert seg.lung_hu == pytest.approx(-850.0, abs=10.0)


def test_juxtapleural_mask_stays_out_of_the_chest_wall() -> None:
    spec = PhantomSpec(10.0, context="juxtapleural", noise_hu=20.0)
    volume, _ = make_phantom(spec)
    seg = segment_nodule(volume, (0.0, 0.0, 0.0))
    wall_x_mm = 0.85 * spec.diameter_mm / 2
    points = _mask_world_mm(seg)
    assert points[:, 0].max() < wall_x_mm + 0.5
    assert points[:, 0].min() < -4.0


def test_juxtavascular_mask_excludes_the_vessel() -> None:
    spec = PhantomSpec(10.0, context="juxtavascular", noise_hu=20.0)
    volume, _ = make_phantom(spec)
    seg = segment_nodule(volume, (0.0, 0.0, 0.0))
    distance = np.linalg.norm(_mask_world_mm(seg), axis=1)
    assert distance.max() < 5.0 + 2.5, "the vessel crosses the whole block; the mask follows it"

    assert seg.other_tissue.sum() > 100, "the vessel next to the nodule is kept as other tissue"


def test_seed_off_centre_finds_the_same_nodule() -> None:
    volume, _ = make_phantom(PhantomSpec(8.0))
    centred = segment_nodule(volume, (0.0, 0.0, 0.0))
    off = segment_nodule(volume, (1.5, -1.5, 1.0))
    assert off.mask.sum() * off.geometry.voxel_volume_mm3 == pytest.approx(
        centred.mask.sum() * centred.geometry.voxel_volume_mm3, rel=0.02
    )


def _lung_block(shape_kji=(60, 60, 60)) -> tuple[np.ndarray, VolumeGeometry, np.ndarray]:
    geometry = VolumeGeometry(shape_kji, (0.7, 0.7, 0.7), (-21.0, -21.0, -21.0))
    k, j, i = np.indices(shape_kji)
    world = geometry.index_to_world_lps_mm(np.stack([i, j, k], axis=-1).reshape(-1, 3))
    hu = np.full(shape_kji, -850.0) + np.random.default_rng(3).normal(0, 15, shape_kji)
    return hu, geometry, world.reshape(*shape_kji, 3)


def _nodule_and_vessel(
    radius_mm: float, vessel_radius_mm: float, vessel_axis_x_mm: float
) -> tuple[CTVolume, np.ndarray]:
    """A solid ball at the origin and a straight vessel along z crossing the whole block."""
    hu, geometry, world = _lung_block()
    sphere = np.linalg.norm(world, axis=-1) <= radius_mm
    axis_distance = np.linalg.norm(world[..., :2] - np.array([vessel_axis_x_mm, 0.0]), axis=-1)
    vessel = axis_distance <= vessel_radius_mm
    hu[sphere | vessel] = 40.0
    return CTVolume(hu.astype(np.int16), geometry), sphere & ~vessel


@pytest.mark.parametrize("axis_x_mm", [2.5, 3.0])
def test_small_nodule_with_a_vessel_of_equal_calibre_through_its_edge(axis_x_mm: float) -> None:
    volume, _ = _nodule_and_vessel(2.0, 2.0, axis_x_mm)
    seg = segment_nodule(volume, (0.0, 0.0, 0.0))
    assert np.linalg.norm(_mask_world_mm(seg), axis=1).max() < 2.0 + 1.0
    sphere_mm3 = 4 / 3 * np.pi * 2.0**3
    assert seg.mask.sum() * seg.geometry.voxel_volume_mm3 == pytest.approx(sphere_mm3, rel=0.3)
    assert seg.other_tissue.sum() > 100, "the vessel is kept apart as other tissue"


def test_nodule_on_a_vessel_thicker_than_itself() -> None:
    volume, truth = _nodule_and_vessel(2.5, 4.0, 5.5)
    seg = segment_nodule(volume, (0.0, 0.0, 0.0))
    points = _mask_world_mm(seg)
    assert points[:, 0].max() < 1.5 + 0.8, "the mask stops at the vessel's surface"
    assert np.linalg.norm(points, axis=1).max() < 2.5 + 1.0
    truth_mm3 = truth.sum() * 0.7**3
    assert seg.mask.sum() * seg.geometry.voxel_volume_mm3 == pytest.approx(truth_mm3, rel=0.2)


def test_seed_on_a_vessel_raises() -> None:
    hu, geometry, world = _lung_block()
    hu[np.linalg.norm(world[..., :2], axis=-1) <= 2.0] = 40.0
    with pytest.raises(SegmentationError, match="manually"):
        segment_nodule(CTVolume(hu.astype(np.int16), geometry), (0.0, 0.0, 0.0))


def test_seed_in_the_chest_wall_raises() -> None:
    hu, geometry, world = _lung_block()
    hu[world[..., 0] > -10.0] = 40.0
    with pytest.raises(SegmentationError, match="not in the lung|chest wall"):
        segment_nodule(CTVolume(hu.astype(np.int16), geometry), (8.0, 0.0, 0.0))


def test_seed_in_aerated_lung_raises() -> None:
    hu, geometry, _ = _lung_block()
    with pytest.raises(SegmentationError, match="no nodule within"):
        segment_nodule(CTVolume(hu.astype(np.int16), geometry), (0.0, 0.0, 0.0))


def test_seed_outside_the_scan_raises() -> None:
    hu, geometry, _ = _lung_block()
    with pytest.raises(SegmentationError, match="outside the scan"):
        segment_nodule(CTVolume(hu.astype(np.int16), geometry), (0.0, 0.0, 500.0))
