"""Analytic chest anatomy in the patient's own frame: signed distances and tubes, numpy only.

The anatomy frame is in millimetres with the axes of DICOM LPS (x to the patient's left, y
posterior, z superior) and its origin at the middle of the chest. A ``PatientPose`` places it in
the scanner's world LPS for one visit. Every surface is a signed distance (negative inside), which
``partial_volume`` turns into the fraction of a voxel inside it: a linear ramp one voxel wide, the
box-filtered occupancy of a plane (an analytic partial-volume fraction, no supersampling needed).
Tissue values follow the usual CT ranges (air -1000, lung about -850, fat -100, soft tissue and
unenhanced blood about 40, bone 300-1000 HU).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

AIR_HU = -1000.0
LUNG_HU = -850.0
FAT_HU = -100.0
TISSUE_HU = 40.0
MEDIASTINAL_FAT_HU = -90.0
CANCELLOUS_BONE_HU = 250.0
CORTICAL_BONE_HU = 800.0
RIB_HU = 550.0
DISC_HU = 80.0

Array = NDArray[np.float32]


def partial_volume(distance_mm: Array, width_mm: float) -> Array:
    """Fraction of a voxel of ``width_mm`` across the surface that lies inside (distance < 0)."""
    return np.clip(0.5 - distance_mm / width_mm, 0.0, 1.0)


def ellipse_distance(x: Array, y: Array, cx: float, cy: float, ax: float, ay: float) -> Array:
    """Approximate signed distance (mm) to an axis-aligned ellipse: first order, exact on axes."""
    u, v = (x - cx) / ax, (y - cy) / ay
    q = np.sqrt(u * u + v * v)
    gradient = np.sqrt((u / ax) ** 2 + (v / ay) ** 2) / np.maximum(q, 1e-6)
    return (q - 1.0) / np.maximum(gradient, 1e-6)


@dataclass(frozen=True)
class PatientPose:
    """Where the patient lies in the scanner for one visit: world = rotation @ anatomy + shift."""

    shift_lps_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)
    yaw_degrees: float = 0.0
    """Rotation about the body's long (z) axis: the patient lies turned a little on the table."""

    @property
    def rotation(self) -> NDArray[np.float64]:
        yaw = np.radians(self.yaw_degrees)
        return np.array([[np.cos(yaw), -np.sin(yaw), 0], [np.sin(yaw), np.cos(yaw), 0], [0, 0, 1]])

    def to_world_lps_mm(self, anatomy_mm: NDArray) -> NDArray[np.float64]:
        return np.asarray(anatomy_mm, float) @ self.rotation.T + np.asarray(self.shift_lps_mm)

    def to_anatomy_mm(self, world_lps_mm: NDArray) -> NDArray[np.float64]:
        return (np.asarray(world_lps_mm, float) - np.asarray(self.shift_lps_mm)) @ self.rotation


@dataclass(frozen=True)
class Tube:
    """A tapering tube (a vessel or an airway) from ``start`` to ``end`` in the anatomy frame."""

    start_mm: tuple[float, float, float]
    end_mm: tuple[float, float, float]
    radius_start_mm: float
    radius_end_mm: float
    wall_mm: float = 0.0
    """Airways: wall thickness; the lumen (radius minus wall) holds air."""

    def distance_mm(self, points: NDArray) -> NDArray:
        """Signed distance of (..., 3) points to the tube's outer surface."""
        a, b = np.asarray(self.start_mm), np.asarray(self.end_mm)
        axis = b - a
        t = np.clip(((points - a) @ axis) / float(axis @ axis), 0.0, 1.0)
        closest = a + t[..., None] * axis
        radius = self.radius_start_mm + t * (self.radius_end_mm - self.radius_start_mm)
        return np.linalg.norm(points - closest, axis=-1) - radius

    def bounds_mm(self, margin_mm: float) -> NDArray[np.float64]:
        """(2, 3) corners of a box holding the tube plus ``margin_mm``."""
        ends = np.array([self.start_mm, self.end_mm])
        pad = max(self.radius_start_mm, self.radius_end_mm) + margin_mm
        return np.array([ends.min(axis=0) - pad, ends.max(axis=0) + pad])


