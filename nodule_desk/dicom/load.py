"""Loading a CT series into a CTVolume: HU on a regular grid in world LPS mm.

Each file is read once. Uncompressed pixel data is taken straight from the file's bytes with numpy
(pydicom parses only the header, up to the Pixel Data element); compressed transfer syntaxes and
Enhanced CT frames go through pydicom's decoders (pylibjpeg, pyjpegls). Slices are written into one
preallocated int16 array, so peak memory stays near the volume's own size.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.uid import UID, ExplicitVRBigEndian

from nodule_desk.dicom.headers import (
    NotDicom,
    SliceHeader,
    UnusableFile,
    check_image,
    decode_all,
    read_header,
    rescale_of,
    short_reason,
    slice_headers,
)
from nodule_desk.dicom.records import SeriesRecord
from nodule_desk.dicom.scan import (
    DUPLICATE_TOLERANCE_MM,
    TILT_TOLERANCE_DEGREES,
    check_spacing,
    iso_date,
    scan_paths,
    sort_along_normal,
)
from nodule_desk.errors import DicomFileError, SeriesError
from nodule_desk.imaging.slice_gaps import INTERPOLATED_KEY, interpolated_slot_indices
from nodule_desk.progress import CancelToken, Progress, ProgressCallback
from nodule_desk.volume import CTVolume, VolumeGeometry

AIR_HU = -1024
MAX_GAP_SLICES = 20
MAX_GAP_MM = 50.0
"""A step between slices beyond both of these is not a missing slice but a foreign one."""
PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"
FirstSliceCallback = Callable[[CTVolume], None]


@dataclass
class _Slice:
    position_lps_mm: NDArray[np.float64]
    hu: NDArray[np.int16]
    header: SliceHeader


def _to_hu(
    stored: NDArray, dataset: Dataset, frame: int | None, out: NDArray[np.int16] | None = None
) -> NDArray[np.int16]:
    """Stored values to HU (RescaleSlope/Intercept), written into ``out`` when given.

    The common case (slope 1, integer intercept, no overflow possible) is one pass straight into
    the volume's memory; anything else goes through a wider type and is clipped to int16.
    """
    slope, intercept = rescale_of(dataset, frame)
    padding = dataset.get("PixelPaddingValue")
    if out is None:
        out = np.empty(stored.shape, dtype=np.int16)
    integer_rescale = slope == 1.0 and float(intercept).is_integer()
    if integer_rescale and _fits_int16(stored, int(intercept)):
        np.add(stored, np.int32(intercept), out=out, casting="unsafe")
    elif integer_rescale:
        np.clip(stored.astype(np.int32) + int(intercept), -32768, 32767, out=out, casting="unsafe")
    else:
        scaled = np.rint(stored.astype(np.float32) * slope + intercept)
        np.clip(scaled, -32768, 32767, out=out, casting="unsafe")
    if padding is not None:
        out[stored == padding] = AIR_HU
    return out


def _fits_int16(stored: NDArray, intercept: int) -> bool:
    """Whether stored + intercept stays in int16, scanning only the side that can overflow."""
    if stored.dtype.kind not in "iu":
        return False
    info = np.iinfo(stored.dtype)
    if info.min + intercept < -32768 and int(stored.min()) + intercept < -32768:
        return False
    return not (info.max + intercept > 32767 and int(stored.max()) + intercept > 32767)


def _raw_pixels(raw: bytes, offset: int, dataset: Dataset) -> NDArray | None:
    """The uncompressed 16-bit image at ``offset``, without copying; None to use pydicom."""
    syntax = UID(dataset.file_meta.get("TransferSyntaxUID", "1.2.840.10008.1.2"))
    if syntax.is_compressed or syntax.is_deflated or int(dataset.get("BitsAllocated", 0)) != 16:
        return None
    signed = int(dataset.get("PixelRepresentation", 0)) == 1
    bits_stored = int(dataset.get("BitsStored", 16))
    if signed and bits_stored != 16:
        return None
    if raw[offset : offset + 4] != PIXEL_DATA_TAG:
        return None
    header = 8 if syntax.is_implicit_VR else 12
    length = int.from_bytes(raw[offset + header - 4 : offset + header], "little")
    rows, columns = int(dataset.Rows), int(dataset.Columns)
    if length != rows * columns * 2 or len(raw) < offset + header + length:
        return None
    byte_order = ">" if syntax == ExplicitVRBigEndian else "<"
    dtype = np.dtype(f"{byte_order}{'i2' if signed else 'u2'}")
    pixels = np.frombuffer(raw, dtype=dtype, count=rows * columns, offset=offset + header)
    if not signed and bits_stored < 16:
        pixels = pixels & ((1 << bits_stored) - 1)
    return pixels.reshape(rows, columns)


def read_slice(path: Path, out: NDArray[np.int16] | None = None) -> _Slice:
    """One single-frame CT file to HU (into ``out`` if given), with its position.

    The header is checked as the scan checks it (check_image, slice geometry) before a pixel is
    read, so a file that changed or was broken since the scan cannot make the loader allocate
    what the file does not hold. Raises DicomFileError naming the file."""
    try:
        raw = path.read_bytes()
        handle = io.BytesIO(raw)
        dataset = pydicom.dcmread(handle, stop_before_pixels=True)
        offset = handle.tell()
        decode_all(dataset)
        check_image(dataset, offset, len(raw), raw[offset : offset + 12])
        header = slice_headers(path, dataset)[0]
        pixels = _raw_pixels(raw, offset, dataset)
        if pixels is None:
            pixels = pydicom.dcmread(io.BytesIO(raw)).pixel_array
        if pixels.shape != (int(dataset.Rows), int(dataset.Columns)):
            raise DicomFileError(path, f"image of shape {pixels.shape} is not one CT slice")
        if out is not None and out.shape != pixels.shape:
            raise DicomFileError(
                path, f"image size {pixels.shape} differs from the series' {out.shape}"
            )
        return _Slice(header.position_lps_mm, _to_hu(pixels, dataset, None, out), header)
    except DicomFileError:
        raise
    except UnusableFile as error:
        raise DicomFileError(path, str(error)) from error
    except Exception as error:  # pydicom and the decoders raise many types for a broken file
        raise DicomFileError(path, f"cannot read the image: {short_reason(error)}") from error


def _same_plane(first: SliceHeader, other: SliceHeader) -> str | None:
    """Why ``other`` cannot be a slice of the stack ``first`` starts, or None."""
    if not (
        np.allclose(first.row_cosines, other.row_cosines, atol=1e-3)
        and np.allclose(first.column_cosines, other.column_cosines, atol=1e-3)
    ):
        return "its ImageOrientationPatient differs from the series' first slice"
    if not np.allclose(first.pixel_spacing_mm, other.pixel_spacing_mm, rtol=1e-3):
        return (
            f"its PixelSpacing {other.pixel_spacing_mm} differs from the series' "
            f"{first.pixel_spacing_mm}"
        )
    return None


def _geometry(
    positions: NDArray,
    first_header_cosines: tuple[NDArray, NDArray],
    pixel_spacing_mm: tuple[float, float],
    n_slices: int,
) -> VolumeGeometry:
    row_cosines, column_cosines = first_header_cosines
    normal = np.cross(row_cosines, column_cosines)
    if n_slices > 1:
        extent = positions[-1] - positions[0]
        step = float(np.median(np.linalg.norm(np.diff(positions, axis=0), axis=1)))
        k_axis = extent / np.linalg.norm(extent)
        tilt = np.degrees(np.arccos(min(1.0, abs(float(np.dot(k_axis, normal))))))
        if tilt <= TILT_TOLERANCE_DEGREES:
            k_axis = normal * np.sign(np.dot(extent, normal))
    else:
        step, k_axis = 1.0, normal
    direction = np.column_stack([row_cosines, column_cosines, k_axis])
    return VolumeGeometry(
        shape_kji=(0, 0, 0),
        spacing_xyz_mm=(pixel_spacing_mm[1], pixel_spacing_mm[0], step),
        origin_lps_mm=tuple(float(v) for v in positions[0]),  # type: ignore[arg-type]
        direction=tuple(float(v) for v in direction.ravel()),
    )


def _fill_gaps(hu: NDArray[np.int16], along_mm: NDArray, spacing_mm: float) -> tuple[NDArray, int]:
    """Place slices at their positions on a regular grid, interpolating missing ones."""
    slots = np.rint((along_mm - along_mm[0]) / spacing_mm).astype(int)
    if slots[-1] == len(slots) - 1:
        return hu, 0
    regular = np.empty((slots[-1] + 1, *hu.shape[1:]), dtype=np.int16)
    for index in range(len(slots) - 1):
        start, stop = slots[index], slots[index + 1]
        for slot in range(start, stop):
            weight = (slot - start) / (stop - start)
            regular[slot] = np.rint((1 - weight) * hu[index] + weight * hu[index + 1])
    regular[slots[-1]] = hu[-1]
    return regular, int(slots[-1] + 1 - len(slots))


def _multiframe_volume(record: SeriesRecord) -> tuple[NDArray[np.int16], list, Dataset]:
    path = record.files[0]
    try:
        dataset = pydicom.dcmread(path)
        frames = dataset.pixel_array.reshape(-1, int(dataset.Rows), int(dataset.Columns))
    except Exception as error:  # decoders raise many types for a broken file
        raise DicomFileError(path, f"cannot read the frames: {error}") from error
    headers, _ = sort_along_normal(slice_headers(path, dataset))
    hu = np.stack([_to_hu(frames[h.frame_index], dataset, h.frame_index) for h in headers])
    return hu, headers, dataset


def _pick_record(source: SeriesRecord | Sequence[Path]) -> SeriesRecord:
    """The record to load. Files asked for by name (a stored series, in slice order) are loaded
    as they are, without a scan first, so the first image shows at once; every one must be
    usable: a broken file is an error naming it, not a silent gap. A folder, by contrast, is
    loaded with load_series_dir."""
    if isinstance(source, SeriesRecord):
        return source
    files = [Path(p) for p in source]
    if len(files) == 1:
        scan = scan_paths(files)
        if scan.problems:
            raise DicomFileError(scan.problems[0].path, scan.problems[0].error)
        if not scan.series:
            raise SeriesError("", f"{files[0]} is not a CT series")
        return scan.series[0]
    if not files:
        raise SeriesError("", "no files to load")
    try:
        first, _ = read_header(files[0])
    except (NotDicom, UnusableFile) as error:
        raise DicomFileError(files[0], str(error) or "not a DICOM file") from error
    return SeriesRecord(
        series_uid=str(first.get("SeriesInstanceUID", "")),
        study_uid=str(first.get("StudyInstanceUID", "")),
        patient_id=str(first.get("PatientID", "")),
        files=files,
        frame_of_reference_uid=str(first.get("FrameOfReferenceUID", "")),
        patient_name=str(first.get("PatientName", "")),
        study_date=iso_date(first.get("StudyDate")),
        n_slices=len(files),
    )


def load_series(
    source: SeriesRecord | Sequence[Path],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_first_slice: FirstSliceCallback | None = None,
    workers: int | Executor | None = None,
) -> CTVolume:
    """Load a series (a scan record, or its files) as HU in world LPS mm.

    ``on_first_slice`` gets a one-slice volume as soon as the first image is decoded, so a viewer
    can show it before the rest is read. ``workers`` is a thread count or an executor.
    """
    record = _pick_record(source)
    if record.multiframe:
        hu, headers, _ = _multiframe_volume(record)
        positions = np.array([h.position_lps_mm for h in headers])
        first = headers[0]
    else:
        hu, positions, first = _read_slices(record, progress, cancel, on_first_slice, workers)
    geometry = _geometry(
        positions, (first.row_cosines, first.column_cosines), first.pixel_spacing_mm, len(positions)
    )
    warnings = list(record.warnings) or check_spacing(positions, geometry.direction_matrix[:, 2])
    if len(positions) > 1:
        along = (positions - positions[0]) @ geometry.direction_matrix[:, 2]
        hu, filled = _fill_gaps(hu, along, geometry.spacing_xyz_mm[2])
        if filled:
            warnings.append(f"{filled} missing slice(s) filled by interpolation")
            interpolated = interpolated_slot_indices(along, geometry.spacing_xyz_mm[2])
    geometry = VolumeGeometry(
        hu.shape,
        geometry.spacing_xyz_mm,
        geometry.origin_lps_mm,  # type: ignore[arg-type]
        geometry.direction,
    )
    metadata = _metadata(record, warnings)
    if len(positions) > 1 and filled:
        metadata[INTERPOLATED_KEY] = interpolated
    return CTVolume(hu=hu, geometry=geometry, series_uid=record.series_uid, metadata=metadata)


def _metadata(record: SeriesRecord, warnings: list[str]) -> dict[str, object]:
    return {
        "patient_id": record.patient_id,
        "patient_name": record.patient_name,
        "study_uid": record.study_uid,
        "study_date": record.study_date,
        "series_uid": record.series_uid,
        "stack_key": record.stack_key,
        "frame_of_reference_uid": record.frame_of_reference_uid,
        "slice_thickness_mm": record.slice_thickness_mm,
        "files": [str(p) for p in record.files],
        "warnings": warnings,
    }


def _read_slices(
    record: SeriesRecord,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    on_first_slice: FirstSliceCallback | None,
    workers: int | Executor | None,
):
    files = record.files
    if not files:
        raise SeriesError(record.series_uid, "the series has no files")
    first = read_slice(files[0])
    first_header = first.header
    if on_first_slice is not None:
        geometry = _geometry(
            first.position_lps_mm[None],
            (first_header.row_cosines, first_header.column_cosines),
            first_header.pixel_spacing_mm,
            1,
        )
        on_first_slice(
            CTVolume(
                first.hu[None],
                VolumeGeometry(
                    (1, *first.hu.shape),
                    geometry.spacing_xyz_mm,
                    geometry.origin_lps_mm,
                    geometry.direction,
                ),
                record.series_uid,
            )
        )
    hu = np.empty((len(files), *first.hu.shape), dtype=np.int16)
    positions = np.empty((len(files), 3))
    hu[0], positions[0] = first.hu, first.position_lps_mm
    executor = (
        workers
        if isinstance(workers, Executor)
        else ThreadPoolExecutor(max_workers=workers or min(4, (os.cpu_count() or 1) + 1))
    )
    try:
        slots = executor.map(read_slice, files[1:], hu[1:])
        for index, item in enumerate(slots, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            problem = _same_plane(first_header, item.header)
            if problem is not None:
                raise DicomFileError(files[index], problem)
            positions[index] = item.position_lps_mm
            if progress is not None and (index % 16 == 0 or index == len(files) - 1):
                progress(Progress(index + 1, len(files), "loading slices"))
    finally:
        if not isinstance(workers, Executor):
            executor.shutdown(wait=True, cancel_futures=True)
    order = np.argsort(positions @ first_header.normal, kind="stable")
    _check_positions(positions[order], [files[i] for i in order])
    if np.any(order != np.arange(len(order))):
        hu, positions = hu[order], positions[order]
    return hu, positions, first_header


def _check_positions(positions: NDArray, files: Sequence[Path]) -> None:
    """Slice positions in stacking order must be distinct and without a jump far beyond the
    spacing (filling such a gap would build a volume of mostly invented slices): the file that
    breaks the stack is named."""
    if len(positions) < 2:
        return
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    for index in np.nonzero(steps < DUPLICATE_TOLERANCE_MM)[0]:
        raise DicomFileError(files[index + 1], f"same slice position as {Path(files[index]).name}")
    spacing = float(np.median(steps))
    limit = max(MAX_GAP_SLICES * spacing, MAX_GAP_MM)
    for index in np.nonzero(steps > limit)[0]:
        culprit = files[index] if index + 1 < len(files) - index - 1 else files[index + 1]
        raise DicomFileError(
            culprit,
            f"slice position {steps[index]:.1f} mm away from its neighbour in a series spaced "
            f"{spacing:.2f} mm: not a slice of this stack",
        )


def load_series_dir(
    path: Path, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
) -> CTVolume:
    """The CT series in a folder (the CLI's SERIES_DIR). With several, the one with most slices."""
    scan = scan_paths([path], progress=progress, cancel=cancel)
    if not scan.series:
        details = "; ".join(f"{p.path.name}: {p.error}" for p in scan.problems[:5])
        raise DicomFileError(path, "no CT series found" + (f" ({details})" if details else ""))
    record = max(scan.series, key=lambda r: r.n_slices)
    volume = load_series(record, progress=progress, cancel=cancel)
    if len(scan.series) > 1:
        volume.metadata["note"] = (
            f"{len(scan.series)} CT stacks in {path}; loaded the one with most slices "
            f"({record.n_slices})"
        )
    volume.metadata["skipped_files"] = [(str(p.path), p.error) for p in scan.problems]
    return volume
