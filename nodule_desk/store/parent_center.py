"""Pseudonyms, studies sent, consultation/referral requests and opinions of the parent center."""

from __future__ import annotations

import random
import secrets
from pathlib import Path
from typing import Any

from nodule_desk.errors import StoreError
from nodule_desk.store.connection import now_utc, translated
from nodule_desk.store.models import (
    REQUEST_KINDS,
    REQUEST_STATUSES,
    URGENCIES,
    ParentOpinion,
    ParentRequest,
    PatientPseudonym,
    check_choice,
)
from nodule_desk.store.reports import ReportQueries

DATE_SHIFT_RANGE_DAYS = (-730, -30)
"""A per-patient shift of one to 24 months into the past: intervals between visits stay exact."""

_REQUEST_SELECT = (
    "SELECT r.*, st.study_uid, p.patient_id FROM parent_requests AS r "
    "JOIN studies AS st ON st.id = r.study JOIN patients AS p ON p.id = st.patient"
)
_OPINION_SELECT = (
    "SELECT o.*, st.study_uid, p.patient_id FROM parent_opinions AS o "
    "JOIN studies AS st ON st.id = o.study JOIN patients AS p ON p.id = st.patient"
)


def _pseudonym(row: dict[str, Any]) -> PatientPseudonym:
    return PatientPseudonym(
        id=row["id"],
        patient_id=row["patient_id"],
        branch_id=row["branch_id"],
        pseudonym=row["pseudonym"],
        date_shift_days=row["date_shift_days"],
        uid_key=row["uid_key"],
    )


