"""The report's DICOM objects: TID 1500 SR round trip, amendments, Encapsulated PDF and KOS.

Every object is written to disk, read back with pydicom/highdicom and checked with dicom3tools'
dciodvfy (installed by `make test`), which must report no errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import highdicom as hd
import numpy as np
import pytest
from fpdf import FPDF
from pydicom import dcmread
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from nodule_desk.reports.dicom_outputs import build_encapsulated_pdf, build_key_object_selection
from nodule_desk.reports.model import ReportedNodule, ReportSignature, VisitReport
from nodule_desk.reports.sr_codes import PRIVATE_SCHEME
from nodule_desk.reports.sr_reader import read_measurement_report
from nodule_desk.reports.sr_writer import build_measurement_sr, read_evidence
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series


def dciodvfy_errors(path: Path) -> list[str]:
    assert shutil.which("dciodvfy"), "dciodvfy missing: make test installs dicom3tools"
    result = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
    return [line for line in result.stderr.splitlines() if line.startswith("Error")]


@pytest.fixture()
def visit(tmp_path: Path) -> VisitReport:
    geometry = VolumeGeometry((6, 16, 16), (0.7, 0.7, 1.25), (-100.0, -120.0, -50.0))
    volume = CTVolume(np.full((6, 16, 16), -850, np.int16), geometry)
    identity = SeriesIdentity("P9", "Wang^Fang=王^芳", dt.date(2025, 6, 1))
    files = write_ct_series(volume, tmp_path / "ct", identity)
    nodules = [
        ReportedNodule(
            "N1", generate_uid(), "part_solid", (-95.0, -115.0, -47.5), 12.1, 9.8, 11.0, 701.0,
            6.5, -320.0, "RUL", "4A",
            key_image_sop_instance_uid=str(dcmread(files[2]).SOPInstanceUID),
        ),
        ReportedNodule("N2", generate_uid(), "ground_glass", (-90.0, -110.0, -45.0), 7.0, 5.2, 6.1,
                       120.0, None, -640.0, "lingula", "2"),
        ReportedNodule("N3", generate_uid(), "solid", (-92.0, -111.0, -44.0), 5.0, 4.0, 4.5, 47.0,
                       lobe="RML", lung_rads_category="2", volume_doubling_time_days=512.0),
    ]
    return VisitReport(
        "P9", "Wang^Fang", identity.study_uid, dt.date(2025, 6, 1), identity.series_uid,
        identity.frame_of_reference_uid, files, nodules,
        signature=ReportSignature("Li^Na", dt.datetime(2025, 6, 2, 9, 30)),
        institution_name="Demo County Hospital",
    )


def test_sr_round_trip_keeps_numbers_sites_and_tracking_uids(visit: VisitReport, tmp_path: Path):
    path = tmp_path / "sr.dcm"
    build_measurement_sr(visit, read_evidence(visit.source_files)).save_as(path)

    assert dciodvfy_errors(path) == []
    assert str(dcmread(path).PatientName) == "Wang^Fang=王^芳"
    read = read_measurement_report(path)
    assert read.study_uid == visit.study_uid
    by_uid = {f.tracking_uid: f for f in read.findings}
    assert set(by_uid) == {n.tracking_uid for n in visit.nodules}
    for nodule in visit.nodules:
        found = by_uid[nodule.tracking_uid]
        assert found.label == nodule.label
        assert found.density_type == nodule.density_type
        assert found.lobe == nodule.lobe
        assert found.lung_rads_category == nodule.lung_rads_category
        assert found.center_mm == pytest.approx(nodule.center_mm)
        for name in ("long_axis_mm", "short_axis_mm", "mean_diameter_mm", "volume_mm3",
                     "solid_component_long_axis_mm", "mean_hu", "volume_doubling_time_days"):
            assert getattr(found, name) == getattr(nodule, name), name


def test_sr_is_tid1500_readable_by_highdicom(visit: VisitReport, tmp_path: Path):
    path = tmp_path / "sr.dcm"
    build_measurement_sr(visit, read_evidence(visit.source_files)).save_as(path)

    sr = hd.sr.srread(path)
    groups = sr.content.get_volumetric_roi_measurement_groups()
    assert len(groups) == 3
    uids = {str(g.tracking_uid) for g in groups}
    assert uids == {n.tracking_uid for n in visit.nodules}
    group = next(g for g in groups if str(g.tracking_uid) == visit.nodules[0].tracking_uid)
    volume = group.get_measurements(name=codes.SCT.Volume)[0]
    assert volume.value == 701.0
    assert volume.unit == codes.UCUM.CubicMillimeter
    dataset = dcmread(path)
    assert dataset.VerificationFlag == "VERIFIED"
    assert dataset.CodingSchemeIdentificationSequence[0].CodingSchemeDesignator == PRIVATE_SCHEME


def test_amended_sr_is_a_new_instance_that_references_the_one_it_replaces(
    visit: VisitReport, tmp_path: Path
):
    evidence = read_evidence(visit.source_files)
    first = build_measurement_sr(visit, evidence)
    first.save_as(tmp_path / "v1.dcm")
    amended = dataclasses.replace(visit, version=2)
    second = build_measurement_sr(amended, evidence, previous_version=dcmread(tmp_path / "v1.dcm"))
    second.save_as(tmp_path / "v2.dcm")

    assert second.SOPInstanceUID != first.SOPInstanceUID
    assert read_measurement_report(tmp_path / "v2.dcm").replaces_sop_instance_uids == [
        first.SOPInstanceUID
    ]
    assert dciodvfy_errors(tmp_path / "v2.dcm") == []


def test_unsigned_report_is_not_verified(visit: VisitReport, tmp_path: Path):
    draft = dataclasses.replace(visit, signature=None)
    sr = build_measurement_sr(draft, read_evidence(visit.source_files))
    assert sr.VerificationFlag == "UNVERIFIED"
    assert sr.CompletionFlag == "COMPLETE"


def test_unknown_density_type_names_the_nodule(visit: VisitReport):
    bad = dataclasses.replace(visit.nodules[0], density_type="cavitary")
    with pytest.raises(ValueError, match="N1.*cavitary"):
        build_measurement_sr(
            dataclasses.replace(visit, nodules=[bad]), read_evidence(visit.source_files)
        )


def test_encapsulated_pdf_carries_the_pdf_in_the_ct_study(visit: VisitReport, tmp_path: Path):
    pdf = tmp_path / "report.pdf"
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Lung nodule report")
    document.output(str(pdf))
    evidence = read_evidence(visit.source_files)

    ds = build_encapsulated_pdf(visit, pdf, evidence)
    ds.save_as(tmp_path / "pdf.dcm", enforce_file_format=True)

    assert dciodvfy_errors(tmp_path / "pdf.dcm") == []
    back = dcmread(tmp_path / "pdf.dcm")
    assert back.StudyInstanceUID == visit.study_uid
    assert back.PatientID == "P9"
    assert str(back.PatientName) == "Wang^Fang=王^芳"
    assert back.EncapsulatedDocument[: back.EncapsulatedDocumentLength] == pdf.read_bytes()


def test_key_object_selection_references_the_key_images(visit: VisitReport, tmp_path: Path):
    evidence = read_evidence(visit.source_files)
    kos = build_key_object_selection(visit, evidence)
    kos.save_as(tmp_path / "kos.dcm")

    assert dciodvfy_errors(tmp_path / "kos.dcm") == []
    assert str(dcmread(tmp_path / "kos.dcm").PatientName) == "Wang^Fang=王^芳"
    referenced = [
        str(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
        for item in dcmread(tmp_path / "kos.dcm").ContentSequence
        if item.ValueType == "IMAGE"
    ]
    assert referenced == [visit.nodules[0].key_image_sop_instance_uid]


def test_reads_a_tid1500_sr_from_another_writer_with_volume_in_cm3(visit: VisitReport, tmp_path):
    """A group in the shape other TID 1500 writers use: TID 1501, standard codes, cm3."""
    tracking_uid = generate_uid()
    tracking = hd.sr.TrackingIdentifier(uid=tracking_uid, identifier="Segment 1")
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=tracking,
        finding_type=codes.SCT.Nodule,
        finding_sites=[hd.sr.FindingSite(codes.SCT.LowerLobeOfLung, laterality=codes.SCT.Left)],
        measurements=[
            hd.sr.Measurement(name=codes.SCT.Volume, value=0.52, unit=codes.UCUM.CubicCentimeter)
        ],
    )
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(),
        procedure_reported=codes.LN.CTChestReport,
        imaging_measurements=[group],
    )
    sr = hd.sr.Comprehensive3DSR(
        evidence=read_evidence(visit.source_files[:1]), content=report[0],
        series_instance_uid=generate_uid(), series_number=1, sop_instance_uid=generate_uid(),
        instance_number=1,
    )
    finding = read_measurement_report(sr).findings[0]
    assert finding.tracking_uid == tracking_uid
    assert finding.label == "Segment 1"
    assert finding.lobe == "LLL"
    assert finding.volume_mm3 == pytest.approx(520.0)
