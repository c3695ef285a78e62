"""DICOM PS3.15 Annex E, Table E.1-1: what the Basic Application Level Confidentiality Profile and
its options do to each attribute.

The table itself is data (``annex_e_table.json``, every row of Table E.1-1 with its basic-profile
action and option columns). The action codes are those of PS3.15 E.1.1: X remove, Z zero-length
(or dummy), D dummy, K keep, C clean, U replace the UID consistently; "X/Z", "X/D", "Z/D" and
"X/Z/D" depend on the attribute's type in the IOD, "X/Z/U*" keeps a sequence with UIDs replaced.

We resolve the type-dependent codes without reading each IOD: "Z" wherever the code allows it (the
attribute stays, empty, so a Type 2 attribute is still there), else "D"; "X" alone removes. A
sequence under "D" or "U*" keeps its items and the table applies to their attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from nodule_desk import __version__

TABLE_FILE = "annex_e_table.json"
DATE_MODES = ("shift", "keep")
"""Retain Longitudinal Temporal Information with Modified Dates (a per-patient shift) or Full
Dates."""


@dataclass(frozen=True)
class DeidentificationOptions:
    """Which options of the profile apply (PS3.15 E.3). The Basic Profile always applies.

    A follow-up registry needs intervals between visits (longitudinal temporal information) and
    the patient's characteristics (sex, age, size, weight); Clean Structured Content keeps the SR's
    measurements while its person names, texts, dates and UIDs are cleaned.
    """

    dates: str = "shift"
    retain_patient_characteristics: bool = True
    clean_structured_content: bool = True

    def __post_init__(self) -> None:
        if self.dates not in DATE_MODES:
            raise ValueError(f"de-identification dates must be one of {DATE_MODES}: {self.dates!r}")

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> DeidentificationOptions:
        value = value or {}
        known = {"dates", "retain_patient_characteristics", "clean_structured_content"}
        return cls(**{k: v for k, v in value.items() if k in known})

    def option_columns(self) -> tuple[str, ...]:
        """The Table E.1-1 option columns in force, in the order they override the basic action."""
        columns = ["retain_full_dates" if self.dates == "keep" else "retain_modified_dates"]
        if self.retain_patient_characteristics:
            columns.append("retain_patient_characteristics")
        if self.clean_structured_content:
            columns.append("clean_structured_content")
        return tuple(columns)

    def method_codes(self) -> list[Code]:
        """DeidentificationMethodCodeSequence (CID 7050): the profile and each option applied."""
        applied = [codes.DCM.BasicApplicationConfidentialityProfile]
        if self.clean_structured_content:
            applied.append(codes.DCM.CleanStructuredContentOption)
        if self.dates == "keep":
            applied.append(codes.DCM.RetainLongitudinalTemporalInformationFullDatesOption)
        else:
            applied.append(codes.DCM.RetainLongitudinalTemporalInformationModifiedDatesOption)
        if self.retain_patient_characteristics:
            applied.append(codes.DCM.RetainPatientCharacteristicsOption)
        return applied

    def method_text(self) -> list[str]:
        """DeidentificationMethod (LO, one value per profile or option; 64 characters each)."""
        names = {
            "clean_structured_content": "Clean Structured Content Option",
            "retain_full_dates": "Retain Longitudinal Full Dates Option",
            "retain_modified_dates": "Retain Longitudinal Modified Dates Option",
            "retain_patient_characteristics": "Retain Patient Characteristics Option",
        }
        return (
            ["PS3.15 E.1 Basic Application Confidentiality Profile"]
            + [names[column] for column in self.option_columns()]
            + [f"NoduleDesk {__version__}"]
        )


@dataclass(frozen=True)
class Rule:
    name: str
    basic: str
    options: dict[str, str]


@cache
def table() -> dict[str, Rule]:
    """Table E.1-1 by tag ("0010ABCD", repeating groups as "50XXXXXX")."""
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    rows = json.loads(text)["attributes"]
    return {
        tag: Rule(row["name"], row["basic"], row.get("options", {})) for tag, row in rows.items()
    }


def _masked(tag: str) -> str | None:
    rows = table()
    for candidate in (tag[:2] + "XX" + tag[4:], tag[:2] + "XXXXXX"):
        if candidate in rows:
            return candidate
    return None


def rule_for(tag: int) -> Rule | None:
    key = f"{tag:08X}"
    rows = table()
    if key in rows:
        return rows[key]
    masked = _masked(key)
    return rows[masked] if masked else None


def resolve(code: str) -> str:
    """One action for a type-dependent code: Z where allowed, else D, else the code itself."""
    parts = code.split("/")
    if "U*" in parts:
        return "U*"
    if "Z" in parts:
        return "Z"
    if "D" in parts:
        return "D"
    return parts[0]


def action_for(tag: int, options: DeidentificationOptions) -> str | None:
    """The action on ``tag`` (X, Z, D, K, C, U, U*), or None for an attribute the table omits."""
    rule = rule_for(tag)
    if rule is None:
        return None
    action = resolve(rule.basic)
    for column in options.option_columns():
        if column in rule.options:
            action = rule.options[column]
    return action
