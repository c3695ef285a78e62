"""Instances per second received by NoduleDesk's C-STORE SCP against Orthanc's, from the same
dcmtk push of 1,000 small CT instances on one association, measured in the same run; and the
receiver's memory over those 1,000 instances (issue 15 targets: at least 0.8x Orthanc, memory flat).

    python benchmarks/pacs_receive.py [--instances 1000] [--rounds 2]

Both receivers run as their own process on 127.0.0.1 (``python -m nodule_desk serve`` and
``Orthanc``), each with TCP_NODELAY=1 for dcmtk (Orthanc is built on dcmtk, which leaves Nagle's
algorithm on otherwise; NoduleDesk sets it itself). A push counts as done when storescu has every
C-STORE response, i.e. every instance is stored: ours fsync'ed in the archive and indexed.
Memory is the serve process's resident set size (VmRSS), sampled while the push runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nodule_desk.dicom.net.nodes import NodeSettings, RemoteNode, save_node_settings  # noqa: E402
from nodule_desk.volume import CTVolume, VolumeGeometry  # noqa: E402
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series  # noqa: E402

SCANNER_AE = "BENCH_CT"
DCMTK_ENV = {**os.environ, "TCP_NODELAY": "1", "PYTHONPATH": str(ROOT)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_port(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def _rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _push(port: int, called_ae: str, files: list[Path], pid: int) -> tuple[float, list[float]]:
    """Seconds for storescu to send every file on one association, and RSS samples (MB)."""
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            samples.append(_rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = subprocess.run(
        ["storescu", "-aet", SCANNER_AE, "-aec", called_ae, "127.0.0.1", str(port),
         *map(str, files)],
        capture_output=True, text=True, env=DCMTK_ENV, timeout=1800,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if result.returncode != 0:
        raise RuntimeError(f"storescu failed: {result.stderr[-500:]}")
    return seconds, samples


def _orthanc(folder: Path, files: list[Path]) -> tuple[float, list[float]]:
    dicom_port, http_port = _free_port(), _free_port()
    config = {
        "Name": "bench", "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"), "HttpPort": http_port,
        "DicomAet": "ORTHANC", "DicomPort": dicom_port, "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False, "DicomAlwaysAllowStore": True, "Plugins": [],
        "SaveJobs": False, "DicomCheckCalledAet": False,
    }  # fmt: skip
    folder.mkdir(parents=True)
    (folder / "orthanc.json").write_text(json.dumps(config))
    orthanc = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
    with (folder / "log").open("wb") as log:
        process = subprocess.Popen([orthanc, str(folder / "orthanc.json")], stdout=log,
                                   stderr=subprocess.STDOUT, env=DCMTK_ENV)  # fmt: skip
    try:
        _wait_port(dicom_port)
        result = _push(dicom_port, "ORTHANC", files, process.pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/statistics") as reply:
            stored = json.loads(reply.read())["CountInstances"]
        if stored != len(files):
            raise RuntimeError(f"Orthanc stored {stored} of {len(files)}")
        return result
    finally:
        process.kill()
        process.wait()


def _ours(folder: Path, files: list[Path]) -> tuple[float, list[float]]:
    db = folder / "store.sqlite"
    port = _free_port()
    nodes = [RemoteNode("bench scanner", SCANNER_AE, "127.0.0.1", 104)]
    save_node_settings(NodeSettings(port=port, bind_address="127.0.0.1", nodes=nodes), db)
    process = subprocess.Popen(
        [sys.executable, "-m", "nodule_desk", "serve", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=DCMTK_ENV,
    )  # fmt: skip
    try:
        _wait_port(port)
        result = _push(port, "NODULEDESK", files, process.pid)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=300)
    summary = json.loads(out)
    if summary["instances_stored"] != len(files):
        raise RuntimeError(f"NoduleDesk stored {summary['instances_stored']} of {len(files)}")
    return result


def _series(folder: Path, n: int) -> list[Path]:
    geometry = VolumeGeometry((n, 16, 16), (0.7, 0.7, 1.0), (0.0, 0.0, 0.0))
    hu = np.full(geometry.shape_kji, -700, dtype=np.int16)
    identity = SeriesIdentity("BENCH-1", "Bench^Mark", dt.date(2024, 1, 1))
    return write_ct_series(CTVolume(hu, geometry), folder, identity)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pacs-bench-") as tmp:
        root = Path(tmp)
        files = _series(root / "series", args.instances)
        best: dict[str, float] = {}
        memory: list[float] = []
        for round_index in range(args.rounds):
            for name, run in (("orthanc", _orthanc), ("noduledesk", _ours)):
                seconds, samples = run(root / f"{name}-{round_index}", files)
                rate = args.instances / seconds
                best[name] = max(best.get(name, 0.0), rate)
                print(f"round {round_index + 1} {name:10s} {rate:7.1f} instances/s "
                      f"({seconds:.2f} s)", flush=True)  # fmt: skip
                if name == "noduledesk" and samples:
                    memory = samples
    ratio = best["noduledesk"] / best["orthanc"]
    print(
        f"NoduleDesk SCP {best['noduledesk']:.1f} instances/s, Orthanc {best['orthanc']:.1f}: "
        f"ratio {ratio:.2f}x (target >= 0.80x) {'OK' if ratio >= 0.8 else 'BELOW TARGET'}"
    )
    if memory:
        tenth = memory[max(0, len(memory) // 10 - 1)]
        print(
            f"NoduleDesk serve RSS over {args.instances} instances: {memory[0]:.1f} MB at start, "
            f"{tenth:.1f} MB after the first tenth, {max(memory):.1f} MB peak, "
            f"{memory[-1]:.1f} MB at the end: growth after warm-up {memory[-1] - tenth:+.1f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
