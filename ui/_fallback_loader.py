"""Stand-in for ``nodule_desk.dicom.load_series`` until the core loader lands: files already in
slice order (as the store returns them), one frame each, geometry from the DICOM plane tags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom

from nodule_desk.errors import DicomFileError
from nodule_desk.progress import CancelToken, Progress
from nodule_desk.volume import CTVolume, VolumeGeometry


def _slice(path: Path) -> tuple[np.ndarray, pydicom.Dataset]:
    try:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array.astype(np.float32)
    except Exception as error:  # noqa: BLE001 - reported with the file's name
        raise DicomFileError(path, str(error)) from error
    hu = pixels * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
    return np.clip(np.rint(hu), -32768, 32767).astype(np.int16), ds


def _geometry(first: pydicom.Dataset, last: pydicom.Dataset, n: int) -> VolumeGeometry:
    orientation = np.array(first.ImageOrientationPatient, float)
    row, col = orientation[:3], orientation[3:]
    p0, p1 = np.array(first.ImagePositionPatient, float), np.array(last.ImagePositionPatient, float)
    normal = np.cross(row, col)
    step = float(np.dot(p1 - p0, normal) / (n - 1)) if n > 1 else float(
        getattr(first, "SliceThickness", 1.0) or 1.0
    )
    if step < 0:
        normal, step = -normal, -step
    direction = np.column_stack([row, col, normal]).ravel()
    spacing_row, spacing_col = (float(v) for v in first.PixelSpacing)
    return VolumeGeometry(
        shape_kji=(n, int(first.Rows), int(first.Columns)),
        spacing_xyz_mm=(spacing_col, spacing_row, step),
        origin_lps_mm=tuple(float(v) for v in p0),  # type: ignore[arg-type]
        direction=tuple(float(v) for v in direction),
    )


def load_series(
    files: list[Path],
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
    on_first_slice: Callable[[CTVolume], None] | None = None,
) -> CTVolume:
    n = len(files)
    first_pixels, first = _slice(Path(files[0]))
    _, last = _slice(Path(files[-1])) if n > 1 else (first_pixels, first)
    geometry = _geometry(first, last, n)
    if on_first_slice is not None:
        one = VolumeGeometry((1, *geometry.shape_kji[1:]), geometry.spacing_xyz_mm,
                             geometry.origin_lps_mm, geometry.direction)
        on_first_slice(CTVolume(first_pixels[None].copy(), one, str(first.SeriesInstanceUID)))
    hu = np.empty(geometry.shape_kji, dtype=np.int16)
    hu[0] = first_pixels
    for k in range(1, n):
        if cancel is not None:
            cancel.raise_if_cancelled()
        hu[k] = _slice(Path(files[k]))[0]
        if progress is not None:
            progress(Progress(k + 1, n, "load"))
    return CTVolume(hu, geometry, str(first.SeriesInstanceUID))
