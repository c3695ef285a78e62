"""Cutting a nodule off the vessels it touches, gentlest separation first.

(Kostis et al., IEEE TMI 2003;22:1259-1274, morphological separation of juxtavascular nodules.)
The openings here remove whatever is thinner than their ball, lobes and spicules included;
:mod:`nodule_desk.imaging.nodule_parts` grows those back.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.imaging.mask_geometry import (
    ball_around,
    compactness,
    component_at,
    leak_reason,
    touches_edge,
)

VESSEL_CUT_FRACTION = 0.75
"""Opening radius as a fraction of the nodule's inscribed radius (at the low threshold)."""
THICK_VESSEL_MAX_RADIUS_MM = 8.0
"""Vessels thicker than this next to a nodule are hilar; the nodule is then measured by hand."""
EQUAL_VESSEL_CUT_FRACTIONS = (0.95, 0.85, 0.75)
SHARP_SMOOTHING_MM = 0.5
BALL_CLIP_FILL = 0.4
"""A shell around the seed filled less than this lies beyond the nodule's surface."""
MIN_COMPACTNESS_AFTER_CUT = 0.25
"""The stronger vessel cuts must leave a roundish object (a ball is 1, a 2:1 ellipsoid 0.25)."""


def separate(
    candidate: NDArray[np.bool_],
    hu: NDArray[np.float32],
    start: tuple[int, int, int],
    lung_hu: float,
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
    fallbacks: bool,
) -> tuple[NDArray[np.bool_], str, str]:
    """The nodule cut off from vessels, trying the gentlest separation first.

    1. Vessels thinner than the nodule: opening with a ball a bit smaller than the nodule's own.
    2. A vessel thicker than the nodule, which the nodule sits on: the vessel is what a ball larger
       than the nodule can roll through; the smallest such ball that frees the seed is used.
    3. A vessel of the nodule's own calibre: at the half-way level between lung and the tissue
       at the seed the junction is no longer inflated by the blur, and an opening with a ball
       nearly as large as the nodule keeps the nodule and drops the tube.
    The first result that stays inside the region and is compact wins; otherwise the reason of
    the first attempt is returned.
    """
    component = component_at(candidate, start)
    sharp = np.zeros(0, dtype=bool)

    def sharp_object() -> NDArray[np.bool_]:
        nonlocal sharp
        if sharp.size == 0:
            sharp = sharp_component(hu, component, start, lung_hu, spacing)
        return sharp

    attempts = {
        "thin_vessels": lambda: cut_vessels(component, start, spacing),
        "thick_vessel": lambda: cut_thick_vessel(
            component, sharp_object(), start, spacing, max_diameter_mm
        ),
        "equal_vessel": lambda: cut_equal_vessel(component, sharp_object(), start, spacing),
        "ball_clip": lambda: clip_to_ball(component, sharp_object(), start, spacing),
    }
    first_reason = ""
    for name, attempt in attempts.items():
        nodule = attempt()
        reason = separation_problem(nodule, start, spacing, max_diameter_mm)
        if (
            not reason
            and name != "thin_vessels"
            and compactness(nodule, spacing) < MIN_COMPACTNESS_AFTER_CUT
        ):
            reason = "after cutting the vessels the object is still not round: a vessel remains"
        if not reason:
            return nodule, name, ""
        first_reason = first_reason or reason
        if not fallbacks:
            break
    return component, "", first_reason


def separation_problem(
    nodule: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
) -> str:
    if not nodule[start]:
        return "no nodule could be separated at the seed"
    if touches_edge(nodule):
        return "the segmentation reaches the edge of the region: it leaks into a vessel or the wall"
    return leak_reason(nodule, spacing, max_diameter_mm)


