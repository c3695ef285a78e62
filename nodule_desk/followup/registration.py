"""The prior visit's CT registered to the follow-up: one 4×4 matrix in world LPS millimetres.

``followup_world_from_baseline_world`` maps a point of the baseline patient (world LPS mm of the
baseline series) onto the same anatomy in the follow-up series' world LPS mm. The two visits may
differ in Frame of Reference, slice thickness, matrix and pixel type: both are block-averaged onto
a coarse grid of about ``COARSE_GRID_MM`` (what a lung-level registration needs, and fast), and
only the lungs with a margin of surrounding wall drive the metric, so the heart's beat and the
arms' position do not.

Method (SimpleITK): lung masks by threshold and connected components; initial translation from the
lung masks' centres of mass; rigid (Euler 3D) then affine, each multi-resolution with mean squares
on HU; the quality figure is the Dice overlap of the two lung masks after registration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import SimpleITK as sitk
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.errors import NoduleDeskError
from nodule_desk.progress import CancelToken, Progress, ProgressCallback
from nodule_desk.volume import CTVolume

COARSE_GRID_MM = 4.0
SAMPLING_FRACTION = 0.12
"""Of the voxels in the metric region, at random: tens of thousands of points on a 4 mm grid."""
LUNG_THRESHOLD_HU = -500.0
"""Aerated lung is about -850 HU, soft tissue about 0 (DOMAIN.md): -500 splits them."""
LUNG_MARGIN_MM = 9.0
"""The metric also sees this much around the lungs: pleura, ribs and mediastinal borders."""
MIN_LUNG_ML = 150.0
MIN_LUNG_DICE = 0.6
"""Below this overlap of the lung masks the result is refused rather than trusted."""
METHOD = "sitk-rigid-affine-meansquares-v1"


class RegistrationError(NoduleDeskError):
    """The two visits could not be brought onto each other (no lungs found, no overlap)."""


@dataclass(frozen=True)
class VisitRegistration:
    followup_world_from_baseline_world: tuple[tuple[float, ...], ...]
    """4×4, row-major: [follow-up x, y, z, 1] = M @ [baseline x, y, z, 1], LPS mm."""
    lung_dice: float
    """Overlap of the baseline and follow-up lung masks after registration (1 is perfect)."""
    seconds: float
    method: str = METHOD

    @property
    def matrix(self) -> NDArray[np.float64]:
        return np.asarray(self.followup_world_from_baseline_world, dtype=float)

    def to_followup_lps_mm(self, baseline_lps_mm: NDArray | tuple[float, ...]) -> NDArray:
        """Baseline world point(s), shape (3,) or (N, 3), carried into follow-up world mm."""
        points = np.asarray(baseline_lps_mm, dtype=float)
        return points @ self.matrix[:3, :3].T + self.matrix[:3, 3]

    def to_baseline_lps_mm(self, followup_lps_mm: NDArray | tuple[float, ...]) -> NDArray:
        inverse = np.linalg.inv(self.matrix)
        points = np.asarray(followup_lps_mm, dtype=float)
        return points @ inverse[:3, :3].T + inverse[:3, 3]


def coarse_image(volume: CTVolume, grid_mm: float = COARSE_GRID_MM) -> sitk.Image:
    """The volume block-averaged to about ``grid_mm`` voxels, float32 HU."""
    image = volume.to_sitk()
    factors = [max(1, int(round(grid_mm / s))) for s in volume.geometry.spacing_xyz_mm]
    return sitk.Cast(sitk.BinShrink(image, factors), sitk.sitkFloat32)


def lung_mask(image: sitk.Image) -> sitk.Image:
    """Both lungs on a coarse image: air below LUNG_THRESHOLD_HU that does not reach the image's
    in-plane border (the air around the body does), components larger than MIN_LUNG_ML."""
    hu = sitk.GetArrayViewFromImage(image)
    air = hu < LUNG_THRESHOLD_HU
    labels, n = ndimage.label(air)
    border = np.zeros(n + 1, dtype=bool)
    for face in (labels[:, 0, :], labels[:, -1, :], labels[:, :, 0], labels[:, :, -1]):
        border[np.unique(face)] = True
    voxel_ml = float(np.prod(image.GetSpacing())) / 1000.0
    sizes = np.bincount(labels.ravel(), minlength=n + 1) * voxel_ml
    keep = (~border) & (sizes >= MIN_LUNG_ML)
    keep[0] = False
    mask = keep[labels]
    if not mask.any():
        raise RegistrationError("no lungs found (no large air region inside the body)")
    result = sitk.GetImageFromArray(mask.astype(np.uint8))
    result.CopyInformation(image)
    return result


def _metric_region(lungs: sitk.Image) -> sitk.Image:
    radius = [max(1, int(round(LUNG_MARGIN_MM / s))) for s in lungs.GetSpacing()]
    return sitk.BinaryDilate(lungs, radius)


def _registration_method(mask: sitk.Image, seed: int) -> sitk.ImageRegistrationMethod:
    method = sitk.ImageRegistrationMethod()
    method.SetMetricAsMeanSquares()
    method.SetMetricFixedMask(mask)
    method.SetMetricSamplingStrategy(method.RANDOM)
    method.SetMetricSamplingPercentage(SAMPLING_FRACTION, seed)
    method.SetInterpolator(sitk.sitkLinear)
    method.SetOptimizerAsRegularStepGradientDescent(
        learningRate=2.0, minStep=0.02, numberOfIterations=60, relaxationFactor=0.5
    )
    method.SetOptimizerScalesFromPhysicalShift()
    method.SetShrinkFactorsPerLevel([2, 1])
    method.SetSmoothingSigmasPerLevel([2.0, 0.0])
    method.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    return method


def _affine_from(euler: sitk.Euler3DTransform) -> sitk.AffineTransform:
    affine = sitk.AffineTransform(3)
    affine.SetMatrix(euler.GetMatrix())
    affine.SetCenter(euler.GetCenter())
    affine.SetTranslation(euler.GetTranslation())
    return affine


def _matrix_of(affine: sitk.AffineTransform) -> NDArray[np.float64]:
    """y = A (x - c) + c + t  as a 4×4 matrix."""
    a = np.asarray(affine.GetMatrix(), dtype=float).reshape(3, 3)
    c = np.asarray(affine.GetCenter(), dtype=float)
    t = np.asarray(affine.GetTranslation(), dtype=float)
    matrix = np.eye(4)
    matrix[:3, :3] = a
    matrix[:3, 3] = t + c - a @ c
    return matrix


def _dice(fixed_lungs: sitk.Image, moving_lungs: sitk.Image, transform: sitk.Transform) -> float:
    carried = sitk.Resample(moving_lungs, fixed_lungs, transform, sitk.sitkNearestNeighbor, 0)
    a = sitk.GetArrayViewFromImage(fixed_lungs).astype(bool)
    b = sitk.GetArrayViewFromImage(carried).astype(bool)
    total = int(a.sum()) + int(b.sum())
    return 2.0 * int((a & b).sum()) / total if total else 0.0


def register_visits(
    baseline: CTVolume,
    followup: CTVolume,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    seed: int = 1,
) -> VisitRegistration:
    """Register the baseline CT to the follow-up CT (lungs only); RegistrationError when the lungs
    cannot be found or do not overlap after registration. Deterministic for a given ``seed``."""
    started = time.perf_counter()
    report = progress or (lambda _p: None)
    stages = 4
    report(Progress(0, stages, "coarse grid and lung masks"))
    fixed, moving = coarse_image(baseline), coarse_image(followup)
    fixed_lungs, moving_lungs = lung_mask(fixed), lung_mask(moving)
    fixed_hu = sitk.Clamp(fixed, lowerBound=-1000.0, upperBound=300.0)
    moving_hu = sitk.Clamp(moving, lowerBound=-1000.0, upperBound=300.0)
    region = _metric_region(fixed_lungs)
    if cancel:
        cancel.raise_if_cancelled()

    report(Progress(1, stages, "rigid"))
    euler = sitk.Euler3DTransform(
        sitk.CenteredTransformInitializer(
            fixed_lungs,
            moving_lungs,
            sitk.Euler3DTransform(),
            sitk.CenteredTransformInitializerFilter.MOMENTS,
        )
    )
    rigid = _registration_method(region, seed)
    rigid.SetInitialTransform(euler, inPlace=True)
    rigid.Execute(fixed_hu, moving_hu)
    if cancel:
        cancel.raise_if_cancelled()

    report(Progress(2, stages, "affine"))
    affine = _affine_from(euler)
    refine = _registration_method(region, seed)
    refine.SetOptimizerAsRegularStepGradientDescent(
        learningRate=1.0, minStep=0.01, numberOfIterations=40, relaxationFactor=0.5
    )
    refine.SetOptimizerScalesFromPhysicalShift()
    refine.SetShrinkFactorsPerLevel([1])
    refine.SetSmoothingSigmasPerLevel([0.0])
    refine.SetInitialTransform(affine, inPlace=True)
    refine.Execute(fixed_hu, moving_hu)

    report(Progress(3, stages, "quality"))
    dice = _dice(fixed_lungs, moving_lungs, affine)
    if dice < MIN_LUNG_DICE:
        raise RegistrationError(
            f"the lungs of the two visits overlap only {dice:.2f} after registration "
            f"(at least {MIN_LUNG_DICE} expected): check that both series are chest CTs of the "
            "same patient"
        )
    matrix = _matrix_of(affine)
    report(Progress(stages, stages, "done"))
    return VisitRegistration(
        followup_world_from_baseline_world=tuple(tuple(float(v) for v in row) for row in matrix),
        lung_dice=round(dice, 4),
        seconds=round(time.perf_counter() - started, 3),
    )
