"""What a scan of folders finds: CT series ready to load, and the files that could not be used."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FileProblem:
    """A file that was skipped, with the reason in words a user understands."""

    path: Path
    error: str


@dataclass
class SeriesRecord:
    """One loadable stack of CT slices: a series, or one stack of a series that had to be split.

    ``files`` are in slice order (along the slice normal, feet to head for axial CT), so
    loading them in this order gives the volume whose k axis is ``slice_normal``.
    """

    series_uid: str
    study_uid: str
    patient_id: str
    files: list[Path]
    stack_key: str = ""
    """Empty for a whole series; otherwise what distinguishes this stack (size, orientation...)."""
    frame_of_reference_uid: str = ""
    patient_name: str = ""
    patient_birth_date: str | None = None
    patient_sex: str = ""
    study_date: str | None = None
    """ISO date, YYYY-MM-DD."""
    study_time: str = ""
    study_description: str = ""
    accession_number: str = ""
    series_description: str = ""
    series_number: int | None = None
    modality: str = "CT"
    rows: int = 0
    columns: int = 0
    n_slices: int = 0
    spacing_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Column spacing, row spacing, and the distance between successive slice positions."""
    slice_thickness_mm: float | None = None
    multiframe: bool = False
    """True when the slices are frames of one Enhanced CT file (``files`` has one path)."""
    warnings: list[str] = field(default_factory=list)
    """Problems that do not stop loading but a reader should know (uneven spacing, tilt...)."""


@dataclass
class ScanResult:
    series: list[SeriesRecord] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
