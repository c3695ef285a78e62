"""``python -m sample_cases.generate --out DIR``: write the synthetic sample patients as DICOM.

Layout: DIR/<PatientID>/<YYYYMMDD>_<SeriesNumber>/CT0001.dcm ... and truth.json beside the
slices; DIR/.complete is written last. Everything is derived from fixed seeds, UIDs included, so
two runs give the same files. Series are rendered in a pool of worker processes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.uid import generate_uid

from sample_cases.anatomy import ChestAnatomy
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.nodules import NoduleSpec, render_nodule
from sample_cases.phantom import add_noise, chest_geometry, nodule_exclusion, render_chest
from sample_cases.recipe import NoduleCourse, PatientRecipe, Visit, sample_patients

FOV_MM = 358.0
"""In-plane field of view the default 512 x 512 matrix covers at 0.7 mm."""
COVERAGE_MM = 250.0
COMPLETE_MARKER = ".complete"


@dataclass(frozen=True)
class SeriesJob:
    patient: PatientRecipe
    visit_index: int
    out_dir: Path
    matrix: int
    coverage_mm: float


def _uid(*parts: object) -> str:
    return generate_uid(entropy_srcs=["nodule-desk-sample-cases", *(str(p) for p in parts)])


def _direction(yaw_degrees: float) -> tuple[float, ...]:
    yaw = np.radians(yaw_degrees)
    c, s = float(np.cos(yaw)), float(np.sin(yaw))
    return (c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0)


def _nodule_spec(course: NoduleCourse, visit: Visit, visit_index: int) -> NoduleSpec | None:
    diameter = course.diameters_mm[visit_index]
    if diameter is None:
        return None
    pose = visit.pose
    centre = pose.to_world_lps_mm(np.asarray(course.anatomy_centre_mm))
    spin = np.radians(37.0 * course.number)
    own = np.array([[np.cos(spin), -np.sin(spin), 0], [np.sin(spin), np.cos(spin), 0], [0, 0, 1]])
    solid = course.solid_diameters_mm[visit_index] if course.solid_diameters_mm else 0.0
    return NoduleSpec(
        center_lps_mm=tuple(float(v) for v in centre),  # type: ignore[arg-type]
        diameter_mm=diameter,
        shape=course.shape,
        density_type=course.density_type,
        solid_diameter_mm=solid,
        orientation=tuple(float(v) for v in (pose.rotation @ own).ravel()),
        shape_seed=course.number,
    )


def _n_slices(job: SeriesJob) -> int:
    visit = job.patient.visits[job.visit_index]
    coverage_mm = min(job.coverage_mm, visit.coverage_mm or job.coverage_mm)
    return int(round(coverage_mm / visit.slice_spacing_mm))


def render_series(job: SeriesJob) -> dict[str, object]:
    """Render, write and describe one series; returns its truth (also written as truth.json)."""
    patient, visit = job.patient, job.patient.visits[job.visit_index]
    pixel_mm = visit.pixel_mm * 512 / job.matrix
    n_slices = _n_slices(job)
    centre = (0.0, 10.0, visit.pose.shift_lps_mm[2] + 5.0)
    geometry = chest_geometry(
        (n_slices, job.matrix, job.matrix),
        (pixel_mm, pixel_mm, visit.slice_spacing_mm),
        centre,
        _direction(visit.image_yaw_degrees),
    )
    anatomy = ChestAnatomy(seed=patient.seed)
    volume = render_chest(geometry, anatomy, visit.pose)
    rng = np.random.default_rng([patient.seed, job.visit_index])
    excluded = nodule_exclusion(anatomy, visit.pose)
    nodules = []
    for course in patient.nodules:
        spec = _nodule_spec(course, visit, job.visit_index)
        entry: dict[str, object] = {
            "id": f"{patient.patient_id}-N{course.number}",
            "status": course.status,
            "context": course.context,
            "shape": course.shape,
            "density_type": course.density_type,
            "present": spec is not None,
        }
        if spec is not None:
            entry["diameter_spec_mm"] = spec.diameter_mm
            entry["solid_diameter_spec_mm"] = spec.solid_diameter_mm
            in_scan = geometry.contains_world_lps_mm(spec.center_lps_mm)
            entry["in_scan"] = in_scan
            if in_scan:
                truth = render_nodule(
                    volume, spec, rng, exclude=excluded, slice_thickness_mm=visit.slice_thickness_mm
                )
                entry.update(truth.to_dict())
        nodules.append(entry)
    add_noise(volume, 15.0, rng)
    series_number = job.visit_index + 1
    date_text = visit.study_date.strftime("%Y%m%d")
    identity = SeriesIdentity(
        patient_id=patient.patient_id,
        patient_name=patient.patient_name,
        study_date=visit.study_date,
        patient_birth_date=patient.birth_date,
        patient_sex=patient.sex,
        study_uid=_uid(patient.patient_id, date_text, "study"),
        series_uid=_uid(patient.patient_id, date_text, series_number, "series"),
        frame_of_reference_uid=_uid(patient.patient_id, date_text, "frame"),
        series_description=f"Lung {visit.slice_thickness_mm:g} mm",
        series_number=series_number,
        accession_number=f"A{patient.patient_id[1:]}{date_text}",
        slice_thickness_mm=visit.slice_thickness_mm,
        deterministic_instance_uids=True,
    )
    folder = job.out_dir / patient.patient_id / f"{date_text}_{series_number}"
    write_ct_series(volume, folder, identity)
    truth = {
        "patient": {
            "id": patient.patient_id,
            "name": patient.patient_name,
            "sex": patient.sex,
            "birth_date": patient.birth_date.isoformat(),
        },
        "study": {
            "uid": identity.study_uid,
            "date": visit.study_date.isoformat(),
            "visit_index": job.visit_index,
        },
        "series": {
            "uid": identity.series_uid,
            "number": series_number,
            "frame_of_reference_uid": identity.frame_of_reference_uid,
            "folder": str(folder.relative_to(job.out_dir)),
            "slice_spacing_mm": visit.slice_spacing_mm,
            "slice_thickness_mm": visit.slice_thickness_mm,
            "pixel_spacing_mm": pixel_mm,
            "shape_kji": list(geometry.shape_kji),
            "origin_lps_mm": list(geometry.origin_lps_mm),
            "direction": list(geometry.direction),
        },
        "pose": {
            "shift_lps_mm": list(visit.pose.shift_lps_mm),
            "yaw_degrees": visit.pose.yaw_degrees,
        },
        "nodules": nodules,
    }
    (folder / "truth.json").write_text(
        json.dumps(truth, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return truth


def generate(
    out_dir: Path,
    patients: int | None = None,
    matrix: int = 512,
    coverage_mm: float = COVERAGE_MM,
    workers: int = 2,
) -> list[dict[str, object]]:
    """Write the sample patients into ``out_dir`` (their old folders replaced); .complete last."""
    recipes = sample_patients()[:patients]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / COMPLETE_MARKER).unlink(missing_ok=True)
    for recipe in recipes:
        shutil.rmtree(out_dir / recipe.patient_id, ignore_errors=True)
    jobs = [
        SeriesJob(r, i, out_dir, matrix, coverage_mm) for r in recipes for i in range(len(r.visits))
    ]
    jobs.sort(key=lambda j: -_n_slices(j))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            truths = list(pool.map(render_series, jobs))
    else:
        truths = [render_series(job) for job in jobs]
    (out_dir / COMPLETE_MARKER).write_text(f"{len(truths)} series\n", encoding="utf-8")
    return truths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_cases.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write the patients into")
    parser.add_argument("--patients", type=int, default=None, help="only the first N patients")
    parser.add_argument(
        "--matrix", type=int, default=512, help="rows and columns (field of view kept)"
    )
    parser.add_argument(
        "--coverage-mm", type=float, default=COVERAGE_MM, help="head-foot length scanned"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes rendering series in parallel"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    truths = generate(args.out, args.patients, args.matrix, args.coverage_mm, args.workers)
    slices = sum(int(np.prod(t["series"]["shape_kji"][:1])) for t in truths)  # type: ignore[index]
    print(
        f"{len(truths)} series, {slices} slices in {args.out} "
        f"({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
