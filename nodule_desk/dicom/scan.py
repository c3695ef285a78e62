"""Finding CT series under folders: group files into series and stacks, sort and check them.

Slices are sorted by the projection of ImagePositionPatient on the slice normal (PS3.3 C.7.6.2),
never by InstanceNumber or file name; the distance between slices comes from successive positions,
not SliceThickness. Broken or foreign files become FileProblems, one per file, and the rest loads.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from nodule_desk.dicom.headers import (
    NotDicom,
    SliceHeader,
    UnusableFile,
    check_image,
    read_header,
    shown,
    slice_headers,
)
from nodule_desk.dicom.records import FileProblem, ScanResult, SeriesRecord
from nodule_desk.progress import CancelToken, Progress, ProgressCallback

DUPLICATE_TOLERANCE_MM = 0.01
UID_PATTERN = re.compile(r"[0-9]+(\.[0-9]+)*")
"""PS3.5 9.1: digits and dots, at most 64 characters (leading zeros, also invalid, are let
through: some old exporters write them)."""
TILT_TOLERANCE_DEGREES = 0.5


def candidate_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every file under the paths, and the files a DICOMDIR names; DICOMDIRs themselves not.

    Symbolic links to folders are followed once (a link back up the tree is not walked again);
    a link that leads nowhere or in a circle is yielded like a file, so the scan names it."""
    seen: set[Path] = set()
    for path in paths:
        files = _walk(path) if path.is_dir() else [path]
        for file in files:
            if file.name.upper() == "DICOMDIR":
                yield from (f for f in _dicomdir_files(file) if f not in seen and not seen.add(f))
                continue
            if file not in seen:
                seen.add(file)
                yield file


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    visited: set[str] = set()
    for root, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:
            folders[:] = []
            continue
        visited.add(real)
        folders.sort()
        base = Path(root)
        for name in names:
            candidate = base / name
            if candidate.is_file() or candidate.is_symlink():
                files.append(candidate)
        for name in folders:
            if (base / name).is_symlink() and not (base / name).exists():
                files.append(base / name)
    return sorted(files)


def _dicomdir_files(dicomdir: Path) -> list[Path]:
    try:
        directory = pydicom.dcmread(dicomdir)
    except Exception:  # a broken DICOMDIR: the folder walk still finds the files
        return []
    return [
        dicomdir.parent.joinpath(*record.ReferencedFileID)
        for record in directory.get("DirectoryRecordSequence", [])
        if "ReferencedFileID" in record
    ]


def _usable_headers(path: Path) -> list[SliceHeader]:
    """The slices of one file, or UnusableFile saying why it is not a CT image."""
    dataset, pixel_data_offset = read_header(path)
    modality = str(dataset.get("Modality", ""))
    if modality != "CT":
        raise UnusableFile(f"not CT (Modality {shown(modality) if modality else 'missing'})")
    if "Rows" not in dataset or "Columns" not in dataset:
        raise UnusableFile("no image in the file")
    if "LOCALIZER" in [str(v).upper() for v in dataset.get("ImageType", [])]:
        raise UnusableFile("localizer (scout) image, not part of the volume")
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        uid = str(dataset.get(keyword, ""))
        if uid and (len(uid) > 64 or not UID_PATTERN.fullmatch(uid)):
            raise UnusableFile(f"{keyword} {shown(uid)} is not a valid UID (PS3.5 9.1)")
    try:
        with path.open("rb") as handle:
            handle.seek(pixel_data_offset)
            element = handle.read(12)
        size = path.stat().st_size
    except OSError as error:
        raise UnusableFile(f"cannot be read: {error.strerror or error}") from error
    check_image(dataset, pixel_data_offset, size, element)
    return slice_headers(path, dataset)


