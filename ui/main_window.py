"""The main window: worklist and nodule docks around the viewer, menus, toolbar, status bar.

Shaped like the Qt for Python ``application.py`` example: create_actions / create_menus /
create_tool_bars / read_settings / write_settings. Long work runs through ``ui.jobs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStyle,
    QToolButton,
    QWidget,
)

from nodule_desk.errors import NoduleDeskError
from nodule_desk.store import Series, Store
from nodule_desk.volume import CTVolume
from ui import i18n
from ui.dicom_nodes_menu import DicomNodesMenu
from ui.jobs import Job, JobRunner, describe_error, load_series_job
from ui.nodule_panel_dock import NodulePanelDock
from ui.parent_center_menu import ParentCenterMenu
from ui.settings_dialog import SettingsDialog
from ui.worklist_dock import WorklistDock

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def create_viewer(parent: QWidget) -> QWidget:
    """The reading views: axial, coronal, sagittal and 3D in 1x1, 1x3 or 2x2."""
    from ui.viewer_grid import ViewerGrid

    return ViewerGrid(parent)


class MainWindow(QMainWindow):
    volume_loaded = Signal(object)
    first_slice_shown = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.store = store
        self.jobs = JobRunner(self)
        self.current_job: Job | None = None
        self.report_dialog: QWidget | None = None
        self.import_problems: QWidget | None = None
        self.comparison_view: QWidget | None = None
        self.follow_up_dialog: QWidget | None = None
        self.volume: CTVolume | None = None
        self.viewer = create_viewer(self)
        self.setCentralWidget(self.viewer)
        self.worklist = WorklistDock(store, self.jobs, self)
        self.series: Series | None = None
        self.nodule_panel = NodulePanelDock(store, self.jobs, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.worklist)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.nodule_panel)
        self.worklist.series_activated.connect(self.open_series)
        self.worklist.compare_requested.connect(self.compare_patient)
        self._connect_nodule_panel()
        self.create_actions()
        self.create_menus()
        self.create_tool_bars()
        self.create_status_bar()
        self.parent_center = ParentCenterMenu(self)
        self.dicom_nodes = DicomNodesMenu(self)
        self.retranslate_ui()
        self.read_settings()

    # --- construction -------------------------------------------------------------------------
    def _icon(self, name: str, fallback: QStyle.StandardPixmap) -> QIcon:
        """Our SVG from resources/icons, or the style's standard icon if it is missing."""
        path = ICONS_DIR / f"{name}.svg"
        return QIcon(str(path)) if path.exists() else self.style().standardIcon(fallback)

    def create_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.import_action = QAction(self._icon("import_folder", sp.SP_DirOpenIcon), "", self)
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.triggered.connect(self.import_folder)
        self.refresh_action = QAction(self._icon("refresh", sp.SP_BrowserReload), "", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.worklist.refresh)
        self.quit_action = QAction(self._icon("quit", sp.SP_DialogCloseButton), "", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        settings_icon = self._icon("settings", sp.SP_FileDialogDetailedView)
        self.settings_action = QAction(settings_icon, "", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.show_settings)
        self.measure_action = QAction(self._icon("measure", sp.SP_DialogApplyButton), "", self)
        self.measure_action.setShortcut(QKeySequence("M"))
        self.measure_action.triggered.connect(self.measure_at_crosshair)
        self.about_action = QAction(self._icon("about", sp.SP_MessageBoxInformation), "", self)
        self.about_action.triggered.connect(self.about)
        self.cancel_action = QAction(self._icon("cancel", sp.SP_BrowserStop), "", self)
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel_job)
        self.preset_actions = self._create_preset_actions()
        self.worklist_action = self.worklist.toggleViewAction()
        self.worklist_action.setIcon(self._icon("worklist", sp.SP_FileDialogListView))
        self.worklist_action.setShortcut(QKeySequence("F2"))
        self.nodule_panel_action = self.nodule_panel.toggleViewAction()
        self.nodule_panel_action.setIcon(self._icon("nodules", sp.SP_FileDialogInfoView))
        self.nodule_panel_action.setShortcut(QKeySequence("F3"))
        self.view_3d_action = QAction(self._icon("view_3d", sp.SP_DesktopIcon), "", self)
        self.view_3d_action.setCheckable(True)
        self.view_3d_action.setShortcut(QKeySequence("F4"))
        self.view_3d_action.toggled.connect(self._show_3d)
        self.viewer.layout_changed.connect(self._viewer_layout_changed)
        self.compare_action = QAction(self._icon("compare", sp.SP_FileDialogContentsView), "", self)
        self.compare_action.setShortcut(QKeySequence("F6"))
        self.compare_action.triggered.connect(self.compare_with_prior)
        self.follow_ups_action = QAction(
            self._icon("follow_ups", sp.SP_FileDialogListView), "", self
        )
        self.follow_ups_action.setShortcut(QKeySequence("F7"))
        self.follow_ups_action.triggered.connect(self.show_follow_ups)

    def _create_preset_actions(self) -> dict[str, QAction]:
        """W/L presets on keys 1-4 for the whole window, not only the view clicked last (a
        text field keeps its digits: Qt gives it the key first)."""
        from nodule_desk.imaging.slab import WINDOW_PRESETS

        actions = {}
        for key, name in enumerate(("lung", "mediastinum", "bone", "soft_tissue"), start=1):
            action = QAction(self)
            action.setShortcut(QKeySequence(str(key)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(
                lambda _checked=False, window=WINDOW_PRESETS[name]: self._set_window(window)
            )
            self.addAction(action)
            actions[name] = action
        return actions

    def _set_window(self, window: tuple[float, float]) -> None:
        if hasattr(self.viewer, "set_window"):
            self.viewer.set_window(*window)

    def create_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addAction(self.import_action)
        self.file_menu.addAction(self.refresh_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.view_menu.addAction(self.worklist_action)
        self.view_menu.addAction(self.nodule_panel_action)
        self.view_menu.addAction(self.view_3d_action)
        self.view_menu.addSeparator()
        for action in self.preset_actions.values():
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        for action in getattr(self.viewer, "actions_for_menu", lambda: [])():
            self.view_menu.addAction(action)
        self.tools_menu = bar.addMenu("")
        self.tools_menu.addAction(self.measure_action)
        self.tools_menu.addAction(self.compare_action)
        self.tools_menu.addAction(self.follow_ups_action)
        self.tools_menu.addAction(self.settings_action)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)

    def create_tool_bars(self) -> None:
        self.main_tool_bar = self.addToolBar("")
        self.main_tool_bar.setObjectName("MainToolBar")
        for action in (
            self.import_action,
            self.refresh_action,
            self.worklist_action,
            self.view_3d_action,
            self.settings_action,
        ):
            self.main_tool_bar.addAction(action)
        for action in getattr(self.viewer, "actions_for_tool_bar", lambda: [])():
            self.main_tool_bar.addAction(action)
        self.edit_tools = self._create_edit_tools()
        if self.edit_tools is not None:
            self.main_tool_bar.addSeparator()
            for action in self.edit_tools.actions():
                self.main_tool_bar.addAction(action)
                self.tools_menu.addAction(action)

    def _create_edit_tools(self):  # noqa: ANN202 - EditTools | None, imported lazily
        views = getattr(self.viewer, "views", None)
        if not views:
            return None
        from nodule_desk.imaging.reslice import Orientation
        from ui.edit_tools import EditTools

        tools = EditTools(views[Orientation.AXIAL], self.nodule_panel, self)
        tools.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        return tools

    def create_status_bar(self) -> None:
        self.job_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(self.cancel_action)
        self.cancel_button.setVisible(False)
        status = self.statusBar()
        status.addPermanentWidget(self.job_label)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("NoduleDesk"))
        self.file_menu.setTitle(self.tr("&File"))
        self.view_menu.setTitle(self.tr("&View"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.main_tool_bar.setWindowTitle(self.tr("Main toolbar"))
        if getattr(self, "edit_tools", None) is not None:
            self.edit_tools.retranslate_ui()
        texts = {
            self.import_action: (
                self.tr("&Import folder…"),
                self.tr("Find CT series in a folder and add them to the worklist"),
            ),
            self.refresh_action: (self.tr("&Refresh worklist"), self.tr("Reload the worklist")),
            self.quit_action: (self.tr("&Quit"), self.tr("Quit NoduleDesk")),
            self.settings_action: (self.tr("&Settings…"), self.tr("Language and preferences")),
            self.measure_action: (
                self.tr("&Measure nodule at crosshair"),
                self.tr("Segment and measure the nodule under the crosshair"),
            ),
            self.about_action: (self.tr("&About NoduleDesk"), self.tr("About NoduleDesk")),
            self.cancel_action: (self.tr("Cancel"), self.tr("Cancel the running job")),
            self.view_3d_action: (self.tr("3D view"), self.tr("Show the 3D view (2×2 layout)")),
            self.preset_actions["lung"]: (self.tr("Lung window"), self.tr("W/L preset: lung")),
            self.preset_actions["mediastinum"]: (
                self.tr("Mediastinal window"),
                self.tr("W/L preset: mediastinum"),
            ),
            self.preset_actions["bone"]: (self.tr("Bone window"), self.tr("W/L preset: bone")),
            self.preset_actions["soft_tissue"]: (
                self.tr("Soft-tissue window"),
                self.tr("W/L preset: soft tissue"),
            ),
            self.compare_action: (
                self.tr("&Compare with prior"),
                self.tr("The selected nodule, or the patient, beside the prior visit (F6)"),
            ),
            self.follow_ups_action: (
                self.tr("&Follow-up worklist…"),
                self.tr("Who is due for a follow-up CT (F7)"),
            ),
        }
        for action, (text, tip) in texts.items():
            action.setText(text)
            action.setStatusTip(tip)
            action.setToolTip(tip)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- settings ---------------------------------------------------------------------------
    def read_settings(self) -> None:
        """The last geometry; on first start maximised, the views taking most of the width."""
        settings = QSettings()
        geometry = settings.value("main_window/geometry", QByteArray())
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            available = self.screen().availableGeometry()
            self.resize(available.width(), available.height())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            width = available.width()
            panel = min(max(int(width * 0.29), 440), 520)  # the nodule table's eight columns
            self.resizeDocks(
                [self.worklist, self.nodule_panel], [330, panel], Qt.Orientation.Horizontal
            )
        state = settings.value("main_window/state", QByteArray())
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        layout = settings.value("viewer/layout")
        if layout and hasattr(self.viewer, "set_layout"):
            self.viewer.set_layout(str(layout))

    def write_settings(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        if hasattr(self.viewer, "layout_name"):
            settings.setValue("viewer/layout", self.viewer.layout_name())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.write_settings()
        self.jobs.cancel_all()
        self.jobs.wait(10000)
        if self.view_3d is not None and hasattr(self.view_3d, "finalize"):
            self.view_3d.finalize()
        event.accept()

    # --- jobs ---------------------------------------------------------------------------------
    def _run(self, job: Job, label: str) -> Job:
        if self.current_job is not None:
            self.current_job.cancel()
        self.current_job = job
        self.job_label.setText(label)
        self.progress_bar.setRange(0, 0)
        for widget in (self.progress_bar, self.cancel_button):
            widget.setVisible(True)
        self.cancel_action.setEnabled(True)
        job.signals.progress.connect(
            lambda done, total, _stage, job=job: self._progress(job, done, total)
        )
        for signal in (job.signals.finished, job.signals.failed):
            signal.connect(lambda _v, job=job: self._job_ended(job))
        job.signals.cancelled.connect(lambda job=job: self._job_ended(job, cancelled=True))
        job.signals.failed.connect(self.show_error)
        return self.jobs.start(job)

    def _progress(self, job: Job, done: int, total: int) -> None:
        if job is self.current_job:
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(done)

    def _job_ended(self, job: Job, cancelled: bool = False) -> None:
        if job is not self.current_job:
            return
        self.current_job = None
        for widget in (self.progress_bar, self.cancel_button):
            widget.setVisible(False)
        self.cancel_action.setEnabled(False)
        self.job_label.clear()
        if cancelled:
            self.statusBar().showMessage(self.tr("Cancelled"), 5000)

    def cancel_job(self) -> None:
        if self.current_job is not None:
            self.current_job.cancel()

    def show_error(self, error: BaseException) -> None:
        """The one place a failed job reaches the user."""
        message = describe_error(error)
        self.statusBar().showMessage(message, 15000)
        if not isinstance(error, Exception) or QApplication.instance() is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("NoduleDesk"),
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setModal(False)
        box.show()

    @property
    def view_3d(self) -> QWidget | None:
        """The 3D view is the viewer grid's fourth view, made when a layout first shows it."""
        return self.viewer.view_3d

    def _viewer_layout_changed(self, name: str) -> None:
        self.view_3d_action.setChecked(name == "2x2")

    def _show_3d(self, shown: bool) -> None:
        if shown != (self.viewer.layout_name() == "2x2"):
            self.viewer.set_layout("2x2" if shown else "1x3")

    # --- user commands ------------------------------------------------------------------------
    def _connect_nodule_panel(self) -> None:
        panel = self.nodule_panel
        panel.report_requested.connect(self.show_report)
        panel.compare_requested.connect(self.compare_nodule)
        panel.caliper_requested.connect(self._start_caliper)
        panel.outlines_changed.connect(self._show_outlines)
        panel.nodule_selected.connect(self._go_to)
        requested = getattr(self.viewer, "nodule_requested", None)
        if requested is not None:
            requested.connect(panel.measure_at)

    def _show_outlines(self, outlines: list) -> None:
        if hasattr(self.viewer, "set_nodule_outlines"):
            self.viewer.set_nodule_outlines(outlines)
        if self.view_3d is not None and hasattr(self.view_3d, "set_nodule_surfaces"):
            self.view_3d.set_nodule_surfaces(outlines)

    def _go_to(self, world_lps_mm: object) -> None:
        if hasattr(self.viewer, "set_world_point"):
            self.viewer.set_world_point(world_lps_mm)

    def _start_caliper(self) -> None:
        if self.edit_tools is not None:
            from ui.edit_tools import Tool

            self.edit_tools.set_tool(Tool.CALIPER)

    def measure_at_crosshair(self) -> None:
        point = getattr(self.viewer, "world_point", lambda: None)()
        if point is not None:
            self.nodule_panel.measure_at(point)

    def _comparison(self):  # noqa: ANN202 - ComparisonView, imported lazily
        from ui.comparison_view import ComparisonView

        if self.comparison_view is None:
            self.comparison_view = ComparisonView(self.store, self.jobs, self)
            self.comparison_view.identity_changed.connect(lambda _id: self.worklist.refresh())
        self.comparison_view.show()
        self.comparison_view.raise_()
        self.comparison_view.activateWindow()
        return self.comparison_view

    def compare_with_prior(self) -> None:
        """F6: the nodule selected in the panel, else the open series' patient."""
        measurement = self.nodule_panel.current_measurement()
        if measurement is not None:
            self.compare_nodule(measurement.nodule_id, measurement.study_uid)
        elif self.series is not None:
            self.compare_patient(self.series.patient_id)
        else:
            self.statusBar().showMessage(self.tr("Open a study or select a nodule first"), 5000)

    def compare_nodule(self, nodule_id: int, study_uid: str) -> Any:
        return self._comparison().open_nodule(nodule_id, study_uid)

    def compare_patient(self, patient_id: str) -> Any:
        return self._comparison().open_patient(patient_id)

    def show_follow_ups(self) -> QWidget:
        from ui.follow_up_worklist_dialog import FollowUpWorklistDialog

        if self.follow_up_dialog is None:
            self.follow_up_dialog = FollowUpWorklistDialog(self.store, self)
            self.follow_up_dialog.patient_activated.connect(self.compare_patient)
        self.follow_up_dialog.refresh()
        self.follow_up_dialog.show()
        self.follow_up_dialog.raise_()
        return self.follow_up_dialog

    def show_report(self, study_uid: str) -> None:
        from ui.report_dialog import ReportDialog

        current = self.report_dialog
        if current is not None and current.study_uid == study_uid and current.isVisible():
            current.raise_()
            current.activateWindow()
            return
        self._close_report_dialog()
        try:
            dialog = ReportDialog(self.store, study_uid, self.jobs, self)
        except Exception as error:  # the core's typed errors, worded in one place
            self.show_error(error)
            return
        dialog.show()
        self.report_dialog = dialog

    def _close_report_dialog(self) -> None:
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
            self.report_dialog = None

    def open_series(self, series: Series) -> Job | None:
        self.series = series
        try:
            files = self.store.series_files(series.id)
        except NoduleDeskError as error:  # files gone (a removed USB stick): name the study
            self.show_error(error)
            return None
        job = Job(load_series_job(files, series.series_uid), wants_partial=True)
        job.signals.partial.connect(self._show_first_slice)
        job.signals.finished.connect(self._show_volume)
        label = self.tr("Opening %1").replace("%1", series.description or series.series_uid)
        return self._run(job, label)

    def _show_first_slice(self, volume: CTVolume) -> None:
        self.viewer.set_volume(volume)
        self.first_slice_shown.emit(volume)

    def _show_volume(self, volume: CTVolume) -> None:
        self.volume = volume
        self.viewer.set_volume(volume)
        self.nodule_panel.set_series(self.series, volume)
        self.statusBar().showMessage(self.tr("%n slice(s) loaded", "", volume.hu.shape[0]), 5000)
        self.volume_loaded.emit(volume)

    def import_folder(self, folder: str | Path | None = None) -> Job | None:
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Import folder"))
            if not folder:
                return None
        job = Job(_import_job(self.store.path, Path(folder)))
        job.signals.finished.connect(self._import_done)
        return self._run(job, self.tr("Importing %1").replace("%1", str(folder)))

    def _import_done(self, summary: dict[str, Any]) -> None:
        """The counts in the status bar; each problem, as the CLI lists it, in a dialog."""
        from ui.import_problems_dialog import ImportProblemsDialog

        self.worklist.refresh()
        problems = summary["problems"]
        message = self.tr("Imported %1 series; %2 file(s) skipped")
        message = message.replace("%1", str(summary["series"]))
        message = message.replace("%2", str(summary["skipped"]))
        self.statusBar().showMessage(message, 10000)
        if problems:
            if self.import_problems is not None:
                self.import_problems.close()
            self.import_problems = ImportProblemsDialog(problems, summary["series"], self)
            self.import_problems.show()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self)
        if dialog.exec():
            language = dialog.selected_language()
            QSettings().setValue(i18n.SETTINGS_KEY, language)
            i18n.set_language(QApplication.instance(), i18n.configured_language())

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About NoduleDesk"),
            self.tr(
                "NoduleDesk: a workstation for lung-nodule branch centers. "
                "Read chest CT, measure and follow nodules, report to the parent center."
            ),
        )


def _import_job(db_path: Path, folder: Path) -> Any:
    """Scan ``folder`` and store what it finds, in its own store connection (SQLite threads)."""

    def run(progress: Any, cancel: Any) -> dict[str, Any]:
        from nodule_desk.archive import import_paths

        with Store.open(db_path) as store:
            done = import_paths(store, [folder], progress=progress, cancel=cancel)
        problems = [(str(p.path), p.error) for p in done.problems]
        for record in done.scan.series:  # a series stored with a gap or uneven spacing
            where = str(Path(record.files[0]).parent) if record.files else record.series_uid
            label = f"{where} ({record.series_description or record.series_uid})"
            problems.extend((label, warning) for warning in record.warnings)
        return {
            "series": len(done.scan.series),
            "skipped": len(done.problems),
            "problems": problems,
        }

    return run
