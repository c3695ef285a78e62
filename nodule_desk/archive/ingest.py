"""Bringing instances into the store through the archive: imports from folders, CDs and USB
sticks, and series assembled from instances that arrived over the network.

An import copies every file of every CT series it finds into the archive by default, so the store
never depends on a stick that will be pulled out; ``link_in_place=True`` keeps the old behaviour
(the store lists the original files) for a folder that stays where it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nodule_desk.archive.archive import Archive
from nodule_desk.archive.media import media_problems
from nodule_desk.dicom.records import FileProblem, ScanResult, SeriesRecord
from nodule_desk.dicom.scan import scan_paths
from nodule_desk.errors import DicomFileError
from nodule_desk.progress import CancelToken, Progress, ProgressCallback
from nodule_desk.store import ImportSummary, Store


@dataclass
class ImportOutcome:
    scan: ScanResult
    """What was found, with ``files`` of each series pointing where the store now reads them."""
    summary: ImportSummary
    problems: list[FileProblem] = field(default_factory=list)
    """Every file that was skipped, and why (not DICOM, not CT, truncated, could not be copied)."""
    copied: int = 0
    already_archived: int = 0


def import_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    link_in_place: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImportOutcome:
    """Find the CT series under ``paths`` (folders, files, DICOMDIRs), copy them into the archive
    unless ``link_in_place``, and store them. A series with a file that cannot be copied is left
    out whole (listed in ``problems``), never stored with a slice missing. From a disc or stick
    with a DICOMDIR, every listed file that is missing or not DICOM is a problem too."""
    scan = scan_paths(paths, progress=progress, cancel=cancel)
    problems = [*scan.problems, *media_problems(paths, scan)]
    outcome = ImportOutcome(scan=scan, summary=ImportSummary(), problems=problems)
    if not link_in_place:
        outcome.scan = _copy_into_archive(Archive(store), scan, outcome, progress, cancel)
    outcome.summary = store.add_scan_result(outcome.scan)
    return outcome


def _copy_into_archive(
    archive: Archive,
    scan: ScanResult,
    outcome: ImportOutcome,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> ScanResult:
    total = sum(len(record.files) for record in scan.series)
    done = 0
    copied: list[SeriesRecord] = []
    for record in scan.series:
        archived: list[Path] = []
        failed: list[FileProblem] = []
        for path in record.files:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                stored = archive.put_file(Path(path), source="import")
            except (DicomFileError, OSError) as error:
                reason = error.reason if isinstance(error, DicomFileError) else str(error)
                failed.append(FileProblem(Path(path), f"not copied into the archive: {reason}"))
            else:
                archived.append(Path(stored.instance.path))
                if stored.outcome == "already stored":
                    outcome.already_archived += 1
                else:
                    outcome.copied += 1
            done += 1
            if progress is not None and (done % 16 == 0 or done == total):
                progress(Progress(done, total, "copying into the archive"))
        if failed:
            outcome.problems.extend(failed)
            outcome.problems.append(
                FileProblem(
                    Path(record.files[0]).parent,
                    f"series {record.series_uid} not imported: {len(failed)} of "
                    f"{len(record.files)} file(s) could not be copied",
                )
            )
            continue
        copied.append(replace(record, files=archived))
    return ScanResult(series=copied, problems=scan.problems)


def index_series(store: Store, series_uids: Iterable[str]) -> ImportOutcome:
    """Assemble the CT series among ``series_uids`` from their archived instances and store them
    (sorted along the slice normal, as any import). Called when an association ends, so a series
    grows as its instances arrive; instances that are not CT images stay in the archive index."""
    files: list[Path] = []
    for series_uid in dict.fromkeys(series_uids):
        files.extend(
            Path(i.path)
            for i in store.archived_instances(series_uid=series_uid)
            if i.modality == "CT"
        )
    scan = scan_paths(files) if files else ScanResult()
    summary = store.add_scan_result(scan)
    return ImportOutcome(scan=scan, summary=summary, problems=list(scan.problems))
