"""3D view frame rate: an interactive rotation (60 azimuth steps of 6 degrees, one Render each) at
800x600 of a 512x512x300 chest phantom, in whatever OpenGL the display gives (Mesa llvmpipe under
Xvfb: LIBGL_ALWAYS_SOFTWARE=1 is set unless the caller set it).

Prints the median frame time and frames per second of: a baseline scene with one nodule surface
and no volume, the full-resolution volume, and the block-averaged copy the view draws while the
camera moves; ratios are against the baseline measured in the same run.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python benchmarks/render_3d.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("LIBGL_ALWAYS_SOFTWARE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from nodule_desk.volume import CTVolume, VolumeGeometry  # noqa: E402
from ui.nodule_surfaces import NoduleSurface  # noqa: E402
from ui.volume_view_3d import VolumeView3D  # noqa: E402

DATA_DIR = ROOT / "benchmarks" / ".data"
SHAPE_KJI = (300, 512, 512)
SPACING_XYZ_MM = (0.7, 0.7, 1.0)
VIEW_SIZE = (800, 600)
STEPS = 60
STEP_DEGREES = 6.0
MAX_SECONDS_PER_CONFIG = 30.0
STILL_FPS = 0.0001
INTERACTIVE_FPS = 15.0


def chest_phantom() -> CTVolume:
    """Body ellipse with fat, two lungs, spine and a sternum; cached under benchmarks/.data/."""
    cache = DATA_DIR / "render_3d_chest_512x512x300.npy"
    origin = tuple(-(n - 1) / 2 * s for n, s in zip(SHAPE_KJI[::-1], SPACING_XYZ_MM, strict=True))
    geometry = VolumeGeometry(SHAPE_KJI, SPACING_XYZ_MM, origin)
    if cache.exists():
        return CTVolume(np.load(cache), geometry)
    j, i = np.mgrid[: SHAPE_KJI[1], : SHAPE_KJI[2]]
    x = (i - SHAPE_KJI[2] / 2) * SPACING_XYZ_MM[0]
    y = (j - SHAPE_KJI[1] / 2) * SPACING_XYZ_MM[1]
    section = np.full(j.shape, -1000, dtype=np.int16)
    section[(x / 165) ** 2 + (y / 115) ** 2 < 1] = -100
    section[(x / 155) ** 2 + (y / 105) ** 2 < 1] = 40
    for side in (-1, 1):
        section[((x - side * 70) / 60) ** 2 + ((y + 5) / 80) ** 2 < 1] = -850
    section[(x**2 + (y - 75) ** 2) < 18**2] = 700
    section[(np.abs(x) < 12) & (np.abs(y + 95) < 6)] = 500
    hu = np.empty(SHAPE_KJI, dtype=np.int16)
    for k in range(SHAPE_KJI[0]):
        hu[k] = section
        if k % 25 < 8:
            ribs = ((x / 150) ** 2 + (y / 100) ** 2 > 0.85) & ((x / 150) ** 2 + (y / 100) ** 2 < 1)
            hu[k][ribs] = 600
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    np.save(cache, hu)
    return CTVolume(hu, geometry)


def rotation_frame_times_s(view: VolumeView3D, update_rate_fps: float) -> list[float]:
    """Render times of the rotation; stops early past MAX_SECONDS_PER_CONFIG (slow renderers).

    ``update_rate_fps`` is the render window's desired update rate: the trackball style sets the
    interactor's (15 fps) while the mouse moves and the still rate (0.0001) when it stops, and the
    ray caster widens its sample distance to approach it.
    """
    view.reset_camera()
    window = view.render_window()
    window.SetDesiredUpdateRate(update_rate_fps)
    window.Render()
    camera = view.renderer.GetActiveCamera()
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(STEPS):
        camera.Azimuth(STEP_DEGREES)
        view.renderer.ResetCameraClippingRange()
        start = time.perf_counter()
        window.Render()
        times.append(time.perf_counter() - start)
        if time.perf_counter() - started > MAX_SECONDS_PER_CONFIG:
            break
    return times


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    view = VolumeView3D()
    view.show()
    app.processEvents()
    bar_height = view.height() - view.vtk_widget.height()
    view.resize(VIEW_SIZE[0], VIEW_SIZE[1] + bar_height)
    app.processEvents()
    width, height = view.render_window().GetSize()
    capabilities = view.render_window().ReportCapabilities().splitlines()
    gl_renderer = next((line for line in capabilities if "renderer string" in line), "?")
    print(f"render window {width}x{height}, {gl_renderer.strip()}", flush=True)

    volume = chest_phantom()
    zz, yy, xx = np.mgrid[:25, :25, :25]
    mask = ((xx - 12) ** 2 + (yy - 12) ** 2 + (zz - 12) ** 2 <= 100).astype(np.uint8)
    nodule_geometry = VolumeGeometry((25, 25, 25), (0.7, 0.7, 1.0), (60.0, -10.0, 0.0))
    view.set_nodule_surfaces([NoduleSurface("N1", mask, nodule_geometry, (1.0, 0.4, 0.1))])
    results = {"baseline: nodule surface only, still": rotation_frame_times_s(view, STILL_FPS)}
    _report_line("baseline: nodule surface only, still", results, flush_baseline=True)

    start = time.perf_counter()
    view.set_volume(volume)
    view.set_preset("bone")
    view.render_window().Render()
    print(f"volume upload + first frame: {time.perf_counter() - start:.2f} s", flush=True)

    for preset in ("bone", "lung"):
        view.set_preset(preset)
        view.set_interactive(False)
        for rate_name, rate in (("still", STILL_FPS), ("interactive", INTERACTIVE_FPS)):
            name = f"{preset}, full 512x512x300, {rate_name}"
            results[name] = rotation_frame_times_s(view, rate)
            _report_line(name, results)
        view.set_interactive(True)
        size = "x".join(str(n) for n in view._levels[-1].image.GetDimensions())  # noqa: SLF001
        name = f"{preset}, downsampled {size}, interactive"
        results[name] = rotation_frame_times_s(view, INTERACTIVE_FPS)
        _report_line(name, results)
        view.set_interactive(False)
    view.close()
    return 0


def _report_line(name: str, results: dict[str, list[float]], flush_baseline: bool = False) -> None:
    times = results[name]
    base_ms = statistics.median(next(iter(results.values()))) * 1000
    median_ms = statistics.median(times) * 1000
    p95_ms = float(np.percentile(times, 95)) * 1000
    print(
        f"{name:46s} {len(times):3d} frames  median {median_ms:8.1f} ms  p95 {p95_ms:8.1f} ms  "
        f"{1000 / median_ms:6.1f} fps  frame time x{median_ms / base_ms:6.1f} baseline",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
