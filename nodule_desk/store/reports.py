"""Report versions: a draft is edited in place; a signed report is immutable and is changed only
by an amendment, a new version that points at the one it replaces."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.models import LANGUAGES, Report, check_choice
from nodule_desk.store.rejections import RejectionQueries

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
        frozen=_verified_frozen(row),
        frozen_sha256=row["frozen_sha256"],
        output_sha256=json.loads(row["output_sha256"]),
    )


def frozen_sha256(frozen: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a signed report's values."""
    return hashlib.sha256(_json(dict(frozen)).encode("utf-8")).hexdigest()


def _verified_frozen(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["frozen"] is None:
        return None
    frozen = json.loads(row["frozen"])
    if frozen_sha256(frozen) != row["frozen_sha256"]:
        raise StoreError(
            f"report {row['id']} (study {row['study_uid']}, version {row['version']}): the "
            "signed values do not match their hash; the store was changed outside NoduleDesk"
        )
    return frozen


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ReportQueries(RejectionQueries):
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
        frozen: Mapping[str, Any],
        user: str | None = None,
        output_sop_instance_uids: Sequence[str] = (),
        output_sha256: Mapping[str, str] | None = None,
        signed_at: str | None = None,
    ) -> Report:
        """Sign the current draft; from then on neither this API nor SQL can change it.

        ``frozen`` is the report's data as rendered for signing (reports/frozen.py): a signed
        version is shown and exported only from it. ``output_sop_instance_uids`` are the UIDs of
        the SR / PDF objects made from it, ``output_sha256`` the hashes of the files written."""
        user = user or self.user
        with self.transaction():
            report = self.get_report(report_id)
            if report.status == "signed":
                raise StoreError(f"report {report_id} is already signed by {report.signed_by}")
            stamp = now_utc()
            self.db.execute(
                "UPDATE reports SET status = 'signed', signed_by = ?, signed_at = ?, "
                "output_sop_instance_uids = ?, updated_at = ?, frozen = ?, frozen_sha256 = ?, "
                "output_sha256 = ? WHERE id = ?",
                (
                    user,
                    signed_at or stamp,
                    _json(list(output_sop_instance_uids)),
                    stamp,
                    _json(dict(frozen)),
                    frozen_sha256(frozen),
                    _json(dict(output_sha256 or {})),
                    report_id,
                ),
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
        reason: str = "",
    ) -> Report:
        """A new draft version that replaces the signed report ``report_id`` (its content copied
        unless ``content`` is given): the amendment is pending until it is signed."""
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
            self.audit("amend_report", "report", new_id, user, replaces=report_id, reason=reason)
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
