"""C-Lung-RADS (Nature Medicine 2024;30:3184-3195, Table 1) and the national programme's
positive nodule (China lung cancer screening guideline 2021), boundary by boundary."""

from __future__ import annotations

import pytest

from nodule_desk.guidelines import classify_findings

EXAM = {"date": "2026-03-01", "context": "screening", "prior_exam_date": None}


def nodule(density, mean, solid=None, id="N1", **extra):
    return {
        "id": id,
        "density_type": density,
        "mean_diameter_mm": mean,
        "solid_component_mm": solid,
        "prior": None,
        **extra,
    }


def classify(*nodules):
    return classify_findings({"exam": EXAM, "nodules": list(nodules)})


@pytest.mark.parametrize(
    ("density", "mean", "solid", "expected"),
    [
        ("solid", 5.9, None, "1"),
        ("solid", 6.0, None, "2"),
        ("solid", 9.9, None, "2"),
        ("solid", 10.0, None, "3"),
        ("solid", 17.9, None, "3"),
        ("solid", 18.0, None, "4"),
        ("part_solid", 5.9, 3.0, "1"),
        ("part_solid", 6.0, 5.9, "2"),
        ("part_solid", 15.0, 5.9, "2"),
        ("part_solid", 12.0, 6.0, "3"),
        ("part_solid", 12.0, 9.9, "3"),
        ("part_solid", 12.0, 10.0, "4"),
        ("ground_glass", 5.9, None, "1"),
        ("ground_glass", 6.0, None, "2"),
        ("ground_glass", 19.9, None, "2"),
        ("ground_glass", 20.0, None, "3"),
    ],
)
def test_table_1(density, mean, solid, expected):
    assert classify(nodule(density, mean, solid))["c_lung_rads"]["category"] == expected


def test_calcified_is_0_and_management_intervals():
    assert classify(nodule("solid", 9.0, calcification="benign"))["c_lung_rads"]["category"] == "0"
    months = {
        mean: classify(nodule("solid", mean))["c_lung_rads"]["follow_up_months"]
        for mean in (5.0, 7.0, 12.0, 20.0)
    }
    assert months == {5.0: 12, 7.0: 6, 12.0: 3, 20.0: None}


@pytest.mark.parametrize(
    ("mean", "probability", "expected"),
    [(7.0, 0.49, "2"), (7.0, 0.5, "4"), (12.0, 0.49, "3"), (12.0, 0.5, "4"), (5.0, 0.9, "1")],
)
def test_model_probability_raises_2_or_3_to_4(mean, probability, expected):
    """Table 1, category 4: 'Category 2 or 3 nodules with a ... malignant probability >= 0.5'."""
    flagged = nodule("solid", mean, malignancy_probability=probability)
    assert classify(flagged)["c_lung_rads"]["category"] == expected


def test_exam_is_the_most_suspicious_nodule():
    result = classify(nodule("solid", 5.0, id="N1"), nodule("ground_glass", 21.0, id="N2"))
    assert result["c_lung_rads"]["category"] == "3"
    assert "N2" in result["c_lung_rads"]["rule"]


@pytest.mark.parametrize(
    ("finding", "positive"),
    [
        (nodule("solid", 4.9), False),
        (nodule("solid", 5.0), True),
        (nodule("part_solid", 4.9, 2.0), False),
        (nodule("part_solid", 5.0, 2.0), True),
        (nodule("ground_glass", 7.9), False),
        (nodule("ground_glass", 8.0), True),
        (nodule("solid", 3.0, location="airway", airway_level="subsegmental"), True),
        (nodule("solid", 12.0, calcification="benign"), False),
    ],
)
def test_screening_positive_nodule(finding, positive):
    assert classify(finding)["screening_positive"] is positive


def test_no_nodules_is_negative_everywhere():
    result = classify()
    assert result["screening_positive"] is False
    assert result["c_lung_rads"]["category"] == "0"
    assert result["lung_rads"]["category"] == "1"


def test_findings_outside_table_1_are_not_negative():
    """Table 1: 0 is "Negative: Calcifications" (issue 13, defect 11). A segmental airway nodule
    is not in Table 1, so the exam is not categorized rather than 0 "negative, annual LDCT"."""
    airway = nodule("solid", 6.0, location="airway", airway_level="segmental_or_proximal")
    result = classify(airway)
    assert result["c_lung_rads"]["category"] is None
    assert result["c_lung_rads"]["follow_up_months"] is None
    assert "not negative" in result["c_lung_rads"]["rule"]
    assert result["c_lung_rads"]["not_categorized"] == ["N1"]
    assert result["lung_rads"]["category"] == "4A" and result["screening_positive"] is True


def test_solid_component_by_its_long_axis_when_given():
    """Table 1 sizes part-solid nodules by "total mean diameter" and does not say how the solid
    component is measured; the long axis (the larger) is the safer reading: 5.0 mm mean but
    6.2 mm long axis reads ">= 6 to < 10 mm" solid component, 3."""
    part_solid = nodule(
        "part_solid", 12.0, 5.0, solid_component_long_axis_mm=6.2, solid_component_mm=None
    )
    part_solid["solid_component_mean_diameter_mm"] = 5.0
    result = classify(part_solid)["c_lung_rads"]
    assert result["category"] == "3"
    assert "long axis" in result["nodules"][0]["rule"]