@dataclass
class ChestAnatomy:
    """The organs of one synthetic patient; the vessel tree is grown from ``seed``."""

    seed: int = 0
    body_semi_axes_mm: tuple[float, float] = (165.0, 118.0)
    vessels: list[Tube] = field(default_factory=list)
    airways: list[Tube] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.airways:
            self.airways = _airways()
        if not self.vessels:
            self.vessels = _vessel_tree(self, np.random.default_rng(self.seed))

    def lung_distance_mm(self, x: Array, y: Array, z: Array) -> Array:
        """Signed distance to the lungs' surface (both lungs; carved by mediastinum and heart)."""
        right = _one_lung_distance(x, y, z, -68.0, -80.0)
        left = _one_lung_distance(x, y, z, 68.0, -88.0)
        lungs = np.minimum(right, left)
        mediastinum = ellipse_distance(x, y, 0.0, 8.0, 30.0, 100.0)
        heart = _heart_distance(x, y, z)
        return np.maximum(lungs, -np.minimum(mediastinum, heart))

    def lung_hu(self, y: Array) -> Array:
        """Lung attenuation, a little denser posteriorly (dependent lung, supine)."""
        return LUNG_HU + 25.0 * np.clip(y / 80.0, -1.0, 1.0)

    def background(self, x: Array, y: Array, pixel_mm: float) -> BackgroundSlices:
        """A renderer for axial slices whose in-plane anatomy coordinates are ``x``, ``y``."""
        return BackgroundSlices(self, x, y, pixel_mm)


class BackgroundSlices:
    """Body wall, fat, ribs, spine, mediastinum, heart and lungs on one in-plane grid.

    Everything that does not change along the body axis is computed once per grid; each slice
    then only adds what depends on its height z (ribs, heart, lung apex and diaphragm).
    """

    def __init__(self, anatomy: ChestAnatomy, x: Array, y: Array, pixel_mm: float) -> None:
        self.x, self.y, self.pixel_mm = x, y, pixel_mm
        ax, ay = anatomy.body_semi_axes_mm
        body = ellipse_distance(x, y, 0.0, 5.0, ax, ay)
        hu = AIR_HU + partial_volume(body, pixel_mm) * (TISSUE_HU - AIR_HU)
        hu += partial_volume(body + 3.0, pixel_mm) * (FAT_HU - TISSUE_HU)
        hu += partial_volume(body + 18.0, pixel_mm) * (TISSUE_HU - FAT_HU)
        cavity = ellipse_distance(x, y, 0.0, 2.0, 132.0, 90.0)
        hu = _blend(hu, partial_volume(cavity, pixel_mm), MEDIASTINAL_FAT_HU)
        self.rib_band = np.maximum(-cavity, cavity - 9.0)
        self.rib_cartilage = np.maximum(32.0 - np.abs(x), y + 40.0)
        self.wall = hu
        self.spine = [
            [(_Layer(f), v) for f, v in layers] for layers in _spine_layers(x, y, pixel_mm)
        ]
        self.organs = [
            (_Layer(partial_volume(d, pixel_mm)), z_range)
            for d, z_range in _mediastinal_organs(x, y)
        ]
        sternum = partial_volume(ellipse_distance(x, y, 0.0, -96.0, 15.0, 6.0), pixel_mm)
        self.sternum = _Layer(sternum)
        self.chest = _box(ellipse_distance(x, y, 0.0, 2.0, 132.0, 90.0) < 0)
        x, y = x[self.chest], y[self.chest]
        self.heart_uv = ((x - 18.0) / 62.0) ** 2 + ((y + 22.0) / 50.0) ** 2
        self.mediastinum = ellipse_distance(x, y, 0.0, 8.0, 30.0, 100.0)
        self.lungs = [
            _LungPlane(x, y, cx, dome_top) for cx, dome_top in ((-68.0, -80.0), (68.0, -88.0))
        ]
        self.lung_hu = anatomy.lung_hu(y)

    def slice_hu(self, z: float) -> Array:
        """HU of the axial slice at anatomy height ``z`` mm."""
        disc = abs(((z + 7.0) % 28.0) - 14.0) > 11.0
        hu = self.wall.copy()
        phase = (z + 0.35 * self.y) / 26.0
        strip_mm = (np.abs(phase - np.round(phase)) - 0.22) * 26.0
        ribs = np.maximum(np.maximum(self.rib_band, strip_mm), -self.rib_cartilage)
        hu = _blend(hu, partial_volume(ribs, self.pixel_mm), RIB_HU)
        for layer, (z_low, z_high) in self.organs:
            if z_low <= z <= z_high:
                layer.blend_into(hu, TISSUE_HU)
        chest = hu[self.chest]
        heart = (np.sqrt(self.heart_uv + ((z + 60.0) / 55.0) ** 2) - 1.0) * 50.0
        if abs(z + 60.0) < 56.0:
            chest = _blend(chest, partial_volume(heart, self.pixel_mm), TISSUE_HU)
        hu[self.chest] = chest
        for layer, value in self.spine[1 if disc else 0]:
            layer.blend_into(hu, value)
        if z > -85.0:
            self.sternum.blend_into(hu, 400.0)
        lungs = np.minimum(self.lungs[0].distance(z), self.lungs[1].distance(z))
        lungs = np.maximum(lungs, -np.minimum(self.mediastinum, heart))
        hu[self.chest] = _blend(hu[self.chest], partial_volume(lungs, self.pixel_mm), self.lung_hu)
        return hu


