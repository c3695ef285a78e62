import numpy as np

from nodule_desk.imaging.mask_edit import paint_disc
from nodule_desk.volume import VolumeGeometry

GEOMETRY = VolumeGeometry((5, 20, 20), (0.5, 0.5, 1.0), (10.0, -5.0, 30.0))


def test_paint_then_erase_a_disc_of_known_area():
    mask = np.zeros(GEOMETRY.shape_kji, dtype=bool)
    centre = GEOMETRY.index_to_world_lps_mm((10, 10, 2))
    painted, geometry = paint_disc(mask, GEOMETRY, centre, 3.0)
    assert geometry == GEOMETRY
    area_mm2 = painted.sum() * 0.25
    assert abs(area_mm2 - np.pi * 9) < 2.0
    assert painted[2].sum() == painted.sum()
    erased, _ = paint_disc(painted, geometry, centre, 3.0, paint=False)
    assert not erased.any()
    assert painted.sum() > 0 and not mask.any()


def test_painting_past_the_border_grows_the_grid_and_keeps_world_positions():
    mask = np.zeros(GEOMETRY.shape_kji, dtype=bool)
    mask[2, 10, 10] = True
    kept_world = GEOMETRY.index_to_world_lps_mm((10, 10, 2))
    corner = GEOMETRY.index_to_world_lps_mm((0, 0, 2))
    painted, geometry = paint_disc(mask, GEOMETRY, corner, 2.0)
    assert geometry.shape_kji[1] > 20 and geometry.shape_kji[2] > 20
    area_mm2 = painted.sum() * 0.25 - 0.25
    assert abs(area_mm2 - np.pi * 4) < 1.5  # the whole disc, not a clipped quarter
    i, j, k = np.rint(geometry.world_lps_mm_to_index(kept_world)).astype(int)
    assert painted[k, j, i]


def test_erasing_outside_the_grid_changes_nothing():
    mask = np.ones(GEOMETRY.shape_kji, dtype=bool)
    far = GEOMETRY.index_to_world_lps_mm((100, 100, 2))
    erased, geometry = paint_disc(mask, GEOMETRY, far, 2.0, paint=False)
    assert erased.all() and geometry == GEOMETRY


def test_depth_covers_the_finer_grid_slices_inside_one_displayed_slice():
    geometry = VolumeGeometry((9, 20, 20), (0.5, 0.5, 0.625), (0.0, 0.0, 0.0))
    mask = np.zeros(geometry.shape_kji, dtype=bool)
    centre = geometry.index_to_world_lps_mm((10, 10, 4))
    painted, _ = paint_disc(mask, geometry, centre, 2.0, depth_mm=1.25)
    assert [bool(painted[k].any()) for k in range(9)] == [False] * 3 + [True] * 3 + [False] * 3
    thin, _ = paint_disc(mask, geometry, centre, 2.0, depth_mm=0.0)
    assert [k for k in range(9) if thin[k].any()] == [4]
