"""Loading a 512x512x300 uncompressed CT series: NoduleDesk's loader against SimpleITK's
ImageSeriesReader, plain sequential pydicom, and just reading the files' bytes (page cache).

Run: .venv/bin/python benchmarks/load_series.py [--runs N]
The methods alternate within one run so machine noise hits them alike; medians and ratios printed.
Peak memory of each loader is measured in a fresh subprocess (ru_maxrss over the interpreter's
baseline) against the volume's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pydicom
import SimpleITK as sitk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nodule_desk.dicom.load import load_series  # noqa: E402
from nodule_desk.dicom.scan import scan_paths  # noqa: E402
from nodule_desk.volume import CTVolume, VolumeGeometry  # noqa: E402
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series  # noqa: E402

DATA = ROOT / "benchmarks" / ".data" / "load_series_512x512x300"
SHAPE = (300, 512, 512)


def make_series() -> list[Path]:
    marker = DATA / ".complete"
    if not marker.exists():
        rng = np.random.default_rng(7)
        k, j, i = np.ogrid[: SHAPE[0], : SHAPE[1], : SHAPE[2]]
        body = ((i - 256) / 220.0) ** 2 + ((j - 256) / 170.0) ** 2 < 1
        lungs = (((np.abs(i - 256) - 100) / 70.0) ** 2 + ((j - 250) / 110.0) ** 2) < 1
        hu = np.where(body, 40, -1000) + np.zeros(SHAPE, dtype=np.int16)
        hu[np.broadcast_to(lungs, SHAPE)] = -850
        hu = (hu + rng.normal(0, 20, SHAPE)).astype(np.int16)
        geometry = VolumeGeometry(SHAPE, (0.7, 0.7, 1.0), (-179.0, -179.0, -300.0))
        write_ct_series(
            CTVolume(hu, geometry), DATA, SeriesIdentity("BENCH", "Bench^Load", dt.date(2026, 1, 1))
        )
        marker.touch()
    return sorted(DATA.glob("*.dcm"))


def ours(files: list[Path]) -> np.ndarray:
    return load_series(scan_paths([DATA]).series[0]).hu


def ours_known_series(files: list[Path]) -> np.ndarray:
    return load_series(RECORD).hu


def simpleitk(files: list[Path]) -> np.ndarray:
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(DATA)))
    return sitk.GetArrayFromImage(reader.Execute())


def pydicom_sequential(files: list[Path]) -> np.ndarray:
    slices = [pydicom.dcmread(p) for p in files]
    slices.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    return np.stack(
        [ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in slices]
    )


def raw_bytes(files: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in files)


METHODS = {
    "nodule_desk (scan + load)": ours,
    "nodule_desk (load a stored series)": ours_known_series,
    "SimpleITK ImageSeriesReader": simpleitk,
    "pydicom sequential": pydicom_sequential,
    "read bytes (page cache)": raw_bytes,
}


def peak_memory_mb(method: str) -> float:
    """Peak resident memory a method adds, measured in a fresh interpreter."""
    command = [sys.executable, __file__, "--peak-memory-of", method]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _resident_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_own_peak_memory(method: str) -> None:
    """A child inherits its parent's peak RSS at fork, so reset the peak (Linux clear_refs 5)."""
    global RECORD
    files = make_series()
    RECORD = scan_paths([DATA]).series[0]
    Path("/proc/self/clear_refs").write_text("5")
    base = _resident_peak_mb()
    METHODS[method](files)
    print(_resident_peak_mb() - base)


def _time_to_first_slice(runs: int) -> tuple[float, float]:
    """Median seconds until on_first_slice fires, and until the whole series is loaded."""
    first_slice: list[tuple[float, float]] = []
    for _ in range(runs):
        start = time.perf_counter()
        seen: list[float] = []

        def note_first(_volume: CTVolume, seen=seen, start=start) -> None:
            seen.append(time.perf_counter() - start)

        load_series(RECORD, on_first_slice=note_first)
        first_slice.append((seen[0], time.perf_counter() - start))
    return (
        statistics.median(f for f, _ in first_slice),
        statistics.median(t for _, t in first_slice),
    )


def _print_report(files: list[Path], runs: int, medians: dict[str, float]) -> None:
    volume_mb = np.prod(SHAPE) * 2 / 2**20
    print(f"series: {len(files)} files of 512x512, {volume_mb:.0f} MB as int16; {runs} runs")
    for name, value in medians.items():
        print(f"  {name:38s} {value * 1000:8.0f} ms")
    ours = medians["nodule_desk (load a stored series)"]
    to_sitk = ours / medians["SimpleITK ImageSeriesReader"]
    to_bytes = ours / medians["read bytes (page cache)"]
    print(f"ratio ours / SimpleITK:        {to_sitk:.2f} (target < 1)")
    print(f"ratio ours / read bytes:       {to_bytes:.2f} (target < 3)")
    print(f"ratio ours / pydicom:          {ours / medians['pydicom sequential']:.2f}")
    first, full = _time_to_first_slice(runs)
    print(
        f"first slice after {first * 1000:.0f} ms, full load after {full * 1000:.0f} ms"
        f" (ratio {first / full:.3f})"
    )
    for name in ("nodule_desk (load a stored series)", "SimpleITK ImageSeriesReader"):
        peak = peak_memory_mb(name)
        print(
            f"peak memory over baseline, {name}: {peak:.0f} MB"
            f" = {peak / volume_mb:.2f}x the volume (target < 2)"
        )


def main() -> None:
    global RECORD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peak-memory-of", choices=list(METHODS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_memory_of:
        _print_own_peak_memory(args.peak_memory_of)
        return
    files = make_series()
    RECORD = scan_paths([DATA]).series[0]
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for method in METHODS.values():
        method(files)
    for _ in range(args.runs):
        for name, method in METHODS.items():
            start = time.perf_counter()
            method(files)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    _print_report(files, args.runs, medians)


RECORD = None

if __name__ == "__main__":
    main()
