"""200 queued summaries drain to a real Orthanc with memory that does not grow with the queue:
the STOW-RS bodies are streamed from the files, one item is in memory at a time."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from benchmarks.sync_packages import queue_packages
from nodule_desk.settings import ParentCenterSettings
from nodule_desk.store import Store
from nodule_desk.sync.dicomweb import DicomWebClient
from nodule_desk.sync.worker import drain
from tests.core.parent_orthanc import USER, Orthanc
from tests.core.test_sync_parent_center import new_instance_events, parent  # noqa: F401

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]


def _drain_peak_bytes(store: Store, client: DicomWebClient) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = drain(store, client)
        return len(result.sent), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_200_queued_summaries_drain_with_flat_memory(parent: Orthanc, tmp_path: Path):  # noqa: F811
    settings = ParentCenterSettings(url=parent.dicomweb_url, branch_id="BR01", username=USER)
    client = DicomWebClient(settings, parent.password)
    with Store.open(tmp_path / "store.sqlite") as store:
        queue_packages(store, tmp_path / "outbox", 20)
        sent_small, peak_small = _drain_peak_bytes(store, client)
        queue_packages(store, tmp_path / "outbox", 180, start=20)
        sent_large, peak_large = _drain_peak_bytes(store, client)
        assert store.outbox_items("pending") == [] and len(store.outbox_items("sent")) == 200
    client.close()
    assert (sent_small, sent_large) == (20, 180)
    assert new_instance_events(parent) == 600
    # nine times the items, not nine times the memory: bounded by one item, not the queue
    assert peak_large < 2 * peak_small + 1_000_000, (peak_small, peak_large)
