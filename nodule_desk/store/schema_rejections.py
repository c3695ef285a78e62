"""v5: a finding the radiologist rejects (a vessel measured by mistake) is recorded, never deleted.

A rejection names the nodule, the series and the measurement version that was in force, with the
reason, who and when. Rejections are append-only like the audit log. The ``current_measurements``
view leaves out a nodule's measurements on a series where it was rejected, so a rejected finding
reaches neither the guidelines nor the report; ``measurements`` keeps every version.
"""

from __future__ import annotations

SCHEMA_V5_REJECTIONS = """
CREATE TABLE rejections (
    id INTEGER PRIMARY KEY,
    nodule INTEGER NOT NULL REFERENCES nodules(id),
    series INTEGER NOT NULL REFERENCES series(id),
    measurement INTEGER NOT NULL UNIQUE REFERENCES measurements(id),
    reason TEXT NOT NULL CHECK (trim(reason) <> ''),
    rejected_by TEXT NOT NULL CHECK (rejected_by <> ''),
    rejected_at TEXT NOT NULL,
    UNIQUE (nodule, series)
);
CREATE TRIGGER rejections_never_updated BEFORE UPDATE ON rejections
BEGIN
    SELECT RAISE(ABORT, 'a rejection is part of the record: it is never changed');
END;
CREATE TRIGGER rejections_never_deleted BEFORE DELETE ON rejections
BEGIN
    SELECT RAISE(ABORT, 'a rejection is part of the record: it is never deleted');
END;
CREATE TRIGGER rejected_findings_are_not_revised BEFORE INSERT ON measurements
WHEN EXISTS (SELECT 1 FROM rejections AS r WHERE r.nodule = NEW.nodule AND r.series = NEW.series)
BEGIN
    SELECT RAISE(ABORT, 'this finding was rejected on this series');
END;

DROP VIEW current_measurements;
CREATE VIEW current_measurements AS
SELECT m.* FROM measurements AS m
WHERE NOT EXISTS (SELECT 1 FROM measurements AS newer WHERE newer.replaces = m.id)
    AND NOT EXISTS (SELECT 1 FROM rejections AS r
        WHERE r.nodule = m.nodule AND r.series = m.series);
"""
