"""A CT volume in DICOM patient coordinates (LPS, millimetres): the one place physical truth lives.

The voxel array is indexed ``hu[k, j, i]`` (slice, row, column), as SimpleITK's
``GetArrayFromImage`` returns it. The world position of voxel centre (i, j, k) is

    world_lps_mm = origin_lps_mm + direction @ (spacing_xyz_mm * (i, j, k))

where the columns of ``direction`` are the unit vectors of the column (i), row (j) and slice (k)
axes in LPS: the first two are ImageOrientationPatient, the third the slice normal in the order the
slices are stacked. Voxel indices never leave the module that made them: every position that crosses
a boundary is a world LPS point in mm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import SimpleITK as sitk


@dataclass(frozen=True)
class VolumeGeometry:
    shape_kji: tuple[int, int, int]
    spacing_xyz_mm: tuple[float, float, float]
    origin_lps_mm: tuple[float, float, float]
    direction: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    """Row-major 3x3 matrix whose columns are the i, j, k axes in LPS (SimpleITK's GetDirection)."""

    @property
    def direction_matrix(self) -> NDArray[np.float64]:
        return np.asarray(self.direction, dtype=float).reshape(3, 3)

    @property
    def slice_normal(self) -> NDArray[np.float64]:
        return self.direction_matrix[:, 2]

    def index_to_world_lps_mm(self, index_ijk: ArrayLike) -> NDArray[np.float64]:
        """Continuous voxel index (i, j, k), or an (N, 3) array of them, to world LPS mm."""
        ijk = np.asarray(index_ijk, dtype=float)
        scaled = ijk * np.asarray(self.spacing_xyz_mm)
        return np.asarray(self.origin_lps_mm) + scaled @ self.direction_matrix.T

    def world_lps_mm_to_index(self, world_lps_mm: ArrayLike) -> NDArray[np.float64]:
        """World LPS mm, or an (N, 3) array of points, to continuous voxel index (i, j, k)."""
        offset = np.asarray(world_lps_mm, dtype=float) - np.asarray(self.origin_lps_mm)
        return (offset @ np.linalg.inv(self.direction_matrix).T) / np.asarray(self.spacing_xyz_mm)

    def contains_world_lps_mm(self, world_lps_mm: ArrayLike) -> bool:
        ijk = np.rint(self.world_lps_mm_to_index(world_lps_mm))
        size_ijk = np.asarray(self.shape_kji[::-1])
        return bool(np.all(ijk >= 0) and np.all(ijk < size_ijk))

    @property
    def voxel_volume_mm3(self) -> float:
        return float(np.prod(self.spacing_xyz_mm))

    @classmethod
    def from_sitk(cls, image: sitk.Image) -> VolumeGeometry:
        size_ijk = image.GetSize()
        return cls(
            shape_kji=(int(size_ijk[2]), int(size_ijk[1]), int(size_ijk[0])),
            spacing_xyz_mm=tuple(float(s) for s in image.GetSpacing()),  # type: ignore[arg-type]
            origin_lps_mm=tuple(float(o) for o in image.GetOrigin()),  # type: ignore[arg-type]
            direction=tuple(float(d) for d in image.GetDirection()),
        )


@dataclass
class CTVolume:
    """Hounsfield units on a regular grid, with where the grid lies in the patient."""

    hu: NDArray[np.int16] | NDArray[np.float32]
    geometry: VolumeGeometry
    series_uid: str = ""
    metadata: dict[str, object] = field(default_factory=dict)
    """Patient, study and acquisition attributes the loader read (patient_id, study_date, ...)."""

    def __post_init__(self) -> None:
        if tuple(self.hu.shape) != tuple(self.geometry.shape_kji):
            raise ValueError(f"array shape {self.hu.shape} != geometry {self.geometry.shape_kji}")

    def to_sitk(self) -> sitk.Image:
        import SimpleITK as sitk

        image = sitk.GetImageFromArray(self.hu)
        image.SetSpacing(self.geometry.spacing_xyz_mm)
        image.SetOrigin(self.geometry.origin_lps_mm)
        image.SetDirection(self.geometry.direction)
        return image

    @classmethod
    def from_sitk(cls, image: sitk.Image, series_uid: str = "") -> CTVolume:
        import SimpleITK as sitk

        return cls(
            hu=sitk.GetArrayFromImage(image),
            geometry=VolumeGeometry.from_sitk(image),
            series_uid=series_uid,
        )
