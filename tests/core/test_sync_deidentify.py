"""De-identification by PS3.15 Annex E on a dataset that carries PHI in every attribute Table E.1-1
lists, checked tag by tag against the table's action codes (PS3.15 E.1.1):

"D - replace with a non-zero length value that may be a dummy value and consistent with the VR;
 Z - replace with a zero length value, or a non-zero length value that may be a dummy value;
 X - remove; K - keep; C - clean ...; U - replace with a non-zero length UID that is internally
 consistent within a set of Instances".
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage

from nodule_desk.sync.deidentify import (
    DeidentificationError,
    Deidentifier,
    Pseudonym,
    identifiers_of,
)
from nodule_desk.sync.profile import DeidentificationOptions
from tests.core.profile_check import (
    PATIENT_NAME,
    assert_no_phi,
    check_profile,
    dataset_with_phi_everywhere,
    file_bytes,
)

PSEUDONYM = Pseudonym("BR01-0123456789", date_shift_days=-100, uid_key="k" * 32)


def deidentified(options: DeidentificationOptions) -> tuple[Dataset, Dataset]:
    source = dataset_with_phi_everywhere()
    engine = Deidentifier(PSEUDONYM, options, identifiers_of([source]))
    return source, engine.deidentify(source)


@pytest.mark.parametrize("dates", ["shift", "keep"])
def test_every_listed_attribute_gets_its_action(dates):
    options = DeidentificationOptions(dates=dates)
    source, out = deidentified(options)
    assert check_profile(source, out, options, PSEUDONYM) > 500
    assert 0x00291010 not in out, "private attributes are removed (basic profile X)"
    assert_no_phi(file_bytes(out))
    assert "Zhang" not in str(out)


def test_the_method_is_recorded_with_cid_7050_codes():
    _, out = deidentified(DeidentificationOptions())
    assert out.PatientIdentityRemoved == "YES"
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    codes = {
        (i.CodingSchemeDesignator, i.CodeValue) for i in out.DeidentificationMethodCodeSequence
    }
    # CID 7050: 113100 Basic Application Confidentiality Profile, 113104 Clean Structured Content,
    # 113107 Retain Longitudinal Temporal Information Modified Dates, 113108 Retain Patient
    # Characteristics
    assert codes == {("DCM", "113100"), ("DCM", "113104"), ("DCM", "113107"), ("DCM", "113108")}
    assert all(len(v) <= 64 for v in out.DeidentificationMethod)


def test_uids_map_consistently_and_references_resolve():
    options = DeidentificationOptions()
    image = Dataset()
    image.SOPClassUID, image.SOPInstanceUID = CTImageStorage, "1.2.3.4.5"
    image.StudyInstanceUID = "1.2.3.4"
    report = Dataset()
    reference = Dataset()
    reference.ReferencedSOPClassUID, reference.ReferencedSOPInstanceUID = (
        CTImageStorage,
        "1.2.3.4.5",
    )
    report.ReferencedImageSequence = [reference]
    report.StudyInstanceUID = "1.2.3.4"
    engine = Deidentifier(PSEUDONYM, options, identifiers_of([image]))
    out_image, out_report = engine.deidentify(image), engine.deidentify(report)
    assert (
        out_report.ReferencedImageSequence[0].ReferencedSOPInstanceUID == out_image.SOPInstanceUID
    )
    assert out_report.ReferencedImageSequence[0].ReferencedSOPClassUID == CTImageStorage
    assert out_image.StudyInstanceUID == out_report.StudyInstanceUID != "1.2.3.4"
    other_patient = Pseudonym("BR01-9999999999", -3, "z" * 32)
    assert other_patient.uid("1.2.3.4") != PSEUDONYM.uid("1.2.3.4")


def test_sr_content_text_and_person_names_are_cleaned():
    source = Dataset()
    source.PatientName = PATIENT_NAME
    source.PatientID = "RW-77"
    source.PatientBirthDate = "19610203"
    source.StudyDate = "20260301"
    text_item, name_item, date_item = Dataset(), Dataset(), Dataset()
    text_item.ValueType, text_item.TextValue = (
        "TEXT",
        "Zhang Sanfeng (RW-77) 张三丰, lingula nodule",
    )
    name_item.ValueType, name_item.PersonName = "PNAME", "Wang^Fang"
    date_item.ValueType, date_item.Date = "DATE", "20260301"
    source.ContentSequence = [text_item, name_item, date_item]
    out = Deidentifier(PSEUDONYM, DeidentificationOptions(), identifiers_of([source])).deidentify(
        source
    )
    text, name, date = out.ContentSequence
    assert text.TextValue == "[removed] ([removed]) [removed], lingula nodule"
    assert str(name.PersonName) == PSEUDONYM.observer_name
    assert date.Date == (dt.date(2026, 3, 1) - dt.timedelta(days=100)).strftime("%Y%m%d")
    assert out.PatientAge == "065Y" and "PatientBirthDate" in out and not out.PatientBirthDate


def test_an_image_with_burned_in_annotation_is_refused():
    image = Dataset()
    image.SOPClassUID, image.SOPInstanceUID = CTImageStorage, "1.2.3.9"
    image.BurnedInAnnotation = "YES"
    image.PixelData = b"\0\0"
    engine = Deidentifier(PSEUDONYM, DeidentificationOptions(), identifiers_of([image]))
    with pytest.raises(DeidentificationError, match="burned-in"):
        engine.deidentify(image)
