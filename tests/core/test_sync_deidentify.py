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
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from nodule_desk.sync.deidentify import Deidentifier, Pseudonym, identifiers_of, shift_date
from nodule_desk.sync.profile import DeidentificationOptions, table

PATIENT_NAME = "Zhang^Sanfeng=张^三丰"
PHI = "PHIMARK"
PSEUDONYM = Pseudonym("BR01-0123456789", date_shift_days=-100, uid_key="k" * 32)
RETAINED_CHARACTERISTICS = {
    "00100040": "F",
    "00101010": "064Y",
    "00101020": "1.62",
    "00101030": "58",
    "00102160": "Han",
    "001021A0": "YES",
    "00102203": "UNALTERED",
}


def phi_value(tag: str, vr: str, n: int) -> object:
    if tag in RETAINED_CHARACTERISTICS:
        return RETAINED_CHARACTERISTICS[tag]
    if "retain_full_dates" in table()[tag].options and vr in ("SH", "OB"):
        return "+0800" if vr == "SH" else bytes(8)  # timestamps and offsets, kept with the dates
    return {
        "PN": PATIENT_NAME,
        "DA": "19610203",
        "TM": "101112",
        "DT": "19610203101112",
        "UI": f"1.2.826.0.1.3680043.8.498.{n}",
        "AS": "063Y",
        "CS": PHI,
        "AE": PHI,
        "DS": "1.5",
        "IS": "7",
        "US": 7,
        "SS": 7,
        "UL": 7,
        "FL": 1.0,
        "FD": 1.0,
        "OB": b"PHIMARK!",
        "UN": b"PHIMARK!",
        "UR": "http://phimark.example/x",
        "SH": PHI,
    }.get(vr, f"{PHI} Zhang Sanfeng 张三丰")


def dataset_with_phi_everywhere() -> Dataset:
    ds = Dataset()
    for n, tag in enumerate(sorted(table())):
        if "X" in tag or tag.startswith(("0000", "0002", "FFF")):
            continue  # repeating groups, command, file meta and delimiter elements: not in a body
        vr = dictionary_VR(int(tag, 16)).split(" or ")[0]
        if vr == "SQ":
            item = Dataset()
            item.PatientName = PATIENT_NAME
            item.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.999"
            value: object = Sequence([item])
        else:
            value = phi_value(tag, vr, n)
        ds.add_new(int(tag, 16), vr, value)
    ds.SOPClassUID = CTImageStorage
    ds.add_new(0x00291010, "LO", f"{PHI} private")
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.SourceApplicationEntityTitle = PHI  # Table E.1-1 (0002,0016): X
    return ds


def deidentified(options: DeidentificationOptions) -> tuple[Dataset, Dataset]:
    source = dataset_with_phi_everywhere()
    engine = Deidentifier(PSEUDONYM, options, identifiers_of([source]))
    return source, engine.deidentify(source)


@pytest.mark.parametrize("dates", ["shift", "keep"])
def test_every_listed_attribute_gets_its_action(dates):
    options = DeidentificationOptions(dates=dates)
    source, out = deidentified(options)
    checked = 0
    for tag, rule in table().items():
        if "X" in tag or int(tag, 16) not in source:
            continue
        key = int(tag, 16)
        original = source[key].value
        in_force = [rule.options.get(column) for column in reversed(options.option_columns())]
        code = next(c for c in [*in_force, rule.basic] if c)
        checked += 1
        if tag in ("00100010", "00100020"):  # Z: "or a non-zero length dummy value": the pseudonym
            assert out[key].value in (PSEUDONYM.patient_name, PSEUDONYM.patient_id)
        elif code == "K":
            assert out[key].value == original, rule.name
        elif code == "C" and source[key].VR in ("DA", "DT"):
            assert out[key].value == shift_date(str(original), -100), rule.name
        elif code == "C" and source[key].VR == "TM":  # the shift is whole days: times stay
            assert out[key].value == original, rule.name
        elif code == "X" or (code == "C" and source[key].VR in ("LO", "LT", "ST", "UT")):
            assert key not in out, rule.name  # free text cannot be cleaned for certain: removed
        elif code in ("Z", "X/Z"):
            assert key not in out or not out[key].value, rule.name
        elif "U" in code and source[key].VR == "UI":
            assert out[key].value != original and str(out[key].value).startswith("2.25."), rule.name
        elif source[key].VR == "SQ":
            for item in out.get(key, []):
                assert "PatientName" not in item or PHI not in str(item.PatientName)
                assert "Zhang" not in str(item.get("PatientName", ""))
        else:  # D, X/D, Z/D, X/Z/D: removed, emptied or replaced by a dummy
            assert key not in out or out[key].value != original, rule.name
    assert checked > 500
    assert 0x00291010 not in out, "private attributes are removed (basic profile X)"
    assert PHI.encode() not in _bytes(out) and "三丰".encode() not in _bytes(out)
    assert "Zhang" not in str(out)


def _bytes(ds: Dataset) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


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
