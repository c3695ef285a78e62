"""Fleischner 2017 beyond the first CT (issue 13, defects 8, 10 and 13), from MacMahon et al.,
Radiology 2017;284:228-243."""

from __future__ import annotations

from nodule_desk.guidelines import classify_findings

EXAM = {"date": "2026-03-01", "context": "incidental", "prior_exam_date": None, "patient_age": 60}
FOLLOW_UP = {**EXAM, "prior_exam_date": "2025-09-01"}


def solid(mean, id="N1", **extra):
    return {"id": id, "density_type": "solid", "mean_diameter_mm": mean, **extra}


def answer(exam, *nodules, **extra):
    return classify_findings({"exam": {**exam, **extra}, "nodules": list(nodules)})


def test_defect_8_multiple_solid_counts_solid_nodules_only():
    """Table 1 "multiple solid nodules" (CT at 3-6 months) counts solid nodules; a typical
    perifissural nodule (the paper: no follow-up under 10 mm) and a ground-glass nodule do not
    turn a single 6-8 mm solid nodule's "CT at 6-12 months" into 3-6 months."""
    result = answer(
        EXAM,
        solid(7.0, "N1"),
        solid(5.0, "N2", location="perifissural"),
        {"id": "N3", "density_type": "ground_glass", "mean_diameter_mm": 4.0},
        high_risk=False,
    )["fleischner"]
    assert result["recommendation"].startswith("CT at 6-12 months")
    assert result["follow_up_months_range"] == [6, 12]
    two_solid = answer(EXAM, solid(7.0, "N1"), solid(5.0, "N2"), high_risk=False)["fleischner"]
    assert two_solid["follow_up_months_range"] == [3, 6]


def test_defect_10_growth_on_follow_up_changes_the_recommendation():
    """The paper: prior studies "should always be reviewed ... to determine possible growth or
    stability". Solid 3.0 -> 5.4 mm in 6 months is growth, not "no routine follow-up"."""
    grown = solid(5.4, prior={"mean_diameter_mm": 3.0, "density_type": "solid"})
    result = answer(FOLLOW_UP, grown, high_risk=False)["fleischner"]
    assert "No routine follow-up" not in result["recommendation"]
    assert result["recommendation"].startswith("Growth since the prior CT")
    assert "growth_on_follow_up" in result["rule"]


def test_defect_10_growing_solid_component_of_a_part_solid_nodule():
    """The paper on part-solid nodules: with "a growing solid component ... PET/CT, biopsy, or
    resection are recommended"."""
    part_solid = {
        "id": "N1",
        "density_type": "part_solid",
        "mean_diameter_mm": 12.0,
        "solid_component_long_axis_mm": 6.0,
        "solid_component_mean_diameter_mm": 5.0,
        "prior": {
            "mean_diameter_mm": 12.0,
            "density_type": "part_solid",
            "solid_component_mean_diameter_mm": 2.0,
        },
    }
    result = answer(FOLLOW_UP, part_solid, high_risk=True)["fleischner"]
    assert result["recommendation"].startswith("Growth since the prior CT")
    assert "solid component 6 mm (long axis)" in result["rule"]


def test_stable_solid_nodule_for_2_years_ends_follow_up():
    """The paper: a solid nodule stable for 2 years needs no further follow-up."""
    stable = solid(
        7.0, priors=[{"exam_date": "2024-02-01", "mean_diameter_mm": 7.0, "density_type": "solid"}]
    )
    result = answer({**EXAM, "prior_exam_date": "2024-02-01"}, stable, high_risk=True)
    assert result["fleischner"]["follow_up_months"] is None
    assert "stable for 2 years" in result["fleischner"]["recommendation"]


def test_defect_13_no_guideline_for_an_excluded_patient_is_said_plainly():
    """The paper's scope excludes patients younger than 35: an incidental nodule in a 30-year-old
    gets no guideline, and Lung-RADS (a screening tool) is not promoted in its place."""
    result = answer(EXAM, solid(9.0), patient_age=30)
    assert result["primary_guideline"] == "fleischner"
    assert result["primary_guideline_applies"] is False
    assert "manage clinically" in result["fleischner"]["recommendation"]
    assert "does not apply" in result["primary_reason"]
    assert result["lung_rads"]["applicable"] is False


def _unchanged(density, mean, first, **extra):
    prior = {"exam_date": first, "mean_diameter_mm": mean, "density_type": density, **extra}
    return {"id": "N1", "density_type": density, "mean_diameter_mm": mean, "prior": prior, **extra}


def test_unchanged_solid_nodule_gets_the_second_step_not_the_first_again():
    """Table 1, solid 6-8 mm, low risk: "CT at 6-12 months, then consider CT at 18-24 months".
    Unchanged at its 6-month CT, the next CT is the one at 18-24 months after the first."""
    result = answer(FOLLOW_UP, _unchanged("solid", 7.0, "2025-09-01"), high_risk=False)
    fleischner = result["fleischner"]
    assert "then consider CT at 18-24 months" in fleischner["recommendation"]
    assert fleischner["follow_up_date"] == "2027-03-01"
    late = answer(
        {**EXAM, "date": "2027-04-01", "prior_exam_date": "2025-09-01"},
        _unchanged("solid", 7.0, "2025-09-01"),
        high_risk=False,
    )["fleischner"]
    assert "schedule complete" in late["recommendation"] and late["follow_up_date"] is None


def test_persistent_ground_glass_is_followed_every_2_years():
    """Table 1, GGN >= 6 mm: "CT at 6-12 months to confirm persistence, then CT every 2 years
    until 5 years"."""
    result = answer(FOLLOW_UP, _unchanged("ground_glass", 9.0, "2025-09-01"))["fleischner"]
    assert "every 2 years" in result["recommendation"]
    assert result["follow_up_date"] == "2028-03-01"


def test_persistent_part_solid_with_small_solid_part_is_annual():
    """Table 1, part-solid >= 6 mm: "If unchanged and solid component remains < 6 mm, annual CT
    should be performed for 5 years"."""
    nodule = _unchanged("part_solid", 9.0, "2025-09-01", solid_component_mean_diameter_mm=3.0)
    result = answer(FOLLOW_UP, nodule)["fleischner"]
    assert "annual CT for 5 years" in result["recommendation"]
    assert result["follow_up_date"] == "2027-03-01"
