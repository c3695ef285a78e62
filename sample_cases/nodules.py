"""Synthetic lung nodules drawn into a CTVolume with supersampled partial volume, and their truth.

Each voxel in a box around the nodule is split into ss x ss x ss_z sub-voxels (0.2-0.25 mm in
plane, 0.25 mm through the slice); the fraction inside the shape, minus what the caller's
``exclude`` test says is other tissue (chest wall, a vessel), is the nodule's occupancy. The truth
is read off that same occupancy: volume, and the long and short axis on the axial image of largest
area, measured as the radiologist does (longest diameter, longest perpendicular to it; Bankier et
al., Radiology 2017;285:584-600) on the half-occupancy contour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from nodule_desk.imaging.axial_diameters import contour_points_mm, long_and_short_axis_mm
from nodule_desk.volume import CTVolume
from sample_cases import shapes
from sample_cases.shapes import IRREGULAR_SHAPES

SOLID_HU = 30.0
GROUND_GLASS_HU = -600.0
SMOOTH_SHAPES = ("sphere", "ellipsoid", "lobulated", "spiculated")
SHAPES = SMOOTH_SHAPES + IRREGULAR_SHAPES
DENSITY_TYPES = ("solid", "part_solid", "ground_glass")
IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class NoduleSpec:
    center_lps_mm: tuple[float, float, float]
    diameter_mm: float
    """Sphere diameter; for an ellipsoid its longest axis."""
    shape: str = "sphere"
    density_type: str = "solid"
    solid_diameter_mm: float = 0.0
    """Diameter of the solid core of a part-solid nodule."""
    solid_hu: float = SOLID_HU
    ground_glass_hu: float = GROUND_GLASS_HU
    orientation: tuple[float, ...] = IDENTITY
    """Row-major 3x3 rotation from the nodule's own axes to world LPS."""
    axis_ratios: tuple[float, float, float] = (1.0, 0.72, 0.85)
    """Ellipsoid semi-axes relative to the largest."""
    shape_seed: int = 0
    """Fixes lobulation phase and spicule directions, so a nodule keeps its look across visits."""
    solid_offset_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Centre of the solid core in the nodule's own frame: real cores are often eccentric."""

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"shape {self.shape!r} not one of {SHAPES}")
        if self.density_type not in DENSITY_TYPES:
            raise ValueError(f"density_type {self.density_type!r} not one of {DENSITY_TYPES}")
        if self.density_type == "part_solid" and not 0 < self.solid_diameter_mm < self.diameter_mm:
            raise ValueError("a part-solid nodule needs 0 < solid_diameter_mm < diameter_mm")

    @property
    def reach_mm(self) -> float:
        """Farthest any part of the shape (spicules included) lies from the centre."""
        if self.shape in IRREGULAR_SHAPES:
            return shapes.reach_mm(self.shape, self.diameter_mm / 2, self.shape_seed)
        scale = {"sphere": 1.0, "ellipsoid": 1.0, "lobulated": 1.25, "spiculated": 1.75}[self.shape]
        return self.diameter_mm / 2 * scale


