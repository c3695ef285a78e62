"""Finding, grouping, checking and loading CT series from real DICOM files on disk."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pydicom
import pytest
import SimpleITK as sitk
from pydicom.dataset import Dataset
from pydicom.fileset import FileSet
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)

from nodule_desk.dicom.load import load_series, load_series_dir
from nodule_desk.dicom.scan import scan_paths
from nodule_desk.errors import CancelledError, DicomFileError
from nodule_desk.progress import CancelToken
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

SHAPE = (12, 24, 32)


def phantom(shape=SHAPE, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-1024, 1200, shape).astype(np.int16)


def write(folder: Path, hu: np.ndarray, geometry: VolumeGeometry | None = None, **identity):
    geometry = geometry or VolumeGeometry(hu.shape, (0.7, 0.8, 1.25), (-10.0, -20.0, -30.0))
    ident = SeriesIdentity(
        identity.pop("patient_id", "P1"), "Test^Patient", dt.date(2025, 3, 4), **identity
    )
    return write_ct_series(CTVolume(hu, geometry), folder, ident), ident


def test_nested_odd_names_non_dicom_and_truncated_files(tmp_path: Path):
    hu = phantom()
    names = [f"IMG{(7 * k) % SHAPE[0]:03d}" for k in range(SHAPE[0])]
    geometry = VolumeGeometry(hu.shape, (0.7, 0.8, 1.25), (-10.0, -20.0, -30.0))
    files = write_ct_series(
        CTVolume(hu, geometry),
        tmp_path / "a" / "b",
        SeriesIdentity("P1", "T^P", dt.date(2025, 1, 1)),
        file_names=names,
    )
    (tmp_path / "notes.txt").write_text("not an image")
    truncated = tmp_path / "a" / "broken.dcm"
    truncated.write_bytes(files[0].read_bytes()[:2000])

    scan = scan_paths([tmp_path])

    assert [p.path for p in scan.problems] == [truncated]
    assert "truncated" in scan.problems[0].error
    assert len(scan.series) == 1
    volume = load_series(scan.series[0])
    np.testing.assert_array_equal(volume.hu, hu)
    assert volume.geometry.spacing_xyz_mm == pytest.approx((0.7, 0.8, 1.25))
    assert volume.geometry.origin_lps_mm == pytest.approx((-10.0, -20.0, -30.0))


def test_order_comes_from_positions_not_instance_numbers(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    for index, path in enumerate(files):
        ds = pydicom.dcmread(path)
        ds.InstanceNumber = (index * 5) % len(files) + 1
        ds.save_as(path)
    np.testing.assert_array_equal(load_series(files[::-1]).hu, hu)


def test_two_series_in_one_folder_and_a_localizer(tmp_path: Path):
    first, _ = write(tmp_path, phantom(seed=1))
    second, _ = write(
        tmp_path / "x", phantom((8, 24, 32), seed=2), patient_id="P2", series_uid=generate_uid()
    )
    scout = pydicom.dcmread(first[0])
    scout.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
    scout.SOPInstanceUID = generate_uid()
    scout.save_as(tmp_path / "scout.dcm")

    scan = scan_paths([tmp_path])

    assert sorted(r.n_slices for r in scan.series) == [8, 12]
    assert {r.patient_id for r in scan.series} == {"P1", "P2"}
    assert [(p.path.name, "localizer" in p.error) for p in scan.problems] == [("scout.dcm", True)]


def test_mixed_sizes_in_one_series_are_split_into_stacks(tmp_path: Path):
    files, ident = write(tmp_path / "big", phantom())
    small = VolumeGeometry((4, 12, 16), (1.4, 1.6, 2.5), (-10.0, -20.0, -30.0))
    write_ct_series(
        CTVolume(phantom((4, 12, 16)), small),
        tmp_path / "small",
        SeriesIdentity(
            "P1", "T^P", dt.date(2025, 3, 4), study_uid=ident.study_uid, series_uid=ident.series_uid
        ),
    )
    scan = scan_paths([tmp_path])
    assert sorted(r.n_slices for r in scan.series) == [4, 12]
    assert all(r.stack_key for r in scan.series)
    assert all("split" in r.warnings[0] for r in scan.series)


def test_missing_slice_is_reported_and_filled(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    files[5].unlink()
    scan = scan_paths([tmp_path])
    assert any("missing slice" in w for w in scan.series[0].warnings)
    volume = load_series(scan.series[0])
    assert volume.hu.shape == hu.shape
    np.testing.assert_array_equal(volume.hu[6:], hu[6:])
    expected = np.rint((hu[4].astype(float) + hu[6]) / 2)
    np.testing.assert_allclose(volume.hu[5], expected, atol=1)


def test_gantry_tilt_is_reported_and_kept_in_the_geometry(tmp_path: Path):
    tilt = np.radians(15)
    direction = (1, 0, 0, 0, 1, np.sin(tilt), 0, 0, np.cos(tilt))
    geometry = VolumeGeometry(SHAPE, (0.7, 0.7, 1.25), (0.0, 0.0, 0.0), direction)
    files, _ = write(tmp_path, phantom(), geometry)
    for path in files:  # a tilted gantry keeps axial orientation; only positions shear
        ds = pydicom.dcmread(path)
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.save_as(path)
    scan = scan_paths([tmp_path])
    assert any("gantry tilt of 15.0" in w for w in scan.series[0].warnings)
    volume = load_series(scan.series[0])
    last = volume.geometry.index_to_world_lps_mm((0, 0, SHAPE[0] - 1))
    assert last == pytest.approx(geometry.index_to_world_lps_mm((0, 0, SHAPE[0] - 1)), abs=1e-3)


def test_oblique_geometry_matches_simpleitk(tmp_path: Path):
    angle = np.radians(20)
    rotation = np.array(
        [[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]]
    )
    geometry = VolumeGeometry(SHAPE, (0.7, 0.8, 1.5), (5.0, -7.0, 11.0), tuple(rotation.ravel()))
    files, _ = write(tmp_path, phantom(), geometry)
    volume = load_series(files)
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames([str(p) for p in files])
    image = reader.Execute()
    assert volume.geometry.origin_lps_mm == pytest.approx(image.GetOrigin(), abs=1e-3)
    assert volume.geometry.direction == pytest.approx(image.GetDirection(), abs=1e-5)
    assert volume.geometry.spacing_xyz_mm == pytest.approx(image.GetSpacing(), abs=1e-4)
    np.testing.assert_array_equal(volume.hu, sitk.GetArrayFromImage(image))


@pytest.mark.parametrize("syntax", [RLELossless, JPEGLSLossless, JPEG2000Lossless])
def test_compressed_transfer_syntaxes_decode_to_the_same_hu(tmp_path: Path, syntax):
    hu = phantom((6, 64, 64))
    files, _ = write(tmp_path, hu)
    for path in files:
        ds = pydicom.dcmread(path)
        ds.compress(syntax)
        ds.save_as(path)
    assert pydicom.dcmread(files[0]).file_meta.TransferSyntaxUID == syntax
    np.testing.assert_array_equal(load_series_dir(tmp_path).hu, hu)


def test_jpeg_lossless_sv1_from_dcmtk_decodes(tmp_path: Path):
    assert shutil.which("dcmcjpeg"), "dcmtk missing: make test installs it"
    hu = phantom()
    files, _ = write(tmp_path / "plain", hu)
    for path in files:
        out = tmp_path / "jpeg" / path.name
        out.parent.mkdir(exist_ok=True)
        subprocess.run(["dcmcjpeg", "+e1", str(path), str(out)], check=True)
    assert pydicom.dcmread(out).file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.70"
    np.testing.assert_array_equal(load_series_dir(tmp_path / "jpeg").hu, hu)


def test_deflated_transfer_syntax(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    for path in files:
        ds = pydicom.dcmread(path)
        ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
        ds.save_as(path, enforce_file_format=True)
    np.testing.assert_array_equal(load_series_dir(tmp_path).hu, hu)


def _enhanced_ct(files: list[Path], out: Path) -> None:
    """An Enhanced CT file built from single-frame slices, geometry per frame."""
    slices = [pydicom.dcmread(p) for p in files]
    ds = copy.deepcopy(slices[0])
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.NumberOfFrames = len(slices)
    for keyword in (
        "ImagePositionPatient",
        "ImageOrientationPatient",
        "PixelSpacing",
        "SliceLocation",
        "RescaleIntercept",
        "RescaleSlope",
    ):
        del ds[keyword]
    shared, measures, orientation = Dataset(), Dataset(), Dataset()
    measures.PixelSpacing = slices[0].PixelSpacing
    measures.SliceThickness = slices[0].SliceThickness
    orientation.ImageOrientationPatient = slices[0].ImageOrientationPatient
    transform = Dataset()
    transform.RescaleIntercept, transform.RescaleSlope = slices[0].RescaleIntercept, 1
    transform.RescaleType = "HU"
    shared.PixelMeasuresSequence = [measures]
    shared.PlaneOrientationSequence = [orientation]
    shared.PixelValueTransformationSequence = [transform]
    ds.SharedFunctionalGroupsSequence = [shared]
    frames = []
    for s in reversed(slices):  # frames stored head to feet; the loader sorts them
        item, position = Dataset(), Dataset()
        position.ImagePositionPatient = s.ImagePositionPatient
        item.PlanePositionSequence = [position]
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = frames
    ds.PixelData = b"".join(s.PixelData for s in reversed(slices))
    ds.save_as(out, enforce_file_format=True)


def test_enhanced_multiframe_ct(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path / "single", hu)
    (tmp_path / "enhanced").mkdir()
    _enhanced_ct(files, tmp_path / "enhanced" / "enhanced.dcm")
    scan = scan_paths([tmp_path / "enhanced"])
    assert scan.series[0].multiframe and scan.series[0].n_slices == SHAPE[0]
    volume = load_series(scan.series[0])
    np.testing.assert_array_equal(volume.hu, hu)
    assert volume.geometry.origin_lps_mm == pytest.approx((-10.0, -20.0, -30.0))


def test_dicomdir_is_honoured(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path / "src", hu)
    fileset = FileSet()
    for path in files:
        fileset.add(pydicom.dcmread(path))
    fileset.write(tmp_path / "media")
    scan = scan_paths([tmp_path / "media" / "DICOMDIR"])
    assert scan.series and scan.series[0].n_slices == SHAPE[0]
    np.testing.assert_array_equal(load_series(scan.series[0]).hu, hu)


def test_first_slice_arrives_before_the_load_finishes(tmp_path: Path):
    hu = phantom((40, 64, 64))
    files, _ = write(tmp_path, hu)
    events: list[tuple[str, tuple]] = []
    volume = load_series(
        files,
        on_first_slice=lambda v: events.append(("first", v.hu.shape)),
        progress=lambda p: events.append(("progress", (p.done, p.total))),
    )
    assert events[0] == ("first", (1, 64, 64))
    assert events[-1] == ("progress", (40, 40))
    np.testing.assert_array_equal(volume.hu, hu)


def test_cancel_stops_the_load(tmp_path: Path):
    files, _ = write(tmp_path, phantom((40, 64, 64)))
    token = CancelToken()
    started = threading.Event()

    def cancel_when_started(_volume: CTVolume) -> None:
        started.set()
        token.cancel()

    with pytest.raises(CancelledError):
        load_series(files, cancel=token, on_first_slice=cancel_when_started)
    assert started.is_set()


def test_pixel_padding_becomes_air_and_rescale_applies(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    for path in files:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array.copy()
        pixels[0, 0] = -2000
        ds.add_new(0x00280120, "SS", -2000)
        ds.PixelData = pixels.tobytes()
        ds.save_as(path)
    volume = load_series_dir(tmp_path)
    assert (volume.hu[:, 0, 0] == -1024).all()
    np.testing.assert_array_equal(volume.hu[:, 1:, 1:], hu[:, 1:, 1:])


def test_unsigned_pixels_past_int16_are_clipped_not_wrapped(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    for path in files:
        ds = pydicom.dcmread(path)
        hu_pixels = ds.pixel_array.astype(np.int32) + int(ds.RescaleIntercept)
        pixels = (hu_pixels + 1024).astype(np.uint16)
        pixels[0, 0] = 65000
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = -1024
        ds.PixelData = pixels.tobytes()
        ds.save_as(path)
    volume = load_series_dir(tmp_path)
    assert (volume.hu[:, 0, 0] == 32767).all()
    np.testing.assert_array_equal(volume.hu[:, 1:, 1:], hu[:, 1:, 1:])


def test_folder_without_ct_names_the_folder(tmp_path: Path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(DicomFileError, match=str(tmp_path)):
        load_series_dir(tmp_path)


def test_non_ct_modality_is_reported(tmp_path: Path):
    files, _ = write(tmp_path, phantom())
    ds = pydicom.dcmread(files[0])
    ds.Modality = "MR"
    ds.save_as(files[0])
    scan = scan_paths([tmp_path])
    assert scan.problems[0].path == files[0] and "not CT" in scan.problems[0].error


def test_a_broken_file_among_named_files_is_an_error_naming_it(tmp_path: Path):
    files, _ = write(tmp_path, phantom())
    files[4].write_bytes(b"not a DICOM file")
    with pytest.raises(DicomFileError, match=files[4].name):
        load_series(files)


def test_named_files_with_a_gap_load_without_a_scan_and_say_so(tmp_path: Path):
    hu = phantom()
    files, _ = write(tmp_path, hu)
    del files[5]
    volume = load_series(files)
    assert volume.hu.shape == hu.shape
    assert any("missing slice" in w for w in volume.metadata["warnings"])