def _box(mask: NDArray[np.bool_]) -> tuple[slice, slice]:
    """The smallest (rows, columns) box holding the mask (a 1 x 1 box if it is empty)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return slice(0, 1), slice(0, 1)
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


class _Layer:
    """A fixed partial-volume fraction, kept only in the box where it is not zero."""

    def __init__(self, fraction: Array) -> None:
        self.box = _box(fraction > 0)
        self.fraction = fraction[self.box]

    def blend_into(self, hu: Array, value: float) -> None:
        block = hu[self.box]
        block += self.fraction * (value - block)


class _LungPlane:
    """One lung's in-plane ellipse and diaphragm dome, tapered above the shoulder level."""

    APEX_Z, SHOULDER_Z = 135.0, 40.0

    def __init__(self, x: Array, y: Array, cx: float, dome_top_z: float) -> None:
        self.x, self.y, self.cx = x, y, cx
        self.full = ellipse_distance(x, y, cx, 2.0, 58.0, 80.0)
        radial = ((x - cx) / 58.0) ** 2 + ((y - 2.0) / 80.0) ** 2
        self.dome_z = dome_top_z - 30.0 * np.clip(radial, 0.0, 1.5)

    def distance(self, z: float) -> Array:
        if z <= self.SHOULDER_Z:
            in_plane = self.full
        else:
            fraction = (z - self.SHOULDER_Z) / (self.APEX_Z - self.SHOULDER_Z)
            taper = float(np.sqrt(max(1.0 - fraction**2, 0.02)))
            centre_x = self.cx - np.sign(self.cx) * 58.0 * (1 - taper) * 0.5
            in_plane = ellipse_distance(self.x, self.y, centre_x, 2.0, 58.0 * taper, 80.0 * taper)
            if z > self.APEX_Z:
                in_plane = np.maximum(in_plane, z - self.APEX_Z)
        return np.maximum(in_plane, self.dome_z - z)


def _blend(hu: Array, fraction: Array, value: float | Array) -> Array:
    return hu + fraction * (value - hu)


def _one_lung_distance(x: Array, y: Array, z: Array, cx: float, dome_top_z: float) -> Array:
    """One lung at arbitrary points (any z per point): the same shape ``_LungPlane`` draws."""
    apex_z, shoulder_z = _LungPlane.APEX_Z, _LungPlane.SHOULDER_Z
    taper = np.sqrt(np.clip(1.0 - ((z - shoulder_z) / (apex_z - shoulder_z)) ** 2, 0.02, 1.0))
    taper = np.where(z > shoulder_z, taper, 1.0)
    centre_x = cx - np.sign(cx) * 58.0 * (1 - taper) * 0.5
    in_plane = ellipse_distance(x, y, centre_x, 2.0, 58.0 * taper, 80.0 * taper)
    in_plane = np.where(z > apex_z, np.maximum(in_plane, z - apex_z), in_plane)
    radial = ((x - cx) / 58.0) ** 2 + ((y - 2.0) / 80.0) ** 2
    dome_z = dome_top_z - 30.0 * np.clip(radial, 0.0, 1.5)
    return np.maximum(in_plane, dome_z - z)


def _heart_distance(x: Array, y: Array, z: Array) -> Array:
    """The heart: an ellipsoid, anterior and to the left, sitting on the diaphragm."""
    u, v, w = (x - 18.0) / 62.0, (y + 22.0) / 50.0, (z + 60.0) / 55.0
    return (np.sqrt(u * u + v * v + w * w) - 1.0) * 50.0


def _mediastinal_organs(x: Array, y: Array) -> list[tuple[Array, tuple[float, float]]]:
    """Ascending and descending aorta, superior vena cava, oesophagus: distance, z range."""
    return [
        (ellipse_distance(x, y, 18.0, -18.0, 15.0, 15.0), (-20.0, 55.0)),
        (ellipse_distance(x, y, 22.0, 62.0, 12.0, 12.0), (-200.0, 55.0)),
        (ellipse_distance(x, y, -24.0, -14.0, 10.0, 11.0), (-30.0, 90.0)),
        (ellipse_distance(x, y, 6.0, 58.0, 8.0, 7.0), (-200.0, 200.0)),
    ]


