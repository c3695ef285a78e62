"""The comparison view: prior and current CT linked through the stored registration, the nodule
centred with its outline on both, its history and growth chart, identity decisions with a reason.

Data: sample patient P001 (sample_cases/recipe.py) on a 160 x 160 matrix, 120 mm of chest; its
follow-up six months later is shifted (8, -6, 15) mm and turned 2.5 degrees on the table, and its
nodule N1 grows from about 267 to 606 mm³ (truth.json of each visit).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from nodule_desk.dicom import load_series_dir, scan_paths
from nodule_desk.followup.nodule_records import measure_and_record
from nodule_desk.store import Store
from sample_cases.generate import generate
from ui.comparison_view import ComparisonView
from ui.growth_chart import VOLUME_COLOUR
from ui.jobs import JobRunner


@pytest.fixture(scope="module")
def p001_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """P001's two visits imported, N1 measured on both (the follow-up joins the prior)."""
    out = tmp_path_factory.mktemp("comparison-samples")
    generate(out, patients=1, matrix=160, coverage_mm=120.0, workers=1)
    folders = sorted(p for p in (out / "P001").iterdir() if p.is_dir())
    truths = [json.loads((f / "truth.json").read_text(encoding="utf-8")) for f in folders]
    db_path = out / "store.sqlite"
    with Store.open(db_path, user="dr.wang") as store:
        store.add_scan_result(scan_paths(folders))
        for folder, truth in zip(folders, truths, strict=True):
            centre = next(n for n in truth["nodules"] if n["id"] == "P001-N1")["centroid_lps_mm"]
            measure_and_record(store, load_series_dir(folder), centre, truth["series"]["uid"])
    return db_path, truths


@pytest.fixture
def store(p001_store, tmp_path: Path):
    db_path, _ = p001_store
    copy = tmp_path / "store.sqlite"
    shutil.copy(db_path, copy)
    with Store.open(copy, user="dr.li") as opened:
        yield opened


def open_view(qtbot, store: Store) -> ComparisonView:
    jobs = JobRunner()
    view = ComparisonView(store, jobs)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.ready, timeout=120000):
        view.open_patient("P001")
    return view


def registration_of(store: Store, truths: list[dict]) -> np.ndarray:
    stored = store.registration(truths[0]["series"]["uid"], truths[1]["series"]["uid"])
    assert stored is not None
    return np.asarray(stored.matrix)


def carried(matrix: np.ndarray, point) -> np.ndarray:
    return matrix[:3, :3] @ np.asarray(point) + matrix[:3, 3]


