"""Report versions: a draft is edited in place; a signed report is immutable and is changed only
by an amendment, a new version that points at the one it replaces."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.measurements import MeasurementQueries
from nodule_desk.store.models import LANGUAGES, Report, check_choice

_REPORT_SELECT = "SELECT r.*, st.study_uid FROM reports AS r JOIN studies AS st ON st.id = r.study"
_CURRENT = " AND NOT EXISTS (SELECT 1 FROM reports AS newer WHERE newer.replaces = r.id)"


def _report(row: dict[str, Any]) -> Report:
    return Report(
        id=row["id"],
        study_uid=row["study_uid"],
        version=row["version"],
        replaces=row["replaces"],
        status=row["status"],
        language=row["language"],
        content=json.loads(row["content"]),
        override_reasons=tuple(json.loads(row["override_reasons"])),
        output_sop_instance_uids=tuple(json.loads(row["output_sop_instance_uids"])),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        signed_by=row["signed_by"],
        signed_at=row["signed_at"],
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ReportQueries(MeasurementQueries):
    @translated
    def save_draft(
        self,
        study_uid: str,
        content: Mapping[str, Any],
        user: str | None = None,
        language: str = "zh_CN",
        override_reasons: Sequence[Mapping[str, Any]] = (),
    ) -> Report:
        """Create the study's report, or update its current draft. ``override_reasons`` say why
        the radiologist departed from a guideline's recommendation ({"rule", "reason"} items)."""
        user = user or self.user
        check_choice("language", language, LANGUAGES)
        with self.transaction():
            study = self.study_id(study_uid)
            current = self.current_report(study_uid)
            if current is not None and current.status == "signed":
                raise StoreError(
                    f"the report of study {study_uid} is signed (version "
                    f"{current.version}): amend it to change it"
                )
            stamp = now_utc()
            fields = (_json(dict(content)), language, _json([dict(r) for r in override_reasons]))
            if current is None:
                report_id = self.db.execute(
                    "INSERT INTO reports (study, version, status, content, language, "
                    "override_reasons, created_by, created_at, updated_at) "
                    "VALUES (?, 1, 'draft', ?, ?, ?, ?, ?, ?)",
                    (study, *fields, user, stamp, stamp),
                ).lastrowid
                report_id = int(report_id or 0)
            else:
                report_id = current.id
                self.db.execute(
                    "UPDATE reports SET content = ?, language = ?, override_reasons = ?, "
                    "updated_at = ? WHERE id = ?",
                    (*fields, stamp, report_id),
                )
            self.audit("save_draft", "report", report_id, user, study_uid=study_uid)
        return self.get_report(report_id)

    @translated
    def sign(
        self,
        report_id: int,
        user: str | None = None,
        output_sop_instance_uids: Sequence[str] = (),
    ) -> Report:
        """Sign the current draft; from then on neither this API nor SQL can change it.
        ``output_sop_instance_uids`` are the UIDs of the SR / PDF objects made from it."""
        user = user or self.user
        with self.transaction():
            report = self.get_report(report_id)
            if report.status == "signed":
                raise StoreError(f"report {report_id} is already signed by {report.signed_by}")
            self.db.execute(
                "UPDATE reports SET status = 'signed', signed_by = ?, signed_at = ?, "
                "output_sop_instance_uids = ?, updated_at = ? WHERE id = ?",
                (user, now_utc(), _json(list(output_sop_instance_uids)), now_utc(), report_id),
            )
            self.audit(
                "sign_report",
                "report",
                report_id,
                user,
                study_uid=report.study_uid,
                version=report.version,
            )
        return self.get_report(report_id)

    @translated
    def amend(
        self,
        report_id: int,
        user: str | None = None,
        content: Mapping[str, Any] | None = None,
        language: str | None = None,
    ) -> Report:
        """A new draft version that replaces the signed report ``report_id`` (its content copied
        unless ``content`` is given); sign it to put it in force."""
        user = user or self.user
        check_choice("language", language, LANGUAGES)
        with self.transaction():
            old = self.get_report(report_id)
            if old.status != "signed":
                raise StoreError(f"report {report_id} is a draft: edit it with save_draft")
            if self.query_one("SELECT 1 FROM reports WHERE replaces = ?", (report_id,)):
                raise StoreError(f"report {report_id} was already amended: amend the current one")
            stamp = now_utc()
            new_id = self.db.execute(
                "INSERT INTO reports (study, version, replaces, status, language, content, "
                "override_reasons, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
                (
                    self.study_id(old.study_uid),
                    old.version + 1,
                    report_id,
                    language or old.language,
                    _json(dict(content) if content is not None else old.content),
                    _json(list(old.override_reasons)),
                    user,
                    stamp,
                    stamp,
                ),
            ).lastrowid
            self.audit("amend_report", "report", new_id, user, replaces=report_id)
        return self.get_report(int(new_id or 0))

    @translated
    def get_report(self, report_id: int) -> Report:
        row = self.query_one(_REPORT_SELECT + " WHERE r.id = ?", (report_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no report with id {report_id}")
        return _report(row)

    @translated
    def current_report(self, study_uid: str) -> Report | None:
        """The study's report in force or being written: the version no other replaces."""
        row = self.query_one(_REPORT_SELECT + " WHERE st.study_uid = ?" + _CURRENT, (study_uid,))
        return _report(row) if row else None

    @translated
    def report_history(self, study_uid: str) -> list[Report]:
        rows = self.query_all(
            _REPORT_SELECT + " WHERE st.study_uid = ? ORDER BY r.version", (study_uid,)
        )
        return [_report(row) for row in rows]

    @translated
    def follow_ups_due(self) -> dict[str, tuple[str, str | None]]:
        """Per patient ID: (follow-up date, Lung-RADS category) that the signed report of their
        latest reported study recommends; what the branch's follow-up worklist is made of."""
        rows = self.query_all(
            "SELECT p.patient_id, st.study_date, "
            "json_extract(r.content, '$.follow_up_date') AS follow_up_date, "
            "json_extract(r.content, '$.exam_category') AS category "
            "FROM reports AS r JOIN studies AS st ON st.id = r.study "
            "JOIN patients AS p ON p.id = st.patient "
            "WHERE r.status = 'signed'" + _CURRENT + " ORDER BY st.study_date, r.version"
        )
        return {
            row["patient_id"]: (row["follow_up_date"], row["category"])
            for row in rows
            if row["follow_up_date"]
        }
