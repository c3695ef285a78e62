"""The follow-up worklist as a printable PDF list, in Simplified Chinese or English.

The CJK font is embedded (Noto Sans CJK, its Simplified Chinese face), as the PDF report does it:
a list printed at a branch or mailed to the parent center must not depend on the reader's fonts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from nodule_desk.followup.worklist import FollowUpItem
from nodule_desk.names import display_name
from nodule_desk.reports.pdf_report import FONT, SIMPLIFIED_CHINESE_FACE, _cjk_font

TEXT = {
    "zh_CN": {
        "title": "随访复查名单",
        "printed": "打印日期 {date}　共 {count} 位患者",
        "filter": "筛选：{filter}",
        "patient_id": "患者编号",
        "name": "姓名",
        "next_due": "应复查日期",
        "overdue": "逾期 (天)",
        "category": "Lung-RADS",
        "reason": "依据 / 处理建议",
        "awaiting": "复查 CT 待报告",
        "empty": "没有符合条件的患者。",
        "page": "第 {page} 页 / 共 {pages} 页",
    },
    "en": {
        "title": "Follow-up worklist",
        "printed": "Printed {date}  ·  {count} patient(s)",
        "filter": "Filter: {filter}",
        "patient_id": "Patient ID",
        "name": "Name",
        "next_due": "Next due",
        "overdue": "Overdue (days)",
        "category": "Lung-RADS",
        "reason": "Reason / management",
        "awaiting": "awaiting report",
        "empty": "No patient matches.",
        "page": "Page {page} of {pages}",
    },
}
COLUMN_WIDTHS_MM = (26, 36, 28, 18, 18, 64)


class _WorklistPdf(FPDF):
    def __init__(self, language: str) -> None:
        super().__init__(format="A4")
        self.text_of = TEXT[language]
        font = _cjk_font()
        face = SIMPLIFIED_CHINESE_FACE if font.suffix == ".ttc" else 0
        self.add_font(FONT, "", str(font), collection_font_number=face)
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=16)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.text_of["page"].format(page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(0)


def _row(item: FollowUpItem, language: str, text: dict[str, str]) -> list[str]:
    return [
        item.patient_id,
        display_name(item.name, language),
        item.next_due or text["awaiting"],
        str(item.overdue_days) if item.overdue_days else "",
        item.category or "",
        item.reason,
    ]


def write_worklist_pdf(
    items: Iterable[FollowUpItem],
    path: Path,
    language: str = "zh_CN",
    printed_on: dt.date | None = None,
    filter_text: str = "",
) -> Path:
    """A4 list of the worklist's patients in its order, one row each, with the CJK font embedded."""
    text = TEXT.get(language, TEXT["en"])
    rows = [_row(item, language, text) for item in items]
    pdf = _WorklistPdf(language if language in TEXT else "en")
    pdf.add_page()
    pdf.set_font(FONT, size=15)
    pdf.cell(0, 9, text["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9.5)
    printed = (printed_on or dt.date.today()).isoformat()
    pdf.cell(
        0, 6, text["printed"].format(date=printed, count=len(rows)), new_x="LMARGIN", new_y="NEXT"
    )
    if filter_text:
        pdf.cell(0, 6, text["filter"].format(filter=filter_text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not rows:
        pdf.cell(0, 6, text["empty"], new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font(FONT, size=8.5)
        headings = [
            text[k] for k in ("patient_id", "name", "next_due", "overdue", "category", "reason")
        ]
        with pdf.table(
            col_widths=COLUMN_WIDTHS_MM,
            line_height=5.5,
            headings_style=FontFace(emphasis=None, fill_color=(225, 232, 240)),
        ) as table:
            table.row(headings)
            for row in rows:
                table.row(row)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
