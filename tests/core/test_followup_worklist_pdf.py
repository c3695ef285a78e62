"""The printable follow-up list: every patient in the worklist's order, Chinese readable, and the
CJK font embedded (DOMAIN.md: a PDF sent to another hospital should embed its font)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from nodule_desk.followup.worklist import FollowUpItem
from nodule_desk.followup.worklist_pdf import write_worklist_pdf

pytestmark = [
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing"),
    pytest.mark.slow,  # embedding the CJK face takes seconds
]

ITEMS = [
    FollowUpItem(
        "P001", "Zhang^Wei=张^伟", "2025-12-08", 37, "4A", "3个月后低剂量CT复查", "2025-09-08"
    ),
    FollowUpItem(
        "P004", "Chen^Jie=陈^杰", "2026-01-18", 0, "4B", "Diagnostic chest CT", "2025-11-18"
    ),
    FollowUpItem("P003", "Wang^Fang=王^芳", None, 0, "3", "", "2025-07-14"),
]


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _fonts(path: Path) -> list[list[str]]:
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [line.split() for line in lines]


@pytest.mark.parametrize(
    ("language", "title", "name", "waiting"),
    [
        ("zh_CN", "随访复查名单", "张伟 (Zhang Wei)", "复查 CT 待报告"),
        ("en", "Follow-up worklist", "Zhang Wei (张伟)", "awaiting report"),
    ],
)
def test_the_list_reads_in_order_with_its_font_embedded(tmp_path, language, title, name, waiting):
    path = write_worklist_pdf(
        ITEMS, tmp_path / "list.pdf", language, dt.date(2026, 1, 14), "Overdue"
    )
    text = _text(path)
    assert title in text and name in text and waiting in text
    assert "2026-01-14" in text and "3个月后低剂量CT复查" in text
    assert text.index("P001") < text.index("P004") < text.index("P003")
    fonts = _fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts)  # the "emb" column
