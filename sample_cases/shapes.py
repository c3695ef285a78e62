"""Irregular nodule shapes: the look of real nodules, for the sample patients and the benchmark.

Radiologists describe nodule margins as smooth, lobulated, spiculated or irregular (Fleischner
glossary, Hansell et al., Radiology 2008;246:697-722); perifissural and juxtapleural nodules are
often polygonal or lentiform. Each family is drawn from its ``shape_seed`` so that the same nodule
keeps its look across visits, and no two seeds give the same nodule:

- ``harmonic_lobulated``: the surface r(theta, phi) = R (1 + sum of real spherical harmonics of
  degree 2-5 with random coefficients), scaled so the lobes stand 20-40 % of R proud;
  asymmetric because the coefficients are random.
- ``fine_spiculated``: a slightly lobulated body with 5-12 spicules 0.5-1.5 mm thick at their base,
  tapering to a third of that, each 0.3-1.1 R + 1 mm long beyond the surface.
- ``irregular``: spherical harmonics up to degree 7 with larger amplitude (30-50 % of R), on an
  ellipsoid.
- ``polygonal``: a convex polyhedron of 6-12 random faces, corners rounded by a sphere.

All functions take points in the nodule's own frame (mm, centre at 0) and return ``inside``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy.special import sph_harm_y

IRREGULAR_SHAPES = ("harmonic_lobulated", "fine_spiculated", "irregular", "polygonal")
_POLAR = np.linspace(0.0, np.pi, 91)
_AZIMUTH = np.linspace(0.0, 2 * np.pi, 181)


@dataclass(frozen=True)
class _Surface:
    radius_table: NDArray[np.float64]
    """r / R on the (polar, azimuth) grid."""
    axis_scale: tuple[float, float, float]
    spikes: tuple[tuple[NDArray[np.float64], float, float, float], ...] = ()
    """(direction, surface distance / R, base radius mm, length beyond the surface mm)."""
    faces: NDArray[np.float64] | None = None
    """(n, 4): unit normal and distance / R of each face of a polygonal nodule."""


def _harmonic_table(rng: np.random.Generator, degrees: range, amplitude: float) -> NDArray:
    polar, azimuth = np.meshgrid(_POLAR, _AZIMUTH, indexing="ij")
    total = np.zeros_like(polar)
    for degree in degrees:
        for order in range(-degree, degree + 1):
            y = sph_harm_y(degree, abs(order), polar, azimuth)
            real = y.real if order == 0 else np.sqrt(2) * (y.real if order > 0 else y.imag)
            total += rng.normal(0.0, degree**-1.2) * real
    total -= total.mean()
    return np.maximum(1.0 + amplitude * total / np.max(np.abs(total)), 0.35)


@lru_cache(maxsize=64)
def _surface(shape: str, radius_mm: float, seed: int) -> _Surface:
    rng = np.random.default_rng([seed, IRREGULAR_SHAPES.index(shape)])
    if shape == "harmonic_lobulated":
        return _Surface(_harmonic_table(rng, range(2, 6), rng.uniform(0.2, 0.4)), (1, 1, 1))
    if shape == "irregular":
        table = _harmonic_table(rng, range(2, 8), rng.uniform(0.3, 0.5))
        scale = (1.0, rng.uniform(0.75, 1.0), rng.uniform(0.7, 1.0))
        return _Surface(table, scale)  # type: ignore[arg-type]
    if shape == "polygonal":
        count = int(rng.integers(6, 13))
        normals = rng.normal(size=(count, 3))
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        distances = rng.uniform(0.75, 1.0, size=(count, 1))
        return _Surface(np.ones((1, 1)), (1, 1, 1), faces=np.hstack([normals, distances]))
    table = _harmonic_table(rng, range(2, 4), rng.uniform(0.05, 0.15))
    spikes = []
    for _ in range(int(rng.integers(5, 13))):
        direction = rng.normal(size=3)
        direction /= np.linalg.norm(direction)
        surface = float(_table_radius(table, direction[None])[0])
        base_radius = 0.5 * rng.uniform(0.5, 1.5)
        length = rng.uniform(0.3, 1.1) * radius_mm + 1.0
        spikes.append((direction, surface, base_radius, length))
    return _Surface(table, (1, 1, 1), spikes=tuple(spikes))


def _table_radius(table: NDArray, unit: NDArray) -> NDArray:
    if table.shape == (1, 1):
        return np.full(unit.shape[:-1], float(table[0, 0]))
    polar = np.arccos(np.clip(unit[..., 2], -1.0, 1.0))
    azimuth = np.mod(np.arctan2(unit[..., 1], unit[..., 0]), 2 * np.pi)
    rows = polar / np.pi * (len(_POLAR) - 1)
    cols = azimuth / (2 * np.pi) * (len(_AZIMUTH) - 1)
    return ndimage.map_coordinates(
        table, [rows.ravel(), cols.ravel()], order=1, mode="nearest"
    ).reshape(rows.shape)


def reach_mm(shape: str, radius_mm: float, seed: int) -> float:
    """Farthest any part of the shape lies from its centre."""
    surface = _surface(shape, radius_mm, seed)
    body = float(surface.radius_table.max()) * max(surface.axis_scale) * radius_mm
    if surface.faces is not None:
        body = 1.25 * radius_mm
    tips = [radius_mm * s + length for _, s, _, length in surface.spikes]
    return max([body, *tips])


def inside(
    shape: str, radius_mm: float, seed: int, u: NDArray, v: NDArray, w: NDArray
) -> NDArray[np.bool_]:
    """Whether the points (u, v, w), in mm from the centre in the nodule's frame, are inside."""
    surface = _surface(shape, radius_mm, seed)
    a, b, c = (radius_mm * s for s in surface.axis_scale)
    points = np.stack(np.broadcast_arrays(u / a, v / b, w / c), axis=-1)
    r = np.linalg.norm(points, axis=-1)
    if surface.faces is not None:
        heights = points @ surface.faces[:, :3].T
        return np.all(heights <= surface.faces[:, 3], axis=-1) & (r <= 1.25)
    unit = points / np.maximum(r, 1e-9)[..., None]
    result = r <= _table_radius(surface.radius_table, unit)
    if surface.spikes:
        world = np.stack(np.broadcast_arrays(u, v, w), axis=-1)
        for direction, surface_r, base_radius, length in surface.spikes:
            result |= _in_spike(world, direction, surface_r * radius_mm, base_radius, length)
    return result


def _in_spike(
    points: NDArray, direction: NDArray, start_mm: float, base_radius_mm: float, length_mm: float
) -> NDArray[np.bool_]:
    """A cone from inside the body out to ``length_mm`` beyond the surface, tapering to 1/3."""
    t = points @ direction
    off2 = np.einsum("...i,...i->...", points, points) - t * t
    beyond = np.clip((t - start_mm) / length_mm, 0.0, 1.0)
    radius = base_radius_mm * (1.0 - 0.67 * beyond)
    return (t > 0.5 * start_mm) & (t <= start_mm + length_mm) & (off2 <= radius * radius)