def _request(row: dict[str, Any]) -> ParentRequest:
    return ParentRequest(
        **{k: row[k] for k in ("id", "study_uid", "patient_id", "kind", "question", "urgency")},
        status=row["status"],
        requested_by=row["requested_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _opinion(row: dict[str, Any]) -> ParentOpinion:
    fields = ParentOpinion.__dataclass_fields__
    return ParentOpinion(
        **{k: row[k] for k in fields if k != "request_id"}, request_id=row["request"]
    )


class ParentCenterQueries(ReportQueries):
    @translated
    def pseudonym_for(self, patient_id: str, branch_id: str) -> PatientPseudonym:
        """The patient's pseudonym at the parent center, made on first use and never changed."""
        with self.transaction():
            patient = self.patient_row_id(patient_id)
            row = self.query_one(
                "SELECT ps.*, p.patient_id FROM parent_pseudonyms AS ps "
                "JOIN patients AS p ON p.id = ps.patient WHERE ps.patient = ? AND ps.branch_id = ?",
                (patient, branch_id),
            )
            if row is not None:
                return _pseudonym(row)
            pseudonym = f"{branch_id}-{secrets.token_hex(6).upper()}"
            shift = random.SystemRandom().randint(*DATE_SHIFT_RANGE_DAYS)
            item_id = self.db.execute(
                "INSERT INTO parent_pseudonyms (patient, branch_id, pseudonym, date_shift_days, "
                "uid_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (patient, branch_id, pseudonym, shift, secrets.token_hex(32), now_utc()),
            ).lastrowid
            self.audit("create_pseudonym", "patient", patient, self.user, branch_id=branch_id)
        return self.pseudonym_by_name(pseudonym, expected_id=item_id)

    @translated
    def pseudonym_by_name(self, pseudonym: str, expected_id: int | None = None) -> PatientPseudonym:
        row = self.query_one(
            "SELECT ps.*, p.patient_id FROM parent_pseudonyms AS ps "
            "JOIN patients AS p ON p.id = ps.patient WHERE ps.pseudonym = ?",
            (pseudonym,),
        )
        if row is None:
            raise StoreError(f"store {self.path}: no patient has the pseudonym {pseudonym!r}")
        return _pseudonym(row)

    @translated
    def record_parent_study(
        self, study_uid: str, pseudonym: PatientPseudonym, deidentified_study_uid: str
    ) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO parent_studies (study, pseudonym, deidentified_study_uid, "
                "created_at) VALUES (?, ?, ?, ?)",
                (self.study_id(study_uid), pseudonym.id, deidentified_study_uid, now_utc()),
            )

    @translated
    def record_sent_series(self, deidentified_study_uid: str, series_uids: list[str]) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO parent_sent_series (series_uid, deidentified_study_uid, "
                "created_at) VALUES (?, ?, ?)",
                [(uid, deidentified_study_uid, now_utc()) for uid in series_uids],
            )

    @translated
    def sent_series_uids(self, deidentified_study_uid: str) -> set[str]:
        rows = self.query_all(
            "SELECT series_uid FROM parent_sent_series WHERE deidentified_study_uid = ?",
            (deidentified_study_uid,),
        )
        return {row["series_uid"] for row in rows}

    @translated
    def parent_studies(self) -> list[dict[str, str]]:
        """Each pseudonymised study sent: {"deidentified_study_uid", "study_uid", "patient_id"}."""
        return self.query_all(
            "SELECT ps.deidentified_study_uid, st.study_uid, p.patient_id, pp.pseudonym "
            "FROM parent_studies AS ps JOIN studies AS st ON st.id = ps.study "
            "JOIN patients AS p ON p.id = st.patient "
            "JOIN parent_pseudonyms AS pp ON pp.id = ps.pseudonym ORDER BY ps.id"
        )

    @translated
    def create_request(
        self, study_uid: str, kind: str, question: str, urgency: str, user: str | None = None
    ) -> ParentRequest:
        check_choice("kind", kind, REQUEST_KINDS)
        check_choice("urgency", urgency, URGENCIES)
        if not question.strip():
            raise StoreError("a consultation or referral needs a question for the parent center")
        user = user or self.user
        with self.transaction():
            stamp = now_utc()
            study = self.study_id(study_uid)
            request_id = self.db.execute(
                "INSERT INTO parent_requests (study, kind, question, urgency, status, "
                "requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'requested', ?, ?, ?)",
                (study, kind, question.strip(), urgency, user, stamp, stamp),
            ).lastrowid
            self.audit(f"request_{kind}", "study", study, user, urgency=urgency)
        return self.get_request(int(request_id or 0))

    @translated
    def get_request(self, request_id: int) -> ParentRequest:
        row = self.query_one(_REQUEST_SELECT + " WHERE r.id = ?", (request_id,))
        if row is None:
            raise StoreError(f"store {self.path}: no parent-center request with id {request_id}")
        return _request(row)

    @translated
    def requests_of_study(self, study_uid: str) -> list[ParentRequest]:
        rows = self.query_all(
            _REQUEST_SELECT + " WHERE st.study_uid = ? ORDER BY r.id", (study_uid,)
        )
        return [_request(row) for row in rows]

    @translated
    def set_request_status(
        self, request_id: int, status: str, user: str | None = None
    ) -> ParentRequest:
        check_choice("status", status, REQUEST_STATUSES)
        user = user or self.user
        with self.transaction():
            request = self.get_request(request_id)
            self.db.execute(
                "UPDATE parent_requests SET status = ?, updated_at = ? WHERE id = ?",
                (status, now_utc(), request_id),
            )
            self.audit(f"request_{status}", "study", self.study_id(request.study_uid), user)
        return self.get_request(request_id)

    @translated
    def add_opinion(self, study_uid: str, path: Path, **fields: Any) -> ParentOpinion | None:
        """Store an opinion once (by SOP Instance UID); None if it was already stored. An open
        request of the study is answered (consultation) or accepted (referral) by it."""
        with self.transaction():
            study = self.study_id(study_uid)
            uid = fields["sop_instance_uid"]
            if self.query_one("SELECT 1 FROM parent_opinions WHERE sop_instance_uid = ?", (uid,)):
                return None
            open_request = self.query_one(
                "SELECT id, kind FROM parent_requests WHERE study = ? "
                "AND status IN ('requested', 'sent', 'referred') ORDER BY id DESC LIMIT 1",
                (study,),
            )
            columns = ("sop_instance_uid", "sop_class_uid", "modality", "expert", "opinion_date")
            values = [fields.get(c, "") or (None if c == "opinion_date" else "") for c in columns]
            opinion_id = self.db.execute(
                "INSERT INTO parent_opinions (study, request, path, title, text, received_at, "
                + ", ".join(columns)
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    study,
                    open_request["id"] if open_request else None,
                    str(path),
                    fields.get("title", ""),
                    fields.get("text", ""),
                    now_utc(),
                    *values,
                ),
            ).lastrowid
            if open_request is not None:
                status = "answered" if open_request["kind"] == "consultation" else "accepted"
                self.db.execute(
                    "UPDATE parent_requests SET status = ?, updated_at = ? WHERE id = ?",
                    (status, now_utc(), open_request["id"]),
                )
            self.audit("receive_opinion", "study", study, self.user, sop_instance_uid=uid)
        row = self.query_one(_OPINION_SELECT + " WHERE o.id = ?", (opinion_id,))
        return _opinion(row) if row else None

    @translated
    def opinions(
        self, patient_id: str | None = None, study_uid: str | None = None
    ) -> list[ParentOpinion]:
        rows = self.query_all(
            _OPINION_SELECT + " WHERE (:p IS NULL OR p.patient_id = :p) "
            "AND (:s IS NULL OR st.study_uid = :s) ORDER BY o.id",
            {"p": patient_id, "s": study_uid},
        )
        return [_opinion(row) for row in rows]

    @translated
    def known_opinion_uids(self) -> set[str]:
        rows = self.query_all("SELECT sop_instance_uid FROM parent_opinions")
        return {row["sop_instance_uid"] for row in rows}
