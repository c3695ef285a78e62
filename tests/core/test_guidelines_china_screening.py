"""The national LDCT screening programme's "positive" by screening round (issue 13, defect 12):
中国肺癌筛查与早诊早治指南 (2021) and the 2023 revision of the national LDCT screening guideline."""

from __future__ import annotations

import pytest

from nodule_desk.errors import FindingError
from nodule_desk.guidelines import classify_findings

BASELINE = {"date": "2026-03-01", "context": "screening", "prior_exam_date": None}
ANNUAL = {"date": "2026-03-01", "context": "screening", "prior_exam_date": "2025-03-01"}


def positive(exam, **nodule):
    nodule = {"id": "N1", "density_type": "solid", **nodule}
    return classify_findings({"exam": exam, "nodules": [nodule]})["screening_positive_detail"]


@pytest.mark.parametrize(
    ("density", "mean", "expected"),
    [
        ("solid", 4.9, False),
        ("solid", 5.0, True),
        ("ground_glass", 7.9, False),
        ("ground_glass", 8.0, True),
    ],
)
def test_baseline_definition(density, mean, expected):
    """2021 baseline: a solid or part-solid nodule >= 5 mm or a non-solid nodule >= 8 mm."""
    extra = {"solid_component_mm": 2.0} if density == "part_solid" else {}
    detail = positive(BASELINE, density_type=density, mean_diameter_mm=mean, **extra)
    assert detail["positive"] is expected and detail["screening_round"] == "baseline"


def test_repeat_screening_growth_is_positive_below_the_baseline_size():
    """2021 repeat (annual) screening: an existing nodule that grew ("原有肺结节增大") is
    positive; solid 3.0 -> 4.9 mm was negative under the baseline definition."""
    detail = positive(
        ANNUAL, mean_diameter_mm=4.9, prior={"mean_diameter_mm": 3.0, "density_type": "solid"}
    )
    assert detail["positive"] is True and detail["screening_round"] == "annual"
    assert "增大" in detail["nodules"][0]["rule"]
    assert detail["follow_up_months"] == 3


def test_repeat_screening_new_nodule_is_positive_and_stable_known_nodule_is_not():
    """2021 repeat screening: "发现新的非钙化结节" (a new non-calcified nodule) is positive; a
    known nodule that has not grown is not (the baseline sizes are not re-applied)."""
    assert positive(ANNUAL, mean_diameter_mm=3.0)["positive"] is True
    stable = positive(
        ANNUAL, mean_diameter_mm=6.0, prior={"mean_diameter_mm": 6.0, "density_type": "solid"}
    )
    assert stable["positive"] is False and stable["follow_up_months"] == 12


def test_screening_round_given_overrides_the_prior_exam():
    """The first programme screen after an earlier (incidental) CT is still the baseline round."""
    detail = positive({**ANNUAL, "screening_round": "baseline"}, mean_diameter_mm=4.0)
    assert detail["positive"] is False and detail["screening_round"] == "baseline"
    with pytest.raises(FindingError) as raised:
        positive({**ANNUAL, "screening_round": "second"}, mean_diameter_mm=4.0)
    assert (raised.value.nodule_id, raised.value.field) == ("exam", "screening_round")


def test_2023_revision_moves_baseline_positives_to_6_months():
    """2023 revision: "将部分阳性结节的随访时间由3个月调整为6个月"; a baseline solid 7 mm
    nodule is re-screened at 6 months, a 16 mm one goes to multidisciplinary work-up."""
    assert positive(BASELINE, mean_diameter_mm=7.0)["follow_up_months"] == 6
    work_up = positive(BASELINE, mean_diameter_mm=16.0)
    assert work_up["follow_up_months"] is None and "multidisciplinary" in work_up["management"]
