"""The core never imports Qt or VTK: a headless server or CLI must run without a screen."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "nodule_desk"
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "vtk", "vtkmodules", "ui", "pyvista")


def _imported_top_level_names(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(
            node.func, "attr", getattr(node.func, "id", "")
        ) in {"import_module", "__import__"}:
            if (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


@pytest.mark.parametrize(
    "source", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE))
)
def test_core_module_imports_no_gui_toolkit(source: Path) -> None:
    bad = _imported_top_level_names(source) & set(FORBIDDEN)
    assert not bad, f"{source} imports {sorted(bad)}"


def test_importing_every_core_module_loads_no_gui_toolkit() -> None:
    code = (
        "import importlib, pkgutil, sys, nodule_desk\n"
        "for m in pkgutil.walk_packages(nodule_desk.__path__, 'nodule_desk.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = [n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_boundary_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    offender = tmp_path / "offender.py"
    offender.write_text("from PySide6.QtWidgets import QWidget\nimport vtkmodules.all\n")
    assert {"PySide6", "vtkmodules"} <= _imported_top_level_names(offender)
