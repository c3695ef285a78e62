"""Scrolling: time to draw the next axial slice of a 512 x 512 series, as SliceView draws it.

Per slice: reslice (a strided view), window/level to uint8, wrap in a QImage and paint it scaled
into an 800 x 800 offscreen image. Three pipelines alternate slice by slice over 200 slices:
the float-math window/level (baseline), the lookup table (what the view uses), and the lookup table
after a 10 mm MIP slab. Target: under 16 ms median per slice (issue 6).

Run from the repository root: .venv/bin/python benchmarks/scroll_slices.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nodule_desk.imaging.reslice import Orientation, VolumeReslicer  # noqa: E402
from nodule_desk.imaging.slab import SlabMode, WindowLut, plane_hu, window_float  # noqa: E402
from nodule_desk.volume import CTVolume, VolumeGeometry  # noqa: E402

N_SLICES = 200
SIZE = 512
SLICE_MM = 1.0
LUNG = (-600.0, 1500.0)
VIEW_PX = 800


def chest_series(n_slices: int = N_SLICES + 12, size: int = SIZE) -> CTVolume:
    """A chest-like 512 x 512 series: body, two lungs with noise, a spine; made in memory."""
    rng = np.random.default_rng(6)
    j, i = np.mgrid[0:size, 0:size].astype(np.float32) / size * 2 - 1
    body = (i / 0.9) ** 2 + (j / 0.7) ** 2 < 1
    lungs = ((np.abs(i) - 0.42) / 0.3) ** 2 + (j / 0.5) ** 2 < 1
    plane = np.where(body, 40, -1000)
    plane = np.where(lungs, -850, plane)
    plane = np.where((i / 0.09) ** 2 + ((j - 0.45) / 0.12) ** 2 < 1, 700, plane)
    hu = np.empty((n_slices, size, size), dtype=np.int16)
    for k in range(n_slices):
        hu[k] = plane + rng.integers(-20, 21, (size, size), dtype=np.int16)
    geometry = VolumeGeometry(hu.shape, (0.7, 0.7, SLICE_MM), (-180.0, -180.0, -300.0))
    return CTVolume(hu, geometry)


def paint(grey: np.ndarray, target: QImage) -> None:
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    painter = QPainter(target)
    painter.fillRect(target.rect(), Qt.GlobalColor.black)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
    painter.end()


def pipelines(reslicer: VolumeReslicer) -> dict[str, Callable[[int], np.ndarray]]:
    lut = WindowLut()
    axial = Orientation.AXIAL
    return {
        "float window (baseline)": lambda k: window_float(reslicer.slice_hu(axial, k), *LUNG),
        "LUT window": lambda k: lut.apply(reslicer.slice_hu(axial, k), *LUNG),
        "LUT window + 10 mm MIP": lambda k: lut.apply(
            plane_hu(reslicer, axial, k, SlabMode.MIP, 10.0), *LUNG
        ),
    }


def measure(reslicer: VolumeReslicer) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per pipeline: whole-slice times, and the reslice + window part alone (ms)."""
    target = QImage(VIEW_PX, VIEW_PX, QImage.Format.Format_ARGB32_Premultiplied)
    runs = pipelines(reslicer)
    total: dict[str, list[float]] = {name: [] for name in runs}
    pixels: dict[str, list[float]] = {name: [] for name in runs}
    for k in range(6, 6 + N_SLICES):
        for name, render in runs.items():
            start = time.perf_counter()
            grey = render(k)
            windowed = time.perf_counter()
            paint(grey, target)
            end = time.perf_counter()
            total[name].append((end - start) * 1000)
            pixels[name].append((windowed - start) * 1000)
    return total, pixels


def widget_times(reslicer: VolumeReslicer) -> list[float]:
    """The real view, drawn offscreen into an image the size of a 1x1 reading view."""
    from ui.slice_view import SliceView

    view = SliceView(Orientation.AXIAL)
    view.resize(VIEW_PX, VIEW_PX)
    view.set_reslicer(reslicer)
    view.set_slab(SlabMode.MIP, 10.0)
    target = QImage(VIEW_PX, VIEW_PX, QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for k in range(6, 6 + N_SLICES):
        start = time.perf_counter()
        view.set_slice(k)
        view.render(target)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    reslicer = VolumeReslicer(chest_series())
    times, pixels = measure(reslicer)
    print(f"next axial slice, {SIZE}x{SIZE}, {N_SLICES} slices, painted to {VIEW_PX}x{VIEW_PX}")
    for title, table in (
        ("whole slice (reslice + W/L + paint):", times),
        ("reslice + W/L alone:", pixels),
    ):
        print(title)
        baseline = float(np.median(table["float window (baseline)"]))
        for name, values in table.items():
            median, p95 = float(np.median(values)), float(np.percentile(values, 95))
            print(
                f"  {name:26s} median {median:6.2f} ms  p95 {p95:6.2f} ms  "
                f"x{median / baseline:4.2f} of baseline"
            )
    widget = widget_times(reslicer)
    print("the SliceView widget itself (set_slice + paintEvent with overlay, via QWidget.render):")
    print(
        f"  {'LUT window + 10 mm MIP':26s} median {np.median(widget):6.2f} ms  "
        f"p95 {np.percentile(widget, 95):6.2f} ms"
    )
    worst = max(float(np.median(v)) for n, v in times.items() if n.startswith("LUT"))
    print(f"target: median under 16 ms per slice: {'met' if worst < 16 else 'NOT met'}")
    del app


if __name__ == "__main__":
    main()
