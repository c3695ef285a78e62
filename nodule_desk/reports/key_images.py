"""Key images for the report: the axial CT slice through a nodule, lung window, nodule outlined."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from nodule_desk.volume import CTVolume

LUNG_WINDOW_HU = (-600.0, 1500.0)
OUTLINE_RGB = (255, 64, 64)


def _windowed(slice_hu: NDArray, center: float, width: float) -> NDArray[np.uint8]:
    low = center - width / 2
    scaled = (slice_hu.astype(np.float32) - low) * (255.0 / width)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _mask_on_slice(volume: CTVolume, mask: CTVolume, k: int) -> NDArray[np.bool_]:
    """The mask's voxels that fall on axial slice k of ``volume``, in that slice's pixels."""
    on_slice = np.zeros(volume.hu.shape[1:], dtype=bool)
    mask_kji = np.argwhere(mask.hu > 0)
    if mask_kji.size == 0:
        return on_slice
    world = mask.geometry.index_to_world_lps_mm(mask_kji[:, ::-1].astype(float))
    ijk = np.rint(volume.geometry.world_lps_mm_to_index(world)).astype(int)
    rows, columns = volume.hu.shape[1:]
    keep = (ijk[:, 2] == k) & (ijk[:, 0] >= 0) & (ijk[:, 0] < columns)
    keep &= (ijk[:, 1] >= 0) & (ijk[:, 1] < rows)
    on_slice[ijk[keep, 1], ijk[keep, 0]] = True
    return on_slice


def render_key_image(
    volume: CTVolume,
    center_lps_mm: tuple[float, float, float],
    out_path: Path,
    mask: CTVolume | None = None,
    field_of_view_mm: float = 60.0,
    size_px: int = 400,
) -> Path:
    """Write a PNG of the axial slice through ``center_lps_mm``, cropped around it, outlined.

    ``mask`` is the nodule's segmentation as a volume of 0/1 with its own geometry (it may be a
    small box around the nodule); its outline on this slice is drawn in red.
    """
    i, j, k = np.rint(volume.geometry.world_lps_mm_to_index(center_lps_mm)).astype(int)
    depth, rows, columns = volume.hu.shape
    k = int(np.clip(k, 0, depth - 1))
    spacing_x, spacing_y, _ = volume.geometry.spacing_xyz_mm
    half_i = int(field_of_view_mm / 2 / spacing_x)
    half_j = int(field_of_view_mm / 2 / spacing_y)
    i0, i1 = max(i - half_i, 0), min(i + half_i + 1, columns)
    j0, j1 = max(j - half_j, 0), min(j + half_j + 1, rows)
    gray = _windowed(volume.hu[k, j0:j1, i0:i1], *LUNG_WINDOW_HU)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    if mask is not None:
        region = _mask_on_slice(volume, mask, k)[j0:j1, i0:i1]
        outline = region & ~ndimage.binary_erosion(region)
        rgb[outline] = OUTLINE_RGB
    image = Image.fromarray(rgb, mode="RGB")
    aspect = (j1 - j0) * spacing_y / max((i1 - i0) * spacing_x, 1e-6)
    image = image.resize((size_px, max(int(size_px * aspect), 1)), Image.Resampling.NEAREST)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    image.save(out_path)
    return out_path
