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


# Table 1A, solid nodules, in the publication's words: (multiplicity, risk) -> the cells for
# < 6 mm, 6-8 mm and > 8 mm, with the first month of each recommended interval.
SOLID_TABLE = {
    ("single", False): (
        ("No routine follow-up", None),
        ("CT at 6-12 months, then consider CT at 18-24 months", 6),
        ("Consider CT at 3 months, PET/CT, or tissue sampling", 3),
    ),
    ("single", True): (
        ("Optional CT at 12 months", 12),
        ("CT at 6-12 months, then CT at 18-24 months", 6),
        ("Consider CT at 3 months, PET/CT, or tissue sampling", 3),
    ),
    ("multiple", False): (
        ("No routine follow-up", None),
        ("CT at 3-6 months, then consider CT at 18-24 months", 3),
        ("CT at 3-6 months, then consider CT at 18-24 months", 3),
    ),
    ("multiple", True): (
        ("Optional CT at 12 months", 12),
        ("CT at 3-6 months, then at 18-24 months", 3),
        ("CT at 3-6 months, then at 18-24 months", 3),
    ),
}
# Average diameter -> Table 1 column after rounding to the nearest mm (half up).
SOLID_SIZES = [(5.4, 0), (5.5, 1), (6.0, 1), (7.5, 1), (8.0, 1), (8.4, 1), (8.5, 2), (20.0, 2)]


@pytest.mark.parametrize("multiplicity", ["single", "multiple"])
@pytest.mark.parametrize("high_risk", [False, True])
@pytest.mark.parametrize(("mean", "column"), SOLID_SIZES)
def test_table_1_solid_every_cell(multiplicity, high_risk, mean, column):
    largest = nodule("solid", mean, id="N2")
    nodules = [nodule("solid", 3.0, id="N1"), largest] if multiplicity == "multiple" else [largest]
    result = fleischner(*nodules, high_risk=high_risk)
    words, months = SOLID_TABLE[(multiplicity, high_risk)][column]
    assert result["applicable"] is True
    assert result["recommendation"] == words + "."
    assert result["follow_up_months"] == months
    assert multiplicity in result["rule"] and "N2" in result["rule"]


def test_rounding_to_the_nearest_mm_is_half_up():
    result = fleischner(nodule("solid", 7.5), high_risk=True)
    assert result["nodules"][0]["diameter_mm"] == 8
    assert fleischner(nodule("solid", 5.95), high_risk=False)["nodules"][0]["diameter_mm"] == 6
    assert fleischner(nodule("solid", 8.49), high_risk=False)["nodules"][0]["diameter_mm"] == 8


def test_diameter_from_the_axes_is_rounded_once():
    axes = nodule("solid", None, long_axis_mm=6.0, short_axis_mm=4.9)  # 5.45 -> 5, not 5.5 -> 6
    result = fleischner(axes, high_risk=False)
    assert result["nodules"][0]["diameter_mm"] == 5
    assert result["recommendation"] == "No routine follow-up."


def test_follow_up_date_is_the_earliest_of_the_range():
    result = fleischner(nodule("solid", 7.0), high_risk=False)
    assert result["follow_up_months_range"] == [6, 12]
    assert result["follow_up_date"] == "2026-09-01"


# Table 1B, subsolid nodules, in the publication's words, with the first month of each interval.
GGN_GE6 = "CT at 6-12 months to confirm persistence, then CT every 2 years until 5 years"
PART_SOLID_GE6 = (
    "CT at 3-6 months to confirm persistence. If unchanged and solid component remains < 6 mm, "
    "annual CT should be performed for 5 years"
)
MULTIPLE_LT6 = "CT at 3-6 months. If stable, consider CT at 2 and 4 years"
MULTIPLE_GE6 = "CT at 3-6 months. Subsequent management based on the most suspicious nodule(s)"


