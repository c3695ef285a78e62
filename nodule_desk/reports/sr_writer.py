"""The nodule measurement report as a DICOM Comprehensive 3D SR (PS3.16 TID 1500), with highdicom.

One volumetric measurement group (TID 1411) per nodule: tracking identifier and the tracking UID
that stays the same across visits, the finding (SCT Nodule), its site (lobe and laterality), its
centre as a 3D point in the CT's frame of reference, long and short axis, mean diameter and volume
with UCUM units, mean attenuation, and qualitative evaluations for density type and category.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import highdicom as hd
import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code
from pydicom.uid import generate_uid

from nodule_desk import __version__
from nodule_desk.errors import DicomFileError
from nodule_desk.names import dicom_person_name
from nodule_desk.reports import sr_codes
from nodule_desk.reports.model import ReportedNodule, VisitReport

MANUFACTURER = "NoduleDesk"
UTF8 = "ISO_IR 192"
"""Chinese names and text go out as UTF-8 (PS3.5 6.1.2.5.3)."""
SR_SERIES_NUMBER = 900
DEVICE_UID = generate_uid(entropy_srcs=["NoduleDesk workstation"])
ALGORITHM = hd.sr.AlgorithmIdentification(name="NoduleDesk", version=__version__)


def read_evidence(files: Sequence[Path]) -> list[Dataset]:
    """Headers of the source CT images: what the SR references and inherits patient/study from."""
    evidence = []
    for path in files:
        try:
            evidence.append(dcmread(path, stop_before_pixels=True))
        except Exception as error:  # pydicom raises several types for a broken file
            raise DicomFileError(path, f"cannot read the source CT header: {error}") from error
    return evidence


def _measurements(nodule: ReportedNodule) -> list[hd.sr.Measurement]:
    millimetre, cubic_millimetre = codes.UCUM.Millimeter, codes.UCUM.CubicMillimeter
    rows: list[tuple[Code, float | None, Code, Code | None]] = [
        (codes.SCT.LongAxis, nodule.long_axis_mm, millimetre, None),
        (codes.SCT.ShortAxis, nodule.short_axis_mm, millimetre, None),
        (codes.SCT.Diameter, nodule.mean_diameter_mm, millimetre, codes.SCT.Mean),
        (codes.SCT.Volume, nodule.volume_mm3, cubic_millimetre, None),
        (codes.DCM.MeanAttenuationCoefficient, nodule.mean_hu, codes.UCUM.HounsfieldUnit, None),
        (sr_codes.SOLID_COMPONENT_LONG_AXIS, nodule.solid_component_long_axis_mm, millimetre, None),
        (sr_codes.VOLUME_DOUBLING_TIME, nodule.volume_doubling_time_days, codes.UCUM.Day, None),
    ]
    return [
        hd.sr.Measurement(name=name, value=float(value), unit=unit, derivation=derivation)
        for name, value, unit, derivation in rows
        if value is not None
    ]


def _qualitative_evaluations(nodule: ReportedNodule) -> list[hd.sr.QualitativeEvaluation]:
    evaluations = [
        hd.sr.QualitativeEvaluation(
            name=sr_codes.NODULE_ATTENUATION, value=sr_codes.DENSITY_TYPES[nodule.density_type]
        )
    ]
    if nodule.lung_rads_category:
        evaluations.append(
            hd.sr.QualitativeEvaluation(
                name=sr_codes.LUNG_RADS_CATEGORY,
                value=sr_codes.lung_rads_value(nodule.lung_rads_category),
            )
        )
    return evaluations


def _finding_sites(nodule: ReportedNodule) -> list[hd.sr.FindingSite]:
    if not nodule.lobe:
        return [hd.sr.FindingSite(anatomic_location=codes.SCT.Lung)]
    location, laterality = sr_codes.LOBE_SITES[nodule.lobe]
    return [hd.sr.FindingSite(anatomic_location=location, laterality=laterality)]


def _measurement_group(
    nodule: ReportedNodule, report: VisitReport
) -> hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations:
    if nodule.density_type not in sr_codes.DENSITY_TYPES:
        raise ValueError(f"nodule {nodule.label}: unknown density type {nodule.density_type!r}")
    centre = hd.sr.VolumeSurface(
        graphic_type=hd.sr.GraphicTypeValues3D.POINT,
        graphic_data=np.asarray([nodule.center_mm], dtype=float),
        frame_of_reference_uid=report.frame_of_reference_uid,
        source_series=hd.sr.SourceSeriesForSegmentation(report.series_uid),
    )
    return hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=nodule.tracking_uid, identifier=nodule.label
        ),
        referenced_volume_surface=centre,
        finding_type=codes.SCT.Nodule,
        algorithm_id=ALGORITHM,
        finding_sites=_finding_sites(nodule),
        measurements=_measurements(nodule),
        qualitative_evaluations=_qualitative_evaluations(nodule),
    )


def _observation_context(report: VisitReport) -> hd.sr.ObservationContext:
    """The signing radiologist observed a signed report; a draft is the application's."""
    if report.signature is None:
        return hd.sr.ObservationContext(
            observer_device_context=hd.sr.ObserverContext(
                observer_type=codes.DCM.Device,
                observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
                    uid=DEVICE_UID, name=MANUFACTURER
                ),
            )
        )
    return hd.sr.ObservationContext(
        observer_person_context=hd.sr.ObserverContext(
            observer_type=codes.DCM.Person,
            observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(
                name=dicom_person_name(report.signature.radiologist)
            ),
        )
    )


def build_measurement_sr(
    report: VisitReport,
    evidence: Sequence[Dataset],
    previous_version: Dataset | None = None,
    sop_instance_uid: str | None = None,
) -> hd.sr.Comprehensive3DSR:
    """The TID 1500 measurement report of ``report``; an amendment references ``previous_version``.

    A revised report is a new SOP instance: receivers treat a re-sent SOP Instance UID as the
    same object, so a new UID is made unless one is given.
    """
    measurement_report = hd.sr.MeasurementReport(
        observation_context=_observation_context(report),
        procedure_reported=codes.LN.CTChestReport,
        imaging_measurements=[_measurement_group(n, report) for n in report.nodules],
        title=codes.DCM.ImagingMeasurementReport,
    )
    signed = report.signature
    sr = hd.sr.Comprehensive3DSR(
        evidence=list(evidence),
        content=measurement_report[0],
        series_instance_uid=generate_uid(),
        series_number=SR_SERIES_NUMBER,
        sop_instance_uid=sop_instance_uid or generate_uid(),
        instance_number=report.version,
        manufacturer=MANUFACTURER,
        is_complete=True,
        is_final=signed is not None,
        is_verified=signed is not None,
        institution_name=report.institution_name or None,
        verifying_observer_name=dicom_person_name(signed.radiologist) if signed else None,
        verifying_organization=(report.institution_name or MANUFACTURER) if signed else None,
        previous_versions=[previous_version] if previous_version is not None else None,
        specific_character_set=UTF8,
    )
    sr.CodingSchemeIdentificationSequence = [sr_codes.coding_scheme_identification()]
    sr.SeriesDescription = "Lung nodule measurements"
    if signed is not None:
        sr.VerifyingObserverSequence[0].VerificationDateTime = signed.signed_at.strftime(
            "%Y%m%d%H%M%S"
        )
    return sr
