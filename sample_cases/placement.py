"""Where to put a nodule so that it touches the pleura or a vessel of the chest phantom.

Positions are in the anatomy frame of sample_cases.anatomy (mm, LPS axes, origin mid-chest); a
``PatientPose`` carries them into a visit's world LPS. The part of the nodule that overlaps the
wall or the vessel is hidden by ``phantom.nodule_exclusion`` when it is rendered, as that tissue
would hide it in a patient, and left out of its truth.
"""

from __future__ import annotations

import numpy as np

from sample_cases.anatomy import ChestAnatomy

Point = tuple[float, float, float]


def juxtapleural_centre(
    anatomy: ChestAnatomy,
    diameter_mm: float,
    near_mm: Point,
    direction: Point | None = None,
    overlap_fraction: float = 0.2,
) -> Point:
    """A centre inside the lung whose nodule reaches ``overlap_fraction`` of its size into the wall.

    The pleura is found from the lung point ``near_mm`` along ``direction`` (default: straight
    out to the patient's side, which is the costal pleura), by bisection on the lung surface.
    """
    start = np.asarray(near_mm, float)
    if _lung_distance(anatomy, start) >= 0:
        raise ValueError(f"{near_mm} is not inside a lung")
    ray = np.asarray(direction if direction is not None else (np.sign(start[0]) or 1.0, 0, 0))
    ray = ray / np.linalg.norm(ray)
    inside, outside = 0.0, 1.0
    while _lung_distance(anatomy, start + outside * ray) < 0:
        inside, outside = outside, outside * 2
    for _ in range(40):
        middle = (inside + outside) / 2
        inside, outside = (
            (middle, outside)
            if _lung_distance(anatomy, start + middle * ray) < 0
            else (inside, middle)
        )
    depth = diameter_mm * (0.5 - overlap_fraction)
    return tuple(float(v) for v in start + (inside - depth) * ray)  # type: ignore[return-value]


def juxtavascular_centre(seed: int, diameter_mm: float, near_mm: Point) -> Point:
    """A centre beside the mid-point of the vessel (radius 1.2-2.5 mm) nearest ``near_mm``.

    The nodule's surface reaches 0.7 of the vessel's radius into it, so the two merge on the
    image as a juxtavascular nodule does.
    """
    anatomy = ChestAnatomy(seed=seed)
    candidates = [t for t in anatomy.vessels if 1.2 <= t.radius_end_mm <= 2.5]
    mids = np.array([(np.asarray(t.start_mm) + np.asarray(t.end_mm)) / 2 for t in candidates])
    tube = candidates[int(np.argmin(np.linalg.norm(mids - np.asarray(near_mm), axis=1)))]
    axis = np.asarray(tube.end_mm) - np.asarray(tube.start_mm)
    side = np.cross(axis, (0.0, 0.0, 1.0))
    if np.linalg.norm(side) < 1e-6:
        side = np.cross(axis, (1.0, 0.0, 0.0))
    side /= np.linalg.norm(side)
    radius = (tube.radius_start_mm + tube.radius_end_mm) / 2
    mid = (np.asarray(tube.start_mm) + np.asarray(tube.end_mm)) / 2
    return tuple(float(v) for v in mid + side * (diameter_mm / 2 + 0.3 * radius))  # type: ignore[return-value]


def _lung_distance(anatomy: ChestAnatomy, point: np.ndarray) -> float:
    return float(anatomy.lung_distance_mm(*(np.float32(v) for v in point)))
