"""A branch store with signed visits whose CT carries PHI in every attribute PS3.15 Table E.1-1
lists, a parent center in settings.json, and the sync CLI run as a separate process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom import dcmread

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.followup.nodule_records import measure_and_record
from nodule_desk.reports.publish import publish_report
from nodule_desk.reports.visit_report import draft_report
from nodule_desk.settings import ParentCenterSettings, SiteSettings, load_settings, save_settings
from nodule_desk.store import Store
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from tests.core.profile_check import PATIENT_NAME, PHI, dataset_with_phi_everywhere

REPO = Path(__file__).resolve().parents[2]
BRANCH = "BR01"
RADIOLOGIST = "Dr Wang"
INSTITUTION = "清河县人民医院"
LOADER_NEEDS = {
    "StudyDate",
    "SeriesDate",
    "AcquisitionDate",
    "ContentDate",
    "StudyTime",
    "SeriesTime",
    "ContentTime",
    "AcquisitionTime",
    "PatientSex",
    "PatientAge",
}


@dataclass
class Visit:
    db: Path
    identity: SeriesIdentity
    ct_dir: Path
    published: dict[str, Any] | None = None


def inject_phi(ct_dir: Path) -> None:
    """Every attribute of Table E.1-1 that the slice lacks, with a PHI value; the patient's own
    attributes with recognisable PHI. UIDs and what the loader reads are left as written."""
    phi = dataset_with_phi_everywhere()
    for path in sorted(ct_dir.glob("*.dcm")):
        ds = dcmread(path)
        for element in phi:
            if element.tag not in ds and element.keyword not in LOADER_NEEDS and element.VR != "UI":
                ds.add(element)
        ds.PatientName = PATIENT_NAME
        ds.InstitutionName = INSTITUTION
        ds.add_new(0x00291010, "LO", f"{PHI} private")
        ds.save_as(path, enforce_file_format=True)


def parent_settings(url: str, **extra: Any) -> ParentCenterSettings:
    return ParentCenterSettings(url=url, branch_id=BRANCH, username="branch01", **extra)


def write_site_settings(db: Path, url: str, **extra: Any) -> SiteSettings:
    settings = SiteSettings(
        institution_name=INSTITUTION, parent_center=parent_settings(url, **extra)
    )
    save_settings(settings, db.parent / "settings.json")
    return settings


def point_at(db: Path, url: str, **extra: Any) -> None:
    """Change the parent center's URL (and other settings) in settings.json beside the store."""
    settings = load_settings(db.parent / "settings.json")
    values = {**settings.parent_center.__dict__, "url": url, **extra}
    settings.parent_center = ParentCenterSettings(**values)
    save_settings(settings, db.parent / "settings.json")


def make_visit(root: Path, patient_id: str, date: dt.date, phi: bool = True) -> Visit:
    volume, _ = make_phantom(PhantomSpec(7.0, density="solid", slice_mm=2.5))
    identity = SeriesIdentity(
        patient_id, "Zhang^Sanfeng", date, patient_birth_date=dt.date(1961, 2, 3)
    )
    ct_dir = root / f"ct-{patient_id}-{date.isoformat()}"
    write_ct_series(volume, ct_dir, identity)
    if phi:
        inject_phi(ct_dir)
    return Visit(root / "store.sqlite", identity, ct_dir)


def sign_visit(visit: Visit, settings: SiteSettings, out: Path) -> dict[str, Any]:
    with Store.open(visit.db, user="dr.wang") as store:
        store.add_scan_result(scan_paths([visit.ct_dir]))
        measure_and_record(
            store, load_series_dir(visit.ct_dir), (0.0, 0.0, 0.0), visit.identity.series_uid
        )
        draft_report(store, visit.identity.study_uid, settings)
        visit.published = publish_report(
            store, visit.identity.study_uid, out, settings, sign_as=RADIOLOGIST
        )
    return visit.published


def run_sync(db: Path, password: str | None, timeout_s: float = 120) -> tuple[int, dict, str]:
    env = {k: v for k, v in os.environ.items() if k != "NODULE_DESK_PARENT_PASSWORD"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    if password is not None:
        env["NODULE_DESK_PARENT_PASSWORD"] = password
    done = subprocess.run(
        [sys.executable, "-m", "nodule_desk", "sync", "--db", str(db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=env,
    )
    result = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, result, done.stderr