def _read_all(
    files: Sequence[Path], progress: ProgressCallback | None, cancel: CancelToken | None
) -> tuple[list[SliceHeader], list[FileProblem]]:
    headers: list[SliceHeader] = []
    problems: list[FileProblem] = []

    def read(path: Path) -> list[SliceHeader] | FileProblem | None:
        try:
            return _usable_headers(path)
        except NotDicom:
            return None
        except UnusableFile as error:
            return FileProblem(path, str(error))

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for done, result in enumerate(pool.map(read, files), start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if isinstance(result, FileProblem):
                problems.append(result)
            elif result:
                headers.extend(result)
            if progress is not None and (done % 32 == 0 or done == len(files)):
                progress(Progress(done, len(files), "reading headers"))
    return headers, problems


def _stack_key(header: SliceHeader) -> tuple:
    dataset = header.dataset
    orientation = tuple(np.round(np.concatenate([header.row_cosines, header.column_cosines]), 3))
    return (int(dataset.Rows), int(dataset.Columns), orientation)


def _describe_stack(key: tuple) -> str:
    rows, columns, orientation = key
    return f"{rows}x{columns}, orientation {', '.join(f'{v:g}' for v in orientation)}"


def sort_along_normal(headers: list[SliceHeader]) -> tuple[list[SliceHeader], list[str]]:
    """Slices in order along their normal, duplicates dropped, and what is wrong with the stack."""
    normal = headers[0].normal
    ordered = sorted(headers, key=lambda h: float(np.dot(h.position_lps_mm, normal)))
    warnings: list[str] = []
    kept = [ordered[0]]
    for header in ordered[1:]:
        if (
            np.linalg.norm(header.position_lps_mm - kept[-1].position_lps_mm)
            < DUPLICATE_TOLERANCE_MM
        ):
            continue
        kept.append(header)
    if len(kept) < len(ordered):
        warnings.append(f"{len(ordered) - len(kept)} duplicate slice position(s) ignored")
    positions = np.array([h.position_lps_mm for h in kept])
    warnings.extend(check_spacing(positions, kept[0].normal))
    return kept, warnings


def check_spacing(positions: np.ndarray, normal: np.ndarray) -> list[str]:
    """Gaps (a missing slice), uneven spacing and gantry tilt of slice positions in stacking
    order, in words with the positions."""
    if len(positions) < 2:
        return ["only one slice: not a volume"] if len(positions) else []
    steps = np.diff(positions, axis=0)
    distances = np.linalg.norm(steps, axis=1)
    spacing = float(np.median(distances))
    warnings = []
    tolerance = max(0.02, 0.05 * spacing)
    along = positions @ normal
    for index in np.nonzero(distances > spacing * 1.5)[0]:
        missing = int(round(distances[index] / spacing)) - 1
        warnings.append(
            f"missing slice(s): about {missing} between positions {along[index]:.2f} and "
            f"{along[index + 1]:.2f} mm (gap {distances[index]:.2f} mm, spacing {spacing:.2f} mm)"
        )
    uneven = (np.abs(distances - spacing) > tolerance) & (distances <= spacing * 1.5)
    if np.any(uneven):
        warnings.append(
            f"uneven slice spacing: steps from {distances.min():.3f} to {distances.max():.3f} mm"
        )
    direction = positions[-1] - positions[0]
    cosine = abs(float(np.dot(direction, normal))) / float(np.linalg.norm(direction))
    tilt = float(np.degrees(np.arccos(min(1.0, cosine))))
    if tilt > TILT_TOLERANCE_DEGREES:
        warnings.append(f"gantry tilt of {tilt:.1f} degrees: slices are sheared")
    return warnings


def _record(series_uid: str, stack_key: str, headers: list[SliceHeader]) -> SeriesRecord:
    ordered, warnings = sort_along_normal(headers)
    first: Dataset = ordered[0].dataset
    positions = np.array([h.position_lps_mm for h in ordered])
    step = (
        float(np.median(np.linalg.norm(np.diff(positions, axis=0), axis=1)))
        if len(ordered) > 1
        else 0.0
    )
    multiframe = ordered[0].frame_index is not None
    thickness = first.get("SliceThickness")
    return SeriesRecord(
        series_uid=series_uid,
        study_uid=str(first.get("StudyInstanceUID", "")),
        patient_id=str(first.get("PatientID", "")),
        files=list(dict.fromkeys(h.path for h in ordered)),
        stack_key=stack_key,
        frame_of_reference_uid=str(first.get("FrameOfReferenceUID", "")),
        patient_name=str(first.get("PatientName", "")),
        patient_birth_date=iso_date(first.get("PatientBirthDate")),
        patient_sex=str(first.get("PatientSex", "")),
        study_date=iso_date(first.get("StudyDate")),
        study_time=str(first.get("StudyTime", "")),
        study_description=str(first.get("StudyDescription", "")),
        accession_number=str(first.get("AccessionNumber", "")),
        series_description=str(first.get("SeriesDescription", "")),
        series_number=int(first.SeriesNumber)
        if first.get("SeriesNumber") not in (None, "")
        else None,
        modality="CT",
        rows=int(first.Rows),
        columns=int(first.Columns),
        n_slices=len(ordered),
        spacing_mm=(ordered[0].pixel_spacing_mm[1], ordered[0].pixel_spacing_mm[0], step),
        slice_thickness_mm=float(thickness) if thickness not in (None, "") else None,
        multiframe=multiframe,
        warnings=warnings,
    )


def iso_date(value: object) -> str | None:
    text = str(value or "").strip()
    if len(text) != 8 or not text.isdigit():
        return None
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def drop_duplicates(headers: list[SliceHeader]) -> tuple[list[SliceHeader], list[FileProblem]]:
    """Slices of one stack without a second file of the same instance (SOP Instance UID) or of
    the same position, and a problem naming each file left out and the one kept. Files are
    kept in path order, so the same folder always gives the same choice."""
    kept: list[SliceHeader] = []
    problems: list[FileProblem] = []
    by_uid: dict[str, Path] = {}
    by_position: dict[tuple[int, ...], Path] = {}
    for header in sorted(headers, key=lambda h: (str(h.path), h.frame_index or 0)):
        if header.frame_index is not None:
            kept.append(header)
            continue
        uid = str(header.dataset.get("SOPInstanceUID", ""))
        if uid and uid in by_uid:
            problems.append(
                FileProblem(header.path, f"same SOP Instance UID as {by_uid[uid].name}; skipped")
            )
            continue
        place = tuple(int(v) for v in np.rint(header.position_lps_mm / DUPLICATE_TOLERANCE_MM))
        if place in by_position:
            twin = by_position[place].name
            problems.append(FileProblem(header.path, f"same slice position as {twin}; skipped"))
            continue
        if uid:
            by_uid[uid] = header.path
        by_position[place] = header.path
        kept.append(header)
    return kept, problems


def group_into_series(
    headers: list[SliceHeader], problems: list[FileProblem] | None = None
) -> list[SeriesRecord]:
    """One record per series, or per stack where a series mixes sizes or orientations.

    Files left out as duplicates are appended to ``problems`` when it is given."""
    by_series: dict[str, dict[tuple, list[SliceHeader]]] = defaultdict(lambda: defaultdict(list))
    for header in headers:
        uid = str(header.dataset.get("SeriesInstanceUID", "")) or f"no-uid:{header.path.parent}"
        by_series[uid][_stack_key(header)].append(header)
    records = []
    for uid, stacks in by_series.items():
        split = len(stacks) > 1
        for key, all_members in stacks.items():
            members, duplicates = drop_duplicates(all_members)
            if problems is not None:
                problems.extend(duplicates)
            record = _record(uid, _describe_stack(key) if split else "", members)
            if split:
                record.warnings.insert(
                    0, f"series split into {len(stacks)} stacks: {record.stack_key}"
                )
            records.append(record)
    return records


def scan_paths(
    paths: Sequence[Path],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ScanResult:
    """The CT series under ``paths`` (files, folders, DICOMDIRs) and the files that were skipped."""
    files = list(candidate_files(Path(p) for p in paths))
    headers, problems = _read_all(files, progress, cancel)
    series = group_into_series(headers, problems)
    return ScanResult(series=series, problems=problems)
