"""The sample patients: who they are, when they were scanned, how they lay, and their nodules.

Nodule positions are in each patient's anatomy frame (see sample_cases.anatomy); a visit's pose
carries them into that visit's world LPS. Diameters per visit: None means the nodule is not there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sample_cases.anatomy import ChestAnatomy, PatientPose
from sample_cases.placement import juxtapleural_centre, juxtavascular_centre


@dataclass(frozen=True)
class Visit:
    study_date: dt.date
    slice_spacing_mm: float
    slice_thickness_mm: float
    pose: PatientPose = PatientPose()
    pixel_mm: float = 0.7
    image_yaw_degrees: float = 0.0
    """In-plane rotation of the image axes (ImageOrientationPatient), not of the patient."""
    coverage_mm: float | None = None
    """Head-foot length scanned, if shorter than the generator's (thin slices: fewer files)."""


@dataclass(frozen=True)
class NoduleCourse:
    """One nodule over all visits of a patient."""

    number: int
    anatomy_centre_mm: tuple[float, float, float]
    diameters_mm: tuple[float | None, ...]
    status: str
    """grows, stable, resolves or new."""
    density_type: str = "solid"
    shape: str = "sphere"
    solid_diameters_mm: tuple[float, ...] = ()
    context: str = "isolated"
    """isolated, juxtapleural or juxtavascular."""


@dataclass(frozen=True)
class PatientRecipe:
    patient_id: str
    patient_name: str
    sex: str
    birth_date: dt.date
    seed: int
    visits: tuple[Visit, ...]
    nodules: tuple[NoduleCourse, ...]


def sample_patients() -> tuple[PatientRecipe, ...]:
    """Four patients; their nodules cover what a lung-nodule clinic sees (issue 3's list)."""
    date = dt.date
    return (
        PatientRecipe(
            "P001",
            "Zhang^Wei=张^伟",
            "M",
            date(1961, 4, 12),
            101,
            (
                Visit(date(2025, 3, 10), 1.25, 1.25),
                Visit(date(2025, 9, 8), 1.0, 1.25, PatientPose((8.0, -6.0, 15.0), 2.5)),
            ),
            (
                NoduleCourse(1, (-78.0, -20.0, 50.0), (8.0, 10.5), "grows"),
                NoduleCourse(2, (72.0, 20.0, 10.0), (6.0, 6.0), "stable", shape="lobulated"),
                NoduleCourse(
                    3,
                    juxtapleural_centre(ChestAnatomy(seed=101), 7.0, (-90.0, 2.0, -10.0)),
                    (7.0, 7.0),
                    "stable",
                    context="juxtapleural",
                ),
            ),
        ),
        PatientRecipe(
            "P002",
            "Li^Na=李^娜",
            "F",
            date(1968, 9, 30),
            202,
            (
                Visit(date(2024, 11, 4), 2.5, 2.5, pixel_mm=0.74),
                Visit(date(2025, 2, 10), 1.25, 1.25, PatientPose((-5.0, 4.0, -20.0), -1.5)),
                Visit(
                    date(2025, 8, 11),
                    0.625,
                    0.625,
                    PatientPose((3.0, 0.0, 10.0), 1.0),
                    image_yaw_degrees=3.0,
                    coverage_mm=200.0,
                ),
            ),
            (
                NoduleCourse(
                    1,
                    (60.0, -30.0, 60.0),
                    (12.0, 12.0, 12.0),
                    "stable",
                    density_type="ground_glass",
                ),
                NoduleCourse(
                    2,
                    (-70.0, 25.0, -20.0),
                    (16.0, 16.0, 16.5),
                    "grows",
                    density_type="part_solid",
                    solid_diameters_mm=(5.0, 5.5, 7.5),
                ),
                NoduleCourse(
                    3, (75.0, 10.0, -35.0), (9.0, None, None), "resolves", shape="ellipsoid"
                ),
            ),
        ),
        PatientRecipe(
            "P003",
            "Wang^Fang=王^芳",
            "F",
            date(1955, 1, 22),
            303,
            (
                Visit(date(2025, 1, 15), 1.0, 1.0, pixel_mm=0.68),
                Visit(
                    date(2025, 7, 14),
                    2.0,
                    2.0,
                    PatientPose((-10.0, 5.0, 12.0), -2.0),
                    pixel_mm=0.68,
                ),
            ),
            (
                NoduleCourse(
                    1,
                    juxtavascular_centre(303, 6.5, (-70.0, 0.0, 30.0)),
                    (6.5, 6.5),
                    "stable",
                    context="juxtavascular",
                ),
                NoduleCourse(2, (70.0, 30.0, 30.0), (22.0, 24.0), "grows", shape="spiculated"),
                NoduleCourse(3, (-60.0, -35.0, 80.0), (None, 5.0), "new"),
            ),
        ),
        PatientRecipe(
            "P004",
            "Chen^Jie=陈^杰",
            "M",
            date(1958, 7, 5),
            404,
            (
                Visit(date(2025, 5, 20), 2.0, 2.5, pixel_mm=0.78),
                Visit(
                    date(2025, 11, 18),
                    1.25,
                    1.25,
                    PatientPose((6.0, -8.0, -10.0), 1.5),
                    pixel_mm=0.72,
                    image_yaw_degrees=-3.0,
                ),
            ),
            (
                NoduleCourse(1, (-55.0, -40.0, 70.0), (4.0, 4.0), "stable"),
                NoduleCourse(2, (65.0, -10.0, 40.0), (10.0, 12.6), "grows", shape="ellipsoid"),
                NoduleCourse(
                    3,
                    (-80.0, 30.0, -40.0),
                    (20.0, 20.0),
                    "stable",
                    density_type="part_solid",
                    solid_diameters_mm=(9.0, 9.0),
                ),
                NoduleCourse(4, (75.0, 35.0, -30.0), (25.0, 25.0), "stable", shape="lobulated"),
            ),
        ),
    )
