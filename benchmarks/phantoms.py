"""Small CT blocks with one nodule of known truth, for the measurement benchmark and tests.

Partial volume is made by supersampling each voxel (3 x 3 in-plane, about 0.3 mm through the
slice), then a light in-plane blur (the scanner's point spread) and white noise. The truth is
computed on the same supersampled shape, so it is exact up to that sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from nodule_desk.volume import CTVolume, VolumeGeometry

LUNG_HU = -850.0
TISSUE_HU = 40.0
SOLID_HU = 30.0
PIXEL_MM = 0.7


@dataclass(frozen=True)
class PhantomSpec:
    diameter_mm: float
    shape: str = "sphere"
    """sphere, ellipsoid, lobulated or spiculated."""
    density: str = "solid"
    """solid, part_solid or ground_glass."""
    context: str = "isolated"
    """isolated, juxtavascular or juxtapleural."""
    slice_mm: float = 1.0
    noise_hu: float = 20.0
    ggn_hu: float = -600.0
    vessel_radius_mm: float = 1.2
    seed: int = 0


@dataclass(frozen=True)
class PhantomTruth:
    volume_mm3: float
    mean_diameter_mm: float
    long_axis_mm: float
    short_axis_mm: float
    density_type: str
    solid_diameter_mm: float
    center_mm: tuple[float, float, float]


def _inside_nodule(spec: PhantomSpec, x: NDArray, y: NDArray, z: NDArray) -> NDArray[np.bool_]:
    radius = spec.diameter_mm / 2
    rng = np.random.default_rng(spec.seed)
    angle = rng.uniform(0, np.pi)
    u = x * np.cos(angle) + y * np.sin(angle)
    v = -x * np.sin(angle) + y * np.cos(angle)
    if spec.shape == "ellipsoid":
        semi_axes = (1.2 * radius, 0.85 * radius, 0.9 * radius)
        return (u / semi_axes[0]) ** 2 + (v / semi_axes[1]) ** 2 + (z / semi_axes[2]) ** 2 <= 1
    r = np.sqrt(x**2 + y**2 + z**2)
    if spec.shape == "lobulated":
        theta = np.arctan2(v, u)
        phi = np.arccos(np.clip(z / np.maximum(r, 1e-9), -1, 1))
        bumps = 0.12 * np.cos(3 * theta) * np.sin(phi) ** 2 + 0.08 * np.cos(2 * phi)
        return r <= radius * (1 + bumps)
    inside = r <= radius
    if spec.shape == "spiculated":
        directions = rng.normal(size=(6, 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        points = np.stack(np.broadcast_arrays(x, y, z), axis=-1)
        for d in directions:
            t = points @ d
            off = np.linalg.norm(points - t[..., None] * d, axis=-1)
            taper = 0.35 * np.clip((1.6 * radius - t) / (0.6 * radius), 0, 1)
            inside |= (t > 0) & (t < 1.6 * radius) & (off <= taper)
    return inside


def _inside_core(spec: PhantomSpec, x: NDArray, y: NDArray, z: NDArray) -> NDArray[np.bool_]:
    core = 0.45 * spec.diameter_mm / 2
    return x**2 + y**2 + z**2 <= core**2


def _inside_other(spec: PhantomSpec, x: NDArray, y: NDArray, z: NDArray) -> NDArray[np.bool_]:
    radius = spec.diameter_mm / 2
    if spec.context == "juxtapleural":
        return x >= 0.85 * radius
    if spec.context == "juxtavascular":
        offset = radius + 0.4 * spec.vessel_radius_mm
        d = np.array([0.0, 0.6, 0.8])
        px, py, pz = x - offset, y, z
        t = py * d[1] + pz * d[2]
        off2 = px**2 + (py - t * d[1]) ** 2 + (pz - t * d[2]) ** 2
        return off2 <= spec.vessel_radius_mm**2
    return np.zeros(np.broadcast(x, y, z).shape, dtype=bool)


def make_phantom(spec: PhantomSpec) -> tuple[CTVolume, PhantomTruth]:
    """A block of lung with the nodule centred at the world origin, and the truth."""
    half = spec.diameter_mm * 0.6 + 16.0
    n_xy = int(np.ceil(2 * half / PIXEL_MM))
    n_z = int(np.ceil(2 * half / spec.slice_mm))
    ss_xy, ss_z = 3, max(3, int(np.ceil(spec.slice_mm / 0.3)))
    off_xy = (np.arange(ss_xy) + 0.5) / ss_xy - 0.5
    off_z = (np.arange(ss_z) + 0.5) / ss_z - 0.5
    origin = np.array(
        [-(n_xy - 1) / 2 * PIXEL_MM, -(n_xy - 1) / 2 * PIXEL_MM, -(n_z - 1) / 2 * spec.slice_mm]
    )
    xs = origin[0] + (np.arange(n_xy)[:, None] + off_xy[None, :]).ravel() * PIXEL_MM
    zs = origin[2] + (np.arange(n_z)[:, None] + off_z[None, :]).ravel() * spec.slice_mm
    x = xs[None, None, :]
    y = xs[None, :, None]
    nodule = np.zeros((n_z, n_xy, n_xy))
    core = np.zeros_like(nodule)
    other = np.zeros_like(nodule)
    extent = spec.diameter_mm * 0.9 + 2
    near = np.flatnonzero(np.abs(origin[0] + np.arange(n_xy) * PIXEL_MM) <= extent)
    window = slice(near[0] * ss_xy, (near[-1] + 1) * ss_xy)
    pixels = np.ix_(near, near)
    for k in range(n_z):
        z = zs[k * ss_z : (k + 1) * ss_z][:, None, None]
        oth = _inside_other(spec, x, y, z)
        other[k] = _bin(oth, ss_z, ss_xy, len(xs))
        if abs(zs[k * ss_z] - 0) > extent:
            continue
        xw, yw = x[..., window], y[:, window, :]
        nod = _inside_nodule(spec, xw, yw, z) & ~_inside_other(spec, xw, yw, z)
        nodule[k][pixels] = _bin(nod, ss_z, ss_xy, len(xs[window]))
        if spec.density == "part_solid":
            inner = nod & _inside_core(spec, xw, yw, z)
            core[k][pixels] = _bin(inner, ss_z, ss_xy, len(xs[window]))
    outer_hu = SOLID_HU if spec.density == "solid" else spec.ggn_hu
    hu = LUNG_HU + other * (TISSUE_HU - LUNG_HU) + nodule * (outer_hu - LUNG_HU)
    hu += core * (SOLID_HU - outer_hu)
    hu = ndimage.gaussian_filter(hu, sigma=(0, 0.4 / PIXEL_MM, 0.4 / PIXEL_MM))
    hu += np.random.default_rng(spec.seed + 1).normal(0, spec.noise_hu, hu.shape)
    geometry = VolumeGeometry(
        (n_z, n_xy, n_xy), (PIXEL_MM, PIXEL_MM, spec.slice_mm), tuple(float(v) for v in origin)
    )  # type: ignore[arg-type]
    voxel = PIXEL_MM * PIXEL_MM * spec.slice_mm
    long_axis, short_axis = _truth_axes(spec)
    truth = PhantomTruth(
        volume_mm3=float(nodule.sum() * voxel),
        mean_diameter_mm=(long_axis + short_axis) / 2,
        long_axis_mm=long_axis,
        short_axis_mm=short_axis,
        density_type=spec.density,
        solid_diameter_mm=0.45 * spec.diameter_mm if spec.density == "part_solid" else 0.0,
        center_mm=(0.0, 0.0, 0.0),
    )
    return CTVolume(np.rint(hu).astype(np.int16), geometry), truth


def _bin(inside: NDArray[np.bool_], ss_z: int, ss_xy: int, n_sub: int) -> NDArray[np.float64]:
    inside = np.broadcast_to(inside, (ss_z, n_sub, n_sub))
    n_y, n_x = inside.shape[1] // ss_xy, inside.shape[2] // ss_xy
    return inside.reshape(ss_z, n_y, ss_xy, n_x, ss_xy).mean(axis=(0, 2, 4))


def _truth_axes(spec: PhantomSpec) -> tuple[float, float]:
    """Long and short axis of the largest axial cross-section (of the body, without spicules)."""
    from nodule_desk.imaging.axial_diameters import contour_points_mm, long_and_short_axis_mm

    if spec.shape == "spiculated":
        return spec.diameter_mm, spec.diameter_mm
    step = 0.1
    half = spec.diameter_mm * 0.9 + 1
    g = np.arange(-half, half + step, step)
    x, y = g[None, :], g[:, None]
    best, best_area = None, -1.0
    for z in np.linspace(-spec.diameter_mm / 2, spec.diameter_mm / 2, 31):
        section = _inside_nodule(spec, x, y, np.array(z)) & ~_inside_other(spec, x, y, np.array(z))
        area = float(section.sum())
        if area > best_area:
            best, best_area = section, area
    points = contour_points_mm(best.astype(float), 0.5, np.array([step, step]))
    return long_and_short_axis_mm(points)


@dataclass(frozen=True)
class ChestNoduleCase:
    """A nodule of the sample-case generator drawn into the chest phantom, in a block around it."""

    diameter_mm: float
    shape: str
    density: str
    context: str
    slice_mm: float
    anatomy_seed: int
    case_seed: int
    noise_hu: float = 15.0


CHEST_BLOCK_HALF_MM = 30.0


def make_chest_nodule(case: ChestNoduleCase) -> tuple[CTVolume, object, NDArray[np.float64]]:
    """The block of chest CT, the nodule's truth (sample_cases NoduleTruth) and its centre (mm).

    The anatomy is that of sample_cases (vessel tree, airways, ribs, curved pleura); the nodule
    is placed in aerated lung, beside a vessel of 1.2-2.5 mm radius, or on the pleura (pushed into
    the wall by a fifth of its size), as the sample patients are.
    """
    from sample_cases.anatomy import ChestAnatomy
    from sample_cases.nodules import NoduleSpec
    from sample_cases.phantom import make_chest_case
    from sample_cases.placement import juxtapleural_centre, juxtavascular_centre

    anatomy = ChestAnatomy(seed=case.anatomy_seed)
    rng = np.random.default_rng(case.case_seed)
    near = _lung_point(anatomy, rng, margin_mm=case.diameter_mm / 2 + 8.0)
    if case.context == "juxtavascular":
        centre = juxtavascular_centre(case.anatomy_seed, case.diameter_mm, near)
    elif case.context == "juxtapleural":
        direction = rng.normal(size=3) * (1.0, 1.0, 0.3)
        direction[0] = abs(direction[0]) * np.sign(near[0])
        centre = juxtapleural_centre(anatomy, case.diameter_mm, near, tuple(direction))
    else:
        centre = near
    spec = NoduleSpec(
        center_lps_mm=tuple(float(v) for v in centre),  # type: ignore[arg-type]
        diameter_mm=case.diameter_mm,
        shape=case.shape,
        density_type=case.density,
        solid_diameter_mm=0.5 * case.diameter_mm if case.density == "part_solid" else 0.0,
        shape_seed=case.case_seed,
    )
    half = CHEST_BLOCK_HALF_MM + case.diameter_mm / 2
    shape_kji = (
        int(2 * half / case.slice_mm) + 1,
        int(2 * half / PIXEL_MM) + 1,
        int(2 * half / PIXEL_MM) + 1,
    )
    volume, truths = make_chest_case(
        shape_kji,
        (PIXEL_MM, PIXEL_MM, case.slice_mm),
        case.anatomy_seed,
        nodules=[spec],
        centre_lps_mm=centre,
        noise_hu=case.noise_hu,
        anatomy=anatomy,
    )
    return volume, truths[0], np.asarray(centre, dtype=float)


def _lung_point(
    anatomy: object, rng: np.random.Generator, margin_mm: float
) -> tuple[float, float, float]:
    """A random point of the lungs at least ``margin_mm`` inside the pleura."""
    while True:
        point = rng.uniform((-140.0, -90.0, -60.0), (140.0, 90.0, 110.0)).astype(np.float32)
        if float(anatomy.lung_distance_mm(*point)) < -margin_mm:  # type: ignore[attr-defined]
            return tuple(float(v) for v in point)  # type: ignore[return-value]


@dataclass(frozen=True)
class RealShapeSpec:
    """A nodule of the irregular families (sample_cases.shapes) in a small lung block.

    Everything the size, family, density, context and slice spacing leave open is drawn from
    ``seed``: orientation, lobes and spicules, ground-glass attenuation (-750 to -500 HU), the
    solid core's size and eccentricity, how broad the pleural base is, the vessel's calibre
    (3-5 mm) and direction, and how correlated the noise is.
    """

    diameter_mm: float
    shape: str
    density: str = "solid"
    context: str = "isolated"
    slice_mm: float = 1.25
    noise_hu: float = 20.0
    seed: int = 0


def make_real_shape_phantom(spec: RealShapeSpec) -> tuple[CTVolume, object]:
    """The block (nodule centred at the world origin) and its sample_cases NoduleTruth."""
    from scipy.spatial.transform import Rotation

    from sample_cases.blocks import make_nodule_block
    from sample_cases.nodules import NoduleSpec

    rng = np.random.default_rng([spec.seed, 7])
    radius = spec.diameter_mm / 2
    solid_mm = 0.0
    offset = np.zeros(3)
    if spec.density == "part_solid":
        solid_mm = max(3.0, rng.uniform(0.3, 0.6) * spec.diameter_mm)
        direction = rng.normal(size=3)
        offset = (
            direction / np.linalg.norm(direction) * rng.uniform(0, 0.5) * (radius - solid_mm / 2)
        )
    nodule = NoduleSpec(
        center_lps_mm=(0.0, 0.0, 0.0),
        diameter_mm=spec.diameter_mm,
        shape=spec.shape,
        density_type=spec.density,
        solid_diameter_mm=solid_mm,
        ground_glass_hu=float(rng.uniform(-750, -500)),
        orientation=tuple(Rotation.random(random_state=rng).as_matrix().ravel()),
        shape_seed=spec.seed,
        solid_offset_mm=tuple(float(v) for v in offset),  # type: ignore[arg-type]
    )
    return make_nodule_block(
        nodule,
        slice_mm=spec.slice_mm,
        pixel_mm=PIXEL_MM,
        context=spec.context,
        vessel_radius_mm=float(rng.uniform(1.5, 2.5)),
        noise_hu=spec.noise_hu,
        seed=spec.seed,
        wall_at_fraction=float(rng.uniform(0.3, 0.8)),
        vessel_direction=tuple(rng.normal(size=3)),  # type: ignore[arg-type]
        noise_correlation_mm=float(rng.uniform(0.3, 0.7)),
    )
