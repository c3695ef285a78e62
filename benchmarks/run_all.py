"""Runs every benchmark in this folder, one after another (`make bench`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _display_prefix() -> list[str]:
    """Qt and VTK benchmarks need an X server: without a display, run each under Xvfb."""
    if os.environ.get("DISPLAY") or not shutil.which("xvfb-run"):
        return []
    return ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]


def main() -> int:
    failed = []
    prefix = _display_prefix()
    for script in sorted(HERE.glob("*.py")):
        if script.name == "run_all.py" or "__main__" not in script.read_text(encoding="utf-8"):
            continue  # a helper module (phantoms), not a benchmark
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([*prefix, sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
