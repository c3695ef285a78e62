"""The follow-up worklist: due dates from signed reports, met by a later CT, set by hand with a
reason; the ``followups`` command and its CSV for Excel."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodule_desk.dicom import scan_paths
from nodule_desk.followup.worklist import follow_up_worklist
from nodule_desk.store import Store
from nodule_desk.volume import CTVolume, VolumeGeometry
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 8, 1)


def _tiny_ct() -> CTVolume:
    return CTVolume(
        np.full((3, 8, 8), -850, np.int16), VolumeGeometry((3, 8, 8), (1, 1, 1), (0, 0, 0))
    )


def _study(root: Path, store: Store, patient_id: str, name: str, date: str) -> str:
    identity = SeriesIdentity(patient_id, name, dt.date.fromisoformat(date))
    write_ct_series(_tiny_ct(), root / f"{patient_id}_{date}", identity)
    store.add_scan_result(scan_paths([root / f"{patient_id}_{date}"]))
    return identity.study_uid


def _signed(store: Store, study_uid: str, due: str, category: str, management: str) -> None:
    content = {
        "follow_up_date": due,
        "exam_category": category,
        "guideline": "lung_rads",
        "management": management,
        "management_zh": management,
    }
    draft = store.save_draft(study_uid, content, user="dr.li", language="en")
    store.sign(draft.id, frozen={"content": content}, user="dr.li")


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "store.sqlite", user="dr.li") as opened:
        _signed(
            opened,
            _study(tmp_path, opened, "A1", "Wang^Fang=王^芳", "2025-01-10"),
            "2025-07-10",
            "3",
            "6-month LDCT",
        )
        _signed(
            opened,
            _study(tmp_path, opened, "B2", "Li^Na=李^娜", "2025-01-10"),
            "2025-04-10",
            "3",
            "6-month LDCT",
        )
        _study(tmp_path, opened, "B2", "Li^Na=李^娜", "2025-04-12")  # done, not yet reported
        _signed(
            opened,
            _study(tmp_path, opened, "C3", 'Chen^"Jie"; DROP', "2025-07-01"),
            "2025-10-01",
            "4A",
            "3-month LDCT",
        )
        _signed(
            opened,
            _study(tmp_path, opened, "D4", "Zhao^Lei", "2025-06-01"),
            "2026-06-01",
            "2",
            "12-month LDCT",
        )
        opened.override_follow_up("D4", "2025-08-15", "patient asked for an earlier CT")
        yield opened


def test_due_dates_overdue_and_a_later_study_meeting_the_date(store: Store) -> None:
    items = {i.patient_id: i for i in follow_up_worklist(store, today=TODAY)}
    assert (items["A1"].next_due, items["A1"].overdue_days) == ("2025-07-10", 22)
    assert items["A1"].name == "Wang^Fang=王^芳" and items["A1"].category == "3"
    # Issue 17 item 8: a follow-up CT done after the report meets its date.
    assert (items["B2"].next_due, items["B2"].overdue_days) == (None, 0)
    assert "2025-04-12" in items["B2"].reason
    assert items["D4"].next_due == "2025-08-15"
    assert "earlier CT" in items["D4"].reason and "dr.li" in items["D4"].reason
    order = [i.patient_id for i in follow_up_worklist(store, today=TODAY)]
    assert order == ["A1", "D4", "C3", "B2"]  # soonest due first, waiting ones last


def test_filters(store: Store) -> None:
    assert [i.patient_id for i in follow_up_worklist(store, TODAY, overdue_only=True)] == ["A1"]
    assert [i.patient_id for i in follow_up_worklist(store, TODAY, min_category="4A")] == ["C3"]
    due = follow_up_worklist(store, TODAY, due_before=dt.date(2025, 8, 15))
    assert [i.patient_id for i in due] == ["A1", "D4"]


def test_followups_command_prints_the_contract_and_writes_csv_for_excel(store: Store, tmp_path):
    out = tmp_path / "随访.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nodule_desk",
            "followups",
            "--db",
            str(store.path),
            "--due-before",
            "2025-12-31",
            "--csv",
            str(out),
            "--today",
            TODAY.isoformat(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    patients = json.loads(done.stdout)["patients"]
    assert [p["patient_id"] for p in patients] == ["A1", "D4", "C3"]
    for key in ("patient_id", "name", "next_due", "overdue_days", "category", "reason"):
        assert key in patients[0]
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["name"] == "Wang^Fang=王^芳" and rows[2]["name"] == 'Chen^"Jie"; DROP'


def test_a_bad_date_is_a_one_line_error(store: Store) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nodule_desk",
            "followups",
            "--db",
            str(store.path),
            "--due-before",
            "next week",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not a date" in done.stderr
    assert "Traceback" not in done.stderr
