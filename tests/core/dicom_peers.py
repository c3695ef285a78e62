"""Real DICOM peers for the networking tests: an Orthanc (the hospital PACS) started on 127.0.0.1
with a temporary configuration, free ports and its storage in the test's folder, and dcmtk's
command-line tools (the CT scanner's side). Every process started here is killed at the end."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nodule_desk.dicom.net.nodes import NodeSettings, RemoteNode, save_node_settings
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
ORTHANC_AE = "ORTHANC"
DESK_AE = "NODULEDESK"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


def tiny_ct_series(
    folder: Path,
    n_slices: int,
    patient_id: str = "PACS-01",
    name: str = "Zhao^Lei",
    study_date: dt.date = dt.date(2024, 4, 2),
    size: int = 4,
    accession_number: str = "ACC1",
) -> tuple[SeriesIdentity, list[Path]]:
    """A CT series of ``size``×``size`` slices, 1.25 mm apart, each slice's HU its index."""
    identity = SeriesIdentity(
        patient_id, name, study_date, accession_number=accession_number,
        deterministic_instance_uids=True,
    )
    geometry = VolumeGeometry(
        shape_kji=(n_slices, size, size), spacing_xyz_mm=(0.8, 0.8, 1.25),
        origin_lps_mm=(0.0, 0.0, -100.0),
    )
    hu = np.broadcast_to(
        np.arange(n_slices, dtype=np.int16)[:, None, None], geometry.shape_kji
    ).copy()
    return identity, write_ct_series(CTVolume(hu=hu, geometry=geometry), folder, identity)


@dataclass
class Orthanc:
    dicom_port: int
    http_port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def rest(self, path: str, body: bytes | None = None, timeout_s: float = 120) -> object:
        """One call of Orthanc's REST API (GET, or POST when there is a body), decoded JSON."""
        request = urllib.request.Request(f"{self.url}{path}", data=body)
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            return json.loads(reply.read() or b"null")

    def upload(self, files: list[Path]) -> list[str]:
        return [self.rest("/instances", path.read_bytes())["ID"] for path in files]

    def studies(self) -> list[str]:
        return self.rest("/studies")

    def instance_count(self) -> int:
        return int(self.rest("/statistics")["CountInstances"])

    def push(self, modality: str, resources: list[str]) -> dict:
        """Orthanc's own C-STORE SCU sends the resources to a configured modality."""
        body = json.dumps({"Resources": resources, "Synchronous": True}).encode()
        return self.rest(f"/modalities/{modality}/store", body)


@contextlib.contextmanager
def running_orthanc(folder: Path, modalities: dict[str, list]) -> Iterator[Orthanc]:
    """An Orthanc on 127.0.0.1 knowing ``modalities`` ({name: [AE, host, port]})."""
    folder.mkdir(parents=True, exist_ok=True)
    dicom_port, http_port = free_port(), free_port()
    config = {
        "Name": "NoduleDeskTestPACS",
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "HttpServerEnabled": True,
        "HttpPort": http_port,
        "DicomServerEnabled": True,
        "DicomAet": ORTHANC_AE,
        "DicomPort": dicom_port,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomCheckCalledAet": False,
        "DicomAlwaysAllowEcho": True,
        "DicomAlwaysAllowStore": True,
        "DicomModalities": modalities,
        "Plugins": [],
        "SaveJobs": False,
        "StorageCompression": False,
        "DicomScuTimeout": 10,
    }
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    log_path = folder / "orthanc.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [ORTHANC, str(config_path)], stdout=log, stderr=subprocess.STDOUT, env=DCMTK_ENV
        )
    orthanc = Orthanc(dicom_port, http_port, process, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Orthanc exited: {log_path.read_text(errors='replace')}")
            with contextlib.suppress(OSError):
                orthanc.rest("/system", timeout_s=1)
                break
            if time.monotonic() > deadline:
                raise TimeoutError("Orthanc did not start")
            time.sleep(0.1)
        wait_for_port(dicom_port)
        yield orthanc
    finally:
        process.kill()
        process.wait(timeout=10)


def desk_settings(
    db_path: Path, port: int, nodes: list[RemoteNode], ae_title: str = DESK_AE
) -> NodeSettings:
    settings = NodeSettings(ae_title=ae_title, port=port, bind_address="127.0.0.1", nodes=nodes)
    save_node_settings(settings, db_path)
    return settings


# dcmtk leaves Nagle's algorithm on unless TCP_NODELAY=1: each small PDU then waits for the
# peer's delayed ACK (about 40 ms), which would measure the kernel rather than the receiver.
DCMTK_ENV = {**os.environ, "TCP_NODELAY": "1"}


def storescu(port: int, files: list[Path], calling_ae: str, called_ae: str = DESK_AE, *extra: str):
    """dcmtk's storescu, as a CT scanner pushes: all files on one association."""
    return subprocess.run(
        ["storescu", "-aet", calling_ae, "-aec", called_ae, *extra, "127.0.0.1", str(port),
         *map(str, files)],
        capture_output=True, text=True, timeout=300, env=DCMTK_ENV,
    )
