"""v4: a signed report keeps the values it was signed with, hashed, and the hashes of its files.

``frozen`` is the rendered report's data (what the PDF and SR were made from) as canonical JSON,
``frozen_sha256`` its SHA-256, ``output_sha256`` a JSON object file name -> SHA-256 of the outputs
written at signing. A report signed from v4 on cannot be signed without them; reports signed
before v3 keep NULL (they are shown as they were, from the live measurements).
"""

from __future__ import annotations

SCHEMA_V4_FROZEN_REPORTS = """
ALTER TABLE reports ADD COLUMN frozen TEXT
    CHECK (frozen IS NULL OR (json_valid(frozen) AND json_type(frozen) = 'object'));
ALTER TABLE reports ADD COLUMN frozen_sha256 TEXT
    CHECK (frozen_sha256 IS NULL OR length(frozen_sha256) = 64);
ALTER TABLE reports ADD COLUMN output_sha256 TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(output_sha256) AND json_type(output_sha256) = 'object');

CREATE TRIGGER reports_signed_with_frozen_values BEFORE UPDATE ON reports
WHEN OLD.status = 'draft' AND NEW.status = 'signed'
    AND (NEW.frozen IS NULL OR NEW.frozen_sha256 IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a report is signed together with the values it shows (frozen)');
END;
CREATE TRIGGER reports_draft_has_no_frozen_values BEFORE UPDATE ON reports
WHEN NEW.status = 'draft' AND NEW.frozen IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'only a signed report has frozen values');
END;
"""
