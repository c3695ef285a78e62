"""The parent center's place in the main window: its dock, and Tools > Parent center….

The window calls ``ParentCenterMenu(window)`` once; everything else lives here, so the window
only knows that there is a parent center."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction

from nodule_desk.store import Series
from ui.parent_center_dock import ParentCenterDock
from ui.parent_center_settings_dialog import ParentCenterSettingsDialog


class ParentCenterMenu(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dock = ParentCenterDock(window.store, window.jobs, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.nodule_panel, self.dock)
        window.nodule_panel.raise_()
        self.settings_action = QAction(window)
        self.settings_action.triggered.connect(self.show_settings)
        window.tools_menu.addAction(self.settings_action)
        self.dock_action = self.dock.toggleViewAction()
        window.view_menu.addAction(self.dock_action)
        window.worklist.series_activated.connect(self._series_opened)
        self.dock.opinions_received.connect(self._announce)
        window.installEventFilter(self)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.settings_action.setText(self.tr("Parent &center…"))
        self.settings_action.setStatusTip(self.tr("DICOMweb link to the provincial parent center"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        return False

    def _series_opened(self, series: Series) -> None:
        self.dock.show_case(series.study_uid, series.series_uid)

    def _announce(self, count: int) -> None:
        message = self.tr("%n opinion(s) from the parent center received", "", count)
        self.window.statusBar().showMessage(message, 15000)
        self.dock.show()
        self.dock.raise_()

    def show_settings(self) -> ParentCenterSettingsDialog:
        dialog = ParentCenterSettingsDialog(self.window.store.path, self.window.jobs, self.window)
        dialog.finished.connect(lambda _code: self.dock.refresh())
        dialog.open()
        return dialog
