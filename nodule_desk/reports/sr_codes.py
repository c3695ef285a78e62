"""Coded concepts of the nodule SR: standard codes from pydicom's codedict, private ones declared.

Standard codes come from ``pydicom.sr.codedict.codes`` (DICOM PS3.16). Where no standard code
exists (a Lung-RADS category, the lingula as a finding site, part-solid attenuation, the solid
component, volume doubling time) we use the private coding scheme ``99NDSK``, declared in every SR
through the Coding Scheme Identification Sequence; docs/structured-reports.md lists them.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

PRIVATE_SCHEME = "99NDSK"
PRIVATE_SCHEME_NAME = "NoduleDesk private codes"


def _private(value: str, meaning: str) -> Code:
    return Code(value, PRIVATE_SCHEME, meaning)


LINGULA = _private("LINGULA", "Lingula of left lung")

# TID 1500 Finding Site: lobe plus laterality (SCT 24028007 right, 7771000 left).
LOBE_SITES: dict[str, tuple[Code, Code | None]] = {
    "RUL": (codes.SCT.UpperLobeOfLung, codes.SCT.Right),
    "RML": (codes.SCT.MiddleLobeOfRightLung, None),
    "RLL": (codes.SCT.LowerLobeOfLung, codes.SCT.Right),
    "LUL": (codes.SCT.UpperLobeOfLung, codes.SCT.Left),
    "lingula": (LINGULA, codes.SCT.Left),
    "LLL": (codes.SCT.LowerLobeOfLung, codes.SCT.Left),
}

NODULE_ATTENUATION = _private("ATTENUATION", "Nodule attenuation")
DENSITY_TYPES: dict[str, Code] = {
    "solid": _private("SOLID", "Solid nodule"),
    "part_solid": _private("PART_SOLID", "Part-solid nodule"),
    "ground_glass": codes.DCM.GroundGlassOpacity,
}

LUNG_RADS_CATEGORY = _private("LUNGRADS2022", "Lung-RADS v2022 category")
LUNG_RADS_CATEGORIES = ("0", "1", "2", "3", "4A", "4B", "4X", "S")


def lung_rads_value(category: str) -> Code:
    if category not in LUNG_RADS_CATEGORIES:
        raise ValueError(f"not a Lung-RADS v2022 category: {category!r}")
    return _private(f"LR{category}", f"Lung-RADS {category}")


SOLID_COMPONENT_LONG_AXIS = _private("SOLIDLONGAXIS", "Solid component long axis")
VOLUME_DOUBLING_TIME = _private("VDT", "Volume doubling time")


def coding_scheme_identification() -> Dataset:
    item = Dataset()
    item.CodingSchemeDesignator = PRIVATE_SCHEME
    item.CodingSchemeName = PRIVATE_SCHEME_NAME
    item.CodingSchemeResponsibleOrganization = "NoduleDesk project"
    return item


def density_type_of(code_value: str, scheme: str) -> str | None:
    """The density type a coded attenuation value stands for, or None if unknown."""
    for density_type, code in DENSITY_TYPES.items():
        if code.value == code_value and code.scheme_designator == scheme:
            return density_type
    return None


def lobe_of(location_value: str, location_scheme: str, laterality_value: str | None) -> str | None:
    """The lobe abbreviation a coded finding site (with laterality) stands for, or None."""
    for lobe, (site, laterality) in LOBE_SITES.items():
        if site.value != location_value or site.scheme_designator != location_scheme:
            continue
        if laterality is None or laterality.value == laterality_value:
            return lobe
    return None
