"""The 3D view renders real VTK pixels under Xvfb (Mesa llvmpipe): volume presets, nodule
surfaces, picking, the OpenGL fallback and clean-up of the render window.

The phantom is made here: a block of soft tissue (40 HU) in air, two lung cavities (-850 HU) and
bone bars (900 HU) at known world LPS positions, so a pixel's expected content is known.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from vtkmodules.vtkCommonCore import vtkObjectBase

from nodule_desk.volume import CTVolume, VolumeGeometry
from ui import volume_view_3d, vtk_support
from ui.nodule_surfaces import NoduleSurface
from ui.volume_presets import PresetError, load_preset
from ui.volume_view_3d import (
    BACKGROUND_RGB,
    OpenGLUnavailableWidget,
    VolumeView3D,
    create_3d_view,
)

SHAPE_KJI = (60, 80, 80)
SPACING_XYZ_MM = (2.0, 2.0, 2.5)
ORIGIN_LPS_MM = (-79.0, -79.0, 73.75)
HEAD_FIRST_DIRECTION = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
"""Slices stacked from the head down (k runs towards the feet), as many scanners store them."""
SPINE_LPS_MM = (0.0, 30.0, 0.0)
LEFT_RIB_LPS_MM = (60.0, -10.0, 40.0)
BACKGROUND = np.array(BACKGROUND_RGB) * 255


def _phantom() -> CTVolume:
    geometry = VolumeGeometry(SHAPE_KJI, SPACING_XYZ_MM, ORIGIN_LPS_MM, HEAD_FIRST_DIRECTION)
    k, j, i = np.meshgrid(*(np.arange(n) for n in SHAPE_KJI), indexing="ij")
    x, y, z = np.moveaxis(geometry.index_to_world_lps_mm(np.stack([i, j, k], axis=-1)), -1, 0)
    hu = np.full(SHAPE_KJI, -1000, dtype=np.int16)
    body = (np.abs(x) < 70) & (np.abs(y) < 55) & (np.abs(z) < 65)
    hu[body] = 40
    lungs = (np.abs(x) > 8) & (np.abs(x) < 55) & (np.abs(y) < 35) & (np.abs(z) < 50)
    hu[lungs] = -850
    spine = (np.abs(x - SPINE_LPS_MM[0]) < 6) & (np.abs(y - SPINE_LPS_MM[1]) < 6) & body
    hu[spine] = 900
    rib = (np.abs(x - LEFT_RIB_LPS_MM[0]) < 5) & (np.abs(y - LEFT_RIB_LPS_MM[1]) < 5)
    hu[rib & (np.abs(z - LEFT_RIB_LPS_MM[2]) < 5)] = 900
    return CTVolume(hu=hu, geometry=geometry, series_uid="1.2.826.0.1.3680043.2.1125.3d")


def _sphere_mask(centre_lps_mm, radius_mm: float, spacing_mm: float = 0.8):
    size = int(np.ceil(2 * radius_mm / spacing_mm)) + 3
    origin = tuple(c - (size - 1) / 2 * spacing_mm for c in centre_lps_mm)
    geometry = VolumeGeometry((size, size, size), (spacing_mm,) * 3, origin)
    k, j, i = np.meshgrid(*(np.arange(size),) * 3, indexing="ij")
    world = geometry.index_to_world_lps_mm(np.stack([i, j, k], axis=-1))
    inside = np.linalg.norm(world - np.asarray(centre_lps_mm), axis=-1) <= radius_mm
    return inside.astype(np.uint8), geometry


def _save(rgb: np.ndarray, path) -> None:
    height, width, _ = rgb.shape
    image = QImage(rgb.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888)
    assert image.save(str(path))


def _is_background(pixel: np.ndarray) -> bool:
    return bool(np.all(np.abs(pixel.astype(float) - BACKGROUND) < 6))


@pytest.fixture
def view(qtbot) -> VolumeView3D:
    widget = VolumeView3D()
    qtbot.addWidget(widget)
    widget.resize(440, 400)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    _dispose(widget)


def _dispose(widget) -> None:
    """Close and delete now: a render window that outlives Xvfb would abort the test process."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def test_bone_preset_shows_bone_bright_in_the_middle_and_background_elsewhere(
    view: VolumeView3D, artifacts_dir
) -> None:
    view.set_volume(_phantom())
    view.set_preset("bone")
    rgb = view.grab_rgb()
    _save(rgb, artifacts_dir / "volume_view_3d_bone.png")

    spine = view.world_to_widget(SPINE_LPS_MM)
    assert rgb[spine.y(), spine.x()].mean() > 150, "the spine should be bright in the middle"
    for corner in ((5, 5), (5, -5), (-5, 5), (-5, -5)):
        assert _is_background(rgb[corner])
    assert np.count_nonzero(rgb.mean(axis=2) > 150) > 500


