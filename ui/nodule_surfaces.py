"""Nodule surfaces for the 3D view: a binary mask with its own geometry becomes a smooth mesh in
world LPS mm, coloured per nodule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkCommonTransforms import vtkTransform
from vtkmodules.vtkFiltersCore import (
    vtkFlyingEdges3D,
    vtkPolyDataNormals,
    vtkWindowedSincPolyDataFilter,
)
from vtkmodules.vtkFiltersGeneral import vtkTransformFilter
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

from nodule_desk.volume import VolumeGeometry

_SMOOTHING_ITERATIONS = 20
_SMOOTHING_PASS_BAND = 0.1


@dataclass(frozen=True)
class NoduleSurface:
    """One nodule's mask (``mask[k, j, i]`` non-zero inside) on its own grid, and its colour."""

    nodule_id: str
    mask: NDArray[np.generic]
    geometry: VolumeGeometry
    rgb: tuple[float, float, float] = (1.0, 0.85, 0.2)
    """Red, green, blue in 0..1."""
    centre_lps_mm: tuple[float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        if tuple(self.mask.shape) != tuple(self.geometry.shape_kji):
            raise ValueError(
                f"nodule {self.nodule_id}: mask shape {self.mask.shape} "
                f"!= geometry {self.geometry.shape_kji}"
            )
        if any(not 0.0 <= c <= 1.0 for c in self.rgb):
            raise ValueError(f"nodule {self.nodule_id}: rgb {self.rgb} is not in 0..1")
        object.__setattr__(self, "centre_lps_mm", _centre_lps_mm(self.mask, self.geometry))

    @classmethod
    def from_tuple(cls, item: Sequence[object]) -> NoduleSurface:
        """(nodule_id, mask volume with ``.hu`` or ``.mask`` and ``.geometry``, rgb)."""
        nodule_id, volume, rgb = item
        mask = getattr(volume, "mask", None)
        if mask is None:
            mask = volume.hu  # type: ignore[attr-defined]
        return cls(str(nodule_id), np.asarray(mask), volume.geometry, tuple(rgb))  # type: ignore


def _centre_lps_mm(mask: NDArray[np.generic], geometry: VolumeGeometry) -> tuple[float, ...]:
    kji = np.argwhere(mask)
    if kji.size == 0:
        return tuple(float("nan") for _ in range(3))
    centre_ijk = kji.mean(axis=0)[::-1]
    return tuple(float(v) for v in geometry.index_to_world_lps_mm(centre_ijk))


def build_surface_actor(surface: NoduleSurface) -> vtkActor | None:
    """A smoothed iso-surface of the mask in world LPS mm, or None for an empty mask."""
    if not np.any(surface.mask):
        return None
    padded = np.pad((surface.mask != 0).astype(np.uint8), 1)
    image = vtkImageData()
    image.SetDimensions(*padded.shape[::-1])
    image.GetPointData().SetScalars(numpy_to_vtk(padded.reshape(-1), deep=True))

    contour = vtkFlyingEdges3D()
    contour.SetInputData(image)
    contour.SetValue(0, 0.5)
    smoother = vtkWindowedSincPolyDataFilter()
    smoother.SetInputConnection(contour.GetOutputPort())
    smoother.SetNumberOfIterations(_SMOOTHING_ITERATIONS)
    smoother.SetPassBand(_SMOOTHING_PASS_BAND)
    smoother.NormalizeCoordinatesOn()
    smoother.BoundarySmoothingOff()
    smoother.FeatureEdgeSmoothingOff()
    # The mesh is made in padded voxel indices and placed afterwards: this does not depend on
    # whether a filter honours vtkImageData's direction matrix.
    to_world = vtkTransformFilter()
    to_world.SetInputConnection(smoother.GetOutputPort())
    to_world.SetTransform(_padded_index_to_world(surface.geometry))
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(to_world.GetOutputPort())
    normals.ConsistencyOn()
    normals.AutoOrientNormalsOn()
    normals.SplittingOff()
    normals.Update()

    mapper = vtkPolyDataMapper()
    mapper.SetInputData(normals.GetOutput())
    mapper.ScalarVisibilityOff()
    actor = vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetColor(*surface.rgb)
    prop.SetAmbient(0.25)
    prop.SetDiffuse(0.75)
    prop.SetSpecular(0.2)
    prop.SetSpecularPower(20.0)
    return actor


def _padded_index_to_world(geometry: VolumeGeometry) -> vtkTransform:
    """Index (i, j, k) of the one-voxel padded mask to world LPS mm."""
    linear = geometry.direction_matrix * np.asarray(geometry.spacing_xyz_mm)
    offset = geometry.index_to_world_lps_mm([-1.0, -1.0, -1.0])
    matrix = vtkMatrix4x4()
    for row in range(3):
        for column in range(3):
            matrix.SetElement(row, column, float(linear[row, column]))
        matrix.SetElement(row, 3, float(offset[row]))
    transform = vtkTransform()
    transform.SetMatrix(matrix)
    return transform
