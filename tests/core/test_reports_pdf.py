"""The PDF report in Chinese and English: the right words and numbers, an embedded CJK font, and a
page that renders (pdftoppm from poppler-utils, installed by `make test`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.uid import generate_uid

from nodule_desk.reports.key_images import render_key_image
from nodule_desk.reports.model import ReportedNodule, ReportSignature, VisitReport
from nodule_desk.reports.pdf_report import write_pdf_report
from nodule_desk.volume import CTVolume, VolumeGeometry


@pytest.fixture()
def key_image(tmp_path: Path) -> Path:
    geometry = VolumeGeometry((20, 96, 96), (0.7, 0.7, 1.25), (-33.6, -33.6, -12.5))
    k, j, i = np.mgrid[:20, :96, :96]
    ball = ((i - 48) * 0.7) ** 2 + ((j - 48) * 0.7) ** 2 + ((k - 10) * 1.25) ** 2 < 36
    hu = np.where(ball, 30, -850).astype(np.int16)
    return render_key_image(
        CTVolume(hu, geometry), (0.0, 0.0, 0.0), tmp_path / "key.png",
        mask=CTVolume(ball.astype(np.uint8), geometry),
    )


def make_report(language: str, key_image: Path) -> VisitReport:
    nodules = [
        ReportedNodule("N1", generate_uid(), "part_solid", (0.0, 0.0, 0.0), 12.1, 9.8, 11.0, 701.0,
                       7.2, -320.0, "RUL", "4A", prior_mean_diameter_mm=9.4,
                       solid_component_mean_diameter_mm=6.5,
                       volume_doubling_time_days=351.0, key_image_path=key_image),
        ReportedNodule("N2", generate_uid(), "ground_glass", (5.0, 5.0, 5.0), 7.0, 5.2, 6.1, 120.0,
                       lobe="LLL", lung_rads_category="2"),
    ]
    return VisitReport(
        "P001", "张伟^", generate_uid(), dt.date(2026, 3, 1), generate_uid(), generate_uid(), [],
        nodules, patient_sex="M", institution_name="清河县人民医院", language=language,
        prior_study_date=dt.date(2025, 9, 1), exam_lung_rads_category="4A",
        management="3个月后低剂量CT复查" if language == "zh_CN" else "3-month LDCT",
        follow_up_date=dt.date(2026, 6, 1),
        signature=ReportSignature("李娜", dt.datetime(2026, 3, 2, 9, 30)),
    )


def pdf_text(path: Path) -> str:
    """Text as poppler extracts it (pypdf mis-decodes fpdf2's CID fonts)."""
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    return result.stdout


def test_chinese_report_has_names_numbers_and_chinese_labels(key_image: Path, tmp_path: Path):
    path = write_pdf_report(make_report("zh_CN", key_image), tmp_path / "zh.pdf")
    text = pdf_text(path)
    for expected in ("胸部CT肺结节诊断报告", "张伟", "清河县人民医院", "部分实性", "磨玻璃",
                     "12.1 × 9.8", "11.0", "701", "6.5", "+1.6 mm", "4A", "2026-06-01", "李娜",
                     "3个月后低剂量CT复查", "新发"):
        assert expected in text, expected


def test_english_report_uses_english_labels(key_image: Path, tmp_path: Path):
    path = write_pdf_report(make_report("en", key_image), tmp_path / "en.pdf")
    text = pdf_text(path)
    for expected in ("Chest CT Lung Nodule Report", "Part-solid", "Ground-glass", "Signed",
                     "3-month LDCT", "Page 1 of 1"):
        assert expected in text, expected
    assert "部分实性" not in text


def test_cjk_font_is_embedded(key_image: Path, tmp_path: Path):
    path = write_pdf_report(make_report("zh_CN", key_image), tmp_path / "zh.pdf")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, "no font in the PDF"
    assert all(row.split()[-5] == "yes" for row in rows), fonts.stdout
    assert any("NotoSansCJKSC" in row for row in rows), fonts.stdout


def test_rendered_page_is_not_blank_and_shows_the_key_image(key_image: Path, tmp_path: Path):
    path = write_pdf_report(make_report("zh_CN", key_image), tmp_path / "zh.pdf")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("RGB"))
    ink = (page.sum(axis=2) < 600).mean()
    red = ((page[:, :, 0] > 200) & (page[:, :, 1] < 120)).sum()
    assert ink > 0.02, "page looks blank"
    assert red > 10, "the nodule outline of the key image is not on the page"


def test_baseline_exam_shows_no_change_column_values(key_image: Path, tmp_path: Path):
    baseline = dataclasses.replace(make_report("en", key_image), prior_study_date=None)
    text = pdf_text(write_pdf_report(baseline, tmp_path / "b.pdf"))
    assert "new" not in text.split("Key images")[0]


def test_unsigned_report_says_draft(key_image: Path, tmp_path: Path):
    draft = dataclasses.replace(make_report("en", key_image), signature=None)
    assert "DRAFT" in pdf_text(write_pdf_report(draft, tmp_path / "d.pdf"))


def test_key_image_outline_follows_the_mask(key_image: Path):
    pixels = np.asarray(Image.open(key_image))
    red = (pixels[:, :, 0] == 255) & (pixels[:, :, 1] == 64)
    rows, cols = np.nonzero(red)
    assert red.sum() > 20
    centre = np.array(pixels.shape[:2]) / 2
    assert abs(rows.mean() - centre[0]) < 10 and abs(cols.mean() - centre[1]) < 10


def test_hospital_logo_is_printed_when_configured(key_image: Path, tmp_path: Path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo)
    without = write_pdf_report(make_report("zh_CN", key_image), tmp_path / "plain.pdf")
    with_logo = write_pdf_report(make_report("zh_CN", key_image), tmp_path / "logo.pdf", logo=logo)

    def image_count(path: Path) -> int:
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True,
                                 text=True, check=True).stdout
        return len(listing.splitlines()) - 2

    assert image_count(with_logo) == image_count(without) + 1
