"""Finding records: rounding as each guideline says, sizes from axes, errors naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nodule_desk.errors import FindingError
from nodule_desk.guidelines import parse_findings
from nodule_desk.guidelines.findings import round_mm


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (5.95, "0.1", "6.0"),
        (5.94, "0.1", "5.9"),
        (5.85, "0.1", "5.9"),
        (7.5, "1", "8"),
        (5.5, "1", "6"),
        (8.49, "1", "8"),
        (2.675, "0.1", "2.7"),
    ],
)
def test_round_half_up_on_the_decimal_string(value, step, expected):
    assert round_mm(value, step) == Decimal(expected)


def test_mean_from_axes_and_exam_fields():
    findings = parse_findings(
        {
            "exam": {
                "date": "2026-03-01",
                "context": "incidental",
                "prior_exam_date": "2025-09-01",
                "patient_age": 50,
                "known_cancer": False,
            },
            "nodules": [
                {
                    "id": "N1",
                    "density_type": "solid",
                    "long_axis_mm": 6.4,
                    "short_axis_mm": 5.5,
                    "prior": {"long_axis_mm": 5, "short_axis_mm": 4, "density_type": "solid"},
                }
            ],
        }
    )
    nodule = findings.nodules[0]
    assert round_mm(nodule.mean_diameter_mm, "0.1") == Decimal("6.0")
    assert nodule.prior is not None and nodule.prior.mean_diameter_mm == Decimal("4.5")
    assert not findings.exam.baseline


@pytest.mark.parametrize(
    ("exam", "field"),
    [
        ({"date": "yesterday"}, "date"),
        ({"date": "2026-03-01", "context": "routine"}, "context"),
        ({"date": "2026-03-01", "prior_exam_date": "2027-01-01"}, "prior_exam_date"),
        ({"date": "2026-03-01", "patient_age": "old"}, "patient_age"),
    ],
)
def test_bad_exam_fields(exam, field):
    with pytest.raises(FindingError) as raised:
        parse_findings({"exam": exam, "nodules": []})
    assert (raised.value.nodule_id, raised.value.field) == ("exam", field)


def test_duplicate_ids_and_bad_prior():
    exam = {"date": "2026-03-01", "prior_exam_date": "2025-03-01"}
    twice = [{"id": "N1", "density_type": "solid", "mean_diameter_mm": 4}] * 2
    with pytest.raises(FindingError) as raised:
        parse_findings({"exam": exam, "nodules": twice})
    assert raised.value.field == "id"
    no_size = [
        {
            "id": "N2",
            "density_type": "solid",
            "mean_diameter_mm": 4,
            "prior": {"density_type": "solid"},
        }
    ]
    with pytest.raises(FindingError) as raised:
        parse_findings({"exam": exam, "nodules": no_size})
    assert (raised.value.nodule_id, raised.value.field) == ("N2", "prior.mean_diameter_mm")


def test_part_solid_prior_needs_its_solid_component():
    exam = {"date": "2026-03-01", "prior_exam_date": "2025-03-01"}
    prior = {"mean_diameter_mm": 9.0, "density_type": "part_solid"}
    current = {
        "id": "N3",
        "density_type": "part_solid",
        "mean_diameter_mm": 9.0,
        "solid_component_mm": 3.0,
        "prior": prior,
    }
    with pytest.raises(FindingError) as raised:
        parse_findings({"exam": exam, "nodules": [current]})
    assert (raised.value.nodule_id, raised.value.field) == (
        "N3",
        "prior.solid_component_mean_diameter_mm",
    )


def test_mean_of_axes_is_exact_decimal_arithmetic():
    """(6.05 + 5.85) / 2 is 5.949999... in binary floating point; the guideline's 5.95 is 6.0."""
    assert (6.05 + 5.85) / 2 < 5.95
    findings = parse_findings(
        {
            "exam": {"date": "2026-03-01", "prior_exam_date": None},
            "nodules": [
                {"id": "N1", "density_type": "solid", "long_axis_mm": 6.05, "short_axis_mm": 5.85}
            ],
        }
    )
    assert round_mm(findings.nodules[0].mean_diameter_mm, "0.1") == Decimal("6.0")


@pytest.mark.parametrize(
    ("change", "exam", "field"),
    [
        ({"volume_mm3": "big"}, {}, "volume_mm3"),
        ({"mean_diameter_mm": 1e308}, {}, "mean_diameter_mm"),
        ({"volume_mm3": 10**30}, {}, "volume_mm3"),
        ({"suspicious_features": "spiculation"}, {}, "suspicious_features"),
        ({"volume_mm3": -3}, {}, "volume_mm3"),
        ({"slow_growing": True}, {}, "slow_growing"),
        ({"slow_growing": "yes"}, {"prior_exam_date": "2025-03-01"}, "slow_growing"),
        ({"fat_containing": "no"}, {}, "fat_containing"),
        ({"malignancy_probability": 1.5}, {}, "malignancy_probability"),
        ({"density_type": "cyst"}, {}, "cyst"),
        ({"density_type": "cyst", "cyst": {"wall": "medium"}}, {}, "cyst.wall"),
        ({"location": "airway", "airway_level": "lobar"}, {}, "airway_level"),
    ],
)
def test_bad_nodule_fields_name_nodule_and_field(change, exam, field):
    nodule = {"id": "N9", "density_type": "solid", "mean_diameter_mm": 5.0, **change}
    data = {"exam": {"date": "2026-03-01", "prior_exam_date": None, **exam}, "nodules": [nodule]}
    with pytest.raises(FindingError) as raised:
        parse_findings(data)
    assert (raised.value.nodule_id, raised.value.field) == ("N9", field)
    assert "N9" in str(raised.value) and field in str(raised.value)
