"""The DICOM node settings: this workstation's AE title and port, and the remote nodes (PACS, CT
scanners) it talks to, kept under ``"dicom"`` in ``settings.json`` beside the store.

    {"dicom": {"ae_title": "NODULEDESK", "port": 11112, "bind_address": "",
               "nodes": [{"name": "PACS", "ae_title": "PACS_AE", "host": "10.1.2.3",
                          "port": 104, "retrieve_method": "move"}]}}

Only the configured nodes may push studies to the workstation (their AE titles are the allowed
callers); a C-MOVE destination is this workstation's own AE title, which the PACS must know.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from nodule_desk.errors import NoduleDeskError
from nodule_desk.paths import default_db_path

SETTINGS_FILE = "settings.json"
SETTINGS_KEY = "dicom"
DEFAULT_AE_TITLE = "NODULEDESK"
DEFAULT_PORT = 11112
RetrieveMethod = Literal["move", "get"]


class NodeSettingsError(NoduleDeskError):
    """The DICOM node settings are unusable (bad AE title or port, unknown node name)."""


@dataclass
class RemoteNode:
    name: str
    """What the radiologist calls it: "PACS", "CT room 2"."""
    ae_title: str
    host: str
    port: int
    retrieve_method: RetrieveMethod = "move"
    """C-MOVE (the PACS connects back to our SCP) or C-GET (on the same association)."""

    def check(self) -> RemoteNode:
        _check_ae_title(self.ae_title, f"node {self.name!r}")
        _check_port(self.port, f"node {self.name!r}")
        if not self.host.strip():
            raise NodeSettingsError(f"node {self.name!r}: no host")
        if self.retrieve_method not in ("move", "get"):
            raise NodeSettingsError(
                f"node {self.name!r}: retrieve_method must be 'move' or 'get', "
                f"not {self.retrieve_method!r}"
            )
        return self


@dataclass
class NodeSettings:
    ae_title: str = DEFAULT_AE_TITLE
    port: int = DEFAULT_PORT
    bind_address: str = ""
    """The interface to listen on; empty for all of them."""
    nodes: list[RemoteNode] = field(default_factory=list)

    def check(self) -> NodeSettings:
        _check_ae_title(self.ae_title, "local AE title")
        _check_port(self.port, "local port")
        names = [n.name for n in self.nodes]
        if len(set(names)) != len(names):
            raise NodeSettingsError(f"node names must be unique: {', '.join(names)}")
        for node in self.nodes:
            node.check()
        return self

    def node(self, name: str) -> RemoteNode:
        for node in self.nodes:
            if node.name == name:
                return node
        known = ", ".join(n.name for n in self.nodes) or "none configured"
        raise NodeSettingsError(f"no DICOM node named {name!r} (known: {known})")

    def allowed_callers(self) -> set[str]:
        return {n.ae_title for n in self.nodes}


def _check_ae_title(value: str, what: str) -> None:
    text = value.strip()
    if not text or len(text) > 16 or "\\" in text or not text.isprintable():
        raise NodeSettingsError(
            f"{what} {value!r}: an AE title is 1 to 16 printable characters without '\\'"
        )


def _check_port(value: int, what: str) -> None:
    if not isinstance(value, int) or not 1 <= value <= 65535:
        raise NodeSettingsError(f"{what} {value!r}: a port is a number from 1 to 65535")


def settings_file_for(db_path: Path | None) -> Path:
    """``settings.json`` in the store's folder (the user's data dir for the default store)."""
    return Path(db_path or default_db_path()).absolute().parent / SETTINGS_FILE


def load_node_settings(db_path: Path | None = None) -> NodeSettings:
    path = settings_file_for(db_path)
    saved = _read(path).get(SETTINGS_KEY) or {}
    try:
        known = {f.name for f in fields(NodeSettings)} - {"nodes"}
        node_fields = {f.name for f in fields(RemoteNode)}
        nodes = [
            RemoteNode(**{k: v for k, v in n.items() if k in node_fields})
            for n in saved.get("nodes", [])
        ]
        settings = NodeSettings(**{k: v for k, v in saved.items() if k in known}, nodes=nodes)
    except (TypeError, AttributeError) as error:
        raise NodeSettingsError(
            f"{path}: the DICOM node settings are malformed ({error})"
        ) from error
    return settings.check()


def save_node_settings(settings: NodeSettings, db_path: Path | None = None) -> Path:
    """Write the node settings, keeping every other setting in the file as it was."""
    path = settings_file_for(db_path)
    content = _read(path)
    content[SETTINGS_KEY] = asdict(settings.check())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(content, out, ensure_ascii=False, indent=2)
    os.replace(temporary, path)
    return path


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise NodeSettingsError(f"{path}: cannot read the settings ({error})") from error
    if not isinstance(content, dict):
        raise NodeSettingsError(f"{path}: the settings are not a JSON object")
    return content
