"""What the store hands to callers: small frozen records, never raw rows.

The vocabularies below are the radiologist's labels; the schema's CHECK constraints hold the same
lists (tests/core/test_store_schema.py checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from nodule_desk.errors import StoreError

Lobe = Literal["RUL", "RML", "RLL", "LUL", "lingula", "LLL"]
LOBES: tuple[str, ...] = ("RUL", "RML", "RLL", "LUL", "lingula", "LLL")
Margin = Literal["smooth", "lobulated", "spiculated"]
MARGINS: tuple[str, ...] = ("smooth", "lobulated", "spiculated")
# Benign patterns (diffuse, central, laminated, popcorn) and indeterminate ones (stippled,
# eccentric, amorphous): Erasmus JJ et al., "Solitary pulmonary nodules: Part I", RadioGraphics
# 2000;20:43-58; Fleischner Society glossary (Hansell DM et al., Radiology 2008;246:697-722).
CALCIFICATIONS: tuple[str, ...] = (
    "absent",
    "diffuse",
    "central",
    "laminated",
    "popcorn",
    "stippled",
    "eccentric",
    "amorphous",
)
# Lung-RADS v2022 distinguishes juxtapleural / perifissural and airway (endobronchial) nodules.
LOCATIONS: tuple[str, ...] = ("parenchymal", "perifissural", "juxtapleural", "airway")
DensityType = Literal["solid", "part_solid", "ground_glass"]
DENSITY_TYPES: tuple[str, ...] = ("solid", "part_solid", "ground_glass")
MeasurementMethod = Literal["auto", "manual", "edited"]
METHODS: tuple[str, ...] = ("auto", "manual", "edited")
ReportStatus = Literal["draft", "signed"]
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
OUTBOX_KINDS: tuple[str, ...] = ("report", "case_summary", "series", "referral")
OUTBOX_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed")
REQUEST_KINDS: tuple[str, ...] = ("consultation", "referral")
URGENCIES: tuple[str, ...] = ("routine", "urgent", "emergency")
REQUEST_STATUSES: tuple[str, ...] = (
    "requested",
    "sent",
    "answered",
    "referred",
    "accepted",
    "returned",
)


def check_choice(field_name: str, value: object, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise StoreError(f"{field_name} {value!r} is not one of {', '.join(choices)}")


@dataclass(frozen=True)
class Patient:
    id: int
    patient_id: str
    name: str
    birth_date: str | None
    sex: str
    n_studies: int = 0
    last_study_date: str | None = None


@dataclass(frozen=True)
class Study:
    id: int
    study_uid: str
    patient_id: str
    study_date: str | None
    study_time: str
    description: str
    accession_number: str
    n_series: int = 0


@dataclass(frozen=True)
class Series:
    id: int
    series_uid: str
    stack_key: str
    study_uid: str
    patient_id: str
    study_date: str | None
    frame_of_reference_uid: str
    description: str
    number: int | None
    modality: str
    rows: int
    columns: int
    n_slices: int
    spacing_mm: tuple[float, float, float]
    """Column spacing, row spacing, distance between slices (x, y, z)."""
    slice_thickness_mm: float | None
    multiframe: bool
    warnings: tuple[str, ...]
    imported_at: str


@dataclass(frozen=True)
class ImportSummary:
    """What one add_scan_result changed; ``unchanged`` series were already stored as they are."""

    patients_added: tuple[str, ...] = ()
    studies_added: tuple[str, ...] = ()
    series_added: tuple[Series, ...] = ()
    series_updated: tuple[Series, ...] = ()
    series_unchanged: tuple[Series, ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()
    """(series_uid, reason) of series that were not stored because they contradict the store."""

    @property
    def series(self) -> tuple[Series, ...]:
        return self.series_added + self.series_updated + self.series_unchanged


@dataclass(frozen=True)
class Nodule:
    id: int
    patient_id: str
    label: str
    tracking_uid: str
    """DICOM UID of the nodule, the same at every visit (TID 1500 Tracking Identifier)."""
    created_by: str
    created_at: str


@dataclass(frozen=True, kw_only=True)
class MeasurementValues:
    """What was measured and how the radiologist labelled it; validated on construction."""

    center_lps_mm: tuple[float, float, float]
    volume_mm3: float | None = None
    long_axis_mm: float | None = None
    short_axis_mm: float | None = None
    mean_diameter_mm: float | None = None
    longest_3d_mm: float | None = None
    mean_hu: float | None = None
    max_hu: float | None = None
    density_type: str | None = None
    solid_component_long_axis_mm: float | None = None
    solid_component_mean_diameter_mm: float | None = None
    solid_volume_mm3: float | None = None
    mask_ref: str | None = None
    """Where the mask lives outside the store (a DICOM SEG SOP Instance UID or a file)."""
    lobe: str | None = None
    margin: str | None = None
    calcification: str | None = None
    location: str | None = None
    features: tuple[str, ...] = ()
    """Further descriptors in words: "cystic", "cavitation", "air_bronchogram"..."""
    comment: str = ""

    def __post_init__(self) -> None:
        if len(self.center_lps_mm) != 3:
            raise StoreError(f"center_lps_mm needs 3 coordinates, got {self.center_lps_mm!r}")
        object.__setattr__(self, "center_lps_mm", tuple(float(v) for v in self.center_lps_mm))
        object.__setattr__(self, "features", tuple(self.features))
        check_choice("density_type", self.density_type, DENSITY_TYPES)
        check_choice("lobe", self.lobe, LOBES)
        check_choice("margin", self.margin, MARGINS)
        check_choice("calcification", self.calcification, CALCIFICATIONS)
        check_choice("location", self.location, LOCATIONS)
        for name in (
            "volume_mm3",
            "long_axis_mm",
            "short_axis_mm",
            "mean_diameter_mm",
            "longest_3d_mm",
            "solid_component_long_axis_mm",
            "solid_component_mean_diameter_mm",
            "solid_volume_mm3",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise StoreError(f"{name} cannot be negative, got {value}")
        if (
            self.long_axis_mm is not None
            and self.short_axis_mm is not None
            and self.short_axis_mm > self.long_axis_mm
        ):
            raise StoreError(
                f"short_axis_mm {self.short_axis_mm} is longer than "
                f"long_axis_mm {self.long_axis_mm}"
            )

    @classmethod
    def value_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(MeasurementValues))


@dataclass(frozen=True, kw_only=True)
class Measurement(MeasurementValues):
    """One version of a nodule's measurement on one series. ``replaces`` is the id it revises."""

    id: int
    nodule_id: int
    nodule_label: str
    tracking_uid: str
    series_uid: str
    stack_key: str
    study_uid: str
    version: int
    replaces: int | None
    method: str
    created_by: str
    created_at: str
    has_mask: bool = False


