"""``python -m nodule_desk track BASELINE_DIR FOLLOWUP_DIR --seed X Y Z [--seed ...]``.

Seeds are world LPS mm on the baseline. Prints the registration matrix, the interval and one pair
per seed, in seed order (DESIGN.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.errors import DicomFileError
from nodule_desk.followup.tracking import interval_days, track_json, track_seeds


def _series(path: Path) -> Any:
    if not Path(path).is_dir():
        raise DicomFileError(path, "not a folder of DICOM files")
    return load_series_dir(Path(path))


def run(args: argparse.Namespace) -> dict[str, Any]:
    baseline, followup = _series(args.baseline_dir), _series(args.followup_dir)
    registration, pairs = track_seeds(baseline, followup, args.seed)
    return track_json(registration, pairs, interval_days(baseline, followup))
