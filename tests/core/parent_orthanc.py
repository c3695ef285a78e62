"""A real Orthanc (Debian's, with its DICOMweb plugin) as the parent center of a test.

Each instance gets its own temporary config and storage, a free port on 127.0.0.1,
``RemoteAccessAllowed: false``, authentication with a password, and is killed at the end.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ORTHANC = Path("/usr/sbin/Orthanc")
DICOMWEB_PLUGIN = Path("/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
POSTGRESQL_PLUGINS = (
    Path("/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so"),
    Path("/usr/share/orthanc/plugins/libOrthancPostgreSQLStorage.so"),
)
USER = "branch01"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_orthanc() -> None:
    missing = [str(p) for p in (ORTHANC, DICOMWEB_PLUGIN) if not p.exists()]
    assert not missing, f"missing {missing}: make test installs orthanc and orthanc-dicomweb"


@dataclass
class Orthanc:
    root: Path
    password: str = "parent-secret-1"
    port: int = field(default_factory=free_port)
    extra: dict[str, Any] = field(default_factory=dict)
    plugins: tuple[Path, ...] = ()
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dicomweb_url(self) -> str:
        return f"{self.base}/dicom-web"

    def config(self) -> dict[str, Any]:
        storage = self.root / "storage"
        config = {
            "Name": f"parent-{self.port}",
            "StorageDirectory": str(storage),
            "IndexDirectory": str(storage),
            "HttpPort": self.port,
            "DicomServerEnabled": False,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": True,
            "RegisteredUsers": {USER: self.password},
            "Plugins": [str(DICOMWEB_PLUGIN), *(str(p) for p in self.plugins)],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
            "HttpDescribeErrors": True,
            "StableAge": 1,
        }
        config.update(self.extra)
        return config

    def start(self) -> Orthanc:
        require_orthanc()
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "orthanc.json"
        path.write_text(json.dumps(self.config()), encoding="utf-8")
        log = (self.root / "orthanc.log").open("ab")
        self.process = subprocess.Popen([str(ORTHANC), str(path)], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Orthanc exited: {(self.root / 'orthanc.log').read_text()}")
            try:
                if self.rest("GET", "/system").status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("Orthanc did not start within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def rest(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        session = requests.Session()
        session.trust_env = False
        return session.request(
            method, self.base + path, auth=(USER, self.password), timeout=10, **kwargs
        )

    def instances(self) -> list[str]:
        return list(self.rest("GET", "/instances").json())

    def instance_file(self, orthanc_id: str) -> bytes:
        return self.rest("GET", f"/instances/{orthanc_id}/file").content

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
