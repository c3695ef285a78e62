"""A nodule's growth over its visits: volume on a log axis (left), mean diameter (right), the
volume doubling time written on it.

Drawn with QPainter: two series of a handful of points do not need a chart library, and
PySide6-Addons (QtCharts) would add a large second wheel that must match PySide6-Essentials'
version exactly on every platform the installer builds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

VOLUME_COLOUR = QColor(255, 190, 60)
DIAMETER_COLOUR = QColor(90, 190, 255)
MARKER_RADIUS = 4.5


@dataclass(frozen=True)
class GrowthPoint:
    study_date: dt.date
    volume_mm3: float | None
    mean_diameter_mm: float | None


class GrowthChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GrowthChart")
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._points: list[GrowthPoint] = []
        self._note = ""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, 240)

    def set_points(self, points: list[GrowthPoint], note: str = "") -> None:
        """The visits, oldest first, and a line to write on the chart (the VDT)."""
        self._points = sorted(points, key=lambda p: p.study_date)
        self._note = note
        self.update()

    def points(self) -> list[GrowthPoint]:
        return list(self._points)

    def note(self) -> str:
        return self._note

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.update()
        super().changeEvent(event)

    # --- geometry -------------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        metrics = QFontMetricsF(self.font())
        left = metrics.horizontalAdvance("10000") + 14
        right = metrics.horizontalAdvance("00.0") + 14
        top = metrics.height() * 2 + 8
        bottom = metrics.height() + 10
        return QRectF(left, top, self.width() - left - right, self.height() - top - bottom)

    def _date_range(self) -> tuple[dt.date, dt.date]:
        first, last = self._points[0].study_date, self._points[-1].study_date
        if first == last:
            first, last = first - dt.timedelta(days=30), last + dt.timedelta(days=30)
        pad = dt.timedelta(days=max(1, (last - first).days // 12))
        return first - pad, last + pad

    def _x(self, day: dt.date) -> float:
        rect, (first, last) = self.plot_rect(), self._date_range()
        return rect.left() + rect.width() * (day - first).days / (last - first).days

    def _volume_range(self) -> tuple[float, float]:
        volumes = [p.volume_mm3 for p in self._points if p.volume_mm3]
        low, high = (min(volumes), max(volumes)) if volumes else (10.0, 1000.0)
        return 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high * 1.0001))

    def _diameter_range(self) -> tuple[float, float]:
        diameters = [p.mean_diameter_mm for p in self._points if p.mean_diameter_mm]
        if not diameters:
            return 0.0, 10.0
        high = max(diameters) * 1.25
        return 0.0, max(5.0, math.ceil(high / 5.0) * 5.0)

    def _y_volume(self, volume_mm3: float) -> float:
        rect, (low, high) = self.plot_rect(), self._volume_range()
        fraction = (math.log10(volume_mm3) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return rect.bottom() - rect.height() * fraction

    def _y_diameter(self, diameter_mm: float) -> float:
        rect, (low, high) = self.plot_rect(), self._diameter_range()
        return rect.bottom() - rect.height() * (diameter_mm - low) / (high - low)

    def volume_positions(self) -> list[QPointF]:
        """Where each visit's volume marker is drawn, in widget coordinates."""
        return [
            QPointF(self._x(p.study_date), self._y_volume(p.volume_mm3))
            for p in self._points
            if p.volume_mm3
        ]

    def diameter_positions(self) -> list[QPointF]:
        return [
            QPointF(self._x(p.study_date), self._y_diameter(p.mean_diameter_mm))
            for p in self._points
            if p.mean_diameter_mm
        ]

    # --- painting -------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if not self._points:
            painter.setPen(self.palette().text().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No measurements"))
            painter.end()
            return
        self._draw_axes(painter)
        self._draw_series(painter, self.diameter_positions(), DIAMETER_COLOUR, square=True)
        self._draw_series(painter, self.volume_positions(), VOLUME_COLOUR, square=False)
        self._draw_legend(painter)
        painter.end()

    def _draw_axes(self, painter: QPainter) -> None:
        rect = self.plot_rect()
        text_colour = self.palette().text().color()
        grid = QColor(text_colour)
        grid.setAlpha(50)
        metrics = QFontMetricsF(self.font())
        low, high = self._volume_range()
        decade = low
        while decade <= high * 1.0001:
            y = self._y_volume(decade)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(VOLUME_COLOUR)
            label = f"{decade:g}"
            painter.drawText(
                QPointF(
                    rect.left() - metrics.horizontalAdvance(label) - 6, y + metrics.ascent() / 3
                ),
                label,
            )
            decade *= 10
        d_low, d_high = self._diameter_range()
        step = 5.0 if d_high > 10 else 2.5
        value = d_low
        painter.setPen(DIAMETER_COLOUR)
        while value <= d_high + 1e-6:
            y = self._y_diameter(value)
            painter.drawText(QPointF(rect.right() + 6, y + metrics.ascent() / 3), f"{value:g}")
            value += step
        painter.setPen(QPen(text_colour, 1))
        painter.drawRect(rect)
        for point in self._points:
            x = self._x(point.study_date)
            label = point.study_date.isoformat()
            width = metrics.horizontalAdvance(label)
            x_text = min(max(x - width / 2, 0.0), self.width() - width)
            painter.drawText(QPointF(x_text, rect.bottom() + metrics.ascent() + 4), label)
        painter.setPen(VOLUME_COLOUR)
        painter.drawText(QPointF(2, rect.top() - 6), self.tr("mm³ (log)"))
        painter.setPen(DIAMETER_COLOUR)
        unit = self.tr("mm")
        painter.drawText(
            QPointF(self.width() - metrics.horizontalAdvance(unit) - 2, rect.top() - 6), unit
        )

    def _draw_series(
        self, painter: QPainter, positions: list[QPointF], colour: QColor, square: bool
    ) -> None:
        if not positions:
            return
        path = QPainterPath(positions[0])
        for point in positions[1:]:
            path.lineTo(point)
        painter.setPen(QPen(colour, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(colour)
        r = MARKER_RADIUS
        for point in positions:
            if square:
                painter.drawRect(QRectF(point.x() - r, point.y() - r, 2 * r, 2 * r))
            else:
                painter.drawEllipse(point, r, r)

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = QFontMetricsF(self.font())
        y = metrics.ascent() + 2
        x = self.plot_rect().left()
        for colour, text in (
            (VOLUME_COLOUR, self.tr("Volume")),
            (DIAMETER_COLOUR, self.tr("Mean diameter")),
        ):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, y - metrics.ascent() / 2 - 4, 10, 8))
            painter.setPen(self.palette().text().color())
            painter.drawText(QPointF(x + 14, y), text)
            x += 14 + metrics.horizontalAdvance(text) + 16
        if self._note:
            painter.setPen(self.palette().text().color())
            width = metrics.horizontalAdvance(self._note)
            painter.drawText(QPointF(max(x, self.width() - width - 4), y), self._note)
