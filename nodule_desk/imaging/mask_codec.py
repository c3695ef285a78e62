"""A nodule mask on its own small grid, as bytes for the store and back.

The format is a NumPy .npz: the mask bit-packed, its shape, and its geometry (origin, spacing,
direction in world LPS mm), so a mask read back lies exactly where it was drawn.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from nodule_desk.errors import NoduleDeskError
from nodule_desk.volume import CTVolume, VolumeGeometry


def encode_mask(mask: NDArray[np.bool_], geometry: VolumeGeometry) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        bits=np.packbits(mask.astype(bool).ravel()),
        shape_kji=np.asarray(mask.shape, dtype=np.int64),
        spacing_xyz_mm=np.asarray(geometry.spacing_xyz_mm, dtype=float),
        origin_lps_mm=np.asarray(geometry.origin_lps_mm, dtype=float),
        direction=np.asarray(geometry.direction, dtype=float),
    )
    return buffer.getvalue()


def decode_mask(data: bytes) -> CTVolume:
    """The mask as a CTVolume of 0/1 (uint8) with its geometry."""
    try:
        with np.load(io.BytesIO(data)) as saved:
            shape = tuple(int(v) for v in saved["shape_kji"])
            count = int(np.prod(shape))
            mask = np.unpackbits(saved["bits"], count=count).reshape(shape)
            geometry = VolumeGeometry(
                shape_kji=shape,  # type: ignore[arg-type]
                spacing_xyz_mm=tuple(float(v) for v in saved["spacing_xyz_mm"]),  # type: ignore[arg-type]
                origin_lps_mm=tuple(float(v) for v in saved["origin_lps_mm"]),  # type: ignore[arg-type]
                direction=tuple(float(v) for v in saved["direction"]),
            )
    except (OSError, ValueError, KeyError) as error:
        raise NoduleDeskError(f"stored nodule mask cannot be read: {error}") from error
    return CTVolume(hu=mask.astype(np.uint8), geometry=geometry)
