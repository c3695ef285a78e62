"""Redo docs/screenshots from the generated sample patients, as the screen shows the app.

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py \
        --samples sample_cases/generated --out docs/screenshots

Imports the samples into a temporary store and home, opens Li Na's latest CT maximised, measures
her nodules by their truth centroids as a Ctrl+click would, and grabs the screen (QScreen, so the
VTK view is captured as shown) in Chinese and English, with the report dialog and each layout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wait(app, predicate, timeout_s: float = 60.0) -> None:  # noqa: ANN001
    import time

    end = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def _settle(app, seconds: float = 0.6) -> None:  # noqa: ANN001
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "sample_cases" / "generated")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--patient", default="P002")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="nodule-desk-shots-"))
    os.environ["NODULE_DESK_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ.setdefault("LIBGL_ALWAYS_SOFTWARE", "1")
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from nodule_desk.dicom import scan_paths
    from nodule_desk.store import Store
    from ui import app as ui_app
    from ui import i18n

    app = ui_app.create_application(["screenshots"])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "config"))
    store = Store.open(home / "store.sqlite", user="dr.li")
    store.add_scan_result(scan_paths([args.samples / args.patient]))
    args.out.mkdir(parents=True, exist_ok=True)
    screen = QApplication.primaryScreen()

    def shot(name: str) -> None:
        _settle(app)
        screen.grabWindow(0).save(str(args.out / name))
        print(args.out / name)

    from ui.main_window import MainWindow

    i18n.set_language(app, "zh_CN")
    window = MainWindow(store)
    window.show()
    _wait(app, window.isVisible)
    items = window.worklist.series_items()
    latest = max(items, key=lambda item: item.parent().text(1))  # the study's date column
    window.worklist.tree.itemActivated.emit(latest, 0)
    _wait(app, lambda: window.volume is not None)
    folder = Path(store.series_files(window.series.id)[0]).parent
    truth = json.loads((folder / "truth.json").read_text())
    for nodule in truth["nodules"]:
        if nodule.get("present") and nodule.get("in_scan", True):
            job = window.nodule_panel.measure_at(nodule["centroid_lps_mm"])
            if job is not None:
                _wait(app, lambda: not window.nodule_panel.pending, 120)
    _wait(app, lambda: window.nodule_panel.lung_zones.mask is not None)
    window.nodule_panel.table.selectRow(min(1, window.nodule_panel.table.rowCount() - 1))
    shot("main_window_zh_CN.png")
    air = truth["nodules"][0]["centroid_lps_mm"]
    job = window.nodule_panel.measure_at((air[0], air[1] - 400.0, air[2]))  # outside the body
    if job is not None:
        _wait(app, lambda: not window.nodule_panel.pending, 60)
    shot("measure_failed_zh_CN.png")
    window.nodule_panel.measure_status.clear()
    from ui.import_problems_dialog import ImportProblemsDialog

    problems = [
        (str(args.samples / "DICOMDIR.bak"), "not DICOM: no DICM preamble"),
        (f"{folder} (Lung)", "missing slice(s): about 1 between positions -20.00 and -17.50 mm"),
    ]
    dialog = ImportProblemsDialog(problems, 3, window)
    dialog.show()
    shot("import_problems_zh_CN.png")
    dialog.close()
    window.show_report(window.series.study_uid)
    shot("report_dialog_zh_CN.png")
    window.report_dialog.close()
    for layout in ("1x1", "2x2", "1x3"):
        window.viewer.set_layout(layout)
        _settle(app, 1.5)
        shot(f"layout_{layout}.png")
    i18n.set_language(app, "en")
    shot("main_window_en.png")
    window.show_report(window.series.study_uid)
    shot("report_dialog_en.png")
    window.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
