"""Summaries per second through the outbox vs posting the same kind of objects directly, one
STOW-RS each, to a local Orthanc started here (target: outbox >= 0.8x direct); the outbox's added
latency per item; peak Python memory while 200 items drain.

    python benchmarks/sync_throughput.py [--items 200]

Both paths send fresh packages of three small instances (no instance is sent twice, so neither
profits from Orthanc's "already stored"); they alternate in 20 short rounds, each path first in
every other round, so that a fuller Orthanc index and the other load of a shared machine weigh
on both alike, and Orthanc's
stable-study jobs are put off (StableAge one hour) so they do not land in one path's rounds.
The added latency is measured directly: the drain's time outside its STOW-RS requests.
The outbox sends small summaries several to one STOW-RS request (up to 50 instances).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sync_packages import queue_packages, write_package  # noqa: E402
from nodule_desk.settings import ParentCenterSettings  # noqa: E402
from nodule_desk.store import Store  # noqa: E402
from nodule_desk.sync import worker  # noqa: E402
from nodule_desk.sync.dicomweb import DicomWebClient  # noqa: E402
from tests.core.parent_orthanc import USER, Orthanc  # noqa: E402

ROUNDS = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    per_round = max(args.items // ROUNDS, 1)
    root = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    parent = Orthanc(root / "orthanc", extra={"StableAge": 3600}).start()
    settings = ParentCenterSettings(url=parent.dicomweb_url, branch_id="BR01", username=USER)
    client = DicomWebClient(settings, parent.password)
    direct_s = outbox_s = 0.0
    peak_bytes = 0
    inside_stow = [0.0]
    store_request = client.store

    def timed_store(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return store_request(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside_stow[0] += time.perf_counter() - start

    try:
        with Store.open(root / "store.sqlite") as store:
            for round_number in range(ROUNDS):
                packages = [
                    write_package(root / "direct" / f"{round_number}-{n}", 10_000 + n)
                    for n in range(per_round)
                ]
                queue_packages(store, root / "outbox", per_round, start=round_number * per_round)
                for path in ("direct", "outbox") if round_number % 2 else ("outbox", "direct"):
                    start = time.perf_counter()
                    if path == "direct":
                        for files in packages:
                            client.store(files)
                        direct_s += time.perf_counter() - start
                        continue
                    client.store = timed_store  # type: ignore[method-assign]  # timing only
                    tracemalloc.start()
                    result = worker.drain(store, client)
                    outbox_s += time.perf_counter() - start
                    peak_bytes = max(peak_bytes, tracemalloc.get_traced_memory()[1])
                    tracemalloc.stop()
                    client.store = store_request  # type: ignore[method-assign]
                    assert len(result.sent) == per_round, result
    finally:
        client.close()
        parent.stop()
        shutil.rmtree(root, ignore_errors=True)
    total = per_round * ROUNDS
    direct_rate, outbox_rate = total / direct_s, total / outbox_s
    print(f"items: {total} summaries of 3 instances, {ROUNDS} alternating rounds")
    print(f"direct STOW-RS, one per summary: {direct_rate:8.1f} summaries/s")
    print(f"through the outbox:              {outbox_rate:8.1f} summaries/s")
    print(f"ratio outbox / direct:           {outbox_rate / direct_rate:8.2f}  (target >= 0.80)")
    added_ms = (outbox_s - inside_stow[0]) / total * 1000
    print(f"outbox latency added per item:   {added_ms:8.1f} ms (drain time outside STOW-RS)")
    print(f"peak Python memory while {per_round} drain: {peak_bytes / 1e6:6.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
