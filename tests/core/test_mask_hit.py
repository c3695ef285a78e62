"""A click on a stored nodule's mask (or its rim) is recognised; a click beside it is not."""

from __future__ import annotations

import numpy as np

from nodule_desk.imaging.mask_hit import mask_contains_world_point
from nodule_desk.volume import CTVolume, VolumeGeometry


def ball_mask(radius_mm: float = 4.0) -> CTVolume:
    geometry = VolumeGeometry((21, 21, 21), (0.7, 0.7, 1.0), (-7.0, -7.0, -10.0))
    k, j, i = np.mgrid[0:21, 0:21, 0:21]
    world = geometry.index_to_world_lps_mm(np.stack([i, j, k], axis=-1).reshape(-1, 3))
    inside = np.linalg.norm(world, axis=1) <= radius_mm
    return CTVolume(inside.reshape(21, 21, 21).astype(np.uint8), geometry)


def test_inside_on_the_rim_and_beside_the_mask():
    mask = ball_mask(4.0)
    assert mask_contains_world_point(mask, (0.0, 0.0, 0.0))
    assert mask_contains_world_point(mask, (3.5, 0.0, 0.0))
    assert mask_contains_world_point(mask, (5.0, 0.0, 0.0), margin_mm=1.5)
    assert not mask_contains_world_point(mask, (6.5, 0.0, 0.0), margin_mm=1.5)
    assert not mask_contains_world_point(mask, (40.0, 0.0, 0.0))
