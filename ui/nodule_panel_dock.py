"""Nodule panel: the open series' nodules with their measures, labels and live categories.

A click on a nodule in the 2D views (measure_at) segments and stores it in the background, with
progress and Cancel, and says why when it cannot; a click on a lesion already measured or being
measured selects it instead. The table shows every current measurement of the study and the
Lung-RADS category the engine gives it now; the editors below always show the current version and
turn what the radiologist changes into a new version. Reject takes a wrong finding out of the
study (kept in the history, with the reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.errors import SegmentationError
from nodule_desk.imaging.mask_codec import decode_mask
from nodule_desk.imaging.mask_hit import mask_contains_world_point, near_point
from nodule_desk.imaging.slice_gaps import describe_ranges, interpolated_slices, refuse_across_gaps
from nodule_desk.reports.size_bands import solid_size_bands
from nodule_desk.store import Measurement, Series, Store
from nodule_desk.store.models import CALCIFICATIONS, DENSITY_TYPES, LOBES, LOCATIONS, MARGINS
from nodule_desk.volume import CTVolume
from ui.jobs import Job, JobRunner, describe_error
from ui.lung_zones import LungZones
from ui.measure_status import MeasureStatus, segmentation_reason

NODULE_COLOURS = [
    (1.0, 0.35, 0.3),
    (0.3, 0.8, 1.0),
    (1.0, 0.8, 0.2),
    (0.5, 1.0, 0.4),
    (0.9, 0.5, 1.0),
    (1.0, 0.6, 0.2),
]
LABEL_FIELDS = ("lobe", "margin", "calcification", "location", "density_type")
PENDING_RADIUS_MM = 5.0
"""A second click this close to a lesion being measured is the same lesion."""


def live_categories(store: Store, study_uid: str) -> dict[str, str]:
    """Lung-RADS category per nodule label from the current measurements, as the engine sees it."""
    from nodule_desk.errors import NoduleDeskError
    from nodule_desk.followup.history import classification_input
    from nodule_desk.guidelines import classify_findings
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
    caliper_requested = Signal()
    compare_requested = Signal(int, str)
    """nodule id, study UID: show this nodule beside its prior visit"""
    """the automatic outline failed: measure by hand"""

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
        self.pending: dict[Job, tuple[float, float, float]] = {}
        """measurements running, by the point clicked"""
        self._loaded: dict[str, Any] = {}
        """what the editors were filled with, to tell the radiologist's changes apart"""
        self._masks: dict[int, CTVolume] = {}
        self.lung_zones = LungZones(jobs, self)
        self.lung_zones.ready.connect(self._zones_found)
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
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.reject_action = QAction(self)
        self.reject_action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        self.reject_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.reject_action.triggered.connect(lambda: self.reject_current())
        self.table.addAction(self.reject_action)
        self.compare_action = QAction(self)
        self.compare_action.triggered.connect(self.request_comparison)
        self.table.addAction(self.compare_action)
        self.measure_status = MeasureStatus()
        self.measure_status.cancel_requested.connect(self.cancel_measuring)
        self.measure_status.caliper_requested.connect(self.caliper_requested)
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
        self.zone_label = QLabel()
        self.zone_label.setWordWrap(True)
        self.size_label = QLabel()
        self.size_label.setObjectName("SizeBands")
        self.size_label.setWordWrap(True)
        self.size_label.setStyleSheet("color: #f0c36d;")
        buttons = QHBoxLayout()
        self.apply_button = QPushButton()
        self.apply_button.clicked.connect(self.apply_edits)
        self.report_button = QPushButton()
        self.report_button.clicked.connect(self._request_report)
        self.reject_button = QPushButton()
        self.reject_button.clicked.connect(lambda: self.reject_current())
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.report_button)
        layout.addWidget(self.hint)
        layout.addWidget(self.measure_status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.zone_label)
        layout.addWidget(self.size_label)
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

    def lobe_abbreviations(self) -> dict[str, str]:
        """Short lobe names for the table's narrow column."""
        return {
            "RUL": self.tr("RUL"),
            "RML": self.tr("RML"),
            "RLL": self.tr("RLL"),
            "LUL": self.tr("LUL"),
            "lingula": self.tr("Lingula"),
            "LLL": self.tr("LLL"),
        }

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Nodules"))
        labels = self.choice_labels()
        for combo in self.combos.values():
            for index in range(1, combo.count()):
                combo.setItemText(index, labels.get(combo.itemData(index), combo.itemData(index)))
        headings = [
            self.tr("Nodule"),
            self.tr("Lobe"),
            self.tr("Type"),
            self.tr("Long × short (mm)"),
            self.tr("Mean (mm)"),
            self.tr("Volume (mm³)"),
            self.tr("Solid (mm)"),
            self.tr("Lung-RADS"),
        ]
        # the unit on a second line keeps the eight columns within the dock's width
        self.table.setHorizontalHeaderLabels(
            [
                h.replace(" (", "\n(")
                .replace("Long × short", "Long ×\nshort")
                .replace("Lung-RADS", "Lung-\nRADS")
                for h in headings
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
        self.reject_button.setText(self.tr("Reject…"))
        self.reject_button.setToolTip(self.tr("Not a nodule: take it out of this study (Delete)"))
        self.reject_action.setText(self.tr("Reject finding…"))
        self.compare_action.setText(self.tr("Compare with prior"))
        self._fill_table()
        if hasattr(self, "zone_label"):
            self._show_position(self.current_measurement())
        self._update_hint()

    def _update_hint(self) -> None:
        self._update_hint_text()
        gaps = interpolated_slices(self.volume) if self.volume is not None else []
        if gaps:
            warning = self.tr(
                "Slices %1 are missing from this series and were interpolated: "
                "no automatic volume across them."
            ).replace("%1", describe_ranges(gaps))
            self.hint.setText(f"{self.hint.text()}\n{warning}")

    def _update_hint_text(self) -> None:
        if self.series is not None and self.volume is None:
            self.hint.setText(self.tr("Loading the series…"))
        elif self.series is None:
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
        """Bind the panel to the series shown; with ``volume`` None the series is still loading
        and nothing of the previous one stays on screen."""
        if series is None or self.series is None or series.id != self.series.id:
            self.cancel_measuring()
            self.measure_status.clear()
        self.series, self.volume = series, volume
        self.lung_zones.set_volume(volume)
        self.refresh()

    def _zones_found(self) -> None:
        self._fill_table()
        self._load_editors(self.current_measurement())

    def zone_text(self, measurement: Measurement) -> str:
        zone = self.lung_zones.zone_of(measurement)
        if zone is None:
            return ""
        words = {
            ("right", "upper"): self.tr("right lung, upper zone"),
            ("right", "middle"): self.tr("right lung, middle zone"),
            ("right", "lower"): self.tr("right lung, lower zone"),
            ("left", "upper"): self.tr("left lung, upper zone"),
            ("left", "middle"): self.tr("left lung, middle zone"),
            ("left", "lower"): self.tr("left lung, lower zone"),
        }
        return words[(zone.side, zone.zone)]

    def refresh(self) -> None:
        selected = self.current_measurement()
        self.measurements, self.categories, self._masks = [], {}, {}
        if self.store is not None and self.series is not None and self.volume is not None:
            self.measurements = [
                m for m in self.store.current_measurements(study_uid=self.series.study_uid)
            ]
            self.categories = live_categories(self.store, self.series.study_uid)
        self.table.blockSignals(True)
        self._fill_table()
        self.table.clearSelection()
        if selected is not None:
            self.select_label(selected.nodule_label)
        self.table.blockSignals(False)
        self._update_hint()
        self.table.resizeColumnsToContents()
        self._selection_changed(emit=False)
        self.outlines_changed.emit(self.outlines())
        self.measurements_changed.emit()

    def mask_of(self, measurement: Measurement) -> CTVolume | None:
        if measurement.id not in self._masks:
            data = self.store.measurement_mask(measurement.id) if self.store else None
            if not data:
                return None
            self._masks[measurement.id] = decode_mask(data)
        return self._masks[measurement.id]

    def outlines(self) -> list[tuple[str, CTVolume, tuple[float, float, float]]]:
        outlines = []
        for index, measurement in enumerate(self.measurements):
            mask = self.mask_of(measurement)
            if mask is not None:
                colour = NODULE_COLOURS[index % len(NODULE_COLOURS)]
                outlines.append((measurement.nodule_label, mask, colour))
        return outlines

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.measurements))
        for row, m in enumerate(self.measurements):
            axes = f"{_fmt(m.long_axis_mm)} × {_fmt(m.short_axis_mm)}"
            words = self.choice_labels()
            cells = [
                m.nodule_label,
                self._lobe_cell(m),
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

    def _lobe_cell(self, m: Measurement) -> str:
        """The lobe set by the radiologist, else the one the lung zone suggests, marked "?"."""
        if m.lobe:
            return self.lobe_abbreviations().get(m.lobe, m.lobe)
        zone = self.lung_zones.zone_of(m)
        return f"{self.lobe_abbreviations()[zone.suggested_lobe]}?" if zone else "—"

    def request_comparison(self) -> None:
        measurement = self.current_measurement()
        if measurement is not None:
            self.compare_requested.emit(measurement.nodule_id, measurement.study_uid)

    def current_measurement(self) -> Measurement | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.measurements[rows[0].row()] if rows else None

    def select_label(self, label: str) -> None:
        for row, m in enumerate(self.measurements):
            if m.nodule_label == label:
                self.table.selectRow(row)

    def _selection_changed(self, emit: bool = True) -> None:
        measurement = self.current_measurement()
        self._set_editing_enabled(measurement is not None)
        self._load_editors(measurement)
        if measurement is not None and emit:
            self.nodule_selected.emit(measurement.center_lps_mm)

    def _load_editors(self, measurement: Measurement | None) -> None:
        """Show the current version in the editors (a caliper or brush edit included)."""
        for name, combo in self.combos.items():
            value = getattr(measurement, name) if measurement else None
            combo.setCurrentIndex(max(combo.findData(value), 0))
        self.long_axis.setValue((measurement.long_axis_mm if measurement else None) or 0.0)
        self.short_axis.setValue((measurement.short_axis_mm if measurement else None) or 0.0)
        self._loaded = self._editor_values()
        self._show_position(measurement)
        zone = self.lung_zones.zone_of(measurement) if measurement else None
        if measurement is not None and zone is not None:
            if not measurement.lobe:  # offered, written only when the radiologist applies it
                combo = self.combos["lobe"]
                combo.setCurrentIndex(max(combo.findData(zone.suggested_lobe), 0))

    def _show_position(self, measurement: Measurement | None) -> None:
        """The lung zone and the size bands of the selected nodule, in the UI's language."""
        self.zone_label.setText("")
        self.size_label.setText("")
        bands = (
            solid_size_bands(
                measurement.density_type, measurement.mean_diameter_mm, measurement.volume_mm3
            )
            if measurement
            else None
        )
        if bands is not None and bands.differ:
            self.size_label.setText(
                self.tr(
                    "Lung-RADS by mean diameter %1, by volume %2: the category follows "
                    "the diameter."
                )
                .replace("%1", bands.by_diameter)
                .replace("%2", bands.by_volume)
            )
        zone = self.lung_zones.zone_of(measurement) if measurement else None
        if measurement is not None and zone is not None:
            self.zone_label.setText(
                self.tr("Position: %1 (suggests %2)")
                .replace("%1", self.zone_text(measurement))
                .replace("%2", self.choice_labels()[zone.suggested_lobe])
            )

    def _editor_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: c.currentData() for name, c in self.combos.items()}
        values["axes"] = (round(self.long_axis.value(), 1), round(self.short_axis.value(), 1))
        return values

    def _set_editing_enabled(self, enabled: bool) -> None:
        editors = (*self.combos.values(), self.long_axis, self.short_axis, self.apply_button)
        for widget in (*editors, self.reject_button, self.reject_action):
            widget.setEnabled(enabled)
        self.report_button.setEnabled(self.series is not None and self.volume is not None)

    # --- commands -------------------------------------------------------------------------------
    def measured_at(self, world_lps_mm: Sequence[float]) -> Measurement | None:
        """The stored nodule whose mask holds the point, if any."""
        for measurement in self.measurements:
            mask = self.mask_of(measurement)
            if mask is not None and mask_contains_world_point(mask, world_lps_mm):
                return measurement
            radius = (measurement.mean_diameter_mm or 0.0) / 2
            if mask is None and near_point(measurement.center_lps_mm, world_lps_mm, radius):
                return measurement
        return None

    def measure_at(self, world_lps_mm: Sequence[float]) -> Job | None:
        """Segment and store the nodule at the point, off the GUI thread; a point on a nodule
        already measured selects it, one on a lesion being measured is ignored."""
        if self.store is None or self.jobs is None or self.series is None or self.volume is None:
            return None
        point = tuple(float(v) for v in world_lps_mm)
        known = self.measured_at(point)
        if known is not None:
            self.select_label(known.nodule_label)
            self.measure_status.show_note(
                self.tr("%1 is already measured: selected it.").replace("%1", known.nodule_label)
            )
            return None
        if any(near_point(p, point, PENDING_RADIUS_MM) for p in self.pending.values()):
            note = self.tr("This lesion is being measured.")
            self.measure_status.show_running(len(self.pending), note)
            return None
        db_path, series, volume = self.store.path, self.series, self.volume

        def run(progress: Any, cancel: Any) -> str:
            from nodule_desk.followup.nodule_records import measure_and_record

            if interpolated_slices(volume):  # no automatic volume across missing slices
                from nodule_desk.imaging.segment import segment_nodule

                found = segment_nodule(volume, point)
                refuse_across_gaps(volume, found.mask, found.geometry)
            with Store.open(db_path) as store:
                measurement, _ = measure_and_record(
                    store, volume, point, series.series_uid, series.stack_key
                )
            return measurement.nodule_label

        job = Job(run)
        job.signals.finished.connect(lambda label, job=job: self._measured(job, label))
        job.signals.failed.connect(lambda error, job=job: self._measure_failed(job, error))
        job.signals.cancelled.connect(lambda job=job: self._measure_ended(job))
        self.pending[job] = point
        self._measuring_changed()
        self.jobs.start(job)
        return job

    def cancel_measuring(self) -> None:
        for job in list(self.pending):
            job.cancel()

    def _measuring_changed(self) -> None:
        busy = bool(self.pending)
        if busy:
            self.measure_status.show_running(len(self.pending))
            if QApplication.overrideCursor() is None:
                QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            while QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()

    def _measure_ended(self, job: Job) -> bool:
        """Whether the job still belongs to the series shown."""
        mine = self.pending.pop(job, None) is not None
        self._measuring_changed()
        if not self.pending and mine:
            self.measure_status.clear()
        return mine

    def _measured(self, job: Job, label: str) -> None:
        if self._measure_ended(job):
            self.refresh()
            self.select_label(label)
            self.findings_changed()

    def _measure_failed(self, job: Job, error: BaseException) -> None:
        if not self._measure_ended(job):
            return
        if isinstance(error, SegmentationError):
            reason = segmentation_reason(error)
            text = self.tr("No nodule measured: %1 Measure it with the caliper instead.")
            self.measure_status.show_failure(text.replace("%1", reason), offer_caliper=True)
        else:
            self.measure_status.show_failure(describe_error(error), offer_caliper=False)

    def findings_changed(self) -> None:
        """After any change of the study's findings: a signed report becomes amended."""
        from nodule_desk.reports.amendment import amend_if_changed

        if self.store is not None and self.series is not None:
            amended = amend_if_changed(self.store, self.series.study_uid)
            if amended is not None:
                text = self.tr(
                    "The signed report changed: version %1 is pending your signature."
                ).replace("%1", str(amended.version))
                self.measure_status.show_note(text)

    def reject_current(self, reason: str | None = None) -> bool:
        """Reject the selected finding (not a nodule), asking why unless ``reason`` is given."""
        measurement = self.current_measurement()
        if measurement is None or self.store is None:
            return False
        if reason is None:
            reason = self._ask_reject_reason(measurement)
        if not reason or not reason.strip():
            return False
        self.store.reject_finding(measurement.id, reason)
        self.table.clearSelection()
        self.refresh()
        self.findings_changed()
        return True

    def _ask_reject_reason(self, measurement: Measurement) -> str:
        dialog = QInputDialog(self)
        dialog.setObjectName("RejectReasonDialog")
        dialog.setWindowTitle(self.tr("Reject %1").replace("%1", measurement.nodule_label))
        dialog.setLabelText(
            self.tr("Why is %1 not a nodule? (kept in its history)").replace(
                "%1", measurement.nodule_label
            )
        )
        dialog.setComboBoxEditable(True)
        dialog.setComboBoxItems(
            [self.tr("Vessel"), self.tr("Scar or atelectasis"), self.tr("Artefact")]
        )
        return dialog.textValue() if dialog.exec() else ""

    def apply_edits(self) -> None:
        """Only the editors the radiologist changed become a new version of the current one."""
        from nodule_desk.followup.nodule_records import record_labels, record_manual_axes

        measurement = self.current_measurement()
        if measurement is None or self.store is None:
            return
        edited = self._editor_values()
        changed = {k: v for k, v in edited.items() if v != self._loaded.get(k)}
        labels = {k: v for k, v in changed.items() if k != "axes" and v is not None}
        current = self.store.get_measurement(measurement.id)
        if labels:
            current = record_labels(self.store, current.id, labels)
        if "axes" in changed:
            current = record_manual_axes(self.store, current.id, *changed["axes"])
        self.refresh()
        self.select_label(current.nodule_label)
        self.findings_changed()

    def _request_report(self) -> None:
        if self.series is not None:
            self.report_requested.emit(self.series.study_uid)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
