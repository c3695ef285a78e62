"""Lung-RADS v2022, cell by cell, from the ACR table (ACR 2022; Christensen et al., CHEST 2024;
165:738-753): the expected categories are the table's, not the code's."""

from __future__ import annotations

import pytest

from nodule_desk.errors import FindingError
from nodule_desk.guidelines import classify_findings

BASELINE = {"date": "2026-03-01", "context": "screening", "prior_exam_date": None}
FOLLOW_UP = {"date": "2026-03-01", "context": "screening", "prior_exam_date": "2025-03-01"}


def nodule(density="solid", mean=5.0, solid=None, prior=None, **extra):
    return {
        "id": extra.pop("id", "N1"),
        "density_type": density,
        "mean_diameter_mm": mean,
        "solid_component_mm": solid,
        "location": extra.pop("location", "parenchymal"),
        "calcification": extra.pop("calcification", "none"),
        "fat_containing": extra.pop("fat_containing", False),
        "prior": prior,
        **extra,
    }


def lung_rads(exam, *nodules):
    return classify_findings({"exam": dict(exam), "nodules": list(nodules)})["lung_rads"]


def category(exam, *nodules):
    return lung_rads(exam, *nodules)["category"]


@pytest.mark.parametrize(
    ("mean", "expected"),
    [(5.9, "2"), (6.0, "3"), (7.9, "3"), (8.0, "4A"), (14.9, "4A"), (15.0, "4B"), (30.0, "4B")],
)
def test_solid_at_baseline(mean, expected):
    assert category(BASELINE, nodule("solid", mean)) == expected


@pytest.mark.parametrize(
    ("mean", "expected"),
    [(3.9, "2"), (4.0, "3"), (5.9, "3"), (6.0, "4A"), (7.9, "4A"), (8.0, "4B")],
)
def test_new_solid_on_follow_up(mean, expected):
    assert category(FOLLOW_UP, nodule("solid", mean, prior=None)) == expected


@pytest.mark.parametrize(
    ("prior", "now", "expected"),
    [(4.0, 5.6, "4A"), (6.3, 7.9, "4A"), (6.4, 8.0, "4B"), (10.0, 11.6, "4B")],
)
def test_growing_solid(prior, now, expected):
    grown = nodule("solid", now, prior={"mean_diameter_mm": prior, "density_type": "solid"})
    assert category(FOLLOW_UP, grown) == expected


def test_growth_needs_more_than_1_5_mm():
    up_1_5 = nodule("solid", 7.5, prior={"mean_diameter_mm": 6.0, "density_type": "solid"})
    up_1_6 = nodule("solid", 7.6, prior={"mean_diameter_mm": 6.0, "density_type": "solid"})
    assert category(FOLLOW_UP, up_1_6) == "4A"
    # up by exactly 1.5 mm is not growth: a 3 nodule stable at follow-up steps down to 2
    assert category(FOLLOW_UP, up_1_5) == "2"


def test_enlargement_over_more_than_12_months_is_not_stable():
    """v2022 notes: growth is "an increase in mean diameter size of > 1.5 mm ... within a 12-month
    interval", and stepped management is for nodules "stable or decreased in size"; 6.0 -> 7.6 mm
    over 13 months is neither (an earlier version of this test wanted 2). Safer reading: growing."""
    late = dict(FOLLOW_UP, prior_exam_date="2025-02-01")
    grown = nodule("solid", 7.6, prior={"mean_diameter_mm": 6.0, "density_type": "solid"})
    result = lung_rads(late, grown)
    assert result["category"] == "4A"
    assert "more than 12 months ago" in result["nodules"][0]["rule"]
    assert "safer reading" in result["nodules"][0]["rule"]
    assert "Safer reading" in result["nodules"][0]["unchecked"]


