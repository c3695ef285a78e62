"""``python -m nodule_desk measure SERIES_DIR --seed X Y Z``: segment and measure one nodule.

Prints the measurement JSON of DESIGN.md (plus the extra measurements of NoduleMeasurement).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nodule_desk.errors import SeriesError
from nodule_desk.imaging.measure import measure_nodule
from nodule_desk.volume import CTVolume


def load_series(series_dir: Path) -> CTVolume:
    """The CT volume of the series in ``series_dir``, through the project's DICOM loader."""
    if not series_dir.is_dir():
        raise SeriesError(str(series_dir), "not a folder of DICOM files")
    try:
        from nodule_desk.dicom import load_series_dir  # type: ignore[attr-defined]
    except ImportError:
        return _load_with_simpleitk(series_dir)
    return load_series_dir(series_dir)


def _load_with_simpleitk(series_dir: Path) -> CTVolume:
    """Stand-in until nodule_desk.dicom.load_series_dir exists: one series, sorted by position."""
    import SimpleITK as sitk

    reader = sitk.ImageSeriesReader()
    series_ids = reader.GetGDCMSeriesIDs(str(series_dir))
    if len(series_ids) != 1:
        raise SeriesError(str(series_dir), f"expected one CT series, found {len(series_ids)}")
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(series_dir), series_ids[0]))
    return CTVolume.from_sitk(reader.Execute(), series_uid=series_ids[0])


def run(args: argparse.Namespace) -> dict[str, object]:
    volume = load_series(Path(args.series_dir))
    result = measure_nodule(volume, args.seed).to_dict()
    result["series_uid"] = volume.series_uid
    result["seed_mm"] = [float(v) for v in args.seed]
    return result
