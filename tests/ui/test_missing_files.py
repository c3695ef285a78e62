"""Issue 17 item 7: a series whose files are gone (a removed USB stick) opens to a clear message
naming the study and where the files were, never a raw errno box or a traceback."""

from __future__ import annotations

import shutil

from tests.ui.test_main_window import make_window
from ui.worklist_dock import SERIES_ROLE


def test_opening_a_series_whose_stick_was_removed_names_the_study(qtbot, sample_store) -> None:  # noqa: ANN001
    window = make_window(qtbot, sample_store.store)
    series = window.worklist.series_items()[0].data(0, SERIES_ROLE)
    folder = sample_store.store.series_files(series.id)[0].parent
    shutil.rmtree(folder)
    assert window.open_series(series) is None
    message = window.statusBar().currentMessage()
    assert series.study_uid in message and str(folder) in message
    assert "Errno" not in message
