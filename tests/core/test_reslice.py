"""Reslicing to display planes: radiological orientation, flipped or permuted axes, round trips."""

from __future__ import annotations

import numpy as np
import pytest

from nodule_desk.imaging.reslice import (
    Orientation,
    PlaneGeometry,
    VolumeReslicer,
    direction_label,
)
from nodule_desk.volume import CTVolume, VolumeGeometry


def marked_volume(direction: tuple[float, ...] = (1, 0, 0, 0, 1, 0, 0, 0, 1)) -> CTVolume:
    """A 20 x 30 x 40 block whose marker voxels sit at known world points."""
    hu = np.full((20, 30, 40), -1000, dtype=np.int16)
    geometry = VolumeGeometry(
        (20, 30, 40), (0.7, 0.8, 2.0), (-10.0, 20.0, -50.0), tuple(float(d) for d in direction)
    )
    return CTVolume(hu, geometry)


def put_world(volume: CTVolume, world_lps_mm: tuple[float, float, float], value: int) -> None:
    i, j, k = np.rint(volume.geometry.world_lps_mm_to_index(world_lps_mm)).astype(int)
    volume.hu[k, j, i] = value


DIRECTIONS = {
    "identity": (1, 0, 0, 0, 1, 0, 0, 0, 1),
    "flipped_x_and_z": (-1, 0, 0, 0, 1, 0, 0, 0, -1),
    "flipped_y": (1, 0, 0, 0, -1, 0, 0, 0, 1),
    "sagittal_acquisition": (0, 0, 1, 1, 0, 0, 0, -1, 0),  # i along +Y, j along -Z, k along +X
}


@pytest.mark.parametrize("name", DIRECTIONS)
def test_patient_right_is_screen_left_and_anterior_up(name: str) -> None:
    volume = marked_volume(DIRECTIONS[name])
    centre = volume.geometry.index_to_world_lps_mm(np.array(volume.hu.shape[::-1]) / 2 - 0.5)
    right = centre + np.array([-5.0, 0, 0])  # patient's right is -x in LPS
    anterior = centre + np.array([0, -5.0, 0])
    superior = centre + np.array([0, 0, 6.0])
    put_world(volume, tuple(right), 500)
    put_world(volume, tuple(anterior), 700)
    put_world(volume, tuple(superior), 900)
    reslicer = VolumeReslicer(volume)
    checks = [  # (plane, marker, value, screen axis the marker moves along, expected sign)
        (Orientation.AXIAL, right, 500, 0, -1),
        (Orientation.AXIAL, anterior, 700, 1, -1),
        (Orientation.CORONAL, right, 500, 0, -1),
        (Orientation.CORONAL, superior, 900, 1, -1),
        (Orientation.SAGITTAL, anterior, 700, 0, -1),
        (Orientation.SAGITTAL, superior, 900, 1, -1),
    ]
    for orientation, marker, value, axis, sign in checks:
        plane = reslicer.plane(orientation)
        s = plane.slice_of_world(marker)
        rows, cols = np.nonzero(reslicer.slice_hu(orientation, s) == value)
        assert len(rows) == 1, (orientation, value)
        found = (cols[0], rows[0])[axis]
        middle = plane.world_lps_mm_to_display(centre)[axis]
        assert np.sign(found - middle) == sign, (name, orientation, value)
        labels = plane.labels()
        expected = {
            Orientation.AXIAL: ("R", "L", "A", "P"),
            Orientation.CORONAL: ("R", "L", "S", "I"),
            Orientation.SAGITTAL: ("A", "P", "S", "I"),
        }[orientation]
        assert (labels.left, labels.right, labels.top, labels.bottom) == expected


@pytest.mark.parametrize("name", DIRECTIONS)
def test_display_world_round_trip(name: str) -> None:
    geometry = marked_volume(DIRECTIONS[name]).geometry
    rng = np.random.default_rng(3)
    for orientation in Orientation:
        plane = PlaneGeometry(geometry, orientation)
        crs = rng.uniform(0, 1, (50, 3)) * [plane.n_cols - 1, plane.n_rows - 1, plane.n_slices - 1]
        world = plane.display_to_world_lps_mm(crs)
        np.testing.assert_allclose(plane.world_lps_mm_to_display(world), crs, atol=1e-9)
        # one column step moves the pixel spacing along the screen's x
        step = plane.display_to_world_lps_mm(crs[0] + [1, 0, 0]) - world[0]
        assert np.linalg.norm(step) == pytest.approx(plane.col_spacing_mm)


def test_oblique_volume_is_shown_along_its_own_axes_with_oblique_labels() -> None:
    a = np.deg2rad(20)
    direction = (np.cos(a), -np.sin(a), 0, np.sin(a), np.cos(a), 0, 0, 0, 1)
    volume = marked_volume(direction)
    plane = VolumeReslicer(volume).plane(Orientation.AXIAL)
    assert (plane.n_cols, plane.n_rows) == (40, 30)
    labels = plane.labels()
    # columns run along +i = (cos 20, sin 20, 0): left and 20 degrees posterior
    assert (labels.left, labels.right, labels.top, labels.bottom) == ("RA", "LP", "AL", "PR")
    crs = np.array([3.0, 4.0, 5.0])
    np.testing.assert_allclose(
        plane.world_lps_mm_to_display(plane.display_to_world_lps_mm(crs)), crs
    )


def test_slice_views_share_memory_with_the_volume() -> None:
    volume = marked_volume()
    reslicer = VolumeReslicer(volume)
    assert np.shares_memory(reslicer.slice_hu(Orientation.CORONAL, 3), volume.hu)


@pytest.mark.parametrize(
    ("vector", "label"),
    [
        ((1, 0, 0), "L"),
        ((0, -1, 0), "A"),
        ((0.98, 0.2, 0), "L"),  # 11.5 degrees: still plainly left
        ((0.9, -0.4, 0.1), "LA"),
        ((-0.6, 0.5, -0.62), "IRP"),
    ],
)
def test_direction_letters_in_order_of_magnitude(vector: tuple, label: str) -> None:
    assert direction_label(vector) == label
