"""Broken DICOM files made from good CT slices, for the fuzzing tests (fixed seed, same files on
every run).

Each mutation takes one slice of a written series and breaks it in one way a disk, a network, a
buggy exporter or a hostile sender breaks files: cut short, bytes flipped, element lengths wrong,
pixel data missing or lying about its size, absurd image attributes, non-numeric or non-finite
geometry, duplicate UIDs, another transfer syntax than the bytes hold, empty or random files.
"""

from __future__ import annotations

import contextlib
import io
import logging
import struct
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag

Rng = np.random.Generator


@dataclass(frozen=True)
class Mutant:
    path: Path
    kind: str
    source: Path
    """The good slice it was made from."""


def _pixel_offset(raw: bytes) -> int:
    """Where the Pixel Data element (7FE0,0010) starts in an explicit VR little endian file."""
    return raw.rindex(b"\xe0\x7f\x10\x00")


def _header_elements(raw: bytes) -> list[int]:
    """Offsets of the top-level data elements before the pixel data (explicit VR little endian,
    which is what the sample writer writes), meta group included."""
    offsets = []
    position = 132
    end = _pixel_offset(raw)
    while position < end:
        offsets.append(position)
        vr = raw[position + 4 : position + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV"):
            length = struct.unpack_from("<I", raw, position + 8)[0]
            if length == 0xFFFFFFFF:
                break
            position += 12 + length
        else:
            position += 8 + struct.unpack_from("<H", raw, position + 6)[0]
    return offsets


def truncated(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    return raw[: int(rng.integers(0, len(raw)))]


def flipped_bytes(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    data = bytearray(raw)
    for at in rng.integers(0, len(raw), int(rng.integers(1, 17))):
        data[at] ^= int(rng.integers(1, 256))
    return bytes(data)


def flipped_header_bytes(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    data = bytearray(raw)
    for at in rng.integers(128, _pixel_offset(raw) + 12, int(rng.integers(1, 9))):
        data[at] ^= int(rng.integers(1, 256))
    return bytes(data)


def wrong_length(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    """One element's length field replaced (or the pixel data's), by a value off by a little,
    odd, zero, huge or undefined."""
    data = bytearray(raw)
    offsets = [*_header_elements(raw), _pixel_offset(raw)]
    at = int(offsets[int(rng.integers(0, len(offsets)))])
    vr = raw[at + 4 : at + 6]
    long_form = vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV")
    field_at, size = (at + 8, 4) if long_form else (at + 6, 2)
    old = int.from_bytes(raw[field_at : field_at + size], "little")
    limit = (1 << (8 * size)) - 1
    choices = [old + 1, old - 1, old + 2, old * 2, 0, limit, limit - 1, old + 1000]
    value = int(choices[int(rng.integers(0, len(choices)))]) % (limit + 1)
    data[field_at : field_at + size] = value.to_bytes(size, "little")
    return bytes(data)


def _saved(dataset: Dataset) -> bytes:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=False)
    return buffer.getvalue()


def missing_pixel_data(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    del dataset.PixelData
    return _saved(dataset)


ABSURD = {
    "Rows": [0, 1, 3, 65535, 40000, 4097],
    "Columns": [0, 1, 65535, 40000, 8193],
    "BitsAllocated": [0, 1, 7, 12, 24, 64, 255],
    "BitsStored": [0, 17, 33, 255],
    "HighBit": [40, 255],
    "SamplesPerPixel": [0, 3, 255],
    "PixelRepresentation": [2, 255],
    "NumberOfFrames": [0, 2, 1_000_000_000],
}


def absurd_image_attribute(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    names = list(ABSURD)
    for _ in range(int(rng.integers(1, 3))):
        name = names[int(rng.integers(0, len(names)))]
        values = ABSURD[name]
        setattr(dataset, name, values[int(rng.integers(0, len(values)))])
    return _saved(dataset)


NON_FINITE = ["NaN", "nan", "inf", "-inf", "1e308", "-1e308", "abc", "", "0", "-1"]


def bad_geometry(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    """PixelSpacing, ImagePositionPatient, ImageOrientationPatient, SliceThickness or the
    rescale given values that are not finite numbers (written as text, as a broken exporter
    would)."""
    value = NON_FINITE[int(rng.integers(0, len(NON_FINITE)))]
    choice = int(rng.integers(0, 7))
    if choice == 0:
        _set_text(dataset, "PixelSpacing", [value, value])
    elif choice == 1:
        _set_text(dataset, "PixelSpacing", ["0.7", value])
    elif choice == 2:
        position = [str(v) for v in dataset.ImagePositionPatient]
        position[int(rng.integers(0, 3))] = value
        _set_text(dataset, "ImagePositionPatient", position)
    elif choice == 3:
        _set_text(dataset, "ImageOrientationPatient", [value] * 6)
    elif choice == 4:
        _set_text(dataset, "ImageOrientationPatient", ["0"] * 6)
    elif choice == 5:
        _set_text(dataset, "SliceThickness", [value])
    else:
        _set_text(dataset, "RescaleSlope" if rng.integers(0, 2) else "RescaleIntercept", [value])
    return _saved(dataset)


def _set_text(dataset: Dataset, keyword: str, values: list[str]) -> None:
    """A DS element holding exactly this text, valid or not (kept raw, as read from a file)."""
    tag = Tag(keyword)
    text = "\\".join(values).encode("ascii")
    text += b" " * (len(text) % 2)
    dataset._dict[tag] = RawDataElement(tag, "DS", len(text), text, 0, False, True)


def make_duplicate_uid(siblings: list[Path]) -> Callable[[bytes, Rng, Dataset], bytes]:
    def duplicate_uid(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
        """Another slice's SOP Instance UID on this slice (or this slice's position), with
        other pixels: two instances that claim to be one."""
        other = pydicom.dcmread(siblings[int(rng.integers(0, len(siblings)))])
        dataset.SOPInstanceUID = other.SOPInstanceUID
        dataset.file_meta.MediaStorageSOPInstanceUID = other.SOPInstanceUID
        if rng.integers(0, 2):
            dataset.ImagePositionPatient = other.ImagePositionPatient
        if rng.integers(0, 3) == 0:
            dataset.StudyInstanceUID = f"1.2.826.0.1.3680043.9.7777.{int(rng.integers(1, 10**9))}"
        pixels = bytearray(dataset.PixelData)
        pixels[: min(64, len(pixels))] = bytes(min(64, len(pixels)))
        dataset.PixelData = bytes(pixels)
        return _saved(dataset)

    return duplicate_uid


def wrong_transfer_syntax(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    """The meta header claims a compressed or deflated syntax; the bytes are still raw."""
    syntaxes = [
        "1.2.840.10008.1.2.4.50",
        "1.2.840.10008.1.2.4.90",
        "1.2.840.10008.1.2.4.80",
        "1.2.840.10008.1.2.5",
        "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.2",
        "1.2.3.4.5",
    ]
    syntax = syntaxes[int(rng.integers(0, len(syntaxes)))].encode()
    syntax += b"\0" * (len(syntax) % 2)
    tag = raw.index(b"\x02\x00\x10\x00UI", 132)
    old_length = struct.unpack_from("<H", raw, tag + 6)[0]
    element = raw[tag : tag + 6] + struct.pack("<H", len(syntax)) + syntax
    group_length = struct.unpack_from("<I", raw, 140)[0] + len(syntax) - old_length
    data = raw[:140] + struct.pack("<I", group_length) + raw[144:tag] + element
    return data + raw[tag + 8 + old_length :]


def empty(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    return b""


def random_bytes(raw: bytes, rng: Rng, dataset: Dataset) -> bytes:
    head = b"\0" * 128 + b"DICM" if rng.integers(0, 2) else b""
    return head + rng.integers(0, 256, int(rng.integers(1, 4096)), dtype=np.uint8).tobytes()


@contextlib.contextmanager
def _quiet_pydicom() -> Iterator[None]:
    """Writing invalid values on purpose: pydicom's warnings about them are expected."""
    logger = logging.getLogger("pydicom")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def mutate_series(good: list[Path], out_dir: Path, count: int, seed: int = 14) -> list[Mutant]:
    """``count`` broken files in ``out_dir``, each from a random slice of ``good``; the mix of
    kinds is fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    kinds: list[tuple[str, Callable[[bytes, Rng, Dataset], bytes], float]] = [
        ("truncated", truncated, 0.15),
        ("flipped bytes", flipped_bytes, 0.18),
        ("flipped header bytes", flipped_header_bytes, 0.15),
        ("wrong length", wrong_length, 0.12),
        ("missing pixel data", missing_pixel_data, 0.04),
        ("absurd image attribute", absurd_image_attribute, 0.12),
        ("bad geometry", bad_geometry, 0.12),
        ("duplicate UID", make_duplicate_uid(good), 0.06),
        ("wrong transfer syntax", wrong_transfer_syntax, 0.02),
        ("empty", empty, 0.02),
        ("random bytes", random_bytes, 0.02),
    ]
    weights = np.array([w for _, _, w in kinds])
    out_dir.mkdir(parents=True, exist_ok=True)
    mutants = []
    for index, pick in enumerate(rng.choice(len(kinds), size=count, p=weights / weights.sum())):
        name, mutate, _ = kinds[int(pick)]
        source = good[int(rng.integers(0, len(good)))]
        raw = source.read_bytes()
        with warnings.catch_warnings(), _quiet_pydicom():
            warnings.simplefilter("ignore")
            data = mutate(raw, rng, pydicom.dcmread(io.BytesIO(raw)))
        path = out_dir / f"M{index:04d}.dcm"
        path.write_bytes(data)
        mutants.append(Mutant(path, name, source))
    return mutants


def load_each(mutants: list[Mutant], series: list[Path], hang_seconds: int) -> list[dict]:
    """load_series on five slices of the series, the middle one replaced by each mutant in turn
    (or the first or last, near the ends): what happened
    (ok, error with its message, exception with its type, hang, or a volume with non-finite
    geometry). Run in a child process with a memory limit; SIGALRM bounds each load."""
    import signal
    import traceback
    from concurrent.futures import ThreadPoolExecutor

    from nodule_desk.dicom.load import load_series
    from nodule_desk.errors import NoduleDeskError

    class Hang(Exception):
        pass

    def alarm(signum: int, frame: object) -> None:
        raise Hang()

    signal.signal(signal.SIGALRM, alarm)
    results = []
    pool = ThreadPoolExecutor(max_workers=2)
    for mutant in mutants:
        at = series.index(mutant.source)
        files = [*series[max(0, at - 2) : at], mutant.path, *series[at + 1 : at + 3]]
        outcome: dict = {"path": str(mutant.path), "kind": mutant.kind}
        signal.alarm(hang_seconds)
        try:
            volume = load_series(files, workers=pool)
            g = volume.geometry
            finite = all(
                np.all(np.isfinite(v)) for v in (g.spacing_xyz_mm, g.origin_lps_mm, g.direction)
            )
            outcome["outcome"] = "ok" if finite and volume.hu.shape == g.shape_kji else "garbage"
        except Hang:
            outcome["outcome"] = "hang"
        except NoduleDeskError as error:
            outcome.update(outcome="error", message=str(error))
        except BaseException as error:  # noqa: BLE001 - what the test is looking for
            outcome.update(
                outcome="exception",
                message=f"{type(error).__name__}: {error}",
                trace=traceback.format_exc()[-2000:],
            )
        finally:
            signal.alarm(0)
        results.append(outcome)
    pool.shutdown()
    return results
