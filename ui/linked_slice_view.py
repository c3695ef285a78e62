"""A SliceView that tells when what it shows moved (slice, pan, zoom) and can be put on a point.

The comparison view links two of them through the registration of the two visits: it reads the
world point at the centre of one and shows the registered point at the centre of the other, at
the same millimetres per pixel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget

from nodule_desk.imaging.reslice import Orientation
from ui.slice_view import SliceView


class LinkedSliceView(SliceView):
    view_moved = Signal()
    """The slice, pan or zoom changed by the user (not by ``show_world_at_centre``)."""

    def __init__(self, orientation: Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._quiet = False
        self.slice_changed.connect(lambda _index: self._moved())

    def _moved(self) -> None:
        if not self._quiet:
            self.view_moved.emit()

    def set_zoom(self, zoom: float) -> None:
        super().set_zoom(zoom)
        self._moved()

    def set_pan(self, pan: QPointF) -> None:
        self._pan = QPointF(pan)
        self.update()

    def reset_view(self) -> None:
        super().reset_view()
        self._moved()

    def centre_world(self) -> NDArray[np.float64] | None:
        """The world LPS point (mm) at the widget's centre on the current slice (not clamped)."""
        plane = self.plane
        if plane is None:
            return None
        rect = self.image_rect()
        centre = QPointF(self.width() / 2, self.height() / 2)
        col = (centre.x() - rect.left()) / rect.width() * plane.n_cols - 0.5
        row = (centre.y() - rect.top()) / rect.height() * plane.n_rows - 0.5
        return plane.display_to_world_lps_mm((col, row, self.slice_index()))

    def show_world_at_centre(
        self, world_lps_mm: Sequence[float], pixels_per_mm: float | None = None
    ) -> None:
        """Show the slice through the point, the point at the widget's centre, at this scale."""
        plane = self.plane
        if plane is None:
            return
        self._quiet = True
        try:
            if pixels_per_mm:
                base = self.pixels_per_mm() / self.zoom()
                SliceView.set_zoom(self, pixels_per_mm / base)
            self.set_slice(plane.slice_of_world(world_lps_mm))
            self._pan = QPointF(0.0, 0.0)
            here = self.world_to_widget(world_lps_mm)
            self._pan = QPointF(self.width() / 2 - here.x(), self.height() / 2 - here.y())
            self.update()
        finally:
            self._quiet = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        panning = self._drag_button == Qt.MouseButton.MiddleButton
        super().mouseMoveEvent(event)
        if panning:
            self._moved()
