"""The SQL of each schema version, frozen once released: a later change is a new migration.

Conventions of every version:

- integer ``id`` primary keys; a column named after a table (``patient``, ``study``, ``series``,
  ``nodule``) is a foreign key to that table's ``id``; DICOM identifiers keep their DICOM names
  (``patient_id`` is the DICOM PatientID, ``study_uid`` the StudyInstanceUID);
- dates are ISO ``YYYY-MM-DD``, timestamps ISO 8601 UTC (``2026-11-23T06:12:00.000+00:00``);
- a column holding a physical quantity carries its unit in its name (``volume_mm3``, ``mean_hu``);
- enumerations are CHECK constraints, JSON columns are CHECKed with ``json_valid``;
- history is append-only: measurements, signed reports and the audit log refuse UPDATE and DELETE
  through triggers, so the rule holds even for SQL written outside this package.
"""

from __future__ import annotations

ISO_DATE = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"

SCHEMA_V1 = f"""
CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    patient_id TEXT NOT NULL UNIQUE CHECK (patient_id <> ''),
    name TEXT NOT NULL DEFAULT '',
    birth_date TEXT CHECK (birth_date IS NULL OR birth_date GLOB {ISO_DATE}),
    sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'M', 'F', 'O')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    study_uid TEXT NOT NULL UNIQUE CHECK (study_uid <> ''),
    patient INTEGER NOT NULL REFERENCES patients(id),
    study_date TEXT CHECK (study_date IS NULL OR study_date GLOB {ISO_DATE}),
    study_time TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    accession_number TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX studies_patient ON studies(patient);
CREATE INDEX studies_date ON studies(study_date);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    series_uid TEXT NOT NULL CHECK (series_uid <> ''),
    stack_key TEXT NOT NULL DEFAULT '',
    study INTEGER NOT NULL REFERENCES studies(id),
    frame_of_reference_uid TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    number INTEGER,
    modality TEXT NOT NULL DEFAULT 'CT',
    rows INTEGER NOT NULL CHECK (rows >= 0),
    columns INTEGER NOT NULL CHECK (columns >= 0),
    n_slices INTEGER NOT NULL CHECK (n_slices >= 0),
    spacing_x_mm REAL NOT NULL CHECK (spacing_x_mm >= 0),
    spacing_y_mm REAL NOT NULL CHECK (spacing_y_mm >= 0),
    spacing_z_mm REAL NOT NULL CHECK (spacing_z_mm >= 0),
    slice_thickness_mm REAL CHECK (slice_thickness_mm IS NULL OR slice_thickness_mm >= 0),
    multiframe INTEGER NOT NULL DEFAULT 0 CHECK (multiframe IN (0, 1)),
    warnings TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
    imported_at TEXT NOT NULL,
    UNIQUE (series_uid, stack_key)
);
CREATE INDEX series_study ON series(study);

CREATE TABLE series_files (
    id INTEGER PRIMARY KEY,
    series INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    slice_index INTEGER NOT NULL CHECK (slice_index >= 0),
    path TEXT NOT NULL CHECK (path <> ''),
    UNIQUE (series, slice_index),
    UNIQUE (series, path)
);

CREATE TABLE nodules (
    id INTEGER PRIMARY KEY,
    patient INTEGER NOT NULL REFERENCES patients(id),
    label TEXT NOT NULL CHECK (label <> ''),
    tracking_uid TEXT NOT NULL UNIQUE
        CHECK (tracking_uid GLOB '[0-9]*' AND length(tracking_uid) <= 64),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (patient, label)
);

CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    nodule INTEGER NOT NULL REFERENCES nodules(id),
    series INTEGER NOT NULL REFERENCES series(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    replaces INTEGER UNIQUE REFERENCES measurements(id),
    method TEXT NOT NULL CHECK (method IN ('auto', 'manual', 'edited')),
    created_by TEXT NOT NULL CHECK (created_by <> ''),
    created_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    center_x_mm REAL NOT NULL,
    center_y_mm REAL NOT NULL,
    center_z_mm REAL NOT NULL,
    volume_mm3 REAL CHECK (volume_mm3 IS NULL OR volume_mm3 >= 0),
    long_axis_mm REAL CHECK (long_axis_mm IS NULL OR long_axis_mm >= 0),
    short_axis_mm REAL CHECK (short_axis_mm IS NULL OR short_axis_mm >= 0),
    mean_diameter_mm REAL CHECK (mean_diameter_mm IS NULL OR mean_diameter_mm >= 0),
    longest_3d_mm REAL CHECK (longest_3d_mm IS NULL OR longest_3d_mm >= 0),
    mean_hu REAL,
    max_hu REAL,
    density_type TEXT CHECK (density_type IS NULL
        OR density_type IN ('solid', 'part_solid', 'ground_glass')),
    solid_component_mm REAL CHECK (solid_component_mm IS NULL OR solid_component_mm >= 0),
    solid_volume_mm3 REAL CHECK (solid_volume_mm3 IS NULL OR solid_volume_mm3 >= 0),
    mask_ref TEXT,
    mask BLOB,
    lobe TEXT CHECK (lobe IS NULL OR lobe IN ('RUL', 'RML', 'RLL', 'LUL', 'lingula', 'LLL')),
    margin TEXT CHECK (margin IS NULL OR margin IN ('smooth', 'lobulated', 'spiculated')),
    calcification TEXT CHECK (calcification IS NULL OR calcification IN ('absent', 'diffuse',
        'central', 'laminated', 'popcorn', 'stippled', 'eccentric', 'amorphous')),
    location TEXT CHECK (location IS NULL
        OR location IN ('parenchymal', 'perifissural', 'juxtapleural', 'airway')),
    features TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(features) AND json_type(features) = 'array'),
    CHECK (short_axis_mm IS NULL OR long_axis_mm IS NULL OR short_axis_mm <= long_axis_mm),
    CHECK ((version = 1) = (replaces IS NULL))
);
CREATE INDEX measurements_nodule ON measurements(nodule);
CREATE INDEX measurements_series ON measurements(series);
CREATE UNIQUE INDEX measurements_one_first_version ON measurements(nodule, series)
    WHERE replaces IS NULL;

CREATE TRIGGER measurements_version_follows BEFORE INSERT ON measurements
WHEN NEW.replaces IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM measurements AS old WHERE old.id = NEW.replaces AND old.nodule = NEW.nodule
        AND old.series = NEW.series AND old.version + 1 = NEW.version)
BEGIN
    SELECT RAISE(ABORT, 'a revision must replace the previous version on the same series');
END;
CREATE TRIGGER measurements_never_updated BEFORE UPDATE ON measurements
BEGIN
    SELECT RAISE(ABORT, 'measurements are never overwritten: add a revision');
END;
CREATE TRIGGER measurements_never_deleted BEFORE DELETE ON measurements
BEGIN
    SELECT RAISE(ABORT, 'measurements are never deleted: they are the record of what was measured');
END;

CREATE VIEW current_measurements AS
SELECT m.* FROM measurements AS m
WHERE NOT EXISTS (SELECT 1 FROM measurements AS newer WHERE newer.replaces = m.id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    study INTEGER NOT NULL REFERENCES studies(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    replaces INTEGER UNIQUE REFERENCES reports(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    language TEXT NOT NULL CHECK (language IN ('zh_CN', 'en')),
    content TEXT NOT NULL CHECK (json_valid(content) AND json_type(content) = 'object'),
    override_reasons TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(override_reasons) AND json_type(override_reasons) = 'array'),
    output_sop_instance_uids TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(output_sop_instance_uids)
            AND json_type(output_sop_instance_uids) = 'array'),
    created_by TEXT NOT NULL CHECK (created_by <> ''),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    signed_by TEXT,
    signed_at TEXT,
    UNIQUE (study, version),
    CHECK ((version = 1) = (replaces IS NULL)),
    CHECK ((status = 'signed')
        = (signed_by IS NOT NULL AND signed_by <> '' AND signed_at IS NOT NULL))
);
CREATE INDEX reports_study ON reports(study);

CREATE TRIGGER reports_signed_immutable BEFORE UPDATE ON reports
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed report is immutable: amend it to make a new version');
END;
CREATE TRIGGER reports_signed_never_deleted BEFORE DELETE ON reports
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed report is never deleted');
END;
CREATE TRIGGER reports_amend_only_signed BEFORE INSERT ON reports
WHEN NEW.replaces IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM reports AS old WHERE old.id = NEW.replaces AND old.status = 'signed'
        AND old.study = NEW.study AND old.version + 1 = NEW.version)
BEGIN
    SELECT RAISE(ABORT, 'only the current signed report of the same study can be amended');
END;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action <> ''),
    entity TEXT NOT NULL CHECK (entity IN ('patient', 'study', 'series', 'nodule', 'measurement',
        'report', 'outbox', 'store')),
    entity_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(detail))
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TRIGGER audit_log_never_updated BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_never_deleted BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'case_summary', 'series', 'referral')),
    study INTEGER REFERENCES studies(id),
    payload_path TEXT NOT NULL CHECK (payload_path <> ''),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_status ON outbox(status);
"""