def test_stepped_management_for_stable_nodules():
    stable_3 = nodule("solid", 7.0, prior={"mean_diameter_mm": 7.0, "density_type": "solid"})
    stable_4a = nodule("solid", 10.0, prior={"mean_diameter_mm": 10.0, "density_type": "solid"})
    assert category(FOLLOW_UP, stable_3) == "2"
    assert category(FOLLOW_UP, stable_4a) == "3"


def test_crossing_a_size_threshold_without_growth_reclassifies():
    crossed = nodule("solid", 8.2, prior={"mean_diameter_mm": 7.4, "density_type": "solid"})
    assert category(FOLLOW_UP, crossed) == "4A"


@pytest.mark.parametrize(
    ("mean", "solid", "expected"),
    [
        (5.9, 3.0, "2"),
        (6.0, 5.9, "3"),
        (12.0, 5.9, "3"),
        (12.0, 6.0, "4A"),
        (12.0, 7.9, "4A"),
        (12.0, 8.0, "4B"),
    ],
)
def test_part_solid_at_baseline(mean, solid, expected):
    assert category(BASELINE, nodule("part_solid", mean, solid)) == expected


@pytest.mark.parametrize(
    ("mean", "solid", "expected"),
    [
        (5.9, 2.0, "3"),  # new < 6 mm total
        (5.9, 3.9, "3"),
        (6.0, 3.9, "4A"),  # new, solid component < 4 mm
        (12.0, 3.9, "4A"),
        (6.0, 4.0, "4B"),  # new solid component >= 4 mm
        (12.0, 4.0, "4B"),
        (5.9, 4.0, "3"),  # v2022 3: "new < 6 mm total mean diameter", whatever its solid part
    ],
)
def test_new_part_solid(mean, solid, expected):
    assert category(FOLLOW_UP, nodule("part_solid", mean, solid)) == expected


@pytest.mark.parametrize(
    ("prior_solid", "solid", "expected"),
    [(2.0, 3.9, "4A"), (2.3, 3.9, "4A"), (2.4, 4.0, "4B"), (3.0, 8.0, "4B"), (2.4, 3.9, "2")],
)
def test_growing_solid_component(prior_solid, solid, expected):
    """Up by more than 1.5 mm is growth; up by exactly 1.5 mm is stable (3 steps down to 2)."""
    prior = {"mean_diameter_mm": 12.0, "solid_component_mm": prior_solid}
    grown = nodule("part_solid", 12.0, solid, prior={**prior, "density_type": "part_solid"})
    result = lung_rads(FOLLOW_UP, grown)
    assert result["category"] == expected
    rule = result["nodules"][0]["rule"]
    assert ("solid component up by more than 1.5 mm" in rule) is (expected != "2")


def test_growing_part_solid_under_6_mm_is_4a_and_marked_as_our_reading():
    """v2022 4A part-solid: "New or growing < 4 mm (< 34 mm3) solid component" (no total size)."""
    prior = {"mean_diameter_mm": 3.5, "solid_component_mm": 1.0, "density_type": "part_solid"}
    result = lung_rads(FOLLOW_UP, nodule("part_solid", 5.5, 2.8, prior=prior))
    assert result["category"] == "4A"
    assert "names no total size" in result["nodules"][0]["unchecked"]


def test_growing_solid_component_of_the_issue_example():
    grown = nodule(
        "part_solid",
        11.0,
        6.5,
        prior={"mean_diameter_mm": 10.0, "solid_component_mm": 3.0, "density_type": "part_solid"},
    )
    result = lung_rads(FOLLOW_UP, grown)
    assert result["category"] == "4B"
    assert result["nodules"][0]["measures"]["solid_component_mm"] == 6.5


def test_ground_glass_that_gains_a_solid_component_is_growing():
    gained = nodule(
        "part_solid", 12.0, 3.0, prior={"mean_diameter_mm": 12.0, "density_type": "ground_glass"}
    )
    assert category(FOLLOW_UP, gained) == "4A"


@pytest.mark.parametrize(("mean", "expected"), [(29.9, "2"), (30.0, "3")])
def test_ground_glass_baseline_and_new(mean, expected):
    assert category(BASELINE, nodule("ground_glass", mean)) == expected
    assert category(FOLLOW_UP, nodule("ground_glass", mean)) == expected


