"""Writing a visit's report outputs (PDF, SR, Encapsulated PDF, KOS), and signing it.

Every version's outputs are also kept under the data dir (reports/<study>/v<N>/), so that an
amendment can reference the SR it replaces and nothing signed is ever rewritten.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydicom import dcmread

from nodule_desk.paths import data_dir
from nodule_desk.reports.dicom_outputs import build_encapsulated_pdf, build_key_object_selection
from nodule_desk.reports.model import ReportSignature
from nodule_desk.reports.pdf_report import write_pdf_report
from nodule_desk.reports.sr_writer import build_measurement_sr, read_evidence
from nodule_desk.reports.visit_report import (
    ReportNotReady,
    build_visit_report,
    render_key_images,
)
from nodule_desk.settings import SiteSettings
from nodule_desk.store import Store


def archive_dir(study_uid: str, version: int) -> Path:
    return data_dir() / "reports" / study_uid / f"v{version}"


def _previous_sr(store: Store, study_uid: str, version: int) -> Any:
    if version <= 1:
        return None
    path = archive_dir(study_uid, version - 1) / "sr.dcm"
    return dcmread(path) if path.exists() else None


def publish_report(
    store: Store,
    study_uid: str,
    out_dir: Path,
    settings: SiteSettings,
    sign_as: str | None = None,
) -> dict[str, Any]:
    """Write the current report's outputs into ``out_dir``; sign it first if ``sign_as`` is given.

    A signed report's outputs carry the signature and their SOP Instance UIDs are recorded in the
    store; a draft's outputs say DRAFT and are not recorded.
    """
    report = store.current_report(study_uid)
    if report is None:
        raise ReportNotReady(f"study {study_uid} has no report: draft one first")
    if sign_as is None and report.status == "signed":
        sign_as = report.signed_by
    out_dir.mkdir(parents=True, exist_ok=True)
    measured = store.current_measurements(study_uid=study_uid)
    if not measured:
        raise ReportNotReady(f"study {study_uid} has no measured nodule")
    evidence = read_evidence(store.series_files(measured[0].series_uid, measured[0].stack_key))
    visit = build_visit_report(store, study_uid, settings, evidence)
    key_images = render_key_images(visit, out_dir / "key_images")
    visit = build_visit_report(store, study_uid, settings, evidence, key_images)
    if sign_as and report.status != "signed":
        visit = replace(
            visit, signature=ReportSignature(sign_as, dt.datetime.now().replace(microsecond=0))
        )
    logo = Path(settings.logo_path) if settings.logo_path else None
    pdf_path = write_pdf_report(visit, out_dir / f"report_{visit.language}.pdf", logo)
    sr = build_measurement_sr(visit, evidence, _previous_sr(store, study_uid, visit.version))
    encapsulated = build_encapsulated_pdf(visit, pdf_path, evidence)
    key_objects = build_key_object_selection(visit, evidence)
    outputs = {
        "sr": out_dir / "sr.dcm",
        "encapsulated_pdf": out_dir / "report_pdf.dcm",
        "kos": out_dir / "key_objects.dcm",
    }
    sr.save_as(outputs["sr"], enforce_file_format=True)
    encapsulated.save_as(outputs["encapsulated_pdf"], enforce_file_format=True)
    key_objects.save_as(outputs["kos"], enforce_file_format=True)
    uids = {
        "sr": str(sr.SOPInstanceUID),
        "encapsulated_pdf": str(encapsulated.SOPInstanceUID),
        "kos": str(key_objects.SOPInstanceUID),
    }
    status = report.status
    if sign_as and report.status != "signed":
        archive = archive_dir(study_uid, visit.version)
        archive.mkdir(parents=True, exist_ok=True)
        for path in [pdf_path, *outputs.values()]:
            shutil.copy2(path, archive / path.name)
        store.sign(report.id, user=sign_as, output_sop_instance_uids=list(uids.values()))
        status = "signed"
    return {
        "study_uid": study_uid,
        "status": status,
        "version": visit.version,
        "language": visit.language,
        "exam_category": visit.exam_lung_rads_category,
        "follow_up_date": visit.follow_up_date.isoformat() if visit.follow_up_date else None,
        "pdf": str(pdf_path),
        **{kind: str(path) for kind, path in outputs.items()},
        "sop_instance_uids": uids,
        "key_images": {label: str(path) for label, path in key_images.items()},
    }
