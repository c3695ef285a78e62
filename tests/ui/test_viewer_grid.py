"""ViewerGrid: layouts, maximise, linked crosshairs, first slice then full volume, slab controls."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication

from nodule_desk.imaging.reslice import Orientation
from nodule_desk.imaging.slab import SlabMode
from nodule_desk.volume import CTVolume, VolumeGeometry
from tests.ui.conftest import chest_phantom
from ui.viewer_grid import ViewerGrid


def make_grid(qtbot, volume: CTVolume | None = None) -> ViewerGrid:  # noqa: ANN001
    grid = ViewerGrid()
    qtbot.addWidget(grid)
    grid.resize(900, 600)
    grid.set_volume(volume if volume is not None else chest_phantom())
    grid.show()
    qtbot.waitExposed(grid)
    return grid


def test_click_in_axial_moves_coronal_and_sagittal_to_that_point(
    qtbot,
    artifacts_dir: Path,  # noqa: ANN001
) -> None:
    grid = make_grid(qtbot)
    axial = grid.views[Orientation.AXIAL]
    with qtbot.waitSignal(grid.world_point_changed) as moved:
        qtbot.mouseClick(axial, Qt.MouseButton.LeftButton, pos=QPoint(95, 160))
    world = np.asarray(moved.args[0])
    np.testing.assert_allclose(world, axial.widget_to_world(QPoint(95, 160)))
    geometry = grid.volume.geometry
    half_voxel = np.asarray(geometry.spacing_xyz_mm) / 2
    for orientation in (Orientation.CORONAL, Orientation.SAGITTAL):
        view = grid.views[orientation]
        shown = view.plane.display_to_world_lps_mm((0, 0, view.slice_index()))
        axis = view.plane.normal_lps_axis
        assert abs(shown[axis] - world[axis]) <= half_voxel[axis] + 1e-6, orientation
        np.testing.assert_allclose(view.crosshair(), world)
    grid.repaint()
    QApplication.processEvents()
    grid.screen().grabWindow(grid.winId()).save(str(artifacts_dir / "viewer_grid_linked.png"))
    with qtbot.waitSignal(grid.nodule_requested) as requested:
        qtbot.mouseClick(
            axial, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, QPoint(120, 150)
        )
    np.testing.assert_allclose(requested.args[0], grid.world_point())


def test_layouts_and_double_click_maximise(qtbot, artifacts_dir: Path) -> None:  # noqa: ANN001
    grid = make_grid(qtbot)
    assert grid.layout_name() == "1x3"
    assert all(v.isVisible() for v in grid.views.values())
    grid.layout_actions["1x1"].trigger()
    assert grid.layout_name() == "1x1"
    assert [o for o, v in grid.views.items() if v.isVisible()] == [Orientation.AXIAL]
    grid.set_layout("1x3")
    coronal = grid.views[Orientation.CORONAL]
    qtbot.mouseDClick(coronal, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert grid.maximised_view() == "coronal"
    assert [o for o, v in grid.views.items() if v.isVisible()] == [Orientation.CORONAL]
    qtbot.mouseDClick(coronal, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert grid.maximised_view() is None and all(v.isVisible() for v in grid.views.values())
    grid.set_layout("2x2")
    qtbot.waitUntil(lambda: grid.view_3d is not None and grid.view_3d.isVisible(), timeout=5000)
    assert grid.views[Orientation.SAGITTAL].geometry().top() > 100  # second row
    # a click on a nodule surface in 3D moves the 2D views to the nodule centre
    centre = grid.volume.geometry.index_to_world_lps_mm((30, 40, 5))
    grid.view_3d.nodule_clicked.emit("N1", tuple(centre), tuple(centre + 3))
    assert grid.views[Orientation.AXIAL].slice_index() == 5
    np.testing.assert_allclose(grid.views[Orientation.CORONAL].crosshair(), centre)
    dispose(grid)


def dispose(widget) -> None:  # noqa: ANN001
    """Close and delete now: a VTK render window that outlives Xvfb aborts the test process."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def test_first_slice_then_full_volume_keeps_the_chosen_point(qtbot) -> None:  # noqa: ANN001
    full = chest_phantom()
    full.series_uid = "1.2.3"
    first = CTVolume(
        full.hu[:1].copy(),
        VolumeGeometry(
            (1, *full.hu.shape[1:]), full.geometry.spacing_xyz_mm, full.geometry.origin_lps_mm
        ),
        "1.2.3",
    )
    grid = make_grid(qtbot, first)
    assert grid.views[Orientation.AXIAL].slice_count() == 1
    grid.repaint()
    grid.set_volume(full)
    assert grid.views[Orientation.AXIAL].slice_count() == full.hu.shape[0]
    point = full.geometry.index_to_world_lps_mm((40, 50, 7))
    grid.set_world_point(point)
    assert grid.views[Orientation.AXIAL].slice_index() == 7
    grid.set_volume(full)  # a reload of the same series keeps the reader's place
    assert grid.views[Orientation.AXIAL].slice_index() == 7


def test_window_and_slab_apply_to_every_view(qtbot) -> None:  # noqa: ANN001
    volume = chest_phantom(spacing_z_mm=1.0)
    volume.hu[14, 20, 20] = 900  # 2 mm above the middle slice (12): only a slab shows it
    grid = make_grid(qtbot, volume)
    grid.set_world_point(volume.geometry.index_to_world_lps_mm((20, 20, 12)))
    axial = grid.views[Orientation.AXIAL]
    grid.set_window(40, 400)
    assert all(v.window() == (40.0, 400.0) for v in grid.views.values())
    assert axial.render_grey()[20, 20] < 255
    grid.slab_actions[SlabMode.MIP].trigger()
    grid.slab_spin.setValue(6)
    assert grid.slab_mode() is SlabMode.MIP and grid.slab_mm() == 6
    assert axial.render_grey()[20, 20] == 255
    assert any("MIP" in line for line in axial.window_lines())
    grid.slab_spin.setValue(2)
    assert axial.render_grey()[20, 20] < 255
    assert (
        len(grid.actions_for_menu()) >= 8 and grid.slab_spin_action in grid.actions_for_tool_bar()
    )


def test_the_3d_pane_renders_as_soon_as_a_layout_shows_it(qtbot) -> None:  # noqa: ANN001
    """Issue 16.7: after 1x3 -> 2x2 the 3D pane shows the 3D scene, not leftovers of 2D views."""
    from tests.ui.test_main_window import grab

    grid = make_grid(qtbot)
    qtbot.wait(200)
    grid.set_layout("2x2")
    qtbot.wait(300)  # no click, no mouse move: only what the layout change itself draws
    shown = grab(grid.view_3d.vtk_widget).astype(int)
    grid.view_3d.render()
    qtbot.wait(100)
    rendered = grab(grid.view_3d.vtk_widget).astype(int)
    differing = (np.abs(shown - rendered).max(axis=2) > 40).mean()
    assert differing < 0.02, f"{differing:.0%} of the 3D pane is stale"
    dispose(grid)
