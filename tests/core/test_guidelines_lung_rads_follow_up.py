"""Lung-RADS v2022 on follow-up exams (issue 13, defects 1-7): growth over the actual interval and
over all priors, new solid tissue, stepped management from the tracked history, juxtapleural and
airway nodules. Each test quotes the v2022 table cell or note it follows (ACR Lung-RADS v2022;
Christensen et al., CHEST 2024;165:738-753)."""

from __future__ import annotations

import pytest

from nodule_desk.errors import FindingError
from nodule_desk.guidelines import classify_findings


def exam(date="2026-03-01", prior="2025-03-01", **extra):
    return {"date": date, "context": "screening", "prior_exam_date": prior, **extra}


def measured(date, mean, density="solid", solid=None, **extra):
    out = {"exam_date": date, "mean_diameter_mm": mean, "density_type": density, **extra}
    if solid is not None:
        out["solid_component_mean_diameter_mm"] = solid
    return out


def lung_rads_nodule(the_exam, **nodule):
    nodule = {"id": "N1", "density_type": "solid", **nodule}
    result = classify_findings({"exam": the_exam, "nodules": [nodule]})["lung_rads"]
    return result["nodules"][0]


def test_defect_1_enlarged_over_12_months_and_4_days_is_not_stepped_down():
    """v2022: stepped management is for a nodule "stable or decreased in size"; size thresholds
    "apply to nodules at first detection and that enlarge, reaching a higher size category".
    Solid 8.0 -> 12.0 mm over 12 months + 4 days is 4B ("new or growing >= 8 mm"), never 3."""
    answer = lung_rads_nodule(
        exam(date="2026-03-05", prior="2025-03-01"),
        mean_diameter_mm=12.0,
        prior={"mean_diameter_mm": 8.0, "density_type": "solid", "lung_rads_category": "4A"},
    )
    assert answer["category"] == "4B"
    assert "stepped" not in answer["rule"]


def test_defect_1_growth_over_all_priors_is_slow_growth_4b():
    """v2022 4B: "Slow growing solid or part solid nodule that demonstrates growth over multiple
    screening exams". 6.0 -> 6.8 -> 7.6 -> 8.2 mm at yearly exams: never > 1.5 mm within 12
    months, 2.2 mm over three years."""
    answer = lung_rads_nodule(
        exam(date="2026-03-01", prior="2025-03-01"),
        mean_diameter_mm=8.2,
        priors=[
            measured("2023-03-01", 6.0),
            measured("2024-03-01", 6.8),
            measured("2025-03-01", 7.6),
        ],
    )
    assert answer["category"] == "4B"
    assert "slow growth over multiple screening exams" in answer["rule"]


def test_defect_1_growth_within_12_months_of_an_older_prior_counts():
    """v2022 growth: "> 1.5 mm ... within a 12-month interval", measured against any prior in
    that window, not only the last: 6.0 (Sept) -> 6.9 (Dec) -> 7.6 mm (March) is growing, 4A
    ("growing < 8 mm")."""
    answer = lung_rads_nodule(
        exam(date="2026-03-01", prior="2025-12-01"),
        mean_diameter_mm=7.6,
        priors=[measured("2025-09-01", 6.0), measured("2025-12-01", 6.9)],
    )
    assert answer["category"] == "4A"
    assert "within 12 months" in answer["rule"] and "2025-09-01" in answer["rule"]


@pytest.mark.parametrize(
    ("prior_density", "prior_solid", "mean", "expected"),
    [("ground_glass", None, 10.0, "4B"), ("ground_glass", None, 3.5, "4A")],
)
def test_defect_2_ground_glass_turned_solid_is_new_solid_tissue(
    prior_density, prior_solid, mean, expected
):
    """v2022 4B part-solid: "new or growing >= 4 mm solid component"; 4A: "new or growing < 4 mm
    solid component". A ground-glass nodule that becomes solid has a new solid component of its
    whole size (ground glass 10 -> solid 10 mm was 4A by the solid rows)."""
    prior = {"mean_diameter_mm": mean, "density_type": prior_density}
    answer = lung_rads_nodule(exam(), mean_diameter_mm=mean, prior=prior)
    assert answer["category"] == expected
    assert "new solid component" in answer["rule"]


