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
