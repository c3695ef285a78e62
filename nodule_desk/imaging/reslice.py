"""Axial, coronal and sagittal planes of a CTVolume in display orientation, without interpolation.

Display follows the radiological convention (IHE / DICOM PS3.3 C.7.6.2.1.1 patient orientation):
the patient's right is on the screen's left on axial and coronal images, anterior is up on axial,
superior is up on coronal and sagittal, anterior is on the left of sagittal images.

Each voxel axis (i, j, k) is matched to the anatomical axis (LPS x, y, z) it lies nearest to, so a
flipped or permuted volume is shown the right way round by strided numpy views alone, and an oblique
volume is shown along its own axes; the side labels come from where its axes really point.

Display coordinates are (column, row, slice): column and row index the 2D image as drawn, slice
indexes planes along the viewing direction in voxel order. They stay inside the UI; positions that
leave it are world LPS mm.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nodule_desk.volume import CTVolume, VolumeGeometry

_LABELS_POSITIVE = ("L", "P", "S")
_LABELS_NEGATIVE = ("R", "A", "I")


class Orientation(str, Enum):
    AXIAL = "axial"
    CORONAL = "coronal"
    SAGITTAL = "sagittal"


# (LPS axis along screen columns, its sign to the right; LPS axis along rows, its sign downwards;
#  LPS axis of the viewing direction)
_PLANES: dict[Orientation, tuple[int, int, int, int, int]] = {
    Orientation.AXIAL: (0, +1, 1, +1, 2),
    Orientation.CORONAL: (0, +1, 2, -1, 1),
    Orientation.SAGITTAL: (1, +1, 2, -1, 0),
}


def nearest_anatomical_axes(direction: NDArray[np.float64]) -> tuple[list[int], list[int]]:
    """For each LPS axis, the voxel axis (0=i, 1=j, 2=k) nearest to it and the sign between them."""
    weights = np.abs(direction)
    voxel_axis_of_lps = [-1, -1, -1]
    taken: set[int] = set()
    for flat in np.argsort(-weights, axis=None):
        lps, voxel = divmod(int(flat), 3)
        if voxel_axis_of_lps[lps] < 0 and voxel not in taken:
            voxel_axis_of_lps[lps] = voxel
            taken.add(voxel)
    signs = [1 if direction[lps, v] >= 0 else -1 for lps, v in enumerate(voxel_axis_of_lps)]
    return voxel_axis_of_lps, signs


OBLIQUE_LETTER_MIN = float(np.sin(np.deg2rad(15.0)))
"""A second (third) letter is shown when the direction leans at least 15 degrees that way."""


def direction_label(vector_lps: ArrayLike) -> str:
    """Anatomical letters of a direction in LPS, in order of decreasing magnitude ("LA" for left
    and somewhat anterior), as DICOM writes Patient Orientation (PS3.3 C.7.6.1.1.1)."""
    v = np.asarray(vector_lps, dtype=float)
    v = v / np.linalg.norm(v)
    order = np.argsort(-np.abs(v), kind="stable")
    letters = [
        _LABELS_POSITIVE[axis] if v[axis] >= 0 else _LABELS_NEGATIVE[axis]
        for n, axis in enumerate(order)
        if n == 0 or abs(v[axis]) >= OBLIQUE_LETTER_MIN
    ]
    return "".join(letters)


@dataclass(frozen=True)
class PlaneLabels:
    left: str
    right: str
    top: str
    bottom: str


class PlaneGeometry:
    """One display orientation of one volume geometry: index maps between display and world."""

    def __init__(self, geometry: VolumeGeometry, orientation: Orientation) -> None:
        self.geometry = geometry
        self.orientation = Orientation(orientation)
        col_lps, col_sign, row_lps, row_sign, normal_lps = _PLANES[self.orientation]
        voxel_axis, signs = nearest_anatomical_axes(geometry.direction_matrix)
        self.col_axis = voxel_axis[col_lps]
        self.row_axis = voxel_axis[row_lps]
        self.slice_axis = voxel_axis[normal_lps]
        self.col_flipped = signs[col_lps] * col_sign < 0
        self.row_flipped = signs[row_lps] * row_sign < 0
        self.normal_lps_axis = normal_lps
        size_ijk = geometry.shape_kji[::-1]
        self.n_cols = int(size_ijk[self.col_axis])
        self.n_rows = int(size_ijk[self.row_axis])
        self.n_slices = int(size_ijk[self.slice_axis])
        spacing = geometry.spacing_xyz_mm
        self.col_spacing_mm = float(spacing[self.col_axis])
        self.row_spacing_mm = float(spacing[self.row_axis])
        self.slice_spacing_mm = float(spacing[self.slice_axis])

    def oriented(self, hu: NDArray[np.generic]) -> NDArray[np.generic]:
        """A view of ``hu[k, j, i]`` indexed [slice, row, column] in display orientation."""
        array_axis = {0: 2, 1: 1, 2: 0}
        view = np.transpose(
            hu, (array_axis[self.slice_axis], array_axis[self.row_axis], array_axis[self.col_axis])
        )
        if self.row_flipped:
            view = view[:, ::-1, :]
        if self.col_flipped:
            view = view[:, :, ::-1]
        return view

    def display_to_index(self, display_crs: ArrayLike) -> NDArray[np.float64]:
        """Continuous display (column, row, slice), or (N, 3) of them, to voxel index (i, j, k)."""
        crs = np.asarray(display_crs, dtype=float)
        col = (self.n_cols - 1 - crs[..., 0]) if self.col_flipped else crs[..., 0]
        row = (self.n_rows - 1 - crs[..., 1]) if self.row_flipped else crs[..., 1]
        ijk = np.empty(crs.shape, dtype=float)
        ijk[..., self.col_axis] = col
        ijk[..., self.row_axis] = row
        ijk[..., self.slice_axis] = crs[..., 2]
        return ijk

    def index_to_display(self, index_ijk: ArrayLike) -> NDArray[np.float64]:
        ijk = np.asarray(index_ijk, dtype=float)
        crs = np.empty(ijk.shape, dtype=float)
        col, row = ijk[..., self.col_axis], ijk[..., self.row_axis]
        crs[..., 0] = (self.n_cols - 1 - col) if self.col_flipped else col
        crs[..., 1] = (self.n_rows - 1 - row) if self.row_flipped else row
        crs[..., 2] = ijk[..., self.slice_axis]
        return crs

    def display_to_world_lps_mm(self, display_crs: ArrayLike) -> NDArray[np.float64]:
        return self.geometry.index_to_world_lps_mm(self.display_to_index(display_crs))

    def world_lps_mm_to_display(self, world_lps_mm: ArrayLike) -> NDArray[np.float64]:
        return self.index_to_display(self.geometry.world_lps_mm_to_index(world_lps_mm))

    def slice_of_world(self, world_lps_mm: ArrayLike) -> int:
        """The nearest slice to a world point, clamped to the volume."""
        s = float(self.world_lps_mm_to_display(world_lps_mm)[2])
        return int(np.clip(np.rint(s), 0, self.n_slices - 1))

    def labels(self) -> PlaneLabels:
        """Letters for the four screen sides, from where the volume's axes really point."""
        d = self.geometry.direction_matrix
        right = d[:, self.col_axis] * (-1 if self.col_flipped else 1)
        down = d[:, self.row_axis] * (-1 if self.row_flipped else 1)
        return PlaneLabels(
            left=direction_label(-right),
            right=direction_label(right),
            top=direction_label(-down),
            bottom=direction_label(down),
        )


