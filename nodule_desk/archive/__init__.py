"""The local archive: NoduleDesk's own, checksummed copy of every instance it imported or
received, so the store never points at a CD, a USB stick or a folder that may go away."""

from nodule_desk.archive.archive import Archive, StoredInstance
from nodule_desk.archive.files import archive_root_for
from nodule_desk.archive.ingest import ImportOutcome, import_paths, index_series

__all__ = [
    "Archive",
    "ImportOutcome",
    "StoredInstance",
    "archive_root_for",
    "import_paths",
    "index_series",
]
