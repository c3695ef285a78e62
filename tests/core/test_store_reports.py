"""Report versions: drafts change, a signed report never does, an amendment is a new version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.errors import StoreError
from nodule_desk.store import Store

STUDY = "1.2.840.1"
FROZEN = {"format": 1, "report": {"impression": "A"}, "measurement_ids": []}


@pytest.fixture
def store(tmp_path: Path):
    record = SeriesRecord(series_uid=f"{STUDY}.1", study_uid=STUDY, patient_id="P1",
                          files=[tmp_path / "1.dcm"], study_date="2025-02-01")
    with Store.open(tmp_path / "store.sqlite", user="dr.li") as opened:
        opened.add_scan_result(ScanResult(series=[record]))
        yield opened


def test_a_draft_is_saved_in_place_until_it_is_signed(store):
    draft = store.save_draft(STUDY, {"impression": "右上叶实性结节"})
    again = store.save_draft(STUDY, {"impression": "右上叶实性结节 8 mm"}, language="en",
                             override_reasons=[{"rule": "lung_rads", "reason": "prior cancer"}])
    assert again.id == draft.id and again.version == 1 and again.status == "draft"
    assert again.content == {"impression": "右上叶实性结节 8 mm"} and again.language == "en"
    assert again.override_reasons == ({"rule": "lung_rads", "reason": "prior cancer"},)
    signed = store.sign(
        draft.id, FROZEN, user="dr.wang", output_sop_instance_uids=["1.2.3", "1.2.4"]
    )
    assert (signed.status, signed.signed_by) == ("signed", "dr.wang")
    assert signed.signed_at is not None and signed.output_sop_instance_uids == ("1.2.3", "1.2.4")
    assert [e["action"] for e in store.audit_entries("report", draft.id)] == [
        "save_draft", "save_draft", "sign_report"]


def test_a_signed_report_is_immutable_through_the_api_and_through_sql(store):
    signed = store.sign(store.save_draft(STUDY, {"impression": "A"}).id, FROZEN)
    with pytest.raises(StoreError, match="is signed .*amend it"):
        store.save_draft(STUDY, {"impression": "B"})
    with pytest.raises(StoreError, match="already signed"):
        store.sign(signed.id, FROZEN)
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="signed report is immutable"):
            conn.execute("UPDATE reports SET content = '{}' WHERE id = ?", (signed.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM reports")
    finally:
        conn.close()
    assert store.get_report(signed.id) == signed


def test_an_amendment_is_a_new_version_that_replaces_the_signed_one(store):
    first = store.sign(store.save_draft(STUDY, {"impression": "A"}).id, FROZEN)
    amended = store.amend(first.id, user="dr.wang")
    assert (amended.version, amended.replaces, amended.status) == (2, first.id, "draft")
    assert amended.content == {"impression": "A"} and amended.created_by == "dr.wang"
    assert store.current_report(STUDY).id == amended.id
    edited = store.save_draft(STUDY, {"impression": "A, corrected"})
    assert edited.id == amended.id
    second = store.sign(amended.id, FROZEN)
    assert [(r.version, r.status) for r in store.report_history(STUDY)] == [
        (1, "signed"), (2, "signed")]
    assert store.get_report(first.id) == first
    with pytest.raises(StoreError, match="already amended"):
        store.amend(first.id)
    with pytest.raises(StoreError, match="is a draft"):
        store.amend(store.amend(second.id).id)


def test_reports_of_an_unknown_study_are_refused(store):
    with pytest.raises(StoreError, match="study 9.9 is not stored"):
        store.save_draft("9.9", {})
    assert store.current_report("9.9") is None


def test_outbox_items_record_their_attempts(store, tmp_path):
    item = store.enqueue("report", tmp_path / "sr.dcm", study_uid=STUDY)
    assert (item.status, item.attempts, item.study_uid) == ("pending", 0, STUDY)
    store.mark_outbox(item.id, "sending")
    failed = store.mark_outbox(item.id, "failed", error="HTTP 503")
    assert (failed.attempts, failed.last_error) == (1, "HTTP 503")
    store.mark_outbox(item.id, "sending")
    sent = store.mark_outbox(item.id, "sent")
    assert (sent.status, sent.attempts) == ("sent", 2) and sent.sent_at is not None
    assert store.outbox_items("pending") == [] and store.outbox_items(None) == [sent]
    with pytest.raises(StoreError, match="kind 'fax' is not one of"):
        store.enqueue("fax", tmp_path / "x")
