"""What a visit's report says, as plain records: the input of the PDF, SR, KOS writers.

Built from the store (or by tests) and never from widgets, so every output of a report can be
made headless and checked against the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ReportedNodule:
    """One nodule as reported on this visit, with its change since the prior visit if any."""

    label: str
    """What the radiologist calls it on this patient: "N1", "N2"..."""
    tracking_uid: str
    """DICOM UID that stays the same for this nodule across visits (TID 4108 Tracking UID)."""
    density_type: str
    """solid, part_solid or ground_glass."""
    center_mm: tuple[float, float, float]
    long_axis_mm: float | None = None
    short_axis_mm: float | None = None
    mean_diameter_mm: float | None = None
    volume_mm3: float | None = None
    solid_component_long_axis_mm: float | None = None
    mean_hu: float | None = None
    lobe: str | None = None
    """RUL, RML, RLL, LUL, lingula or LLL."""
    lung_rads_category: str | None = None
    prior_mean_diameter_mm: float | None = None
    prior_volume_mm3: float | None = None
    volume_doubling_time_days: float | None = None
    key_image_sop_instance_uid: str | None = None
    """The CT image on which the nodule is largest; it goes into the Key Object Selection."""
    key_image_path: Path | None = None
    """A PNG of the key image with the nodule outlined, for the PDF."""
    solid_component_mean_diameter_mm: float | None = None


@dataclass(frozen=True)
class ReportSignature:
    radiologist: str
    signed_at: dt.datetime


@dataclass
class VisitReport:
    """A report of one CT visit of one patient: what the PDF shows and the SR encodes."""

    patient_id: str
    patient_name: str
    study_uid: str
    study_date: dt.date
    series_uid: str
    """The CT series the nodules were measured on."""
    frame_of_reference_uid: str
    source_files: list[Path]
    """The CT series' files: their headers are the evidence the SR and KOS reference."""
    nodules: list[ReportedNodule] = field(default_factory=list)
    patient_sex: str = ""
    patient_birth_date: dt.date | None = None
    accession_number: str = ""
    institution_name: str = ""
    prior_study_date: dt.date | None = None
    """Date of the prior CT compared against; None on a baseline exam."""
    exam_lung_rads_category: str | None = None
    management: str = ""
    follow_up_date: dt.date | None = None
    impression: str = ""
    language: str = "zh_CN"
    signature: ReportSignature | None = None
    version: int = 1
    guideline_category: str | None = None
    """The exam category the guideline gave, shown beside an override."""
    override_reason: str = ""
    override_by: str = ""
    replaces_sop_instance_uids: dict[str, str] = field(default_factory=dict)
    """For an amendment: output kind ("sr", "pdf", "kos") -> SOP Instance UID it replaces."""

    @property
    def is_signed(self) -> bool:
        return self.signature is not None
