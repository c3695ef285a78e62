"""Test helpers: a dataset with PHI in every attribute of PS3.15 Table E.1-1, and a check of a
de-identified dataset against the table's action codes (PS3.15 E.1.1)."""

from __future__ import annotations

from io import BytesIO

from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from nodule_desk.sync.deidentify import Pseudonym, shift_date
from nodule_desk.sync.profile import DeidentificationOptions, table

PATIENT_NAME = "Zhang^Sanfeng=张^三丰"
PHI = "PHIMARK"
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


PHI_STRINGS = (PHI, "Zhang", "Sanfeng", "张三丰", "三丰")


def check_profile(
    source: Dataset,
    out: Dataset,
    options: DeidentificationOptions,
    pseudonym: Pseudonym,
    skip: tuple[int, ...] = (),
) -> int:
    """Assert each top-level attribute of ``source`` that Table E.1-1 lists got its action in
    ``out``; return how many were checked."""
    checked = 0
    for tag, rule in table().items():
        if "X" in tag or int(tag, 16) not in source or int(tag, 16) in skip:
            continue
        key = int(tag, 16)
        original = source[key].value
        in_force = [rule.options.get(column) for column in reversed(options.option_columns())]
        code = next(c for c in [*in_force, rule.basic] if c)
        checked += 1
        if tag in ("00100010", "00100020"):  # Z: "or a non-zero length dummy value": the pseudonym
            assert out[key].value in (pseudonym.patient_name, pseudonym.patient_id)
        elif code == "K":
            assert out[key].value == original, rule.name
        elif code == "C" and source[key].VR in ("DA", "DT"):
            shifted = shift_date(str(original), pseudonym.date_shift_days)
            assert out[key].value == shifted, rule.name
        elif code == "C" and source[key].VR == "TM":  # the shift is whole days: times stay
            assert out[key].value == original, rule.name
        elif code == "X" or (code == "C" and source[key].VR in ("LO", "LT", "ST", "UT")):
            assert key not in out, rule.name  # free text cannot be cleaned for certain: removed
        elif code in ("Z", "X/Z"):
            assert key not in out or not out[key].value, rule.name
        elif "U" in code and source[key].VR == "UI":
            assert out[key].value == pseudonym.uid(str(original)), rule.name
        elif source[key].VR == "SQ":
            for item in out.get(key, []):
                assert not any(s in str(item.get("PatientName", "")) for s in PHI_STRINGS)
        else:  # D, X/D, Z/D, X/Z/D: removed, emptied or replaced by a dummy
            assert key not in out or out[key].value != original, rule.name
    assert "PatientIdentityRemoved" in out and out.PatientIdentityRemoved == "YES"
    assert not any(e.tag.is_private for e in out.iterall()), "private attributes removed (X)"
    return checked


def file_bytes(ds: Dataset) -> bytes:
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def assert_no_phi(data: bytes, extra: tuple[str, ...] = ()) -> None:
    for text in (*PHI_STRINGS, *extra):
        assert text.encode("utf-8") not in data, text
