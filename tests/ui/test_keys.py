"""Issue 16.8: keys work where the user looks; the Tools menu shows actions as actions."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nodule_desk.imaging.reslice import Orientation
from nodule_desk.imaging.slab import WINDOW_PRESETS
from tests.ui.test_main_window import make_window, open_first_series
from tests.ui.test_nodule_workflow import nodule_store  # noqa: F401
from ui.main_window import ICONS_DIR
from ui.report_dialog import ReportDialog


def test_window_preset_keys_work_without_clicking_a_view_first(qtbot, sample_store):  # noqa: ANN001
    window = make_window(qtbot, sample_store.store)
    open_first_series(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.worklist.tree.setFocus()  # the focus where opening a series leaves it
    qtbot.keyClick(window.worklist.tree, Qt.Key.Key_3)
    for view in window.viewer.views.values():
        assert view.window() == WINDOW_PRESETS["bone"]
    window.worklist.search_edit.setFocus()
    qtbot.keyClick(window.worklist.search_edit, Qt.Key.Key_1)  # typing in a field stays typing
    assert window.worklist.search_edit.text() == "1"
    assert window.viewer.views[Orientation.AXIAL].window() == WINDOW_PRESETS["bone"]


def test_escape_closes_the_report_dialog(qtbot, nodule_store):  # noqa: F811
    store, _, identity = nodule_store
    window = make_window(qtbot, store)
    open_first_series(qtbot, window)
    dialog = ReportDialog(store, identity.study_uid, window.jobs, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.preview.setFocus()
    qtbot.keyClick(dialog.preview, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_measure_at_crosshair_is_an_action_with_its_own_icon(qtbot, sample_store):  # noqa: ANN001
    window = make_window(qtbot, sample_store.store)
    assert not window.measure_action.isCheckable()
    assert (ICONS_DIR / "measure.svg").exists()  # not the style's check-mark fallback
    checkable = [a.text() for a in window.tools_menu.actions() if a.isCheckable()]
    assert checkable == [
        window.edit_tools.caliper_action.text(),
        window.edit_tools.brush_action.text(),
    ]
