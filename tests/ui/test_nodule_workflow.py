"""From a ctrl+click on a nodule to a signed report, in the real window under Xvfb."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from nodule_desk.dicom import scan_paths
from nodule_desk.imaging.reslice import Orientation
from nodule_desk.store import Store
from sample_cases.blocks import make_nodule_block
from sample_cases.dicom_writer import SeriesIdentity, write_ct_series
from sample_cases.nodules import NoduleSpec
from tests.ui.test_main_window import grab, make_window, open_first_series
from ui.report_dialog import NO_DATE, ReportDialog


@pytest.fixture()
def nodule_store(tmp_path: Path):
    spec = NoduleSpec((0.0, 0.0, 0.0), 9.0, density_type="solid")
    volume, truth = make_nodule_block(spec, slice_mm=1.25)
    identity = SeriesIdentity(
        "NW-1",
        "Zhou^Min=周^敏",
        dt.date(2026, 2, 3),
        patient_birth_date=dt.date(1958, 1, 1),
        series_description="Lung 1.25",
    )
    write_ct_series(volume, tmp_path / "ct", identity)
    store = Store.open(tmp_path / "store.sqlite", user="dr.zhou")
    store.add_scan_result(scan_paths([tmp_path / "ct"]))
    yield store, truth, identity
    store.close()


def measure_by_ctrl_click(qtbot, window, centre) -> None:  # noqa: ANN001
    axial = window.viewer.views[Orientation.AXIAL]
    axial.set_world_point(centre)
    position = axial.world_to_widget(centre).toPoint()
    panel = window.nodule_panel
    qtbot.mouseClick(
        axial, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, position
    )
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=30000)


def test_ctrl_click_measures_outlines_and_lists_the_nodule(qtbot, nodule_store, artifacts_dir):
    store, truth, _ = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    measure_by_ctrl_click(qtbot, window, truth.center_lps_mm)

    panel = window.nodule_panel
    assert panel.table.item(0, 0).text() == "N1"
    mean = float(panel.table.item(0, 4).text())
    assert mean == pytest.approx(truth.mean_diameter_mm, abs=0.6)
    assert panel.table.item(0, 7).text() == "4A"  # baseline solid 8 to < 15 mm
    axial = window.viewer.views[Orientation.AXIAL]
    qtbot.wait(200)
    pixels = grab(axial)
    QApplication.primaryScreen().grabWindow(0).save(str(artifacts_dir / "nodule_measured.png"))
    centre = axial.world_to_widget(truth.center_lps_mm)
    x, y = int(centre.x()), int(centre.y())
    around = pixels[max(y - 60, 0) : y + 60, max(x - 60, 0) : x + 60].astype(int)
    coloured = (np.abs(around[..., 0] - around[..., 1]) > 80) | (
        np.abs(around[..., 1] - around[..., 2]) > 80
    )
    assert coloured.sum() > 20, "no coloured outline around the nodule"


def test_labels_and_caliper_become_new_versions(qtbot, nodule_store):
    store, truth, _ = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    measure_by_ctrl_click(qtbot, window, truth.center_lps_mm)
    panel = window.nodule_panel
    panel.table.selectRow(0)
    panel.combos["lobe"].setCurrentIndex(panel.combos["lobe"].findData("RUL"))
    panel.combos["margin"].setCurrentIndex(panel.combos["margin"].findData("spiculated"))
    panel.long_axis.setValue(10.4)
    panel.short_axis.setValue(8.0)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)

    current = store.current_measurements(patient_id="NW-1")[0]
    assert (current.lobe, current.margin) == ("RUL", "spiculated")
    assert (current.long_axis_mm, current.short_axis_mm, current.mean_diameter_mm) == (
        10.4,
        8.0,
        9.2,
    )
    history = store.measurement_history(current.nodule_id)
    assert [m.method for m in history] == ["auto", "edited", "manual"]
    assert panel.table.item(0, 1).text() == "RUL"


def test_report_dialog_override_needs_a_reason_then_signs(qtbot, nodule_store, tmp_path):
    store, truth, identity = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    measure_by_ctrl_click(qtbot, window, truth.center_lps_mm)
    dialog = ReportDialog(store, identity.study_uid, window.jobs, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "N1" in dialog.preview.toPlainText()
    assert dialog.category.currentData() == "4A"

    dialog.category.setCurrentIndex(dialog.category.findData("4B"))
    # issue 17.3: the category brings its own v2022 management, "Diagnostic chest CT ...",
    # and no scheduled LDCT; the radiologist may set a date for the work-up
    assert dialog.management.toPlainText().startswith("诊断性胸部 CT")
    assert dialog.follow_up.date() == NO_DATE
    dialog.follow_up.setDate(QDate(2026, 3, 3))
    assert not dialog.save_changes()
    assert "why" in dialog.message.text()
    assert store.current_report(identity.study_uid).content["exam_category"] == "4A"
    dialog.reason.setText("spiculated margin, enlarging on the prior outside CT")
    assert dialog.save_changes()
    report = store.current_report(identity.study_uid)
    assert report.content["exam_category"] == "4B"
    assert report.override_reasons[-1]["reason"].startswith("spiculated")

    job = dialog.publish_to(tmp_path / "out", "Zhou^Min")
    with qtbot.waitSignal(job.signals.finished, timeout=60000):
        pass
    qtbot.waitUntil(lambda: dialog.amend_button.isEnabled(), timeout=5000)
    assert store.current_report(identity.study_uid).status == "signed"
    assert not dialog.category.isEnabled()
    assert (tmp_path / "out" / "sr.dcm").exists()
    assert "report_zh_CN.pdf" in dialog.message.text()

    window.worklist.refresh()
    assert not window.worklist.tree.isColumnHidden(3)
    patient_row = window.worklist.tree.topLevelItem(0)
    assert patient_row.text(3) == "2026-03-03 (4B)"  # the date the override set


def test_settings_dialog_saves_the_hospital_for_reports(qtbot):
    from nodule_desk.settings import load_settings
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.institution_edit.setText("清河县人民医院 肺结节诊治分中心")
    dialog.context_combo.setCurrentIndex(dialog.context_combo.findData("incidental"))
    dialog.accept()
    saved = load_settings()
    assert saved.institution_name == "清河县人民医院 肺结节诊治分中心"
    assert saved.default_context == "incidental"
    reopened = SettingsDialog()
    qtbot.addWidget(reopened)
    assert reopened.institution_edit.text() == saved.institution_name
