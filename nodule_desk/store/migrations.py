"""Schema versions and the steps between them.

The schema version is SQLite's ``PRAGMA user_version``: 0 for a new, empty file. ``MIGRATIONS[n]``
takes a store from version ``n`` to ``n + 1``; each step runs in its own transaction together with
the version bump, so a failed step leaves the file exactly at the version before it. To change the
schema, append a step (never edit a released one), keep a fixture file of the previous version in
tests/data/store/, and the tests migrate a copy of it.

A file whose version is newer than ``SCHEMA_VERSION`` was written by a newer NoduleDesk: it is
refused, never silently downgraded. Before migrating a file that already holds data, a backup copy
is written beside it (``NAME.vN.bak``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlite_utils

from nodule_desk.errors import StoreError
from nodule_desk.store.schema import SCHEMA_V1, SCHEMA_V2_SOLID_COMPONENT, SCHEMA_V7_FOLLOWUP
from nodule_desk.store.schema_archive import SCHEMA_V3_ARCHIVE
from nodule_desk.store.schema_frozen_reports import SCHEMA_V4_FROZEN_REPORTS
from nodule_desk.store.schema_parent_center import SCHEMA_V6_PARENT_CENTER
from nodule_desk.store.schema_rejections import SCHEMA_V5_REJECTIONS

Migration = Callable[[sqlite_utils.Database], None]


def create_v1(db: sqlite_utils.Database) -> None:
    """Patients, studies, series and their files, nodules, measurements, reports, audit, outbox."""
    for statement in _statements(SCHEMA_V1):
        db.execute(statement)


def name_solid_component_measures(db: sqlite_utils.Database) -> None:
    """v2: the solid component's long axis and mean diameter, each under its own name.

    v1's ``solid_component_mm`` always held the mean diameter (what Lung-RADS v2022 sizes by);
    the long axis (what Fleischner 2017 and C-Lung-RADS read) was not kept.
    """
    for statement in _statements(SCHEMA_V2_SOLID_COMPONENT):
        db.execute(statement)


def add_archive_instances(db: sqlite_utils.Database) -> None:
    """v3: the local archive's instances with their checksums (issue 17: imports survive a removed
    USB stick)."""
    for statement in _statements(SCHEMA_V3_ARCHIVE):
        db.execute(statement)


def freeze_signed_reports(db: sqlite_utils.Database) -> None:
    """v4: a signed report carries the values it was signed with, and the hashes of its files."""
    for statement in _statements(SCHEMA_V4_FROZEN_REPORTS):
        db.execute(statement)


def record_rejections(db: sqlite_utils.Database) -> None:
    """v5: rejected findings, kept with reason, who and when; out of current_measurements."""
    for statement in _statements(SCHEMA_V5_REJECTIONS):
        db.execute(statement)


def link_parent_center(db: sqlite_utils.Database) -> None:
    """v6: pseudonyms, sent studies, consultation/referral requests and opinions of the parent
    center; the outbox's retry schedule."""
    for statement in _statements(SCHEMA_V6_PARENT_CENTER):
        db.execute(statement)


def add_follow_up(db: sqlite_utils.Database) -> None:
    """v7: registrations between series, identity decisions across visits (a measurement moves to
    another nodule only with a recorded decision; its values still never change), and manual
    follow-up dates. A later step that adds a measurement column adds it to the trigger
    ``measurements_never_updated`` too."""
    for statement in _statements(SCHEMA_V7_FOLLOWUP):
        db.execute(statement)


MIGRATIONS: list[Migration] = [
    create_v1,
    name_solid_component_measures,
    add_archive_instances,
    freeze_signed_reports,
    record_rejections,
    link_parent_center,
    add_follow_up,
]


def schema_version() -> int:
    """The version this code writes."""
    return len(MIGRATIONS)


def user_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(db: sqlite_utils.Database, path: Path, known: int | None = None) -> int:
    """The file's version; StoreError if a newer NoduleDesk wrote it (it is left untouched)."""
    known = schema_version() if known is None else known
    found = user_version(db)
    if found > known:
        raise StoreError(
            f"store {path}: schema version {found} was written by a newer NoduleDesk "
            f"(this one knows up to {known}); update NoduleDesk to open it"
        )
    return found


def migrate(db: sqlite_utils.Database, path: Path, steps: Sequence[Migration] | None = None) -> int:
    """Bring the store at ``path`` to the newest version; returns the version it was at."""
    steps = MIGRATIONS if steps is None else steps
    found = refuse_newer(db, path, len(steps))
    if found < len(steps) and found > 0:
        backup(db, path.with_name(f"{path.name}.v{found}.bak"))
    for version in range(found, len(steps)):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            steps[version](db)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(
                    f"store {path}: migration from version {version} to {version + 1} failed, "
                    f"the file is unchanged at version {version}: {error}"
                ) from error
            raise
    return found


def backup(db: sqlite_utils.Database, target: Path) -> None:
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers contain ';' inside BEGIN...END)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]}")
    return statements
