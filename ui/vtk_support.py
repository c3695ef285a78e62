"""VTK inside Qt: the one place that binds VTK's Qt widget to PySide6 and checks OpenGL.

Import ``QVTKRenderWindowInteractor`` from here, never from ``vtkmodules.qt`` directly: VTK picks
its Qt binding when that module is first imported, and must pick PySide6.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

import vtkmodules.qt

vtkmodules.qt.PyQtImpl = "PySide6"

# The OpenGL2 backend and the interaction styles register VTK's factory overrides on import.
import vtkmodules.vtkInteractionStyle  # noqa: E402, F401
import vtkmodules.vtkRenderingOpenGL2  # noqa: E402, F401
import vtkmodules.vtkRenderingVolumeOpenGL2  # noqa: E402, F401
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor  # noqa: E402

__all__ = ["QVTKRenderWindowInteractor", "NO_3D_ENV", "opengl_problem"]

NO_3D_ENV = "NODULE_DESK_NO_3D"
"""Set to 1 to replace the 3D view by its fallback message (for machines with broken drivers)."""

_PROBE_TIMEOUT_S = 30.0

# Run in a child process: a broken driver can abort or hang the process that creates the context,
# and the application must survive that.
_PROBE_SCRIPT = """
import vtkmodules.vtkRenderingOpenGL2
from vtkmodules.vtkRenderingCore import vtkRenderWindow
window = vtkRenderWindow()
window.SetOffScreenRendering(1)
window.SetSize(8, 8)
ok = window.SupportsOpenGL()
window.Finalize()
print("OPENGL_OK" if ok else "OPENGL_MISSING")
"""


def opengl_problem() -> str | None:
    """Why VTK cannot render here (untranslated, for logs and the fallback's detail), or None."""
    if os.environ.get(NO_3D_ENV, "").strip() not in ("", "0"):
        return f"disabled by {NO_3D_ENV}"
    return _probe_opengl()


@functools.lru_cache(maxsize=1)
def _probe_opengl() -> str | None:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    if getattr(sys, "frozen", False):
        # A frozen (PyInstaller) executable cannot run ``-c``: probe in this process instead.
        return _probe_in_process()
    try:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE_SCRIPT],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"OpenGL probe failed: {error}"
    if "OPENGL_OK" in result.stdout:
        return None
    detail = (result.stderr or result.stdout).strip().splitlines()
    reason = detail[-1] if detail else f"exit code {result.returncode}"
    return f"no usable OpenGL 3.2 context: {reason}"


def _probe_in_process() -> str | None:
    from vtkmodules.vtkRenderingCore import vtkRenderWindow

    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(8, 8)
    supported = window.SupportsOpenGL()
    window.Finalize()
    return None if supported else "no usable OpenGL 3.2 context"
