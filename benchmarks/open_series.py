"""Opening a 300-slice 512x512 CT series in the main window: time until the first image is on
screen versus time until the whole series has loaded (issue 6), medians over a few runs.

Run: ``.venv/bin/python benchmarks/open_series.py`` (under Xvfb when there is no display).
The series is written once under benchmarks/.data/open_series/ and reused.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / ".data" / "open_series"
N_SLICES, SIZE, RUNS = 300, 512, 5


def write_series() -> list[Path]:
    from nodule_desk.volume import CTVolume, VolumeGeometry
    from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

    files = sorted(DATA.glob("CT*.dcm"))
    if len(files) == N_SLICES:
        return files
    rng = np.random.default_rng(6)
    j, i = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE * 2 - 1
    body = np.where((i / 0.9) ** 2 + (j / 0.7) ** 2 < 1, 40.0, -1000.0)
    lungs = ((np.abs(i) - 0.42) / 0.3) ** 2 + (j / 0.5) ** 2 < 1
    slice_hu = np.where(lungs, -850.0, body).astype(np.float32)
    hu = np.empty((N_SLICES, SIZE, SIZE), np.int16)
    for k in range(N_SLICES):
        hu[k] = slice_hu + rng.normal(0, 20, slice_hu.shape)
    geometry = VolumeGeometry((N_SLICES, SIZE, SIZE), (0.7, 0.7, 1.0), (-179.0, -179.0, -300.0))
    identity = SeriesIdentity(patient_id="BENCH01", patient_name="BENCH^OPEN",
                              study_date=dt.date(2025, 1, 1))
    return write_ct_series(CTVolume(hu, geometry), DATA, identity)


def store_with(files: list[Path], db_path: Path):  # noqa: ANN201
    import pydicom

    from nodule_desk.dicom.records import ScanResult, SeriesRecord
    from nodule_desk.store import Store

    ds = pydicom.dcmread(files[0], stop_before_pixels=True)
    record = SeriesRecord(series_uid=ds.SeriesInstanceUID, study_uid=ds.StudyInstanceUID,
                          patient_id=ds.PatientID, files=files, patient_name=str(ds.PatientName),
                          study_date="2025-01-01", rows=SIZE, columns=SIZE, n_slices=len(files),
                          spacing_mm=(0.7, 0.7, 1.0))
    store = Store.open(db_path)
    store.add_scan_result(ScanResult(series=[record]))
    return store


def open_once(app, window) -> tuple[float, float]:  # noqa: ANN001
    marks: dict[str, float] = {}

    def first_on_screen(_volume: object) -> None:
        window.viewer.repaint()
        marks.setdefault("first", time.perf_counter())

    window.first_slice_shown.connect(first_on_screen)
    window.volume_loaded.connect(lambda _v: marks.setdefault("full", time.perf_counter()))
    series = window.worklist.series_items()[0].data(0, 257)
    start = time.perf_counter()
    window.open_series(series)
    while "full" not in marks:
        app.processEvents()
        time.sleep(0.001)
    window.first_slice_shown.disconnect(first_on_screen)
    return marks["first"] - start, marks["full"] - start


def main() -> int:
    files = write_series()
    home = Path(tempfile.mkdtemp(prefix="nodule-desk-bench-"))
    os.environ["NODULE_DESK_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    from PySide6.QtCore import Qt

    from ui.app import create_application
    from ui.main_window import MainWindow
    from ui.worklist_dock import SERIES_ROLE

    assert SERIES_ROLE == 257
    app = create_application(["open_series"])
    window = MainWindow(store_with(files, home / "store.sqlite"))
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    open_once(app, window)  # warm the page cache
    firsts, fulls = [], []
    for _ in range(RUNS):
        first, full = open_once(app, window)
        firsts.append(first)
        fulls.append(full)
    first_s, full_s = statistics.median(firsts), statistics.median(fulls)
    print(f"series: {N_SLICES} slices of {SIZE}x{SIZE}, {RUNS} runs after one warm-up")
    print(f"time to first image on screen: median {first_s * 1000:.0f} ms")
    print(f"time to full load:             median {full_s * 1000:.0f} ms")
    print(f"ratio first image / full load: {first_s / full_s:.3f}")
    window.close()
    window.store.close()
    window.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # PySide6 6.12 can abort in the interpreter's final garbage collection after many queued
    # cross-thread signals ("bool_dealloc"); the figures are printed, so leave without it.
    os._exit(code)
