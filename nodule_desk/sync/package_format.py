"""What a package in the outbox is: a folder of DICOM files and a manifest naming them."""

from __future__ import annotations

MANIFEST = "manifest.json"
"""{"study_uid": pseudonymised study, "instances": [{"file", "sop_instance_uid", "series_uid",
"study_uid"}]}"""
DEIDENTIFICATION_KEYWORDS = (
    "PatientIdentityRemoved",
    "DeidentificationMethod",
    "DeidentificationMethodCodeSequence",
    "LongitudinalTemporalInformationModified",
    "PatientAge",
)
