"""Nodule detection on generated sample patients (P001 and P002, 160 x 160 matrix, 120 mm of chest).

Truth is each series' truth.json. A nodule is found when a candidate's centre lies within its
radius (half the longest 3D diameter) of the truth centroid. Nodules of mean diameter >= 6 mm are
the ones Lung-RADS v2022 starts to act on (category 3 and above for solid nodules at baseline):
every one of them must be among the detector's candidates.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.imaging.detect import DetectionError, detect_nodules
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.generate import generate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    generate(out, patients=2, matrix=160, coverage_mm=120.0, workers=1)
    return out


def _present(truth: dict, min_mean_diameter_mm: float) -> list[dict]:
    return [
        n
        for n in truth["nodules"]
        if n["present"] and n.get("in_scan", True) and n["mean_diameter_mm"] >= min_mean_diameter_mm
    ]


def _found(nodule: dict, centres_mm: np.ndarray) -> bool:
    distance = np.linalg.norm(centres_mm - np.asarray(nodule["centroid_lps_mm"]), axis=1)
    return bool(np.any(distance <= nodule["longest_diameter_3d_mm"] / 2))


@pytest.mark.slow
def test_every_sample_nodule_of_6_mm_or_more_is_a_candidate(samples: Path) -> None:
    checked = 0
    for truth_path in sorted(samples.glob("*/*/truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        volume = load_series_dir(truth_path.parent)
        candidates = detect_nodules(volume)
        assert candidates, truth_path.parent
        scores = [c.score for c in candidates]
        assert scores == sorted(scores, reverse=True)
        centres = np.array([c.center_mm for c in candidates])
        for centre in centres:
            assert volume.geometry.contains_world_lps_mm(centre)
        for nodule in _present(truth, 6.0):
            assert _found(nodule, centres), (truth["series"]["folder"], nodule["id"])
            checked += 1
    assert checked >= 8


@pytest.mark.slow
def test_cli_detect_prints_the_design_json(samples: Path) -> None:
    truth_path = sorted(samples.glob("P001/*/truth.json"))[0]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "nodule_desk", "detect", str(truth_path.parent)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["series_uid"] == truth["series"]["uid"]
    for candidate in result["candidates"]:
        assert set(candidate) >= {"center_mm", "diameter_mm", "score"}
        assert len(candidate["center_mm"]) == 3 and 0 <= candidate["score"] <= 1
    best = result["candidates"][0]
    biggest = max(_present(truth, 6.0), key=lambda n: n["mean_diameter_mm"])
    assert _found(biggest, np.array([best["center_mm"]]))
    assert best["diameter_mm"] == pytest.approx(biggest["mean_diameter_mm"], abs=2.0)


def test_a_volume_without_lungs_is_refused_with_a_reason() -> None:
    hu = np.full((20, 64, 64), 40, dtype=np.int16)
    volume = CTVolume(hu, VolumeGeometry(hu.shape, (2.0, 2.0, 2.0), (0.0, 0.0, 0.0)))
    with pytest.raises(DetectionError, match="no lungs"):
        detect_nodules(volume)


def test_cli_detect_on_a_series_without_lungs_exits_2(tmp_path: Path) -> None:
    hu = np.full((6, 48, 48), 40, dtype=np.int16)
    volume = CTVolume(hu, VolumeGeometry(hu.shape, (2.0, 2.0, 2.0), (0.0, 0.0, 0.0)))
    write_ct_series(volume, tmp_path, SeriesIdentity("NL-1", "No^Lungs", dt.date(2025, 1, 1)))
    command = [sys.executable, "-m", "nodule_desk", "detect", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no lungs" in done.stderr and "Traceback" not in done.stderr
