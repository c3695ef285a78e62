"""Manual tools of the axial view: the caliper and the paint / erase brush.

Caliper (C): drag the long axis, then the short axis; the short axis is measured perpendicular to
the long one by construction. On release the selected nodule (or the one nearest the caliper) gets
the two lengths as a new version. Brush (B): paint on the selected nodule's mask on the current
axial slice, shift erases, [ and ] change the radius (1-10 mm); Enter stores the edited mask as a
new version, measured again; Esc discards. Lengths are world mm from SliceView.widget_to_world.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from nodule_desk.imaging.mask_codec import decode_mask
from nodule_desk.imaging.mask_edit import paint_disc
from nodule_desk.store import Measurement
from nodule_desk.volume import CTVolume, VolumeGeometry
from ui.nodule_panel_dock import NodulePanelDock
from ui.slice_view import SliceView

CALIPER_COLOUR = QColor(255, 230, 60)
BRUSH_COLOUR = QColor(120, 255, 160)
BRUSH_RADIUS_RANGE_MM = (1.0, 10.0)


class Tool(Enum):
    NONE = "none"
    CALIPER = "caliper"
    BRUSH = "brush"


class _Overlay(QWidget):
    """Transparent layer over the slice view on which the tools draw."""

    def __init__(self, tools: EditTools, view: SliceView) -> None:
        super().__init__(view)
        self._tools = tools
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setGeometry(view.rect())

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._tools.draw(painter)
        painter.end()


def _perpendicular(long_axis: tuple, vector: NDArray) -> NDArray:
    direction = long_axis[1] - long_axis[0]
    norm = float(np.linalg.norm(direction))
    if norm == 0.0:
        return vector
    unit = direction / norm
    return vector - float(vector @ unit) * unit


class EditTools(QObject):
    """The axial view's caliper and brush; owns their toggle actions."""

    measurement_recorded = Signal(object)
    """The new version (Measurement) a caliper or an applied brush edit stored."""
    message = Signal(str)

    def __init__(self, view: SliceView, panel: NodulePanelDock, parent: QObject | None = None):
        super().__init__(parent)
        self.view, self.panel = view, panel
        self.tool = Tool.NONE
        self.overlay = _Overlay(self, view)
        self.brush_radius_mm = 3.0
        self.long_axis: tuple[NDArray, NDArray] | None = None
        self.short_axis: tuple[NDArray, NDArray] | None = None
        self._dragging = False
        self._cursor: QPointF | None = None
        self._edit: tuple[Measurement, NDArray[np.bool_], VolumeGeometry] | None = None
        self.caliper_action = QAction(self)
        self.caliper_action.setCheckable(True)
        self.caliper_action.setShortcut(QKeySequence("C"))
        self.caliper_action.toggled.connect(lambda on: self._toggle(Tool.CALIPER, on))
        self.brush_action = QAction(self)
        self.brush_action.setCheckable(True)
        self.brush_action.setShortcut(QKeySequence("B"))
        self.brush_action.toggled.connect(lambda on: self._toggle(Tool.BRUSH, on))
        view.installEventFilter(self)
        self.retranslate_ui()

    def actions(self) -> list[QAction]:
        return [self.caliper_action, self.brush_action]

    def retranslate_ui(self) -> None:
        self.caliper_action.setText(self.tr("Caliper"))
        self.caliper_action.setToolTip(
            self.tr("Caliper (C): drag the long axis, then the short axis; Esc cancels")
        )
        self.brush_action.setText(self.tr("Brush"))
        self.brush_action.setToolTip(
            self.tr("Brush (B): paint the nodule mask, shift erases, [ ] radius, Enter applies")
        )

    # --- modes ----------------------------------------------------------------------------------
    def _toggle(self, tool: Tool, on: bool) -> None:
        if on:
            other = self.brush_action if tool is Tool.CALIPER else self.caliper_action
            other.setChecked(False)
            self.set_tool(tool)
        elif self.tool is tool:
            self.set_tool(Tool.NONE)

    def set_tool(self, tool: Tool) -> None:
        if self.tool is Tool.BRUSH and tool is not Tool.BRUSH:
            self.discard_mask_edit()
        self.tool = tool
        self.cancel_caliper()
        self.view.setMouseTracking(tool is Tool.BRUSH)
        self.caliper_action.setChecked(tool is Tool.CALIPER)
        self.brush_action.setChecked(tool is Tool.BRUSH)
        if tool is Tool.BRUSH:
            self._start_mask_edit()
        self.overlay.update()

    # --- caliper --------------------------------------------------------------------------------
    def long_axis_mm(self) -> float | None:
        if self.long_axis is None:
            return None
        return float(np.linalg.norm(self.long_axis[1] - self.long_axis[0]))

    def short_axis_mm(self) -> float | None:
        if self.short_axis is None:
            return None
        return float(np.linalg.norm(self.short_axis[1] - self.short_axis[0]))

    def cancel_caliper(self) -> None:
        self.long_axis = self.short_axis = None
        self._dragging = False
        self.overlay.update()

    def _caliper_press(self, world: NDArray) -> None:
        if self.long_axis is None or self.short_axis is not None:
            self.long_axis, self.short_axis = (world, world.copy()), None
        else:
            self.short_axis = (world, world.copy())
        self._dragging = True

    def _caliper_move(self, world: NDArray) -> None:
        if self.short_axis is not None:
            start = self.short_axis[0]
            self.short_axis = (start, start + _perpendicular(self.long_axis, world - start))
        elif self.long_axis is not None:
            self.long_axis = (self.long_axis[0], world)
        self.overlay.update()

    def _caliper_release(self, world: NDArray) -> None:
        self._caliper_move(world)
        self._dragging = False
        if self.short_axis is not None:
            self._record_axes()

    def _record_axes(self) -> None:
        from nodule_desk.followup.nodule_records import record_manual_axes

        middle = (self.long_axis[0] + self.long_axis[1]) / 2
        target = self.panel.current_measurement() or self._nearest(middle)
        if target is None or self.panel.store is None:
            self.message.emit(
                self.tr("No nodule to give the caliper's axes to: measure one first.")
            )
            return
        stored = record_manual_axes(
            self.panel.store, target.id, self.long_axis_mm(), self.short_axis_mm()
        )
        self._after_record(stored)

    def _nearest(self, world: NDArray) -> Measurement | None:
        if not self.panel.measurements:
            return None
        return min(
            self.panel.measurements,
            key=lambda m: float(np.linalg.norm(np.asarray(m.center_lps_mm) - world)),
        )

    def _after_record(self, stored: Measurement) -> None:
        self.panel.refresh()
        self.panel.select_label(stored.nodule_label)
        self.panel.findings_changed()
        self.measurement_recorded.emit(stored)

    # --- brush ----------------------------------------------------------------------------------
    def _start_mask_edit(self) -> None:
        measurement = self.panel.current_measurement()
        data = (
            self.panel.store.measurement_mask(measurement.id)
            if measurement is not None and self.panel.store is not None
            else None
        )
        if not data:
            self._edit = None
            self.message.emit(self.tr("Select a measured nodule to correct its mask."))
            return
        mask = decode_mask(data)
        self._edit = (measurement, mask.hu.astype(bool), mask.geometry)

    def edited_mask(self) -> CTVolume | None:
        if self._edit is None:
            return None
        _, mask, geometry = self._edit
        return CTVolume(hu=mask.astype(np.uint8), geometry=geometry)

    def set_brush_radius_mm(self, radius_mm: float) -> None:
        self.brush_radius_mm = float(np.clip(radius_mm, *BRUSH_RADIUS_RANGE_MM))
        self.overlay.update()

    def _paint(self, world: NDArray, erase: bool) -> None:
        if self._edit is None:
            return
        measurement, mask, geometry = self._edit
        depth_mm = self.view.plane.slice_spacing_mm if self.view.plane else 0.0
        mask, geometry = paint_disc(
            mask, geometry, world, self.brush_radius_mm, paint=not erase, depth_mm=depth_mm
        )
        self._edit = (measurement, mask, geometry)
        self._show_edited_outline()

    def _show_edited_outline(self) -> None:
        label = self._edit[0].nodule_label
        outlines = [
            (name, self.edited_mask() if name == label else mask, colour)
            for name, mask, colour in self.panel.outlines()
        ]
        self.view.set_nodule_outlines(outlines)

    def apply_mask_edit(self) -> Measurement | None:
        from nodule_desk.followup.nodule_records import record_edited_mask

        if self._edit is None or self.panel.store is None or self.panel.volume is None:
            return None
        measurement, mask, geometry = self._edit
        if not mask.any():
            self.message.emit(self.tr("The edited mask is empty; nothing was stored."))
            return None
        stored = record_edited_mask(
            self.panel.store, measurement.id, self.panel.volume, mask, geometry
        )
        self._edit = None
        self._after_record(stored)
        self._start_mask_edit()
        return stored

    def discard_mask_edit(self) -> None:
        self._edit = None
        self.panel.refresh()
        if self.tool is Tool.BRUSH:
            self._start_mask_edit()

    # --- events ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is not self.view:
            return False
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.overlay.setGeometry(self.view.rect())
        if self.tool is Tool.NONE:
            return False
        if kind == QEvent.Type.KeyPress:
            return self._key(event)  # type: ignore[arg-type]
        if kind in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.MouseButtonRelease,
        ):
            return self._mouse(event)  # type: ignore[arg-type]
        return False

    def _mouse(self, event: QMouseEvent) -> bool:
        kind = event.type()
        self._cursor = event.position()
        self.overlay.update()
        left = event.button() == Qt.MouseButton.LeftButton or (
            kind == QEvent.Type.MouseMove and event.buttons() & Qt.MouseButton.LeftButton
        )
        if not left:
            return False
        world = self.view.widget_to_world(event.position())
        if world is None:
            return True
        if kind == QEvent.Type.MouseButtonPress:
            self.view.setFocus()
        if self.tool is Tool.CALIPER:
            if kind == QEvent.Type.MouseButtonPress:
                self._caliper_press(world)
            elif kind == QEvent.Type.MouseMove and self._dragging:
                self._caliper_move(world)
            elif kind == QEvent.Type.MouseButtonRelease and self._dragging:
                self._caliper_release(world)
        elif kind != QEvent.Type.MouseButtonRelease:
            self._paint(world, bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        return True

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            if self.tool is Tool.CALIPER:
                self.cancel_caliper()
            else:
                self.discard_mask_edit()
            return True
        if self.tool is Tool.BRUSH and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.apply_mask_edit()
            return True
        if self.tool is Tool.BRUSH and key in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            step = 1.0 if key == Qt.Key.Key_BracketRight else -1.0
            self.set_brush_radius_mm(self.brush_radius_mm + step)
            return True
        return False

    # --- drawing --------------------------------------------------------------------------------
    def draw(self, painter: QPainter) -> None:
        if self.tool is Tool.CALIPER:
            for axis, length in (
                (self.long_axis, self.long_axis_mm()),
                (self.short_axis, self.short_axis_mm()),
            ):
                if axis is not None:
                    self._draw_axis(painter, axis, length)
        elif self.tool is Tool.BRUSH and self._cursor is not None:
            radius = self.brush_radius_mm * self.view.pixels_per_mm()
            painter.setPen(QPen(BRUSH_COLOUR, 1, Qt.PenStyle.DashLine))
            painter.drawEllipse(self._cursor, radius, radius)
            text = self.tr("%1 mm").replace("%1", f"{self.brush_radius_mm:g}")
            painter.drawText(self._cursor + QPointF(radius + 4, -radius), text)

    def _draw_axis(self, painter: QPainter, axis: tuple, length_mm: float) -> None:
        start, end = (self.view.world_to_widget(p) for p in axis)
        if start is None or end is None:
            return
        painter.setPen(QPen(QColor(0, 0, 0, 160), 3))
        painter.drawLine(start, end)
        painter.setPen(QPen(CALIPER_COLOUR, 1.5))
        painter.drawLine(start, end)
        for tip in (start, end):
            painter.drawEllipse(tip, 2.5, 2.5)
        text = self.tr("%1 mm").replace("%1", f"{length_mm:.1f}")
        painter.setPen(QColor(0, 0, 0, 200))
        painter.drawText(end + QPointF(7, -5), text)
        painter.setPen(CALIPER_COLOUR)
        painter.drawText(end + QPointF(6, -6), text)