@dataclass(frozen=True)
class Report:
    id: int
    study_uid: str
    version: int
    replaces: int | None
    status: str
    language: str
    content: dict[str, Any] = field(hash=False)
    override_reasons: tuple[dict[str, Any], ...]
    output_sop_instance_uids: tuple[str, ...]
    created_by: str
    created_at: str
    updated_at: str
    signed_by: str | None
    signed_at: str | None
    frozen: dict[str, Any] | None = field(default=None, hash=False)
    """A signed report's data as signed (what its PDF and SR show); None on a draft."""
    frozen_sha256: str | None = None
    output_sha256: dict[str, str] = field(default_factory=dict, hash=False)
    """File name -> SHA-256 of each output written when it was signed."""

    @property
    def is_amendment_pending(self) -> bool:
        """A new version of a signed report, not yet signed itself."""
        return self.status == "draft" and self.replaces is not None


@dataclass(frozen=True)
class Rejection:
    """A finding the radiologist rejected on one series (the measurement version it had)."""

    id: int
    nodule_id: int
    nodule_label: str
    series_uid: str
    measurement_id: int
    reason: str
    rejected_by: str
    rejected_at: str


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    study_uid: str | None
    payload_path: str
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    updated_at: str
    sent_at: str | None
    next_attempt_at: str | None = None
    """When a queued item is due again (backoff), or until when a 'sending' one is leased."""
    request_id: int | None = None
    """The consultation or referral request this item carries, if any."""
    instances: int = 0
    deidentified_study_uid: str | None = None

    @property
    def display_status(self) -> str:
        """queued, sending, sent or failed: what the worklist and the patient show."""
        return "queued" if self.status == "pending" else self.status


@dataclass(frozen=True)
class PatientPseudonym:
    """A patient as the parent center knows them: never leaves the branch, re-links replies."""

    id: int
    patient_id: str
    branch_id: str
    pseudonym: str
    date_shift_days: int
    uid_key: str


@dataclass(frozen=True)
class ParentRequest:
    """A consultation or referral asked of the parent center about one study."""

    id: int
    study_uid: str
    patient_id: str
    kind: str
    question: str
    urgency: str
    status: str
    requested_by: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class ParentOpinion:
    """What the parent center's experts stored in the pseudonymised study, re-linked."""

    id: int
    study_uid: str
    patient_id: str
    request_id: int | None
    sop_instance_uid: str
    sop_class_uid: str
    modality: str
    expert: str
    opinion_date: str | None
    title: str
    text: str
    path: str
    received_at: str
    seen_at: str | None
