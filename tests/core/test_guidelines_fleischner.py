"""Fleischner 2017, Table 1 row by row (MacMahon et al., Radiology 2017;284:228-243)."""

from __future__ import annotations

import pytest

from nodule_desk.guidelines import applicable_guidelines, classify_findings, parse_findings
from nodule_desk.settings import SiteSettings

EXAM = {"date": "2026-03-01", "context": "incidental", "prior_exam_date": None, "patient_age": 60}


def nodule(density, mean, solid=None, id="N1", **extra):
    return {
        "id": id,
        "density_type": density,
        "mean_diameter_mm": mean,
        "solid_component_mm": solid,
        "prior": None,
        **extra,
    }


def fleischner(*nodules, **exam):
    data = {"exam": {**EXAM, **exam}, "nodules": list(nodules)}
    return classify_findings(data)["fleischner"]


@pytest.mark.parametrize(
    ("mean", "high_risk", "months", "words"),
    [
        (5.0, False, None, "No routine follow-up"),
        (5.4, False, None, "No routine follow-up"),
        (5.0, True, 12, "Optional CT at 12 months"),
        (5.5, False, 6, "CT at 6-12 months, then consider CT at 18-24 months"),  # rounds to 6
        (8.0, False, 6, "then consider CT at 18-24 months"),
        (7.5, True, 6, "CT at 6-12 months, then CT at 18-24 months"),  # rounds to 8: 6-8 band
        (8.4, True, 6, "CT at 6-12 months, then CT at 18-24 months"),
        (8.5, False, 3, "Consider CT at 3 months, PET/CT, or tissue sampling"),  # rounds to 9
        (8.5, True, 3, "Consider CT at 3 months, PET/CT, or tissue sampling"),
    ],
)
def test_single_solid(mean, high_risk, months, words):
    result = fleischner(nodule("solid", mean), high_risk=high_risk)
    assert result["applicable"]
    assert words in result["recommendation"]
    assert result["follow_up_months"] == months


def test_rounding_to_the_nearest_mm_is_half_up():
    result = fleischner(nodule("solid", 7.5), high_risk=True)
    assert result["nodules"][0]["diameter_mm"] == 8
    assert fleischner(nodule("solid", 5.95), high_risk=False)["nodules"][0]["diameter_mm"] == 6


@pytest.mark.parametrize(
    ("largest", "high_risk", "words"),
    [
        (5.0, False, "No routine follow-up"),
        (5.0, True, "Optional CT at 12 months"),
        (7.0, False, "CT at 3-6 months, then consider CT at 18-24 months"),
        (7.0, True, "CT at 3-6 months, then at 18-24 months"),
        (10.0, True, "CT at 3-6 months, then consider CT at 18-24 months"),
    ],
)
def test_multiple_solid(largest, high_risk, words):
    result = fleischner(
        nodule("solid", 4.0, id="N1"), nodule("solid", largest, id="N2"), high_risk=high_risk
    )
    assert words in result["recommendation"]
    assert "multiple" in result["rule"]


@pytest.mark.parametrize(
    ("density", "mean", "solid", "words"),
    [
        ("ground_glass", 5.4, None, "No routine follow-up"),
        ("ground_glass", 5.5, None, "CT at 6-12 months to confirm persistence, then CT every 2"),
        ("part_solid", 5.4, 2.0, "No routine follow-up"),
        ("part_solid", 6.0, 3.0, "CT at 3-6 months to confirm persistence"),
    ],
)
def test_single_subsolid(density, mean, solid, words):
    assert words in fleischner(nodule(density, mean, solid))["recommendation"]


@pytest.mark.parametrize(
    ("largest", "words"),
    [
        (5.0, "If stable, consider CT at 2 and 4 years"),
        (6.0, "Subsequent management based on the most suspicious"),
    ],
)
def test_multiple_subsolid(largest, words):
    result = fleischner(
        nodule("ground_glass", 4.0, id="N1"), nodule("part_solid", largest, 2.0, id="N2")
    )
    assert words in result["recommendation"]


def test_multiple_takes_the_most_demanding_row():
    result = fleischner(
        nodule("solid", 4.0, id="N1"), nodule("ground_glass", 12.0, id="N2"), high_risk=False
    )
    assert "Subsequent management based on the most suspicious" in result["recommendation"]
    assert "N2" in result["rule"]


@pytest.mark.parametrize(
    ("exam", "reason"),
    [
        ({"patient_age": 34}, "under 35"),
        ({"context": "screening"}, "screening"),
        ({"known_cancer": True}, "known primary cancer"),
        ({"immunocompromised": True}, "immunocompromised"),
    ],
)
def test_exclusions(exam, reason):
    result = fleischner(nodule("solid", 10.0), **exam)
    assert not result["applicable"]
    assert reason in result["reason"]


def test_age_35_is_covered():
    assert fleischner(nodule("solid", 10.0), patient_age=35)["applicable"]


def test_unknown_risk_uses_high_risk_and_says_so():
    result = fleischner(nodule("solid", 5.0))
    assert "Optional CT at 12 months" in result["recommendation"]
    assert "high assumed" in result["rule"]


def test_which_guideline_leads():
    incidental = parse_findings({"exam": {**EXAM}, "nodules": []}).exam
    unsaid = parse_findings({"exam": {**EXAM, "context": None}, "nodules": []}).exam
    young = parse_findings({"exam": {**EXAM, "patient_age": 30}, "nodules": []}).exam
    assert applicable_guidelines(incidental).primary == "fleischner"
    assert applicable_guidelines(unsaid).primary == "lung_rads"
    assert applicable_guidelines(unsaid, SiteSettings(default_context="incidental")).primary == (
        "fleischner"
    )
    assert applicable_guidelines(unsaid, {"default_context": "incidental"}).context == "incidental"
    assert applicable_guidelines(young).primary == "lung_rads"
