"""Issue 17: a signed report never changes, a wrong finding is rejected (never deleted), a
negative exam can be reported, and an override carries its management, reason and author."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.dicom import scan_paths
from nodule_desk.errors import StoreError
from nodule_desk.reports.publish import publish_report
from nodule_desk.reports.sr_reader import read_measurement_report
from nodule_desk.reports.visit_report import build_visit_report, draft_report, override
from nodule_desk.settings import SiteSettings
from nodule_desk.store import MeasurementValues, Store
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

SETTINGS = SiteSettings(institution_name="Qinghe County Hospital", report_language="en")


@pytest.fixture()
def visit(tmp_path: Path):
    volume, _ = make_phantom(PhantomSpec(7.0, density="solid", slice_mm=2.5))
    identity = SeriesIdentity("SR-1", "Sun^Li", dt.date(2026, 3, 1))
    write_ct_series(volume, tmp_path / "ct", identity)
    store = Store.open(tmp_path / "store.sqlite", user="os-user")
    store.add_scan_result(scan_paths([tmp_path / "ct"]))
    yield store, identity
    store.close()


def add_nodule(store: Store, identity: SeriesIdentity, mean_mm: float = 7.0) -> int:
    nodule = store.create_nodule(identity.patient_id)
    values = MeasurementValues(
        center_lps_mm=(0.0, 0.0, 0.0),
        long_axis_mm=mean_mm + 0.3,
        short_axis_mm=mean_mm - 0.3,
        mean_diameter_mm=mean_mm,
        volume_mm3=180.0,
        density_type="solid",
    )
    return store.add_measurement(nodule.id, identity.series_uid, values).id


def pdf_text(path: str) -> str:
    """The text of the PDF (the embedded CJK font maps glyphs as UTF-16, hence the NULs)."""
    return "".join(page.extract_text() for page in PdfReader(path).pages).replace("\x00", "")


def test_a_signed_report_never_changes_and_an_edit_makes_a_pending_amendment(visit, tmp_path):
    store, identity = visit
    measurement_id = add_nodule(store, identity)
    draft_report(store, identity.study_uid, SETTINGS, language="en")
    first = publish_report(store, identity.study_uid, tmp_path / "v1", SETTINGS, "Sun^Li")
    signed = store.current_report(identity.study_uid)
    assert signed.frozen is not None and len(signed.frozen_sha256) == 64

    again = publish_report(store, identity.study_uid, tmp_path / "again", SETTINGS)
    for kind in ("pdf", "sr", "encapsulated_pdf", "kos"):
        assert Path(again[kind]).read_bytes() == Path(first[kind]).read_bytes(), kind
    assert again["sop_instance_uids"] == first["sop_instance_uids"]

    store.revise_measurement(measurement_id, {"long_axis_mm": 9.9, "mean_diameter_mm": 8.6})
    shown = build_visit_report(store, identity.study_uid, SETTINGS)
    assert shown.version == 1 and shown.nodules[0].long_axis_mm == 7.3  # still as signed

    draft = publish_report(store, identity.study_uid, tmp_path / "v2", SETTINGS)
    pending = store.current_report(identity.study_uid)
    assert (pending.version, pending.replaces, pending.status) == (2, signed.id, "draft")
    assert pending.is_amendment_pending
    assert draft["status"] == "draft" and "DRAFT" in pdf_text(draft["pdf"])
    assert store.get_report(signed.id) == signed
    old = publish_report(store, identity.study_uid, tmp_path / "v1b", SETTINGS)
    assert old["version"] == 2  # the current version is the amendment

    second = publish_report(store, identity.study_uid, tmp_path / "v2s", SETTINGS, "Sun^Li")
    text = pdf_text(second["pdf"])
    assert "9.9" in text and "Amended report, version 2 (replaces version 1)" in text
    replaced = read_measurement_report(Path(second["sr"])).replaces_sop_instance_uids
    assert replaced == [first["sop_instance_uids"]["sr"]]


def test_the_audit_names_the_radiologist_who_signed(visit, tmp_path):
    store, identity = visit
    add_nodule(store, identity)
    draft_report(store, identity.study_uid, SETTINGS)
    publish_report(store, identity.study_uid, tmp_path / "out", SETTINGS, "Zhou^Min")
    report = store.current_report(identity.study_uid)
    (signing,) = [
        e for e in store.audit_entries("report", report.id) if e["action"] == "sign_report"
    ]
    assert signing["user"] == "Zhou^Min"


def test_signing_without_frozen_values_is_refused_even_in_sql(visit):
    store, identity = visit
    draft = store.save_draft(identity.study_uid, {"exam_category": "1"})
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="frozen"):
            conn.execute(
                "UPDATE reports SET status = 'signed', signed_by = 'x', signed_at = 'now' "
                "WHERE id = ?",
                (draft.id,),
            )
    finally:
        conn.close()


def test_a_rejected_finding_leaves_the_report_but_stays_in_history_and_audit(visit, tmp_path):
    store, identity = visit
    kept = add_nodule(store, identity, 7.0)
    vessel = add_nodule(store, identity, 3.7)
    with pytest.raises(StoreError, match="reason"):
        store.reject_finding(vessel, "  ")
    rejection = store.reject_finding(vessel, "vessel cross-section", user="dr.zhou")
    assert (rejection.nodule_label, rejection.rejected_by) == ("N2", "dr.zhou")
    current = store.current_measurements(study_uid=identity.study_uid)
    assert [m.id for m in current] == [kept]
    assert store.get_measurement(vessel).mean_diameter_mm == 3.7
    (entry,) = [
        e for e in store.audit_entries("measurement", vessel) if e["action"] == "reject_finding"
    ]
    assert entry["user"] == "dr.zhou" and entry["detail"]["reason"] == "vessel cross-section"
    with pytest.raises(StoreError, match="rejected"):
        store.revise_measurement(vessel, {"long_axis_mm": 4.0})
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM rejections")
    finally:
        conn.close()
    draft_report(store, identity.study_uid, SETTINGS)
    visit_report = build_visit_report(store, identity.study_uid, SETTINGS)
    assert [n.label for n in visit_report.nodules] == ["N1"]


def test_a_study_without_nodules_is_reported_as_lung_rads_1(visit, tmp_path):
    store, identity = visit
    draft = draft_report(store, identity.study_uid, SETTINGS)
    # Lung-RADS v2022 category 1: "Continue annual screening with LDCT in 12 months"
    assert draft.content["exam_category"] == "1"
    assert draft.content["follow_up_date"] == "2027-03-01"
    result = publish_report(store, identity.study_uid, tmp_path / "out", SETTINGS, "Sun^Li")
    assert result["status"] == "signed" and result["exam_category"] == "1"
    text = pdf_text(result["pdf"])
    assert "No pulmonary nodule." in text and "annual screening" in text
    # TID 1500 needs a measurement group: a negative exam goes out as the Encapsulated PDF only
    assert "kos" not in result and "sr" not in result
    assert Path(result["encapsulated_pdf"]).exists()


def test_an_override_carries_its_management_reason_and_author(visit, tmp_path):
    store, identity = visit
    add_nodule(store, identity)
    draft_report(store, identity.study_uid, SETTINGS)
    changed = override(
        store, identity.study_uid, {"exam_category": "4B"}, "spiculated", user="dr.zhou"
    )
    # v2022 4B: "Diagnostic chest CT with or without contrast ...", no scheduled LDCT
    assert changed.content["management"].startswith("Diagnostic chest CT")
    assert changed.content["follow_up_date"] is None
    assert changed.override_reasons[-1]["by"] == "dr.zhou"
    result = publish_report(store, identity.study_uid, tmp_path / "out", SETTINGS, "Sun^Li")
    text = pdf_text(result["pdf"])
    assert "4B (changed by the radiologist; guideline category: 3)" in text
    assert "Reason for the change: spiculated (dr.zhou)" in text
