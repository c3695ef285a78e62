"""Tools > DICOM nodes… driven as a user would, against real peers on 127.0.0.1: Verify (C-ECHO)
an Orthanc, start receiving, a scanner (dcmtk storescu) pushes a series that shows in the receive
queue and the worklist, find the patient's prior on the PACS and retrieve it with progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication

from nodule_desk.dicom.net.nodes import RemoteNode, load_node_settings
from tests.core.dicom_peers import (
    DESK_AE,
    ORTHANC_AE,
    free_port,
    running_orthanc,
    storescu,
    tiny_ct_series,
)
from tests.ui.test_main_window import make_window

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _screen_grab(widget) -> np.ndarray:  # noqa: ANN001
    top_left = widget.mapToGlobal(QPoint(0, 0))
    pixmap = QGuiApplication.primaryScreen().grabWindow(
        0, top_left.x(), top_left.y(), widget.width(), widget.height())
    return pixmap


def test_verify_receive_query_and_retrieve_from_the_dialog(qtbot, sample_store, tmp_path):  # noqa: ANN001
    desk_port = free_port()
    prior, prior_files = tiny_ct_series(
        tmp_path / "prior", 6, "ND0001", "WANG^FANG", dt.date(2023, 3, 1))
    with running_orthanc(tmp_path / "orthanc", {"desk": [DESK_AE, "127.0.0.1", desk_port]}) as pacs:
        pacs.upload(prior_files)
        window = make_window(qtbot, sample_store.store)
        dialog = window.dicom_nodes.show_dialog()
        qtbot.addWidget(dialog)
        try:
            dialog.port_spin.setValue(desk_port)
            dialog.add_node(RemoteNode("PACS", ORTHANC_AE, "127.0.0.1", pacs.dicom_port))
            dialog.add_node(RemoteNode("CT room 2", "CT_ROOM_2", "127.0.0.1", 104))
            dialog.nodes_table.selectRow(0)
            job = dialog.verify_selected()
            with qtbot.waitSignal(job.signals.finished, timeout=20000):
                pass
            assert "answered the C-ECHO" in dialog.status_label.text()
            assert [n.name for n in load_node_settings(sample_store.db_path).nodes] == [], (
                "nothing is saved before Save or Start")

            dialog.listen_button.click()
            qtbot.waitUntil(lambda: dialog.service.running, timeout=5000)
            assert str(desk_port) in dialog.listen_label.text()
            assert [n.name for n in load_node_settings(sample_store.db_path).nodes] == [
                "PACS", "CT room 2"]

            pushed, files = tiny_ct_series(
                tmp_path / "push", 3, "ND0003", "ZHAO^LEI", dt.date(2025, 1, 2))
            assert storescu(desk_port, files, "CT_ROOM_2").returncode == 0
            qtbot.waitUntil(
                lambda: any("complete, 3 slice(s)" in dialog.queue_list.item(i).text()
                            for i in range(dialog.queue_list.count())), timeout=20000)
            qtbot.waitUntil(lambda: sample_store.store.get_patient("ND0003") is not None)

            dialog.tabs.setCurrentWidget(dialog.retrieve_panel)
            panel = dialog.retrieve_panel
            panel.patient_id_edit.setText("ND0001")
            with qtbot.waitSignal(panel.find_studies().signals.finished, timeout=20000):
                pass
            assert panel.results.rowCount() == 1
            job = panel.retrieve_selected()
            with qtbot.waitSignal(panel.retrieved, timeout=60000) as done:
                pass
            assert done.args[0].completed == 6
            assert "Retrieved 6 image(s)" in panel.status_label.text()
            assert sample_store.store.get_series(prior.series_uid).n_slices == 6

            dialog.resize(900, 560)
            dialog.tabs.setCurrentIndex(0)
            qtbot.wait(200)
            DOCS_SCREENSHOTS.mkdir(exist_ok=True)
            assert _screen_grab(dialog).save(str(DOCS_SCREENSHOTS / "dicom_nodes_dialog.png"))
        finally:
            dialog.service.stop()
            window.jobs.wait(20000)