def cut_vessels(
    nodule: NDArray[np.bool_], start: tuple[int, int, int], spacing: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Remove tubes thinner than the nodule: opening with a ball a bit smaller than its own."""
    depth = ndimage.distance_transform_edt(nodule, sampling=spacing)
    local = ball_around(np.asarray(start, dtype=float), 3.0, spacing, nodule.shape) & nodule
    inscribed_mm = float(np.max(depth[local], initial=0))
    radius_mm = VESSEL_CUT_FRACTION * inscribed_mm
    if radius_mm < 1.2 * float(np.min(spacing)):
        return nodule
    core = depth > radius_mm
    center = np.unravel_index(np.argmax(np.where(local, depth, 0)), depth.shape)
    core = component_at(core, tuple(int(v) for v in center))  # type: ignore[arg-type]
    reach = ndimage.distance_transform_edt(~core, sampling=spacing)
    return nodule & (reach <= radius_mm + 0.5 * float(np.min(spacing)))


def cut_thick_vessel(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
    max_diameter_mm: float,
) -> NDArray[np.bool_]:
    """Remove what a ball thicker than the nodule at the seed rolls through, then thin vessels.

    Of the balls that free the nodule, the largest is used: it bites least into the nodule.
    """
    depth = ndimage.distance_transform_edt(sharp, sampling=spacing)
    radius_mm = float(depth[start]) + 0.5
    best = np.zeros_like(nodule)
    while radius_mm <= THICK_VESSEL_MAX_RADIUS_MM:
        core = depth > radius_mm
        if not np.any(core):
            break
        thick = ndimage.distance_transform_edt(~core, sampling=spacing) <= radius_mm
        rest = component_at(sharp & ~thick, start)
        if np.any(rest):
            rest = grow_back(cut_vessels(rest, start, spacing), nodule & ~sharp & ~thick)
            if not separation_problem(rest, start, spacing, max_diameter_mm):
                best = rest
        radius_mm += 0.5
    return best


def cut_equal_vessel(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Opening of the half-way-level object with a ball nearly the nodule's inscribed one."""
    depth = ndimage.distance_transform_edt(sharp, sampling=spacing)
    for fraction in EQUAL_VESSEL_CUT_FRACTIONS:
        radius_mm = fraction * float(depth[start])
        if radius_mm < 1.2 * float(np.min(spacing)):
            break
        core = component_at(depth > radius_mm, start)
        opened = sharp & (
            ndimage.distance_transform_edt(~core, sampling=spacing)
            <= radius_mm + 0.5 * float(np.min(spacing))
        )
        if not touches_edge(opened):
            return grow_back(opened, nodule & ~sharp)
    return np.zeros_like(nodule)


def clip_to_ball(
    nodule: NDArray[np.bool_],
    sharp: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """The object inside the sphere where it stops filling the shells around the seed.

    Last resort for a vessel at least as thick as the nodule, which no opening removes: a
    vessel fills only a small cap of each shell beyond the nodule's surface, the nodule fills
    them all. The nodule is then assumed roughly round (its lobes beyond the sphere are lost).
    """
    grids = np.ogrid[tuple(slice(0, n) for n in sharp.shape)]
    distance = np.sqrt(
        sum(((g - c) * s) ** 2 for g, c, s in zip(grids, start, spacing, strict=True))
    )
    step_mm = float(np.max(spacing))
    radius_mm = step_mm
    limit_mm = 0.5 * float(np.min(np.asarray(sharp.shape) * spacing))
    while radius_mm < limit_mm:
        shell = (distance >= radius_mm - 0.5 * step_mm) & (distance < radius_mm + 0.5 * step_mm)
        if np.mean(sharp[shell]) < BALL_CLIP_FILL:
            break
        radius_mm += 0.5 * step_mm
    else:
        return np.zeros_like(nodule)
    if runs_through(sharp, distance, radius_mm, start, spacing):
        return np.zeros_like(nodule)
    clipped = component_at(sharp & (distance <= radius_mm), start)
    blur = nodule & ~sharp & (distance <= radius_mm + 2 * step_mm)
    return grow_back(cut_vessels(clipped, start, spacing), blur)


def runs_through(
    sharp: NDArray[np.bool_],
    distance: NDArray[np.float64],
    radius_mm: float,
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> bool:
    """Whether the object leaves the ball on opposite sides: a vessel through the seed."""
    outside = sharp & (distance > radius_mm) & (distance <= radius_mm + 2.0)
    labels, count = ndimage.label(outside)
    if count < 2:
        return False
    exits = np.array(ndimage.center_of_mass(outside, labels, range(1, count + 1)))
    directions = (exits - np.asarray(start)) * spacing
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return bool(np.min(directions @ directions.T) < -0.85)


def sharp_component(
    hu: NDArray[np.float32],
    nodule: NDArray[np.bool_],
    start: tuple[int, int, int],
    lung_hu: float,
    spacing: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """The object at the half-way level between lung and the seed, with little smoothing.

    At the low threshold the blur inflates every junction; at this level a vessel and the
    nodule have their own calibres and the neck between them is narrow.
    """
    sharp = ndimage.gaussian_filter(hu, sigma=SHARP_SMOOTHING_MM / spacing, mode="nearest")
    level = 0.5 * (lung_hu + float(sharp[start]))
    return component_at(nodule & (sharp > level), start)


def grow_back(core: NDArray[np.bool_], blur: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The separated object plus the blurred edge (below the sharp level) around it."""
    grown = core | (ndimage.binary_dilation(core, iterations=2) & blur)
    return grown if not touches_edge(grown) else core


def drop_vessel_stubs(
    mask: NDArray[np.bool_],
    nodule: NDArray[np.bool_],
    vessels: NDArray[np.bool_],
    start: tuple[int, int, int],
    spacing: NDArray[np.float64],
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """The mask and the low-threshold nodule without the vessel stubs left at the iso level.

    At the low threshold the blur fattens the junction, so the vessel cut keeps a stub of each
    vessel; at the iso level an opening shows them as thin parts. Only those touching a vessel
    are dropped: spicules, lobe tips and the sliver against the pleura stay.
    """
    thin = mask & ~cut_vessels(mask, start, spacing)
    if not np.any(thin) or not np.any(vessels):
        return mask, nodule
    labels, _ = ndimage.label(thin)
    touching = np.unique(labels[ndimage.binary_dilation(vessels, iterations=2) & thin])
    stubs = np.isin(labels, touching[touching > 0])
    if not np.any(stubs):
        return mask, nodule
    return mask & ~stubs, nodule & ~ndimage.binary_dilation(stubs, iterations=2)
