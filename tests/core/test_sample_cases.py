"""The synthetic sample patients: real DICOM, right geometry, nodules where the truth says.

One small patient (P001 on a 160 x 160 matrix, 120 mm of chest) is generated once for the module
with the real generator and read back with pydicom, the project's loader and SimpleITK.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest
import SimpleITK as sitk
from pydicom.uid import CTImageStorage

from nodule_desk.dicom.load import load_series_dir
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.anatomy import LUNG_HU, ChestAnatomy, PatientPose
from sample_cases.blocks import make_nodule_block
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.generate import COMPLETE_MARKER, generate
from sample_cases.nodules import NoduleSpec, longest_diameter_3d_mm, render_nodule
from sample_cases.phantom import chest_geometry, make_chest_case, make_chest_ct
from sample_cases.placement import juxtapleural_centre

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    generate(out, patients=1, matrix=160, coverage_mm=120.0, workers=1)
    return out


def _truths(root: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.glob("*/*/truth.json"))]


def _series_dir(root: Path, truth: dict) -> Path:
    return root / truth["series"]["folder"]


def test_layout_and_done_marker(generated: Path) -> None:
    truths = _truths(generated)
    assert [t["study"]["date"] for t in truths] == ["2025-03-10", "2025-09-08"]
    assert (generated / COMPLETE_MARKER).is_file()
    for truth in truths:
        folder = _series_dir(generated, truth)
        assert folder.parent.name == "P001" and folder.name.startswith(
            truth["study"]["date"].replace("-", "")
        )
        assert len(list(folder.glob("CT*.dcm"))) == truth["series"]["shape_kji"][0]
        assert {n["id"] for n in truth["nodules"]} == {"P001-N1", "P001-N2", "P001-N3"}


def test_files_are_ct_image_storage_with_chinese_name(generated: Path) -> None:
    for truth in _truths(generated):
        first = sorted(_series_dir(generated, truth).glob("CT*.dcm"))[0]
        ds = pydicom.dcmread(first)
        assert (
            ds.SOPClassUID == CTImageStorage
            and ds.file_meta.MediaStorageSOPClassUID == CTImageStorage
        )
        assert ds.Modality == "CT" and ds.SpecificCharacterSet == "ISO_IR 192"
        assert ds.PatientName.alphabetic == "Zhang^Wei"
        assert ds.PatientName.ideographic == "张^伟"
        assert "张^伟".encode() in first.read_bytes()
        assert ds.SeriesInstanceUID == truth["series"]["uid"]
        assert ds.StudyDate == truth["study"]["date"].replace("-", "")
        assert float(ds.SliceThickness) == truth["series"]["slice_thickness_mm"]
        assert ds.RescaleType == "HU" and float(ds.RescaleSlope) == 1.0


def test_positions_follow_the_geometry(generated: Path) -> None:
    for truth in _truths(generated):
        folder = _series_dir(generated, truth)
        volume = load_series_dir(folder)
        assert volume.geometry.shape_kji == tuple(truth["series"]["shape_kji"])
        np.testing.assert_allclose(
            volume.geometry.origin_lps_mm, truth["series"]["origin_lps_mm"], atol=1e-3
        )
        np.testing.assert_allclose(
            volume.geometry.direction, truth["series"]["direction"], atol=1e-5
        )
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(folder)))
        image = reader.Execute()
        np.testing.assert_allclose(image.GetOrigin(), truth["series"]["origin_lps_mm"], atol=1e-3)
        spacing = truth["series"]["pixel_spacing_mm"], truth["series"]["slice_spacing_mm"]
        np.testing.assert_allclose(
            image.GetSpacing(), (spacing[0], spacing[0], spacing[1]), atol=1e-4
        )
        np.testing.assert_array_equal(sitk.GetArrayFromImage(image), volume.hu)
        assert volume.metadata["patient_name"] in ("Zhang^Wei=张^伟", "Zhang^Wei")


def _mean_hu_around(volume: CTVolume, world_lps_mm: list[float], half: int = 1) -> float:
    i, j, k = np.rint(volume.geometry.world_lps_mm_to_index(world_lps_mm)).astype(int)
    block = volume.hu[k - half : k + half + 1, j - half : j + half + 1, i - half : i + half + 1]
    return float(block.mean())


def test_nodule_and_lung_hu_where_the_truth_says(generated: Path) -> None:
    baseline = _truths(generated)[0]
    volume = load_series_dir(_series_dir(generated, baseline))
    grows = next(n for n in baseline["nodules"] if n["id"] == "P001-N1")
    assert grows["volume_mm3"] == pytest.approx(4 / 3 * np.pi * 4.0**3, rel=0.03)
    assert -30 < _mean_hu_around(volume, grows["centroid_lps_mm"], half=0) < 90
    lung_point = PatientPose().to_world_lps_mm(np.array([-70.0, 40.0, 0.0]))
    assert abs(_mean_hu_around(volume, list(lung_point), half=2) - LUNG_HU) < 40
    outside = volume.geometry.index_to_world_lps_mm((2, 2, 2))
    assert _mean_hu_around(volume, list(outside)) < -950


def test_follow_up_is_shifted_and_rotated(generated: Path) -> None:
    baseline, follow_up = _truths(generated)

    def centre(truth: dict, nodule_id: str) -> np.ndarray:
        return np.array(next(n["center_lps_mm"] for n in truth["nodules"] if n["id"] == nodule_id))

    before = centre(baseline, "P001-N2") - centre(baseline, "P001-N1")
    after = centre(follow_up, "P001-N2") - centre(follow_up, "P001-N1")
    turn = np.degrees(np.arctan2(after[1], after[0]) - np.arctan2(before[1], before[0]))
    assert turn == pytest.approx(2.5, abs=0.01)
    assert np.linalg.norm(centre(follow_up, "P001-N1") - centre(baseline, "P001-N1")) > 10
    first = [
        pydicom.dcmread(sorted(_series_dir(generated, t).glob("CT*.dcm"))[0]).ImagePositionPatient
        for t in (baseline, follow_up)
    ]
    assert first[0] != first[1]
    assert (
        next(n for n in follow_up["nodules"] if n["id"] == "P001-N1")["volume_mm3"]
        > 2 * next(n for n in baseline["nodules"] if n["id"] == "P001-N1")["volume_mm3"]
    )


def test_import_command_lists_every_series(generated: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "nodule_desk", "import", str(generated), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    result = json.loads(done.stdout)
    uids = {t["series"]["uid"] for t in _truths(generated)}
    assert {s["series_uid"] for s in result["series"]} == uids
    assert all(s["patient_id"] == "P001" for s in result["series"])
    assert not result.get("errors")


def test_sphere_truth_volume_matches_the_formula() -> None:
    geometry = chest_geometry((40, 48, 48), (0.7, 0.7, 1.25))
    volume = CTVolume(np.full(geometry.shape_kji, LUNG_HU, np.float32), geometry)
    centre = (0.23, -0.41, 0.37)
    truth = render_nodule(volume, NoduleSpec(centre, 10.0), np.random.default_rng(0))
    assert truth.volume_mm3 == pytest.approx(4 / 3 * np.pi * 5.0**3, rel=0.01)
    assert truth.long_axis_mm == pytest.approx(10.0, abs=0.3)
    assert truth.short_axis_mm == pytest.approx(10.0, abs=0.3)
    np.testing.assert_allclose(truth.centroid_lps_mm, centre, atol=0.05)
    assert _mean_hu_around(volume, list(centre)) == pytest.approx(30.0, abs=1.0)


def test_part_solid_truth_has_a_solid_component() -> None:
    geometry = chest_geometry((30, 48, 48), (0.7, 0.7, 1.0))
    volume = CTVolume(np.full(geometry.shape_kji, LUNG_HU, np.float32), geometry)
    spec = NoduleSpec((0.0, 0.0, 0.0), 16.0, density_type="part_solid", solid_diameter_mm=6.0)
    truth = render_nodule(volume, spec)
    assert truth.solid_volume_mm3 == pytest.approx(4 / 3 * np.pi * 3.0**3, rel=0.02)
    assert truth.solid_component_mm == pytest.approx(6.0, abs=0.4)
    assert _mean_hu_around(volume, [5.5, 0.0, 0.0], half=0) == pytest.approx(-600.0, abs=5)


def test_same_seed_same_voxels() -> None:
    options = {
        "nodules": [NoduleSpec((-70.0, 0.0, 0.0), 8.0)],
        "pose": PatientPose((3.0, 2.0, 1.0), 2.0),
    }
    first = make_chest_ct((6, 96, 96), (3.6, 3.6, 5.0), 7, **options)
    again = make_chest_ct((6, 96, 96), (3.6, 3.6, 5.0), 7, **options)
    other = make_chest_ct((6, 96, 96), (3.6, 3.6, 5.0), 8, **options)
    assert first.hu.tobytes() == again.hu.tobytes()
    assert first.hu.tobytes() != other.hu.tobytes()


def test_rotated_image_orientation_survives_dicom(tmp_path: Path) -> None:
    yaw = np.radians(3.0)
    direction = (np.cos(yaw), -np.sin(yaw), 0.0, np.sin(yaw), np.cos(yaw), 0.0, 0.0, 0.0, 1.0)
    volume, (truth,) = make_chest_case(
        (12, 120, 120),
        (3.0, 3.0, 2.5),
        3,
        nodules=[NoduleSpec((-70.0, 0.0, 0.0), 12.0)],
        direction=direction,
    )
    write_ct_series(volume, tmp_path, SeriesIdentity("X1", "Li^Na=李^娜", dt.date(2025, 1, 2)))
    loaded = load_series_dir(tmp_path)
    np.testing.assert_allclose(loaded.geometry.direction, direction, atol=1e-5)
    assert _mean_hu_around(loaded, list(truth.centroid_lps_mm), half=0) > -150
    assert pydicom.dcmread(sorted(tmp_path.glob("*.dcm"))[0]).PatientName.ideographic == "李^娜"


def test_geometry_from_chest_geometry_is_centred() -> None:
    geometry: VolumeGeometry = chest_geometry((11, 21, 21), (1.0, 1.0, 2.0), (5.0, -3.0, 7.0))
    np.testing.assert_allclose(geometry.index_to_world_lps_mm((10, 10, 5)), (5.0, -3.0, 7.0))


def test_overlapping_slices_keep_the_volume() -> None:
    geometry = chest_geometry((24, 40, 40), (0.7, 0.7, 1.0))
    thin, thick = (
        CTVolume(np.full(geometry.shape_kji, LUNG_HU, np.float32), geometry) for _ in "ab"
    )
    spec = NoduleSpec((0.0, 0.0, 2.0), 8.0)
    render_nodule(thin, spec)
    truth = render_nodule(thick, spec, slice_thickness_mm=2.0)
    assert truth.volume_mm3 == pytest.approx(4 / 3 * np.pi * 4.0**3, rel=0.01)
    i, j, k = np.rint(geometry.world_lps_mm_to_index((0.0, 0.0, 6.5))).astype(int)
    assert thin.hu[k, j, i] == LUNG_HU
    assert thick.hu[k, j, i] > LUNG_HU + 20


@pytest.mark.parametrize("context", ["isolated", "juxtapleural", "juxtavascular"])
def test_nodule_block_hides_what_the_context_covers(context: str) -> None:
    spec = NoduleSpec((5.0, 5.0, 5.0), 10.0)
    volume, truth = make_nodule_block(spec, context=context, slice_mm=1.25, seed=1)
    sphere = 4 / 3 * np.pi * 5.0**3
    if context == "isolated":
        assert truth.volume_mm3 == pytest.approx(sphere, rel=0.01)
    else:
        assert 0.8 * sphere < truth.volume_mm3 < 0.995 * sphere
    assert truth.center_lps_mm == (0.0, 0.0, 0.0)
    assert -40 < _mean_hu_around(volume, [-1.0, 0.0, 0.0]) < 100
    assert abs(_mean_hu_around(volume, [-12.0, 0.0, 0.0], half=2) - LUNG_HU) < 15


def _pixel_data_and_truth(root: Path) -> dict[str, bytes]:
    files = sorted(root.glob("*/*/CT*.dcm")) + sorted(root.glob("*/*/truth.json"))
    return {
        str(p.relative_to(root)): (
            pydicom.dcmread(p).PixelData if p.suffix == ".dcm" else p.read_bytes()
        )
        for p in files
    }


def test_generator_gives_the_same_pixels_twice(generated: Path, tmp_path: Path) -> None:
    generate(tmp_path, patients=1, matrix=160, coverage_mm=120.0, workers=2)
    again = _pixel_data_and_truth(tmp_path)
    assert len(again) > 100
    assert again == _pixel_data_and_truth(generated)


@pytest.mark.parametrize(
    ("shape", "diameter_mm", "expected_mm"),
    [("sphere", 4.0, 4.0), ("sphere", 25.0, 25.0), ("ellipsoid", 12.6, 12.6)],
)
def test_longest_3d_diameter_of_simple_shapes(
    shape: str, diameter_mm: float, expected_mm: float
) -> None:
    tilted = (0.6, -0.8, 0.0, 0.48, 0.36, -0.8, 0.64, 0.48, 0.6)
    spec = NoduleSpec((1.0, 2.0, 3.0), diameter_mm, shape=shape, orientation=tilted)
    assert longest_diameter_3d_mm(spec) == pytest.approx(expected_mm, abs=0.05)


def test_tilted_ellipsoid_is_longer_in_3d_than_on_any_axial_image() -> None:
    geometry = chest_geometry((40, 40, 40), (0.5, 0.5, 0.5))
    volume = CTVolume(np.full(geometry.shape_kji, LUNG_HU, np.float32), geometry)
    c, s = np.cos(np.radians(60)), np.sin(np.radians(60))
    tilted_out_of_plane = (c, 0.0, -s, 0.0, 1.0, 0.0, s, 0.0, c)
    spec = NoduleSpec((0.0, 0.0, 0.0), 12.0, shape="ellipsoid", orientation=tilted_out_of_plane)
    truth = render_nodule(volume, spec)
    assert truth.longest_diameter_3d_mm == pytest.approx(12.0, abs=0.05)
    assert truth.long_axis_mm < 11.0


def test_juxtapleural_centre_puts_the_nodule_against_the_chest_wall() -> None:
    anatomy = ChestAnatomy(seed=5)
    centre = juxtapleural_centre(anatomy, 10.0, (-80.0, 0.0, 0.0))
    assert centre[0] == pytest.approx(-126.0 + 3.0, abs=0.1)
    volume, (truth,) = make_chest_case(
        (8, 200, 200),
        (1.6, 1.6, 2.5),
        5,
        nodules=[NoduleSpec(centre, 10.0)],
        anatomy=anatomy,
        noise_hu=0.0,
    )
    cap_mm3 = np.pi * 2.0**2 * (3 * 5.0 - 2.0) / 3
    sphere_mm3 = 4 / 3 * np.pi * 5.0**3
    assert truth.volume_mm3 == pytest.approx(sphere_mm3 - cap_mm3, rel=0.03)
    assert _mean_hu_around(volume, [centre[0] - 4.0, centre[1], centre[2]], half=0) > -200
    with pytest.raises(ValueError, match="not inside a lung"):
        juxtapleural_centre(anatomy, 10.0, (0.0, 60.0, 0.0))


def test_dicom_validator_finds_no_errors(generated: Path) -> None:
    for truth in _truths(generated):
        first = sorted(_series_dir(generated, truth).glob("CT*.dcm"))[0]
        report = subprocess.run(["dciodvfy", str(first)], capture_output=True, text=True)
        output = report.stdout + report.stderr
        assert "CTImage" in output
        assert "Error" not in output, output
