"""Reading one DICOM file's header: what grouping and geometry need, and why a file is unusable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
LEGACY_CONVERTED_ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.2"
MULTIFRAME_CT = {ENHANCED_CT_STORAGE, LEGACY_CONVERTED_ENHANCED_CT_STORAGE}
DICOM_SUFFIXES = {".dcm", ".dicom", ".dic", ".ima"}
IMPLICIT_VR_LE = "1.2.840.10008.1.2"
PIXEL_DATA_LE = b"\xe0\x7f\x10\x00"
PIXEL_DATA_BE = b"\x7f\xe0\x00\x10"
MAX_IMAGE_SIDE = 4096
"""Rows and Columns above this are refused: CT images are 512 or 1024 pixels a side."""
MAX_FRAMES = 10_000
MAX_RESCALE = 1.0e5
MAX_POSITION_MM = 1.0e5
"""A coordinate beyond 100 m from the scanner's origin is not a position in a patient."""
MAX_PIXEL_SPACING_MM = 100.0


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
    """The dataset without pixel data, every element decoded, and the byte offset where its pixel
    data starts.

    pydicom decodes elements lazily, so a broken element would otherwise fail later, wherever it is
    first read; decoding them all here makes every such failure this file's UnusableFile.
    Raises NotDicom, or UnusableFile with the reason."""
    try:
        size = path.stat().st_size
        if size == 0:
            if not claims_to_be_dicom(path):
                raise NotDicom(str(path))
            raise UnusableFile("empty file (0 bytes)")
        with path.open("rb") as handle:
            dataset = pydicom.dcmread(handle, stop_before_pixels=True)
            pixel_data_offset = handle.tell()
            decode_all(dataset)
    except (NotDicom, UnusableFile):
        raise
    except OSError as error:
        if path.is_symlink():
            reason = "a symbolic link that leads in a circle or to nothing"
            raise UnusableFile(f"{reason} ({error.strerror or error})") from error
        raise UnusableFile(f"cannot be read: {error.strerror or error}") from error
    except MemoryError as error:
        raise UnusableFile("an element declares more data than can be read") from error
    except Exception as error:  # pydicom raises many types (struct.error, OverflowError...)
        if not claims_to_be_dicom(path):
            raise NotDicom(str(path)) from error
        raise UnusableFile(f"not a readable DICOM file ({short_reason(error)})") from error
    if "SOPClassUID" not in dataset and "Modality" not in dataset:
        if not claims_to_be_dicom(path):
            raise NotDicom(str(path))
        raise UnusableFile("not a DICOM object (no SOP Class UID)")
    return dataset, pixel_data_offset


def short_reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def decode_all(dataset: Dataset) -> None:
    for element in dataset.iterall():
        _ = element.value
    if getattr(dataset, "file_meta", None) is not None:
        for element in dataset.file_meta:
            _ = element.value


def _int(dataset: Dataset, keyword: str, default: int | None = None) -> int:
    value = dataset.get(keyword, default)
    if value is None or value == "":
        raise UnusableFile(f"no {keyword}")
    if isinstance(value, (list, tuple)) or not isinstance(value, (int, float, str)):
        raise UnusableFile(f"{keyword} is not one number: {shown(value)}")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise UnusableFile(f"{keyword} is not a number: {shown(value)}") from error


