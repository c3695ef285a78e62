"""Finding, grouping, validating and loading CT series; DICOM networking."""
