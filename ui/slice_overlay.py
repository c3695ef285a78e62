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
HALO_COLOUR = QColor(0, 0, 0, 190)
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


@dataclass(frozen=True)
class OverlayText:
    """What the four corners, the four side letters and the scale bar say."""

    top_left: Sequence[str]
    top_right: Sequence[str]
    bottom_left: Sequence[str]
    bottom_right: Sequence[str]
    sides: tuple[str, str, str, str]
    """Orientation letters (left, right, top, bottom)."""
    scale_label: str
    """The scale bar's text, %1 for its length in mm."""


@dataclass
class OverlayLayout:
    """Where each piece goes, in a font small enough that nothing overlaps."""

    font: QFont
    label_font: QFont
    corners: dict[str, tuple[QRectF, list[str]]]
    """top_left, top_right, bottom_left, bottom_right: box and (elided) lines."""
    labels: list[tuple[QPointF, str]]
    """Baseline start and letter for left, right, top, bottom."""
    label_rects: list[QRectF]
    scale_bar: tuple[QPointF, float, int]
    """Left end of the bar, its length in pixels and in mm."""
    scale_text_rect: QRectF
    scale_text: str


_MARGIN = 6.0
_MIN_POINT_SIZE = 7.0


def layout_overlay(
    area: QRectF, base_font: QFont, text: OverlayText, pixels_per_mm: float
) -> OverlayLayout:
    """Lay out the corner text, letters and scale bar of a view so that nothing overlaps.

    The font shrinks (down to a readable minimum) until the slice, window and view-name corners
    clear the letters and scale bar at the middle of their edge; then lines still too long are
    elided. The patient line is elided rather than shrinking the rest: it is also in the worklist.
    """
    font = QFont(base_font)
    while True:
        layout = _layout_at(area, font, text, pixels_per_mm)
        if _corners_fit(layout, area, skip="top_left") or font.pointSizeF() <= _MIN_POINT_SIZE:
            break
        font.setPointSizeF(max(_MIN_POINT_SIZE, font.pointSizeF() * 0.9))
    if not _corners_fit(layout, area):
        layout = _layout_at(area, font, text, pixels_per_mm, elide=True)
    return layout


def _label_font(font: QFont) -> QFont:
    label_font = QFont(font)
    label_font.setBold(True)
    label_font.setPointSizeF(font.pointSizeF() * 1.25)
    return label_font


def _layout_at(
    area: QRectF, font: QFont, text: OverlayText, pixels_per_mm: float, elide: bool = False
) -> OverlayLayout:
    label_font = _label_font(font)
    metrics, label_metrics = QFontMetrics(font), QFontMetrics(label_font)
    line_height = float(metrics.height())
    left, right, top, bottom = text.sides
    mid_x, mid_y = area.center().x(), area.center().y()
    # bottom centre, from the edge up: the bar, its length, the bottom letter
    length_mm = nice_scale_length_mm(pixels_per_mm, area.width() * 0.2)
    length_px = length_mm * pixels_per_mm
    bar_y = area.bottom() - _MARGIN - 2
    scale_text = text.scale_label.replace("%1", str(length_mm))
    scale_w = metrics.horizontalAdvance(scale_text)
    scale_rect = QRectF(mid_x - scale_w / 2, bar_y - 7 - line_height, scale_w, line_height)
    bottom_base = scale_rect.top() - 2 - label_metrics.descent()
    top_base = area.top() + _MARGIN + label_metrics.ascent()
    letters = [
        (QPointF(area.left() + _MARGIN, mid_y + label_metrics.capHeight() / 2), left),
        (
            QPointF(
                area.right() - _MARGIN - label_metrics.horizontalAdvance(right),
                mid_y + label_metrics.capHeight() / 2,
            ),
            right,
        ),
        (QPointF(mid_x - label_metrics.horizontalAdvance(top) / 2, top_base), top),
        (QPointF(mid_x - label_metrics.horizontalAdvance(bottom) / 2, bottom_base), bottom),
    ]
    label_rects = [
        QRectF(
            p.x(),
            p.y() - label_metrics.capHeight(),
            label_metrics.horizontalAdvance(t),
            label_metrics.capHeight(),
        )
        for p, t in letters
    ]
    centre_w = max(
        label_metrics.horizontalAdvance(top),
        label_metrics.horizontalAdvance(bottom),
        scale_w,
        length_px,
    )
    half_room = (area.width() - centre_w) / 2 - 2 * _MARGIN
    corners = {}
    for name, lines in (
        ("top_left", text.top_left),
        ("top_right", text.top_right),
        ("bottom_left", text.bottom_left),
        ("bottom_right", text.bottom_right),
    ):
        shown = [line for line in lines if line]
        if elide:
            shown = [
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(max(half_room, 0)))
                for line in shown
            ]
        width = max((metrics.horizontalAdvance(line) for line in shown), default=0)
        height = line_height * len(shown)
        x = area.left() + _MARGIN if name.endswith("left") else area.right() - _MARGIN - width
        y = area.top() + _MARGIN if name.startswith("top") else area.bottom() - _MARGIN - height
        corners[name] = (QRectF(x, y, width, height), shown)
    return OverlayLayout(
        font,
        label_font,
        corners,
        letters,
        label_rects,
        (QPointF(mid_x - length_px / 2, bar_y), length_px, length_mm),
        scale_rect,
        scale_text,
    )