def test_ground_glass_growing_under_30_and_large_stable_or_slow_growing_are_2():
    growing = nodule(
        "ground_glass", 20.0, prior={"mean_diameter_mm": 15.0, "density_type": "ground_glass"}
    )
    stable = nodule(
        "ground_glass", 32.0, prior={"mean_diameter_mm": 32.0, "density_type": "ground_glass"}
    )
    slow = nodule(
        "ground_glass",
        33.0,
        slow_growing=True,
        prior={"mean_diameter_mm": 32.0, "density_type": "ground_glass"},
    )
    assert category(FOLLOW_UP, growing) == "2"
    assert category(FOLLOW_UP, stable) == "2"
    assert category(FOLLOW_UP, slow) == "2"


def test_slow_growing_solid_is_4b():
    slow = nodule(
        "solid", 6.5, slow_growing=True, prior={"mean_diameter_mm": 5.5, "density_type": "solid"}
    )
    assert category(FOLLOW_UP, slow) == "4B"


@pytest.mark.parametrize("location", ["juxtapleural", "perifissural"])
def test_juxtapleural_and_perifissural_under_10_mm_are_2(location):
    assert category(BASELINE, nodule("solid", 9.9, location=location)) == "2"
    assert category(BASELINE, nodule("solid", 10.0, location=location)) == "4A"
    assert category(FOLLOW_UP, nodule("solid", 7.0, location=location)) == "2"


@pytest.mark.parametrize(
    ("level", "exam", "prior", "expected"),
    [
        ("subsegmental", BASELINE, None, "2"),
        ("subsegmental", FOLLOW_UP, {"mean_diameter_mm": 5.0, "density_type": "solid"}, "2"),
        ("segmental_or_proximal", BASELINE, None, "4A"),
        ("segmental_or_proximal", FOLLOW_UP, None, "4A"),
        (
            "segmental_or_proximal",
            FOLLOW_UP,
            {"mean_diameter_mm": 5.0, "density_type": "solid"},
            "4B",
        ),
    ],
)
def test_airway_nodules(level, exam, prior, expected):
    airway = nodule("solid", 5.0, location="airway", airway_level=level, prior=prior)
    assert category(exam, airway) == expected


@pytest.mark.parametrize(
    ("cyst", "expected"),
    [
        ({"wall": "thick", "multilocular": False}, "4A"),
        ({"wall": "thin", "multilocular": True}, "4A"),
        ({"wall": "thin", "multilocular": True, "change": "became_multilocular"}, "4A"),
        ({"wall": "thick", "multilocular": False, "change": "growing_cystic_component"}, "3"),
        ({"wall": "thick", "multilocular": False, "change": "growing_wall_or_nodularity"}, "4B"),
        ({"wall": "thin", "multilocular": True, "change": "growing_multilocular"}, "4B"),
        (
            {"wall": "thick", "multilocular": True, "change": "increased_loculation_or_opacity"},
            "4B",
        ),
    ],
)
def test_atypical_pulmonary_cysts(cyst, expected):
    assert category(BASELINE, nodule("cyst", 14.0, cyst=cyst)) == expected


@pytest.mark.parametrize(
    ("feature", "value"), [("calcification", "benign"), ("fat_containing", True)]
)
def test_benign_features_are_1(feature, value):
    assert category(BASELINE, nodule("solid", 20.0, **{feature: value})) == "1"


def test_no_nodules_is_1_with_annual_screening():
    result = lung_rads(BASELINE)
    assert (result["category"], result["follow_up_months"]) == ("1", 12)
    assert result["follow_up_date"] == "2027-03-01"


def test_4x_for_additional_suspicious_features():
    spiculated = nodule("solid", 7.0, suspicious_features=["spiculation"])
    assert category(BASELINE, spiculated) == "4X"
    assert category(BASELINE, nodule("solid", 5.0, suspicious_features=["spiculation"])) == "2"


