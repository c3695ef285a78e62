"""Volume doubling time and growth, checked against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from nodule_desk.followup.growth import growth_between, volume_doubling_time_days


def test_doubling_in_the_interval_gives_the_interval():
    assert volume_doubling_time_days(100.0, 200.0, 365) == pytest.approx(365.0)


def test_vdt_of_a_sphere_growing_from_8_to_10_mm_in_180_days():
    v1, v2 = math.pi / 6 * 8**3, math.pi / 6 * 10**3
    # ln 2 / (3 ln 1.25) * 180 = 186.4 days
    assert volume_doubling_time_days(v1, v2, 180) == pytest.approx(186.4, abs=0.1)


def test_shrinking_nodule_has_negative_vdt_and_unchanged_has_none():
    assert volume_doubling_time_days(200.0, 100.0, 100) == pytest.approx(-100.0)
    assert volume_doubling_time_days(150.0, 150.0, 100) is None


@pytest.mark.parametrize("v1, v2, days", [(0.0, 10.0, 10), (10.0, 10.0, 0), (-1.0, 5.0, 30)])
def test_impossible_inputs_are_refused(v1, v2, days):
    with pytest.raises(ValueError):
        volume_doubling_time_days(v1, v2, days)


def test_change_within_repeatability_is_not_called_growth():
    small = growth_between(90, 100.0, 120.0, 5.8, 6.1, slice_thickness_mm=1.0)
    assert small.volume_change_pct == pytest.approx(20.0)
    assert not small.beyond_measurement_variability
    grown = growth_between(90, 100.0, 130.0, 5.8, 6.4, slice_thickness_mm=1.0)
    assert grown.beyond_measurement_variability
    assert grown.diameter_change_mm == pytest.approx(0.6)


def test_thick_slices_widen_the_band():
    assert growth_between(90, 100.0, 130.0, slice_thickness_mm=1.0).beyond_measurement_variability
    assert not growth_between(
        90, 100.0, 130.0, slice_thickness_mm=2.5
    ).beyond_measurement_variability
