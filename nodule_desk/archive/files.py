"""The archive's files: where an instance lives, and writing it so that it is whole or absent.

Each instance is written to a temporary file in its final folder, flushed and fsync'ed, then
renamed over its final name (``os.replace`` is atomic on one file system), and the folder is
fsync'ed so the rename itself survives a power cut. A reader therefore sees either no file or the
complete instance, never half of one; an interrupted write leaves only a ``.part`` file, which the
next write into that folder does not mistake for an instance.

Names are short hashes of the UIDs (study / series / instance): UIDs may be 64 characters each,
which would pass Windows' 260-character path limit, and a UID from the network is not trusted to
be a safe file name.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from nodule_desk.errors import DicomFileError

ARCHIVE_FOLDER = "archive"
PART_SUFFIX = ".part"
_CHUNK_BYTES = 1 << 20
_IDENTIFYING_TAGS = [
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "PatientID",
    "Modality",
]


@dataclass(frozen=True)
class InstanceIdentity:
    """The UIDs that place an instance in the archive, read from its header."""

    sop_instance_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    patient_id: str
    modality: str


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    sha256: str
    size_bytes: int


def archive_root_for(store_path: Path) -> Path:
    """The archive belongs to a store: it lives in the folder beside the store file."""
    return Path(store_path).absolute().parent / ARCHIVE_FOLDER


def _key(uid: str, length: int) -> str:
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()[:length]


def instance_path(root: Path, identity: InstanceIdentity) -> Path:
    return (
        root
        / _key(identity.study_uid, 16)
        / _key(identity.series_uid, 16)
        / f"{_key(identity.sop_instance_uid, 32)}.dcm"
    )


def identity_of(source: Path | bytes) -> InstanceIdentity:
    """The identifying UIDs of a DICOM file or of its bytes; DicomFileError if it has none."""
    name = source if isinstance(source, Path) else Path("<received instance>")
    try:
        dataset = pydicom.dcmread(
            source if isinstance(source, Path) else io.BytesIO(source),
            stop_before_pixels=True,
            specific_tags=_IDENTIFYING_TAGS,
        )
    except (InvalidDicomError, OSError, ValueError, EOFError) as error:
        raise DicomFileError(name, f"not a readable DICOM file ({error})") from error
    sop_instance_uid = str(dataset.get("SOPInstanceUID", "") or "")
    if not sop_instance_uid:
        raise DicomFileError(name, "no SOP Instance UID: it cannot be archived")
    return InstanceIdentity(
        sop_instance_uid=sop_instance_uid,
        sop_class_uid=str(dataset.get("SOPClassUID", "") or ""),
        study_uid=str(dataset.get("StudyInstanceUID", "") or ""),
        series_uid=str(dataset.get("SeriesInstanceUID", "") or ""),
        patient_id=str(dataset.get("PatientID", "") or ""),
        modality=str(dataset.get("Modality", "") or ""),
    )


def write_atomically(target: Path, chunks: list[bytes] | io.BufferedIOBase) -> WrittenFile:
    """Write ``chunks`` (byte strings, or a binary file read to its end) as ``target``, whole or
    not at all, and return its SHA-256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}-", suffix=PART_SUFFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in _iterate(chunks):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)
    return WrittenFile(target, digest.hexdigest(), size)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _iterate(chunks: list[bytes] | io.BufferedIOBase):  # noqa: ANN202 - a local generator
    if isinstance(chunks, list):
        yield from chunks
        return
    yield from iter(lambda: chunks.read(_CHUNK_BYTES), b"")


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory handles to fsync; NTFS journals the rename
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
