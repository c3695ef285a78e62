"""Long and short axis on one axial slice, measured on the partial-volume iso-contour.

The radiologist's long axis is the longest diameter on the slice (maximum Feret diameter) and the
short axis the longest diameter perpendicular to it (Lung-RADS v2022; Bankier et al., Radiology
2017;285:584-600, Fleischner recommendations for measuring pulmonary nodules). Measuring on the
contour at the half-way HU between lung and nodule, with sub-pixel interpolation, instead of on
voxel centres avoids a one-pixel bias that matters for 4-6 mm nodules.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import ConvexHull, QhullError
from skimage import measure


def contour_points_mm(
    image: NDArray[np.floating], level: float, pixel_spacing_ji_mm: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Points (row mm, column mm) of the largest closed iso-contour of a 2D image."""
    padded = np.pad(image, 1, mode="constant", constant_values=min(float(image.min()), level - 1))
    contours = measure.find_contours(padded, level)
    if not contours:
        return np.zeros((0, 2))
    best = max(contours, key=_polygon_area)
    return (best - 1.0) * pixel_spacing_ji_mm


def _polygon_area(points: NDArray[np.float64]) -> float:
    y, x = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def long_and_short_axis_mm(points: NDArray[np.float64]) -> tuple[float, float]:
    """Maximum Feret diameter and the longest chord perpendicular to it, of a closed contour."""
    if len(points) < 3:
        return 0.0, 0.0
    try:
        hull = points[ConvexHull(points).vertices]
    except QhullError:
        hull = points
    diff = hull[:, None, :] - hull[None, :, :]
    dist = np.linalg.norm(diff, axis=-1)
    a, b = np.unravel_index(np.argmax(dist), dist.shape)
    long_axis = float(dist[a, b])
    if long_axis == 0:
        return 0.0, 0.0
    along = (hull[b] - hull[a]) / long_axis
    return long_axis, _longest_perpendicular_chord(points, along)


def _longest_perpendicular_chord(points: NDArray[np.float64], along: NDArray[np.float64]) -> float:
    """Longest segment inside the contour on a line perpendicular to ``along``."""
    across = np.array([-along[1], along[0]])
    t = points @ along
    s = points @ across
    t_next, s_next = np.roll(t, -1), np.roll(s, -1)
    offsets = np.linspace(t.min(), t.max(), 200)[1:-1]
    lo = np.minimum(t, t_next)[None, :]
    hi = np.maximum(t, t_next)[None, :]
    crosses = (offsets[:, None] >= lo) & (offsets[:, None] < hi)
    step = np.where(t_next == t, 1.0, t_next - t)
    fraction = (offsets[:, None] - t[None, :]) / step[None, :]
    s_cross = np.where(crosses, s[None, :] + fraction * (s_next - s)[None, :], np.nan)
    if np.all(np.isnan(s_cross)):
        return 0.0
    chords = np.nanmax(s_cross, axis=1) - np.nanmin(s_cross, axis=1)
    return float(np.nanmax(chords))
