"""What a 2D view draws over the image: crosshair, orientation letters, scale bar, text corners,
and nodule outlines (a mask on its own grid cut by the current plane)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from skimage.measure import find_contours

from nodule_desk.imaging.reslice import PlaneGeometry
from nodule_desk.volume import VolumeGeometry

TEXT_COLOUR = QColor(235, 235, 200)
LABEL_COLOUR = QColor(255, 210, 90)
_NICE_LENGTHS_MM = (1, 2, 5, 10, 20, 50, 100, 200)


@dataclass(frozen=True)
class NoduleOutline:
    """A nodule mask (``mask[k, j, i]`` true inside) on its own grid, and the colour to draw it."""

    label: str
    mask: NDArray[np.bool_]
    geometry: VolumeGeometry
    colour: QColor

    @classmethod
    def from_item(cls, item: object) -> NoduleOutline:
        """(label, volume with ``.hu`` or ``.mask`` and ``.geometry``, rgb 0..1), a NoduleSurface,
        a NoduleSegmentation, or a NoduleOutline."""
        if isinstance(item, NoduleOutline):
            return item
        if isinstance(item, tuple | list):
            label, volume, rgb = item
        else:
            label = getattr(item, "nodule_id", getattr(item, "label", ""))
            volume, rgb = item, getattr(item, "rgb", (1.0, 0.85, 0.2))
        mask = getattr(volume, "mask", None)
        if mask is None:
            mask = volume.hu  # type: ignore[attr-defined]
        geometry: VolumeGeometry = volume.geometry  # type: ignore[attr-defined]
        colour = QColor.fromRgbF(*(float(c) for c in rgb))  # type: ignore[union-attr]
        return cls(str(label), np.asarray(mask) != 0, geometry, colour)

    def contours_on(self, plane: PlaneGeometry, slice_index: int) -> list[NDArray[np.float64]]:
        """Contours of the mask on one display plane, as (N, 2) arrays of (column, row)."""
        section, col0, row0 = self._section(plane, slice_index)
        if section is None or not section.any():
            return []
        padded = np.pad(section.astype(np.float32), 1)
        return [
            np.column_stack((c[:, 1] - 1 + col0, c[:, 0] - 1 + row0))
            for c in find_contours(padded, 0.5)
        ]

    def _section(
        self, plane: PlaneGeometry, slice_index: int
    ) -> tuple[NDArray[np.bool_] | None, int, int]:
        """The mask sampled (nearest voxel) on the display pixels its bounding box covers."""
        k, j, i = np.nonzero(self.mask)
        if len(i) == 0:
            return None, 0, 0
        lo, hi = np.array([i.min(), j.min(), k.min()]), np.array([i.max(), j.max(), k.max()])
        corners = np.array(
            [[a, b, c] for a in (lo[0], hi[0]) for b in (lo[1], hi[1]) for c in (lo[2], hi[2])],
            dtype=float,
        )
        corners_world = self.geometry.index_to_world_lps_mm(corners)
        crs = plane.world_lps_mm_to_display(corners_world)
        low, high = crs.min(axis=0) - 1, crs.max(axis=0) + 1
        if not low[2] <= slice_index <= high[2]:
            return None, 0, 0
        col0, row0 = max(int(np.floor(low[0])), 0), max(int(np.floor(low[1])), 0)
        col1 = min(int(np.ceil(high[0])), plane.n_cols - 1)
        row1 = min(int(np.ceil(high[1])), plane.n_rows - 1)
        if col1 < col0 or row1 < row0:
            return None, 0, 0
        rows, cols = np.mgrid[row0 : row1 + 1, col0 : col1 + 1]
        points = np.stack([cols, rows, np.full(cols.shape, slice_index)], axis=-1).astype(float)
        index = np.rint(self.geometry.world_lps_mm_to_index(plane.display_to_world_lps_mm(points)))
        size = np.array(self.mask.shape[::-1])
        inside = np.all((index >= 0) & (index < size), axis=-1)
        idx = np.where(inside[..., None], index, 0).astype(int)
        section = inside & self.mask[idx[..., 2], idx[..., 1], idx[..., 0]]
        return section, col0, row0


def nice_scale_length_mm(pixels_per_mm: float, max_pixels: float) -> int:
    """The longest round length (1, 2, 5 x 10^n mm) that fits in ``max_pixels``."""
    fitting = [n for n in _NICE_LENGTHS_MM if n * pixels_per_mm <= max_pixels]
    return fitting[-1] if fitting else _NICE_LENGTHS_MM[0]


def draw_scale_bar(painter: QPainter, rect: QRectF, pixels_per_mm: float, label: str) -> None:
    """A bar at the bottom centre of ``rect``; ``label`` has %1 for the length in mm."""
    length_mm = nice_scale_length_mm(pixels_per_mm, rect.width() * 0.25)
    length_px = length_mm * pixels_per_mm
    y = rect.bottom() - 10
    x0 = rect.center().x() - length_px / 2
    painter.setPen(QPen(TEXT_COLOUR, 2))
    painter.drawLine(QPointF(x0, y), QPointF(x0 + length_px, y))
    for x in (x0, x0 + length_px):
        painter.drawLine(QPointF(x, y - 5), QPointF(x, y))
    text = label.replace("%1", str(length_mm))
    width = QFontMetrics(painter.font()).horizontalAdvance(text)
    painter.drawText(QPointF(rect.center().x() - width / 2, y - 8), text)


def draw_side_labels(painter: QPainter, rect: QRectF, labels: Sequence[str]) -> None:
    """``labels`` = (left, right, top, bottom) letters at the middle of each side, clear of the
    corner text (two lines) above and the scale bar below."""
    font = QFont(painter.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.25)
    painter.setFont(font)
    painter.setPen(LABEL_COLOUR)
    metrics = QFontMetrics(font)
    left, right, top, bottom = labels
    cy, cx = rect.center().y() + metrics.ascent() / 2, rect.center().x()
    painter.drawText(QPointF(rect.left() + 6, cy), left)
    painter.drawText(QPointF(rect.right() - 6 - metrics.horizontalAdvance(right), cy), right)
    painter.drawText(
        QPointF(cx - metrics.horizontalAdvance(top) / 2, rect.top() + 36 + metrics.ascent()), top
    )
    painter.drawText(
        QPointF(cx - metrics.horizontalAdvance(bottom) / 2, rect.bottom() - 36), bottom
    )


def draw_corner_text(
    painter: QPainter, rect: QRectF, corner: Qt.AlignmentFlag, lines: Sequence[str]
) -> None:
    """Lines of text in one corner, with a dark halo so they read on bright bone."""
    text = "\n".join(line for line in lines if line)
    if not text:
        return
    area = rect.adjusted(8, 6, -8, -28)
    painter.setPen(QColor(0, 0, 0, 200))
    painter.drawText(area.translated(1, 1), int(corner), text)
    painter.setPen(TEXT_COLOUR)
    painter.drawText(area, int(corner), text)


def draw_polyline(painter: QPainter, colour: QColor, points: list[QPointF]) -> None:
    painter.setPen(QPen(colour, 1.5))
    painter.drawPolyline(QPolygonF(points))