@pytest.mark.parametrize(
    ("density", "mean", "solid", "words", "months"),
    [
        ("ground_glass", 5.4, None, "No routine follow-up", None),
        ("ground_glass", 5.5, None, GGN_GE6, 6),
        ("ground_glass", 25.0, None, GGN_GE6, 6),
        ("part_solid", 5.4, 2.0, "No routine follow-up", None),
        ("part_solid", 5.5, 2.0, PART_SOLID_GE6, 3),
        ("part_solid", 12.0, 5.4, PART_SOLID_GE6, 3),
    ],
)
def test_table_1_single_subsolid(density, mean, solid, words, months):
    result = fleischner(nodule(density, mean, solid), high_risk=False)
    assert result["recommendation"] == words + "."
    assert result["follow_up_months"] == months


def test_part_solid_with_a_solid_component_of_6_mm_is_highly_suspicious():
    comment = "solid components >= 6 mm should be considered highly suspicious"
    assert comment not in fleischner(nodule("part_solid", 12.0, 5.4))["recommendation"]
    result = fleischner(nodule("part_solid", 12.0, 5.5))  # solid component rounds to 6 mm
    assert result["recommendation"].startswith(PART_SOLID_GE6)
    assert comment in result["recommendation"]
    assert "solid component 6 mm" in result["rule"]


@pytest.mark.parametrize(
    ("largest", "words"), [(5.4, MULTIPLE_LT6), (5.5, MULTIPLE_GE6), (15.0, MULTIPLE_GE6)]
)
@pytest.mark.parametrize("density", ["ground_glass", "part_solid"])
def test_table_1_multiple_subsolid(largest, words, density):
    result = fleischner(
        nodule("ground_glass", 4.0, id="N1"), nodule(density, largest, 2.0, id="N2")
    )
    assert result["recommendation"] == words + "."
    assert result["follow_up_months"] == 3
    assert "multiple" in result["rule"]


def test_multiple_takes_the_most_demanding_row():
    """Table 1 counts "multiple" per type: one solid and one ground-glass nodule are a single
    solid nodule and a single ground-glass one; the exam takes the more demanding row."""
    result = fleischner(
        nodule("solid", 4.0, id="N1"), nodule("ground_glass", 12.0, id="N2"), high_risk=False
    )
    assert result["recommendation"].startswith("CT at 6-12 months to confirm persistence")
    assert "N2" in result["rule"]
    two_subsolid = fleischner(
        nodule("ground_glass", 7.0, id="N1"), nodule("ground_glass", 12.0, id="N2"), high_risk=False
    )
    assert "Subsequent management based on the most suspicious" in two_subsolid["recommendation"]


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
    assert (
        result["recommendation_zh"].startswith("不适用：") and len(result["recommendation_zh"]) > 6
    )


def test_only_benign_airway_or_cyst_findings_are_outside_table_1():
    result = fleischner(nodule("solid", 12.0, calcification="benign"))
    assert result["applicable"] is False and "Table 1" in result["reason"]
    assert "良性" in result["recommendation_zh"]


@pytest.mark.parametrize(("mean", "expected"), [(9.4, "No routine follow-up."), (9.5, None)])
def test_typical_perifissural_nodule_under_10_mm(mean, expected):
    result = fleischner(nodule("solid", mean, location="perifissural"), high_risk=True)
    if expected is None:  # rounds to 10 mm: Table 1, single solid > 8 mm
        assert result["recommendation"].startswith("Consider CT at 3 months")
    else:
        assert result["recommendation"].startswith(expected.rstrip("."))


def test_age_35_is_covered():
    assert fleischner(nodule("solid", 10.0), patient_age=35)["applicable"]


def test_unknown_risk_shows_both_columns():
    """Table 1 has a low-risk and a high-risk column and no default (issue 13, defect 9): a 4 mm
    solid nodule without the patient's risk gets both cells, and the answer asks for the risk."""
    result = fleischner(nodule("solid", 4.0))
    assert result["risk"] == "unknown" and result["missing_inputs"] == ["high_risk"]
    assert "No routine follow-up" in result["recommendation"]
    assert "Optional CT at 12 months" in result["recommendation"]
    assert result["recommendation"].startswith("Risk not given")
    assert result["by_risk"]["low"]["row"] == "solid_single_lt6_low"
    assert result["follow_up_months"] == 12
    assert "both columns" in result["rule"]


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
    assert applicable_guidelines(young).primary == "fleischner"
    assert applicable_guidelines(young).applies is False