@dataclass(frozen=True)
class NoduleTruth:
    center_lps_mm: tuple[float, float, float]
    centroid_lps_mm: tuple[float, float, float]
    """Centre of the rendered (visible) part: differs from the centre when the wall hides some."""
    volume_mm3: float
    long_axis_mm: float
    short_axis_mm: float
    mean_diameter_mm: float
    density_type: str
    shape: str
    longest_diameter_3d_mm: float = 0.0
    """Longest chord of the shape in 3D (spicules excluded, like the axes), from a fine sampling."""
    solid_volume_mm3: float = 0.0
    solid_long_axis_mm: float = 0.0
    solid_component_mm: float = 0.0
    """Mean diameter of the solid component (part-solid only)."""
    axes_note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _local_inside(spec: NoduleSpec, u: NDArray, v: NDArray, w: NDArray) -> tuple[NDArray, NDArray]:
    """Inside the whole shape, and inside its body (the shape without spicules)."""
    radius = spec.diameter_mm / 2
    if spec.shape in IRREGULAR_SHAPES:
        whole = shapes.inside(spec.shape, radius, spec.shape_seed, u, v, w)
        return whole, whole
    rng = np.random.default_rng(spec.shape_seed)
    if spec.shape == "ellipsoid":
        a, b, c = (radius * f for f in spec.axis_ratios)
        inside = (u / a) ** 2 + (v / b) ** 2 + (w / c) ** 2 <= 1
        return inside, inside
    r = np.sqrt(u * u + v * v + w * w)
    if spec.shape == "lobulated":
        phase = rng.uniform(0, 2 * np.pi)
        theta = np.arctan2(v, u) + phase
        cos_phi = np.clip(w / np.maximum(r, 1e-9), -1, 1)
        bumps = 0.14 * np.cos(3 * theta) * (1 - cos_phi**2) + 0.08 * (2 * cos_phi**2 - 1)
        inside = r <= radius * (1 + bumps)
        return inside, inside
    body = r <= radius
    inside = body.copy()
    if spec.shape == "spiculated":
        directions = rng.normal(size=(8, 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        r2 = r * r
        length = 1.75 * radius
        for d in directions:
            t = u * d[0] + v * d[1] + w * d[2]
            taper = 0.45 * np.clip((length - t) / (0.75 * radius), 0, 1)
            inside |= (t > 0) & (t < length) & (r2 - t * t <= taper * taper)
    return inside, body


def _index_box(
    volume: CTVolume, spec: NoduleSpec, slice_thickness_mm: float | None
) -> tuple[NDArray, NDArray] | None:
    geometry = volume.geometry
    reach = spec.reach_mm + 1.5 + (slice_thickness_mm or 0.0) / 2
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) * reach
    ijk = geometry.world_lps_mm_to_index(np.asarray(spec.center_lps_mm) + corners)
    low = np.maximum(np.floor(ijk.min(axis=0)).astype(int), 0)
    high = np.minimum(np.ceil(ijk.max(axis=0)).astype(int) + 1, geometry.shape_kji[::-1])
    return None if np.any(high <= low) else (low, high)


def _sub_offsets(n: int, ss: int) -> NDArray:
    return (np.arange(n * ss) + 0.5) / ss - 0.5


def _occupancies(
    volume: CTVolume,
    spec: NoduleSpec,
    low: NDArray,
    high: NDArray,
    exclude: Callable[[NDArray], NDArray] | None,
    slice_thickness_mm: float | None,
) -> tuple[NDArray, NDArray, NDArray]:
    """(nodule, body, core) occupancy in the box, each (k, j, i) in [0, 1].

    Each image averages the slab of ``slice_thickness_mm`` around its position, so thick or
    overlapping reconstructions (thickness > spacing) look as the scanner would make them.
    """
    geometry = volume.geometry
    thickness = slice_thickness_mm or geometry.spacing_xyz_mm[2]
    slab = thickness / geometry.spacing_xyz_mm[2]
    ss = 4 if spec.reach_mm < 8.0 else 3
    ss_z = max(3, int(np.ceil(thickness / 0.25)))
    n_i, n_j, n_k = high - low
    sub_i = low[0] + _sub_offsets(n_i, ss)
    sub_j = low[1] + _sub_offsets(n_j, ss)
    to_world = geometry.direction_matrix * np.asarray(geometry.spacing_xyz_mm)
    rotation = np.asarray(spec.orientation, float).reshape(3, 3)
    to_local = rotation.T @ to_world
    local_origin = rotation.T @ (
        np.asarray(geometry.origin_lps_mm) - np.asarray(spec.center_lps_mm)
    )
    plane = (
        sub_i[None, :, None] * to_local[:, 0] + sub_j[:, None, None] * to_local[:, 1] + local_origin
    )
    plane_world = sub_i[None, :, None] * to_world[:, 0] + sub_j[:, None, None] * to_world[:, 1]
    shapes = (n_k, n_j, n_i)
    nodule, body, core = np.zeros(shapes), np.zeros(shapes), np.zeros(shapes)
    core_radius = spec.solid_diameter_mm / 2

    def pool(mask: NDArray) -> NDArray:
        return mask.reshape(ss_z, n_j, ss, n_i, ss).mean(axis=(0, 2, 4))

    for index in range(n_k):
        sub_k = low[2] + index + ((np.arange(ss_z) + 0.5) / ss_z - 0.5) * slab
        local = plane[None] + sub_k[:, None, None, None] * to_local[:, 2]
        inside, inside_body = _local_inside(spec, local[..., 0], local[..., 1], local[..., 2])
        if not inside.any():
            continue
        if exclude is not None:
            world = plane_world[None] + sub_k[:, None, None, None] * to_world[:, 2]
            blocked = exclude(world + np.asarray(geometry.origin_lps_mm))
            inside &= ~blocked
            inside_body &= ~blocked
        nodule[index], body[index] = pool(inside), pool(inside_body)
        if spec.density_type == "part_solid":
            from_core = local - np.asarray(spec.solid_offset_mm)
            in_core = inside & (np.einsum("...i,...i->...", from_core, from_core) <= core_radius**2)
            core[index] = pool(in_core)
    return nodule, body, core


def _axes_mm(occupancy: NDArray, pixel_ji_mm: NDArray) -> tuple[float, float]:
    """Long and short axis on the axial image of largest area (half-occupancy contour)."""
    areas = occupancy.sum(axis=(1, 2))
    if areas.max() <= 0:
        return 0.0, 0.0
    section = occupancy[int(np.argmax(areas))]
    return long_and_short_axis_mm(contour_points_mm(section, 0.5, pixel_ji_mm))


def longest_diameter_3d_mm(
    spec: NoduleSpec, exclude: Callable[[NDArray], NDArray] | None = None
) -> float:
    """Longest 3D chord of the nodule's body (spicules excluded), the parts ``exclude`` hides cut.

    Independent of the image grid: the body is sampled every diameter / 25 (at most 0.5 mm) to
    find the two farthest surface samples, then twice 8 times finer in a small cube around each
    end, re-centred on the better ends; the chord is measured between those fine surface samples,
    which puts its error within a few hundredths of a millimetre for any size.
    """
    step = min(0.5, spec.diameter_mm / 25)
    inside = _body_test(spec, exclude)
    body_reach_mm = spec.diameter_mm / 2 if spec.shape == "spiculated" else spec.reach_mm
    ends = _farthest_surface_pair(inside, np.zeros(3), body_reach_mm + 2 * step, step)
    if ends is None:
        return 0.0
    fine = step / 8
    longest = float(np.linalg.norm(ends[1] - ends[0]))
    for _ in range(2):
        near_a, near_b = (_surface_samples(inside, end, 3 * step, fine) for end in ends)
        if len(near_a) == 0 or len(near_b) == 0:
            break
        distance = ((near_a[:, None] - near_b[None]) ** 2).sum(axis=-1)
        a, b = np.unravel_index(np.argmax(distance), distance.shape)
        ends, longest = (near_a[a], near_b[b]), float(np.sqrt(distance[a, b])) + fine / 2
    return longest


def _surface_samples(
    inside: Callable[[NDArray], NDArray], centre: NDArray, half: float, step: float
) -> NDArray:
    """Inside samples with an outside neighbour, on a grid of ``step`` in a cube around centre."""
    axis = np.arange(-half, half + step / 2, step)
    grid = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1) + centre
    body = inside(grid)
    samples = grid[body & ~ndimage.binary_erosion(body, border_value=1)]
    if len(samples) < 4:
        return samples
    try:
        return samples[ConvexHull(samples).vertices]
    except QhullError:
        return samples


