"""SliceView: real widgets under Xvfb, real pixels from the screen."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from nodule_desk.imaging.reslice import Orientation, VolumeReslicer
from nodule_desk.imaging.slab import SlabMode
from nodule_desk.volume import CTVolume, VolumeGeometry
from tests.ui.conftest import chest_phantom
from ui.slice_view import SliceView


def screen_grey(widget: QWidget, path: Path) -> np.ndarray:
    """The widget as the screen shows it (QScreen.grabWindow), saved, as a grey array."""
    widget.raise_()
    widget.activateWindow()
    for _ in range(40):  # under load the X server may not have the painted window yet: all black
        widget.repaint()
        QApplication.processEvents()
        pixmap = widget.screen().grabWindow(widget.winId())
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        ptr = image.constBits()
        rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
        grey = rows[:, : image.width()].copy()
        if grey.any():
            break
        time.sleep(0.05)
    assert pixmap.save(str(path))
    return grey


@pytest.fixture
def axial(qtbot) -> SliceView:  # noqa: ANN001
    view = SliceView(Orientation.AXIAL)
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.set_reslicer(VolumeReslicer(chest_phantom()))
    view.show()
    qtbot.waitExposed(view)
    return view


def test_wheel_and_keys_scroll_slices(axial: SliceView, qtbot) -> None:  # noqa: ANN001
    start = axial.slice_index()
    centre = QPointF(200, 200)
    from PySide6.QtGui import QWheelEvent

    for delta in (120, 120):
        event = QWheelEvent(
            centre,
            axial.mapToGlobal(centre),
            QPoint(),
            QPoint(0, delta),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        axial.wheelEvent(event)
    assert axial.slice_index() == start + 2
    qtbot.keyClick(axial, Qt.Key.Key_Down)
    qtbot.keyClick(axial, Qt.Key.Key_PageDown)
    assert axial.slice_index() == max(start + 1 - 10, 0)
    qtbot.keyClick(axial, Qt.Key.Key_End)
    assert axial.slice_index() == axial.slice_count() - 1


def test_right_drag_changes_window_and_keys_pick_presets(axial: SliceView, qtbot) -> None:  # noqa: ANN001
    assert axial.window() == (-600.0, 1500.0)
    qtbot.mousePress(axial, Qt.MouseButton.RightButton, pos=QPoint(200, 200))
    qtbot.mouseMove(axial, QPoint(240, 180))
    qtbot.mouseRelease(axial, Qt.MouseButton.RightButton, pos=QPoint(240, 180))
    centre, width = axial.window()
    assert width > 1500 and centre < -600
    qtbot.keyClick(axial, Qt.Key.Key_2)
    assert axial.window() == (40.0, 400.0)
    qtbot.keyClick(axial, Qt.Key.Key_R)
    assert axial.window() == (-600.0, 1500.0)


def test_ctrl_wheel_zooms_and_middle_drag_pans(axial: SliceView, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtGui import QWheelEvent

    event = QWheelEvent(
        QPointF(200, 200),
        axial.mapToGlobal(QPointF(200, 200)),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    axial.wheelEvent(event)
    assert axial.zoom() == pytest.approx(1.15**2)
    qtbot.mousePress(axial, Qt.MouseButton.MiddleButton, pos=QPoint(200, 200))
    qtbot.mouseMove(axial, QPoint(230, 190))
    qtbot.mouseRelease(axial, Qt.MouseButton.MiddleButton, pos=QPoint(230, 190))
    assert (axial.pan().x(), axial.pan().y()) == (30, -10)


def test_lung_window_shows_lung_dark_and_tissue_bright(
    axial: SliceView, artifacts_dir: Path
) -> None:
    grey = screen_grey(axial, artifacts_dir / "slice_view_axial_lung_window.png")
    plane = axial.plane
    samples = {}
    # phantom: lungs at +-0.42 of the half width, soft tissue between them, the body wall outside
    vessel_u = 0.4 - 0.02 * axial.slice_index()  # the phantom's vessel moves along z
    for name, (u, v) in {
        "lung": (0.58, 0.0),
        "vessel": (vessel_u, 0.1),
        "mediastinum": (0.0, -0.3),
        "body_wall": (0.86, 0.0),
    }.items():
        col, row = (u + 1) / 2 * plane.n_cols, (v + 1) / 2 * plane.n_rows
        point = axial.world_to_widget(
            plane.display_to_world_lps_mm((col, row, axial.slice_index()))
        )
        samples[name] = int(grey[int(point.y()), int(point.x())])
    assert samples["lung"] < 100, samples
    assert samples["vessel"] > 200, samples
    assert samples["mediastinum"] > 200 and samples["body_wall"] > 200, samples


def test_flipped_volume_keeps_patient_right_on_screen_left(qtbot, artifacts_dir: Path) -> None:  # noqa: ANN001
    """A volume stored right-to-left and feet-first still shows R on the left and A on top."""
    hu = np.full((10, 64, 64), -850, dtype=np.int16)
    geometry = VolumeGeometry(
        (10, 64, 64), (2.0, 2.0, 3.0), (60.0, -60.0, 20.0), (-1, 0, 0, 0, 1, 0, 0, 0, -1)
    )
    volume = CTVolume(hu, geometry)
    right_world = geometry.index_to_world_lps_mm((32, 32, 5)) + np.array([-40.0, 0, 0])
    i, j, k = np.rint(geometry.world_lps_mm_to_index(right_world)).astype(int)
    volume.hu[k, j - 3 : j + 3, i - 3 : i + 3] = 1000
    view = SliceView(Orientation.AXIAL)
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.set_reslicer(VolumeReslicer(volume))
    view.show()
    qtbot.waitExposed(view)
    labels = view.plane.labels()
    assert (labels.left, labels.right, labels.top, labels.bottom) == ("R", "L", "A", "P")
    view.set_overlay_visible(False)
    grey = screen_grey(view, artifacts_dir / "slice_view_flipped_volume.png")
    bright_cols = np.nonzero(grey.max(axis=0) > 250)[0]
    assert len(bright_cols) and bright_cols.mean() < view.width() / 2


def test_outline_hook_draws_the_mask_contour_where_the_mask_is(
    axial: SliceView, artifacts_dir: Path
) -> None:
    volume = axial.plane.geometry
    centre = volume.index_to_world_lps_mm((30, 60, 12))
    # a 15 mm ball on its own finer 1 mm grid around a point in the left lung
    size = 21
    k, j, i = np.mgrid[0:size, 0:size, 0:size]
    mask = ((i - 10) ** 2 + (j - 10) ** 2 + (k - 10) ** 2) <= 7.5**2
    mask_geometry = VolumeGeometry(
        (size, size, size), (1.0, 1.0, 1.0), tuple(float(c - 10) for c in centre)
    )
    mask_volume = CTVolume(mask.astype(np.int16), mask_geometry)
    axial.set_overlay_visible(False)
    axial.set_world_point(centre)
    axial.set_nodule_outlines([("N1", mask_volume, (1.0, 0.0, 0.0))])
    axial.repaint()
    QApplication.processEvents()
    image = axial.screen().grabWindow(axial.winId()).toImage()
    image.save(str(artifacts_dir / "slice_view_outline.png"))
    red = [
        (x, y)
        for y in range(0, image.height(), 1)
        for x in range(0, image.width(), 1)
        if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 80 and c.blue() < 80
    ]
    assert red, "no outline drawn"
    xs, ys = np.array(red).T
    mid = axial.world_to_widget(centre)
    radius_px = 7.5 * axial.pixels_per_mm()
    assert abs(xs.mean() - mid.x()) < 3 and abs(ys.mean() - mid.y()) < 3
    distance = np.hypot(xs - mid.x(), ys - mid.y())
    assert np.all(np.abs(distance - radius_px) < radius_px * 0.35)
    axial.set_slice(0)  # far from the ball: nothing drawn
    assert axial.plane is not None and not axial._outlines[0].contours_on(axial.plane, 0)


@pytest.mark.parametrize("size", [(230, 300), (420, 420), (900, 700)])
def test_overlay_text_letters_and_scale_bar_never_overlap(
    qtbot,
    size: tuple[int, int],
    artifacts_dir: Path,  # noqa: ANN001
) -> None:
    """Narrow 1x3 cells shrink and elide the corner text instead of writing over the letters."""
    volume = chest_phantom()
    volume.metadata.update(
        patient_name="Ouyang^Xiaoming=欧阳^晓明",
        patient_id="ND0000123456",
        study_date="2025-03-10",
        study_description="CT CHEST LOW DOSE SCREENING",
    )
    view = SliceView(Orientation.CORONAL)
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_reslicer(VolumeReslicer(volume))
    view.set_slab(SlabMode.MIP, 10.0)
    view.show()
    qtbot.waitExposed(view)
    layout = view.overlay_layout()
    boxes = [rect for rect, _ in layout.corners.values()]
    boxes += [*layout.label_rects, layout.scale_text_rect]
    start, length_px, _ = layout.scale_bar
    boxes.append(QRectF(start.x(), start.y() - 5, length_px, 5))
    inside = QRectF(view.rect())
    for n, box in enumerate(boxes):
        assert inside.contains(box), (n, box)
        for other in boxes[n + 1 :]:
            assert not box.intersects(other), (box, other)
    lines = [line for _, corner in layout.corners.values() for line in corner]
    assert any("MIP" in line for line in lines) and any("/" in line for line in lines)
    patient_line = layout.corners["top_left"][1][0]
    other_lines = [
        line for name, (_, c) in layout.corners.items() if name != "top_left" for line in c
    ]
    if size[0] >= 900:
        assert layout.font.pointSizeF() == view.font().pointSizeF()
        assert not patient_line.endswith("…")
    elif size[0] >= 400:  # the long patient line is cut short rather than shrinking everything
        assert layout.font.pointSizeF() == view.font().pointSizeF()
        assert patient_line.endswith("…") and not any(x.endswith("…") for x in other_lines)
    else:
        assert layout.font.pointSizeF() < view.font().pointSizeF()
    screen_grey(view, artifacts_dir / f"slice_view_overlay_{size[0]}x{size[1]}.png")


def test_painting_keeps_the_reference_count_of_none(axial: SliceView) -> None:
    """PySide6 6.12.0 dropped a reference to None on every void call: on Python 3.11 the app
    aborted (none_dealloc) after a few minutes of scrolling. Constraints pin a good version."""
    import sys

    target = QImage(axial.size(), QImage.Format.Format_ARGB32_Premultiplied)
    axial.render(target)
    before = sys.getrefcount(None)
    for k in range(40):
        axial.set_slice(k % axial.slice_count())
        axial.render(target)
    assert sys.getrefcount(None) >= before - 10
