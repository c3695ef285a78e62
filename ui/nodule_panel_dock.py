"""Nodule panel: the open series' nodules with their measures, labels and live categories.

A click on a nodule in the 2D views (measure_at) segments and stores it in the background; the
table shows every current measurement of the study, the Lung-RADS category the engine gives it now,
and the editors below turn the radiologist's labels and caliper values into new versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.imaging.mask_codec import decode_mask
from nodule_desk.store import Measurement, Series, Store
from nodule_desk.store.models import CALCIFICATIONS, DENSITY_TYPES, LOBES, LOCATIONS, MARGINS
from nodule_desk.volume import CTVolume
from ui.jobs import Job, JobRunner

NODULE_COLOURS = [
    (1.0, 0.35, 0.3),
    (0.3, 0.8, 1.0),
    (1.0, 0.8, 0.2),
    (0.5, 1.0, 0.4),
    (0.9, 0.5, 1.0),
    (1.0, 0.6, 0.2),
]
LABEL_FIELDS = ("lobe", "margin", "calcification", "location", "density_type")


def live_categories(store: Store, study_uid: str) -> dict[str, str]:
    """Lung-RADS category per nodule label from the current measurements, as the engine sees it."""
    from nodule_desk.errors import NoduleDeskError
    from nodule_desk.guidelines import classify_findings
    from nodule_desk.reports.visit_report import classification_input
    from nodule_desk.settings import load_settings

    findings = classification_input(store, study_uid, load_settings().default_context)
    if not findings["nodules"]:
        return {}
    try:
        result = classify_findings(findings)
    except NoduleDeskError:
        return {}
    return {n["id"]: n["category"] for n in result.get("lung_rads", {}).get("nodules", [])}


class NodulePanelDock(QDockWidget):
    nodule_selected = Signal(object)
    """centre of the chosen nodule, world LPS mm"""
    outlines_changed = Signal(list)
    """[(label, mask CTVolume with its geometry, rgb 0..1)] for the 2D and 3D views"""
    measurements_changed = Signal()
    report_requested = Signal(str)
    """study UID"""

    def __init__(
        self,
        store: Store | None = None,
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NodulePanelDock")
        self.store, self.jobs = store, jobs
        self.series: Series | None = None
        self.volume: CTVolume | None = None
        self.measurements: list[Measurement] = []
        self.categories: dict[str, str] = {}
        self._build()
        self.retranslate_ui()

    def _build(self) -> None:
        body = QWidget()
        body.setMinimumWidth(440)
        layout = QVBoxLayout(body)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.table = QTableWidget(0, 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for name, choices in (
            ("lobe", LOBES),
            ("margin", MARGINS),
            ("calcification", CALCIFICATIONS),
            ("location", LOCATIONS),
            ("density_type", DENSITY_TYPES),
        ):
            combo = QComboBox()
            combo.addItem("—", None)
            for choice in choices:
                combo.addItem(choice, choice)
            self.combos[name] = combo
            form.addRow(QLabel(), combo)
        self.long_axis = QDoubleSpinBox(decimals=1, maximum=100.0, suffix=" mm")
        self.short_axis = QDoubleSpinBox(decimals=1, maximum=100.0, suffix=" mm")
        axes = QHBoxLayout()
        axes.addWidget(self.long_axis)
        axes.addWidget(self.short_axis)
        form.addRow(QLabel(), axes)
        self.form = form
        buttons = QHBoxLayout()
        self.apply_button = QPushButton()
        self.apply_button.clicked.connect(self.apply_edits)
        self.report_button = QPushButton()
        self.report_button.clicked.connect(self._request_report)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.report_button)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.setWidget(body)
        self._set_editing_enabled(False)

    def choice_labels(self) -> dict[str, str]:
        """The radiologist's words for the stored label values, in the UI's language."""
        return {
            "RUL": self.tr("Right upper lobe"),
            "RML": self.tr("Right middle lobe"),
            "RLL": self.tr("Right lower lobe"),
            "LUL": self.tr("Left upper lobe"),
            "lingula": self.tr("Lingula"),
            "LLL": self.tr("Left lower lobe"),
            "smooth": self.tr("Smooth"),
            "lobulated": self.tr("Lobulated"),
            "spiculated": self.tr("Spiculated"),
            "absent": self.tr("None"),
            "diffuse": self.tr("Diffuse (benign)"),
            "central": self.tr("Central (benign)"),
            "laminated": self.tr("Laminated (benign)"),
            "popcorn": self.tr("Popcorn (benign)"),
            "stippled": self.tr("Stippled"),
            "eccentric": self.tr("Eccentric"),
            "amorphous": self.tr("Amorphous"),
            "parenchymal": self.tr("Parenchymal"),
            "perifissural": self.tr("Perifissural"),
            "juxtapleural": self.tr("Juxtapleural"),
            "airway": self.tr("Airway (endobronchial)"),
            "solid": self.tr("Solid"),
            "part_solid": self.tr("Part-solid"),
            "ground_glass": self.tr("Ground-glass"),
        }

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Nodules"))
        labels = self.choice_labels()
        for combo in self.combos.values():
            for index in range(1, combo.count()):
                combo.setItemText(index, labels.get(combo.itemData(index), combo.itemData(index)))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Nodule"),
                self.tr("Lobe"),
                self.tr("Type"),
                self.tr("Long × short (mm)"),
                self.tr("Mean (mm)"),
                self.tr("Volume (mm³)"),
                self.tr("Solid (mm)"),
                self.tr("Lung-RADS"),
            ]
        )
        names = [
            self.tr("Lobe"),
            self.tr("Margin"),
            self.tr("Calcification"),
            self.tr("Location"),
            self.tr("Density type"),
            self.tr("Long / short axis"),
        ]
        for row, name in enumerate(names):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            label.setText(name)
        self.apply_button.setText(self.tr("Apply changes"))
        self.report_button.setText(self.tr("Report…"))
        self._update_hint()

    def _update_hint(self) -> None:
        if self.series is None:
            self.hint.setText(self.tr("No nodules yet: open a series to list its nodules."))
        elif not self.measurements:
            self.hint.setText(self.tr("Ctrl+click a nodule in a 2D view to measure it."))
        else:
            self.hint.setText(self.tr("%n nodule(s) on this study.", "", len(self.measurements)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- data -----------------------------------------------------------------------------------
    def set_series(self, series: Series | None, volume: CTVolume | None) -> None:
        self.series, self.volume = series, volume
        self.refresh()

    def refresh(self) -> None:
        self.measurements, self.categories = [], {}
        if self.store is not None and self.series is not None:
            self.measurements = [
                m for m in self.store.current_measurements(study_uid=self.series.study_uid)
            ]
            self.categories = live_categories(self.store, self.series.study_uid)
        self._fill_table()
        self._update_hint()
        self.table.resizeColumnsToContents()
        self.outlines_changed.emit(self.outlines())
        self.measurements_changed.emit()

    def outlines(self) -> list[tuple[str, CTVolume, tuple[float, float, float]]]:
        outlines = []
        for index, measurement in enumerate(self.measurements):
            data = self.store.measurement_mask(measurement.id) if self.store else None
            if data:
                colour = NODULE_COLOURS[index % len(NODULE_COLOURS)]
                outlines.append((measurement.nodule_label, decode_mask(data), colour))
        return outlines

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.measurements))
        for row, m in enumerate(self.measurements):
            axes = f"{_fmt(m.long_axis_mm)} × {_fmt(m.short_axis_mm)}"
            words = self.choice_labels()
            cells = [
                m.nodule_label,
                m.lobe or "—",
                words.get(m.density_type or "", "—"),
                axes,
                _fmt(m.mean_diameter_mm),
                _fmt(m.volume_mm3, 0),
                _fmt(m.solid_component_mean_diameter_mm),
                self.categories.get(m.nodule_label, "—"),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)

    def current_measurement(self) -> Measurement | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.measurements[rows[0].row()] if rows else None

    def select_label(self, label: str) -> None:
        for row, m in enumerate(self.measurements):
            if m.nodule_label == label:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        measurement = self.current_measurement()
        self._set_editing_enabled(measurement is not None)
        if measurement is None:
            return
        for name, combo in self.combos.items():
            combo.setCurrentIndex(max(combo.findData(getattr(measurement, name)), 0))
        self.long_axis.setValue(measurement.long_axis_mm or 0.0)
        self.short_axis.setValue(measurement.short_axis_mm or 0.0)
        self.nodule_selected.emit(measurement.center_lps_mm)

    def _set_editing_enabled(self, enabled: bool) -> None:
        for widget in (*self.combos.values(), self.long_axis, self.short_axis, self.apply_button):
            widget.setEnabled(enabled)
        self.report_button.setEnabled(bool(self.measurements))

    # --- commands -------------------------------------------------------------------------------
    def measure_at(self, world_lps_mm: Sequence[float]) -> Job | None:
        """Segment and store the nodule at the point, off the GUI thread."""
        if self.store is None or self.jobs is None or self.series is None or self.volume is None:
            return None
        db_path, series, volume = self.store.path, self.series, self.volume
        point = tuple(float(v) for v in world_lps_mm)

        def run(progress: Any, cancel: Any) -> str:
            from nodule_desk.imaging.nodule_records import measure_and_record

            with Store.open(db_path) as store:
                measurement, _ = measure_and_record(
                    store, volume, point, series.series_uid, series.stack_key
                )
            return measurement.nodule_label

        job = Job(run)
        job.signals.finished.connect(self._measured)
        self.jobs.start(job)
        return job

    def _measured(self, label: str) -> None:
        self.refresh()
        self.select_label(label)

    def apply_edits(self) -> None:
        """The editors' values that differ from the current version become a new version."""
        from nodule_desk.imaging.nodule_records import record_labels, record_manual_axes

        measurement = self.current_measurement()
        if measurement is None or self.store is None:
            return
        labels = {
            name: combo.currentData()
            for name, combo in self.combos.items()
            if combo.currentData() != getattr(measurement, name)
        }
        labels = {k: v for k, v in labels.items() if v is not None}
        current = measurement
        if labels:
            current = record_labels(self.store, current.id, labels)
        long_axis, short_axis = self.long_axis.value(), self.short_axis.value()
        if (long_axis, short_axis) != (current.long_axis_mm or 0.0, current.short_axis_mm or 0.0):
            current = record_manual_axes(self.store, current.id, long_axis, short_axis)
        self.refresh()
        self.select_label(current.nodule_label)

    def _request_report(self) -> None:
        if self.series is not None:
            self.report_requested.emit(self.series.study_uid)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
