"""``python -m nodule_desk classify FINDINGS.json`` through a real subprocess, per the issue's
contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONTRACT_EXAMPLE = {
    "exam": {
        "date": "2026-03-01",
        "context": "screening",
        "prior_exam_date": "2025-03-01",
        "patient_age": 62,
        "high_risk": True,
    },
    "nodules": [
        {
            "id": "N1",
            "density_type": "part_solid",
            "long_axis_mm": 12.0,
            "short_axis_mm": 10.0,
            "mean_diameter_mm": 11.0,
            "solid_component_mm": 6.5,
            "volume_mm3": None,
            "location": "parenchymal",
            "calcification": "none",
            "fat_containing": False,
            "prior": {
                "mean_diameter_mm": 10.0,
                "solid_component_mm": 3.0,
                "density_type": "part_solid",
            },
        }
    ],
}


def run_classify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nodule_desk", "classify", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_contract_example(tmp_path):
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8")
    done = run_classify(path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    lung_rads = answer["lung_rads"]
    # Solid component 3.0 -> 6.5 mm in 12 months: growing, solid component >= 4 mm -> 4B.
    assert lung_rads["category"] == "4B"
    assert lung_rads["management"] and lung_rads["rule"]
    assert lung_rads["nodules"][0]["id"] == "N1"
    assert set(lung_rads["nodules"][0]) >= {"id", "category", "rule"}
    assert set(answer["fleischner"]) >= {"recommendation", "rule"}
    assert answer["fleischner"]["applicable"] is False
    assert answer["c_lung_rads"]["category"] == "3"
    assert answer["screening_positive"] is True
    assert "tissue sampling" in lung_rads["management"] and "组织取样" in lung_rads["management_zh"]
    assert lung_rads["follow_up_months"] is None
    assert answer["c_lung_rads"]["follow_up_months"] == 3
    assert answer["c_lung_rads"]["follow_up_date"] == "2026-06-01"
    assert lung_rads["nodules"][0]["measures"] == {
        "mean_diameter_mm": 11.0,
        "solid_component_mm": 6.5,
        "solid_component_mean_diameter_mm": 6.5,
        "prior_mean_diameter_mm": 10.0,
        "prior_solid_component_mm": 3.0,
        "prior_solid_component_mean_diameter_mm": 3.0,
    }


def test_incidental_with_axes_only(tmp_path):
    data = {
        "exam": {
            "date": "2026-03-01",
            "context": "incidental",
            "prior_exam_date": None,
            "patient_age": 55,
            "high_risk": False,
        },
        "nodules": [
            {
                "id": "A",
                "density_type": "solid",
                "long_axis_mm": 8.0,
                "short_axis_mm": 7.0,
                "location": "parenchymal",
                "prior": None,
            }
        ],
    }
    path = tmp_path / "incidental.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_classify(path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["primary_guideline"] == "fleischner"
    assert answer["fleischner"]["follow_up_months"] == 6
    assert answer["fleischner"]["follow_up_date"] == "2026-09-01"
    assert answer["lung_rads"]["nodules"][0]["measures"]["mean_diameter_mm"] == 7.5


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"mean_diameter_mm": None, "long_axis_mm": None}, "mean_diameter_mm"),
        ({"density_type": "cloudy"}, "density_type"),
        ({"location": "mediastinal"}, "location"),
        ({"solid_component_mm": None}, "solid_component_mean_diameter_mm"),
    ],
)
def test_unclassifiable_finding_exits_2_naming_nodule_and_field(tmp_path, change, words):
    data = json.loads(json.dumps(CONTRACT_EXAMPLE))
    data["nodules"][0].update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_classify(path)
    assert done.returncode == 2
    assert "N1" in done.stderr and words in done.stderr and "bad.json" in done.stderr
    assert done.stdout == ""


def test_malformed_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"exam": {"date": "2026-03-01",', encoding="utf-8")
    done = run_classify(path)
    assert done.returncode == 2
    assert "broken.json" in done.stderr and "not valid JSON" in done.stderr


def test_missing_file_names_it(tmp_path):
    done = run_classify(tmp_path / "absent.json")
    assert done.returncode == 2
    assert "absent.json" in done.stderr
