"""Reads nodule findings back from a TID 1500 measurement report, ours or another writer's.

It walks the content tree with pydicom rather than relying on how one writer nests items, so an
SR from 3D Slicer's Quantitative Reporting (segment-based groups, volumes in cm3) reads too: each
Measurement Group (DCM 125007) becomes one finding, keyed by its Tracking Unique Identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from nodule_desk.errors import DicomFileError
from nodule_desk.reports import sr_codes

MEASUREMENT_GROUP = codes.DCM.MeasurementGroup.value
TRACKING_IDENTIFIER = codes.DCM.TrackingIdentifier.value
TRACKING_UID = codes.DCM.TrackingUniqueIdentifier.value
FINDING_SITE = codes.SCT.FindingSite.value
LATERALITY = codes.SCT.Laterality.value
DERIVATION = codes.DCM.Derivation.value

# Unit -> factor to millimetres or cubic millimetres.
LENGTH_UNITS_TO_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0}
VOLUME_UNITS_TO_MM3 = {"mm3": 1.0, "cm3": 1000.0, "ml": 1000.0, "mL": 1000.0}

NUMERIC_FIELDS = {
    (codes.SCT.LongAxis.value, "SCT"): "long_axis_mm",
    (codes.SCT.ShortAxis.value, "SCT"): "short_axis_mm",
    (codes.SCT.Diameter.value, "SCT"): "mean_diameter_mm",
    (codes.SCT.Volume.value, "SCT"): "volume_mm3",
    (codes.DCM.MeanAttenuationCoefficient.value, "DCM"): "mean_hu",
    (sr_codes.SOLID_COMPONENT_LONG_AXIS.value, sr_codes.PRIVATE_SCHEME): (
        "solid_component_long_axis_mm"
    ),
    (sr_codes.VOLUME_DOUBLING_TIME.value, sr_codes.PRIVATE_SCHEME): "volume_doubling_time_days",
}


@dataclass
class ImportedFinding:
    """One measurement group of an SR. Fields the SR does not carry stay None."""

    tracking_uid: str | None = None
    label: str | None = None
    density_type: str | None = None
    lobe: str | None = None
    lung_rads_category: str | None = None
    center_mm: tuple[float, float, float] | None = None
    long_axis_mm: float | None = None
    short_axis_mm: float | None = None
    mean_diameter_mm: float | None = None
    volume_mm3: float | None = None
    mean_hu: float | None = None
    solid_component_long_axis_mm: float | None = None
    volume_doubling_time_days: float | None = None
    other_measurements: dict[str, float] = field(default_factory=dict)
    """Measurements we have no field for, by their code meaning."""


@dataclass
class ImportedReport:
    sop_instance_uid: str
    study_uid: str
    patient_id: str
    findings: list[ImportedFinding]
    replaces_sop_instance_uids: list[str]


def _concept(item: Dataset) -> tuple[str, str]:
    if "ConceptNameCodeSequence" not in item:
        return ("", "")
    code = item.ConceptNameCodeSequence[0]
    return (str(code.CodeValue), str(code.CodingSchemeDesignator))


def _children(item: Dataset) -> list[Dataset]:
    return list(item.get("ContentSequence", []))


def _walk(item: Dataset):
    for child in _children(item):
        yield child
        yield from _walk(child)


def _numeric_value(item: Dataset, name: tuple[str, str]) -> tuple[str, float] | None:
    measured = item.get("MeasuredValueSequence")
    if not measured:
        return None
    value = float(measured[0].NumericValue)
    unit = str(measured[0].MeasurementUnitsCodeSequence[0].CodeValue)
    field_name = NUMERIC_FIELDS.get(name)
    if field_name is None:
        return None
    if field_name == "volume_mm3":
        return field_name, value * VOLUME_UNITS_TO_MM3.get(unit, 1.0)
    if field_name.endswith("_mm"):
        return field_name, value * LENGTH_UNITS_TO_MM.get(unit, 1.0)
    return field_name, value


def _read_num(item: Dataset, finding: ImportedFinding) -> None:
    name = _concept(item)
    derivations = [c for c in _children(item) if _concept(c)[0] == DERIVATION]
    if name == (codes.SCT.Diameter.value, "SCT") and derivations:
        derived = str(derivations[0].ConceptCodeSequence[0].CodeValue)
        if derived != codes.SCT.Mean.value:
            return
    numeric = _numeric_value(item, name)
    if numeric is not None:
        setattr(finding, numeric[0], numeric[1])
    elif item.get("MeasuredValueSequence"):
        meaning = str(item.ConceptNameCodeSequence[0].CodeMeaning)
        finding.other_measurements[meaning] = float(item.MeasuredValueSequence[0].NumericValue)


def _read_code(item: Dataset, finding: ImportedFinding) -> None:
    value = item.ConceptCodeSequence[0]
    value_key = (str(value.CodeValue), str(value.CodingSchemeDesignator))
    name = _concept(item)
    if name == (FINDING_SITE, "SCT"):
        lateralities = [c for c in _children(item) if _concept(c)[0] == LATERALITY]
        laterality = str(lateralities[0].ConceptCodeSequence[0].CodeValue) if lateralities else None
        finding.lobe = sr_codes.lobe_of(*value_key, laterality) or finding.lobe
    elif name == (sr_codes.NODULE_ATTENUATION.value, sr_codes.PRIVATE_SCHEME):
        finding.density_type = sr_codes.density_type_of(*value_key)
    elif name == (sr_codes.LUNG_RADS_CATEGORY.value, sr_codes.PRIVATE_SCHEME):
        finding.lung_rads_category = str(value.CodeMeaning).removeprefix("Lung-RADS ")


def _read_group(group: Dataset) -> ImportedFinding:
    finding = ImportedFinding()
    for item in _children(group):
        name, value_type = _concept(item), item.get("ValueType", "")
        if name[0] == TRACKING_IDENTIFIER and value_type == "TEXT":
            finding.label = str(item.TextValue)
        elif name[0] == TRACKING_UID and value_type == "UIDREF":
            finding.tracking_uid = str(item.UID)
        elif value_type == "NUM":
            _read_num(item, finding)
        elif value_type == "CODE":
            _read_code(item, finding)
    for item in _walk(group):
        if item.get("ValueType") == "SCOORD3D" and item.get("GraphicType") == "POINT":
            x, y, z = (float(v) for v in item.GraphicData[:3])
            finding.center_mm = (x, y, z)
    return finding


def read_measurement_report(source: Path | Dataset) -> ImportedReport:
    """Findings of a TID 1500 SR file (or dataset), one per measurement group."""
    try:
        dataset = source if isinstance(source, Dataset) else dcmread(source)
    except Exception as error:  # pydicom raises several types for a broken file
        raise DicomFileError(source, f"cannot read the structured report: {error}") from error
    if dataset.get("Modality") != "SR" or "ContentSequence" not in dataset:
        where = source if isinstance(source, Path) else dataset.get("SOPInstanceUID", "?")
        raise DicomFileError(where, "not a DICOM structured report")
    groups = [item for item in _walk(dataset) if _concept(item)[0] == MEASUREMENT_GROUP]
    replaced = [
        str(instance.ReferencedSOPInstanceUID)
        for study in dataset.get("PredecessorDocumentsSequence", [])
        for series in study.ReferencedSeriesSequence
        for instance in series.ReferencedSOPSequence
    ]
    return ImportedReport(
        sop_instance_uid=str(dataset.SOPInstanceUID),
        study_uid=str(dataset.StudyInstanceUID),
        patient_id=str(dataset.get("PatientID", "")),
        findings=[_read_group(group) for group in groups],
        replaces_sop_instance_uids=replaced,
    )
