"""Nodule detection on the sample patients: sensitivity and false positives per scan, against a
naive baseline, and the time per series.

Run from the repo root: ``.venv/bin/python benchmarks/detect_accuracy.py [--samples DIR]``
(the sample patients are generated into sample_cases/generated when missing: ``make samples``).

A nodule counts as found when a candidate's centre lies within its radius (half its longest 3D
diameter, at least 2 mm) of the truth centroid; every candidate that finds no nodule is a false
positive. Sensitivity is over the nodules of mean diameter >= 4 mm present in the scan (Lung-RADS
v2022 counts solid nodules < 6 mm as category 2; 4 mm is where CAD studies usually start).
Printed: for NoduleDesk's detector (``detect_nodules``, what the CLI runs) sensitivity and FP per
scan of the whole output and at score thresholds (a small FROC table); for the baseline (threshold
at -400 HU inside the same lung mask, connected components of 3-30 mm equivalent diameter, all
of them candidates) the same; then seconds per series for loading and for detection, and their
ratio. These figures are measured on the synthetic sample cases the detector was tuned on: they
say the method works on this anatomy, not how it does on patients.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nodule_desk.dicom.load import load_series_dir  # noqa: E402
from nodule_desk.imaging.detect import COARSE_GRID_MM, _factors, detect_nodules  # noqa: E402
from nodule_desk.imaging.lung_mask import block_mean, lung_mask  # noqa: E402
from nodule_desk.volume import CTVolume  # noqa: E402
from sample_cases.generate import COMPLETE_MARKER, generate  # noqa: E402

MIN_SIZE_MM = 4.0
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def baseline_candidates(volume: CTVolume) -> list[tuple[np.ndarray, float, float]]:
    """Threshold + connected components inside the lungs: (centre mm, diameter mm, score 1)."""
    geometry = volume.geometry
    coarse, coarse_geometry = block_mean(
        volume.hu, geometry, _factors(geometry.spacing_xyz_mm, COARSE_GRID_MM)
    )
    lungs = lung_mask(coarse, coarse_geometry)
    in_lung = (volume.hu > -400) & lungs.on_grid(geometry)
    labels, count = ndimage.label(in_lung)
    sizes = np.bincount(labels.ravel())[1:]
    diameters = (6 * sizes * geometry.voxel_volume_mm3 / np.pi) ** (1 / 3)
    keep = np.nonzero((diameters >= 3.0) & (diameters <= 30.0))[0] + 1
    centres = ndimage.center_of_mass(in_lung, labels, keep) if len(keep) else []
    return [
        (geometry.index_to_world_lps_mm(np.asarray(c)[::-1]), float(diameters[n - 1]), 1.0)
        for c, n in zip(centres, keep, strict=True)
    ]


def score_series(
    candidates: list[tuple[np.ndarray, float, float]], truth: dict, threshold: float
) -> tuple[int, int, int]:
    """(nodules >= 4 mm found, nodules >= 4 mm present, false positives) at ``threshold``."""
    kept = [c for c in candidates if c[2] >= threshold]
    nodules = [n for n in truth["nodules"] if n["present"] and n.get("in_scan", True)]
    used = set()
    found = 0
    counted = 0
    for nodule in nodules:
        centre = np.asarray(nodule["centroid_lps_mm"])
        radius = max(nodule["longest_diameter_3d_mm"] / 2, 2.0)
        hits = {index for index, c in enumerate(kept) if np.linalg.norm(c[0] - centre) <= radius}
        used |= hits
        if nodule["mean_diameter_mm"] >= MIN_SIZE_MM:
            counted += 1
            found += bool(hits)
    return found, counted, len(kept) - len(used)


def diameter_errors(results: list[tuple[list, dict]]) -> list[float]:
    """|candidate diameter - truth mean diameter| (mm) for each nodule >= 4 mm found, using the
    best-scored candidate that finds it."""
    errors = []
    for candidates, truth in results:
        for nodule in truth["nodules"]:
            if not nodule["present"] or nodule["mean_diameter_mm"] < MIN_SIZE_MM:
                continue
            centre = np.asarray(nodule["centroid_lps_mm"])
            radius = max(nodule["longest_diameter_3d_mm"] / 2, 2.0)
            hits = [c for c in candidates if np.linalg.norm(c[0] - centre) <= radius]
            if hits:
                best = max(hits, key=lambda c: c[2])
                errors.append(abs(best[1] - nodule["mean_diameter_mm"]))
    return errors


def _table(name: str, results: list[tuple[list, dict]], thresholds: tuple[float, ...]) -> None:
    print(f"{name}:")
    for threshold in thresholds:
        totals = np.array([score_series(c, t, threshold) for c, t in results]).sum(axis=0)
        found, counted, false_positives = (int(v) for v in totals)
        print(
            f"  score >= {threshold:.1f}: sensitivity (>= {MIN_SIZE_MM:g} mm) {found}/{counted} = "
            f"{found / max(counted, 1):.0%}, false positives per scan "
            f"{false_positives / len(results):.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "sample_cases" / "generated")
    args = parser.parse_args()
    if not (args.samples / COMPLETE_MARKER).exists():
        print(f"generating the sample patients into {args.samples} ...", flush=True)
        generate(args.samples)
    ours, baseline = [], []
    load_s, detect_s, baseline_s, slices = [], [], [], []
    for truth_path in sorted(args.samples.glob("*/*/truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        start = time.perf_counter()
        volume = load_series_dir(truth_path.parent)
        loaded = time.perf_counter()
        found = detect_nodules(volume)
        detected = time.perf_counter()
        naive = baseline_candidates(volume)
        baseline_s.append(time.perf_counter() - detected)
        load_s.append(loaded - start)
        detect_s.append(detected - loaded)
        slices.append(volume.hu.shape[0])
        ours.append(([(np.asarray(c.center_mm), c.diameter_mm, c.score) for c in found], truth))
        baseline.append((naive, truth))
        print(
            f"{truth['series']['folder']}: {volume.hu.shape[0]} slices, {len(found)} candidates, "
            f"detection {detect_s[-1]:.2f} s",
            flush=True,
        )
    print(f"\n{len(ours)} series")
    _table("NoduleDesk detect_nodules", ours, THRESHOLDS)
    errors = diameter_errors(ours)
    print(
        f"  diameter of the found nodules: median error {statistics.median(errors):.1f} mm, "
        f"max {max(errors):.1f} mm (against the truth's mean diameter)"
    )
    _table("baseline (threshold -400 HU + connected components in the lungs)", baseline, (1.0,))
    errors = diameter_errors(baseline)
    if errors:
        print(f"  diameter of the found nodules: median error {statistics.median(errors):.1f} mm")
    per_300 = [s / n * 300 for s, n in zip(detect_s, slices, strict=True)]
    print(
        f"time per series: load median {statistics.median(load_s):.2f} s, detection median "
        f"{statistics.median(detect_s):.2f} s (max {max(detect_s):.2f} s; "
        f"{statistics.median(per_300):.2f} s per 300 slices), baseline "
        f"{statistics.median(baseline_s):.2f} s; detection / load = "
        f"{statistics.median(detect_s) / statistics.median(load_s):.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
