"""One nodule's visits as a table: date, axes, mean diameter, volume, type, solid part, category,
who measured."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from nodule_desk.followup.history import NoduleVisit

COLUMNS = 9


def _mm(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class NoduleHistoryTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, COLUMNS, parent)
        self.setObjectName("NoduleHistoryTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self._visits: list[NoduleVisit] = []
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Long axis\n(mm)"),
                self.tr("Short axis\n(mm)"),
                self.tr("Mean diam.\n(mm)"),
                self.tr("Volume\n(mm³)"),
                self.tr("Type"),
                self.tr("Solid part\n(mm)"),
                self.tr("Category"),
                self.tr("Measured by"),
            ]
        )
        self.set_history(self._visits)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def density_names(self) -> dict[str, str]:
        return {
            "solid": self.tr("Solid"),
            "part_solid": self.tr("Part-solid"),
            "ground_glass": self.tr("Ground glass"),
        }

    def set_history(self, visits: list[NoduleVisit]) -> None:
        self._visits = list(visits)
        names = self.density_names()
        self.setRowCount(len(self._visits))
        for row, visit in enumerate(self._visits):
            m = visit.measurement
            volume = "" if m.volume_mm3 is None else f"{m.volume_mm3:.0f}"
            values = [
                visit.study_date.isoformat() if visit.study_date else "",
                _mm(m.long_axis_mm),
                _mm(m.short_axis_mm),
                _mm(m.mean_diameter_mm),
                volume,
                names.get(m.density_type or "", m.density_type or ""),
                _mm(m.solid_component_mean_diameter_mm),
                visit.lung_rads_category or "",
                m.created_by,
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if 1 <= column <= 4 or column == 6:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.setItem(row, column, item)
        self.resizeRowsToContents()

    def visits(self) -> list[NoduleVisit]:
        return list(self._visits)