@pytest.mark.parametrize(
    ("mean", "prior_category", "expected"),
    [(10.0, "3", "2"), (7.0, "2", "2"), (10.0, "4A", "3"), (16.0, "4B", "4B")],
)
def test_defect_3_stepped_management_is_not_re_upgraded_by_size(mean, prior_category, expected):
    """v2022 2: "Category 3 lesions that are stable or decreased in size at 6-month follow-up
    CT"; 3: "Category 4A lesion that is stable or decreased in size at 3-month follow-up CT".
    A stable nodule is not re-read from its size (solid 10 mm stable with prior 3 was 4A)."""
    prior = {
        "mean_diameter_mm": mean,
        "density_type": "solid",
        "lung_rads_category": prior_category,
    }
    answer = lung_rads_nodule(exam(prior="2025-09-01"), mean_diameter_mm=mean, prior=prior)
    assert answer["category"] == expected


def test_defect_3_large_ground_glass_stable_with_prior_2_stays_2():
    """v2022 2 non-solid: ">= 30 mm ... stable or slowly growing" (a stable 35 mm GGN was 3)."""
    prior = {"mean_diameter_mm": 35.0, "density_type": "ground_glass", "lung_rads_category": "2"}
    answer = lung_rads_nodule(
        exam(), density_type="ground_glass", mean_diameter_mm=35.0, prior=prior
    )
    assert answer["category"] == "2"


def test_defect_3_stepped_management_derived_from_the_tracked_history():
    """Without stored categories the history is replayed: solid 10 mm at baseline is 4A ("8 to
    < 15 mm at baseline"), stable at 3 months -> 3, stable at 6 months -> 2. It does not read 3
    at every exam."""
    priors = [measured("2025-03-01", 10.0), measured("2025-06-01", 10.1)]
    answer = lung_rads_nodule(
        exam(date="2025-12-01", prior="2025-06-01"), mean_diameter_mm=10.0, priors=priors
    )
    assert answer["category"] == "2"
    assert [h["category"] for h in answer["history"]] == ["4A", "3"]
    assert answer["prior_category_source"] == "derived"


def test_defect_3_a_nodule_first_seen_after_baseline_was_new():
    """With the first screening date known, a nodule first measured later was "new": solid 7 mm
    new is 4A ("new 6 to < 8 mm"), so stable 3 months later it steps to 3, not to 2."""
    answer = lung_rads_nodule(
        exam(date="2025-09-01", prior="2025-06-01", baseline_exam_date="2024-06-01"),
        mean_diameter_mm=7.0,
        priors=[measured("2025-06-01", 7.0)],
    )
    assert answer["category"] == "3"
    assert answer["history"][0]["category"] == "4A"


def test_defect_4_part_solid_growth_is_growth_of_the_solid_component():
    """v2022 4A / 4B part-solid cells name a "new or growing ... solid component"; total 8.0 ->
    10.0 mm with the solid part 5.0 mm both times is sized by the rows: ">= 6 mm total mean
    diameter with solid component < 6 mm" -> 3 (it was 4B)."""
    prior = {"mean_diameter_mm": 8.0, "density_type": "part_solid", "solid_component_mm": 5.0}
    answer = lung_rads_nodule(
        exam(),
        density_type="part_solid",
        mean_diameter_mm=10.0,
        solid_component_mean_diameter_mm=5.0,
        prior=prior,
    )
    assert answer["category"] == "3"


def test_defect_5_juxtapleural_2_is_for_baseline_or_new_only():
    """v2022 2 juxtapleural: "< 10 mm (524 mm3) mean diameter at baseline or new". A slowly
    growing 9 mm juxtapleural solid nodule is 4B by the solid rows; a stable one stays 2."""
    growing = lung_rads_nodule(
        exam(),
        location="juxtapleural",
        mean_diameter_mm=9.0,
        priors=[
            measured("2023-03-01", 7.0),
            measured("2024-03-01", 7.8),
            measured("2025-03-01", 8.5),
        ],
    )
    assert growing["category"] == "4B"
    stable = lung_rads_nodule(
        exam(), location="juxtapleural", mean_diameter_mm=9.0, priors=[measured("2025-03-01", 9.0)]
    )
    assert stable["category"] == "2"


