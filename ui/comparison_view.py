"""Prior and current CT side by side, linked through the registration of the two visits.

Scrolling, panning or zooming one side shows the same anatomy on the other: the world point at
the centre of the moved view is carried through ``followup_world_from_baseline_world`` (or its
inverse) and put at the centre of the other view, at the same millimetres per pixel. The selected
nodule is centred in both with its stored outline; below, its history and growth chart, and the
identity decisions (confirm, re-link, split) that the radiologist can take with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nodule_desk.followup.history import NoduleVisit, growth_since, nodule_history
from nodule_desk.followup.registration import VisitRegistration
from nodule_desk.imaging.mask_codec import decode_mask
from nodule_desk.imaging.reslice import Orientation, VolumeReslicer
from nodule_desk.names import display_name
from nodule_desk.store import Measurement, Series, Store
from ui.growth_chart import GrowthChart, GrowthPoint
from ui.i18n import current_language
from ui.jobs import Job, JobRunner, describe_error
from ui.linked_slice_view import LinkedSliceView
from ui.nodule_history_table import NoduleHistoryTable

PRIOR_RGB = (0.35, 0.8, 1.0)
CURRENT_RGB = (1.0, 0.75, 0.2)
FIELD_OF_VIEW_MM = 110.0
"""How much of the chest the two views show when a nodule is centred."""


@dataclass(frozen=True)
class Comparison:
    """What is compared: two series of one patient and, when there is one, the nodule on both."""

    patient_id: str
    prior_series: Series
    current_series: Series
    nodule_id: int | None
    prior: Measurement | None
    current: Measurement | None


def _series_of(store: Store, measurement: Measurement) -> Series | None:
    return store.get_series(measurement.series_uid, measurement.stack_key)


def _first_series(store: Store, study_uid: str) -> Series | None:
    series = store.series_of_study(study_uid)
    return max(series, key=lambda s: s.n_slices) if series else None


def comparison_for_nodule(
    store: Store, nodule_id: int, current_study_uid: str | None = None
) -> Comparison | None:
    """The nodule on the given study (its latest visit by default) and on the visit before."""
    history = nodule_history(store, nodule_id)
    if not history:
        return None
    index = len(history) - 1
    if current_study_uid is not None:
        index = next(
            (i for i, v in enumerate(history) if v.measurement.study_uid == current_study_uid),
            index,
        )
    current = history[index].measurement
    patient_id = store.get_nodule(nodule_id).patient_id
    current_series = _series_of(store, current)
    if index > 0:
        prior: Measurement | None = history[index - 1].measurement
        prior_series = _series_of(store, prior)
    else:
        prior = None
        studies = store.studies_of_patient(patient_id)
        position = next(i for i, s in enumerate(studies) if s.study_uid == current.study_uid)
        if position == 0:
            return None
        prior_series = _first_series(store, studies[position - 1].study_uid)
    if prior_series is None or current_series is None:
        return None
    return Comparison(patient_id, prior_series, current_series, nodule_id, prior, current)


def comparison_for_patient(store: Store, patient_id: str) -> Comparison | None:
    """The patient's last two visits: the nodule measured most recently on the latest of them,
    or the two studies without a nodule when none was measured."""
    studies = store.studies_of_patient(patient_id)
    if len(studies) < 2:
        return None
    measurements = store.current_measurements(patient_id=patient_id)
    for study in reversed(studies[1:]):
        on_study = [m for m in measurements if m.study_uid == study.study_uid]
        if on_study:
            largest = max(on_study, key=lambda m: m.volume_mm3 or 0.0)
            return comparison_for_nodule(store, largest.nodule_id, study.study_uid)
    prior_series = _first_series(store, studies[-2].study_uid)
    current_series = _first_series(store, studies[-1].study_uid)
    if prior_series is None or current_series is None:
        return None
    return Comparison(patient_id, prior_series, current_series, None, None, None)


def _load_job(db_path: Path, comparison: Comparison) -> Any:
    """Both series loaded and their registration (stored once, then reused), in the job's own
    store connection (a Store belongs to its thread)."""

    def run(progress: Any, cancel: Any) -> tuple[Any, Any, VisitRegistration]:
        from nodule_desk.dicom.load import load_series
        from nodule_desk.followup.identity import registration_between

        with Store.open(db_path) as store:
            prior_files = store.series_files(comparison.prior_series.id)
            current_files = store.series_files(comparison.current_series.id)
            prior = load_series(prior_files, cancel=cancel)
            current = load_series(current_files, cancel=cancel)
            registration = registration_between(
                store,
                comparison.prior_series,
                comparison.current_series,
                followup_volume=current,
                load=lambda _series: prior,
                progress=progress,
                cancel=cancel,
            )
        return prior, current, registration

    return run


class ComparisonView(QDialog):
    ready = Signal()
    """Both visits are shown and linked."""
    identity_changed = Signal(int)
    """nodule id whose identity decision was recorded"""

    def __init__(self, store: Store, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ComparisonView")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.store, self.jobs = store, jobs
        self.comparison: Comparison | None = None
        self.registration: VisitRegistration | None = None
        self.history: list[NoduleVisit] = []
        self.job: Job | None = None
        self._syncing = False
        self._patient_name = ""
        self._study_dates: dict[str, str | None] = {}
        self._links: list[Any] = []
        self._build()
        self.retranslate_ui()
        self.resize(1500, 950)

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.patient_label = QLabel()
        self.nodule_combo = QComboBox()
        self.nodule_combo.activated.connect(self._nodule_chosen)
        self.nodule_caption = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.patient_label, 1)
        top.addWidget(self.nodule_caption)
        top.addWidget(self.nodule_combo)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.prior_view = LinkedSliceView(Orientation.AXIAL)
        self.current_view = LinkedSliceView(Orientation.AXIAL)
        self.prior_title, self.current_title = QLabel(), QLabel()
        views = QSplitter(Qt.Orientation.Horizontal)
        for title, view in (
            (self.prior_title, self.prior_view),
            (self.current_title, self.current_view),
        ):
            pane = QWidget()
            column = QVBoxLayout(pane)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(title)
            column.addWidget(view, 1)
            views.addWidget(pane)
        self.prior_view.view_moved.connect(lambda: self._follow(self.prior_view))
        self.current_view.view_moved.connect(lambda: self._follow(self.current_view))
        self.prior_view.world_point_clicked.connect(lambda p: self._crosshair(self.prior_view, p))
        self.current_view.world_point_clicked.connect(
            lambda p: self._crosshair(self.current_view, p)
        )
        self.prior_view.window_changed.connect(self.current_view.set_window)
        self.current_view.window_changed.connect(self.prior_view.set_window)

        self.table = NoduleHistoryTable()
        self.chart = GrowthChart()
        self.growth_label = QLabel()
        self.growth_label.setWordWrap(True)
        self.identity_label = QLabel()
        self.identity_label.setWordWrap(True)
        self.confirm_button, self.relink_button = QPushButton(), QPushButton()
        self.split_button, self.close_button = QPushButton(), QPushButton()
        self.confirm_button.clicked.connect(self._ask_confirm)
        self.relink_button.clicked.connect(self._ask_relink)
        self.split_button.clicked.connect(self._ask_split)
        self.close_button.clicked.connect(self.close)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.table, 1)
        details_layout.addWidget(self.growth_label)
        details_layout.addWidget(self.identity_label)
        buttons = QHBoxLayout()
        for button in (self.confirm_button, self.relink_button, self.split_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        details_layout.addLayout(buttons)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(details)
        lower.addWidget(self.chart)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(views)
        body.addWidget(lower)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(body, 1)
        self._set_busy(False)
        self._set_actions_enabled(False)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Compare with prior"))
        self.nodule_caption.setText(self.tr("Nodule"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.confirm_button.setText(self.tr("Confirm match…"))
        self.confirm_button.setToolTip(self.tr("Record that both visits show the same nodule"))
        self.relink_button.setText(self.tr("Re-link…"))
        self.relink_button.setToolTip(
            self.tr("This measurement belongs to another nodule of the patient")
        )
        self.split_button.setText(self.tr("Split…"))
        self.split_button.setToolTip(
            self.tr("Not the same lesion: make this measurement a new nodule")
        )
        self.close_button.setText(self.tr("Close"))
        self._show_titles()
        self._show_details()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- opening --------------------------------------------------------------------------------
    def open_patient(self, patient_id: str) -> Job | None:
        """The patient's two latest visits, centred on the nodule measured on the latest."""
        comparison = comparison_for_patient(self.store, patient_id)
        if comparison is None:
            self._say(
                self.tr("Patient %1 has no earlier visit to compare with").replace("%1", patient_id)
            )
            return None
        return self.open_comparison(comparison)

    def open_nodule(self, nodule_id: int, current_study_uid: str | None = None) -> Job | None:
        comparison = comparison_for_nodule(self.store, nodule_id, current_study_uid)
        if comparison is None:
            self._say(self.tr("This nodule's patient has no earlier visit to compare with"))
            return None
        return self.open_comparison(comparison)

    def open_comparison(self, comparison: Comparison) -> Job | None:
        """Show ``comparison``; loads and registers the series in the background unless they are
        the ones already shown (None is returned then, and ``ready`` emitted at once)."""
        same_series = (
            self.comparison is not None
            and self.registration is not None
            and self.comparison.prior_series.id == comparison.prior_series.id
            and self.comparison.current_series.id == comparison.current_series.id
        )
        self.comparison = comparison
        self._fill_nodules()
        self._load_history()
        self._show_titles()
        if same_series:
            self._show_nodule()
            self.ready.emit()
            return None
        self.cancel()
        self.registration = None
        self._say(self.tr("Loading both visits and registering them…"))
        job = Job(_load_job(self.store.path, comparison))
        job.signals.progress.connect(self._progress)
        job.signals.finished.connect(lambda result, job=job: self._loaded(job, result))
        job.signals.failed.connect(lambda error, job=job: self._failed(job, error))
        job.signals.cancelled.connect(lambda job=job: self._ended(job, self.tr("Cancelled")))
        self.job = job
        self._set_busy(True)
        return self.jobs.start(job)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _progress(self, done: int, total: int, _stage: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _ended(self, job: Job, message: str = "") -> None:
        if job is self.job:
            self.job = None
            self._set_busy(False)
            self._say(message)

    def _failed(self, job: Job, error: BaseException) -> None:
        self._ended(job, describe_error(error))

    def _loaded(self, job: Job, result: tuple[Any, Any, VisitRegistration]) -> None:
        if job is not self.job:
            return
        self._ended(job)
        prior, current, self.registration = result
        self.prior_view.set_reslicer(VolumeReslicer(prior))
        self.current_view.set_reslicer(VolumeReslicer(current))
        self._show_nodule()
        self.ready.emit()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- what is shown --------------------------------------------------------------------------
    def _fill_nodules(self) -> None:
        self.nodule_combo.clear()
        comparison = self.comparison
        if comparison is None:
            return
        measurements = self.store.current_measurements(
            study_uid=comparison.current_series.study_uid
        )
        for m in measurements:
            if m.series_uid == comparison.current_series.series_uid:
                self.nodule_combo.addItem(m.nodule_label, m.nodule_id)
        index = self.nodule_combo.findData(comparison.nodule_id)
        self.nodule_combo.setCurrentIndex(index)
        self.nodule_combo.setEnabled(self.nodule_combo.count() > 1)

    def _nodule_chosen(self, index: int) -> None:
        nodule_id = self.nodule_combo.itemData(index)
        if self.comparison is not None and nodule_id is not None:
            self.open_nodule(int(nodule_id), self.comparison.current_series.study_uid)

    def _load_history(self) -> None:
        """Read from the store what the texts show, so a language change needs no query."""
        comparison = self.comparison
        self.history, self._links = [], []
        if comparison is not None:
            patient = self.store.get_patient(comparison.patient_id)
            self._patient_name = patient.name if patient else ""
            studies = self.store.studies_of_patient(comparison.patient_id)
            self._study_dates = {s.study_uid: s.study_date for s in studies}
        if comparison is not None and comparison.nodule_id is not None:
            self.history = nodule_history(self.store, comparison.nodule_id)
            self._links = self.store.nodule_links(comparison.nodule_id)
        self._show_details()

    def _show_titles(self) -> None:
        comparison = self.comparison
        if comparison is None:
            self.patient_label.clear()
            self.prior_title.setText(self.tr("Prior"))
            self.current_title.setText(self.tr("Current"))
            return
        name = display_name(self._patient_name, current_language())
        self.patient_label.setText(f"{name}  ({comparison.patient_id})")
        dates = self._study_dates
        for label, text, series in (
            (self.prior_title, self.tr("Prior: %1  %2"), comparison.prior_series),
            (self.current_title, self.tr("Current: %1  %2"), comparison.current_series),
        ):
            date = dates.get(series.study_uid) or ""
            label.setText(text.replace("%1", date).replace("%2", series.description or ""))

    def _show_details(self) -> None:
        self.table.set_history(self.history)
        points = [
            GrowthPoint(v.study_date, v.measurement.volume_mm3, v.measurement.mean_diameter_mm)
            for v in self.history
            if v.study_date is not None
        ]
        self.chart.set_points(points, self.vdt_note())
        self.growth_label.setText(self.growth_text())
        self.identity_label.setText(self.identity_text())
        self._set_actions_enabled(self._current_has_prior())

    def _current_visit_index(self) -> int | None:
        comparison = self.comparison
        if comparison is None or comparison.current is None:
            return None
        return next(
            (
                i
                for i, v in enumerate(self.history)
                if v.measurement.study_uid == comparison.current.study_uid
            ),
            None,
        )

    def _current_has_prior(self) -> bool:
        index = self._current_visit_index()
        return index is not None and index > 0

    def current_growth(self):  # noqa: ANN201 - Growth | None
        index = self._current_visit_index()
        if index is None or index == 0:
            return None
        return growth_since(self.history[index - 1], self.history[index])

    def status_names(self) -> dict[str, str]:
        return {
            "growing": self.tr("growing"),
            "stable": self.tr("stable"),
            "shrinking": self.tr("shrinking"),
            "indeterminate": self.tr("indeterminate (within measurement uncertainty)"),
        }

    def vdt_note(self) -> str:
        """VDT = Δt · ln 2 / ln(V2/V1); a shrinking volume has no doubling time, and a change
        inside the measurement's own uncertainty is not read as one."""
        growth = self.current_growth()
        if growth is None or growth.volume_doubling_time_days is None:
            return ""
        vdt = growth.volume_doubling_time_days
        if vdt < 0:
            note = self.tr("volume decreasing: no doubling time")
        else:
            note = self.tr("VDT %1 days").replace("%1", f"{vdt:.0f}")
        if not growth.beyond_measurement_variability:
            note += " " + self.tr("(change within measurement uncertainty)")
        return note

    def growth_text(self) -> str:
        if self.comparison is not None and self.comparison.nodule_id is None:
            return self.tr("No nodule measured on the current visit")
        growth = self.current_growth()
        if growth is None:
            return self.tr("No earlier measurement of this nodule") if self.history else ""
        parts = [self.tr("%1 days since the prior").replace("%1", str(growth.interval_days))]
        if growth.volume_change_pct is not None:
            text = self.tr("volume %1 %").replace("%1", f"{growth.volume_change_pct:+.0f}")
            if growth.volume_change_limit_pct is not None:
                low, high = growth.volume_change_limit_pct
                limits = self.tr("(unchanged within %1 to %2 %)")
                text += " " + limits.replace("%1", f"{low:+.0f}").replace("%2", f"{high:+.0f}")
            parts.append(text)
        if growth.diameter_change_mm is not None:
            parts.append(
                self.tr("mean diameter %1 mm").replace("%1", f"{growth.diameter_change_mm:+.1f}")
            )
        if growth.volume_doubling_time_days is not None:
            parts.append(self.vdt_note())
        parts.append(self.status_names()[growth.status])
        return " · ".join(parts)

    def identity_text(self) -> str:
        comparison = self.comparison
        if comparison is None or comparison.current is None or comparison.nodule_id is None:
            return ""
        links = [link for link in self._links if link.series_uid == comparison.current.series_uid]
        if not links:
            return self.tr("Linked to the prior when it was measured")
        last = links[-1]
        actions = {
            "matched": self.tr("Matched through the registration"),
            "confirmed": self.tr("Confirmed"),
            "relinked": self.tr("Re-linked"),
            "split": self.tr("Split off as a new nodule"),
            "resolved": self.tr("Not found on this visit (resolved)"),
            "new": self.tr("New on this visit"),
        }
        text = self.tr("%1 by %2 at %3").replace("%1", actions.get(last.action, last.action))
        when = last.decided_at[:16].replace("T", " ")
        text = text.replace("%2", last.decided_by).replace("%3", when)
        if last.reason:
            text += " — " + last.reason
        return text

    def _show_nodule(self) -> None:
        comparison, registration = self.comparison, self.registration
        if comparison is None or registration is None:
            return
        current_centre = comparison.current.center_lps_mm if comparison.current else None
        prior_centre = comparison.prior.center_lps_mm if comparison.prior else None
        if current_centre is None and prior_centre is None:
            current_centre = self.current_view.centre_world()
        if prior_centre is None:
            prior_centre = registration.to_baseline_lps_mm(current_centre)
        if current_centre is None:
            current_centre = registration.to_followup_lps_mm(prior_centre)
        self.prior_view.set_nodule_outlines(self._outline(comparison.prior, PRIOR_RGB))
        self.current_view.set_nodule_outlines(self._outline(comparison.current, CURRENT_RGB))
        size = min(self.current_view.width(), self.current_view.height())
        pixels_per_mm = max(size, 100) / FIELD_OF_VIEW_MM
        self._syncing = True
        try:
            for view, centre in (
                (self.prior_view, prior_centre),
                (self.current_view, current_centre),
            ):
                view.set_world_point(centre)
                view.show_world_at_centre(centre, pixels_per_mm)
        finally:
            self._syncing = False

    def _outline(self, measurement: Measurement | None, rgb: tuple[float, float, float]) -> list:
        if measurement is None:
            return []
        data = self.store.measurement_mask(measurement.id)
        return [(measurement.nodule_label, decode_mask(data), rgb)] if data else []

    # --- linking --------------------------------------------------------------------------------
    def carry(self, source: LinkedSliceView, world_lps_mm: Any) -> np.ndarray:
        """A world point of ``source``'s visit on the same anatomy of the other visit."""
        assert self.registration is not None
        if source is self.prior_view:
            return self.registration.to_followup_lps_mm(world_lps_mm)
        return self.registration.to_baseline_lps_mm(world_lps_mm)

    def other(self, view: LinkedSliceView) -> LinkedSliceView:
        return self.current_view if view is self.prior_view else self.prior_view

    def _follow(self, source: LinkedSliceView) -> None:
        if self._syncing or self.registration is None:
            return
        centre = source.centre_world()
        if centre is None:
            return
        self._syncing = True
        try:
            self.other(source).show_world_at_centre(
                self.carry(source, centre), source.pixels_per_mm()
            )
        finally:
            self._syncing = False

    def _crosshair(self, source: LinkedSliceView, world_lps_mm: Any) -> None:
        if self._syncing or self.registration is None:
            return
        self._syncing = True
        try:
            self.other(source).set_world_point(self.carry(source, world_lps_mm))
        finally:
            self._syncing = False

    # --- identity decisions ---------------------------------------------------------------------
    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.confirm_button, self.relink_button, self.split_button):
            button.setEnabled(enabled)

    def _decided(self, nodule_id: int) -> None:
        comparison = self.comparison
        if comparison is None or comparison.current is None:
            return
        current = self.store.get_measurement(comparison.current.id)
        self.identity_changed.emit(nodule_id)
        self.comparison = (
            comparison_for_nodule(self.store, current.nodule_id, current.study_uid) or comparison
        )
        self._fill_nodules()
        self._load_history()
        self._show_nodule()

    def confirm_match(self, reason: str = "") -> None:
        from nodule_desk.followup.identity import confirm

        current = self.comparison.current if self.comparison else None
        if current is None:
            return
        confirm(self.store, current, reason)
        self._decided(current.nodule_id)

    def relink_to(self, nodule_id: int, reason: str) -> bool:
        from nodule_desk.followup.identity import relink

        current = self.comparison.current if self.comparison else None
        if current is None or not reason.strip():
            return False
        relink(self.store, current, nodule_id, reason)
        self._decided(nodule_id)
        return True

    def split_match(self, reason: str) -> bool:
        from nodule_desk.followup.identity import split

        current = self.comparison.current if self.comparison else None
        if current is None or not reason.strip():
            return False
        link = split(self.store, current, reason)
        self._decided(link.nodule_id)
        return True

    def _reason(self, title: str, required: bool) -> str | None:
        prompt = self.tr("Reason (required):") if required else self.tr("Reason (optional):")
        text, ok = QInputDialog.getText(self, title, prompt)
        if not ok or (required and not text.strip()):
            return None
        return text.strip()

    def _ask_confirm(self) -> None:
        reason = self._reason(self.tr("Confirm match"), required=False)
        if reason is not None:
            self.confirm_match(reason)

    def _ask_relink(self) -> None:
        comparison = self.comparison
        if comparison is None or comparison.current is None:
            return
        others = [
            n
            for n in self.store.nodules_of_patient(comparison.patient_id)
            if n.id != comparison.current.nodule_id
        ]
        if not others:
            self._say(self.tr("The patient has no other nodule to link to"))
            return
        labels = [n.label for n in others]
        label, ok = QInputDialog.getItem(
            self, self.tr("Re-link"), self.tr("This measurement is of nodule:"), labels, 0, False
        )
        if not ok:
            return
        reason = self._reason(self.tr("Re-link"), required=True)
        if reason is not None:
            self.relink_to(others[labels.index(label)].id, reason)

    def _ask_split(self) -> None:
        reason = self._reason(self.tr("Split"), required=True)
        if reason is not None:
            self.split_match(reason)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.cancel()
        super().closeEvent(event)
