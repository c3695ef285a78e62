"""Synthetic demo patients: a deterministic chest-CT phantom written as real DICOM."""