def test_defect_6_new_part_solid_under_6_mm_is_3_whatever_its_solid_part():
    """v2022 3 part-solid: "new < 6 mm total mean diameter (< 113 mm3)"."""
    answer = lung_rads_nodule(
        exam(),
        density_type="part_solid",
        mean_diameter_mm=5.9,
        solid_component_mean_diameter_mm=4.0,
    )
    assert answer["category"] == "3"


def test_defect_7_subsegmental_airway_nodule_is_2_only_at_baseline_new_or_stable():
    """v2022 2 airway: "subsegmental – at baseline, new, or stable"; a growing one is not 2."""
    airway = {"location": "airway", "airway_level": "subsegmental"}
    stable = lung_rads_nodule(
        exam(),
        mean_diameter_mm=5.0,
        prior={"mean_diameter_mm": 5.0, "density_type": "solid"},
        **airway,
    )
    assert stable["category"] == "2"
    growing = lung_rads_nodule(
        exam(),
        mean_diameter_mm=7.0,
        prior={"mean_diameter_mm": 5.0, "density_type": "solid"},
        **airway,
    )
    assert growing["category"] == "4A" and "safer reading" in growing["unchecked"]


def test_solid_component_long_axis_stands_in_for_a_missing_mean():
    """v2022 sizes the solid component by its mean diameter; with only its long axis measured the
    long axis is used (never smaller, so the category is never lower)."""
    answer = lung_rads_nodule(
        {"date": "2026-03-01", "context": "screening", "prior_exam_date": None},
        density_type="part_solid",
        mean_diameter_mm=12.0,
        solid_component_long_axis_mm=8.0,
    )
    assert answer["category"] == "4B"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priors": "yesterday"}, "priors"),
        ({"priors": [measured("2025-02-30", 5.0)]}, "priors[0].exam_date"),
        (
            {"priors": [measured("2025-03-01", 5.0), measured("2024-03-01", 5.0)]},
            "priors[1].exam_date",
        ),
        ({"priors": [measured("2026-04-01", 5.0)]}, "priors[0].exam_date"),
        ({"priors": [measured("2025-03-01", None)]}, "priors[0].mean_diameter_mm"),
        (
            {"priors": [measured("2025-03-01", 9.0, "part_solid")]},
            "priors[0].solid_component_mean_diameter_mm",
        ),
        (
            {"solid_component_mm": 3.0, "solid_component_mean_diameter_mm": 4.0},
            "solid_component_mm",
        ),
    ],
)
def test_malformed_history_names_nodule_and_field(change, field):
    nodule = {"id": "N4", "density_type": "solid", "mean_diameter_mm": 5.0, **change}
    with pytest.raises(FindingError) as raised:
        classify_findings({"exam": exam(), "nodules": [nodule]})
    assert (raised.value.nodule_id, raised.value.field) == ("N4", field)


def test_part_solid_total_enlarged_over_several_exams_is_not_stepped_down():
    """v2022 stepped management is for a lesion "stable or decreased in size": total 8.0 -> 9.0
    -> 10.0 mm (solid part 5.0 mm throughout) has enlarged by 2 mm, so it stays 3 by its size
    (">= 6 mm total mean diameter with solid component < 6 mm") instead of stepping to 2."""
    priors = [
        measured("2025-03-01", 8.0, "part_solid", 5.0),
        measured("2025-09-01", 9.0, "part_solid", 5.0),
    ]
    answer = lung_rads_nodule(
        exam(prior="2025-09-01"),
        density_type="part_solid",
        mean_diameter_mm=10.0,
        solid_component_mean_diameter_mm=5.0,
        priors=priors,
    )
    assert answer["category"] == "3"
    assert "stepped" not in answer["rule"]
