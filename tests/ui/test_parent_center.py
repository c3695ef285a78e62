"""The parent center in the main window, against a real Orthanc: settings with Test connection,
a consultation queued from the dock and sent by Sync now, its status on the case."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from nodule_desk.settings import SiteSettings, load_settings, save_settings, settings_path
from tests.core.parent_orthanc import USER, Orthanc
from tests.core.sync_fixtures import parent_settings
from tests.ui.test_main_window import make_window
from ui import i18n
from ui.parent_request_dialog import ParentRequestDialog
from ui.worklist_dock import SERIES_ROLE

pytestmark = [pytest.mark.orthanc, pytest.mark.slow]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture()
def parent(tmp_path: Path):
    server = Orthanc(tmp_path / "orthanc").start()
    yield server
    server.stop()


def open_series_of(qtbot, window, patient_id: str):  # noqa: ANN001, ANN201
    """Open the patient's series as a user does (activate it in the worklist)."""
    item = next(i for i in window.worklist.series_items()
                if i.data(0, SERIES_ROLE).patient_id == patient_id)
    with qtbot.waitSignal(window.volume_loaded, timeout=20000):
        window.worklist.tree.itemActivated.emit(item, 0)
    return item.data(0, SERIES_ROLE)


def test_settings_dialog_tests_the_connection_and_keeps_the_password_out(
    qtbot, sample_store, parent, monkeypatch  # noqa: ANN001
) -> None:
    window = make_window(qtbot, sample_store.store)
    dialog = window.parent_center.show_settings()
    qtbot.keyClicks(dialog.url_edit, parent.dicomweb_url)
    qtbot.keyClicks(dialog.branch_edit, "BR01")
    qtbot.keyClicks(dialog.user_edit, USER)
    qtbot.keyClicks(dialog.password_edit, "wrong")
    with qtbot.waitSignal(dialog.test_connection().signals.failed, timeout=20000):
        pass
    assert "password" in dialog.status_label.text()
    dialog.password_edit.setText(parent.password)
    with qtbot.waitSignal(dialog.test_connection().signals.finished, timeout=20000):
        pass
    assert dialog.status_label.text().startswith("Connected")
    dialog.accept()
    saved = settings_path(sample_store.db_path)
    assert load_settings(saved).parent_center.url == parent.dicomweb_url
    assert parent.password not in saved.read_text(encoding="utf-8")


def test_consultation_from_the_dock_is_queued_then_sent(
    qtbot, sample_store, parent, monkeypatch, cjk_font_family  # noqa: ANN001
) -> None:
    monkeypatch.setenv("NODULE_DESK_PARENT_PASSWORD", parent.password)
    path = settings_path(sample_store.db_path)
    save_settings(SiteSettings(parent_center=parent_settings(parent.dicomweb_url)), path)
    window = make_window(qtbot, sample_store.store)
    dock = window.parent_center.dock
    dock.show()
    dock.raise_()
    series = open_series_of(qtbot, window, "ND0001")
    assert dock.consult_button.isEnabled()

    request = ParentRequestDialog("consultation", series.study_uid, window)
    ok = request.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled(), "a request needs a question"
    qtbot.keyClicks(request.question_edit, "Solid nodule RUL, 9 mm: biopsy?")
    assert ok.isEnabled() and request.urgency() == "routine"

    with qtbot.waitSignal(dock.queue_request("consultation", request.question(), "urgent")
                          .signals.finished, timeout=60000):
        pass
    assert statuses(dock) == [("Consultation series", "queued"), ("Consultation", "requested")]
    with qtbot.waitSignal(dock.sync_now().signals.finished, timeout=60000):
        pass
    assert statuses(dock) == [("Consultation series", "sent"), ("Consultation", "sent")]
    assert len(parent.instances()) == 24 + 1, "the 24 slices and the KOS with the question"
    assert "Sent 1, pending 0" in dock.status_label.text()

    i18n.set_language(qtbot_app(), "zh_CN")
    qtbot.waitUntil(lambda: dock.sync_button.text() == "立即同步")
    assert statuses(dock)[0] == ("会诊影像序列", "已发送")
    DOCS_SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(DOCS_SCREENSHOTS / "parent_center_dock_zh_CN.png"))


def qtbot_app():  # noqa: ANN201
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


def statuses(dock) -> list[tuple[str, str]]:  # noqa: ANN001
    rows = []
    for top in range(dock.tree.topLevelItemCount()):
        section = dock.tree.topLevelItem(top)
        rows += [(section.child(n).text(0), section.child(n).text(1))
                 for n in range(section.childCount())]
    return rows
