"""The branch doctor's follow-up worklist: who is due for a follow-up CT, soonest first.

Rows come from ``nodule_desk.followup.worklist.follow_up_worklist`` (the latest signed report's
date, met by a later study, or a date a doctor set by hand with a reason). Filters: due this week
(through Sunday, overdue ones included), overdue, Lung-RADS 4A or higher. Export as CSV (UTF-8
with BOM, for Excel) or as a printable PDF list. Double-click opens the patient's comparison.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.errors import NoduleDeskError
from nodule_desk.followup.worklist import FollowUpItem, follow_up_worklist, write_worklist_csv
from nodule_desk.followup.worklist_pdf import write_worklist_pdf
from nodule_desk.names import display_name
from nodule_desk.store import Store
from ui.i18n import current_language

PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = QColor(235, 80, 70)


class FollowUpWorklistDialog(QDialog):
    patient_activated = Signal(str)
    """patient ID: open the patient in the comparison view"""

    def __init__(
        self, store: Store, parent: QWidget | None = None, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FollowUpWorklistDialog")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.store = store
        self._today = today
        self.items: list[FollowUpItem] = []
        self._build()
        self.retranslate_ui()
        self.resize(1100, 640)
        self.refresh()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _build(self) -> None:
        self.due_filter = QComboBox()
        for key in ("all", "week", "overdue"):
            self.due_filter.addItem("", key)
        self.high_category = QCheckBox()
        self.due_filter.currentIndexChanged.connect(self.refresh)
        self.high_category.toggled.connect(self.refresh)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.due_filter)
        filters.addWidget(self.high_category)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        self.table = QTableWidget(0, 7)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._row_activated)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.compare_button = QPushButton()
        self.override_button = QPushButton()
        self.csv_button = QPushButton()
        self.pdf_button = QPushButton()
        self.close_button = QPushButton()
        self.compare_button.clicked.connect(self._compare_selected)
        self.override_button.clicked.connect(self._ask_override)
        self.csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.pdf_button.clicked.connect(lambda: self._ask_export("pdf"))
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.compare_button, self.override_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.csv_button, self.pdf_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._selection_changed()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Follow-up worklist"))
        for index, text in enumerate(
            (self.tr("All patients"), self.tr("Due this week"), self.tr("Overdue"))
        ):
            self.due_filter.setItemText(index, text)
        self.high_category.setText(self.tr("Lung-RADS 4A or higher"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Patient ID"),
                self.tr("Name"),
                self.tr("Next due"),
                self.tr("Overdue (days)"),
                self.tr("Lung-RADS"),
                self.tr("Last CT"),
                self.tr("Reason / management"),
            ]
        )
        self.compare_button.setText(self.tr("Compare with prior"))
        self.override_button.setText(self.tr("Set date…"))
        self.override_button.setToolTip(
            self.tr("Set the next follow-up date by hand, with a reason")
        )
        self.csv_button.setText(self.tr("Export CSV…"))
        self.pdf_button.setText(self.tr("Print list (PDF)…"))
        self.close_button.setText(self.tr("Close"))
        self._show_items()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- rows -----------------------------------------------------------------------------------
    def end_of_week(self) -> dt.date:
        today = self.today()
        return today + dt.timedelta(days=6 - today.weekday())

    def filter_text(self) -> str:
        parts = [self.due_filter.currentText()]
        if self.high_category.isChecked():
            parts.append(self.high_category.text())
        return ", ".join(parts)

    def refresh(self) -> None:
        if not hasattr(self, "table"):
            return
        key = self.due_filter.currentData()
        self.items = follow_up_worklist(
            self.store,
            today=self.today(),
            due_before=self.end_of_week() if key == "week" else None,
            overdue_only=key == "overdue",
            min_category="4A" if self.high_category.isChecked() else None,
        )
        self._show_items()

    def _show_items(self) -> None:
        if not hasattr(self, "table"):
            return
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            self._fill_row(row, item)
        self.count_label.setText(self.tr("%n patient(s)", "", len(self.items)))
        self._selection_changed()

    def _fill_row(self, row: int, item: FollowUpItem) -> None:
        due = item.next_due or self.tr("awaiting report")
        reason = item.reason
        if item.next_due is None and item.last_study_date:
            reason = self.tr("follow-up CT of %1 awaits its report").replace(
                "%1", item.last_study_date
            )
        values = [
            item.patient_id,
            display_name(item.name, current_language()),
            due,
            str(item.overdue_days) if item.overdue_days else "",
            item.category or "",
            item.last_study_date or "",
            reason,
        ]
        for column, value in enumerate(values):
            cell = QTableWidgetItem(value)
            cell.setData(PATIENT_ROLE, item.patient_id)
            if item.overdue_days > 0 and column in (2, 3):
                cell.setForeground(OVERDUE_COLOUR)
            if column == 6:
                cell.setToolTip(reason)
            self.table.setItem(row, column, cell)

    def patient_ids(self) -> list[str]:
        return [item.patient_id for item in self.items]

    def selected_patient(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()].patient_id if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected_patient() is not None
        self.compare_button.setEnabled(chosen)
        self.override_button.setEnabled(chosen)

    def _row_activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.items):
            self.patient_activated.emit(self.items[row].patient_id)

    def _compare_selected(self) -> None:
        patient_id = self.selected_patient()
        if patient_id:
            self.patient_activated.emit(patient_id)

    # --- override -------------------------------------------------------------------------------
    def override(self, patient_id: str, next_due: dt.date | None, reason: str) -> bool:
        """Set the patient's next follow-up date by hand; refused without a reason."""
        try:
            self.store.override_follow_up(
                patient_id, next_due.isoformat() if next_due else None, reason
            )
        except NoduleDeskError as error:
            self.message.setText(str(error))
            return False
        self.message.setText(self.tr("Follow-up of %1 set").replace("%1", patient_id))
        self.refresh()
        return True

    def _ask_override(self) -> None:
        patient_id = self.selected_patient()
        if patient_id is None:
            return
        item = next(i for i in self.items if i.patient_id == patient_id)
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Set the next follow-up date"))
        date_edit = QDateEdit()
        date_edit.setCalendarPopup(True)
        date_edit.setDisplayFormat("yyyy-MM-dd")
        start = dt.date.fromisoformat(item.next_due) if item.next_due else self.today()
        date_edit.setDate(QDate(start.year, start.month, start.day))
        reason = QLineEdit()
        reason.setPlaceholderText(self.tr("Why the date differs from the report (required)"))
        form = QFormLayout(dialog)
        form.addRow(
            self.tr("Patient"),
            QLabel(f"{display_name(item.name, current_language())}  ({patient_id})"),
        )
        form.addRow(self.tr("Next follow-up"), date_edit)
        form.addRow(self.tr("Reason"), reason)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(lambda: dialog.accept() if reason.text().strip() else None)
        box.rejected.connect(dialog.reject)
        form.addRow(box)
        if dialog.exec():
            chosen = date_edit.date()
            self.override(
                patient_id,
                dt.date(chosen.year(), chosen.month(), chosen.day()),
                reason.text().strip(),
            )

    # --- export ---------------------------------------------------------------------------------
    def export_csv(self, path: Path) -> Path:
        written = write_worklist_csv(self.items, Path(path))
        self.message.setText(self.tr("Saved %1").replace("%1", str(written)))
        return written

    def export_pdf(self, path: Path) -> Path:
        written = write_worklist_pdf(
            self.items, Path(path), current_language(), self.today(), self.filter_text()
        )
        self.message.setText(self.tr("Saved %1").replace("%1", str(written)))
        return written

    def _ask_export(self, kind: str) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"follow-ups_{self.today().isoformat()}.{kind}"
        filters = self.tr("CSV (*.csv)") if kind == "csv" else self.tr("PDF (*.pdf)")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export follow-up worklist"), str(Path(folder) / name), filters
        )
        if not path:
            return
        try:
            self.export_csv(Path(path)) if kind == "csv" else self.export_pdf(Path(path))
        except (OSError, NoduleDeskError) as error:
            self.message.setText(
                self.tr("Cannot save %1: %2").replace("%1", path).replace("%2", str(error))
            )
