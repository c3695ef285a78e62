"""Issue 14 item 7: the SR's observers are DICOM Person Names, and no private code stands where
pydicom's tables of DICOM PS3.16 (DCM and the SNOMED CT subset DICOM uses) have a concept."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pydicom.sr import _concepts_dict
from pydicom.sr.coding import Code

from nodule_desk.names import dicom_person_name
from nodule_desk.reports import sr_codes
from nodule_desk.reports.model import ReportSignature
from nodule_desk.reports.sr_writer import build_measurement_sr, read_evidence
from tests.core.test_reports_dicom import visit  # noqa: F401  (the fixture)


@pytest.mark.parametrize(
    ("typed", "person_name"),
    [
        # PS3.5 6.2: components family^given^middle^prefix^suffix; trailing empty ones dropped
        ("Dr Wang", "Wang^^^Dr"),
        ("Wang, Fang", "Wang^Fang"),
        ("John Robert Quincy Adams", "Adams^John Robert Quincy"),  # PS3.5 6.2's example
        ("王芳", "=王^芳"),  # ideographic group, family name first
        ("欧阳修", "=欧阳^修"),  # a compound surname
        ("Li^Na", "Li^Na"),
    ],
)
def test_typed_names_become_person_names(typed, person_name):
    assert dicom_person_name(typed) == person_name


def test_the_verifying_observer_and_person_observer_are_person_names(visit, tmp_path: Path):  # noqa: F811
    signed = dataclasses.replace(
        visit, signature=ReportSignature("Dr Wang", dt.datetime(2025, 6, 2, 9, 30))
    )
    sr = build_measurement_sr(signed, read_evidence(visit.source_files))
    assert str(sr.VerifyingObserverSequence[0].VerifyingObserverName) == "Wang^^^Dr"
    names = [str(e.value) for e in sr.iterall() if e.keyword == "PersonName"]
    assert names == ["Wang^^^Dr"]


def _private_codes() -> list[Code]:
    found = [value for value in vars(sr_codes).values() if isinstance(value, Code)]
    found += list(sr_codes.DENSITY_TYPES.values())
    found += [sr_codes.lung_rads_value(c) for c in sr_codes.LUNG_RADS_CATEGORIES]
    found += [site for site, _ in sr_codes.LOBE_SITES.values()]
    return [c for c in found if c.scheme_designator == sr_codes.PRIVATE_SCHEME]


def test_no_private_code_where_dicom_or_snomed_has_the_concept():
    standard_meanings = {
        meaning.lower()
        for scheme in ("DCM", "SCT")
        for concepts in _concepts_dict.concepts[scheme].values()
        for meaning, _ in concepts.values()
    }
    private = _private_codes()
    assert private, "the private scheme is still in use for concepts without a standard code"
    clashes = [c.meaning for c in private if c.meaning.lower() in standard_meanings]
    assert clashes == []
