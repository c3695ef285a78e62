"""The branch doctor's follow-up worklist (issue 10.5) and the worklist dock's follow-up column
(issue 17.8): a due date is met by a later study; filters, override with a reason, CSV with BOM,
printable PDF with the CJK font embedded; names stay readable at the dock's default width.

Data: the shared sample store (two patients, one CT each) plus a third patient with two CTs;
signed reports recommend the dates below, "today" is fixed at Wednesday 2025-10-01.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontMetrics

from nodule_desk.dicom.records import ScanResult
from tests.ui.conftest import write_sample_series
from ui import i18n
from ui.follow_up_worklist_dialog import FollowUpWorklistDialog

TODAY = dt.date(2025, 10, 1)
FROZEN = {"format": 1, "report": {}, "measurement_ids": []}


def sign(store, study_uid: str, follow_up_date: str, category: str, management: str) -> None:
    content = {
        "follow_up_date": follow_up_date,
        "exam_category": category,
        "management": management,
    }
    store.sign(store.save_draft(study_uid, content, language="en").id, FROZEN, user="dr.wang")


@pytest.fixture
def follow_up_store(sample_store, tmp_path):
    store = sample_store.store
    later = [
        write_sample_series(tmp_path / "more", "ND0003", "Zhang^Wei=张^伟", day)
        for day in (dt.date(2025, 1, 10), dt.date(2025, 7, 8))
    ]
    store.add_scan_result(ScanResult(series=later))
    study = {pid: store.studies_of_patient(pid)[0].study_uid for pid in ("ND0001", "ND0002")}
    # ND0001: 4A, due 2024-09-01, never came back: overdue.
    sign(store, study["ND0001"], "2024-09-01", "4A", "3-month LDCT")
    # ND0002: 2, due next year.
    sign(store, study["ND0002"], "2026-06-15", "2", "12-month LDCT")
    # ND0003: 4B due 2025-07-10; the follow-up CT of 2025-07-08 was done (awaits its report).
    sign(store, later[0].study_uid, "2025-07-10", "4B", "diagnostic CT")
    return store


def make_dialog(qtbot, store) -> FollowUpWorklistDialog:
    dialog = FollowUpWorklistDialog(store, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(dialog: FollowUpWorklistDialog, key: str) -> None:
    dialog.due_filter.setCurrentIndex(dialog.due_filter.findData(key))


def test_sorted_by_due_date_and_a_later_ct_meets_the_date(qtbot, follow_up_store):
    dialog = make_dialog(qtbot, follow_up_store)
    # soonest due first; the one waiting for its follow-up CT's report last
    assert dialog.patient_ids() == ["ND0001", "ND0002", "ND0003"]
    assert dialog.table.item(0, 3).text() == str((TODAY - dt.date(2024, 9, 1)).days)
    assert dialog.table.item(2, 3).text() == ""  # ND0003 is not overdue: the CT was done
    assert "2025-07-08" in dialog.table.item(2, 6).text()


def test_filters_hold_the_right_patients(qtbot, follow_up_store):
    dialog = make_dialog(qtbot, follow_up_store)
    choose(dialog, "overdue")
    assert dialog.patient_ids() == ["ND0001"]
    choose(dialog, "week")  # through Sunday 2025-10-05, the overdue one included
    assert dialog.patient_ids() == ["ND0001"]
    choose(dialog, "all")
    dialog.high_category.setChecked(True)  # 4A or higher: ND0001 (4A), ND0003 (4B)
    assert dialog.patient_ids() == ["ND0001", "ND0003"]
    assert dialog.count_label.text() == "2 patients"


def test_csv_export_is_utf8_with_bom_and_holds_the_filtered_patients(
    qtbot, follow_up_store, tmp_path
):
    dialog = make_dialog(qtbot, follow_up_store)
    choose(dialog, "overdue")
    path = dialog.export_csv(tmp_path / "overdue.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # so that Excel reads UTF-8
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [(r["patient_id"], r["next_due"], r["category"]) for r in rows] == [
        ("ND0001", "2024-09-01", "4A")
    ]
    choose(dialog, "all")
    rows = list(csv.DictReader(dialog.export_csv(tmp_path / "all.csv").open(encoding="utf-8-sig")))
    assert [r["patient_id"] for r in rows] == ["ND0001", "ND0002", "ND0003"]
    assert "张^伟" in rows[2]["name"]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_list_in_chinese_embeds_its_font(qtbot, follow_up_store, tmp_path, qapp):
    i18n.set_language(qapp, "zh_CN")
    dialog = make_dialog(qtbot, follow_up_store)
    path = dialog.export_pdf(tmp_path / "list.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "随访复查名单" in text and "张伟" in text
    assert text.index("ND0001") < text.index("ND0002") < text.index("ND0003")
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb column


def test_override_needs_a_reason_and_moves_the_date(qtbot, follow_up_store):
    dialog = make_dialog(qtbot, follow_up_store)
    assert not dialog.override("ND0002", dt.date(2025, 10, 3), "   ")
    assert "needs a reason" in dialog.message.text()
    assert dialog.override("ND0002", dt.date(2025, 9, 20), "patient asked for an earlier CT")
    assert dialog.patient_ids()[:2] == ["ND0001", "ND0002"]
    row = dialog.patient_ids().index("ND0002")
    assert dialog.table.item(row, 2).text() == "2025-09-20"
    assert "patient asked for an earlier CT" in dialog.table.item(row, 6).text()
    choose(dialog, "overdue")
    assert dialog.patient_ids() == ["ND0001", "ND0002"]


def test_double_click_asks_for_the_patients_comparison(qtbot, follow_up_store):
    dialog = make_dialog(qtbot, follow_up_store)
    qtbot.waitExposed(dialog)
    rect = dialog.table.visualItemRect(dialog.table.item(2, 1))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(dialog.patient_activated) as signal:
        qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["ND0003"]


def test_worklist_dock_follow_up_column_tells_the_truth_and_names_are_not_elided(
    qtbot, follow_up_store
):
    from ui.main_window import MainWindow

    window = MainWindow(follow_up_store)
    qtbot.addWidget(window)
    window.worklist._today = TODAY
    window.show()
    qtbot.waitExposed(window)
    window.worklist.refresh()
    tree = window.worklist.tree
    rows = {
        tree.topLevelItem(i).text(0).split("(")[-1].rstrip(")"): tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
    }
    red = Qt.GlobalColor.red
    assert rows["ND0001"].text(3) == "2024-09-01 (4A)"
    assert rows["ND0001"].foreground(3).color() == red
    # issue 17.8: the follow-up CT of 2025-07-08 met the 2025-07-10 date: not overdue, not red
    assert rows["ND0003"].text(3) == QCoreApplication.translate(
        "WorklistDock", "CT done, report pending"
    )
    assert rows["ND0003"].foreground(3).color() != red
    assert rows["ND0002"].foreground(3).color() != red
    # At the default dock width every name is shown whole (a scroll bar rather than "…").
    metrics = QFontMetrics(tree.font())
    for item in rows.values():
        needed = metrics.horizontalAdvance(item.text(0)) + tree.indentation()
        assert tree.columnWidth(0) >= needed, item.text(0)
        assert tree.visualItemRect(item).width() > 0
    window.close()
