"""The files of a signed report: kept under the data dir, hashed in the store, and exported again
byte for byte (a signed version is never rendered a second time)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nodule_desk.errors import NoduleDeskError
from nodule_desk.paths import data_dir
from nodule_desk.store import Report


class SignedOutputMissing(NoduleDeskError):
    """A signed report's archived file is gone or differs from what was signed."""


def archive_dir(study_uid: str, version: int) -> Path:
    return data_dir() / "reports" / study_uid / f"v{version}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_outputs(study_uid: str, version: int, files: Iterable[Path]) -> dict[str, str]:
    """Copy the signed version's files into its archive folder; their names -> SHA-256.
    Key images keep their sub-folder (``key_images/key_N1.png``)."""
    archive = archive_dir(study_uid, version)
    hashes = {}
    for path in files:
        name = f"key_images/{path.name}" if path.parent.name == "key_images" else path.name
        target = archive / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        hashes[name] = sha256_of(target)
    return hashes


def export_signed(report: Report, out_dir: Path) -> dict[str, Path]:
    """Copy the signed version's archived files into ``out_dir`` after checking each against the
    hash stored at signing; name -> exported path."""
    archive = archive_dir(report.study_uid, report.version)
    exported = {}
    for name, expected in sorted(report.output_sha256.items()):
        source = archive / name
        if not source.exists():
            raise SignedOutputMissing(
                f"the signed report v{report.version} of study {report.study_uid} is missing "
                f"{name} from its archive {archive}"
            )
        if sha256_of(source) != expected:
            raise SignedOutputMissing(
                f"{source}: the file differs from the one signed in v{report.version} "
                f"of study {report.study_uid}"
            )
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        exported[name] = target
    return exported


def signed_result(report: Report, exported: dict[str, Path]) -> dict[str, Any]:
    """publish_report's answer for a signed version exported again."""
    frozen = report.frozen or {}
    data = frozen.get("report", {})
    pdf = next((p for name, p in exported.items() if name.endswith(".pdf")), None)
    kinds = {"sr": "sr.dcm", "encapsulated_pdf": "report_pdf.dcm", "kos": "key_objects.dcm"}
    return {
        "study_uid": report.study_uid,
        "status": "signed",
        "version": report.version,
        "language": report.language,
        "exam_category": data.get("exam_lung_rads_category"),
        "follow_up_date": data.get("follow_up_date"),
        "pdf": str(pdf) if pdf else None,
        **{kind: str(exported[name]) for kind, name in kinds.items() if name in exported},
        "sop_instance_uids": dict(frozen.get("sop_instance_uids", {})),
        "key_images": {
            name.removeprefix("key_images/key_").removesuffix(".png"): str(path)
            for name, path in exported.items()
            if name.startswith("key_images/")
        },
    }
