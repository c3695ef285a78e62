"""``python -m nodule_desk measure`` on a real DICOM series written to disk."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.phantoms import PhantomSpec, make_phantom
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

REPO = Path(__file__).resolve().parents[2]


def _measure(series_dir: Path, seed: tuple[float, float, float]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nodule_desk", "measure", str(series_dir),
               "--seed", *(str(v) for v in seed)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def part_solid_series(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, str]:
    volume, truth = make_phantom(PhantomSpec(12.0, density="part_solid", slice_mm=1.25))
    folder = tmp_path_factory.mktemp("series")
    identity = SeriesIdentity("NDP-07", "Li^Na", dt.date(2025, 5, 6))
    write_ct_series(volume, folder, identity)
    return folder, truth, identity.series_uid


def test_measure_prints_the_design_json(part_solid_series: tuple[Path, object, str]) -> None:
    folder, truth, series_uid = part_solid_series
    done = _measure(folder, (0.5, -0.5, 0.0))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for key in ("volume_mm3", "long_axis_mm", "short_axis_mm", "mean_diameter_mm", "mean_hu",
                "density_type", "solid_component_long_axis_mm", "solid_component_mean_diameter_mm",
                "center_mm"):
        assert key in result
    assert result["density_type"] == "part_solid"
    assert result["volume_mm3"] == pytest.approx(truth.volume_mm3, rel=0.08)
    assert result["mean_diameter_mm"] == pytest.approx(truth.mean_diameter_mm, abs=0.5)
    assert result["center_mm"] == pytest.approx([0.0, 0.0, 0.0], abs=0.5)
    assert result["series_uid"] == series_uid


def test_measure_in_aerated_lung_fails_with_a_reason(
    part_solid_series: tuple[Path, object, str],
) -> None:
    folder, _, _ = part_solid_series
    done = _measure(folder, (-15.0, -15.0, 0.0))
    assert done.returncode == 2
    assert "no nodule within" in done.stderr and done.stdout == ""


def test_measure_on_a_missing_folder_names_it(tmp_path: Path) -> None:
    done = _measure(tmp_path / "nowhere", (0.0, 0.0, 0.0))
    assert done.returncode == 2
    assert "nowhere" in done.stderr