def check_image(dataset: Dataset, pixel_data_offset: int, file_size: int, raw: bytes) -> None:
    """What the loader needs of the image, checked before any pixel is read, so a header that
    lies cannot make the loader allocate or read what the file does not hold.

    ``raw`` is at least the 12 bytes at ``pixel_data_offset`` (the pixel data element's header).
    Raises UnusableFile with the reason."""
    rows, columns = _int(dataset, "Rows"), _int(dataset, "Columns")
    if not (1 <= rows <= MAX_IMAGE_SIDE and 1 <= columns <= MAX_IMAGE_SIDE):
        raise UnusableFile(
            f"image of {rows} x {columns} pixels: a CT image has 1 to {MAX_IMAGE_SIDE} per side"
        )
    bits = _int(dataset, "BitsAllocated")
    if bits not in (8, 16, 32):
        raise UnusableFile(f"BitsAllocated {bits}: a CT image stores 8, 16 or 32 bits per pixel")
    stored = _int(dataset, "BitsStored", bits)
    if not 1 <= stored <= bits:
        raise UnusableFile(f"BitsStored {stored} does not fit in BitsAllocated {bits}")
    if _int(dataset, "SamplesPerPixel", 1) != 1:
        raise UnusableFile("SamplesPerPixel is not 1: a CT image is grayscale")
    if _int(dataset, "PixelRepresentation", 0) not in (0, 1):
        raise UnusableFile("PixelRepresentation must be 0 or 1")
    frames = _int(dataset, "NumberOfFrames", 1) if "NumberOfFrames" in dataset else 1
    if not 1 <= frames <= MAX_FRAMES:
        raise UnusableFile(f"NumberOfFrames {frames}: expected 1 to {MAX_FRAMES}")
    for keyword in ("RescaleSlope", "RescaleIntercept"):
        if dataset.get(keyword) not in (None, ""):
            value = _floats([dataset.get(keyword)], 1, keyword)[0]
            if abs(value) > MAX_RESCALE or (keyword == "RescaleSlope" and value == 0):
                raise UnusableFile(f"{keyword} {value:g} cannot map stored values to HU")
    file_meta = getattr(dataset, "file_meta", None)
    syntax = UID(str(file_meta.get("TransferSyntaxUID", IMPLICIT_VR_LE))) if file_meta else None
    if syntax is None:
        syntax = UID(IMPLICIT_VR_LE)
    if not syntax.is_transfer_syntax:
        raise UnusableFile(f"unknown transfer syntax {syntax}")
    if syntax.is_deflated:
        return  # the pixel data element lies inside the deflated stream, checked on decoding
    element = raw[:12]
    if len(element) < 8 or element[:4] not in (PIXEL_DATA_LE, PIXEL_DATA_BE):
        raise UnusableFile("no pixel data in the file")
    length = _pixel_data_length(element, syntax)
    if length is None:
        if not syntax.is_compressed:
            raise UnusableFile(f"encapsulated pixel data under uncompressed syntax {syntax.name}")
        return
    if syntax.is_compressed:
        raise UnusableFile(f"pixel data is not encapsulated, yet the syntax is {syntax.name}")
    header = 8 if syntax.is_implicit_VR else 12
    if pixel_data_offset + header + length > file_size:
        raise UnusableFile(
            f"truncated: {file_size} bytes, the header and image need "
            f"{pixel_data_offset + header + length}"
        )
    expected = rows * columns * bits // 8 * frames
    if length < expected:
        raise UnusableFile(
            f"pixel data of {length} bytes, the {rows} x {columns} x {bits}-bit image needs "
            f"{expected}"
        )


def _pixel_data_length(element: bytes, syntax: UID) -> int | None:
    """The declared length of the pixel data element; None when undefined (encapsulated)."""
    order = "big" if syntax == "1.2.840.10008.1.2.2" else "little"
    if syntax.is_implicit_VR:
        length = int.from_bytes(element[4:8], order)
    else:
        if len(element) < 12:
            raise UnusableFile("truncated in the pixel data element")
        length = int.from_bytes(element[8:12], order)
    return None if length == 0xFFFFFFFF else length


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
        raise UnusableFile(f"{name} is not numeric: {shown(values)}") from error
    if array.shape != (count,) or not np.all(np.isfinite(array)):
        raise UnusableFile(f"{name} needs {count} finite numbers, got {shown(values)}")
    return array


def shown(values: object) -> str:
    """A header value as DICOM writes it (multiple values joined by backslashes), cut short."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        text = str(values)
    else:
        text = "\\".join(str(v) for v in values)
    return repr(text if len(text) <= 80 else text[:77] + "...")


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
    row, column = orientation[:3], orientation[3:]
    if not (
        abs(np.linalg.norm(row) - 1) < 0.05
        and abs(np.linalg.norm(column) - 1) < 0.05
        and abs(float(np.dot(row, column))) < 0.05
    ):
        raise UnusableFile(
            f"ImageOrientationPatient {shown(list(orientation))} is not two perpendicular unit "
            "vectors"
        )
    spacing = _floats(measures_item.PixelSpacing, 2, "PixelSpacing")
    if np.any(spacing <= 0) or np.any(spacing > MAX_PIXEL_SPACING_MM):
        raise UnusableFile(
            f"PixelSpacing must be above 0 and at most {MAX_PIXEL_SPACING_MM:g} mm, got "
            f"{shown(list(spacing))}"
        )
    position = _floats(position_item.ImagePositionPatient, 3, "ImagePositionPatient")
    if np.any(np.abs(position) > MAX_POSITION_MM):
        raise UnusableFile(f"ImagePositionPatient {shown(list(position))} is out of any scanner")
    return SliceHeader(
        path=path,
        dataset=dataset,
        position_lps_mm=position,
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
