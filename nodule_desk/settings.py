"""The site's settings that the core needs (reports, guidelines, sharing), in a JSON file.

Kept in the data dir beside the store, so the CLI and the app read the same ones; the window's own
preferences (geometry, language of the UI) stay in QSettings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from nodule_desk.errors import NoduleDeskError
from nodule_desk.paths import data_dir

SETTINGS_FILE = "settings.json"


@dataclass
class SiteSettings:
    institution_name: str = "NoduleDesk Branch Center"
    """The hospital's name as it heads every report."""
    logo_path: str = ""
    """A PNG or JPEG printed at the report's top left; empty for none."""
    report_language: str = "zh_CN"
    default_context: str = "screening"
    """Which guideline applies when an exam does not say: "screening" or "incidental"."""


def settings_path() -> Path:
    return data_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> SiteSettings:
    """The saved settings, defaults for anything missing; a broken file is an error naming it."""
    path = path or settings_path()
    if not path.exists():
        return SiteSettings()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise NoduleDeskError(f"{path}: cannot read the settings ({error})") from error
    known = {f.name for f in fields(SiteSettings)}
    return SiteSettings(**{k: v for k, v in saved.items() if k in known})


def save_settings(settings: SiteSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(
        json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    temporary.replace(path)
    return path
