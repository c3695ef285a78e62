"""Where the app keeps its data. NODULE_DESK_HOME overrides the user's data dir (tests use it)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "NoduleDesk"


def data_dir() -> Path:
    override = os.environ.get("NODULE_DESK_HOME")
    default = platformdirs.user_data_dir(APP_NAME, appauthor=False)
    path = Path(override) if override else Path(default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "nodule_desk.sqlite"
