"""Issue 17 in the real window: the caliper is never undone, a wrong finding is rejected, a
negative exam is reported, a signed report stays as signed, signing is confirmed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox

from nodule_desk.imaging.reslice import Orientation
from tests.ui.test_edit_tools import drag, measured_window
from tests.ui.test_main_window import make_window, open_first_series
from tests.ui.test_nodule_workflow import nodule_store  # noqa: F401
from ui.report_dialog import EXPORT_FOLDER_KEY, ReportDialog


def when_modal(qtbot, handle) -> None:  # noqa: ANN001
    """Run ``handle(widget)`` on the next modal dialog once it is shown."""

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(20, poll)
        else:
            handle(widget)

    QTimer.singleShot(0, poll)


def test_after_a_caliper_apply_writes_only_the_changed_margin(qtbot, nodule_store):  # noqa: F811
    store, truth, _ = nodule_store
    window, axial = measured_window(qtbot, store, truth)
    panel, tools = window.nodule_panel, window.edit_tools
    panel.table.selectRow(0)
    tools.caliper_action.trigger()
    c = np.asarray(truth.center_lps_mm, dtype=float)
    drag(qtbot, axial, c + (-6.0, 0, 0), c + (6.0, 0, 0))
    with qtbot.waitSignal(tools.measurement_recorded, timeout=5000) as recorded:
        drag(qtbot, axial, c + (0, -3.0, 0), c + (0, 3.0, 0))
    caliper = recorded.args[0]
    assert panel.long_axis.value() == caliper.long_axis_mm  # the editors show the new version
    panel.combos["margin"].setCurrentIndex(panel.combos["margin"].findData("lobulated"))
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    current = store.current_measurements(patient_id="NW-1")[0]
    assert current.margin == "lobulated"
    assert (current.long_axis_mm, current.short_axis_mm) == (
        caliper.long_axis_mm,
        caliper.short_axis_mm,
    )


def test_a_finding_is_rejected_with_a_reason_from_the_panel(qtbot, nodule_store):  # noqa: F811
    store, truth, identity = nodule_store
    window, _ = measured_window(qtbot, store, truth)
    panel = window.nodule_panel
    panel.table.selectRow(0)
    assert panel.reject_action in panel.table.actions()  # the row's context menu
    assert panel.reject_action.shortcut().toString() == "Del"

    def answer(dialog: QInputDialog) -> None:
        dialog.setTextValue("vessel cross-section")
        dialog.accept()

    when_modal(qtbot, answer)
    panel.reject_button.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=5000)
    (rejection,) = store.rejections_of_study(identity.study_uid)
    assert (rejection.reason, rejection.rejected_by) == ("vessel cross-section", "dr.zhou")
    assert store.current_measurements(study_uid=identity.study_uid) == []
    assert panel.report_button.isEnabled()  # 17.5: a negative exam can still be reported


def test_report_is_enabled_on_a_study_without_nodules(qtbot, nodule_store):  # noqa: F811
    store, _, identity = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    panel = window.nodule_panel
    assert panel.table.rowCount() == 0 and panel.report_button.isEnabled()
    panel.report_button.click()
    dialog = window.report_dialog
    assert dialog is not None and dialog.category.currentData() == "1"
    assert "未见肺结节" in dialog.preview.toPlainText()


def test_signing_asks_naming_patient_and_category_then_stays_as_signed(
    qtbot,
    nodule_store,  # noqa: F811
    tmp_path,
):
    store, truth, identity = nodule_store
    window, _ = measured_window(qtbot, store, truth)
    dialog = ReportDialog(store, identity.study_uid, window.jobs, window)
    qtbot.addWidget(dialog)
    dialog.show()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert dialog.export_start_folder() == documents
    dialog.radiologist.setText("Zhou^Min")
    asked: list[str] = []
    out = tmp_path / "out"
    out.mkdir()

    def choose(folder_dialog: QFileDialog) -> None:
        asked.append(folder_dialog.directory().absolutePath())
        folder_dialog.selectFile(str(out))
        folder_dialog.accept()

    def confirm(box: QMessageBox) -> None:
        asked.append(box.text())
        when_modal(qtbot, choose)
        box.button(QMessageBox.StandardButton.Yes).click()

    when_modal(qtbot, confirm)
    job = dialog.publish(sign=True)
    assert job is not None and dialog.progress.isVisible()
    with qtbot.waitSignal(job.signals.finished, timeout=60000):
        pass
    assert "周敏" in asked[0] or "Zhou" in asked[0]
    assert "NW-1" in asked[0] and "4A" in asked[0]
    assert QSettings().value(EXPORT_FOLDER_KEY) == str(out)
    signed = store.current_report(identity.study_uid)
    assert signed.status == "signed"
    signing = [e for e in store.audit_entries("report", signed.id) if e["action"] == "sign_report"]
    assert signing[0]["user"] == "Zhou^Min"
    preview = dialog.preview.toPlainText()

    # an edit after signing: the signed version stays, a new one is pending
    panel = window.nodule_panel
    panel.table.selectRow(0)
    panel.long_axis.setValue(12.5)
    panel.short_axis.setValue(9.0)
    panel.apply_button.click()
    pending = store.current_report(identity.study_uid)
    assert pending.is_amendment_pending and pending.version == 2
    assert store.get_report(signed.id).frozen == signed.frozen
    reopened = ReportDialog(store, identity.study_uid, window.jobs, window)
    qtbot.addWidget(reopened)
    assert "12.5" in reopened.preview.toPlainText() and "12.5" not in preview
    assert "pending" in reopened.status.text()


def test_a_second_click_on_a_measured_or_measuring_lesion_adds_no_nodule(qtbot, nodule_store):  # noqa: F811
    store, truth, identity = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    panel = window.nodule_panel
    centre = truth.center_lps_mm
    first = panel.measure_at(centre)
    assert first is not None
    assert panel.measure_at(np.asarray(centre) + (1.0, 0.5, 0.0)) is None  # being measured
    assert panel.measure_status.isVisible() and panel.measure_status.cancel_button.isVisible()
    with qtbot.waitSignal(first.signals.finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    panel.table.clearSelection()
    assert panel.measure_at(np.asarray(centre) + (2.0, 0.0, 0.0)) is None  # on its mask
    assert panel.current_measurement().nodule_label == "N1"
    assert len(store.current_measurements(study_uid=identity.study_uid)) == 1


def test_a_click_in_air_says_why_and_offers_the_caliper(qtbot, nodule_store):  # noqa: F811
    store, truth, _ = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    panel = window.nodule_panel
    axial = window.viewer.views[Orientation.AXIAL]
    air = np.asarray(truth.center_lps_mm) + (14.0, 14.0, 0.0)
    job = panel.measure_at(air)
    with qtbot.waitSignal(job.signals.failed, timeout=30000):
        pass
    status = panel.measure_status
    assert status.isVisible() and status.caliper_button.isVisible()
    assert "caliper" in status.text.text()
    status.caliper_button.click()
    assert window.edit_tools.tool.value == "caliper"
    assert QApplication.overrideCursor() is None and axial.isVisible()


def test_the_lobe_is_suggested_from_the_lung_zone_and_applied_when_confirmed(
    qtbot,
    sample_store,
):
    from nodule_desk.store import MeasurementValues

    store = sample_store.store
    series = store.series_of_study(store.studies_of_patient("ND0001")[0].study_uid)[0]
    right_upper = (-168.0 + 0.29 * 96 * 3.5, -168.0 + 48 * 3.5, -300.0 + 21 * 2.5)
    nodule = store.create_nodule("ND0001")
    store.add_measurement(
        nodule.id,
        series.series_uid,
        MeasurementValues(center_lps_mm=right_upper, mean_diameter_mm=6.0, density_type="solid"),
    )
    window = make_window(qtbot, store)
    panel = window.nodule_panel
    with qtbot.waitSignal(panel.lung_zones.ready, timeout=20000):
        item = next(
            i for i in window.worklist.series_items() if "ND0001" in i.parent().parent().text(0)
        )
        window.worklist.tree.itemActivated.emit(item, 0)
    assert panel.table.item(0, 1).text() == "RUL?"
    panel.table.selectRow(0)
    assert "right lung, upper zone" in panel.zone_label.text()
    assert panel.combos["lobe"].currentData() == "RUL"
    panel.apply_button.click()
    assert store.current_measurements(patient_id="ND0001")[0].lobe == "RUL"
    assert panel.table.item(0, 1).text() == "RUL"


def test_a_nodule_at_a_band_edge_shows_diameter_and_volume_bands(qtbot, sample_store):
    from nodule_desk.store import MeasurementValues

    store = sample_store.store
    series = store.series_of_study(store.studies_of_patient("ND0002")[0].study_uid)[0]
    nodule = store.create_nodule("ND0002")
    values = MeasurementValues(
        center_lps_mm=(-100.0, 0.0, -260.0),
        long_axis_mm=8.2,
        short_axis_mm=7.6,
        mean_diameter_mm=7.9,
        volume_mm3=270.0,
        density_type="solid",
    )
    store.add_measurement(nodule.id, series.series_uid, values)
    window = make_window(qtbot, store)
    item = next(
        i for i in window.worklist.series_items() if "ND0002" in i.parent().parent().text(0)
    )
    with qtbot.waitSignal(window.volume_loaded, timeout=20000):
        window.worklist.tree.itemActivated.emit(item, 0)
    panel = window.nodule_panel
    panel.table.selectRow(0)
    assert "by mean diameter 3, by volume 4A" in panel.size_label.text()
    panel.report_button.click()
    assert (
        "volume 270 mm³ gives 4A" in window.report_dialog.preview.toPlainText().replace("\n", " ")
        or "体积 270 mm³ 属 4A 类" in window.report_dialog.preview.toPlainText()
    )


def test_a_missing_slice_is_shown_and_blocks_automatic_volume(qtbot, tmp_path):
    from nodule_desk.dicom import scan_paths
    from nodule_desk.store import Store
    from tests.core.test_slice_gaps import series_with_a_gap

    folder, missing = series_with_a_gap(tmp_path / "ct", 0)
    store = Store.open(tmp_path / "store.sqlite")
    store.add_scan_result(scan_paths([folder]))
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    panel = window.nodule_panel
    assert f"Slices {missing + 1} are missing" in panel.hint.text()
    axial = window.viewer.views[Orientation.AXIAL]
    axial.set_slice(missing)
    assert any("MISSING" in line for line in axial.position_lines())
    job = panel.measure_at((0.0, 0.0, 0.0))
    with qtbot.waitSignal(job.signals.failed, timeout=30000):
        pass
    assert "missing from this series" in panel.measure_status.text.text()
    assert panel.measure_status.caliper_button.isVisible()
    assert store.current_measurements(patient_id="GAP-1") == []
    store.close()