class VolumeReslicer:
    """The three display planes of one volume, sharing its voxel array (no copy)."""

    def __init__(self, volume: CTVolume) -> None:
        self.volume = volume
        hu = volume.hu
        if hu.dtype != np.int16:
            hu = np.clip(np.rint(hu), -32768, 32767).astype(np.int16)
        self.hu: NDArray[np.int16] = hu
        self.planes = {o: PlaneGeometry(volume.geometry, o) for o in Orientation}
        self._views = {o: p.oriented(self.hu) for o, p in self.planes.items()}

    def plane(self, orientation: Orientation) -> PlaneGeometry:
        return self.planes[Orientation(orientation)]

    def slice_hu(self, orientation: Orientation, slice_index: int) -> NDArray[np.int16]:
        """One plane in display orientation: a strided view, not a copy."""
        view = self._views[Orientation(orientation)]
        return view[int(np.clip(slice_index, 0, view.shape[0] - 1))]

    def slab_range(self, orientation: Orientation, slice_index: int, thickness_mm: float) -> range:
        """Slices a slab of ``thickness_mm`` centred on ``slice_index`` covers (at least one)."""
        plane = self.plane(orientation)
        count = max(1, int(round(thickness_mm / plane.slice_spacing_mm)))
        first = int(slice_index) - (count - 1) // 2
        first = int(np.clip(first, 0, plane.n_slices - 1))
        last = int(np.clip(first + count, 1, plane.n_slices))
        return range(first, last)

    def slab_stack(
        self, orientation: Orientation, slice_index: int, thickness_mm: float
    ) -> NDArray[np.int16]:
        covered = self.slab_range(orientation, slice_index, thickness_mm)
        return self._views[Orientation(orientation)][covered.start : covered.stop]
