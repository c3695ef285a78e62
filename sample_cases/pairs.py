"""Random patients with two visits and known truth, for the follow-up benchmark and tests.

Each pair (``random_pair_recipe(seed)``) draws its own anatomy, a follow-up pose shifted by up to
20 mm along each axis and turned by up to 5 degrees on the table, a protocol change between the
visits (slice spacing and thickness from 0.625 to 2.5 mm, a rotated image grid), and four to six
nodules that grow, stay stable, shrink, resolve or are new: solid, part-solid and ground glass,
round, lobulated or spiculated, isolated or juxtapleural. The same seed gives the same files.
Written through the sample generator (``render_series``), so each series has its ``truth.json``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from sample_cases.anatomy import ChestAnatomy, PatientPose
from sample_cases.generate import COMPLETE_MARKER, SeriesJob, render_series
from sample_cases.placement import juxtapleural_centre
from sample_cases.recipe import NoduleCourse, PatientRecipe, Visit

PROTOCOLS = ((0.625, 0.625), (1.0, 1.25), (1.25, 1.25), (2.0, 2.5), (2.5, 2.5))
"""(slice spacing, slice thickness) in mm."""
COURSES = ("grows", "stable", "shrinks", "resolves", "new", "grows", "stable")
SHAPES = ("sphere", "lobulated", "spiculated", "ellipsoid")
LUNG_Z_RANGE_MM = (-35.0, 45.0)
"""Anatomy-frame heights kept inside a 120 mm scan of the generator (centred at z = 5)."""


def _lung_point(anatomy: ChestAnatomy, rng: np.random.Generator, clearance_mm: float) -> tuple:
    for _ in range(2000):
        point = (
            rng.uniform(-120, 120),
            rng.uniform(-80, 90),
            rng.uniform(*LUNG_Z_RANGE_MM),
        )
        if float(anatomy.lung_distance_mm(*(np.asarray(v) for v in point))) < -clearance_mm:
            return tuple(float(v) for v in point)
    raise RuntimeError("no lung point found")


def _diameters(course: str, rng: np.random.Generator) -> tuple[float | None, float | None]:
    first = float(rng.uniform(5.0, 16.0))
    if course == "grows":
        return first, first * float(rng.uniform(1.15, 1.45))
    if course == "shrinks":
        return first, first * float(rng.uniform(0.6, 0.8))
    if course == "resolves":
        return first, None
    if course == "new":
        return None, first
    return first, first


def _course(number: int, kind: str, anatomy: ChestAnatomy, rng: np.random.Generator, placed):
    diameters = _diameters(kind, rng)
    size = max(d for d in diameters if d is not None)
    density = str(rng.choice(["solid", "solid", "part_solid", "ground_glass"]))
    shape = str(rng.choice(SHAPES)) if density == "solid" else "sphere"
    context = "juxtapleural" if density == "solid" and rng.random() < 0.25 else "isolated"
    for _ in range(200):
        centre = _lung_point(anatomy, rng, size / 2 + 4.0)
        if context == "juxtapleural":
            centre = juxtapleural_centre(anatomy, size, centre)
            if not LUNG_Z_RANGE_MM[0] <= centre[2] <= LUNG_Z_RANGE_MM[1]:
                continue
        if all(np.linalg.norm(np.subtract(centre, p)) > 25.0 for p in placed):
            break
    solid: tuple[float, ...] = ()
    if density == "part_solid":
        fraction = float(rng.uniform(0.35, 0.55))
        solid = tuple(fraction * d if d else 0.0 for d in diameters)
        if kind == "grows":
            solid = (solid[0], min(0.8 * diameters[1], solid[0] * 1.6))  # type: ignore[operator]
    return NoduleCourse(number, centre, diameters, kind, density, shape, solid, context)  # type: ignore[arg-type]


def random_pair_recipe(seed: int) -> PatientRecipe:
    rng = np.random.default_rng([20261203, seed])
    anatomy_seed = 1000 + seed
    anatomy = ChestAnatomy(seed=anatomy_seed)
    baseline_date = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 600)))
    interval = int(rng.integers(80, 420))
    first, second = rng.choice(len(PROTOCOLS), size=2, replace=False)
    shift = tuple(float(v) for v in rng.uniform(-20.0, 20.0, size=3))
    yaw = float(rng.uniform(-5.0, 5.0))
    visits = (
        Visit(baseline_date, *PROTOCOLS[first]),
        Visit(
            baseline_date + dt.timedelta(days=interval),
            *PROTOCOLS[second],
            PatientPose(shift, yaw),  # type: ignore[arg-type]
            image_yaw_degrees=float(rng.choice([0.0, 0.0, 12.0])),
        ),
    )
    kinds = list(rng.choice(COURSES, size=int(rng.integers(4, 7)), replace=False))
    courses: list[NoduleCourse] = []
    for number, kind in enumerate(kinds, start=1):
        courses.append(
            _course(number, str(kind), anatomy, rng, [c.anatomy_centre_mm for c in courses])
        )
    return PatientRecipe(
        f"T{seed:03d}",
        f"Test^Pair{seed:03d}=测试^{seed:03d}",
        str(rng.choice(["M", "F"])),
        dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 9000))),
        anatomy_seed,
        visits,
        tuple(courses),
    )


def generate_pairs(
    out_dir: Path, seeds: list[int], matrix: int = 512, coverage_mm: float = 120.0
) -> list[Path]:
    """Write each pair as ``out_dir/T<seed>/<date>_<n>/``; returns the patient folders."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = []
    for seed in seeds:
        recipe = random_pair_recipe(seed)
        folder = out_dir / recipe.patient_id
        if not (folder / COMPLETE_MARKER).is_file():
            for index in range(len(recipe.visits)):
                render_series(SeriesJob(recipe, index, out_dir, matrix, coverage_mm))
            (folder / COMPLETE_MARKER).write_text("2 series\n", encoding="utf-8")
        folders.append(folder)
    return folders
