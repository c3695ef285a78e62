"""Stand-in central view until ui/viewer_grid.py lands: axial slices, lung window, wheel scrolls."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from nodule_desk.volume import CTVolume


class AxialPreview(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setStyleSheet("background: black;")
        self.volume: CTVolume | None = None
        self.slice_index = 0

    def set_volume(self, volume: CTVolume) -> None:
        keep = self.volume is not None and self.volume.series_uid == volume.series_uid
        self.volume = volume
        n = volume.hu.shape[0]
        self.slice_index = min(self.slice_index, n - 1) if keep else n // 2
        self._render()

    def set_slice(self, index: int) -> None:
        if self.volume is not None:
            self.slice_index = int(np.clip(index, 0, self.volume.hu.shape[0] - 1))
            self._render()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        step = 1 if event.angleDelta().y() > 0 else -1
        self.set_slice(self.slice_index + step)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self._render()
        super().resizeEvent(event)

    def _render(self) -> None:
        if self.volume is None:
            return
        hu = self.volume.hu[self.slice_index].astype(np.float32)
        gray = np.clip((hu + 1350.0) / 1500.0 * 255.0, 0, 255).astype(np.uint8)
        gray = np.ascontiguousarray(gray)
        image = QImage(gray.data, gray.shape[1], gray.shape[0], gray.shape[1],
                       QImage.Format.Format_Grayscale8).copy()
        sx, sy = self.volume.geometry.spacing_xyz_mm[:2]
        image = image.scaled(int(gray.shape[1] * sx), int(gray.shape[0] * sy))
        self.setPixmap(QPixmap.fromImage(image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
