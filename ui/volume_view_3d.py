"""The 3D view: volume rendering of a CT in world LPS mm, nodule surfaces, and picking.

The volume keeps its DICOM geometry (origin, spacing, direction) so every point the view reports
is a world LPS point in mm, like the 2D views'. The camera starts in front of the patient (anterior
view, head up), so the patient's left is on the right of the screen, as on a coronal image.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkImagingCore import vtkImageShrink3D
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera
from vtkmodules.vtkRenderingCore import (
    vtkCellPicker,
    vtkCoordinate,
    vtkRenderer,
    vtkVolume,
    vtkWindowToImageFilter,
)
from vtkmodules.vtkRenderingVolumeOpenGL2 import vtkSmartVolumeMapper

from nodule_desk.volume import CTVolume, VolumeGeometry
from ui.nodule_surfaces import NoduleSurface, build_surface_actor
from ui.volume_presets import available_presets, load_preset
from ui.vtk_support import QVTKRenderWindowInteractor, opengl_problem

__all__ = ["NoduleSurface", "OpenGLUnavailableWidget", "VolumeView3D", "create_3d_view"]

BACKGROUND_RGB = (0.07, 0.08, 0.10)
INTERACTIVE_MAX_VOXELS = 12_000_000
"""Above this many voxels, rotation and zoom draw a block-averaged copy (software OpenGL)."""
_CLICK_TOLERANCE_PX = 4


@dataclass
class _VolumeLevel:
    actor: vtkVolume
    mapper: vtkSmartVolumeMapper
    image: vtkImageData


class VolumeView3D(QWidget):
    """Volume rendering with presets, nodule surfaces, trackball camera and nodule picking."""

    nodule_clicked = Signal(str, object, object)
    """(nodule_id, nodule centre, clicked surface point): both points world LPS mm (x, y, z)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._volume: CTVolume | None = None
        self._levels: list[_VolumeLevel] = []
        self._surface_actors: list[tuple[object, NoduleSurface]] = []
        self._preset_name = "bone"
        self._interactive = False
        self._press_position: tuple[int, int] | None = None
        self._finalized = False
        self._software_opengl: bool | None = None

        self._vtk_widget = QVTKRenderWindowInteractor(self)
        self._renderer = vtkRenderer()
        self._renderer.SetBackground(*BACKGROUND_RGB)
        self._render_window = self._vtk_widget.GetRenderWindow()
        self._render_window.AddRenderer(self._renderer)
        self._style = vtkInteractorStyleTrackballCamera()
        self._vtk_widget.SetInteractorStyle(self._style)
        self._style.AddObserver("StartInteractionEvent", lambda *_: self.set_interactive(True))
        self._style.AddObserver("EndInteractionEvent", self._on_interaction_end)
        self._vtk_widget.AddObserver("LeftButtonPressEvent", self._on_left_press, 1.0)
        self._picker = vtkCellPicker()
        self._picker.SetTolerance(0.002)
        self._picker.PickFromListOn()

        self._preset_box = QComboBox(self)
        self._reset_button = QToolButton(self)
        self._build_controls()
        self._vtk_widget.Initialize()
        app = QCoreApplication.instance()
        if app is not None:
            # A view docked in the main window gets no closeEvent when the window closes.
            app.aboutToQuit.connect(self.finalize)

    def _build_controls(self) -> None:
        for name in available_presets():
            self._preset_box.addItem(name, name)
        self._preset_box.setCurrentIndex(max(0, self._preset_box.findData(self._preset_name)))
        self._preset_box.currentIndexChanged.connect(
            lambda index: self.set_preset(self._preset_box.itemData(index))
        )
        self._reset_button.clicked.connect(self.reset_camera)
        self._preset_label = QLabel(self)
        self.retranslate_ui()
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self._preset_label)
        bar.addWidget(self._preset_box)
        bar.addStretch(1)
        bar.addWidget(self._reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self._vtk_widget, 1)

    def retranslate_ui(self) -> None:
        labels = {"lung": self.tr("Lung"), "bone": self.tr("Bone")}
        for index in range(self._preset_box.count()):
            name = self._preset_box.itemData(index)
            self._preset_box.setItemText(index, labels.get(name, name))
        self._preset_box.setToolTip(self.tr("Volume rendering preset"))
        self._reset_button.setText(self.tr("Reset view"))
        self._reset_button.setToolTip(self.tr("Front view, head up, whole volume in sight"))
        self._preset_label.setText(self.tr("Preset:"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- public API -------------------------------------------------------------------------

    @property
    def vtk_widget(self) -> QWidget:
        return self._vtk_widget

    @property
    def renderer(self) -> vtkRenderer:
        return self._renderer

    @property
    def preset(self) -> str:
        return self._preset_name

    @property
    def volume(self) -> CTVolume | None:
        return self._volume

    def render_window(self):  # noqa: ANN201 - a vtkRenderWindow subclass chosen by the factory
        return self._render_window

    def uses_software_opengl(self) -> bool:
        """True on Mesa's software rasterisers (llvmpipe, softpipe), as under Xvfb."""
        if self._software_opengl is None:
            self._render_window.Render()
            capabilities = self._render_window.ReportCapabilities() or ""
            renderer = next((ln for ln in capabilities.splitlines() if "renderer string" in ln), "")
            self._software_opengl = any(
                name in renderer.lower() for name in ("llvmpipe", "softpipe", "software")
            )
        return self._software_opengl

    def set_volume(self, volume: CTVolume | None) -> None:
        """Show this CT (or nothing); the camera resets to the anterior view."""
        for level in self._levels:
            self._renderer.RemoveVolume(level.actor)
        self._levels = []
        self._volume = volume
        if volume is not None:
            full, geometry = _image_from_volume(volume)
            self._levels.append(self._make_level(full, geometry, geometry.origin_lps_mm))
            factor = _interactive_shrink_factor(geometry.shape_kji)
            if factor > 1:
                block_centre = geometry.index_to_world_lps_mm([(factor - 1) / 2.0] * 3)
                shrunk = _shrunk(full, factor)
                self._levels.append(self._make_level(shrunk, geometry, block_centre))
            self._show_level(interactive=self._interactive)
        self.reset_camera()

    def set_preset(self, name: str) -> None:
        """Switch the transfer functions, e.g. "lung" or "bone" (files in resources/presets/)."""
        volume_property = load_preset(name).to_volume_property()
        self._preset_name = name
        for level in self._levels:
            level.actor.SetProperty(volume_property)
        index = self._preset_box.findData(name)
        if index >= 0 and index != self._preset_box.currentIndex():
            self._preset_box.blockSignals(True)
            self._preset_box.setCurrentIndex(index)
            self._preset_box.blockSignals(False)
        self.render()

    def set_nodule_surfaces(self, surfaces: Iterable[NoduleSurface | Sequence[object]]) -> None:
        """Replace the nodule surfaces: NoduleSurface objects or (nodule_id, mask volume, rgb)."""
        for actor, _surface in self._surface_actors:
            self._renderer.RemoveActor(actor)
        self._picker.InitializePickList()
        self._surface_actors = []
        for item in surfaces:
            surface = item if isinstance(item, NoduleSurface) else NoduleSurface.from_tuple(item)
            actor = build_surface_actor(surface)
            if actor is None:
                continue
            self._renderer.AddActor(actor)
            self._picker.AddPickList(actor)
            self._surface_actors.append((actor, surface))
        if self._volume is None:
            self._renderer.ResetCamera()
        self.render()

    def reset_camera(self) -> None:
        """Anterior view (camera in front of the patient, at -y in LPS), head (+z) up."""
        camera = self._renderer.GetActiveCamera()
        camera.SetFocalPoint(0.0, 0.0, 0.0)
        camera.SetPosition(0.0, -1.0, 0.0)
        camera.SetViewUp(0.0, 0.0, 1.0)
        self._renderer.ResetCamera()
        self._renderer.ResetCameraClippingRange()
        self.render()

    def set_interactive(self, interactive: bool) -> None:
        """Draw the block-averaged volume while the camera moves, the full one when it stops."""
        if interactive == self._interactive:
            return
        self._interactive = interactive
        self._show_level(interactive)
        if not interactive:
            self.render()

    def render(self) -> None:
        if not self._finalized and self.isVisible():
            self._render_window.Render()

    def world_to_widget(self, world_lps_mm: Sequence[float]) -> QPoint:
        """Where a world LPS point (mm) appears in the VTK widget, in Qt logical pixels."""
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        coordinate.SetValue(*(float(v) for v in world_lps_mm))
        return self._display_to_widget(*coordinate.GetComputedDoubleDisplayValue(self._renderer))

    def pick_nodule(self, widget_point: QPoint) -> tuple[str, tuple, tuple] | None:
        """The nodule under a point of the VTK widget: (id, centre, surface point) or None."""
        x, y = self._widget_to_display(widget_point)
        if not self._picker.Pick(x, y, 0.0, self._renderer):
            return None
        picked = self._picker.GetActor()
        for actor, surface in self._surface_actors:
            if actor is picked:
                point = tuple(float(v) for v in self._picker.GetPickPosition())
                return surface.nodule_id, surface.centre_lps_mm, point
        return None

    def grab_rgb(self) -> NDArray[np.uint8]:
        """The rendered frame as an (height, width, 3) array, top row first."""
        self._render_window.Render()
        grabber = vtkWindowToImageFilter()
        grabber.SetInput(self._render_window)
        grabber.SetInputBufferTypeToRGB()
        grabber.ReadFrontBufferOff()
        grabber.Update()
        image = grabber.GetOutput()
        width, height, _ = image.GetDimensions()
        pixels = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(height, width, -1)
        return np.ascontiguousarray(pixels[::-1, :, :3])

    def _pixel_ratio(self) -> float:
        return self._render_window.GetSize()[1] / max(1, self._vtk_widget.height())

    def _display_to_widget(self, x: float, y: float) -> QPoint:
        """VTK display pixels (origin bottom left) to Qt logical pixels (origin top left)."""
        scale = self._pixel_ratio()
        return QPoint(round(x / scale), round(self._vtk_widget.height() - 1 - y / scale))

    def _widget_to_display(self, point: QPoint) -> tuple[float, float]:
        scale = self._pixel_ratio()
        return point.x() * scale, (self._vtk_widget.height() - 1 - point.y()) * scale

    def finalize(self) -> None:
        """Release the OpenGL context and window now; the view cannot render afterwards."""
        if self._finalized:
            return
        self._finalized = True
        # VTK observers hold Python callbacks (ours and QVTKRenderWindowInteractor's) that refer
        # back to the widgets: a cycle the garbage collector cannot see, so break it here.
        self._style.RemoveAllObservers()
        interactor = self._render_window.GetInteractor()
        if interactor is not None:
            interactor.RemoveAllObservers()
            interactor.SetInteractorStyle(None)
            # A later paint event would re-open an X connection that nobody closes.
            interactor.EnableRenderOff()
        self._render_window.RemoveAllObservers()
        self._renderer.RemoveAllViewProps()
        self._picker.InitializePickList()
        self._surface_actors = []
        self._levels = []
        self._vtk_widget.Finalize()

    # --- Qt and VTK events --------------------------------------------------------------

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.finalize()
        super().closeEvent(event)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        self._vtk_widget.update()

    def _on_left_press(self, interactor, _event: str) -> None:  # noqa: ANN001
        self._press_position = interactor.GetEventPosition()

    def _on_interaction_end(self, _style, _event: str) -> None:  # noqa: ANN001
        """The end of a left-button rotation: if the mouse barely moved, it was a click.

        The style grabs the mouse while rotating, so the interactor's own release event never
        reaches other observers; the style's EndInteractionEvent does.
        """
        self.set_interactive(False)
        start, self._press_position = self._press_position, None
        if start is None or not self._surface_actors:
            return
        x, y = self._render_window.GetInteractor().GetEventPosition()
        if abs(x - start[0]) > _CLICK_TOLERANCE_PX or abs(y - start[1]) > _CLICK_TOLERANCE_PX:
            return
        hit = self.pick_nodule(self._display_to_widget(x, y))
        if hit is not None:
            self.nodule_clicked.emit(*hit)

    # --- volume levels -------------------------------------------------------------------

    def _make_level(
        self, image: vtkImageData, geometry: VolumeGeometry, origin_lps_mm: Sequence[float]
    ) -> _VolumeLevel:
        """A volume actor; the grid's rotation and origin go in its matrix, not in the image.

        VTK's CPU ray caster ignores vtkImageData's direction matrix (it drew a rotated grid in
        the wrong place), while every mapper honours the actor's matrix.
        """
        mapper = vtkSmartVolumeMapper()
        if self.uses_software_opengl():
            # llvmpipe runs the GPU ray caster on the CPU at about 0.1 frame/s for a 512x512x300
            # chest (benchmarks/render_3d.py); VTK's multi-threaded CPU ray caster is far faster.
            mapper.SetRequestedRenderModeToRayCast()
        mapper.SetInputData(image)
        mapper.SetBlendModeToComposite()
        mapper.SetAutoAdjustSampleDistances(True)
        actor = vtkVolume()
        actor.SetMapper(mapper)
        actor.SetProperty(load_preset(self._preset_name).to_volume_property())
        actor.SetUserMatrix(_grid_to_world(geometry.direction_matrix, origin_lps_mm))
        self._renderer.AddVolume(actor)
        return _VolumeLevel(actor=actor, mapper=mapper, image=image)

    def _show_level(self, interactive: bool) -> None:
        chosen = len(self._levels) - 1 if interactive else 0
        for index, level in enumerate(self._levels):
            level.actor.SetVisibility(index == chosen)


def _right_handed(volume: CTVolume) -> tuple[NDArray[np.generic], VolumeGeometry]:
    """The same voxels on a grid whose direction matrix has a positive determinant.

    VTK's GPU ray caster draws nothing for a mirrored grid (slices stacked against the slice
    normal, e.g. head to feet with k along -z), so such a grid is re-indexed along k: every voxel
    keeps its world position.
    """
    geometry = volume.geometry
    if np.linalg.det(geometry.direction_matrix) > 0:
        return volume.hu, geometry
    last_k = geometry.shape_kji[0] - 1
    direction = geometry.direction_matrix.copy()
    direction[:, 2] *= -1.0
    flipped = VolumeGeometry(
        shape_kji=geometry.shape_kji,
        spacing_xyz_mm=geometry.spacing_xyz_mm,
        origin_lps_mm=tuple(float(v) for v in geometry.index_to_world_lps_mm([0, 0, last_k])),
        direction=tuple(float(v) for v in direction.reshape(-1)),
    )
    return volume.hu[::-1], flipped


def _image_from_volume(volume: CTVolume) -> tuple[vtkImageData, VolumeGeometry]:
    """A vtkImageData of the HU array placed in world LPS mm (no RAS flip), and its grid."""
    hu, geometry = _right_handed(volume)
    hu = np.ascontiguousarray(hu)
    image = vtkImageData()
    image.SetDimensions(*geometry.shape_kji[::-1])
    image.SetSpacing(*geometry.spacing_xyz_mm)
    scalars = numpy_to_vtk(hu.reshape(-1), deep=False)
    scalars.SetName("HU")
    image.GetPointData().SetScalars(scalars)  # numpy_to_vtk keeps a reference to ``hu``
    return image, geometry


def _interactive_shrink_factor(shape_kji: tuple[int, int, int]) -> int:
    voxels = int(np.prod(shape_kji))
    factor = 1
    while voxels / factor**3 > INTERACTIVE_MAX_VOXELS:
        factor += 1
    return factor


def _grid_to_world(direction: NDArray[np.float64], origin_lps_mm: Sequence[float]) -> vtkMatrix4x4:
    matrix = vtkMatrix4x4()
    for row in range(3):
        for column in range(3):
            matrix.SetElement(row, column, float(direction[row, column]))
        matrix.SetElement(row, 3, float(origin_lps_mm[row]))
    return matrix


def _shrunk(full: vtkImageData, factor: int) -> vtkImageData:
    """Block-average ``factor``³ voxels; output voxel 0 is the centre of input block 0."""
    shrink = vtkImageShrink3D()
    shrink.SetInputData(full)
    shrink.SetShrinkFactors(factor, factor, factor)
    shrink.AveragingOn()
    shrink.Update()
    output = shrink.GetOutput()
    image = vtkImageData()
    image.SetDimensions(output.GetDimensions())
    image.SetSpacing(*(s * factor for s in full.GetSpacing()))
    image.GetPointData().SetScalars(output.GetPointData().GetScalars())
    return image


class OpenGLUnavailableWidget(QLabel):
    """Stands in for the 3D view when OpenGL cannot be used, so the rest of the app still runs."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reason = reason
        self.setObjectName("openGLUnavailable")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setText(
            self.tr(
                "3D view unavailable: OpenGL could not be initialised.\n"
                "The 2D views work normally. Updating the graphics driver may help."
            )
        )
        self.setToolTip(reason)

    def uses_software_opengl(self) -> bool:
        """No OpenGL at all here, so no software renderer either."""
        return False

    def set_volume(self, volume: CTVolume | None) -> None:
        """Accepts the same calls as VolumeView3D, so callers need not check which one they got."""

    def set_nodule_surfaces(self, surfaces: Iterable[object]) -> None:
        """Accepts the same calls as VolumeView3D, so callers need not check which one they got."""

    def set_preset(self, name: str) -> None:
        """Accepts the same calls as VolumeView3D, so callers need not check which one they got."""

    def reset_camera(self) -> None:
        """Accepts the same calls as VolumeView3D, so callers need not check which one they got."""


def create_3d_view(parent: QWidget | None = None) -> QWidget:
    """A VolumeView3D when OpenGL works here, otherwise a widget that says why there is none."""
    problem = opengl_problem()
    if problem is not None:
        return OpenGLUnavailableWidget(problem, parent)
    return VolumeView3D(parent)
