"""Lung, zone and suggested lobe of the generated sample patients' nodules.

The truth is the recipe (sample_cases/recipe.py): a nodule's anatomy x below 0 lies in the
patient's right lung (LPS: x grows towards the left). Zones are thirds of the lung's craniocaudal
extent, so a nodule higher in the same lung is never in a lower zone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.dicom import load_series_dir
from nodule_desk.imaging.lung_zone import ZONES, lung_mask, lung_zone
from sample_cases.generate import generate
from sample_cases.recipe import sample_patients


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    generate(out, patients=2, matrix=96, workers=2)
    return out


@pytest.mark.slow
def test_every_sample_nodule_is_in_the_lung_the_recipe_put_it_in(generated: Path) -> None:
    recipes = {r.patient_id: r for r in sample_patients()}
    checked = 0
    for truth_path in sorted(generated.glob("*/*/truth.json")):
        truth = json.loads(truth_path.read_text())
        volume = load_series_dir(truth_path.parent)
        mask = lung_mask(volume)
        recipe = recipes[truth_path.parts[-3]]
        found = []
        for nodule in truth["nodules"]:
            if not nodule.get("present") or not nodule.get("in_scan", True):
                continue
            number = int(nodule["id"].rsplit("N", 1)[1])
            course = next(c for c in recipe.nodules if c.number == number)
            zone = lung_zone(volume, nodule["centroid_lps_mm"], mask)
            assert zone is not None, nodule["id"]
            expected = "right" if course.anatomy_centre_mm[0] < 0 else "left"
            assert zone.side == expected, nodule["id"]
            assert zone.suggested_lobe in (
                ("RUL", "RML", "RLL") if expected == "right" else ("LUL", "lingula", "LLL")
            )
            found.append((zone.side, nodule["centroid_lps_mm"][2], ZONES.index(zone.zone)))
            checked += 1
        for side, z, rank in found:
            for other_side, other_z, other_rank in found:
                if side == other_side and z > other_z + 10:
                    assert rank <= other_rank
    assert checked >= 10


def test_zones_are_thirds_of_the_lung_height_and_outside_is_none() -> None:
    from tests.ui.conftest import chest_phantom

    volume = chest_phantom(n_slices=30, size=96, spacing_z_mm=5.0)
    z0 = volume.geometry.origin_lps_mm[2]
    height = 29 * 5.0
    right_x = -168.0 + (1 - 0.42) / 2 * 96 * 3.5  # the right lung's centre (phantom's i = -0.42)
    points = {
        "upper": (right_x, 0.0, z0 + height * 0.9),
        "middle": (right_x, 0.0, z0 + height * 0.5),
        "lower": (right_x, 0.0, z0 + height * 0.1),
    }
    mask = lung_mask(volume, step_mm=5.0)
    for zone, point in points.items():
        found = lung_zone(volume, point, mask)
        assert found is not None and (found.side, found.zone) == ("right", zone)
    assert lung_zone(volume, (0.0, 0.0, 500.0), mask) is None
    assert np.count_nonzero(mask.labels == 1) and np.count_nonzero(mask.labels == 2)
