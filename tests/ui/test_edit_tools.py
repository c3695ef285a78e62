"""Caliper and brush on the axial view of the real window: real DICOM, real store, real pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from nodule_desk.imaging.mask_codec import decode_mask
from nodule_desk.imaging.reslice import Orientation
from tests.ui.test_main_window import grab, make_window, open_first_series
from tests.ui.test_nodule_workflow import measure_by_ctrl_click, nodule_store  # noqa: F401
from ui.edit_tools import Tool

SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


def measured_window(qtbot, store, truth):  # noqa: ANN001, ANN201
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    measure_by_ctrl_click(qtbot, window, truth.center_lps_mm)
    return window, window.viewer.views[Orientation.AXIAL]


def drag(qtbot, view, start_world, end_world, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    start = view.world_to_widget(start_world).toPoint()
    end = view.world_to_widget(end_world).toPoint()
    qtbot.mousePress(view, LEFT, modifier, start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(view, middle)
    qtbot.mouseRelease(view, LEFT, modifier, end)


def coloured_pixels(view, centre, from_mm: float = -8.0, to_mm: float = 8.0) -> int:  # noqa: ANN001
    """Coloured (outline, caliper) pixels in a box around the point, from_mm..to_mm wide."""
    pixels = grab(view).astype(int)
    point, ppm = view.world_to_widget(centre), view.pixels_per_mm()
    x, y = int(point.x()), int(point.y())
    rows = slice(max(int(y - 8 * ppm), 0), int(y + 8 * ppm))
    around = pixels[rows, max(int(x + from_mm * ppm), 0) : int(x + to_mm * ppm)]
    spread = around.max(axis=2) - around.min(axis=2)
    return int((spread > 80).sum())


def test_caliper_drag_stores_the_axes_in_mm(qtbot, nodule_store, artifacts_dir):  # noqa: F811
    store, truth, _ = nodule_store
    window, axial = measured_window(qtbot, store, truth)
    tools = window.edit_tools
    window.nodule_panel.table.clearSelection()
    tools.caliper_action.trigger()
    assert tools.tool is Tool.CALIPER
    c = np.asarray(truth.center_lps_mm, dtype=float)
    drag(qtbot, axial, c + (-6.0, 0, 0), c + (6.0, 0, 0))
    before = store.current_measurements(study_uid=window.series.study_uid)[0]
    with qtbot.waitSignal(tools.measurement_recorded, timeout=5000) as recorded:
        drag(qtbot, axial, c + (0, -3.0, 0), c + (1.0, 3.0, 0))  # 1 mm along the long axis
    half_pixel_mm = 0.5 / axial.pixels_per_mm() + 0.05  # + the 0.1 mm rounding of the store
    stored = recorded.args[0]
    assert stored.long_axis_mm == pytest.approx(12.0, abs=2 * half_pixel_mm)
    assert stored.short_axis_mm == pytest.approx(6.0, abs=2 * half_pixel_mm)
    assert stored.version == before.version + 1 and stored.method == "manual"
    assert stored.nodule_label == "N1"  # no selection: the nodule nearest the caliper
    assert window.nodule_panel.table.item(0, 3).text() == (
        f"{stored.long_axis_mm:.1f} × {stored.short_axis_mm:.1f}"
    )
    qtbot.wait(100)
    QApplication.primaryScreen().grabWindow(0).save(str(artifacts_dir / "caliper.png"))
    assert coloured_pixels(axial, c) > 30, "the caliper is not drawn"
    qtbot.keyClick(axial, Qt.Key.Key_Escape)
    assert tools.long_axis is None and tools.short_axis is None


def test_escape_cancels_a_caliper_half_drawn(qtbot, nodule_store):  # noqa: F811
    store, truth, _ = nodule_store
    window, axial = measured_window(qtbot, store, truth)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    axial.setFocus()
    qtbot.keyClick(axial, Qt.Key.Key_C)  # the toolbar toggle's shortcut
    assert window.edit_tools.tool is Tool.CALIPER
    c = np.asarray(truth.center_lps_mm, dtype=float)
    drag(qtbot, axial, c + (-5.0, 0, 0), c + (5.0, 0, 0))
    assert window.edit_tools.long_axis_mm() == pytest.approx(10.0, abs=0.5)
    qtbot.keyClick(axial, Qt.Key.Key_Escape)
    assert window.edit_tools.long_axis is None
    drag(qtbot, axial, c + (0, -3.0, 0), c + (0, 3.0, 0))  # a new long axis, nothing stored
    current = store.current_measurements(study_uid=window.series.study_uid)[0]
    assert [m.version for m in store.measurement_history(current.nodule_id)] == [1]


def erase_right_half(qtbot, window, axial, centre) -> None:  # noqa: ANN001
    tools = window.edit_tools
    tools.set_brush_radius_mm(10.0)
    mask = tools.edited_mask()
    z_values = {
        float(mask.geometry.index_to_world_lps_mm((0, 0, k))[2]) for k in range(mask.hu.shape[0])
    }
    for z in sorted(z_values):
        axial.set_slice(axial.plane.slice_of_world((centre[0], centre[1], z)))
        for dy in np.arange(-8.0, 8.5, 1.0):
            point = axial.world_to_widget((centre[0] + 10.0, centre[1] + dy, z)).toPoint()
            qtbot.mouseClick(axial, LEFT, SHIFT, point)


def test_brush_erases_half_and_apply_stores_an_edited_version(qtbot, nodule_store):  # noqa: F811
    store, truth, _ = nodule_store
    window, axial = measured_window(qtbot, store, truth)
    panel, tools = window.nodule_panel, window.edit_tools
    panel.select_label("N1")
    c = np.asarray(truth.center_lps_mm, dtype=float)
    axial.set_world_point(c)
    before = panel.current_measurement()
    qtbot.wait(100)
    right_before = coloured_pixels(axial, c, 2.0, 8.0)
    tools.brush_action.trigger()
    assert tools.tool is Tool.BRUSH
    erase_right_half(qtbot, window, axial, c)
    axial.set_world_point(c)
    qtbot.mouseMove(axial, QPoint(3, 3))  # the brush circle out of the way
    qtbot.wait(100)
    assert right_before > 20, "no outline on the right of the nodule to begin with"
    assert coloured_pixels(axial, c, 2.0, 8.0) < 0.1 * right_before, "the outline did not follow"
    assert coloured_pixels(axial, c, -8.0, -2.0) > 20, "the left half's outline is gone"
    with qtbot.waitSignal(tools.measurement_recorded, timeout=10000) as recorded:
        qtbot.keyClick(axial, Qt.Key.Key_Return)
    stored = recorded.args[0]
    assert stored.method == "edited" and stored.version == before.version + 1
    assert 0.35 < stored.volume_mm3 / before.volume_mm3 < 0.65
    assert store.get_measurement(before.id).volume_mm3 == before.volume_mm3  # the old one is kept
    assert [m.method for m in store.measurement_history(before.nodule_id)] == ["auto", "edited"]
    mask = decode_mask(store.measurement_mask(stored.id))
    assert mask.hu.sum() < 0.65 * decode_mask(store.measurement_mask(before.id)).hu.sum()


def test_brush_escape_discards_and_restores_the_outline(qtbot, nodule_store):  # noqa: F811
    store, truth, _ = nodule_store
    window, axial = measured_window(qtbot, store, truth)
    panel, tools = window.nodule_panel, window.edit_tools
    panel.select_label("N1")
    c = np.asarray(truth.center_lps_mm, dtype=float)
    tools.brush_action.trigger()
    full = int(tools.edited_mask().hu.sum())
    erase_right_half(qtbot, window, axial, c)
    assert tools.edited_mask().hu.sum() < full
    qtbot.keyClick(axial, Qt.Key.Key_Escape)
    assert int(tools.edited_mask().hu.sum()) == full
    assert len(store.current_measurements(study_uid=window.series.study_uid)) == 1
    assert panel.current_measurement().version == 1
    qtbot.keyClick(axial, Qt.Key.Key_BracketRight)
    assert tools.brush_radius_mm == 10.0
    qtbot.keyClick(axial, Qt.Key.Key_BracketLeft)
    assert tools.brush_radius_mm == 9.0


def test_the_3d_view_gets_each_nodule_surface_in_its_colour(qtbot, nodule_store):  # noqa: F811
    from ui.nodule_panel_dock import NODULE_COLOURS

    store, truth, _ = nodule_store
    window, _ = measured_window(qtbot, store, truth)
    window.view_3d_action.trigger()  # the 3D view is made after the nodule was measured
    qtbot.waitUntil(lambda: window.view_3d is not None, timeout=10000)
    surfaces = [surface for _, surface in window.view_3d._surface_actors]
    assert [s.nodule_id for s in surfaces] == ["N1"]
    assert tuple(surfaces[0].rgb) == NODULE_COLOURS[0]
    window.nodule_panel.refresh()  # a new version reaches the 3D view already shown
    assert len(window.view_3d._surface_actors) == 1
