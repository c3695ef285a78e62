"""What an import could not use, file by file (and series with gaps or uneven spacing), as the
CLI prints it: a table the user can read, sort and copy for the PACS administrator."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ImportProblemsDialog(QDialog):
    def __init__(
        self,
        problems: Sequence[tuple[str, str]],
        imported_series: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ImportProblemsDialog")
        self.problems = list(problems)
        self.imported_series = imported_series
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(len(self.problems), 2)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, (where, reason) in enumerate(self.problems):
            self.table.setItem(row, 0, QTableWidgetItem(where))
            self.table.setItem(row, 1, QTableWidgetItem(reason))
            self.table.item(row, 0).setToolTip(where)
            self.table.item(row, 1).setToolTip(reason)
        self.table.setColumnWidth(0, 360)
        self.table.setSortingEnabled(True)
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 420)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Import: what could not be used"))
        text = self.tr("%n series imported.", "", self.imported_series)
        more = self.tr(
            "%n problem(s): files skipped and series with missing slices.", "", len(self.problems)
        )
        self.summary.setText(f"{text} {more}")
        self.table.setHorizontalHeaderLabels([self.tr("File or series"), self.tr("Problem")])
        self.copy_button.setText(self.tr("Copy"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def as_text(self) -> str:
        """Tab-separated, one problem a line, as a spreadsheet or an e-mail takes it."""
        return "\n".join(f"{where}\t{reason}" for where, reason in self.problems)

    def copy_to_clipboard(self) -> None:
        QApplication.clipboard().setText(self.as_text())
