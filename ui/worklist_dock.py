"""Worklist dock: patients -> studies -> series from the store, with search and a date range.

Series rows get a small thumbnail (the middle slice, lung window) made in the background and
cached as PNG under the data dir, so the list is never blocked by reading DICOM files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QDate, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.followup.worklist import FollowUpItem, follow_up_worklist
from nodule_desk.names import display_name
from nodule_desk.paths import data_dir
from nodule_desk.store import Series, Store
from ui.i18n import current_language
from ui.jobs import Job, JobRunner

SERIES_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ROLE = Qt.ItemDataRole.UserRole + 2
THUMBNAIL_SIZE = 48


def thumbnail_path(series_uid: str, stack_key: str = "") -> Path:
    suffix = hashlib.sha1(stack_key.encode()).hexdigest()[:12] if stack_key else ""
    name = f"{series_uid}_{suffix}" if suffix else series_uid
    return data_dir() / "thumbnails" / f"{name}.png"


def make_thumbnail(files: list[Path], out: Path) -> Path:
    """Render the middle slice in lung window (-600/1500) to a small PNG at ``out``."""
    import pydicom

    ds = pydicom.dcmread(files[len(files) // 2])
    hu = ds.pixel_array.astype(np.float32) * float(getattr(ds, "RescaleSlope", 1)) + float(
        getattr(ds, "RescaleIntercept", 0)
    )
    gray = np.clip((hu + 600 + 750) / 1500 * 255, 0, 255).astype(np.uint8)
    step = max(1, max(gray.shape) // (THUMBNAIL_SIZE * 2))
    small = np.ascontiguousarray(gray[::step, ::step])
    image = QImage(
        small.data, small.shape[1], small.shape[0], small.shape[1], QImage.Format.Format_Grayscale8
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    image.scaled(
        THUMBNAIL_SIZE,
        THUMBNAIL_SIZE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    ).save(str(out))
    return out


class WorklistDock(QDockWidget):
    """Emits ``series_activated(Series)`` on double-click or Enter on a series row."""

    series_activated = Signal(object)
    compare_requested = Signal(str)
    """patient ID: show the patient's last two visits side by side"""

    def __init__(self, store: Store, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WorklistDock")
        self._store = store
        self._jobs = jobs
        self._thumbnail_job: Job | None = None
        self._today: dt.date | None = None
        """a fixed day for tests; the calendar's otherwise"""
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.date_filter = QCheckBox()
        self.date_from = QDateEdit(QDate.currentDate().addYears(-5))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        # Every column as wide as its text (a horizontal scroll bar before a name becomes "…").
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self._lay_out()
        self.search_edit.textChanged.connect(self.refresh)
        self.date_filter.toggled.connect(self._date_filter_toggled)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)
        self.tree.itemActivated.connect(self._item_activated)
        self.compare_action = QAction(self)
        self.compare_action.triggered.connect(self._compare_current)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.addAction(self.compare_action)
        self.retranslate_ui()
        self.refresh()

    def _lay_out(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.date_filter)  # the dates on their own row: a narrow dock fits them
        dates = QHBoxLayout()
        dates.addWidget(self.date_from, 1)
        dates.addWidget(self.date_to, 1)
        layout.addLayout(dates)
        layout.addWidget(self.tree, 1)
        self.setWidget(body)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Worklist"))
        self.search_edit.setPlaceholderText(self.tr("Search name or patient ID"))
        self.date_filter.setText(self.tr("Study date"))
        self.compare_action.setText(self.tr("Compare with prior"))
        self.date_from.setToolTip(self.tr("From"))
        self.date_to.setToolTip(self.tr("To"))
        self.tree.setHeaderLabels(
            [
                self.tr("Patient / study / series"),
                self.tr("Date"),
                self.tr("Images"),
                self.tr("Follow-up due"),
            ]
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _date_filter_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def date_range(self) -> tuple[str | None, str | None]:
        if not self.date_filter.isChecked():
            return None, None
        return (
            self.date_from.date().toString("yyyy-MM-dd"),
            self.date_to.date().toString("yyyy-MM-dd"),
        )

    def refresh(self) -> None:
        """Reload the tree from the store with the current search text and date range."""
        since, until = self.date_range()
        patients = self._store.search_patients(self.search_edit.text(), since, until)
        self.tree.clear()
        needing_thumbnails: list[Series] = []
        follow_ups = {i.patient_id: i for i in follow_up_worklist(self._store, self.today())}
        for patient in patients:
            name = display_name(patient.name, current_language())
            item = QTreeWidgetItem(
                [f"{name}  ({patient.patient_id})", patient.last_study_date or "", "", ""]
            )
            item.setData(0, PATIENT_ROLE, patient.patient_id)
            self._show_follow_up(item, follow_ups.get(patient.patient_id))
            self.tree.addTopLevelItem(item)
            for study in self._store.studies_of_patient(patient.patient_id):
                if (
                    since
                    and (study.study_date or "") < since
                    or until
                    and (study.study_date or "9999") > until
                ):
                    continue
                study_item = QTreeWidgetItem(
                    item, [study.description or study.study_uid, study.study_date or "", ""]
                )
                for series in self._store.series_of_study(study.study_uid):
                    needing_thumbnails += self._add_series(study_item, series)
            item.setExpanded(True)
        self.tree.setColumnHidden(3, not follow_ups)
        self.tree.resizeColumnToContents(1)
        self.tree.resizeColumnToContents(2)
        self._start_thumbnails(needing_thumbnails)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _show_follow_up(self, item: QTreeWidgetItem, follow_up: FollowUpItem | None) -> None:
        """The date the follow-up worklist gives (a later study meets it), red once it passed."""
        if follow_up is None:
            return
        if follow_up.next_due is None:
            item.setText(3, self.tr("CT done, report pending"))
            item.setToolTip(
                3, self.tr("A follow-up CT after the last signed report awaits its report")
            )
            return
        category = f" ({follow_up.category})" if follow_up.category else ""
        item.setText(3, f"{follow_up.next_due}{category}")
        tip = self.tr("Lung-RADS %1: %2").replace("%1", follow_up.category or "—")
        item.setToolTip(3, tip.replace("%2", follow_up.reason))
        if follow_up.next_due <= self.today().isoformat():
            item.setForeground(3, Qt.GlobalColor.red)
            due = self.tr("Follow-up CT is due")
            if follow_up.overdue_days > 0:
                due = self.tr("Follow-up CT overdue by %n day(s)", "", follow_up.overdue_days)
            item.setToolTip(3, f"{due}\n{item.toolTip(3)}")

    def _add_series(self, parent: QTreeWidgetItem, series: Series) -> list[Series]:
        label = series.description or series.series_uid
        series_item = QTreeWidgetItem(parent, [label, "", str(series.n_slices)])
        series_item.setData(0, SERIES_ROLE, series)
        parent.setExpanded(True)
        cached = thumbnail_path(series.series_uid, series.stack_key)
        if cached.exists():
            series_item.setIcon(0, QIcon(QPixmap(str(cached))))
            return []
        return [series]

    def series_items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            stack = [self.tree.topLevelItem(i)]
            while stack:
                item = stack.pop()
                if item.data(0, SERIES_ROLE) is not None:
                    found.append(item)
                stack.extend(item.child(c) for c in range(item.childCount()))
        return found

    def _item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        series = item.data(0, SERIES_ROLE)
        if series is not None:
            self.series_activated.emit(series)

    def _compare_current(self) -> None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is not None:
            patient_id = item.data(0, PATIENT_ROLE)
            if patient_id:
                self.compare_requested.emit(patient_id)

    def _start_thumbnails(self, series_list: list[Series]) -> None:
        if not series_list:
            return
        if self._thumbnail_job is not None:
            self._thumbnail_job.cancel()
        work = [(s, self._store.series_files(s.id)) for s in series_list]

        def run(progress: Any, cancel: Any) -> list[tuple[Series, Path]]:
            made = []
            for series, files in work:
                cancel.raise_if_cancelled()
                if files:
                    out = thumbnail_path(series.series_uid, series.stack_key)
                    try:
                        made.append((series, make_thumbnail(files, out)))
                    except Exception:  # noqa: BLE001,S112 - a missing thumbnail is not an error
                        continue
            return made

        self._thumbnail_job = Job(run)
        self._thumbnail_job.signals.finished.connect(self._thumbnails_ready)
        self._jobs.start(self._thumbnail_job)

    def _thumbnails_ready(self, made: list[tuple[Series, Path]]) -> None:
        paths = {s.id: p for s, p in made}
        for item in self.series_items():
            series = item.data(0, SERIES_ROLE)
            if series.id in paths:
                item.setIcon(0, QIcon(QPixmap(str(paths[series.id]))))
