"""De-identify a DICOM dataset by PS3.15 Annex E (Basic Profile and the options in force).

Every element is visited, nested sequences and SR content items included. What Table E.1-1
lists gets its action (see ``profile.py``); private elements are removed (the Retain Safe Private
option is not applied); text that the profile cleans (content items' Text Value and the cleaned
attributes) has every known identifier of the patient replaced. UIDs are replaced by a map that is
a function of the patient's key, so the same source UID gives the same UID in every object and on
every visit of that patient, and references inside an SR or KOS still resolve.

The patient's pseudonym (PatientID and PatientName at the parent center), date shift and UID key
are kept locally (the store's parent_pseudonyms table), so that what comes back re-links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from nodule_desk import __version__
from nodule_desk.errors import NoduleDeskError
from nodule_desk.sync.profile import DeidentificationOptions, action_for

REMOVED_TEXT = "[removed]"
DUMMY_TEXT = "REMOVED"
DUMMY_BY_VR = {
    "DA": "19000101",
    "TM": "000000",
    "DT": "19000101000000",
    "AS": "000Y",
    "IS": "0",
    "DS": "0",
    "CS": "REMOVED",
    "AE": "REMOVED",
}
NUMERIC_VRS = {"US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"}
BINARY_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN"}
TEXT_VRS = {"LO", "SH", "ST", "LT", "UT", "UC", "PN"}
TEXT_VALUE = 0x0040A160
PATIENT_NAME, PATIENT_ID = 0x00100010, 0x00100020


class DeidentificationError(NoduleDeskError):
    """An object that cannot be made safe to leave the branch."""


@dataclass(frozen=True)
class Pseudonym:
    """Who the patient is at the parent center, and the per-patient secrets of the maps."""

    patient_id: str
    """PatientID at the parent center, for example "BR01-7F3A9C2E41"."""
    date_shift_days: int
    uid_key: str
    """Secret of the UID map; the same key always gives the same UIDs."""
    observer_name: str = "Radiologist^Branch"
    """Dummy Person Name that replaces every person (PS3.15 action D)."""

    @property
    def patient_name(self) -> str:
        return f"Patient^{self.patient_id}"

    def uid(self, original: str) -> str:
        """A "2.25." UID (PS3.5 B.2) from a UUID version 8 (RFC 9562) whose bits are the
        HMAC-SHA256 of the original UID under the patient's key."""
        digest = hmac.new(self.uid_key.encode(), original.encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest[:16], "big")
        number = (number & ~(0xF << 76)) | (0x8 << 76)
        number = (number & ~(0x3 << 62)) | (0x2 << 62)
        return f"2.25.{number}"


@dataclass
class Identifiers:
    """What is known to identify this patient: scrubbed from any text the profile cleans."""

    strings: set[str] = field(default_factory=set)

    def add(self, *values: object) -> None:
        for value in values:
            for group in str(value or "").split("="):
                parts = [p.strip() for p in re.split(r"[\^ ]+", group) if p.strip()]
                self._keep(group.replace("^", " ").strip())
                self._keep("".join(parts))
                self._keep(" ".join(parts))
                for part in parts:
                    self._keep(part)

    def _keep(self, text: str) -> None:
        if len(text) >= 2 or (text and ord(text[0]) > 0x2E80):
            self.strings.add(text)

    def add_date(self, value: object) -> None:
        text = str(value or "")
        if len(text) == 8 and text.isdigit():
            self.strings |= {
                text,
                f"{text[:4]}-{text[4:6]}-{text[6:]}",
                f"{text[:4]}/{text[4:6]}/{text[6:]}",
            }

    def scrub(self, text: str) -> str:
        """``text`` with every known identifier replaced; Latin ones only as whole words."""
        for known in sorted(self.strings, key=len, reverse=True):
            pattern = re.escape(known)
            if known.isascii():
                pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
            text = re.sub(pattern, REMOVED_TEXT, text, flags=re.IGNORECASE)
        return text


def identifiers_of(datasets: Iterable[Dataset], extra: Iterable[str] = ()) -> Identifiers:
    """Every person name, ID and birth date in the datasets, nested ones included."""
    found = Identifiers()
    found.add(*extra)
    for ds in datasets:
        for element in _walk(ds):
            if element.VR == "PN" and element.value:
                found.add(*(str(v) for v in _values(element)))
            elif element.tag in {PATIENT_ID, 0x00080050, 0x00101000, 0x00200010} and element.value:
                found.add(*(str(v) for v in _values(element)))
            elif element.tag == 0x00100030:
                found.add_date(element.value)
    return found


def _walk(ds: Dataset) -> Iterable[DataElement]:
    for element in ds:
        yield element
        if element.VR == "SQ":
            for item in element.value or []:
                yield from _walk(item)


def _values(element: DataElement) -> list[object]:
    return list(element.value) if element.VM > 1 else [element.value]


def shift_date(value: str, days: int) -> str:
    if not value:
        return value
    shifted = dt.datetime.strptime(value[:8], "%Y%m%d").date() + dt.timedelta(days=days)
    return shifted.strftime("%Y%m%d") + value[8:]


