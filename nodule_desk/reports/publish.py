"""Writing a visit's report outputs (PDF, SR, Encapsulated PDF, KOS), and signing it.

Every version's outputs are also kept under the data dir (reports/<study>/v<N>/), so that an
amendment can reference the SR it replaces and nothing signed is ever rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydicom import dcmread

from nodule_desk.reports.amendment import amend_if_changed
from nodule_desk.reports.dicom_outputs import build_encapsulated_pdf, build_key_object_selection
from nodule_desk.reports.frozen import freeze
from nodule_desk.reports.model import ReportSignature
from nodule_desk.reports.pdf_report import write_pdf_report
from nodule_desk.reports.signed_outputs import (
    archive_dir,
    archive_outputs,
    export_signed,
    signed_result,
)
from nodule_desk.reports.sr_writer import build_measurement_sr, read_evidence
from nodule_desk.reports.visit_report import (
    ReportNotReady,
    build_visit_report,
    render_key_images,
    stored_masks,
)
from nodule_desk.settings import SiteSettings
from nodule_desk.store import Store
from nodule_desk.sync.queue import case_summary_for_parent, queue_package


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

    A signed report's outputs carry the signature; the values they show are frozen with it and
    the files kept, so exporting a signed version again copies the same bytes. A draft's outputs
    say DRAFT and are not recorded. Measurements changed since signing make a pending amendment.
    """
    amend_if_changed(store, study_uid, user=sign_as)
    report = store.current_report(study_uid)
    if report is None:
        raise ReportNotReady(f"study {study_uid} has no report: draft one first")
    out_dir.mkdir(parents=True, exist_ok=True)
    if report.status == "signed":
        return signed_result(report, export_signed(report, out_dir))
    measured = store.current_measurements(study_uid=study_uid)
    evidence = read_evidence(_evidence_files(store, study_uid, measured))
    visit = build_visit_report(store, study_uid, settings, evidence)
    key_images = render_key_images(
        visit, out_dir / "key_images", stored_masks(store, study_uid)
    )
    visit = build_visit_report(store, study_uid, settings, evidence, key_images)
    if sign_as:
        visit = replace(
            visit, signature=ReportSignature(sign_as, dt.datetime.now().replace(microsecond=0))
        )
    logo = Path(settings.logo_path) if settings.logo_path else None
    pdf_path = write_pdf_report(visit, out_dir / f"report_{visit.language}.pdf", logo)
    encapsulated = build_encapsulated_pdf(visit, pdf_path, evidence)
    outputs = {"encapsulated_pdf": out_dir / "report_pdf.dcm"}
    encapsulated.save_as(outputs["encapsulated_pdf"], enforce_file_format=True)
    uids = {"encapsulated_pdf": str(encapsulated.SOPInstanceUID)}
    if visit.nodules:  # TID 1500 needs at least one measurement group; a negative exam has none
        sr = build_measurement_sr(visit, evidence, _previous_sr(store, study_uid, visit.version))
        outputs["sr"] = out_dir / "sr.dcm"
        sr.save_as(outputs["sr"], enforce_file_format=True)
        uids["sr"] = str(sr.SOPInstanceUID)
    if any(n.key_image_sop_instance_uid for n in visit.nodules):
        key_objects = build_key_object_selection(visit, evidence)
        outputs["kos"] = out_dir / "key_objects.dcm"
        key_objects.save_as(outputs["kos"], enforce_file_format=True)
        uids["kos"] = str(key_objects.SOPInstanceUID)
    status = report.status
    if sign_as:
        files = [pdf_path, *outputs.values(), *key_images.values()]
        hashes = archive_outputs(study_uid, visit.version, files)
        archived = archive_dir(study_uid, visit.version) / "key_images"
        kept = replace(
            visit,
            nodules=[
                replace(n, key_image_path=archived / n.key_image_path.name)
                if n.key_image_path
                else n
                for n in visit.nodules
            ],
        )
        frozen = {**freeze(kept, [m.id for m in measured]), "sop_instance_uids": uids}
        package = None
        if settings.parent_center.configured:
            package = case_summary_for_parent(store, visit, evidence, outputs, settings)
        with store.transaction():  # signing queues the summary, or neither happens
            store.sign(
                report.id,
                frozen,
                user=sign_as,
                output_sop_instance_uids=list(uids.values()),
                output_sha256=hashes,
            )
            if package is not None:
                queue_package(store, package, "case_summary", study_uid)
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


def _evidence_files(store: Store, study_uid: str, measured: list[Any]) -> list[Path]:
    """The CT the nodules were measured on; for a study without nodules, its first CT series."""
    if measured:
        return store.series_files(measured[0].series_uid, measured[0].stack_key)
    series = store.series_of_study(study_uid)
    if not series:
        raise ReportNotReady(f"study {study_uid} has no series in the store")
    return store.series_files(series[0].series_uid, series[0].stack_key)
