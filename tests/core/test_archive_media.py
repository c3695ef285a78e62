"""Importing a CD / USB stick with a DICOMDIR (PS3.10): copied into the archive, and a per-file
report of every listed file that was skipped, with the reason."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
from pydicom.fileset import FileSet

from nodule_desk.archive import import_paths
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series


def _burn_disc(tmp_path: Path) -> tuple[Path, SeriesIdentity, SeriesIdentity]:
    """A disc as a scanner burns it: DICOMDIR plus PT*/ST*/SE*/IM* files, names in lower case
    as Linux mounts an ISO 9660 disc."""
    geometry = VolumeGeometry((4, 6, 6), (0.7, 0.7, 1.25), (0, 0, 0))
    hu = np.full(geometry.shape_kji, -800, dtype=np.int16)
    chest = SeriesIdentity("CD-01", "Ma^Li", dt.date(2024, 1, 9))
    scout = SeriesIdentity("CD-01", "Ma^Li", dt.date(2024, 1, 9), study_uid=chest.study_uid,
                           series_number=2)
    written = write_ct_series(CTVolume(hu, geometry), tmp_path / "src" / "a", chest)
    spare = write_ct_series(CTVolume(hu, geometry), tmp_path / "src" / "b", scout)
    fileset = FileSet()
    for path in [*written, *spare]:
        fileset.add(path)
    disc = tmp_path / "disc"
    fileset.write(disc)
    for path in sorted(disc.rglob("*"), key=lambda p: -len(p.parts)):
        if path.name != "DICOMDIR":
            path.rename(path.with_name(path.name.lower()))
    return disc, chest, scout


def test_a_disc_is_copied_into_the_archive_with_a_report_of_each_skipped_file(tmp_path):
    disc, chest, scout = _burn_disc(tmp_path)
    listed = sorted(p for p in disc.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    scout_files = [p for p in listed if scout.series_uid.encode() in p.read_bytes()]
    scout_files[0].unlink()  # burnt incompletely
    scout_files[1].write_bytes(b"scratched")  # unreadable
    with Store.open(tmp_path / "desk" / "store.sqlite") as store:
        outcome = import_paths(store, [disc])
        shutil.rmtree(disc)  # the disc is ejected
        files = store.series_files(chest.series_uid)
    assert len(files) == 4 and all(p.is_file() for p in files)
    reasons = {p.path.name.lower(): p.error for p in outcome.problems}
    assert reasons[scout_files[0].name] == "listed in the DICOMDIR but not on the medium"
    assert reasons[scout_files[1].name] == "listed in the DICOMDIR but not a readable DICOM file"
    assert chest.series_uid in [s.series_uid for s in outcome.summary.series]
