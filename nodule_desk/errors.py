"""Typed errors of the core. Each carries the data (file, tag, field); the CLI and UI word them."""

from __future__ import annotations

from pathlib import Path


class NoduleDeskError(Exception):
    """Base of every error the core raises on purpose."""


class DicomFileError(NoduleDeskError):
    """A file that cannot be used as part of a CT series."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SeriesError(NoduleDeskError):
    """A series whose slices do not form a usable volume (gaps, tilt, mixed sizes...)."""

    def __init__(self, series_uid: str, reason: str) -> None:
        self.series_uid = series_uid
        self.reason = reason
        super().__init__(f"series {series_uid}: {reason}")


class SegmentationError(NoduleDeskError):
    """The nodule could not be separated from its surroundings; measure it manually."""


class FindingError(NoduleDeskError):
    """A finding record that a guideline cannot classify (missing size, unknown density...)."""

    def __init__(self, nodule_id: str, field: str, reason: str) -> None:
        self.nodule_id = nodule_id
        self.field = field
        self.reason = reason
        super().__init__(f"nodule {nodule_id}: field '{field}': {reason}")


class StoreError(NoduleDeskError):
    """The local store could not be read or written (full disk, newer schema, locked file)."""


class CancelledError(NoduleDeskError):
    """A long job stopped because its cancel token was set."""


class MissingFilesError(NoduleDeskError):
    """Files the store lists for a series are gone: a removed USB stick or CD, a moved folder, or
    an archive changed behind NoduleDesk's back. Names the study and where the files were."""

    def __init__(
        self,
        study_uid: str,
        series_uid: str,
        missing: list[Path],
        total: int,
        in_archive: bool,
        patient_id: str = "",
        study_date: str | None = None,
    ) -> None:
        self.study_uid = study_uid
        self.series_uid = series_uid
        self.missing = missing
        self.total = total
        self.in_archive = in_archive
        self.folder = missing[0].parent if missing else Path()
        who = ", ".join(
            v for v in (f"patient {patient_id}" if patient_id else "", study_date or "") if v
        )
        where = (
            f"they are missing from the local archive at {self.folder} (removed outside "
            "NoduleDesk): retrieve or import the study again"
            if in_archive
            else f"they were linked in place at {self.folder}, not copied into the archive: "
            "reconnect the disk, CD or USB stick that held them, or import the study again"
        )
        super().__init__(
            f"study {study_uid}{f' ({who})' if who else ''}: {len(missing)} of {total} file(s) of "
            f"series {series_uid} cannot be found, first {missing[0] if missing else '?'}; {where}"
        )
