"""Removable media (CD, DVD, USB stick) described by a DICOMDIR (PS3.10 §8, PS3.3 F.3): which
files it lists, and which of those cannot be imported, so the import reports every one of them.

The scan already reads the files a DICOMDIR names; this adds what a scan cannot see: files the
DICOMDIR lists that are not on the medium (a disc burnt incompletely) or are not DICOM. A CD
mounted on Linux often shows ISO 9660 names in lower case, so names are matched without case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pydicom

from nodule_desk.dicom.records import FileProblem, ScanResult


def dicomdirs_under(paths: Iterable[Path]) -> list[Path]:
    """DICOMDIR files at the top of the given folders or one level down (a disc's usual
    places), or given directly."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_file() and path.name.upper() == "DICOMDIR":
            found.append(path)
        elif path.is_dir():
            for candidate in [
                *path.iterdir(),
                *(p for d in path.iterdir() if d.is_dir() for p in _safe_children(d)),
            ]:
                if candidate.is_file() and candidate.name.upper() == "DICOMDIR":
                    found.append(candidate)
    return list(dict.fromkeys(found))


def _safe_children(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def resolve_case_insensitive(root: Path, parts: Sequence[str]) -> Path | None:
    """The file at ``root/parts...`` matching each part regardless of case, or None."""
    current = root
    for part in parts:
        exact = current / part
        if exact.exists():
            current = exact
            continue
        matches = [c for c in _safe_children(current) if c.name.upper() == part.upper()]
        if not matches:
            return None
        current = matches[0]
    return current if current.is_file() else None


def referenced_files(dicomdir: Path) -> tuple[list[Path], list[FileProblem]]:
    """The files the DICOMDIR lists that are present, and a problem for each one missing."""
    try:
        directory = pydicom.dcmread(dicomdir)
    except Exception as error:  # noqa: BLE001 - any broken DICOMDIR is reported, not raised
        return [], [
            FileProblem(
                dicomdir, f"DICOMDIR cannot be read ({error}); the folder is searched instead"
            )
        ]
    present: list[Path] = []
    problems: list[FileProblem] = []
    for record in directory.get("DirectoryRecordSequence", []):
        if "ReferencedFileID" not in record:
            continue
        value = record.ReferencedFileID
        parts = [value] if isinstance(value, str) else [str(p) for p in value]
        found = resolve_case_insensitive(dicomdir.parent, parts)
        if found is None:
            listed = dicomdir.parent.joinpath(*parts)
            problems.append(FileProblem(listed, "listed in the DICOMDIR but not on the medium"))
        else:
            present.append(found)
    return present, problems


def media_problems(paths: Sequence[Path], scan: ScanResult) -> list[FileProblem]:
    """Per-file problems a scan of ``paths`` does not report: DICOMDIR entries that are missing,
    and listed files that were neither used nor reported (not DICOM at all)."""
    used = {_resolved(Path(f)) for record in scan.series for f in record.files}
    reported = {_resolved(Path(p.path)) for p in scan.problems}
    problems: list[FileProblem] = []
    for dicomdir in dicomdirs_under(paths):
        present, missing = referenced_files(dicomdir)
        problems.extend(missing)
        for path in present:
            resolved = _resolved(path)
            if resolved not in used and resolved not in reported:
                problems.append(
                    FileProblem(path, "listed in the DICOMDIR but not a readable DICOM file")
                )
    return problems


def _resolved(path: Path) -> Path:
    """The real path, or the absolute one where there is none (a symlink loop: the scan has
    already named that file as a problem)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
