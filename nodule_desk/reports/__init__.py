"""DICOM SR (TID 1500), PDF report, de-identification."""
