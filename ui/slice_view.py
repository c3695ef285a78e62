"""One 2D reading view (axial, coronal or sagittal) with the mouse and keys radiologists know.

Wheel, arrow keys and PageUp/PageDown scroll; right-drag changes window (horizontal) and level
(vertical); middle-drag pans; ctrl-wheel zooms; R resets; keys 1-4 pick lung, mediastinum, bone and
soft-tissue windows; a left click sets the crosshair and reports it as a world LPS point in mm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from nodule_desk.imaging.reslice import Orientation, PlaneGeometry, VolumeReslicer
from nodule_desk.imaging.slab import WINDOW_PRESETS, SlabMode, WindowLut, plane_hu
from nodule_desk.names import display_name
from ui import slice_overlay
from ui.i18n import current_language
from ui.slice_overlay import NoduleOutline

CROSSHAIR_COLOURS = {
    Orientation.AXIAL: QColor(80, 200, 255, 170),
    Orientation.CORONAL: QColor(120, 255, 120, 170),
    Orientation.SAGITTAL: QColor(255, 140, 120, 170),
}
_PRESET_KEYS = {
    Qt.Key.Key_1: "lung",
    Qt.Key.Key_2: "mediastinum",
    Qt.Key.Key_3: "bone",
    Qt.Key.Key_4: "soft_tissue",
}
_WL_HU_PER_PIXEL = 4.0
_ZOOM_STEP = 1.15
DEFAULT_WINDOW = WINDOW_PRESETS["lung"]


class SliceView(QWidget):
    world_point_clicked = Signal(object)
    """The crosshair the user set: world LPS (x, y, z) in mm."""
    window_changed = Signal(float, float)
    """(centre HU, width HU) after a drag or a preset key."""
    maximise_requested = Signal()
    nodule_requested = Signal(object)
    """Ctrl+click: measure the nodule at this world LPS point (mm)."""
    slice_changed = Signal(int)

    def __init__(self, orientation: Orientation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.orientation = Orientation(orientation)
        self.setObjectName(f"SliceView_{self.orientation.value}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(64, 64)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._reslicer: VolumeReslicer | None = None
        self._slice = 0
        self._centre, self._width = DEFAULT_WINDOW
        self._zoom = 1.0
        self._pan = QPointF(0.0, 0.0)
        self._crosshair_lps_mm: NDArray[np.float64] | None = None
        self._slab_mode = SlabMode.OFF
        self._slab_mm = 10.0
        self._overlay_visible = True
        self._patient_visible = True
        self._outlines: list[NoduleOutline] = []
        self._lut = WindowLut()
        self._grey: NDArray[np.uint8] | None = None
        self._image: QImage | None = None
        self._drag_button = Qt.MouseButton.NoButton
        self._drag_start = QPointF()
        self._drag_origin: tuple[float, float] | QPointF = (0.0, 0.0)

    # --- state ---------------------------------------------------------------------------------
    @property
    def plane(self) -> PlaneGeometry | None:
        return self._reslicer.plane(self.orientation) if self._reslicer is not None else None

    def set_reslicer(self, reslicer: VolumeReslicer | None) -> None:
        self._reslicer = reslicer
        if reslicer is not None:
            plane = reslicer.plane(self.orientation)
            if self._crosshair_lps_mm is not None:
                self._slice = plane.slice_of_world(self._crosshair_lps_mm)
            else:
                self._slice = plane.n_slices // 2
        self._invalidate()

    def slice_index(self) -> int:
        return self._slice

    def slice_count(self) -> int:
        plane = self.plane
        return plane.n_slices if plane is not None else 0

    def set_slice(self, index: int) -> None:
        plane = self.plane
        if plane is None:
            return
        index = int(np.clip(index, 0, plane.n_slices - 1))
        if index != self._slice:
            self._slice = index
            self._invalidate()
            self.slice_changed.emit(index)

    def scroll(self, steps: int) -> None:
        self.set_slice(self._slice + steps)

    def window(self) -> tuple[float, float]:
        return self._centre, self._width

    def set_window(self, centre_hu: float, width_hu: float) -> None:
        width_hu = max(float(width_hu), 2.0)
        if (centre_hu, width_hu) != (self._centre, self._width):
            self._centre, self._width = float(centre_hu), width_hu
            self._invalidate()

    def set_slab(self, mode: SlabMode, thickness_mm: float) -> None:
        self._slab_mode, self._slab_mm = SlabMode(mode), float(thickness_mm)
        self._invalidate()

    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        self._zoom = float(np.clip(zoom, 0.25, 20.0))
        self.update()

    def pan(self) -> QPointF:
        return QPointF(self._pan)

    def reset_view(self) -> None:
        """Zoom to fit, no pan, the default lung window."""
        self._zoom, self._pan = 1.0, QPointF(0.0, 0.0)
        self.set_window(*DEFAULT_WINDOW)
        self.window_changed.emit(self._centre, self._width)
        self.update()

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay_visible = visible
        self.update()

    def set_patient_visible(self, visible: bool) -> None:
        self._patient_visible = visible
        self.update()

    def crosshair_tuple(self) -> tuple[float, ...] | None:
        return None if self._crosshair_lps_mm is None else tuple(map(float, self._crosshair_lps_mm))

    def crosshair(self) -> NDArray[np.float64] | None:
        return None if self._crosshair_lps_mm is None else self._crosshair_lps_mm.copy()

    def set_world_point(self, world_lps_mm: Sequence[float]) -> None:
        """Move the crosshair there and show the slice through it."""
        self._crosshair_lps_mm = np.asarray(world_lps_mm, dtype=float).copy()
        plane = self.plane
        if plane is not None:
            self.set_slice(plane.slice_of_world(self._crosshair_lps_mm))
        self.update()

    def set_nodule_outlines(self, outlines: Iterable[object]) -> None:
        """Masks on their own grids (NoduleOutline.from_item), drawn where this plane cuts them."""
        self._outlines = [NoduleOutline.from_item(item) for item in outlines]
        self.update()

    def slice_position_mm(self) -> float:
        """World coordinate (mm) of this slice along the viewing axis (z axial, y coronal...)."""
        plane = self.plane
        if plane is None:
            return 0.0
        middle = ((plane.n_cols - 1) / 2, (plane.n_rows - 1) / 2, self._slice)
        return float(plane.display_to_world_lps_mm(middle)[plane.normal_lps_axis])

    # --- display <-> widget ---------------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the plane's pixels are drawn, in widget coordinates (aspect from pixel spacing)."""
        plane = self.plane
        if plane is None:
            return QRectF()
        width_mm = plane.n_cols * plane.col_spacing_mm
        height_mm = plane.n_rows * plane.row_spacing_mm
        scale = min(self.width() / width_mm, self.height() / height_mm) * self._zoom
        w, h = width_mm * scale, height_mm * scale
        centre = QPointF(self.width() / 2, self.height() / 2) + self._pan
        return QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)

    def pixels_per_mm(self) -> float:
        plane = self.plane
        return self.image_rect().width() / (plane.n_cols * plane.col_spacing_mm) if plane else 1.0

    def widget_to_world(self, point: QPointF | QPoint) -> NDArray[np.float64] | None:
        """The world LPS point (mm) under a widget point, on the current slice, clamped inside."""
        plane = self.plane
        if plane is None:
            return None
        rect = self.image_rect()
        col = (point.x() - rect.left()) / rect.width() * plane.n_cols - 0.5
        row = (point.y() - rect.top()) / rect.height() * plane.n_rows - 0.5
        col = float(np.clip(col, 0, plane.n_cols - 1))
        row = float(np.clip(row, 0, plane.n_rows - 1))
        return plane.display_to_world_lps_mm((col, row, self._slice))

    def world_to_widget(self, world_lps_mm: Sequence[float]) -> QPointF | None:
        plane = self.plane
        if plane is None:
            return None
        col, row, _ = plane.world_lps_mm_to_display(world_lps_mm)
        return self._display_to_widget(col, row)

    def _display_to_widget(self, col: float, row: float) -> QPointF:
        plane, rect = self.plane, self.image_rect()
        assert plane is not None
        return QPointF(
            rect.left() + (col + 0.5) * rect.width() / plane.n_cols,
            rect.top() + (row + 0.5) * rect.height() / plane.n_rows,
        )

    # --- rendering ------------------------------------------------------------------------------
    def render_grey(self) -> NDArray[np.uint8] | None:
        """The current plane (or slab) after window/level: what is drawn, one byte per pixel."""
        if self._reslicer is None:
            return None
        if self._grey is None:
            hu = plane_hu(
                self._reslicer, self.orientation, self._slice, self._slab_mode, self._slab_mm
            )
            self._grey = self._lut.apply(hu, self._centre, self._width)
            rows, cols = self._grey.shape
            self._image = QImage(self._grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
        return self._grey

    def _invalidate(self) -> None:
        self._grey = None
        self._image = None
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.render_grey() is not None and self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._zoom < 4)
            painter.drawImage(self.image_rect(), self._image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._draw_outlines(painter)
            self._draw_crosshair(painter)
            if self._overlay_visible:
                self._draw_overlay(painter)
        painter.end()

    def _draw_crosshair(self, painter: QPainter) -> None:
        if self._crosshair_lps_mm is None:
            return
        point = self.world_to_widget(self._crosshair_lps_mm)
        rect = self.image_rect()
        painter.setPen(QPen(CROSSHAIR_COLOURS[self.orientation], 1))
        gap = 8.0
        painter.drawLine(QPointF(rect.left(), point.y()), QPointF(point.x() - gap, point.y()))
        painter.drawLine(QPointF(point.x() + gap, point.y()), QPointF(rect.right(), point.y()))
        painter.drawLine(QPointF(point.x(), rect.top()), QPointF(point.x(), point.y() - gap))
        painter.drawLine(QPointF(point.x(), point.y() + gap), QPointF(point.x(), rect.bottom()))

    def _draw_outlines(self, painter: QPainter) -> None:
        plane = self.plane
        for outline in self._outlines:
            for contour in outline.contours_on(plane, self._slice):
                points = [self._display_to_widget(c, r) for c, r in contour]
                slice_overlay.draw_polyline(painter, outline.colour, points)

    def _draw_overlay(self, painter: QPainter) -> None:
        slice_overlay.draw_overlay(painter, self.overlay_layout())

    def overlay_layout(self) -> slice_overlay.OverlayLayout:
        """Where the corner text, orientation letters and scale bar go at this view's size."""
        labels = self.plane.labels()
        text = slice_overlay.OverlayText(
            top_left=self._patient_lines() if self._patient_visible else [],
            top_right=[self.orientation_title()],
            bottom_left=self.position_lines(),
            bottom_right=self.window_lines(),
            sides=(labels.left, labels.right, labels.top, labels.bottom),
            scale_label=self.tr("%1 mm"),
        )
        return slice_overlay.layout_overlay(
            QRectF(self.rect()), self.font(), text, self.pixels_per_mm()
        )

    def orientation_title(self) -> str:
        return {
            Orientation.AXIAL: self.tr("Axial"),
            Orientation.CORONAL: self.tr("Coronal"),
            Orientation.SAGITTAL: self.tr("Sagittal"),
        }[self.orientation]

    def position_lines(self) -> list[str]:
        slice_text = self.tr("Slice %1 / %2").replace("%1", str(self._slice + 1))
        position = self.tr("Position %1 mm").replace("%1", f"{self.slice_position_mm():.1f}")
        lines = [slice_text.replace("%2", str(self.slice_count())), position]
        if self.shows_interpolated_slice():
            lines.append(self.tr("MISSING slice: interpolated, not measured"))
        return lines

    def shows_interpolated_slice(self) -> bool:
        """An axial slice that no file of the series provided (the loader filled it in)."""
        from nodule_desk.imaging.slice_gaps import interpolated_slices

        if self.orientation is not Orientation.AXIAL or self._reslicer is None:
            return False
        return self._slice in interpolated_slices(self._reslicer.volume)

    def window_lines(self) -> list[str]:
        text = self.tr("W %1  L %2").replace("%1", f"{self._width:.0f}")
        lines = [text.replace("%2", f"{self._centre:.0f}")]
        if self._slab_mode is not SlabMode.OFF:
            names = {
                SlabMode.MIP: self.tr("MIP"),
                SlabMode.MINIP: self.tr("MinIP"),
                SlabMode.AVERAGE: self.tr("Average"),
            }
            slab = self.tr("%1 slab %2 mm").replace("%1", names[self._slab_mode])
            lines.append(slab.replace("%2", f"{self._slab_mm:g}"))
        return lines

    def _patient_lines(self) -> list[str]:
        meta = self._reslicer.volume.metadata if self._reslicer is not None else {}
        name = display_name(str(meta.get("patient_name", "") or ""), current_language())
        first = "  ".join(str(v) for v in (name, meta.get("patient_id", "")) if v)
        second = "  ".join(
            str(v) for v in (meta.get("study_date", ""), meta.get("study_description", "")) if v
        )
        return [first, second]

    # --- input ----------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120
        if steps == 0:
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self._zoom * _ZOOM_STEP**steps)
        else:
            self.scroll(int(np.sign(steps) * max(1, abs(round(steps)))))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        steps = {
            Qt.Key.Key_Up: 1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Down: -1,
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_PageUp: 10,
            Qt.Key.Key_PageDown: -10,
        }
        if key in steps:
            self.scroll(steps[key])
        elif key == Qt.Key.Key_Home:
            self.set_slice(0)
        elif key == Qt.Key.Key_End:
            self.set_slice(self.slice_count() - 1)
        elif key == Qt.Key.Key_R:
            self.reset_view()
        elif key in _PRESET_KEYS:
            self.set_window(*WINDOW_PRESETS[_PRESET_KEYS[key]])
            self.window_changed.emit(self._centre, self._width)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.setFocus()
        self._drag_button = event.button()
        self._drag_start = event.position()
        if event.button() == Qt.MouseButton.LeftButton:
            self._click_crosshair(event.position())
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self._drag_button = Qt.MouseButton.NoButton
                self.nodule_requested.emit(self.crosshair_tuple())
        elif event.button() == Qt.MouseButton.RightButton:
            self._drag_origin = (self._centre, self._width)
        elif event.button() == Qt.MouseButton.MiddleButton:
            self._drag_origin = QPointF(self._pan)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        delta = event.position() - self._drag_start
        if self._drag_button == Qt.MouseButton.LeftButton:
            self._click_crosshair(event.position())
        elif self._drag_button == Qt.MouseButton.RightButton:
            centre, width = self._drag_origin  # type: ignore[misc]
            self.set_window(
                centre + delta.y() * _WL_HU_PER_PIXEL, width + delta.x() * _WL_HU_PER_PIXEL
            )
            self.window_changed.emit(self._centre, self._width)
        elif self._drag_button == Qt.MouseButton.MiddleButton:
            self._pan = self._drag_origin + delta  # type: ignore[operator]
            self.update()

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._drag_button = Qt.MouseButton.NoButton

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.maximise_requested.emit()

    def contextMenuEvent(self, event) -> None:  # noqa: ANN001, N802 - right-drag owns the button
        event.accept()

    def _click_crosshair(self, position: QPointF) -> None:
        world = self.widget_to_world(position)
        if world is None:
            return
        self._crosshair_lps_mm = world
        self.update()
        self.world_point_clicked.emit(tuple(float(v) for v in world))
