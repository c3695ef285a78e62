"""``python -m nodule_desk detect SERIES_DIR``: nodule candidates of a chest CT series.

Prints ``{"candidates": [{"center_mm", "diameter_mm", "score"}, ...]}`` (DESIGN.md, CLI contract),
centres in world LPS mm, most nodule-like first, plus the series UID.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.errors import DicomFileError
from nodule_desk.imaging.detect import detect_nodules


def run(args: argparse.Namespace) -> dict[str, object]:
    series_dir = Path(args.series_dir)
    if not series_dir.is_dir():
        raise DicomFileError(series_dir, "not a folder of DICOM files")
    volume = load_series_dir(series_dir)
    candidates = detect_nodules(volume)
    return {
        "candidates": [c.to_dict() for c in candidates],
        "series_uid": volume.series_uid,
    }
