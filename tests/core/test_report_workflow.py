"""A visit from measurement to signed report: draft through the guidelines, override with a
reason, export, sign, amend; and the `report` CLI on a real store."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydicom import dcmread

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.errors import StoreError
from nodule_desk.followup.nodule_records import measure_and_record
from nodule_desk.reports.publish import publish_report
from nodule_desk.reports.sr_reader import read_measurement_report
from nodule_desk.reports.visit_report import (
    ReportNotReady,
    classification_input,
    draft_report,
    override,
)
from nodule_desk.settings import SiteSettings
from nodule_desk.store import Store
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

REPO = Path(__file__).resolve().parents[2]


def nodule_desk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nodule_desk", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


SETTINGS = SiteSettings(institution_name="清河县人民医院")


@pytest.fixture()
def measured_visit(tmp_path: Path):
    volume, _ = make_phantom(PhantomSpec(7.0, density="solid", slice_mm=1.25))
    identity = SeriesIdentity(
        "RW-1", "Sun^Li", dt.date(2026, 3, 1), patient_birth_date=dt.date(1960, 2, 1)
    )
    write_ct_series(volume, tmp_path / "ct", identity)
    db = tmp_path / "store.sqlite"
    with Store.open(db, user="dr.sun") as store:
        store.add_scan_result(scan_paths([tmp_path / "ct"]))
        measure_and_record(
            store, load_series_dir(tmp_path / "ct"), (0.0, 0.0, 0.0), identity.series_uid
        )
    return db, identity


def test_findings_follow_the_classify_contract(measured_visit):
    db, identity = measured_visit
    with Store.open(db) as store:
        findings = classification_input(store, identity.study_uid, "screening")
    assert findings["exam"] == {
        "date": "2026-03-01",
        "context": "screening",
        "prior_exam_date": None,
        "baseline_exam_date": "2026-03-01",
        "screening_round": "baseline",
        "patient_age": 66,
    }
    nodule = findings["nodules"][0]
    assert nodule["id"] == "N1" and nodule["density_type"] == "solid"
    assert 6.5 < nodule["mean_diameter_mm"] < 7.5
    assert nodule["prior"] is None and nodule["location"] == "parenchymal"


def test_draft_override_sign_and_amend(measured_visit, tmp_path: Path):
    db, identity = measured_visit
    with Store.open(db, user="dr.sun") as store:
        draft = draft_report(store, identity.study_uid, SETTINGS)
        assert draft.status == "draft"
        assert draft.content["exam_category"] == "3"  # baseline solid, 6 to < 8 mm
        with pytest.raises(ReportNotReady):
            override(store, identity.study_uid, {"exam_category": "4A"}, reason=" ")
        changed = override(
            store, identity.study_uid, {"exam_category": "4A"}, reason="spiculated margin"
        )
        assert changed.override_reasons[-1]["reason"] == "spiculated margin"

        result = publish_report(
            store, identity.study_uid, tmp_path / "v1", SETTINGS, sign_as="Sun^Li"
        )
        assert result["status"] == "signed" and result["exam_category"] == "4A"
        signed = store.current_report(identity.study_uid)
        assert signed.status == "signed"
        assert set(signed.output_sop_instance_uids) == set(result["sop_instance_uids"].values())
        with pytest.raises(StoreError):
            store.save_draft(identity.study_uid, {"exam_category": "2"})
        # the override carries its category's management: Lung-RADS v2022 4A, "3-month LDCT"
        assert store.follow_ups_due() == {"RW-1": ("2026-06-01", "4A")}

        amended = store.amend(signed.id)
        second = publish_report(
            store, identity.study_uid, tmp_path / "v2", SETTINGS, sign_as="Sun^Li"
        )
    first_sr = dcmread(result["sr"])
    replaced = read_measurement_report(Path(second["sr"])).replaces_sop_instance_uids
    assert amended.version == 2 and second["version"] == 2
    assert replaced == [first_sr.SOPInstanceUID]
    assert Path(second["pdf"]).read_bytes()[:4] == b"%PDF"


def test_report_cli_writes_every_output(measured_visit, tmp_path: Path):
    db, identity = measured_visit
    done = nodule_desk(
        "report",
        "--db",
        str(db),
        "--study-uid",
        identity.study_uid,
        "--out",
        str(tmp_path / "out"),
        "--language",
        "en",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "draft" and result["language"] == "en"
    for key in ("pdf", "sr", "encapsulated_pdf", "kos"):
        assert Path(result[key]).exists(), key
    assert dcmread(result["kos"]).StudyInstanceUID == identity.study_uid

    read_back = nodule_desk("read-sr", result["sr"])
    assert read_back.returncode == 0, read_back.stderr
    findings = json.loads(read_back.stdout)["findings"]
    with Store.open(db) as store:
        stored = store.current_measurements(study_uid=identity.study_uid)
    assert [(f["tracking_uid"], f["mean_diameter_mm"], f["volume_mm3"]) for f in findings] == [
        (m.tracking_uid, m.mean_diameter_mm, m.volume_mm3) for m in stored
    ]


def test_report_cli_on_an_unknown_study_fails_clearly(measured_visit, tmp_path: Path):
    db, _ = measured_visit
    done = nodule_desk(
        "report", "--db", str(db), "--study-uid", "1.2.3.4", "--out", str(tmp_path / "out")
    )
    assert done.returncode == 2
    assert "1.2.3.4" in done.stderr


def test_incidental_exam_is_drafted_from_fleischner(measured_visit):
    db, identity = measured_visit
    with Store.open(db) as store:
        draft = draft_report(store, identity.study_uid, SETTINGS, context="incidental")
    content = draft.content
    assert content["guideline"] == "fleischner"
    assert content["exam_category"] is None
    assert "6" in content["management"] and content["follow_up_months"] == 6
    assert content["follow_up_date"] == "2026-09-01"


def test_follow_up_findings_carry_the_prior_and_its_category(tmp_path: Path):
    from nodule_desk.store import MeasurementValues

    volume, _ = make_phantom(PhantomSpec(7.0, density="solid", slice_mm=1.25))
    visits = []
    for date in (dt.date(2025, 3, 1), dt.date(2026, 3, 2)):
        identity = SeriesIdentity("RW-2", "Gao^Yu", date, patient_birth_date=dt.date(1959, 1, 1))
        write_ct_series(volume, tmp_path / date.isoformat(), identity)
        visits.append(identity)
    with Store.open(tmp_path / "store.sqlite") as store:
        store.add_scan_result(scan_paths([tmp_path]))
        nodule = store.create_nodule("RW-2")
        for identity, mean in zip(visits, (7.0, 7.4), strict=True):
            store.add_measurement(
                nodule.id,
                identity.series_uid,
                MeasurementValues(
                    center_lps_mm=(0.0, 0.0, 0.0),
                    long_axis_mm=mean + 0.3,
                    short_axis_mm=mean - 0.3,
                    mean_diameter_mm=mean,
                    volume_mm3=180.0,
                    density_type="solid",
                ),
            )
        baseline = draft_report(store, visits[0].study_uid, SETTINGS)
        store.sign(baseline.id, {"format": 1}, user="Gao^Yu")
        findings = classification_input(store, visits[1].study_uid, "screening")
        follow_up = draft_report(store, visits[1].study_uid, SETTINGS)
    prior = findings["nodules"][0]["prior"]
    assert findings["exam"]["prior_exam_date"] == "2025-03-01"
    assert prior["mean_diameter_mm"] == 7.0 and prior["lung_rads_category"] == "3"
    assert follow_up.content["exam_category"] == "2"  # stable 3 steps down to 2 at 12 months
