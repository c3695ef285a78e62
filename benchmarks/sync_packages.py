"""Small synthetic case summaries for the outbox's load test and benchmark: each a package of
three tiny de-identified-looking instances (SR, PDF, KOS sized) in its own study."""

from __future__ import annotations

import json
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from nodule_desk.store import Store
from nodule_desk.sync.package_format import MANIFEST

SOP_CLASSES = (
    "1.2.840.10008.5.1.4.1.1.88.34",  # Comprehensive 3D SR
    "1.2.840.10008.5.1.4.1.1.104.1",  # Encapsulated PDF
    "1.2.840.10008.5.1.4.1.1.88.59",  # Key Object Selection
)


def _instance(study_uid: str, sop_class: str, n: int, payload_bytes: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, generate_uid()
    ds.PatientID, ds.PatientName = f"BR01-LOAD{n:05d}", f"Patient^BR01-LOAD{n:05d}"
    ds.PatientIdentityRemoved = "YES"
    ds.Modality = (
        "DOC" if sop_class.endswith("104.1") else ("KO" if sop_class.endswith("59") else "SR")
    )
    ds.add_new(0x00420011, "OB", bytes(payload_bytes))
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def write_package(folder: Path, n: int, payload_bytes: int = 4096) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    study_uid = generate_uid()
    entries, files = [], []
    for index, sop_class in enumerate(SOP_CLASSES):
        ds = _instance(study_uid, sop_class, n, payload_bytes)
        name = f"{index + 1:05d}.dcm"
        ds.save_as(folder / name, enforce_file_format=True)
        files.append(folder / name)
        entries.append(
            {
                "file": name,
                "sop_instance_uid": ds.SOPInstanceUID,
                "series_uid": ds.SeriesInstanceUID,
                "study_uid": study_uid,
            }
        )
    (folder / MANIFEST).write_text(json.dumps({"study_uid": study_uid, "instances": entries}))
    return files


def queue_packages(store: Store, root: Path, count: int, start: int = 0) -> list[list[Path]]:
    """``count`` packages under ``root``, each queued as a case summary; their files."""
    packages = []
    for n in range(start, start + count):
        folder = root / f"load-{n:05d}"
        packages.append(write_package(folder, n))
        store.enqueue("case_summary", folder, instances=3)
    return packages
