"""Finding, grouping, validating and loading CT series; DICOM networking."""

from nodule_desk.dicom.load import load_series, load_series_dir
from nodule_desk.dicom.scan import scan_paths

__all__ = ["load_series", "load_series_dir", "scan_paths"]
