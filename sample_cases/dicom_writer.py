"""Writes a CTVolume as a real DICOM CT series: one CT Image Storage file per slice.

Used by the sample-patient generator, the benchmarks and the tests that need DICOM on disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)

from nodule_desk.volume import CTVolume

RESCALE_INTERCEPT = -1024.0


@dataclass
class SeriesIdentity:
    """Who and what the series belongs to. UIDs default to fresh ones.

    ``patient_name`` is a DICOM PN: "Zhang^Wei=张^伟" holds the alphabetic and the ideographic
    group; files are written with SpecificCharacterSet ISO_IR 192 (UTF-8), so any script survives.
    """

    patient_id: str
    patient_name: str
    study_date: dt.date
    patient_birth_date: dt.date | None = None
    patient_sex: str = "O"
    study_uid: str = field(default_factory=generate_uid)
    series_uid: str = field(default_factory=generate_uid)
    frame_of_reference_uid: str = field(default_factory=generate_uid)
    study_description: str = "CT CHEST"
    series_description: str = "Lung 1.0"
    series_number: int = 1
    accession_number: str = ""
    institution_name: str = "NoduleDesk Demo Hospital"
    slice_thickness_mm: float | None = None
    """Reconstructed thickness; defaults to the slice spacing."""
    deterministic_instance_uids: bool = False
    """SOPInstanceUIDs from the series UID and slice number, so reruns give equal files."""


def _base_dataset(identity: SeriesIdentity) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = CTImageStorage
    ds.Modality = "CT"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.PatientID = identity.patient_id
    ds.PatientName = identity.patient_name
    ds.PatientBirthDate = (
        identity.patient_birth_date.strftime("%Y%m%d") if identity.patient_birth_date else ""
    )
    ds.PatientSex = identity.patient_sex
    ds.StudyInstanceUID = identity.study_uid
    ds.SeriesInstanceUID = identity.series_uid
    ds.FrameOfReferenceUID = identity.frame_of_reference_uid
    ds.PositionReferenceIndicator = ""
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = (
        identity.study_date.strftime("%Y%m%d")
    )
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "090000"
    ds.StudyID = "1"
    ds.AccessionNumber = identity.accession_number
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = identity.study_description
    ds.SeriesDescription = identity.series_description
    ds.SeriesNumber = identity.series_number
    ds.Manufacturer = "NoduleDesk phantom"
    ds.InstitutionName = identity.institution_name
    ds.BodyPartExamined = "CHEST"
    ds.KVP = 120
    ds.AcquisitionNumber = 1
    ds.PatientPosition = "FFS"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleIntercept = f"{RESCALE_INTERCEPT:g}"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    ds.WindowCenter = "-600"
    ds.WindowWidth = "1500"
    return ds


def _stored_values(hu_slice: np.ndarray) -> np.ndarray:
    """One slice's stored values (HU minus the intercept); slice by slice to spare memory."""
    stored = np.rint(hu_slice.astype(np.float32) - RESCALE_INTERCEPT)
    return np.clip(stored, -32768, 32767).astype(np.int16)


def write_ct_series(
    volume: CTVolume,
    out_dir: Path,
    identity: SeriesIdentity,
    file_names: Sequence[str] | None = None,
) -> list[Path]:
    """Write one file per slice of ``volume`` into ``out_dir``; returns the paths in slice order.

    The geometry (origin, spacing, direction) becomes ImagePositionPatient,
    ImageOrientationPatient, PixelSpacing and the slice positions, so a reader that follows
    PS3.3 C.7.6.2 rebuilds the same world coordinates.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    geometry = volume.geometry
    direction = geometry.direction_matrix
    row_cosines, column_cosines = direction[:, 0], direction[:, 1]
    spacing_x, spacing_y, spacing_z = geometry.spacing_xyz_mm
    base = _base_dataset(identity)
    base.Rows, base.Columns = int(volume.hu.shape[1]), int(volume.hu.shape[2])
    base.PixelSpacing = [f"{spacing_y:.6g}", f"{spacing_x:.6g}"]
    base.ImageOrientationPatient = [f"{v:.6f}" for v in (*row_cosines, *column_cosines)]
    base.SliceThickness = f"{identity.slice_thickness_mm or spacing_z:.6g}"
    paths: list[Path] = []
    for k in range(volume.hu.shape[0]):
        ds = Dataset()
        ds.update(base)
        ds.SOPInstanceUID = (
            generate_uid(entropy_srcs=[identity.series_uid, str(k)])
            if identity.deterministic_instance_uids
            else generate_uid()
        )
        ds.InstanceNumber = k + 1
        position = geometry.index_to_world_lps_mm((0.0, 0.0, float(k)))
        ds.ImagePositionPatient = [f"{v:.4f}" for v in position]
        ds.SliceLocation = f"{float(np.dot(position, direction[:, 2])):.4f}"
        ds.PixelData = _stored_values(volume.hu[k]).tobytes()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        name = file_names[k] if file_names is not None else f"CT{k + 1:04d}.dcm"
        path = out_dir / name
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths
