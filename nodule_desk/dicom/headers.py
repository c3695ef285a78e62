"""Reading one DICOM file's header: what grouping and geometry need, and why a file is unusable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
LEGACY_CONVERTED_ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.2"
MULTIFRAME_CT = {ENHANCED_CT_STORAGE, LEGACY_CONVERTED_ENHANCED_CT_STORAGE}
DICOM_SUFFIXES = {".dcm", ".dicom", ".dic", ".ima"}


class NotDicom(Exception):
    """A file that is not DICOM and does not claim to be: skipped without a word."""


class UnusableFile(Exception):
    """A DICOM file (or one that claims to be) that cannot be part of a CT volume."""


@dataclass(frozen=True)
class SliceHeader:
    """One image (a file, or one frame of an Enhanced CT file) and where it lies."""

    path: Path
    dataset: Dataset
    position_lps_mm: np.ndarray
    row_cosines: np.ndarray
    column_cosines: np.ndarray
    pixel_spacing_mm: tuple[float, float]
    """Row spacing (between rows, along y of the image), column spacing (between columns)."""
    frame_index: int | None = None

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.row_cosines, self.column_cosines)


def claims_to_be_dicom(path: Path) -> bool:
    if path.suffix.lower() in DICOM_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            handle.seek(128)
            return handle.read(4) == b"DICM"
    except OSError:
        return False


def read_header(path: Path) -> tuple[Dataset, int]:
    """The dataset without pixel data, and the byte offset where its pixel data starts.

    Raises NotDicom, or UnusableFile with the reason."""
    try:
        with path.open("rb") as handle:
            dataset = pydicom.dcmread(handle, stop_before_pixels=True)
            pixel_data_offset = handle.tell()
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError, AttributeError) as error:
        if not claims_to_be_dicom(path):
            raise NotDicom(str(path)) from error
        raise UnusableFile(f"not a readable DICOM file ({error})") from error
    except OSError as error:
        raise UnusableFile(f"cannot be read: {error.strerror or error}") from error
    if "SOPClassUID" not in dataset and "Modality" not in dataset:
        if not claims_to_be_dicom(path):
            raise NotDicom(str(path))
        raise UnusableFile("not a DICOM object (no SOP Class UID)")
    return dataset, pixel_data_offset


def expected_pixel_bytes(dataset: Dataset) -> int | None:
    """Bytes of uncompressed pixel data the header promises; None if compressed or unknown."""
    file_meta = getattr(dataset, "file_meta", None)
    syntax = file_meta.get("TransferSyntaxUID") if file_meta is not None else None
    if syntax is not None and (UID(syntax).is_compressed or UID(syntax).is_deflated):
        return None
    try:
        frames = int(dataset.get("NumberOfFrames", 1) or 1)
        return int(dataset.Rows) * int(dataset.Columns) * int(dataset.BitsAllocated) // 8 * frames
    except (AttributeError, TypeError, ValueError):
        return None


def _floats(values: object, count: int, name: str) -> np.ndarray:
    try:
        array = np.asarray([float(v) for v in values], dtype=float)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as error:
        raise UnusableFile(f"{name} is not numeric: {values!r}") from error
    if array.shape != (count,) or not np.all(np.isfinite(array)):
        raise UnusableFile(f"{name} needs {count} numbers, got {values!r}")
    return array


def _plane(path: Path, dataset: Dataset, source: Dataset, frame: int | None) -> SliceHeader:
    """Geometry from the Image Plane Module attributes found in ``source``."""
    position_item = source.get("PlanePositionSequence", [source])[0]
    orientation_item = source.get("PlaneOrientationSequence", [source])[0]
    measures_item = source.get("PixelMeasuresSequence", [source])[0]
    for keyword, item in (
        ("ImagePositionPatient", position_item),
        ("ImageOrientationPatient", orientation_item),
        ("PixelSpacing", measures_item),
    ):
        if keyword not in item:
            raise UnusableFile(f"no {keyword}: not a slice of a volume")
    orientation = _floats(orientation_item.ImageOrientationPatient, 6, "ImageOrientationPatient")
    spacing = _floats(measures_item.PixelSpacing, 2, "PixelSpacing")
    if np.any(spacing <= 0):
        raise UnusableFile(f"PixelSpacing must be positive, got {list(spacing)}")
    return SliceHeader(
        path=path,
        dataset=dataset,
        position_lps_mm=_floats(position_item.ImagePositionPatient, 3, "ImagePositionPatient"),
        row_cosines=orientation[:3] / np.linalg.norm(orientation[:3]),
        column_cosines=orientation[3:] / np.linalg.norm(orientation[3:]),
        pixel_spacing_mm=(float(spacing[0]), float(spacing[1])),
        frame_index=frame,
    )


def _frame_item(dataset: Dataset, name: str, frame: int) -> Dataset:
    """A functional group for one frame: the per-frame item, else the shared one."""
    merged = Dataset()
    for sequence in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        groups = dataset.get(sequence)
        if not groups:
            continue
        item = groups[0] if sequence.startswith("Shared") else groups[frame]
        if name in item:
            merged = item
    return merged


def slice_headers(path: Path, dataset: Dataset) -> list[SliceHeader]:
    """The images of one file with their planes: one for a classic CT file, N for Enhanced CT."""
    if str(dataset.get("SOPClassUID", "")) not in MULTIFRAME_CT:
        return [_plane(path, dataset, dataset, None)]
    frames = int(dataset.get("NumberOfFrames", 0) or 0)
    if frames < 1:
        raise UnusableFile("Enhanced CT without NumberOfFrames")
    headers = []
    for frame in range(frames):
        source = Dataset()
        for name in ("PlanePositionSequence", "PlaneOrientationSequence", "PixelMeasuresSequence"):
            item = _frame_item(dataset, name, frame)
            if name in item:
                source[name] = item[name]
        headers.append(_plane(path, dataset, source, frame))
    return headers


def rescale_of(dataset: Dataset, frame: int | None = None) -> tuple[float, float]:
    """(slope, intercept) to HU, from the frame's Pixel Value Transformation or the dataset."""
    if frame is not None:
        item = _frame_item(dataset, "PixelValueTransformationSequence", frame)
        if "PixelValueTransformationSequence" in item:
            transform = item.PixelValueTransformationSequence[0]
            return float(transform.get("RescaleSlope", 1)), float(
                transform.get("RescaleIntercept", 0)
            )
    return float(dataset.get("RescaleSlope", 1) or 1), float(
        dataset.get("RescaleIntercept", 0) or 0
    )
