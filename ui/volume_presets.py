"""Volume-rendering presets (colour and opacity transfer functions over HU), kept as JSON data.

Each file in ``resources/presets/`` holds one preset: ``scalar_opacity`` as [HU, opacity] points,
``color`` as [HU, r, g, b] points (0..1), an optional ``gradient_opacity`` as [HU/mm, opacity]
points, and the shading coefficients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vtkmodules.vtkCommonDataModel import vtkPiecewiseFunction
from vtkmodules.vtkRenderingCore import vtkColorTransferFunction, vtkVolumeProperty

from nodule_desk.errors import NoduleDeskError

PRESETS_DIR = Path(__file__).resolve().parent.parent / "resources" / "presets"


class PresetError(NoduleDeskError):
    """A preset file is missing or malformed."""


@dataclass(frozen=True)
class VolumePreset:
    name: str
    scalar_opacity: tuple[tuple[float, float], ...]
    color: tuple[tuple[float, float, float, float], ...]
    gradient_opacity: tuple[tuple[float, float], ...] = ()
    shade: bool = True
    ambient: float = 0.2
    diffuse: float = 0.8
    specular: float = 0.2
    specular_power: float = 10.0

    def to_volume_property(self) -> vtkVolumeProperty:
        opacity = vtkPiecewiseFunction()
        for hu, alpha in self.scalar_opacity:
            opacity.AddPoint(hu, alpha)
        color = vtkColorTransferFunction()
        for hu, red, green, blue in self.color:
            color.AddRGBPoint(hu, red, green, blue)
        prop = vtkVolumeProperty()
        prop.SetScalarOpacity(opacity)
        prop.SetColor(color)
        if self.gradient_opacity:
            gradient = vtkPiecewiseFunction()
            for magnitude, alpha in self.gradient_opacity:
                gradient.AddPoint(magnitude, alpha)
            prop.SetGradientOpacity(gradient)
        prop.SetInterpolationTypeToLinear()
        prop.SetShade(self.shade)
        prop.SetAmbient(self.ambient)
        prop.SetDiffuse(self.diffuse)
        prop.SetSpecular(self.specular)
        prop.SetSpecularPower(self.specular_power)
        return prop


def available_presets(presets_dir: Path = PRESETS_DIR) -> list[str]:
    return sorted(path.stem for path in presets_dir.glob("*.json"))


def load_preset(name: str, presets_dir: Path = PRESETS_DIR) -> VolumePreset:
    path = presets_dir / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        known = ", ".join(available_presets(presets_dir)) or "none"
        raise PresetError(f"{path}: no volume preset named {name!r} (known: {known})") from error
    except (OSError, json.JSONDecodeError) as error:
        raise PresetError(f"{path}: cannot read volume preset: {error}") from error
    try:
        return VolumePreset(
            name=name,
            scalar_opacity=_points(data["scalar_opacity"], 2),
            color=_points(data["color"], 4),
            gradient_opacity=_points(data.get("gradient_opacity", []), 2),
            shade=bool(data.get("shade", True)),
            ambient=float(data.get("ambient", 0.2)),
            diffuse=float(data.get("diffuse", 0.8)),
            specular=float(data.get("specular", 0.2)),
            specular_power=float(data.get("specular_power", 10.0)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PresetError(f"{path}: malformed volume preset: {error!r}") from error


def _points(rows: list[list[float]], width: int) -> tuple[tuple[float, ...], ...]:
    points = tuple(tuple(float(value) for value in row) for row in rows)
    if any(len(point) != width for point in points):
        raise ValueError(f"every point needs {width} numbers")
    hu_values = [point[0] for point in points]
    if hu_values != sorted(hu_values):
        raise ValueError("points must be in increasing HU order")
    return points