def _corners_fit(layout: OverlayLayout, area: QRectF, skip: str = "") -> bool:
    """No corner reaches the letters or the scale bar at the middle of its edge."""
    mid_x = area.center().x()
    bar_start, bar_px, _ = layout.scale_bar
    middle_left = min(
        layout.label_rects[2].left(),
        layout.label_rects[3].left(),
        layout.scale_text_rect.left(),
        bar_start.x(),
    )
    middle_right = max(
        layout.label_rects[2].right(),
        layout.label_rects[3].right(),
        layout.scale_text_rect.right(),
        bar_start.x() + bar_px,
    )
    for name, (rect, _lines) in layout.corners.items():
        if rect.isEmpty() or name == skip:
            continue
        if name.endswith("left") and rect.right() + _MARGIN > min(middle_left, mid_x):
            return False
        if name.endswith("right") and rect.left() - _MARGIN < max(middle_right, mid_x):
            return False
    return True


def draw_overlay(painter: QPainter, layout: OverlayLayout) -> None:
    """Letters, scale bar and corner text, each with a dark halo so it reads on bright bone."""
    painter.setFont(layout.label_font)
    for point, letter in layout.labels:
        _draw_haloed(painter, point, letter, LABEL_COLOUR)
    start, length_px, _ = layout.scale_bar
    end = QPointF(start.x() + length_px, start.y())
    for pen in (QPen(HALO_COLOUR, 4), QPen(TEXT_COLOUR, 2)):
        painter.setPen(pen)
        painter.drawLine(start, end)
        for x in (start.x(), end.x()):
            painter.drawLine(QPointF(x, start.y() - 5), QPointF(x, start.y()))
    painter.setFont(layout.font)
    metrics = QFontMetrics(layout.font)
    scale_rect = layout.scale_text_rect
    scale_baseline = QPointF(scale_rect.left(), scale_rect.top() + metrics.ascent())
    _draw_haloed(painter, scale_baseline, layout.scale_text, TEXT_COLOUR)
    for name, (rect, lines) in layout.corners.items():
        for n, line in enumerate(lines):
            width = metrics.horizontalAdvance(line)
            x = rect.left() if name.endswith("left") else rect.right() - width
            baseline = rect.top() + n * metrics.height() + metrics.ascent()
            _draw_haloed(painter, QPointF(x, baseline), line, TEXT_COLOUR)


def _draw_haloed(painter: QPainter, baseline: QPointF, text: str, colour: QColor) -> None:
    painter.setPen(HALO_COLOUR)
    for dx, dy in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
        painter.drawText(baseline + QPointF(dx, dy), text)
    painter.setPen(colour)
    painter.drawText(baseline, text)


def draw_polyline(painter: QPainter, colour: QColor, points: list[QPointF]) -> None:
    painter.setPen(QPen(colour, 1.5))
    painter.drawPolyline(QPolygonF(points))
