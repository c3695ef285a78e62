"""The site's settings that the core needs (reports, guidelines, sharing), in a JSON file.

Kept in the data dir beside the store, so the CLI and the app read the same ones; the window's own
preferences (geometry, language of the UI) stay in QSettings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from nodule_desk.errors import NoduleDeskError
from nodule_desk.paths import data_dir

SETTINGS_FILE = "settings.json"


SEND_CHOICES = ("summary", "summary_and_series")


@dataclass
class ParentCenterSettings:
    """The provincial parent center, reached by DICOMweb. The password is never kept here: it is
    in the system keyring, or NODULE_DESK_PARENT_PASSWORD where no keyring exists."""

    url: str = ""
    """The DICOMweb root, for example "https://pacs.parent.example/dicom-web"."""
    branch_id: str = ""
    """This branch center's ID at the parent: the prefix of every pseudonym it makes."""
    username: str = ""
    ca_file: str = ""
    """A PEM bundle to verify the parent's HTTPS certificate; empty for the system's."""
    send: str = "summary"
    """"summary" (SR, PDF, key images) on signing; "summary_and_series" adds the CT series."""
    deidentification: dict[str, Any] = field(default_factory=dict)
    """Options of PS3.15 Annex E: {"dates": "shift"|"keep", "retain_patient_characteristics"}."""
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 60.0

    @property
    def configured(self) -> bool:
        return bool(self.url.strip() and self.branch_id.strip())

    @classmethod
    def from_json(cls, value: Any) -> ParentCenterSettings:
        if not isinstance(value, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in value.items() if k in known})
        if settings.send not in SEND_CHOICES:
            raise NoduleDeskError(f"parent_center.send must be one of {SEND_CHOICES}")
        return settings


@dataclass
class SiteSettings:
    institution_name: str = "NoduleDesk Branch Center"
    """The hospital's name as it heads every report."""
    logo_path: str = ""
    """A PNG or JPEG printed at the report's top left; empty for none."""
    report_language: str = "zh_CN"
    default_context: str = "screening"
    """Which guideline applies when an exam does not say: "screening" or "incidental"."""
    parent_center: ParentCenterSettings = field(default_factory=ParentCenterSettings)


def settings_path(db_path: Path | None = None) -> Path:
    """settings.json beside the store: the given one's, or the data dir's."""
    return (
        Path(db_path).parent / SETTINGS_FILE if db_path is not None else data_dir() / SETTINGS_FILE
    )


def load_settings(path: Path | None = None) -> SiteSettings:
    """The saved settings, defaults for anything missing; a broken file is an error naming it."""
    path = path or settings_path()
    if not path.exists():
        return SiteSettings()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise NoduleDeskError(f"{path}: cannot read the settings ({error})") from error
    if not isinstance(saved, dict):
        raise NoduleDeskError(f"{path}: the settings are not a JSON object")
    known = {f.name for f in fields(SiteSettings)}
    values = {k: v for k, v in saved.items() if k in known}
    values["parent_center"] = ParentCenterSettings.from_json(saved.get("parent_center"))
    return SiteSettings(**values)


def save_settings(settings: SiteSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    # keys this dataclass does not own ("dicom": the DICOM node's) are kept as they were
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    content = {**(kept if isinstance(kept, dict) else {}), **asdict(settings)}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)
    return path
