"""Redo docs/screenshots/comparison_*.png and follow_up_worklist_*.png on generated patients.

Run under a display (for example ``xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python
scripts/followup_screenshots.py``). Generates the four sample patients at 256², imports them,
measures one nodule on every visit (each follow-up joins its prior through the registration),
signs a report per patient with a follow-up date, then grabs the comparison view of P002 (three
visits) and the follow-up worklist in Simplified Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402

from nodule_desk.dicom import load_series_dir, scan_paths  # noqa: E402
from nodule_desk.followup.nodule_records import measure_and_record  # noqa: E402
from nodule_desk.store import Store  # noqa: E402
from sample_cases.generate import generate  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date(2026, 1, 14)
# patient: (visit whose report is signed, follow-up date, category, management en, zh)
REPORTS = {
    "P001": (1, "2025-12-08", "4A", "3-month LDCT", "3个月后低剂量CT复查"),
    "P002": (2, "2026-08-11", "2", "12-month screening LDCT", "12个月后低剂量CT筛查"),
    "P003": (0, "2025-07-15", "3", "6-month LDCT", "6个月后低剂量CT复查"),
    "P004": (1, "2026-01-18", "4B", "Diagnostic chest CT", "诊断性胸部CT"),
}


def build_store(work: Path) -> Path:
    samples = work / "samples"
    generate(samples, matrix=256, workers=2)
    db_path = work / "store.sqlite"
    with Store.open(db_path, user="王医生") as store:
        store.add_scan_result(scan_paths([samples]))
        for patient in sorted(p for p in samples.iterdir() if p.is_dir()):
            visits = sorted(v for v in patient.iterdir() if v.is_dir())
            truths = [json.loads((v / "truth.json").read_text(encoding="utf-8")) for v in visits]
            first = truths[0]["nodules"][0]["id"]
            for folder, truth in zip(visits, truths, strict=True):
                nodule = next((n for n in truth["nodules"] if n["id"] == first), None)
                if nodule is not None:
                    measure_and_record(
                        store,
                        load_series_dir(folder),
                        nodule["centroid_lps_mm"],
                        truth["series"]["uid"],
                    )
            visit, due, category, management, management_zh = REPORTS[patient.name]
            content = {
                "follow_up_date": due,
                "exam_category": category,
                "management": management,
                "management_zh": management_zh,
            }
            study = truths[visit]["study"]["uid"]
            draft = store.save_draft(study, content, language="zh_CN")
            store.sign(draft.id, {"format": 1, "report": content, "measurement_ids": []})
    return db_path


def grab(window, name: str) -> None:
    """Grab once the window is exposed and painted; a black grab (painted too late) is retried."""
    from PySide6.QtTest import QTest

    QTest.qWaitForWindowExposed(window, 5000)
    for _ in range(10):
        QTest.qWait(400)
        image = window.screen().grabWindow(window.winId())
        small = image.toImage().scaled(32, 32)
        if any(small.pixelColor(x, y).value() > 20 for x in range(32) for y in range(32)):
            break
    OUT.mkdir(parents=True, exist_ok=True)
    image.save(str(OUT / name))
    print(OUT / name, image.width(), "x", image.height())


def main() -> int:
    from ui import i18n
    from ui.app import create_application
    from ui.comparison_view import ComparisonView
    from ui.follow_up_worklist_dialog import FollowUpWorklistDialog
    from ui.jobs import JobRunner

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        db_path = build_store(work)
        QSettings.setPath(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "config")
        )
        app = create_application(["screenshots"])
        with Store.open(db_path) as store:
            for language in ("zh_CN", "en"):
                i18n.set_language(app, language)
                view = ComparisonView(store, JobRunner())
                view.resize(1600, 1000)
                view.show()
                view.open_patient("P002")
                while view.job is not None:
                    app.processEvents()
                grab(view, f"comparison_{language}.png")
                view.close()
                dialog = FollowUpWorklistDialog(store, today=TODAY)
                dialog.resize(1200, 420)
                dialog.show()
                dialog.table.selectRow(0)
                grab(dialog, f"follow_up_worklist_{language}.png")
                dialog.export_pdf(work / f"list_{language}.pdf")
                dialog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
