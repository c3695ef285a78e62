"""Schema version 6: the link to the parent center (issue 11), frozen once released.

- ``parent_pseudonyms``: who each patient is at the parent center (per branch ID), with the
  per-patient date shift and UID key of the de-identification; never sent anywhere.
- ``parent_studies``: the pseudonymised StudyInstanceUID of each study sent, so that what the
  parent stores in it comes back to the right study and patient.
- ``parent_sent_series``: the pseudonymised series the branch sent, so that polling tells the
  parent's objects from its own.
- ``parent_requests``: consultation and referral requests on a study and their status.
- ``parent_opinions``: what came back (SR or PDF of the parent's experts); append-only.
- ``outbox`` gains the retry schedule (``next_attempt_at``), the request it carries, the number
  of instances in its payload and the pseudonymised study it goes to.
"""

from __future__ import annotations

from nodule_desk.store.schema import ISO_DATE

SCHEMA_V6_PARENT_CENTER = f"""
CREATE TABLE parent_pseudonyms (
    id INTEGER PRIMARY KEY,
    patient INTEGER NOT NULL REFERENCES patients(id),
    branch_id TEXT NOT NULL CHECK (branch_id <> ''),
    pseudonym TEXT NOT NULL UNIQUE CHECK (pseudonym <> ''),
    date_shift_days INTEGER NOT NULL,
    uid_key TEXT NOT NULL CHECK (length(uid_key) >= 32),
    created_at TEXT NOT NULL,
    UNIQUE (patient, branch_id)
);
CREATE TRIGGER parent_pseudonyms_never_updated BEFORE UPDATE ON parent_pseudonyms
BEGIN
    SELECT RAISE(ABORT, 'a pseudonym never changes: what came back must still re-link');
END;

CREATE TABLE parent_studies (
    id INTEGER PRIMARY KEY,
    study INTEGER NOT NULL REFERENCES studies(id),
    pseudonym INTEGER NOT NULL REFERENCES parent_pseudonyms(id),
    deidentified_study_uid TEXT NOT NULL UNIQUE CHECK (deidentified_study_uid <> ''),
    created_at TEXT NOT NULL,
    UNIQUE (study, pseudonym)
);

CREATE TABLE parent_sent_series (
    series_uid TEXT PRIMARY KEY CHECK (series_uid <> ''),
    deidentified_study_uid TEXT NOT NULL REFERENCES parent_studies(deidentified_study_uid),
    created_at TEXT NOT NULL
);

CREATE TABLE parent_requests (
    id INTEGER PRIMARY KEY,
    study INTEGER NOT NULL REFERENCES studies(id),
    kind TEXT NOT NULL CHECK (kind IN ('consultation', 'referral')),
    question TEXT NOT NULL CHECK (trim(question) <> ''),
    urgency TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'emergency')),
    status TEXT NOT NULL CHECK (status IN ('requested', 'sent', 'answered', 'referred',
        'accepted', 'returned')),
    requested_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX parent_requests_study ON parent_requests(study);

CREATE TABLE parent_opinions (
    id INTEGER PRIMARY KEY,
    study INTEGER NOT NULL REFERENCES studies(id),
    request INTEGER REFERENCES parent_requests(id),
    sop_instance_uid TEXT NOT NULL UNIQUE CHECK (sop_instance_uid <> ''),
    sop_class_uid TEXT NOT NULL,
    modality TEXT NOT NULL DEFAULT '',
    expert TEXT NOT NULL DEFAULT '',
    opinion_date TEXT CHECK (opinion_date IS NULL OR opinion_date GLOB {ISO_DATE}),
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL CHECK (path <> ''),
    received_at TEXT NOT NULL,
    seen_at TEXT
);
CREATE INDEX parent_opinions_study ON parent_opinions(study);
CREATE TRIGGER parent_opinions_never_deleted BEFORE DELETE ON parent_opinions
BEGIN
    SELECT RAISE(ABORT, 'an opinion is part of the history of the patient');
END;

ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN request INTEGER REFERENCES parent_requests(id);
ALTER TABLE outbox ADD COLUMN instances INTEGER NOT NULL DEFAULT 0 CHECK (instances >= 0);
ALTER TABLE outbox ADD COLUMN deidentified_study_uid TEXT;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
"""
