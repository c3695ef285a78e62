"""The local archive (issue 17 item 7): an import copies into it, atomically and checksummed, so a
removed USB stick loses nothing; link-in-place is explicit; a missing file names the study."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.archive import Archive, import_paths
from nodule_desk.archive.files import PART_SUFFIX, write_atomically
from nodule_desk.dicom.load import load_series
from nodule_desk.errors import MissingFilesError
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series


def _write_series(folder: Path, n_slices: int = 5) -> tuple[SeriesIdentity, list[Path]]:
    identity = SeriesIdentity("USB-01", "Wang^Fang", dt.date(2024, 5, 6))
    geometry = VolumeGeometry(
        shape_kji=(n_slices, 8, 10), spacing_xyz_mm=(0.7, 0.7, 1.25), origin_lps_mm=(0, 0, -50)
    )
    hu = np.full(geometry.shape_kji, -850, dtype=np.int16)
    hu[:, 3:5, 4:6] = np.arange(n_slices, dtype=np.int16)[:, None, None] * 10
    return identity, write_ct_series(CTVolume(hu=hu, geometry=geometry), folder, identity)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "desk" / "store.sqlite") as opened:
        yield opened


def test_an_imported_series_opens_after_the_usb_stick_is_removed(store, tmp_path):
    stick = tmp_path / "usb"
    identity, originals = _write_series(stick / "DICOM")
    before = [p.read_bytes() for p in originals]
    outcome = import_paths(store, [stick])
    assert outcome.copied == 5 and not outcome.problems
    shutil.rmtree(stick)

    files = store.series_files(identity.series_uid)
    assert [p.read_bytes() for p in files] == before, "the copies are the originals, in order"
    assert all(p.is_relative_to(tmp_path / "desk" / "archive") for p in files)
    volume = load_series(files)
    assert volume.hu.shape == (5, 8, 10)
    assert [int(volume.hu[k, 3, 4]) for k in range(5)] == [0, 10, 20, 30, 40]
    for instance in store.archived_instances(series_uid=identity.series_uid):
        assert instance.sha256 == hashlib.sha256(Path(instance.path).read_bytes()).hexdigest()
        assert instance.original_path.startswith(str(stick))
    assert not list((tmp_path / "desk" / "archive").rglob(f"*{PART_SUFFIX}"))


def test_importing_the_same_files_again_stores_each_instance_once(store, tmp_path):
    identity, _ = _write_series(tmp_path / "cd")
    import_paths(store, [tmp_path / "cd"])
    again = import_paths(store, [tmp_path / "cd"])
    assert (again.copied, again.already_archived) == (0, 5)
    assert store.count_archived_instances() == 5
    assert len(list((tmp_path / "desk" / "archive").rglob("*.dcm"))) == 5
    assert [s.series_uid for s in again.summary.series_unchanged] == [identity.series_uid]


def test_linked_in_place_files_that_are_gone_name_the_study_and_where_they_were(store, tmp_path):
    stick = tmp_path / "usb"
    identity, originals = _write_series(stick)
    outcome = import_paths(store, [stick], link_in_place=True)
    assert outcome.copied == 0 and store.count_archived_instances() == 0
    assert store.series_files(identity.series_uid) == originals
    shutil.rmtree(stick)
    with pytest.raises(MissingFilesError) as raised:
        store.series_files(identity.series_uid)
    message = str(raised.value)
    assert identity.study_uid in message and str(stick) in message
    assert "5 of 5" in message and "USB-01" in message and "linked in place" in message


def test_an_archive_file_removed_behind_our_back_is_named_as_missing_from_the_archive(
    store, tmp_path
):
    identity, _ = _write_series(tmp_path / "cd")
    import_paths(store, [tmp_path / "cd"])
    victim = store.series_files(identity.series_uid)[2]
    victim.unlink()
    with pytest.raises(MissingFilesError) as raised:
        store.series_files(identity.series_uid)
    assert raised.value.in_archive and raised.value.missing == [victim]
    assert "local archive" in str(raised.value) and identity.study_uid in str(raised.value)
    import_paths(store, [tmp_path / "cd"])
    assert victim.is_file(), "importing the files again repairs the archive"
    assert len(store.series_files(identity.series_uid)) == 5


def test_a_changed_archive_file_fails_its_checksum(store, tmp_path):
    identity, _ = _write_series(tmp_path / "cd")
    import_paths(store, [tmp_path / "cd"])
    archive = Archive(store)
    instance = store.archived_instances(series_uid=identity.series_uid)[0]
    assert archive.verify(instance)
    data = bytearray(Path(instance.path).read_bytes())
    data[-1] ^= 0xFF
    Path(instance.path).write_bytes(bytes(data))
    assert not archive.verify(instance)


class _PulledStick(io.RawIOBase):
    """A source that fails with EIO half-way, as a USB stick pulled during the copy does."""

    def __init__(self, data: bytes) -> None:
        self._data, self._given = data, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        if self._given:
            raise OSError(errno.EIO, "Input/output error")
        self._given = True
        half = self._data[: len(self._data) // 2]
        buffer[: len(half)] = half
        return len(half)


def test_a_copy_that_fails_half_way_leaves_no_file_at_all(tmp_path):
    target = tmp_path / "archive" / "a" / "b.dcm"
    with pytest.raises(OSError):
        write_atomically(target, io.BufferedReader(_PulledStick(b"x" * 4096), buffer_size=64))
    assert not target.exists()
    assert list(target.parent.iterdir()) == [], "no temporary file is left behind"
