"""A throw-away PostgreSQL server on 127.0.0.1 for the parent center's two-node test.

``initdb`` and ``pg_ctl`` from Debian's postgresql, a data directory in a temporary folder, a free
port, trust authentication on loopback only. PostgreSQL refuses to run as root: when the tests
run as root, the server runs as ``nobody`` (runuser), in a folder given to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.core.parent_orthanc import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
UNPRIVILEGED = "nobody"


def require_postgres() -> None:
    assert (PG_BIN / "initdb").exists(), "missing PostgreSQL: make test installs postgresql"


@dataclass
class Postgres:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nd-pg-")))
    port: int = field(default_factory=free_port)
    user: str = "orthanc"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", UNPRIVILEGED, "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=True
        )

    def start(self) -> Postgres:
        require_postgres()
        if os.geteuid() == 0:
            shutil.chown(self.root, UNPRIVILEGED)
        data = self.root / "data"
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "-N",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -F"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.root / "postgres.log"),
            "-w",
            "start",
        )
        self._run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            "orthanc",
        )
        return self

    def stop(self) -> None:
        data = self.root / "data"
        if data.exists():
            subprocess.run(
                [
                    *(["runuser", "-u", UNPRIVILEGED, "--"] if os.geteuid() == 0 else []),
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def orthanc_config(self) -> dict:
        """What an Orthanc node needs to keep its index and files in this server; "Lock" off so
        that several nodes share it (orthanc-postgresql 4.0)."""
        return {
            "PostgreSQL": {
                "EnableIndex": True,
                "EnableStorage": True,
                "Host": "127.0.0.1",
                "Port": self.port,
                "Database": "orthanc",
                "Username": self.user,
                "Password": "",
                "Lock": False,
                "EnableSsl": False,
            }
        }
