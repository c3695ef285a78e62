"""``python -m nodule_desk track`` and ``measure --record`` on a generated patient pair.

Pair T000 of sample_cases/pairs.py on a 256 x 256 matrix, 120 mm of chest: the follow-up is
shifted (-5.5, 1.4, -18.8) mm and turned -4.8 degrees, baseline 2.0 mm slices, follow-up 2.5 mm,
and its nodules grow, shrink, stay, resolve and appear (truth.json beside each series).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.followup.history import classification_input
from nodule_desk.guidelines import classify_findings
from nodule_desk.store import Store
from sample_cases.pairs import generate_pairs

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def nodule_desk(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nodule_desk", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict]]:
    (folder,) = generate_pairs(tmp_path_factory.mktemp("pairs"), [0], matrix=256)
    visits = sorted(p for p in folder.iterdir() if p.is_dir())
    return [(v, json.loads((v / "truth.json").read_text(encoding="utf-8"))) for v in visits]


def _seed_args(nodules: list[dict]) -> list[str]:
    return [a for n in nodules for a in ("--seed", *(str(v) for v in n["centroid_lps_mm"]))]


def test_track_follows_every_baseline_nodule_in_seed_order(pair) -> None:
    (base_dir, base), (follow_dir, follow) = pair
    seeds = [n for n in base["nodules"] if n["present"]]
    done = nodule_desk("track", str(base_dir), str(follow_dir), *_seed_args(seeds))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)

    # DESIGN.md: the matrix maps a baseline world point onto the same anatomy in follow-up world.
    matrix = np.asarray(result["registration"]["followup_world_from_baseline_world"])
    assert matrix.shape == (4, 4)
    truth_follow = {n["id"]: n for n in follow["nodules"]}
    days = np.datetime64(follow["study"]["date"]) - np.datetime64(base["study"]["date"])
    assert result["interval_days"] == days.astype(int)
    assert [p["seed_mm"] for p in result["pairs"]] == [n["centroid_lps_mm"] for n in seeds]
    for nodule, tracked in zip(seeds, result["pairs"], strict=True):
        partner = truth_follow[nodule["id"]]
        if not partner["present"]:
            assert (tracked["status"], tracked["followup"]) == ("resolved", None)
            continue
        carried = matrix[:3, :3] @ nodule["center_lps_mm"] + matrix[:3, 3]
        assert np.linalg.norm(carried - partner["center_lps_mm"]) < 2.0
        assert tracked["status"] == "matched"
        found = np.asarray(tracked["followup"]["center_mm"])
        # the right partner: its centre within a quarter of its diameter of the truth
        tolerance = max(2.0, 0.25 * partner["mean_diameter_mm"])
        assert np.linalg.norm(found - partner["centroid_lps_mm"]) < tolerance
        if nodule["status"] == "grows":
            # VDT = dt ln 2 / ln(V2/V1) (Schwartz 1961) on the truth volumes
            true_vdt = (
                result["interval_days"]
                * math.log(2)
                / math.log(partner["volume_mm3"] / nodule["volume_mm3"])
            )
            assert tracked["growth"] == "growing"
            assert tracked["vdt_days"] == pytest.approx(true_vdt, rel=0.35)


def test_a_seed_in_air_is_refused_with_its_position(pair) -> None:
    (base_dir, _), (follow_dir, _) = pair
    done = nodule_desk("track", str(base_dir), str(follow_dir), "--seed", "0", "-300", "0")
    assert done.returncode == 2
    assert "baseline seed (0.0, -300.0, 0.0)" in done.stderr and "Traceback" not in done.stderr


def test_measure_record_joins_the_prior_nodule_and_a_new_one_gets_its_own(pair, tmp_path):
    (base_dir, base), (follow_dir, follow) = pair
    db = str(tmp_path / "store.sqlite")
    grows = next(n for n in base["nodules"] if n["status"] == "grows")
    first = nodule_desk(
        "measure",
        str(base_dir),
        "--seed",
        *map(str, grows["centroid_lps_mm"]),
        "--record",
        "--db",
        db,
    )
    assert first.returncode == 0, first.stderr
    first = json.loads(first.stdout)
    assert first["nodule_label"] == "N1" and not first["joined_prior_nodule"]

    partner = next(n for n in follow["nodules"] if n["id"] == grows["id"])
    second = nodule_desk(
        "measure",
        str(follow_dir),
        "--seed",
        *map(str, partner["centroid_lps_mm"]),
        "--record",
        "--db",
        db,
    )
    assert second.returncode == 0, second.stderr
    second = json.loads(second.stdout)
    assert second["joined_prior_nodule"]
    assert (second["nodule_label"], second["tracking_uid"]) == ("N1", first["tracking_uid"])
    assert second["measurement_id"] != first["measurement_id"]

    # The tracked pair reaches the guidelines. This nodule is part-solid, its solid core grows
    # from about 4 to 7 mm: Lung-RADS v2022 4B, "part solid nodule ... with a new or growing
    # >= 4 mm solid component".
    with Store.open(Path(db)) as store:
        findings = classification_input(store, follow["study"]["uid"], "screening")
    (classified,) = classify_findings(findings)["lung_rads"]["nodules"]
    assert classified["category"] == "4B", classified["rule"]

    new = next(n for n in follow["nodules"] if n["status"] == "new")
    third = json.loads(
        nodule_desk(
            "measure",
            str(follow_dir),
            "--seed",
            *map(str, new["centroid_lps_mm"]),
            "--record",
            "--db",
            db,
        ).stdout
    )
    assert third["nodule_label"] == "N2" and not third["joined_prior_nodule"]