class Deidentifier:
    """Applies the profile to datasets of one patient."""

    def __init__(
        self, pseudonym: Pseudonym, options: DeidentificationOptions, identifiers: Identifiers
    ) -> None:
        self.pseudonym = pseudonym
        self.options = options
        self.identifiers = identifiers

    def deidentify(self, source: Dataset) -> Dataset:
        """A de-identified copy of ``source`` (with file meta), recorded as such in its header.

        Images whose pixels carry burned-in text are refused: the Clean Pixel Data option is not
        implemented, and the header alone cannot make them safe."""
        if "PixelData" in source and str(source.get("BurnedInAnnotation", "")).upper() == "YES":
            raise DeidentificationError(
                f"image {source.get('SOPInstanceUID', '?')} has burned-in annotation: "
                "its pixels may show the patient's name, so it is not sent"
            )
        ds = Dataset()
        for element in source:
            self._apply(element, ds, top_level=True)
        self._add_age(source, ds)
        ds.PatientID = self.pseudonym.patient_id
        ds.PatientName = self.pseudonym.patient_name
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = self.options.method_text()
        ds.DeidentificationMethodCodeSequence = [_code_item(c) for c in self.options.method_codes()]
        ds.LongitudinalTemporalInformationModified = (
            "MODIFIED" if self.options.dates == "shift" else "UNMODIFIED"
        )
        if hasattr(source, "file_meta"):
            ds.file_meta = _file_meta(source, ds)
        return ds

    def _add_age(self, source: Dataset, ds: Dataset) -> None:
        """Retain Patient Characteristics keeps the age; derive it when only the birth date is
        there, since the birth date itself is removed (Table E.1-1: Patient's Birth Date Z)."""
        if not self.options.retain_patient_characteristics or source.get("PatientAge"):
            return
        birth, seen = str(source.get("PatientBirthDate") or ""), str(source.get("StudyDate") or "")
        if len(birth) == 8 and len(seen) == 8:
            years = int(seen[:4]) - int(birth[:4]) - ((seen[4:]) < (birth[4:]))
            if 0 <= years < 1000:
                ds.PatientAge = f"{years:03d}Y"

    def _apply(self, element: DataElement, out: Dataset, top_level: bool = False) -> None:
        if element.tag.is_private:
            return
        action = action_for(int(element.tag), self.options)
        if element.VR == "SQ":
            self._sequence(element, action, out)
            return
        if action in (None, "K"):
            value = element.value
            if int(element.tag) == TEXT_VALUE and self.options.clean_structured_content:
                value = self.identifiers.scrub(str(value or ""))
            out.add(DataElement(element.tag, element.VR, value))
        elif action == "X":
            return
        elif action == "Z":
            out.add(DataElement(element.tag, element.VR, _empty(element.VR)))
        elif action == "U":
            out.add(DataElement(element.tag, element.VR, self._uids(element)))
        elif action == "C":
            cleaned = self._clean(element)
            if cleaned is not None:
                out.add(DataElement(element.tag, element.VR, cleaned))
        else:
            out.add(DataElement(element.tag, element.VR, self._dummy(element)))

    def _sequence(self, element: DataElement, action: str | None, out: Dataset) -> None:
        if action == "X":
            return
        items = Sequence()
        if action != "Z":
            for item in element.value or []:
                copy = Dataset()
                for child in item:
                    self._apply(child, copy)
                items.append(copy)
        out.add(DataElement(element.tag, "SQ", items))

    def _uids(self, element: DataElement) -> object:
        if element.VM > 1:
            return [self.pseudonym.uid(str(v)) for v in element.value]
        return self.pseudonym.uid(str(element.value)) if element.value else element.value

    def _clean(self, element: DataElement) -> object:
        """C: dates by the shift in force, times as they are (the shift is whole days); free
        text cannot be known to hold no identifier, so it is removed (None)."""
        vr = element.VR
        if vr in ("DA", "DT"):
            days = self.pseudonym.date_shift_days
            values = [shift_date(str(v), days) for v in _values(element)]
            return values if element.VM > 1 else values[0]
        if vr == "TM":
            return element.value
        if vr in TEXT_VRS:
            return None
        return self._dummy(element)

    def _dummy(self, element: DataElement) -> object:
        vr = element.VR
        if vr == "PN":
            return self.pseudonym.observer_name
        if vr == "UI":
            return self._uids(element)
        if vr in NUMERIC_VRS:
            return 0
        if vr in BINARY_VRS:
            return b"\x00\x00"
        if vr in DUMMY_BY_VR:
            return DUMMY_BY_VR[vr]
        return DUMMY_TEXT


def _empty(vr: str) -> object:
    return None if vr not in BINARY_VRS else b""


def _code_item(code: object) -> Dataset:
    item = Dataset()
    item.CodeValue = code.value  # type: ignore[attr-defined]
    item.CodingSchemeDesignator = code.scheme_designator  # type: ignore[attr-defined]
    item.CodeMeaning = code.meaning  # type: ignore[attr-defined]
    return item


def _file_meta(source: Dataset, ds: Dataset) -> Dataset:
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = source.file_meta.TransferSyntaxUID
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = f"NODULEDESK_{__version__}"[:16]
    return meta
