"""Follow-up tracking on generated patient pairs with known truth (issue 10's targets).

    .venv/bin/python benchmarks/track_pairs.py [--seeds 0-5] [--matrix 512] [--coverage-mm 200]

Pairs come from ``sample_cases.pairs`` (follow-up shifted up to 20 mm and turned up to 5 degrees,
a protocol change, growing / stable / shrinking / resolved / new nodules of every density). Every
nodule present on the baseline is a seed. Prints, over all pairs:

- nodules >= 4 mm present on both visits matched to the right partner, and wrong matches (a
  prior matched to another object, or a resolved nodule matched to anything);
- registration error at the nodules: the baseline truth centre carried through the matrix against
  the follow-up truth centre (median, worst);
- growth status right for every nodule whose true change is at least twice its uncertainty;
- VDT within 15 % where the true volume change is over 25 %;
- time of registration + matching against loading the two series, in the same run (ratio).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nodule_desk.dicom.load import load_series_dir  # noqa: E402
from nodule_desk.followup.growth import MeasuredSize, change_limit_ln  # noqa: E402
from nodule_desk.followup.tracking import interval_days, track_seeds  # noqa: E402
from sample_cases.pairs import generate_pairs  # noqa: E402

DATA = ROOT / "benchmarks" / ".data" / "track_pairs"


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def _truth_size(nodule: dict, series: dict) -> MeasuredSize:
    return MeasuredSize(
        volume_mm3=nodule["volume_mm3"],
        mean_diameter_mm=nodule["mean_diameter_mm"],
        density_type=nodule["density_type"],
        slice_thickness_mm=max(series["slice_thickness_mm"], series["slice_spacing_mm"]),
        pixel_mm=series["pixel_spacing_mm"],
    )


def evaluate_pair(folder: Path) -> dict:
    visits = sorted(p for p in folder.iterdir() if p.is_dir())
    started = time.perf_counter()
    baseline, followup = load_series_dir(visits[0]), load_series_dir(visits[1])
    load_s = time.perf_counter() - started
    truth_b, truth_f = _truth(visits[0]), _truth(visits[1])
    follow_by_id = {n["id"]: n for n in truth_f["nodules"]}
    present = [n for n in truth_b["nodules"] if n.get("present") and n.get("in_scan")]
    started = time.perf_counter()
    registration, pairs = track_seeds(baseline, followup, [n["centroid_lps_mm"] for n in present])
    track_s = time.perf_counter() - started
    days = interval_days(baseline, followup) or 0
    rows = []
    for nodule, pair in zip(present, pairs, strict=True):
        partner = follow_by_id[nodule["id"]]
        there = bool(partner.get("present") and partner.get("in_scan"))
        row = {
            "id": nodule["id"],
            "diameter_mm": nodule["mean_diameter_mm"],
            "there": there,
            "status": pair.status,
            "density": nodule["density_type"],
        }
        if there:
            carried = registration.to_followup_lps_mm(nodule["center_lps_mm"])
            row["registration_error_mm"] = float(
                np.linalg.norm(carried - np.asarray(partner["center_lps_mm"]))
            )
        if pair.followup is not None:
            found = np.asarray(pair.followup.center_mm)
            row["right_partner"] = there and float(
                np.linalg.norm(found - np.asarray(partner["centroid_lps_mm"]))
            ) <= max(3.0, 0.5 * partner["mean_diameter_mm"])
        if there and pair.growth is not None:
            true_log = math.log(partner["volume_mm3"] / nodule["volume_mm3"])
            limit = change_limit_ln(
                _truth_size(nodule, truth_b["series"]), _truth_size(partner, truth_f["series"])
            )
            row["true_log_change"], row["limit"] = true_log, limit
            row["growth"] = pair.growth.status
            if abs(true_log) > math.log(1.25) and days > 0:
                true_vdt = days * math.log(2) / true_log
                measured = pair.growth.volume_doubling_time_days
                row["vdt_error"] = abs(measured / true_vdt - 1) if measured else 1.0
        rows.append(row)
    return {
        "pair": folder.name,
        "load_s": load_s,
        "track_s": track_s,
        "registration_s": registration.seconds,
        "rows": rows,
        "slices": [int(baseline.hu.shape[0]), int(followup.hu.shape[0])],
    }


def summarise(results: list[dict]) -> None:
    rows = [r for result in results for r in result["rows"]]
    both = [r for r in rows if r["there"] and r["diameter_mm"] >= 4.0]
    right = sum(1 for r in both if r.get("right_partner"))
    wrong = sum(1 for r in rows if r["status"] == "matched" and not r.get("right_partner"))
    resolved_truth = [r for r in rows if not r["there"]]
    resolved_right = sum(1 for r in resolved_truth if r["status"] == "resolved")
    errors = [r["registration_error_mm"] for r in rows if "registration_error_mm" in r]
    decisive = [r for r in rows if "limit" in r and abs(r["true_log_change"]) >= 2 * r["limit"]]
    growth_right = sum(
        1
        for r in decisive
        if r["growth"] == ("growing" if r["true_log_change"] > 0 else "shrinking")
    )
    stable = [r for r in rows if "limit" in r and abs(r["true_log_change"]) < 0.05]
    vdt = [r["vdt_error"] for r in rows if "vdt_error" in r]
    ratios = [res["track_s"] / res["load_s"] for res in results]
    print(f"pairs: {len(results)}, baseline nodules: {len(rows)}")
    print(
        f"matched to the right partner (>= 4 mm, on both visits): {right}/{len(both)} "
        f"= {100 * right / max(1, len(both)):.1f} %   (target >= 98 %)"
    )
    print(
        f"wrong matches: {wrong}   (target 0); resolved found resolved: "
        f"{resolved_right}/{len(resolved_truth)}"
    )
    if errors:
        print(
            f"registration error at the nodules: median {statistics.median(errors):.2f} mm, "
            f"worst {max(errors):.2f} mm   (targets <= 2 / <= 3 mm)"
        )
    print(
        f"growth status right where the true change >= 2x its uncertainty: "
        f"{growth_right}/{len(decisive)}"
    )
    print(
        "truly stable nodules read: "
        + ", ".join(
            f"{s} {sum(1 for r in stable if r['growth'] == s)}"
            for s in ("stable", "indeterminate", "growing", "shrinking")
        )
    )
    if vdt:
        within = sum(1 for e in vdt if e <= 0.15)
        print(
            f"VDT within 15 % where the true change > 25 %: {within}/{len(vdt)} "
            f"(median error {100 * statistics.median(vdt):.1f} %)"
        )
    for res in results:
        print(
            f"  {res['pair']}: slices {res['slices']}, load {res['load_s']:.2f} s, "
            f"registration {res['registration_s']:.2f} s, registration + matching "
            f"{res['track_s']:.2f} s, ratio {res['track_s'] / res['load_s']:.2f}"
        )
    print(
        f"registration + matching / loading the two series: median ratio "
        f"{statistics.median(ratios):.2f} (target <= 5), worst {max(ratios):.2f}"
    )
    misses = [
        r
        for r in rows
        if (r["there"] and not r.get("right_partner"))
        or (not r["there"] and r["status"] != "resolved")
    ]
    for r in misses:
        print(f"  miss: {r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-5", help="pair seeds, e.g. 0-5 or 7")
    parser.add_argument("--matrix", type=int, default=512)
    parser.add_argument("--coverage-mm", type=float, default=200.0)
    args = parser.parse_args()
    out = DATA / f"m{args.matrix}_c{int(args.coverage_mm)}"
    started = time.perf_counter()
    folders = generate_pairs(out, _seeds(args.seeds), args.matrix, args.coverage_mm)
    print(f"{len(folders)} pairs in {out} ({time.perf_counter() - started:.0f} s to generate)")
    summarise([evaluate_pair(folder) for folder in folders])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
