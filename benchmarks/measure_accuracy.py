"""Accuracy of one-click nodule measurement on phantoms of known truth, against a naive baseline.

Run from the repo root: ``.venv/bin/python benchmarks/measure_accuracy.py [--cases N]``.

Each case is a nodule (sphere, ellipsoid, lobulated, spiculated; solid, part-solid, ground glass;
isolated, juxtavascular, juxtapleural; 3-30 mm) on 0.625, 1.25 or 2.5 mm slices with 15 or 40 HU
noise, clicked up to 1.5 mm off its centre. It is measured with the CLI's code path
(``measure_nodule``) and with a naive baseline (threshold at -400 HU, connected component from the
seed). Printed per group: median and 90th-percentile absolute volume error (%), median absolute
mean-diameter error (mm), density-type accuracy, failures; then time per click. A second set of
cases draws the sample-case nodules into the sample-case chest phantom (branching vessels,
airways, ribs, curved pleura; ``--chest-cases N``), with the same figures.
Targets (issue 4): solid >= 6 mm median volume error <= 5 %, p90 <= 12 %; ground glass and
part-solid median <= 10 %; mean diameter median <= 0.5 mm; density type >= 95 %; juxtapleural and
juxtavascular within 1.5 x the isolated errors; median time per click < 150 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.phantoms import (  # noqa: E402
    ChestNoduleCase,
    PhantomSpec,
    PhantomTruth,
    make_chest_nodule,
    make_phantom,
)
from nodule_desk.errors import SegmentationError  # noqa: E402
from nodule_desk.imaging.axial_diameters import (  # noqa: E402
    contour_points_mm,
    long_and_short_axis_mm,
)
from nodule_desk.imaging.measure import measure_nodule  # noqa: E402
from nodule_desk.volume import CTVolume  # noqa: E402

SIZES_MM = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0)
SHAPES = ("sphere", "ellipsoid", "lobulated", "spiculated")
DENSITIES = ("solid", "part_solid", "ground_glass")
CONTEXTS = ("isolated", "juxtavascular", "juxtapleural")
SLICES_MM = (0.625, 1.25, 2.5)
NOISE_HU = (15.0, 40.0)


@dataclass
class Result:
    spec: PhantomSpec
    truth: PhantomTruth
    volume_error_pct: float
    diameter_error_mm: float
    density_right: bool
    failed: bool
    seconds: float


def _cases(n: int, rng: np.random.Generator) -> list[PhantomSpec]:
    specs = []
    for index in range(n):
        density = DENSITIES[index % 3]
        sizes = SIZES_MM if density == "solid" else SIZES_MM[3:]
        specs.append(
            PhantomSpec(
                diameter_mm=float(rng.choice(sizes)),
                shape=SHAPES[(index // 3) % 4],
                density=density,
                context=CONTEXTS[(index // 12) % 3],
                slice_mm=float(SLICES_MM[(index // 36) % 3]),
                noise_hu=float(NOISE_HU[index % 2]),
                ggn_hu=float(rng.uniform(-680, -480)),
                vessel_radius_mm=float(rng.uniform(0.8, 1.6)),
                seed=index,
            )
        )
    return specs


CHEST_SIZES_MM = (4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 28.0)


def _chest_cases(n: int, rng: np.random.Generator) -> list[ChestNoduleCase]:
    """Nodules in the sample-case chest phantom: two in three solid, the rest ground glass or
    part-solid; isolated, juxtavascular and juxtapleural in turn; three patients' anatomies."""
    cases = []
    for index in range(n):
        density = ("solid", "solid", "part_solid", "solid", "ground_glass", "solid")[
            (index // 9) % 6
        ]
        sizes = CHEST_SIZES_MM if density == "solid" else CHEST_SIZES_MM[3:]
        cases.append(
            ChestNoduleCase(
                diameter_mm=float(rng.choice(sizes)),
                shape=SHAPES[(index // 3) % 4],
                density=density,
                context=CONTEXTS[index % 3],
                slice_mm=float(SLICES_MM[(index // 3) % 3]),
                anatomy_seed=11 + index % 3,
                case_seed=1000 + index,
            )
        )
    return cases


def _click(spec: PhantomSpec, rng: np.random.Generator) -> np.ndarray:
    offset = rng.normal(size=3)
    return offset / np.linalg.norm(offset) * min(1.5, spec.diameter_mm / 5) * rng.uniform()


def _ours(volume: CTVolume, seed: np.ndarray, truth: PhantomTruth, spec: PhantomSpec) -> Result:
    start = time.perf_counter()
    try:
        m = measure_nodule(volume, seed)
    except SegmentationError:
        return Result(
            spec, truth, 100.0, spec.diameter_mm / 2, False, True, time.perf_counter() - start
        )
    seconds = time.perf_counter() - start
    return Result(
        spec,
        truth,
        100 * abs(m.volume_mm3 / truth.volume_mm3 - 1),
        abs(m.mean_diameter_mm - truth.mean_diameter_mm),
        m.density_type == truth.density_type,
        False,
        seconds,
    )


def _baseline(volume: CTVolume, seed: np.ndarray, truth: PhantomTruth, spec: PhantomSpec) -> Result:
    """Threshold at -400 HU and keep the connected component of the seed voxel."""
    start = time.perf_counter()
    kji = tuple(np.rint(volume.geometry.world_lps_mm_to_index(seed))[::-1].astype(int))
    labels, _ = ndimage.label(volume.hu > -400)
    mask = labels == labels[kji] if labels[kji] else np.zeros_like(labels, dtype=bool)
    seconds = time.perf_counter() - start
    if not mask.any():
        return Result(spec, truth, 100.0, spec.diameter_mm / 2, False, True, seconds)
    voxel = volume.geometry.voxel_volume_mm3
    k = int(np.argmax(mask.sum(axis=(1, 2))))
    pixel = np.asarray(volume.geometry.spacing_xyz_mm[1::-1])
    long_axis, short_axis = long_and_short_axis_mm(
        contour_points_mm(mask[k].astype(float), 0.5, pixel)
    )
    density = "solid" if float(volume.hu[mask].mean()) > -300 else "ground_glass"
    return Result(
        spec,
        truth,
        100 * abs(mask.sum() * voxel / truth.volume_mm3 - 1),
        abs((long_axis + short_axis) / 2 - truth.mean_diameter_mm),
        density == truth.density_type,
        False,
        seconds,
    )


def _groups(results: list[Result]) -> dict[str, list[Result]]:
    groups: dict[str, list[Result]] = {"all": results}
    groups["solid >= 6 mm"] = [
        r for r in results if r.spec.density == "solid" and r.spec.diameter_mm >= 6
    ]
    groups["solid < 6 mm"] = [
        r for r in results if r.spec.density == "solid" and r.spec.diameter_mm < 6
    ]
    for key, values in (
        ("density", DENSITIES[1:]),
        ("context", CONTEXTS),
        ("shape", SHAPES),
        ("slice_mm", SLICES_MM),
        ("noise_hu", NOISE_HU),
    ):
        for value in values:
            groups[f"{key}={value}"] = [r for r in results if getattr(r.spec, key) == value]
    return groups


def _print_table(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    print(
        f"{'group':<26}{'n':>4}{'vol med %':>11}{'vol p90 %':>11}{'diam med mm':>13}"
        f"{'density %':>11}{'failed':>8}"
    )
    for name, group in _groups(results).items():
        if not group:
            continue
        volume = np.array([r.volume_error_pct for r in group])
        diameter = np.array([r.diameter_error_mm for r in group])
        density = 100 * np.mean([r.density_right for r in group])
        print(
            f"{name:<26}{len(group):>4}{np.median(volume):>11.1f}"
            f"{np.percentile(volume, 90):>11.1f}{np.median(diameter):>13.2f}{density:>11.0f}"
            f"{sum(r.failed for r in group):>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=216)
    parser.add_argument("--chest-cases", type=int, default=60)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    ours: list[Result] = []
    naive: list[Result] = []
    for spec in _cases(args.cases, rng):
        volume, truth = make_phantom(spec)
        seed = _click(spec, rng)
        ours.append(_ours(volume, seed, truth, spec))
        naive.append(_baseline(volume, seed, truth, spec))
    chest_ours: list[Result] = []
    chest_naive: list[Result] = []
    for case in _chest_cases(args.chest_cases, rng):
        volume, truth, centre = make_chest_nodule(case)
        seed = centre + _click(case, rng)  # type: ignore[arg-type]
        chest_ours.append(_ours(volume, seed, truth, case))  # type: ignore[arg-type]
        chest_naive.append(_baseline(volume, seed, truth, case))  # type: ignore[arg-type]
    _print_table("NoduleDesk measure_nodule (the CLI's code path)", ours)
    _print_table("Naive baseline: threshold -400 HU, connected component from the seed", naive)
    _print_table("Chest phantom (sample_cases anatomy): NoduleDesk measure_nodule", chest_ours)
    _print_table("Chest phantom (sample_cases anatomy): naive baseline", chest_naive)
    ours = ours + chest_ours
    clicks = [r for r in ours if not r.failed]
    times = np.array([r.seconds for r in clicks]) * 1000
    big = np.array([r.seconds for r in clicks if r.spec.diameter_mm >= 20]) * 1000
    print(
        f"\ntime per click (segment + measure): median {np.median(times):.0f} ms, "
        f"p90 {np.percentile(times, 90):.0f} ms, median for 20-30 mm {np.median(big):.0f} ms "
        f"(target: median < 150 ms)"
    )


if __name__ == "__main__":
    main()