def test_vtk_pixels_on_screen_match_the_render_window(view: VolumeView3D, artifacts_dir) -> None:
    """What the user sees (the X screen), not only VTK's buffer, shows the rendering."""
    view.set_volume(_phantom())
    QApplication.processEvents()
    view.render()
    shot = QApplication.primaryScreen().grabWindow(view.vtk_widget.winId()).toImage()
    shot.save(str(artifacts_dir / "volume_view_3d_screen.png"))
    spine = view.world_to_widget(SPINE_LPS_MM)
    assert shot.pixelColor(spine).lightness() > 150
    assert shot.pixelColor(QPoint(3, 3)).lightness() < 40


def test_anterior_view_puts_patient_left_on_screen_right_and_head_up(view: VolumeView3D) -> None:
    view.set_volume(_phantom())
    spine = view.world_to_widget(SPINE_LPS_MM)
    rib = view.world_to_widget(LEFT_RIB_LPS_MM)
    assert rib.x() > spine.x() + 30
    assert rib.y() < spine.y() - 30
    rgb = view.grab_rgb()
    assert rgb[rib.y(), rib.x()].mean() > 120, "the rib is drawn where its world point projects"


def test_lung_preset_shows_the_lungs_that_bone_preset_hides(
    view: VolumeView3D, artifacts_dir
) -> None:
    view.set_volume(_phantom())
    right_lung = view.world_to_widget((-30.0, 0.0, 0.0))
    view.set_preset("bone")
    assert _is_background(view.grab_rgb()[right_lung.y(), right_lung.x()])
    view.set_preset("lung")
    rgb = view.grab_rgb()
    _save(rgb, artifacts_dir / "volume_view_3d_lung.png")
    assert not _is_background(rgb[right_lung.y(), right_lung.x()])
    assert view.preset == "lung"


def test_nodule_surface_renders_in_its_colour(view: VolumeView3D, artifacts_dir) -> None:
    view.set_volume(_phantom())
    view.set_preset("lung")
    mask, geometry = _sphere_mask((-30.0, -5.0, 10.0), radius_mm=8.0)
    view.set_nodule_surfaces([NoduleSurface("N1", mask, geometry, rgb=(0.1, 0.9, 0.1))])
    rgb = view.grab_rgb()
    _save(rgb, artifacts_dir / "volume_view_3d_nodule.png")
    red, green, blue = rgb[view.world_to_widget((-30.0, -5.0, 10.0)).toTuple()[::-1]].astype(int)
    assert green > 120 and green > red + 60 and green > blue + 60


def test_clicking_a_nodule_emits_its_id_and_world_point(qtbot, view: VolumeView3D) -> None:
    view.set_volume(_phantom())
    centre = (25.0, -8.0, -12.0)
    big_mask, big_geometry = _sphere_mask(centre, radius_mm=6.0)
    small_mask, small_geometry = _sphere_mask((-30.0, 0.0, 20.0), radius_mm=4.0)
    view.set_nodule_surfaces(
        [
            ("N-right", CTVolume(small_mask, small_geometry), (1.0, 0.2, 0.2)),
            ("N-left", CTVolume(big_mask, big_geometry), (0.2, 0.4, 1.0)),
        ]
    )
    with qtbot.waitSignal(view.nodule_clicked, timeout=5000) as blocker:
        qtbot.mouseClick(
            view.vtk_widget, Qt.MouseButton.LeftButton, pos=view.world_to_widget(centre)
        )
    nodule_id, centre_lps_mm, surface_lps_mm = blocker.args
    assert nodule_id == "N-left"
    assert np.linalg.norm(np.subtract(centre_lps_mm, centre)) < 1.0
    assert abs(np.linalg.norm(np.subtract(surface_lps_mm, centre)) - 6.0) < 1.5
    assert surface_lps_mm[1] < centre[1] - 4, "the front (anterior) face is hit, not the back"


