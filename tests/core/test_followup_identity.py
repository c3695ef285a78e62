"""One nodule, one identity across visits: a follow-up click joins the prior nodule, the prior
visit's nodules are found again by themselves, and re-link / split keep every measurement.

Data: sample patient P001 (sample_cases/recipe.py) on a 160 x 160 matrix, 120 mm of chest; its
follow-up six months later is shifted (8, -6, 15) mm and turned 2.5 degrees on the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.errors import StoreError
from nodule_desk.followup.history import classification_input
from nodule_desk.followup.identity import confirm, relink, split, track_series
from nodule_desk.followup.nodule_records import measure_and_record
from nodule_desk.guidelines import classify_findings
from nodule_desk.store import Store
from sample_cases.generate import generate


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict]]:
    out = tmp_path_factory.mktemp("followup-samples")
    generate(out, patients=1, matrix=160, coverage_mm=120.0, workers=1)
    folders = sorted(p for p in (out / "P001").iterdir() if p.is_dir())
    return [(f, json.loads((f / "truth.json").read_text(encoding="utf-8"))) for f in folders]


@pytest.fixture()
def store(tmp_path: Path, visits) -> Store:
    with Store.open(tmp_path / "store.sqlite", user="dr.wang") as opened:
        opened.add_scan_result(scan_paths([folder for folder, _ in visits]))
        yield opened


def _centroid(truth: dict, nodule_id: str) -> list[float]:
    return next(n for n in truth["nodules"] if n["id"] == nodule_id)["centroid_lps_mm"]


def _record(store: Store, folder: Path, truth: dict, nodule_id: str):
    volume = load_series_dir(folder)
    return measure_and_record(store, volume, _centroid(truth, nodule_id), truth["series"]["uid"])


@pytest.mark.slow
def test_a_follow_up_click_joins_the_prior_nodule(store: Store, visits) -> None:
    (base_dir, base), (follow_dir, follow) = visits
    first, _ = _record(store, base_dir, base, "P001-N1")
    second, is_new = _record(store, follow_dir, follow, "P001-N1")

    assert is_new
    # One nodule, one label and one TID 1500 tracking UID over all the patient's visits.
    assert second.nodule_id == first.nodule_id
    assert (second.nodule_label, second.tracking_uid) == (first.nodule_label, first.tracking_uid)
    # N1 lies in the right lung (LPS x < 0 is the patient's right); the follow-up keeps its lobe.
    assert first.lobe in ("RUL", "RML", "RLL") and second.lobe == first.lobe
    assert [link.action for link in store.nodule_links(first.nodule_id)] == ["matched"]
    registration = store.registration(base["series"]["uid"], follow["series"]["uid"])
    assert registration is not None and registration.lung_dice > 0.8
    # The stored matrix carries the baseline centre onto the follow-up's truth within 3 mm.
    matrix = np.asarray(registration.matrix)
    carried = matrix[:3, :3] @ _centroid(base, "P001-N1") + matrix[:3, 3]
    assert np.linalg.norm(carried - _centroid(follow, "P001-N1")) < 3.0

    # The tracked prior feeds the guidelines: Lung-RADS v2022 compares with the prior exam.
    findings = classification_input(store, follow["study"]["uid"], "screening")
    (nodule,) = findings["nodules"]
    assert nodule["prior"]["mean_diameter_mm"] == first.mean_diameter_mm
    assert nodule["priors"][0]["exam_date"] == base["study"]["date"]
    (classified,) = classify_findings(findings)["lung_rads"]["nodules"]
    assert classified["measures"]["prior_mean_diameter_mm"] == first.mean_diameter_mm


@pytest.mark.slow
def test_prior_nodules_are_found_again_and_a_wrong_match_can_be_split(store: Store, visits):
    (base_dir, base), (follow_dir, follow) = visits
    priors = [_record(store, base_dir, base, f"P001-N{i}")[0] for i in (1, 3)]
    series = store.get_series(follow["series"]["uid"])
    tracked = track_series(store, series, load_series_dir(follow_dir), user="dr.wang")

    assert [t.status for t in tracked] == ["matched", "matched"]
    assert [t.followup.nodule_label for t in tracked] == [p.nodule_label for p in priors]
    n1_on_followup = tracked[0].followup
    truth = np.asarray(_centroid(follow, "P001-N1"))
    assert np.linalg.norm(np.asarray(n1_on_followup.center_lps_mm) - truth) < 2.0

    link = split(store, n1_on_followup, "not the same lesion", user="dr.li")
    moved = store.current_measurements(study_uid=follow["study"]["uid"])
    assert len(moved) == 2  # nothing lost
    split_off = next(m for m in moved if m.id == n1_on_followup.id)
    assert split_off.nodule_label not in {p.nodule_label for p in priors}
    assert split_off.volume_mm3 == n1_on_followup.volume_mm3  # values untouched
    assert (link.action, link.decided_by, link.reason) == ("split", "dr.li", "not the same lesion")

    back = relink(store, split_off, priors[0].nodule_id, "same lesion after all", user="dr.li")
    assert back.action == "relinked"
    assert store.get_measurement(n1_on_followup.id).nodule_label == priors[0].nodule_label
    assert confirm(store, store.get_measurement(n1_on_followup.id)).action == "confirmed"
    actions = [a["action"] for a in store.audit_entries("nodule")]
    assert {"nodule_split", "nodule_relinked", "nodule_confirmed"} <= set(actions)


def test_a_measurement_never_moves_without_a_recorded_decision(store: Store, visits) -> None:
    (base_dir, base), _ = visits
    measurement, _ = _record(store, base_dir, base, "P001-N1")
    other = store.create_nodule(base["patient"]["id"])
    with pytest.raises(Exception, match="recorded decision"):
        store.db.execute(
            "UPDATE measurements SET nodule = ? WHERE id = ?", (other.id, measurement.id)
        )
    with pytest.raises(Exception, match="never overwritten"):
        store.db.execute("UPDATE measurements SET volume_mm3 = 1 WHERE id = ?", (measurement.id,))
    with pytest.raises(StoreError, match="needs a reason"):
        store.override_follow_up(base["patient"]["id"], "2026-01-01", "  ")
