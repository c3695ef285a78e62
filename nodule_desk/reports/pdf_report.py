"""The signed report as a PDF, in Simplified Chinese or English, with its CJK font embedded.

fpdf2 embeds and subsets Noto Sans CJK (a TrueType collection with CFF outlines, which reportlab
refuses); face 2 of the collection is Simplified Chinese (face 0 is Japanese, whose glyphs differ
for some characters). A report sent to another hospital must carry its font, so there is no
fallback to a non-embedded CID font.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from nodule_desk.errors import NoduleDeskError
from nodule_desk.names import display_name
from nodule_desk.reports.model import VisitReport
from nodule_desk.reports.nodule_table import nodule_table
from nodule_desk.reports.pdf_text import TEXT
from nodule_desk.reports.size_bands import size_notes

CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
SIMPLIFIED_CHINESE_FACE = 2
FONT = "NotoSansSC"


class ReportFontMissing(NoduleDeskError):
    def __init__(self) -> None:
        names = ", ".join(str(p) for p in CJK_FONT_CANDIDATES)
        super().__init__(f"no CJK font for the PDF report; install fonts-noto-cjk ({names})")


def _cjk_font() -> Path:
    for path in CJK_FONT_CANDIDATES:
        if path.exists():
            return path
    raise ReportFontMissing()


class _ReportPdf(FPDF):
    def __init__(self, report: VisitReport) -> None:
        super().__init__(format="A4")
        self.report = report
        self.text_of = TEXT[report.language]
        font = _cjk_font()
        face = SIMPLIFIED_CHINESE_FACE if font.suffix == ".ttc" else 0
        self.add_font(FONT, "", str(font), collection_font_number=face)
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        left = f"{self.report.institution_name}  ·  {self.text_of['footer_note']}"
        self.cell(0, 5, left, align="L")
        self.set_x(self.l_margin)
        page = self.text_of["page"].format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, page, align="R")
        self.set_text_color(0)


def _header(pdf: _ReportPdf, logo: Path | None) -> None:
    report, text = pdf.report, pdf.text_of
    if logo is not None and logo.exists():
        pdf.image(str(logo), x=pdf.l_margin, y=10, h=14)
    pdf.set_font(FONT, size=15)
    pdf.cell(0, 8, report.institution_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 7, text["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=9.5)
    sex = text.get(f"sex_{report.patient_sex}", report.patient_sex or "—")
    birth = report.patient_birth_date.isoformat() if report.patient_birth_date else "—"
    lines = [
        f"{text['patient']}: {display_name(report.patient_name, report.language)}    "
        f"ID: {report.patient_id}    "
        f"{text['sex']}: {sex}    {text['birth_date']}: {birth}",
        f"{text['exam']}: {text['exam_name']}    {text['exam_date']}: {report.study_date}    "
        f"{text['accession']}: {report.accession_number or '—'}",
    ]
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _nodule_table(pdf: _ReportPdf) -> None:
    report, text = pdf.report, pdf.text_of
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 7, text["findings"], new_x="LMARGIN", new_y="NEXT")
    if not report.nodules:
        pdf.set_font(FONT, size=9.5)
        pdf.cell(0, 6, text["no_nodules"], new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT, size=8.5)
    headings, rows = nodule_table(report)
    widths = (10, 14, 20, 26, 20, 22, 20, 32, 16)
    with pdf.table(
        col_widths=widths,
        text_align="CENTER",
        line_height=5.5,
        headings_style=FontFace(emphasis=None, fill_color=(225, 232, 240)),
    ) as table:
        table.row(headings)
        for row in rows:
            table.row(row)
    pdf.ln(1)
    for note in size_notes(report):
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _key_images(pdf: _ReportPdf) -> None:
    images = [n for n in pdf.report.nodules if n.key_image_path and n.key_image_path.exists()]
    if not images:
        return
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 7, pdf.text_of["key_images"], new_x="LMARGIN", new_y="NEXT")
    size_mm, gap_mm = 55.0, 5.0
    per_row = int((pdf.epw + gap_mm) // (size_mm + gap_mm))
    for row_start in range(0, len(images), per_row):
        if pdf.get_y() + size_mm + 8 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        for column, nodule in enumerate(images[row_start : row_start + per_row]):
            x = pdf.l_margin + column * (size_mm + gap_mm)
            pdf.image(str(nodule.key_image_path), x=x, y=top, w=size_mm, h=size_mm)
            pdf.set_xy(x, top + size_mm + 0.5)
            pdf.set_font(FONT, size=8)
            pdf.cell(size_mm, 4.5, nodule.label, align="C")
        pdf.set_xy(pdf.l_margin, top + size_mm + 6)


def _conclusion(pdf: _ReportPdf) -> None:
    report, text = pdf.report, pdf.text_of
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 7, text["conclusion"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9.5)
    rows = [
        (text["category"], category_line(report)),
        (text["management"], report.management or "—"),
        (text["follow_up"], report.follow_up_date.isoformat() if report.follow_up_date else "—"),
    ]
    if report.override_reason:
        who = display_name(report.override_by, report.language) if report.override_by else ""
        rows.append(
            (
                text["override_reason"],
                f"{report.override_reason} ({who})" if who else report.override_reason,
            )
        )
    if report.impression:
        rows.append((text["impression"], report.impression))
    for label, value in rows:
        pdf.multi_cell(0, 6, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if report.signature is not None:
        signed = report.signature
        name = display_name(signed.radiologist, report.language)
        when = f"{signed.signed_at:%Y-%m-%d %H:%M}"
        line = f"{text['signed_by']}: {name}    {text['signed_at']}: {when}"
    else:
        line = text["draft"]
    pdf.cell(0, 6, line, align="R", new_x="LMARGIN", new_y="NEXT")
    if report.version > 1:
        amended = text["amended"].format(version=report.version, previous=report.version - 1)
        pdf.cell(0, 6, amended, align="R")


def category_line(report: VisitReport) -> str:
    """The exam's category; when the radiologist changed it, with the guideline's own beside it."""
    text = TEXT[report.language]
    shown = report.exam_lung_rads_category or "—"
    guideline = report.guideline_category
    if guideline and report.exam_lung_rads_category and guideline != shown:
        return f"{shown} ({text['override']}; {text['guideline_category']}: {guideline})"
    return shown


def write_pdf_report(
    report: VisitReport,
    out_path: Path,
    logo: Path | None = None,
    created_at: dt.datetime | None = None,
) -> Path:
    """Write the report of one visit as a PDF in ``report.language`` (zh_CN or en).
    ``created_at`` is the PDF's creation date (now by default; shifted in a de-identified copy)."""
    if report.language not in TEXT:
        raise ValueError(f"no report text for language {report.language!r}")
    pdf = _ReportPdf(report)
    pdf.set_title(f"{TEXT[report.language]['title']} {report.patient_id} {report.study_date}")
    pdf.set_creator("NoduleDesk")
    pdf.set_creation_date(created_at or dt.datetime.now(dt.timezone.utc))
    pdf.add_page()
    _header(pdf, logo)
    _nodule_table(pdf)
    _key_images(pdf)
    _conclusion(pdf)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out_path))
    return out_path
