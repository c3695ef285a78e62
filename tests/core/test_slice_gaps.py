"""A series with a slice missing: the loader marks the interpolated slice, and a nodule that
reaches it gets no automatic volume (issue 17.6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nodule_desk.dicom import load_series_dir
from nodule_desk.imaging.segment import segment_nodule
from nodule_desk.imaging.slice_gaps import (
    VolumetryAcrossGap,
    describe_ranges,
    interpolated_slices,
    refuse_across_gaps,
)
from sample_cases.blocks import make_nodule_block
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.nodules import NoduleSpec


def series_with_a_gap(root: Path, missing_offset: int) -> tuple[Path, int]:
    """A 6 mm nodule block on 1.25 mm slices, the file ``missing_offset`` slices from the
    nodule's centre removed; returns the folder and the missing slice's grid index."""
    volume, truth = make_nodule_block(NoduleSpec((0.0, 0.0, 0.0), 6.0), slice_mm=1.25)
    files = write_ct_series(volume, root, SeriesIdentity("GAP-1", "Gap^Test", dt.date(2026, 1, 2)))
    centre_k = int(round(volume.geometry.world_lps_mm_to_index(truth.center_lps_mm)[2]))
    missing = centre_k + missing_offset
    by_position = sorted(files, key=lambda p: p.name)
    by_position[missing].unlink()
    return root, missing


def test_the_missing_slice_is_marked_and_a_nodule_across_it_is_refused(tmp_path):
    folder, missing = series_with_a_gap(tmp_path / "ct", 0)
    volume = load_series_dir(folder)
    assert interpolated_slices(volume) == [missing]
    found = segment_nodule(volume, (0.0, 0.0, 0.0))
    with pytest.raises(VolumetryAcrossGap, match="missing from the series"):
        refuse_across_gaps(volume, found.mask, found.geometry)


def test_a_nodule_far_from_the_gap_is_measured(tmp_path):
    folder, missing = series_with_a_gap(tmp_path / "ct", 12)
    volume = load_series_dir(folder)
    assert interpolated_slices(volume) == [missing]
    found = segment_nodule(volume, (0.0, 0.0, 0.0))
    refuse_across_gaps(volume, found.mask, found.geometry)


def test_ranges_are_numbered_as_the_viewer_shows_them():
    assert describe_ranges([11, 12, 39]) == "12-13, 40"