def test_exam_category_is_the_most_suspicious_nodule():
    result = lung_rads(
        BASELINE,
        nodule("solid", 5.0, id="N1"),
        nodule("solid", 9.0, id="N2"),
        nodule("ground_glass", 12.0, id="N3"),
    )
    assert result["category"] == "4A"
    assert [n["category"] for n in result["nodules"]] == ["2", "4A", "2"]
    assert "N2" in result["rule"]


@pytest.mark.parametrize(
    ("category_", "months", "words"),
    [("2", 12, "12 months"), ("3", 6, "6-month"), ("4A", 3, "3-month"), ("4B", None, "tissue")],
)
def test_management_and_interval(category_, months, words):
    sizes = {"2": 5.0, "3": 7.0, "4A": 9.0, "4B": 16.0}
    result = lung_rads(BASELINE, nodule("solid", sizes[category_]))
    assert result["category"] == category_
    assert result["follow_up_months"] == months
    assert words in result["management"]
    assert result["management_zh"]


def test_incomplete_exam_is_0_and_s_modifier():
    infectious = dict(BASELINE, incomplete="infectious_inflammatory")
    result = lung_rads(infectious, nodule("solid", 5.0))
    assert (result["category"], result["follow_up_months"]) == ("0", 1)
    assert lung_rads(dict(BASELINE, incomplete="prior_being_located"))["category"] == "0"
    flagged = lung_rads(
        dict(BASELINE, significant_other_findings=["emphysema"]), nodule("solid", 7.0)
    )
    assert (flagged["category"], flagged["category_label"]) == ("3", "3S")


@pytest.mark.parametrize(("given", "expected"), [(5.95, "3"), (5.94, "2")])
def test_mean_diameter_rounds_to_0_1_mm_half_up(given, expected):
    result = lung_rads(BASELINE, nodule("solid", given))
    assert result["category"] == expected
    assert result["nodules"][0]["measures"]["mean_diameter_mm"] == (6.0 if expected == "3" else 5.9)


def test_mean_diameter_from_the_axes():
    axes = nodule("solid", None, long_axis_mm=6.4, short_axis_mm=5.5)  # 5.95 -> 6.0
    result = lung_rads(BASELINE, axes)
    assert result["nodules"][0]["measures"]["mean_diameter_mm"] == 6.0
    assert result["category"] == "3"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mean_diameter_mm": None}, "mean_diameter_mm"),
        ({"density_type": "mixed"}, "density_type"),
        ({"density_type": None}, "density_type"),
        ({"location": "hilum"}, "location"),
        ({"location": "airway"}, "airway_level"),
        (
            {"density_type": "part_solid", "solid_component_mm": None},
            "solid_component_mean_diameter_mm",
        ),
        ({"mean_diameter_mm": "large"}, "mean_diameter_mm"),
        ({"mean_diameter_mm": -1}, "mean_diameter_mm"),
        ({"calcification": "popcorn"}, "calcification"),
    ],
)
def test_unclassifiable_finding_names_nodule_and_field(change, field):
    bad = {**nodule("solid", 5.0, id="N7"), **change}
    with pytest.raises(FindingError) as raised:
        classify_findings({"exam": BASELINE, "nodules": [bad]})
    assert (raised.value.nodule_id, raised.value.field) == ("N7", field)


def test_prior_on_a_baseline_exam_is_an_error():
    with pytest.raises(FindingError) as raised:
        lung_rads(BASELINE, nodule(prior={"mean_diameter_mm": 5.0, "density_type": "solid"}))
    assert raised.value.field == "prior"


def test_growing_large_ground_glass_is_marked_as_our_reading():
    grown = nodule(
        "ground_glass", 33.0, prior={"mean_diameter_mm": 31.0, "density_type": "ground_glass"}
    )
    result = lung_rads(FOLLOW_UP, grown)
    assert result["category"] == "3"
    assert "no cell" in result["nodules"][0]["unchecked"]