SCHEMA_V2_SOLID_COMPONENT = """
ALTER TABLE measurements RENAME COLUMN solid_component_mm TO solid_component_mean_diameter_mm;
ALTER TABLE measurements ADD COLUMN solid_component_long_axis_mm REAL
    CHECK (solid_component_long_axis_mm IS NULL OR solid_component_long_axis_mm >= 0);
"""

_MEASUREMENT_VALUE_COLUMNS_V7 = (
    "id, series, version, replaces, method, created_by, created_at, comment, center_x_mm, "
    "center_y_mm, center_z_mm, volume_mm3, long_axis_mm, short_axis_mm, mean_diameter_mm, "
    "longest_3d_mm, mean_hu, max_hu, density_type, solid_component_mean_diameter_mm, "
    "solid_volume_mm3, mask_ref, mask, lobe, margin, calcification, location, features, "
    "solid_component_long_axis_mm"
)

SCHEMA_V7_FOLLOWUP = f"""
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    baseline_series INTEGER NOT NULL REFERENCES series(id),
    followup_series INTEGER NOT NULL REFERENCES series(id),
    matrix TEXT NOT NULL CHECK (json_valid(matrix) AND json_array_length(matrix) = 4),
    lung_dice REAL NOT NULL CHECK (lung_dice BETWEEN 0 AND 1),
    seconds REAL NOT NULL CHECK (seconds >= 0),
    method TEXT NOT NULL CHECK (method <> ''),
    created_by TEXT NOT NULL CHECK (created_by <> ''),
    created_at TEXT NOT NULL,
    UNIQUE (baseline_series, followup_series, method),
    CHECK (baseline_series <> followup_series)
);

CREATE TABLE nodule_links (
    id INTEGER PRIMARY KEY,
    nodule INTEGER NOT NULL REFERENCES nodules(id),
    series INTEGER NOT NULL REFERENCES series(id),
    action TEXT NOT NULL CHECK (action IN ('matched', 'confirmed', 'relinked', 'split',
        'resolved', 'new')),
    from_nodule INTEGER REFERENCES nodules(id),
    reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL CHECK (decided_by <> ''),
    decided_at TEXT NOT NULL,
    CHECK ((action IN ('relinked', 'split')) = (from_nodule IS NOT NULL))
);
CREATE INDEX nodule_links_nodule ON nodule_links(nodule);
CREATE INDEX nodule_links_series ON nodule_links(series);
CREATE TRIGGER nodule_links_never_updated BEFORE UPDATE ON nodule_links
BEGIN
    SELECT RAISE(ABORT, 'identity decisions are append-only: record a new decision');
END;
CREATE TRIGGER nodule_links_never_deleted BEFORE DELETE ON nodule_links
BEGIN
    SELECT RAISE(ABORT, 'identity decisions are append-only: record a new decision');
END;

DROP TRIGGER measurements_never_updated;
CREATE TRIGGER measurements_never_updated BEFORE UPDATE OF {_MEASUREMENT_VALUE_COLUMNS_V7}
ON measurements
BEGIN
    SELECT RAISE(ABORT, 'measurements are never overwritten: add a revision');
END;
CREATE TRIGGER measurements_move_needs_a_decision BEFORE UPDATE OF nodule ON measurements
WHEN NEW.nodule <> OLD.nodule AND NOT EXISTS (
    SELECT 1 FROM nodule_links AS l WHERE l.id = (SELECT max(id) FROM nodule_links)
        AND l.series = OLD.series AND l.from_nodule = OLD.nodule AND l.nodule = NEW.nodule)
BEGIN
    SELECT RAISE(ABORT, 'a measurement moves to another nodule only by a recorded decision');
END;

CREATE TABLE follow_up_overrides (
    id INTEGER PRIMARY KEY,
    patient INTEGER NOT NULL REFERENCES patients(id),
    next_due TEXT CHECK (next_due IS NULL OR next_due GLOB {ISO_DATE}),
    reason TEXT NOT NULL CHECK (trim(reason) <> ''),
    decided_by TEXT NOT NULL CHECK (decided_by <> ''),
    decided_at TEXT NOT NULL
);
CREATE INDEX follow_up_overrides_patient ON follow_up_overrides(patient);
CREATE TRIGGER follow_up_overrides_never_updated BEFORE UPDATE ON follow_up_overrides
BEGIN
    SELECT RAISE(ABORT, 'follow-up overrides are append-only: record a new one');
END;
"""
