"""The reading workspace: axial, coronal and sagittal views and the 3D view in 1x1, 1x3 or 2x2.

Crosshairs are linked through one world LPS point; window/level and the slab apply to all 2D views.
The 3D view is made only when a layout shows it (it costs an OpenGL context).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import QGridLayout, QSpinBox, QVBoxLayout, QWidget, QWidgetAction

from nodule_desk.imaging.reslice import Orientation, VolumeReslicer
from nodule_desk.imaging.slab import MAX_SLAB_MM, MIN_SLAB_MM, SlabMode
from nodule_desk.volume import CTVolume
from ui.slice_view import SliceView

LAYOUTS = ("1x1", "1x3", "2x2")
DEFAULT_LAYOUT = "1x3"
_3D = "3d"


class ViewerGrid(QWidget):
    world_point_changed = Signal(object)
    """The linked crosshair moved: world LPS (x, y, z) in mm."""
    layout_changed = Signal(str)
    nodule_requested = Signal(object)
    """Ctrl+click in a 2D view: measure the nodule at this world LPS point (mm)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ViewerGrid")
        self.views = {o: SliceView(o, self) for o in Orientation}
        self.view_3d: QWidget | None = None
        self._host_3d = QWidget(self)
        QVBoxLayout(self._host_3d).setContentsMargins(0, 0, 0, 0)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self.volume: CTVolume | None = None
        self._reslicer: VolumeReslicer | None = None
        self._world: tuple[float, float, float] | None = None
        self._world_was_chosen = False
        """True once the user put the crosshair somewhere: the full volume keeps it there."""
        self._layout = DEFAULT_LAYOUT
        self._active: str = Orientation.AXIAL.value
        self._maximised: str | None = None
        self._outlines: list[object] = []
        for view in self.views.values():
            view.world_point_clicked.connect(self.set_world_point)
            view.window_changed.connect(self.set_window)
            view.maximise_requested.connect(self._maximise_sender)
            view.nodule_requested.connect(self.nodule_requested)
        self._create_actions()
        self.retranslate_ui()
        self._arrange()

    # --- actions -------------------------------------------------------------------------------
    def _create_actions(self) -> None:
        self.layout_group = QActionGroup(self)
        self.layout_actions: dict[str, QAction] = {}
        for name in LAYOUTS:
            action = QAction(self.layout_group)
            action.setCheckable(True)
            action.setChecked(name == self._layout)
            action.setData(name)
            self.layout_actions[name] = action
        # bound methods, not lambdas holding self: a cycle the collector may free on a worker thread
        self.layout_group.triggered.connect(self._layout_triggered)
        self.slab_group = QActionGroup(self)
        self.slab_actions: dict[SlabMode, QAction] = {}
        for mode in SlabMode:
            action = QAction(self.slab_group)
            action.setCheckable(True)
            action.setChecked(mode is SlabMode.OFF)
            action.setData(mode.value)
            self.slab_actions[mode] = action
        self.slab_group.triggered.connect(self._slab_triggered)
        self.slab_spin = QSpinBox(self)
        self.slab_spin.setRange(int(MIN_SLAB_MM), int(MAX_SLAB_MM))
        self.slab_spin.setValue(10)
        self.slab_spin.valueChanged.connect(self._slab_thickness_changed)
        self.slab_spin_action = QWidgetAction(self)
        self.slab_spin_action.setDefaultWidget(self.slab_spin)
        self.patient_action = QAction(self)
        self.patient_action.setCheckable(True)
        self.patient_action.setChecked(True)
        self.patient_action.toggled.connect(self.set_patient_visible)

    def _layout_triggered(self, action: QAction) -> None:
        self.set_layout(str(action.data()))

    def _slab_triggered(self, action: QAction) -> None:
        self.set_slab(SlabMode(action.data()), self.slab_mm())

    def _slab_thickness_changed(self, thickness_mm: int) -> None:
        self.set_slab(self.slab_mode(), thickness_mm)

    def _maximise_sender(self) -> None:
        view = self.sender()
        if isinstance(view, SliceView):
            self.toggle_maximised(view.orientation.value)

    def actions_for_menu(self) -> list[QAction]:
        separator = QAction(self)
        separator.setSeparator(True)
        return [
            *self.layout_actions.values(),
            separator,
            *self.slab_actions.values(),
            self.patient_action,
        ]

    def actions_for_tool_bar(self) -> list[QAction]:
        return [*self.layout_actions.values(), *self.slab_actions.values(), self.slab_spin_action]

    def retranslate_ui(self) -> None:
        layout_texts = {
            "1x1": self.tr("One view"),
            "1x3": self.tr("Three views (1×3)"),
            "2x2": self.tr("Four views with 3D (2×2)"),
        }
        for name, action in self.layout_actions.items():
            action.setText(layout_texts[name])
            action.setIconText(name.replace("x", "×"))
            action.setToolTip(layout_texts[name])
        slab_texts = {
            SlabMode.OFF: self.tr("Thin slice"),
            SlabMode.MIP: self.tr("Slab MIP"),
            SlabMode.MINIP: self.tr("Slab MinIP"),
            SlabMode.AVERAGE: self.tr("Slab average"),
        }
        for mode, action in self.slab_actions.items():
            action.setText(slab_texts[mode])
            action.setToolTip(slab_texts[mode])
        self.slab_spin.setSuffix(self.tr(" mm"))
        self.slab_spin.setToolTip(self.tr("Slab thickness (1–20 mm)"))
        self.patient_action.setText(self.tr("Show patient information on images"))
        for view in self.views.values():
            view.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- layout --------------------------------------------------------------------------------
    def layout_name(self) -> str:
        return self._layout

    def set_layout(self, name: str) -> None:
        if name not in LAYOUTS:
            return
        self._layout, self._maximised = name, None
        self.layout_actions[name].setChecked(True)
        self._arrange()
        self.layout_changed.emit(name)

    def toggle_maximised(self, key: str) -> None:
        """Double-click: show this view alone; again: back to the layout."""
        self._active = key if key != _3D else self._active
        self._maximised = None if self._maximised == key else key
        self._arrange()

    def maximised_view(self) -> str | None:
        return self._maximised

    def _widget(self, key: str) -> QWidget:
        return self._host_3d if key == _3D else self.views[Orientation(key)]

    def _cells(self) -> list[tuple[str, int, int]]:
        if self._maximised is not None:
            return [(self._maximised, 0, 0)]
        if self._layout == "1x1":
            return [(self._active, 0, 0)]
        if self._layout == "1x3":
            return [("axial", 0, 0), ("coronal", 0, 1), ("sagittal", 0, 2)]
        return [("axial", 0, 0), ("coronal", 0, 1), ("sagittal", 1, 0), (_3D, 1, 1)]

    def _arrange(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        for r in range(2):
            self._grid.setRowStretch(r, 0)
        for c in range(3):
            self._grid.setColumnStretch(c, 0)
        cells = self._cells()
        shown = {key for key, _, _ in cells}
        for key in [o.value for o in Orientation] + [_3D]:
            self._widget(key).setVisible(key in shown)
        for key, row, col in cells:
            self._grid.addWidget(self._widget(key), row, col)
            self._grid.setRowStretch(row, 1)
            self._grid.setColumnStretch(col, 1)
        if _3D in shown:
            self._ensure_3d()
            # the native VTK window draws only when told: render once the layout has settled
            QTimer.singleShot(0, self._render_3d)

    def _render_3d(self) -> None:
        if self.view_3d is not None and hasattr(self.view_3d, "render"):
            self.view_3d.render()

    # --- 3D ------------------------------------------------------------------------------------
    def _ensure_3d(self) -> None:
        if self.view_3d is None:
            from ui.volume_view_3d import create_3d_view

            self.view_3d = create_3d_view(self._host_3d)
            self._host_3d.layout().addWidget(self.view_3d)
            clicked = getattr(self.view_3d, "nodule_clicked", None)
            if clicked is not None:
                clicked.connect(self._go_to_nodule)
            if hasattr(self.view_3d, "set_nodule_surfaces") and self._outlines:
                self.view_3d.set_nodule_surfaces(self._outlines)
        self._update_3d_volume()

    def _go_to_nodule(self, _nodule_id: str, centre_lps_mm: object, _surface: object) -> None:
        self.set_world_point(centre_lps_mm)  # type: ignore[arg-type]

    def _update_3d_volume(self) -> None:
        volume = self.volume
        if self.view_3d is None or volume is None or volume.hu.shape[0] < 2:
            return
        if getattr(self.view_3d, "volume", None) is not volume:
            self.view_3d.set_volume(volume)

    def finalize(self) -> None:
        """Release the 3D view's OpenGL context (a child gets no closeEvent of its own)."""
        if self.view_3d is not None and hasattr(self.view_3d, "finalize"):
            self.view_3d.finalize()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.finalize()
        super().closeEvent(event)

    # --- volume, crosshair, window, slab -------------------------------------------------------
    def set_volume(self, volume: CTVolume) -> None:
        """A one-slice volume first (the first image), then the full one of the same series."""
        same_series = self.volume is not None and self.volume.series_uid == volume.series_uid
        self.volume = volume
        self._reslicer = VolumeReslicer(volume)
        keep = (
            same_series
            and self._world is not None
            and volume.hu.shape[0] > 1
            and (self._world_was_chosen and volume.geometry.contains_world_lps_mm(self._world))
        )
        if not keep:
            self._world_was_chosen = False
            self._world = self._centre_of(volume)
        for view in self.views.values():
            view.set_world_point(self._world)
            view.set_reslicer(self._reslicer)
        if self.view_3d is not None and self.view_3d.isVisible():
            self._update_3d_volume()
        self.world_point_changed.emit(self._world)

    @staticmethod
    def _centre_of(volume: CTVolume) -> tuple[float, float, float]:
        centre_ijk = (np.array(volume.hu.shape[::-1], dtype=float) - 1) / 2
        return tuple(float(v) for v in volume.geometry.index_to_world_lps_mm(centre_ijk))

    def world_point(self) -> tuple[float, float, float] | None:
        return self._world

    def set_world_point(self, world_lps_mm: Sequence[float]) -> None:
        """Move every 2D view to show this world point (LPS mm) under its crosshair."""
        self._world = tuple(float(v) for v in world_lps_mm)  # type: ignore[assignment]
        self._world_was_chosen = True
        for view in self.views.values():
            view.set_world_point(self._world)
        self.world_point_changed.emit(self._world)

    def set_window(self, centre_hu: float, width_hu: float) -> None:
        for view in self.views.values():
            view.set_window(centre_hu, width_hu)

    def window(self) -> tuple[float, float]:
        return self.views[Orientation.AXIAL].window()

    def slab_mode(self) -> SlabMode:
        return next(m for m, a in self.slab_actions.items() if a.isChecked())

    def slab_mm(self) -> float:
        return float(self.slab_spin.value())

    def set_slab(self, mode: SlabMode, thickness_mm: float) -> None:
        mode = SlabMode(mode)
        self.slab_actions[mode].setChecked(True)
        if self.slab_spin.value() != round(thickness_mm):
            self.slab_spin.setValue(int(round(thickness_mm)))
        for view in self.views.values():
            view.set_slab(mode, thickness_mm)

    def set_patient_visible(self, visible: bool) -> None:
        self.patient_action.setChecked(visible)
        for view in self.views.values():
            view.set_patient_visible(visible)

    def set_nodule_outlines(self, outlines: Iterable[object]) -> None:
        """(label, mask volume, rgb) items as the nodule panel emits them; drawn on every view."""
        self._outlines = list(outlines)
        for view in self.views.values():
            view.set_nodule_outlines(self._outlines)
        if self.view_3d is not None and hasattr(self.view_3d, "set_nodule_surfaces"):
            self.view_3d.set_nodule_surfaces(self._outlines)
