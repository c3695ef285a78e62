"""``python -m nodule_desk measure SERIES_DIR --seed X Y Z``: segment and measure one nodule.

Prints the measurement JSON of DESIGN.md, plus the extra measurements of NoduleMeasurement.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.errors import DicomFileError
from nodule_desk.imaging.measure import measure_nodule


def run(args: argparse.Namespace) -> dict[str, object]:
    series_dir = Path(args.series_dir)
    if not series_dir.is_dir():
        raise DicomFileError(series_dir, "not a folder of DICOM files")
    volume = load_series_dir(series_dir)
    result = measure_nodule(volume, args.seed).to_dict()
    result["series_uid"] = volume.series_uid
    result["seed_mm"] = [float(v) for v in args.seed]
    return result
