"""What the UI tests share: a configured QApplication (names, CJK font, dark theme, English by
default), QSettings inside the test's home, and a real store holding real DICOM series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QFontDatabase

from nodule_desk.dicom.records import ScanResult, SeriesRecord
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series


@pytest.fixture(autouse=True)
def ui_app(qapp, isolated_home: Path):  # noqa: ANN001, ANN201 - pytest-qt's fixture
    from ui import app as ui_app_module
    from ui import i18n

    QCoreApplication.setOrganizationName(ui_app_module.ORGANIZATION)
    QCoreApplication.setApplicationName(ui_app_module.APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(isolated_home / "config"))
    QSettings().setValue(i18n.SETTINGS_KEY, "en")
    ui_app_module.configure_application(qapp)
    yield qapp
    i18n.set_language(qapp, "en")


@pytest.fixture(scope="session")
def cjk_font_family() -> str:
    """Chinese text must render in Xvfb: fonts-noto-cjk provides this family."""
    families = [f for f in QFontDatabase.families() if "CJK SC" in f]
    assert families, "no CJK font: install fonts-noto-cjk (make test does)"
    return families[0]


def chest_phantom(n_slices: int = 24, size: int = 96, spacing_z_mm: float = 2.5) -> CTVolume:
    """Air outside, a soft-tissue body, two dark lungs with a bright vessel, a spine."""
    j, i = np.mgrid[0:size, 0:size].astype(np.float32) / size * 2 - 1
    body = (i / 0.9) ** 2 + (j / 0.7) ** 2 < 1
    lungs = ((np.abs(i) - 0.42) / 0.3) ** 2 + (j / 0.5) ** 2 < 1
    hu = np.where(body, 40.0, -1000.0)
    hu = np.where(lungs, -850.0, hu)
    spine = (i / 0.09) ** 2 + ((j - 0.45) / 0.12) ** 2 < 1
    hu = np.where(spine, 700.0, hu)
    volume = np.repeat(hu[None], n_slices, axis=0)
    for k in range(n_slices):
        vessel = ((i - 0.4 + 0.02 * k) ** 2 + (j - 0.1) ** 2) < 0.004
        volume[k][vessel] = 60.0
    geometry = VolumeGeometry((n_slices, size, size), (3.5, 3.5, spacing_z_mm),
                              (-168.0, -168.0, -300.0 + 0.0))
    return CTVolume(volume.astype(np.int16), geometry)


@dataclass
class SampleStore:
    store: Store
    db_path: Path
    patients: dict[str, str]
    """patient_id -> name"""


def write_sample_series(root: Path, patient_id: str, name: str, date: dt.date) -> SeriesRecord:
    identity = SeriesIdentity(patient_id=patient_id, patient_name=name, study_date=date,
                              series_description="Lung 2.5")
    volume = chest_phantom()
    files = write_ct_series(volume, root / patient_id / date.isoformat(), identity)
    return SeriesRecord(
        series_uid=identity.series_uid, study_uid=identity.study_uid, patient_id=patient_id,
        files=files, frame_of_reference_uid=identity.frame_of_reference_uid, patient_name=name,
        study_date=date.isoformat(), study_description=identity.study_description,
        series_description=identity.series_description, series_number=1,
        rows=volume.hu.shape[1], columns=volume.hu.shape[2], n_slices=volume.hu.shape[0],
        spacing_mm=volume.geometry.spacing_xyz_mm,
    )


@pytest.fixture
def sample_store(tmp_path: Path) -> SampleStore:
    patients = {"ND0001": "WANG^FANG", "ND0002": "LI^MING"}
    dates = {"ND0001": dt.date(2024, 3, 1), "ND0002": dt.date(2025, 6, 15)}
    scan = ScanResult(series=[write_sample_series(tmp_path / "dicom", pid, name, dates[pid])
                              for pid, name in patients.items()])
    db_path = tmp_path / "store.sqlite"
    store = Store.open(db_path)
    store.add_scan_result(scan)
    yield SampleStore(store, db_path, patients)
    store.close()
