"""SIGKILL at random moments while importing and measuring (issue 14, crash safety).

A worker (crash_worker.py) imports fresh tiny series through the archive and measures and revises
their nodules in a loop; it is killed 100 times at a random moment (fixed seed). After each kill:
SQLite's own ``PRAGMA integrity_check`` is ok and foreign keys hold; every commit the worker
journaled is in the store (a series with all its files on disk, a measurement and its nodule);
there is no orphan: no nodule without a measurement, no series without its files, no measurement
version pointing at a missing one. At the end one more run completes on the same store.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nodule_desk.store import Store

REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CRASH_KILLS", "100"))
SEED = 14


def _orphans(store: Store) -> dict[str, int]:
    queries = {
        "nodule without a measurement": "SELECT count(*) AS n FROM nodules AS n WHERE NOT EXISTS "
        "(SELECT 1 FROM measurements AS m WHERE m.nodule = n.id)",
        "series without its files": "SELECT count(*) AS n FROM series AS s WHERE s.n_slices <> "
        "(SELECT count(*) FROM series_files AS f WHERE f.series = s.id)",
        "study without a series": "SELECT count(*) AS n FROM studies AS st WHERE NOT EXISTS "
        "(SELECT 1 FROM series AS s WHERE s.study = st.id)",
        "patient without a study": "SELECT count(*) AS n FROM patients AS p WHERE NOT EXISTS "
        "(SELECT 1 FROM studies AS st WHERE st.patient = p.id)",
    }
    return {name: store.query_one(sql)["n"] for name, sql in queries.items()}


def _check(db: Path, work: Path) -> tuple[int, dict[str, int]]:
    """Integrity, journaled commits present, orphans counted; the number of commits checked."""
    with Store.open(db) as store:
        assert store.query_one("PRAGMA integrity_check")["integrity_check"] == "ok"
        assert store.query_all("PRAGMA foreign_key_check") == []
        checked = 0
        for journal in sorted(work.glob("journal-*.txt")):
            for line in journal.read_text().splitlines():
                kind, first, second = line.split()
                if kind == "series":
                    files = store.series_files(first)
                    assert len(files) == int(second) and all(p.is_file() for p in files), line
                else:
                    measurement = store.get_measurement(int(first))
                    assert measurement.nodule_id == int(second), line
                checked += 1
        for path in store.query_all("SELECT path FROM series_files"):
            assert Path(path["path"]).is_file(), path
        return checked, _orphans(store)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path: Path) -> None:
    db, work = tmp_path / "store.sqlite", tmp_path / "work"
    work.mkdir()
    with Store.open(db):
        pass
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.core.crash_worker", str(db), str(work)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None
    try:
        assert worker.stdout.readline().strip() == "ready"
        rng = random.Random(SEED)
        orphans_found = 0
        for run in range(KILLS):
            worker.stdin.write(f"run {run}\n")
            worker.stdin.flush()
            pid = int(worker.stdout.readline())
            time.sleep(rng.uniform(0.0, 1.0))
            os.kill(pid, signal.SIGKILL)
            status = worker.stdout.readline().split()
            assert status[0] == "dead"
            checked, orphans = _check(db, work)
            orphans_found += sum(orphans.values())
            assert orphans == dict.fromkeys(orphans, 0), (run, orphans)
        worker.stdin.write(f"once {KILLS}\n")
        worker.stdin.flush()
        worker.stdout.readline()
        assert worker.stdout.readline().split() == ["dead", "0"]
        checked, orphans = _check(db, work)
        assert sum(orphans.values()) == 0 and checked >= 3  # the last run commits 3 rows
        print(f"\n{KILLS} kills, {checked} journaled commits present, {orphans_found} orphans")
    finally:
        worker.kill()
        worker.wait()


def test_a_failure_between_nodule_and_measurement_leaves_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 item 5: the nodule and its first measurement are one transaction. A failure
    after the nodule row is written (here: adding the measurement fails) must not leave it."""
    from nodule_desk.archive.ingest import import_paths
    from nodule_desk.dicom.load import load_series
    from nodule_desk.errors import StoreError
    from tests.core import crash_worker

    template = crash_worker._template(tmp_path / "template")
    series_uid = crash_worker.write_series(tmp_path / "ct", template, seed=1)
    with Store.open(tmp_path / "store.sqlite") as store:
        import_paths(store, [tmp_path / "ct"])
        volume = load_series(store.series_files(series_uid))

        def fail(*args: object, **kwargs: object) -> None:
            raise StoreError("the disk is full")

        monkeypatch.setattr(store, "add_measurement", fail)
        with pytest.raises(StoreError):
            crash_worker.nodule_records.measure_and_record(
                store, volume, (0.0, 0.0, 0.0), series_uid
            )
        assert store.query_one("SELECT count(*) AS n FROM nodules")["n"] == 0
        assert _orphans(store) == dict.fromkeys(_orphans(store), 0)