def test_clicking_beside_the_nodules_or_dragging_picks_nothing(qtbot, view: VolumeView3D) -> None:
    view.set_volume(_phantom())
    mask, geometry = _sphere_mask((25.0, -8.0, -12.0), radius_mm=6.0)
    view.set_nodule_surfaces([NoduleSurface("N1", mask, geometry)])
    target = view.world_to_widget((25.0, -8.0, -12.0))
    camera = view.renderer.GetActiveCamera()
    position_before = camera.GetPosition()
    with qtbot.assertNotEmitted(view.nodule_clicked):
        qtbot.mouseClick(view.vtk_widget, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
        qtbot.mousePress(view.vtk_widget, Qt.MouseButton.LeftButton, pos=target)
        qtbot.mouseMove(view.vtk_widget, target + QPoint(40, 0))
        qtbot.mouseRelease(view.vtk_widget, Qt.MouseButton.LeftButton, pos=target + QPoint(80, 0))
    assert camera.GetPosition() != position_before, "a left drag rotates the camera"
    view.reset_camera()
    assert np.allclose(camera.GetViewUp(), (0.0, 0.0, 1.0))
    assert camera.GetPosition()[1] < camera.GetFocalPoint()[1], "reset looks from the front"


def test_interactive_rendering_uses_a_block_averaged_copy_in_the_same_place(
    view: VolumeView3D, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(volume_view_3d, "INTERACTIVE_MAX_VOXELS", 100_000)
    view.set_volume(_phantom())
    full_bounds = view.renderer.ComputeVisiblePropBounds()
    view.set_interactive(True)
    rgb = view.grab_rgb()
    spine = view.world_to_widget(SPINE_LPS_MM)
    assert rgb[spine.y(), spine.x()].mean() > 150
    interactive_bounds = view.renderer.ComputeVisiblePropBounds()
    assert interactive_bounds != full_bounds, "another (coarser) volume is drawn"
    assert np.allclose(full_bounds, interactive_bounds, atol=2 * max(SPACING_XYZ_MM))
    view.set_interactive(False)
    assert view.renderer.ComputeVisiblePropBounds() == full_bounds


def test_create_3d_view_gives_the_volume_view_when_opengl_works(qtbot) -> None:
    widget = create_3d_view(None)
    qtbot.addWidget(widget)
    assert isinstance(widget, VolumeView3D)
    _dispose(widget)


def test_create_3d_view_falls_back_to_a_message_without_opengl(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODULE_DESK_NO_3D", "1")
    widget = create_3d_view(None)
    qtbot.addWidget(widget)
    widget.show()
    assert isinstance(widget, OpenGLUnavailableWidget)
    assert "3D view unavailable" in widget.text()
    assert "NODULE_DESK_NO_3D" in widget.reason
    widget.set_volume(_phantom())
    widget.set_nodule_surfaces([])
    assert widget.uses_software_opengl() is False
    assert widget.isVisible()


def test_closing_finalizes_the_render_window_and_leaks_no_vtk_objects(qtbot) -> None:
    """As pyvistaqt's conftest checks: no VTK object made by the view outlives it."""
    gc.collect()
    before = {id(o) for o in gc.get_objects() if isinstance(o, vtkObjectBase)}
    widget = VolumeView3D()
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_volume(_phantom())
    mask, geometry = _sphere_mask((25.0, -8.0, -12.0), radius_mm=6.0)
    widget.set_nodule_surfaces([NoduleSurface("N1", mask, geometry)])
    render_window = widget.render_window()
    assert render_window.GetGenericDisplayId() is not None
    alive = weakref.ref(widget)

    widget.close()
    assert render_window.GetGenericDisplayId() is None, "Finalize released the X connection"
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del widget, render_window
    gc.collect()
    assert alive() is None
    leaked = [
        o.GetClassName()
        for o in gc.get_objects()
        if isinstance(o, vtkObjectBase) and id(o) not in before
    ]
    assert leaked == []


def test_unknown_preset_is_a_typed_error_naming_the_file() -> None:
    with pytest.raises(PresetError, match="nope.json"):
        load_preset("nope")
    assert load_preset("lung").scalar_opacity[0][0] == -1024


def test_a_rotated_grid_is_drawn_at_its_world_position(view: VolumeView3D) -> None:
    """Columns along +y and rows along -x (a 90 degree turn about z): the bone block must appear
    where its world point projects, not where its voxel indices would put it."""
    rotated = (0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    geometry = VolumeGeometry((40, 50, 60), (2.0, 2.0, 2.0), (50.0, -60.0, -40.0), rotated)
    hu = np.full(geometry.shape_kji, -1000, dtype=np.int16)
    marker_lps_mm = (20.0, -30.0, 0.0)
    i, j, k = np.rint(geometry.world_lps_mm_to_index(marker_lps_mm)).astype(int)
    hu[k - 3 : k + 3, j - 3 : j + 3, i - 3 : i + 3] = 1000
    view.set_volume(CTVolume(hu, geometry))
    rgb = view.grab_rgb()
    marker = view.world_to_widget(marker_lps_mm)
    mirrored = view.world_to_widget((-20.0, -30.0, 0.0))
    assert rgb[marker.y(), marker.x()].mean() > 150
    assert _is_background(rgb[mirrored.y(), mirrored.x()])


def test_without_a_display_the_fallback_says_so(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    vtk_support._probe_opengl.cache_clear()
    try:
        widget = create_3d_view(None)
    finally:
        vtk_support._probe_opengl.cache_clear()
    qtbot.addWidget(widget)
    assert isinstance(widget, OpenGLUnavailableWidget)
    assert "no display" in widget.reason
