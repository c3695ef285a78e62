"""The local archive: NoduleDesk's own copy of every instance it imported or received.

    >>> archive = Archive(store)                    # beside the store file, folder "archive"
    >>> archive.put_file(Path("/media/usb/DICOM/IM0001"), source="import").instance.path

An instance is keyed by its SOP Instance UID: sending or importing it again stores nothing new
("already stored"). The file is written whole or not at all (``files.write_atomically``), then
indexed with its SHA-256 in the store; a file that is on disk but not indexed (a crash between the
two steps) is simply written again the next time it comes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nodule_desk.archive.files import (
    InstanceIdentity,
    WrittenFile,
    archive_root_for,
    identity_of,
    instance_path,
    sha256_of,
    write_atomically,
)
from nodule_desk.errors import DicomFileError
from nodule_desk.store.instances import ArchivedInstance, InstanceQueries

log = logging.getLogger(__name__)

Outcome = Literal["stored", "already stored", "repaired", "kept first"]


@dataclass(frozen=True)
class StoredInstance:
    instance: ArchivedInstance
    outcome: Outcome
    """``kept first``: the same SOP Instance UID came again with other content; the copy stored
    first is kept, as PACS do unless told to overwrite."""


class Archive:
    def __init__(self, store: InstanceQueries, root: Path | None = None) -> None:
        self.store = store
        self.root = Path(root) if root is not None else archive_root_for(store.path)

    def put_bytes(
        self, data: bytes, source: str, identity: InstanceIdentity | None = None
    ) -> StoredInstance:
        """Archive an encoded instance (file meta and dataset, as a C-STORE delivers it)."""
        identity = identity or identity_of(data)
        return self._put(
            identity,
            source,
            "",
            lambda target: write_atomically(target, [data]),
            lambda: hashlib.sha256(data).hexdigest(),
        )

    def put_file(self, path: Path, source: str = "import") -> StoredInstance:
        """Copy a DICOM file into the archive; DicomFileError names the file if it cannot be."""
        path = Path(path)
        identity = identity_of(path)

        def write(target: Path) -> WrittenFile:
            try:
                with path.open("rb") as original:
                    return write_atomically(target, original)
            except OSError as error:
                if target.parent.exists() and not path.exists():
                    raise DicomFileError(path, "the file disappeared while copying") from error
                raise

        return self._put(identity, source, str(path.absolute()), write, lambda: sha256_of(path))

    def _put(
        self,
        identity: InstanceIdentity,
        source: str,
        original: str,
        write: Callable[[Path], WrittenFile],
        checksum: Callable[[], str],
    ) -> StoredInstance:
        known = self.store.archived_instance(identity.sop_instance_uid)
        if known is not None and Path(known.path).is_file():
            if checksum() != known.sha256:
                log.warning(
                    "%s: SOP Instance %s came again with other content; the first copy is kept",
                    original or source,
                    identity.sop_instance_uid,
                )
                return StoredInstance(known, "kept first")
            return StoredInstance(known, "already stored")
        target = instance_path(self.root, identity) if known is None else Path(known.path)
        written = write(target)
        record = ArchivedInstance(
            sop_instance_uid=identity.sop_instance_uid,
            sop_class_uid=identity.sop_class_uid,
            study_uid=identity.study_uid,
            series_uid=identity.series_uid,
            patient_id=identity.patient_id,
            modality=identity.modality,
            path=str(written.path),
            sha256=written.sha256,
            size_bytes=written.size_bytes,
            source=source,
            original_path=original,
        )
        if known is not None:
            self.store.repair_archived_instance(record)
            return StoredInstance(record, "repaired")
        if not self.store.add_archived_instance(record):
            stored = self.store.archived_instance(identity.sop_instance_uid)
            return StoredInstance(stored or record, "already stored")
        return StoredInstance(record, "stored")

    def verify(self, instance: ArchivedInstance) -> bool:
        """True when the archived file is present and still has the SHA-256 it was written with."""
        path = Path(instance.path)
        return path.is_file() and sha256_of(path) == instance.sha256