def _farthest_surface_pair(
    inside: Callable[[NDArray], NDArray], centre: NDArray, half: float, step: float
) -> tuple[NDArray, NDArray] | None:
    hull = _surface_samples(inside, centre, half, step)
    if len(hull) < 2:
        return None
    distance = ((hull[:, None] - hull[None]) ** 2).sum(axis=-1)
    a, b = np.unravel_index(np.argmax(distance), distance.shape)
    return hull[a], hull[b]


def _body_test(
    spec: NoduleSpec, exclude: Callable[[NDArray], NDArray] | None
) -> Callable[[NDArray], NDArray]:
    """Inside the body, for (..., 3) points in the nodule's own frame (mm)."""
    rotation = np.asarray(spec.orientation, float).reshape(3, 3)
    centre = np.asarray(spec.center_lps_mm, float)
    body_spec = replace(spec, shape="sphere") if spec.shape == "spiculated" else spec

    def inside(local: NDArray) -> NDArray:
        _, body = _local_inside(body_spec, local[..., 0], local[..., 1], local[..., 2])
        if exclude is not None and body.any():
            body[body] = ~exclude(local[body] @ rotation.T + centre)
        return body

    return inside


def render_nodule(
    volume: CTVolume,
    spec: NoduleSpec,
    rng: np.random.Generator | None = None,
    exclude: Callable[[NDArray], NDArray] | None = None,
    slice_thickness_mm: float | None = None,
) -> NoduleTruth:
    """Blend the nodule into ``volume.hu`` (float32) in place and return its truth.

    ``exclude(points_lps_mm) -> bool array`` marks where the nodule cannot be (outside the lung, in
    a vessel); those parts are neither drawn nor counted. ``slice_thickness_mm`` (default: the
    slice spacing) is the slab each image averages; the volume stays right when slabs overlap.
    ``rng`` is there for callers that vary the texture; ``spec.shape_seed`` fixes the shape.
    """
    del rng
    box = _index_box(volume, spec, slice_thickness_mm)
    geometry = volume.geometry
    if box is None:
        raise ValueError(f"nodule at {spec.center_lps_mm} lies outside the volume")
    low, high = box
    nodule, body, core = _occupancies(volume, spec, low, high, exclude, slice_thickness_mm)
    outer_hu = spec.solid_hu if spec.density_type == "solid" else spec.ground_glass_hu
    region = volume.hu[low[2] : high[2], low[1] : high[1], low[0] : high[0]]
    background = region.copy()
    region[...] = background + nodule * (outer_hu - background) + core * (spec.solid_hu - outer_hu)
    voxel_mm3 = geometry.voxel_volume_mm3
    pixel_ji = np.array([geometry.spacing_xyz_mm[1], geometry.spacing_xyz_mm[0]])
    long_axis, short_axis = _axes_mm(body, pixel_ji)
    solid_long, solid_short = _axes_mm(core, pixel_ji)
    total = float(nodule.sum())
    if total <= 0:
        raise ValueError(f"nodule at {spec.center_lps_mm} is hidden entirely by other tissue")
    kji = np.indices(nodule.shape).reshape(3, -1)
    mean_kji = (kji * nodule.ravel()).sum(axis=1) / total + low[::-1]
    centroid = geometry.index_to_world_lps_mm(mean_kji[::-1])
    return NoduleTruth(
        center_lps_mm=tuple(float(v) for v in spec.center_lps_mm),  # type: ignore[arg-type]
        centroid_lps_mm=tuple(round(float(v), 3) for v in centroid),  # type: ignore[arg-type]
        volume_mm3=total * voxel_mm3,
        long_axis_mm=long_axis,
        short_axis_mm=short_axis,
        mean_diameter_mm=(long_axis + short_axis) / 2,
        density_type=spec.density_type,
        shape=spec.shape,
        longest_diameter_3d_mm=longest_diameter_3d_mm(spec, exclude),
        solid_volume_mm3=float(core.sum()) * voxel_mm3,
        solid_long_axis_mm=solid_long,
        solid_component_mm=(solid_long + solid_short) / 2,
        axes_note="spicules excluded from the axes" if spec.shape == "spiculated" else "",
    )
