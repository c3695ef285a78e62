"""The report's other DICOM objects: the PDF as Encapsulated PDF, and a Key Object Selection.

Both reference the source CT, so a PACS files them in the visit's study beside the images and the
measurement SR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import highdicom as hd
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sr.codedict import codes
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    EncapsulatedPDFStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)

from nodule_desk.reports.model import VisitReport
from nodule_desk.reports.sr_writer import MANUFACTURER, UTF8

PDF_SERIES_NUMBER = 901
KOS_SERIES_NUMBER = 902
PATIENT_AND_STUDY_KEYWORDS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "StudyID",
    "AccessionNumber",
    "ReferringPhysicianName",
)


def build_encapsulated_pdf(
    report: VisitReport,
    pdf_path: Path,
    evidence: Sequence[Dataset],
    replaces: Dataset | None = None,
) -> Dataset:
    """An Encapsulated PDF Storage instance holding the report PDF, in the CT's study."""
    source = evidence[0]
    now = dt.datetime.now()
    ds = Dataset()
    ds.SpecificCharacterSet = UTF8
    for keyword in PATIENT_AND_STUDY_KEYWORDS:
        setattr(ds, keyword, source.get(keyword, ""))
    ds.SOPClassUID = EncapsulatedPDFStorage
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = PDF_SERIES_NUMBER
    ds.InstanceNumber = report.version
    ds.ConversionType = "WSD"
    ds.Manufacturer = MANUFACTURER
    ds.ContentDate = now.strftime("%Y%m%d")
    ds.ContentTime = now.strftime("%H%M%S")
    ds.AcquisitionDateTime = now.strftime("%Y%m%d%H%M%S")
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = "Lung nodule CT report"
    ds.ConceptNameCodeSequence = [hd.sr.CodedConcept.from_code(codes.LN.CTChestReport)]
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    document = pdf_path.read_bytes()
    ds.EncapsulatedDocument = document + (b"\0" if len(document) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(document)
    source_image = Dataset()
    source_image.ReferencedSOPClassUID = source.SOPClassUID
    source_image.ReferencedSOPInstanceUID = source.SOPInstanceUID
    ds.SourceInstanceSequence = [source_image]
    if replaces is not None:
        ds.ReferencedInstanceSequence = [_reference(replaces, purpose=codes.DCM.ReplacedReport)]
    _add_file_meta(ds)
    return ds


def _reference(instance: Dataset, purpose: object) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = instance.SOPClassUID
    item.ReferencedSOPInstanceUID = instance.SOPInstanceUID
    item.PurposeOfReferenceCodeSequence = [hd.sr.CodedConcept.from_code(purpose)]
    return item


def _add_file_meta(ds: Dataset) -> None:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID


def build_key_object_selection(
    report: VisitReport, evidence: Sequence[Dataset]
) -> hd.ko.KeyObjectSelectionDocument:
    """Key images of the visit ("Of Interest"): the CT slice where each nodule is largest."""
    by_uid = {str(ds.SOPInstanceUID): ds for ds in evidence}
    wanted = [n.key_image_sop_instance_uid for n in report.nodules if n.key_image_sop_instance_uid]
    missing = [uid for uid in wanted if uid not in by_uid]
    if missing:
        raise ValueError(f"key images not in the source series: {', '.join(missing)}")
    key_images = [by_uid[uid] for uid in dict.fromkeys(wanted)]
    if not key_images:
        raise ValueError("the report has no key image to select")
    labels = ", ".join(n.label for n in report.nodules if n.key_image_sop_instance_uid)
    content = hd.ko.KeyObjectSelection(
        document_title=codes.DCM.OfInterest,
        referenced_objects=key_images,
        description=f"Lung nodules {labels}",
    )
    return hd.ko.KeyObjectSelectionDocument(
        evidence=key_images,
        content=content,
        series_instance_uid=generate_uid(),
        series_number=KOS_SERIES_NUMBER,
        sop_instance_uid=generate_uid(),
        instance_number=report.version,
        manufacturer=MANUFACTURER,
        institution_name=report.institution_name or None,
        specific_character_set=UTF8,
    )
