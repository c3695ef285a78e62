"""Backoff with full jitter: a failed item waits uniform(0, min(cap, base * 2^(n-1))) before the
background worker tries it again; a manual run tries it at once."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from benchmarks.sync_packages import queue_packages
from nodule_desk.settings import ParentCenterSettings
from nodule_desk.store import Store
from nodule_desk.sync.backoff import BackoffSchedule
from nodule_desk.sync.dicomweb import DicomWebClient
from nodule_desk.sync.worker import drain
from tests.core.http_stub import HttpStub


def test_delays_grow_exponentially_up_to_the_cap_with_full_jitter():
    schedule = BackoffSchedule(base_s=30.0, cap_s=3600.0)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 30.0), (2, 60.0), (3, 120.0), (8, 3600.0), (30, 3600.0)]:
        delays = [schedule.delay_s(attempts, rng) for _ in range(400)]
        assert 0.0 <= min(delays) and max(delays) <= ceiling
        assert max(delays) > 0.9 * ceiling and min(delays) < 0.1 * ceiling  # spread, not fixed


def test_a_failed_item_waits_out_its_backoff_in_the_background(tmp_path: Path):
    stub = HttpStub("500").start()
    client = DicomWebClient(ParentCenterSettings(url=stub.url, branch_id="BR01"), None)
    try:
        with Store.open(tmp_path / "store.sqlite") as store:
            queue_packages(store, tmp_path / "outbox", 1)
            schedule = BackoffSchedule(base_s=600.0)
            drain(store, client, schedule)
            (item,) = store.outbox_items(None)
            assert item.status == "pending" and "HTTP 500" in (item.last_error or "")
            due = dt.datetime.fromisoformat(item.next_attempt_at or "")
            assert due > dt.datetime.now(dt.timezone.utc)
            assert stub.requests == 1
            drain(store, client, schedule)  # background: not due yet
            assert stub.requests == 1
            drain(store, client, schedule, respect_backoff=False)  # manual: tried now
            assert stub.requests == 2 and store.outbox_items(None)[0].attempts == 2
    finally:
        client.close()
        stub.stop()