def test_lung_rads_is_for_reference_on_incidental_exams():
    incidental = dict(BASELINE, context="incidental")
    result = lung_rads(incidental, nodule("solid", 7.0))
    assert result["applicable"] is False and result["category"] == "3"
    assert lung_rads(BASELINE, nodule("solid", 7.0))["applicable"] is True


def test_growth_window_ends_12_calendar_months_after_the_prior():
    grown = nodule("solid", 7.6, prior={"mean_diameter_mm": 6.0, "density_type": "solid"})
    on_the_day = dict(FOLLOW_UP, date="2026-03-01", prior_exam_date="2025-03-01")
    a_day_late = dict(FOLLOW_UP, date="2026-03-02", prior_exam_date="2025-03-01")
    on_time, late = lung_rads(on_the_day, grown), lung_rads(a_day_late, grown)
    assert on_time["category"] == late["category"] == "4A"
    assert "within 12 months" in on_time["nodules"][0]["rule"]
    assert "unchecked" not in on_time["nodules"][0]
    assert "more than 12 months ago" in late["nodules"][0]["rule"]


def test_exam_takes_4x_over_4b():
    result = lung_rads(
        BASELINE,
        nodule("solid", 16.0, id="N1"),
        nodule("solid", 7.0, id="N2", suspicious_features=["spiculation"]),
    )
    assert [n["category"] for n in result["nodules"]] == ["4B", "4X"]
    assert result["category"] == "4X" and "N2" in result["rule"]


def _sizes_around(bounds):
    edges = {b for b in bounds if b is not None}
    values = {0.0, 50.0} | {round(e + d, 1) for e in edges for d in (-0.1, 0.0, 0.1)}
    return sorted(v for v in values if v >= 0)


@pytest.mark.parametrize("density", ["solid", "part_solid", "ground_glass"])
@pytest.mark.parametrize("when", ["baseline", "new", "growing"])
def test_size_rows_have_no_gap_and_no_overlap(density, when):
    """Every size (and solid component no larger than it) falls in exactly one row."""
    from nodule_desk.guidelines import lung_rads_table as table

    rows = [r for r in table.ROWS_BY_DENSITY[density] if r.when == when]
    bounds = [x for r in rows for _, lo, hi in r.bounds for x in (lo, hi)]
    sizes = _sizes_around(bounds)
    for mean in sizes:
        solids = [s for s in sizes if s <= mean] if density == "part_solid" else [None]
        for solid in solids:
            measures = {table.MEAN: mean, table.SOLID: solid}
            hits = [r.text for r in rows if r.matches(when, measures)]
            assert len(hits) == 1, (mean, solid, hits)


def test_stepped_management_starts_from_the_prior_exams_category_when_given():
    """A new 7 mm solid nodule was 4A; stable at its 3-month LDCT it is 3, not 2."""
    three_months = dict(FOLLOW_UP, prior_exam_date="2025-12-01")
    prior = {"mean_diameter_mm": 7.0, "density_type": "solid"}
    known = nodule("solid", 7.2, prior={**prior, "lung_rads_category": "4A"})
    result = lung_rads(three_months, known)
    assert result["category"] == "3"
    assert "prior Lung-RADS 4A" in result["nodules"][0]["rule"]
    unknown = lung_rads(three_months, nodule("solid", 7.2, prior=prior))
    assert unknown["category"] == "2"
    assert "prior Lung-RADS 3 (derived)" in unknown["nodules"][0]["rule"]
    assert unknown["nodules"][0]["prior_category_source"] == "derived"


def test_prior_category_must_be_a_lung_rads_category():
    bad = nodule(
        "solid",
        7.0,
        prior={"mean_diameter_mm": 7.0, "density_type": "solid", "lung_rads_category": "5"},
    )
    with pytest.raises(FindingError) as raised:
        lung_rads(FOLLOW_UP, bad)
    assert raised.value.field == "prior.lung_rads_category"