def _spine_layers(x: Array, y: Array, pixel_mm: float) -> tuple[list, list]:
    """(fraction, HU) layers of vertebral body, arch, canal: without, then with a disc."""
    body = ellipse_distance(x, y, 0.0, 80.0, 18.0, 16.0)
    cortex = (partial_volume(body, pixel_mm), CORTICAL_BONE_HU)
    inner = partial_volume(body + 2.0, pixel_mm)
    rest = [
        (partial_volume(ellipse_distance(x, y, 0.0, 112.0, 24.0, 9.0), pixel_mm), 450.0),
        (partial_volume(ellipse_distance(x, y, 0.0, 103.0, 8.0, 7.0), pixel_mm), 15.0),
    ]
    return [cortex, (inner, CANCELLOUS_BONE_HU), *rest], [cortex, (inner, DISC_HU), *rest]


def _airways() -> list[Tube]:
    """Trachea, main and lobar bronchi (outer radius, wall), following the usual anatomy."""
    carina = (0.0, 40.0, 45.0)
    right_main, left_main = (-32.0, 44.0, 25.0), (36.0, 46.0, 15.0)
    return [
        Tube((0.0, 34.0, 170.0), carina, 10.0, 9.5, wall_mm=2.0),
        Tube(carina, right_main, 7.5, 7.0, wall_mm=1.6),
        Tube(carina, left_main, 7.0, 6.5, wall_mm=1.5),
        Tube(right_main, (-52.0, 38.0, 55.0), 5.0, 4.0, wall_mm=1.2),
        Tube(right_main, (-50.0, 46.0, 2.0), 5.5, 4.5, wall_mm=1.2),
        Tube((-50.0, 46.0, 2.0), (-62.0, 54.0, -40.0), 4.5, 3.0, wall_mm=1.0),
        Tube((-50.0, 46.0, 2.0), (-66.0, 10.0, -10.0), 3.5, 2.5, wall_mm=1.0),
        Tube(left_main, (56.0, 36.0, 45.0), 5.0, 4.0, wall_mm=1.2),
        Tube(left_main, (56.0, 54.0, -20.0), 5.0, 3.5, wall_mm=1.1),
        Tube((56.0, 54.0, -20.0), (66.0, 62.0, -55.0), 3.5, 2.5, wall_mm=1.0),
    ]


def _vessel_tree(anatomy: ChestAnatomy, rng: np.random.Generator) -> list[Tube]:
    """Pulmonary vessels: from each hilum, trunks that fork and taper into the lung."""
    tubes: list[Tube] = []
    trunks = [
        (
            (-36.0, 12.0, 12.0),
            [
                (-0.4, -0.2, 0.9),
                (-0.8, -0.5, 0.3),
                (-0.9, 0.1, -0.1),
                (-0.5, -0.4, -0.8),
                (-0.4, 0.5, -0.8),
                (-0.6, 0.6, 0.5),
            ],
        ),
        (
            (40.0, 14.0, 8.0),
            [
                (0.4, -0.2, 0.9),
                (0.8, -0.5, 0.3),
                (0.9, 0.1, -0.1),
                (0.5, -0.4, -0.8),
                (0.4, 0.5, -0.8),
                (0.6, 0.6, 0.5),
            ],
        ),
    ]
    for hilum, directions in trunks:
        for direction in directions:
            d = np.asarray(direction) / np.linalg.norm(direction)
            _grow(anatomy, tubes, np.asarray(hilum), d, 34.0, 4.5, 0, rng)
    return tubes


def _grow(
    anatomy: ChestAnatomy,
    tubes: list[Tube],
    start: NDArray,
    direction: NDArray,
    length_mm: float,
    radius_mm: float,
    generation: int,
    rng: np.random.Generator,
) -> None:
    end = start + direction * length_mm
    if generation > 0 and anatomy.lung_distance_mm(*(np.float32(v) for v in end)) > -2.0:
        end = start + direction * length_mm * 0.5
        if anatomy.lung_distance_mm(*(np.float32(v) for v in end)) > -2.0:
            return
    end_radius = radius_mm * 0.85
    tubes.append(Tube(tuple(start), tuple(end), radius_mm, end_radius))  # type: ignore[arg-type]
    if generation >= 7 or end_radius < 0.5:
        return
    for sign in (-1.0, 1.0):
        axis = rng.normal(size=3)
        axis -= axis @ direction * direction
        axis /= np.linalg.norm(axis)
        angle = np.radians(rng.uniform(20.0, 38.0)) * sign
        turned = direction * np.cos(angle) + np.cross(axis, direction) * np.sin(angle)
        _grow(
            anatomy,
            tubes,
            end,
            turned / np.linalg.norm(turned),
            length_mm * rng.uniform(0.7, 0.85),
            end_radius * 0.82,
            generation + 1,
            rng,
        )
