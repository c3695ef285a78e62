"""Schema step 3: the local archive's instances, one row per SOP Instance UID.

A row says where the archive keeps an instance (``path``, a copy NoduleDesk owns), its SHA-256 and
size as written, and where it came from (an imported file, a calling AE title, a retrieve).
"""

SCHEMA_V3_ARCHIVE = """
CREATE TABLE archive_instances (
    id INTEGER PRIMARY KEY,
    sop_instance_uid TEXT NOT NULL UNIQUE CHECK (sop_instance_uid <> ''),
    sop_class_uid TEXT NOT NULL DEFAULT '',
    study_uid TEXT NOT NULL DEFAULT '',
    series_uid TEXT NOT NULL DEFAULT '',
    patient_id TEXT NOT NULL DEFAULT '',
    modality TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL CHECK (path <> ''),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    source TEXT NOT NULL DEFAULT '',
    original_path TEXT NOT NULL DEFAULT '',
    stored_at TEXT NOT NULL
);

CREATE INDEX archive_instances_series ON archive_instances (series_uid);
CREATE INDEX archive_instances_study ON archive_instances (study_uid);
"""