@pytest.mark.slow
def test_scrolling_one_side_shows_the_same_anatomy_on_the_other(qtbot, store, p001_store):
    _, truths = p001_store
    view = open_view(qtbot, store)
    matrix = registration_of(store, truths)
    prior, current = view.prior_view, view.current_view
    spacing = {v: v.plane.slice_spacing_mm for v in (prior, current)}

    start = current.slice_index()
    prior.setFocus()
    for _ in range(6):
        qtbot.keyClick(prior, Qt.Key.Key_Up)
    assert current.slice_index() != start
    # The follow-up's centre is the prior's centre carried by followup_world_from_baseline_world:
    # in plane to a pixel, across slices to half a slice (the view shows whole slices).
    expected = carried(matrix, prior.centre_world())
    shown = current.centre_world()
    assert np.linalg.norm((expected - shown)[:2]) < 0.5
    assert abs(expected[2] - shown[2]) <= spacing[current] / 2 + 1e-6

    # ... and back the other way, through the inverse; zoom follows in millimetres per pixel.
    current.setFocus()
    qtbot.keyClick(current, Qt.Key.Key_PageDown)
    current.set_zoom(current.zoom() * 1.5)
    back = np.linalg.solve(matrix[:3, :3], current.centre_world() - matrix[:3, 3])
    shown = prior.centre_world()
    assert np.linalg.norm((back - shown)[:2]) < 0.5
    assert abs(back[2] - shown[2]) <= spacing[prior] / 2 + 1e-6
    assert prior.pixels_per_mm() == pytest.approx(current.pixels_per_mm(), rel=1e-6)

    # Panning the prior (middle drag) moves the follow-up by the same anatomy.
    centre = QPoint(prior.width() // 2, prior.height() // 2)
    qtbot.mousePress(prior, Qt.MouseButton.MiddleButton, pos=centre)
    qtbot.mouseMove(prior, centre + QPoint(40, -25))
    qtbot.mouseRelease(prior, Qt.MouseButton.MiddleButton, pos=centre + QPoint(40, -25))
    expected = carried(matrix, prior.centre_world())
    assert np.linalg.norm((expected - current.centre_world())[:2]) < 0.5


@pytest.mark.slow
def test_the_nodule_is_centred_with_its_outline_and_history_on_both(qtbot, store, p001_store):
    _, truths = p001_store
    view = open_view(qtbot, store)
    comparison = view.comparison
    assert comparison.prior is not None and comparison.current is not None
    assert comparison.prior.nodule_id == comparison.current.nodule_id
    for side, measurement in (
        (view.prior_view, comparison.prior),
        (view.current_view, comparison.current),
    ):
        centre = side.world_to_widget(measurement.center_lps_mm)
        assert abs(centre.x() - side.width() / 2) < 2 and abs(centre.y() - side.height() / 2) < 2
        outlines = side._outlines
        assert len(outlines) == 1
        assert outlines[0].contours_on(side.plane, side.slice_index())  # cut on the shown slice

    # History: one row per visit, oldest first, with the stored values and who measured.
    table = view.table
    assert table.rowCount() == 2
    assert [table.item(r, 0).text() for r in range(2)] == ["2025-03-10", "2025-09-08"]
    assert table.item(1, 4).text() == f"{comparison.current.volume_mm3:.0f}"
    assert table.item(0, 8).text() == "dr.wang"

    # The chart draws a volume marker at each visit; N1 grew, so the later one is higher.
    volumes = view.chart.volume_positions()
    assert len(volumes) == 2 and volumes[1].y() < volumes[0].y()
    image = view.chart.grab().toImage()
    ratio = view.chart.devicePixelRatioF()
    for point in volumes:
        pixel = image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))
        assert (pixel.red(), pixel.green(), pixel.blue()) == (
            VOLUME_COLOUR.red(),
            VOLUME_COLOUR.green(),
            VOLUME_COLOUR.blue(),
        )
    growth = view.current_growth()
    assert growth is not None and growth.volume_doubling_time_days is not None
    # VDT = Δt · ln 2 / ln(V2/V1) (DOMAIN.md), written on the chart.
    v1, v2 = comparison.prior.volume_mm3, comparison.current.volume_mm3
    vdt = 182 * np.log(2) / np.log(v2 / v1)
    assert growth.volume_doubling_time_days == pytest.approx(vdt, rel=1e-6)
    assert view.chart.note() == f"VDT {vdt:.0f} days"
    assert growth.status == "growing"


@pytest.mark.slow
def test_split_and_relink_record_who_and_why_and_keep_the_measurement(qtbot, store, p001_store):
    view = open_view(qtbot, store)
    current = view.comparison.current
    prior_nodule = view.comparison.prior.nodule_id
    assert not view.split_match("  ")  # a reason is required
    assert view.split_match("different lobe on review")
    moved = store.get_measurement(current.id)
    assert moved.nodule_id != prior_nodule and moved.volume_mm3 == current.volume_mm3
    assert "Split off as a new nodule by dr.li" in view.identity_label.text()
    assert view.table.rowCount() == 1  # the split-off nodule has one visit
    assert view.relink_to(prior_nodule, "same lesion after all")
    assert store.get_measurement(current.id).nodule_id == prior_nodule
    view.confirm_match()
    link = store.nodule_links(prior_nodule)[-1]
    assert (link.action, link.decided_by) == ("confirmed", "dr.li")
    assert view.table.rowCount() == 2
