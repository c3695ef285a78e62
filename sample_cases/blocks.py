"""A small block of lung around one nodule: the quick phantom for measurement tests and benchmarks.

Same nodule renderer and truth as the sample patients (sample_cases.nodules), without the whole
chest: lung at -850 HU, optionally the chest wall beside the nodule (juxtapleural) or a vessel
touching it (juxtavascular), a light in-plane blur (the scanner's point spread) and white noise.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.volume import CTVolume
from sample_cases.anatomy import LUNG_HU, TISSUE_HU, PatientPose, Tube, partial_volume
from sample_cases.nodules import NoduleSpec, NoduleTruth, render_nodule
from sample_cases.phantom import chest_geometry, render_tube

CONTEXTS = ("isolated", "juxtapleural", "juxtavascular")


def make_nodule_block(
    spec: NoduleSpec,
    *,
    slice_mm: float = 1.0,
    pixel_mm: float = 0.7,
    context: str = "isolated",
    vessel_radius_mm: float = 1.2,
    noise_hu: float = 20.0,
    blur_mm: float = 0.4,
    seed: int = 0,
    wall_at_fraction: float = 0.85,
    vessel_direction: tuple[float, float, float] = (0.0, 0.6, 0.8),
    noise_correlation_mm: float = 0.0,
) -> tuple[CTVolume, NoduleTruth]:
    """A lung block centred on the nodule (at the world origin), and the nodule's truth.

    The chest wall (juxtapleural) starts ``wall_at_fraction`` of the nodule's radius from its
    centre, so a small fraction gives a broad pleural base; the vessel (juxtavascular) runs along
    ``vessel_direction`` with its axis 0.4 of its radius outside the nodule's radius. Noise is
    white, or with ``noise_correlation_mm`` in-plane correlated as filtered back projection makes
    it (a Gaussian kernel of that sigma, rescaled to ``noise_hu``).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context {context!r} not one of {CONTEXTS}")
    spec = replace(spec, center_lps_mm=(0.0, 0.0, 0.0))
    half_mm = spec.reach_mm * 1.2 + 14.0
    n_xy, n_z = int(np.ceil(2 * half_mm / pixel_mm)), int(np.ceil(2 * half_mm / slice_mm))
    geometry = chest_geometry((n_z, n_xy, n_xy), (pixel_mm, pixel_mm, slice_mm))
    volume = CTVolume(np.full(geometry.shape_kji, LUNG_HU, np.float32), geometry)
    radius = spec.diameter_mm / 2
    wall_x = wall_at_fraction * radius
    along = np.asarray(vessel_direction, float)
    along = along - along[0] * np.array([1.0, 0.0, 0.0])
    along /= np.linalg.norm(along)
    axis_point = np.array([radius + 0.4 * vessel_radius_mm, 0.0, 0.0])
    vessel = Tube(
        tuple(axis_point - 2 * half_mm * along),
        tuple(axis_point + 2 * half_mm * along),
        vessel_radius_mm,
        vessel_radius_mm,
    )

    def other_tissue(points: NDArray) -> NDArray:
        if context == "juxtapleural":
            return points[..., 0] >= wall_x
        if context == "juxtavascular":
            return vessel.distance_mm(points) < 0
        return np.zeros(points.shape[:-1], dtype=bool)

    if context == "juxtapleural":
        i = np.arange(n_xy, dtype=np.float32)
        x_mm = geometry.index_to_world_lps_mm(np.stack([i, 0 * i, 0 * i], axis=1))[:, 0]
        wall = partial_volume((wall_x - x_mm).astype(np.float32), pixel_mm)
        volume.hu += wall[None, None, :] * (TISSUE_HU - LUNG_HU)
    elif context == "juxtavascular":
        render_tube(volume, vessel, PatientPose(), TISSUE_HU)
    rng = np.random.default_rng(seed)
    truth = render_nodule(volume, spec, rng, exclude=other_tissue)
    sigma = blur_mm / pixel_mm
    volume.hu = ndimage.gaussian_filter(volume.hu, sigma=(0, sigma, sigma))
    noise = rng.standard_normal(volume.hu.shape, dtype=np.float32)
    if noise_correlation_mm > 0:
        sigma_px = noise_correlation_mm / pixel_mm
        noise = ndimage.gaussian_filter(noise, sigma=(0, sigma_px, sigma_px))
        noise /= np.float32(noise.std())
    volume.hu += noise * np.float32(noise_hu)
    return volume, truth
