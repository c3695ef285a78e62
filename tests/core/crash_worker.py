"""A process that imports and measures in a loop, to be killed with SIGKILL at random moments
(test_crash_safety.py).

Started once as ``python -m tests.core.crash_worker STORE WORK``: it imports everything, then
for each line ``run N`` on stdin forks a child and prints the child's pid, and ``dead STATUS``
once the child is gone, so each killed run starts in milliseconds instead of a second of imports.
A child writes a fresh tiny series (the template's bytes with new UIDs), imports it into the
store through the archive, measures its nodule with a click and records it, then revises it
with the caliper, again and again; after each commit returns it appends what was committed to
``WORK/journal-N.txt`` and fsyncs it. ``once N`` does one loop iteration and exits 0 (the re-run
after the kills).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path

import numpy as np
import pydicom

from benchmarks.phantoms import PhantomSpec, make_phantom
from nodule_desk.archive.ingest import import_paths
from nodule_desk.dicom.load import load_series
from nodule_desk.followup import nodule_records
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

UID_ROOT = "1.2.826.0.1.3680043.9.7777."
TEMPLATE_PATIENT = "KILL-000000000"
"""Each series gets its own patient (same-length ID), so no click waits for a registration
against a prior visit: the loop stays quick."""


def _uid(rng: random.Random) -> str:
    """A UID of fixed length (27 + 30 digits), so it can replace another in a file's bytes."""
    return UID_ROOT + str(rng.randrange(10**29, 10**30))


def _template(folder: Path) -> tuple[list[bytes], list[str]]:
    """A tiny CT series of a 5 mm nodule (8 slices) as bytes, and the UIDs to replace in it."""
    volume, _ = make_phantom(PhantomSpec(5.0, density="solid", slice_mm=2.5))
    middle = volume.hu.shape[0] // 2
    hu = np.ascontiguousarray(volume.hu[middle - 4 : middle + 4])
    g = volume.geometry
    origin = g.index_to_world_lps_mm([0, 0, middle - 4])
    small = CTVolume(hu, VolumeGeometry(hu.shape, g.spacing_xyz_mm, tuple(origin), g.direction))
    rng = random.Random(0)
    identity = SeriesIdentity(
        TEMPLATE_PATIENT,
        "Kill^Test",
        dt.date(2026, 1, 1),
        study_uid=_uid(rng),
        series_uid=_uid(rng),
        frame_of_reference_uid=_uid(rng),
    )
    write_ct_series(small, folder, identity)
    files = sorted(folder.glob("*.dcm"))
    uids = [identity.study_uid, identity.series_uid, identity.frame_of_reference_uid]
    for file in files:
        dataset = pydicom.dcmread(file)
        dataset.SOPInstanceUID = dataset.file_meta.MediaStorageSOPInstanceUID = _uid(rng)
        dataset.save_as(file)
        uids.append(dataset.SOPInstanceUID)
    return [f.read_bytes() for f in files], uids


def write_series(folder: Path, template: tuple[list[bytes], list[str]], seed: int) -> str:
    """A copy of the template series with fresh UIDs; its series UID."""
    raws, uids = template
    rng = random.Random(seed)
    fresh = {old: _uid(rng) for old in uids}
    folder.mkdir(parents=True)
    patient = f"KILL-{seed:09d}".encode()
    for index, raw in enumerate(raws):
        for old, new in fresh.items():
            raw = raw.replace(old.encode(), new.encode())
        raw = raw.replace(TEMPLATE_PATIENT.encode(), patient)
        (folder / f"CT{index + 1:04d}.dcm").write_bytes(raw)
    return fresh[uids[1]]


def _journal(handle, line: str) -> None:
    handle.write(line + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def iterate(store: Store, work: Path, template, run: int, step: int, journal) -> None:
    folder = work / "incoming" / f"r{run:03d}-{step:03d}"
    series_uid = write_series(folder, template, run * 1000 + step)
    import_paths(store, [folder])
    _journal(journal, f"series {series_uid} {len(template[0])}")
    volume = load_series(store.series_files(series_uid))
    measurement, _ = nodule_records.measure_and_record(store, volume, (0.0, 0.0, 0.0), series_uid)
    _journal(journal, f"measurement {measurement.id} {measurement.nodule_id}")
    revised = nodule_records.record_manual_axes(store, measurement.id, 5.2, 4.8)
    _journal(journal, f"measurement {revised.id} {revised.nodule_id}")


def child(db: Path, work: Path, template, run: int, steps: int | None) -> None:
    with Store.open(db) as store, (work / f"journal-{run:03d}.txt").open("a") as journal:
        step = 0
        while steps is None or step < steps:
            iterate(store, work, template, run, step, journal)
            step += 1


def main() -> int:
    db, work = Path(sys.argv[1]), Path(sys.argv[2])
    template = _template(work / "template")
    print("ready", flush=True)
    for line in sys.stdin:
        command, run = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                child(db, work, template, int(run), 1 if command == "once" else None)
            finally:
                os._exit(0)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"dead {status}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
